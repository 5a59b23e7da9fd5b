/* test_support.h - helpers shared by the servicemanager tests: contexts,
 * service processes, bounded waits, list lookups. */
#ifndef SERVICEMANAGER_TEST_SUPPORT_H
#define SERVICEMANAGER_TEST_SUPPORT_H

#include <stdbool.h>
#include <sys/types.h>

#include <binder/binder.h>
#include <binder/service_manager.h>

/* A context on $BINDER_DEVICE; with a thread pool if pool is true. */
binder_context *test_open_context(bool pool);

/* Starts the test service process adding name after delay_ms. */
pid_t test_spawn_service(const char *name, int delay_ms);
/* SIGKILLs and reaps it. */
void test_kill_service(pid_t pid);

/* Whether name is in servicemanager's list. */
bool test_list_contains(binder_context *context, const char *name);

/* Sleeps a few milliseconds. */
void test_sleep_ms(int ms);

/* Calls the test service's code 1 (int32 + 1); returns the answer or
 * a negative status. */
int test_echo(binder_object *service, int32_t value, int32_t *answer);

#endif
