/*
 * peer.h - integration_peer, the program the integration tests start as
 * their other processes. `integration_peer ROLE ARGS...`; each role is in
 * its own peer_<role>.c. Service roles register an object with
 * servicemanager, serve it with a thread pool, and exit 0 on SIGTERM after
 * closing their context (so sanitizers see a clean exit).
 */
#ifndef INTEGRATION_PEER_H
#define INTEGRATION_PEER_H

#include <stddef.h>

#include <binder/binder.h>

/* A service role's object: descriptor, handler and its user_data. */
struct peer_service {
	const char *name;
	const char *descriptor;
	binder_transact_handler transact;
	void *user_data;
	size_t area_size; /* 0: the default */
};

/* Blocks SIGTERM and SIGINT in this thread (and the threads it makes
 * later); peer_main calls it first. */
void peer_block_stop_signals(void);
/* Waits for SIGTERM or SIGINT. */
void peer_wait_for_stop(void);
/* Opens a context with area_size (0: default) and starts its pool. */
int peer_open_context(size_t area_size, binder_context **out);
/* Serves service until SIGTERM: 0 when it stopped cleanly. */
int peer_serve(const struct peer_service *service);
/* Logs "integration_peer ROLE: message" to stderr. */
void peer_log(const char *format, ...) __attribute__((format(printf, 1, 2)));

int peer_run_nest(int argc, char **argv);
int peer_run_sequence(int argc, char **argv);
int peer_run_blocker(int argc, char **argv);
int peer_run_files(int argc, char **argv);
int peer_run_two_contexts(int argc, char **argv);
int peer_run_calculator_client(int argc, char **argv);

#endif
