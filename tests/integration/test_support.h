/*
 * test_support.h - what the integration tests share: the paths of the
 * programs they start, opening a context in the test process, finding a
 * service, starting and stopping a service program.
 *
 * Every test runs under tests/with_services.sh (a private binderd and
 * servicemanager, BINDER_DEVICE set). The test process is one of the binder
 * processes of its test; the others are real programs started with
 * fork/exec: integration_peer (peer.h) and the examples.
 */
#ifndef INTEGRATION_TEST_SUPPORT_H
#define INTEGRATION_TEST_SUPPORT_H

#include <stdbool.h>
#include <sys/types.h>

#include <binder/binder.h>

/* The programs, set by CMake. */
extern const char *const integration_peer_path;
extern const char *const calculator_service_path;
extern const char *const calculator_client_path;
extern const char *const callback_service_path;
extern const char *const callback_client_path;

/* How long a test waits for a service to appear, in ms. */
#define SERVICE_WAIT_MS 20000

/* A context of the test process with its thread pool started (deaths and
 * oneway callbacks need binder threads). Asserts it opened. */
binder_context *open_test_context(void);

/* The service name, waiting for it (asserts it came). */
binder_object *get_test_service(binder_context *context, const char *name);

/* Starts integration_peer ROLE ARG [ARG2] (asserts it started). */
pid_t start_peer(const char *role, const char *argument, const char *second_argument);

/* Starts program [ARG] (asserts it started). */
pid_t start_program(const char *path, const char *argument);

/* SIGTERM, and asserts the process exited 0 within a bounded wait (a clean
 * shutdown: under the sanitizers, no leak and no error either). */
void stop_and_expect_clean_exit(pid_t pid, const char *what);

#endif
