/* peer_sequence.c - integration_peer's "sequence" role: counts oneway calls
 * and checks they arrive in order (ISequence, protocol.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include <binder/parcel.h>

#include "latch.h"
#include "peer.h"
#include "protocol.h"

/* A receive area big enough for every call of the test at once (the
 * oneway half of it), so the sender never meets a full area. */
#define SEQUENCE_AREA_SIZE (4u * 1024u * 1024u)

struct sequence_state {
	struct latch received; /* count = calls received */
	pthread_mutex_t lock;
	int32_t first_out_of_order; /* -1: none yet */
	int32_t not_oneway;
};

static int record(struct sequence_state *state, binder_parcel *data,
                  const struct binder_caller *caller)
{
	int32_t number;
	int status = binder_parcel_read_int32(data, &number);
	if (status != 0)
		return status;
	/* Oneway calls of one object are handled one at a time, so count
	 * is stable here; the lock is for the report, on another thread. */
	int32_t index = latch_count(&state->received);
	pthread_mutex_lock(&state->lock);
	if (number != index && state->first_out_of_order < 0)
		state->first_out_of_order = index;
	if (!(caller->flags & BINDER_FLAG_ONEWAY))
		state->not_oneway++;
	pthread_mutex_unlock(&state->lock);
	latch_raise(&state->received);
	return 0;
}

static int report(struct sequence_state *state, binder_parcel *data, binder_parcel *reply)
{
	int32_t expected, wait_ms;
	int status = binder_parcel_read_int32(data, &expected);
	if (status == 0)
		status = binder_parcel_read_int32(data, &wait_ms);
	if (status != 0)
		return status;
	if (wait_ms < 0 || wait_ms > 600000)
		return BINDER_BAD_VALUE;
	latch_wait(&state->received, expected, wait_ms);
	pthread_mutex_lock(&state->lock);
	int32_t first_out_of_order = state->first_out_of_order;
	int32_t not_oneway = state->not_oneway;
	pthread_mutex_unlock(&state->lock);
	status = binder_parcel_write_no_exception(reply);
	if (status == 0)
		status = binder_parcel_write_int32(reply, latch_count(&state->received));
	if (status == 0)
		status = binder_parcel_write_int32(reply, first_out_of_order);
	if (status == 0)
		status = binder_parcel_write_int32(reply, not_oneway);
	return status;
}

static int sequence_transact(binder_object *self, uint32_t code, binder_parcel *data,
                             binder_parcel *reply, const struct binder_caller *caller,
                             void *user_data)
{
	(void)self;
	struct sequence_state *state = user_data;
	if (code != SEQUENCE_RECORD && code != SEQUENCE_REPORT)
		return BINDER_UNKNOWN_TRANSACTION;
	int status = binder_parcel_enforce_interface(data, SEQUENCE_DESCRIPTOR);
	if (status != 0)
		return status;
	if (code == SEQUENCE_RECORD)
		return record(state, data, caller);
	return report(state, data, reply);
}

int peer_run_sequence(int argc, char **argv)
{
	if (argc != 1)
		return 2;
	struct sequence_state state = {.first_out_of_order = -1};
	latch_init(&state.received);
	pthread_mutex_init(&state.lock, NULL);
	const struct peer_service service = {
	        .name = argv[0],
	        .descriptor = SEQUENCE_DESCRIPTOR,
	        .transact = sequence_transact,
	        .user_data = &state,
	        .area_size = SEQUENCE_AREA_SIZE,
	};
	int status = peer_serve(&service);
	pthread_mutex_destroy(&state.lock);
	latch_destroy(&state.received);
	return status;
}
