/*
 * echo_pair.h - the well-behaved pair that must keep working while others
 * abuse binderd: an echo service (the context manager, handle 0, in its own
 * process for the whole run) and a client that calls it, both through the
 * device layer (binder/device.h).
 *
 * Transaction codes the service understands:
 *  ECHO_CODE_ECHO  (two-way) replies with the data it got;
 *  ECHO_CODE_SINK  (oneway)  frees the buffer at once, or keeps the first
 *                            one while "hold" is on, so that every later
 *                            oneway call to the node queues in binderd;
 *  ECHO_CODE_HOLD  (two-way) turns "hold" on;
 *  ECHO_CODE_DRAIN (two-way) turns "hold" off and frees the held buffer;
 *  ECHO_CODE_MARK  (oneway)  counts a mark (oneway calls to a node arrive
 *                            in order: a mark seen means the oneway calls
 *                            sent before it were delivered);
 *  ECHO_CODE_MARKS (two-way) replies with the number of marks (uint32_t).
 */
#ifndef ROBUSTNESS_ECHO_PAIR_H
#define ROBUSTNESS_ECHO_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "binder/device.h"

enum echo_code {
	ECHO_CODE_ECHO = 1,
	ECHO_CODE_SINK = 2,
	ECHO_CODE_HOLD = 3,
	ECHO_CODE_DRAIN = 4,
	ECHO_CODE_MARK = 5,
	ECHO_CODE_MARKS = 6,
};

/* Starts the service in a child process and waits until it is the context
 * manager. Returns its pid, or -errno. */
pid_t echo_service_start(void);
/* Stops it (SIGTERM, then SIGKILL after a bound). */
void echo_service_stop(pid_t pid);

struct echo_client {
	binder_device *device;
	void *area;
	unsigned calls; /* completed echo calls */
};

/* Opens a client (device layer, non-blocking reads). 0 or -errno. */
int echo_client_open(struct echo_client *client);
void echo_client_close(struct echo_client *client);

/* One two-way call with code, checking for ECHO that the reply carries the
 * same bytes. Returns 0, or a negative errno / positive BR_ code of the
 * failure (BR_FAILED_REPLY, BR_DEAD_REPLY), or -ETIMEDOUT. */
int echo_client_call(struct echo_client *client, uint32_t code);
/* The same, returning the first 4 bytes of the reply in *value. */
int echo_client_call_value(struct echo_client *client, uint32_t code, uint32_t *value);

/* Opens a client, makes one echo call, closes it: the pair still works.
 * 0 or as echo_client_call. */
int echo_pair_check(void);

/* The result of echo_client_call as text, for failure messages. */
const char *echo_result_name(int result);

#endif
