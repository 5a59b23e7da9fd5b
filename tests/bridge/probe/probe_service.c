/*
 * probe_service.c - the service of bridged's probe (see probe.h): keeps an
 * object it is given and reports its death, calls it on request, takes
 * objects and drops them, or (--forward) relays the objects it is given to
 * another service; gives the kept object back; counts oneway calls and
 * those that came out of order. For the end-to-end tests of objects that
 * cross one or two links.
 *
 *     bridge_probe_service NAME [--forward TARGET]
 *
 * Serves NAME until SIGTERM or SIGINT (then exits 0). Logs on stderr,
 * one line per event ("kept an object", "the kept object died", ...).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <binder/binder.h>
#include <binder/parcel.h>
#include <binder/service_manager.h>

#include "probe.h"
#include "probe_nest.h"

/* How long a relay waits for its target to be served. */
#define FORWARD_LOOKUP_MS 10000

struct probe_state {
	const char *name;
	const char *forward_name; /* NULL: keep objects here */
	binder_context *context;
	pthread_mutex_t lock;
	binder_object *kept;              /* lock; held */
	enum probe_kept_state kept_state; /* lock */
	int32_t counted;                  /* lock: COUNT calls answered */
	int32_t sequence_received;        /* lock: SEQUENCE calls */
	int32_t sequence_out_of_order;    /* lock: those not above last */
	int32_t sequence_last;            /* lock: the highest n received */
};

static void say(const struct probe_state *state, const char *what)
{
	fprintf(stderr, "probe_service %s: %s\n", state->name, what);
	fflush(stderr);
}

static void kept_died(binder_object *who, void *cookie)
{
	struct probe_state *state = cookie;
	bool ours;
	pthread_mutex_lock(&state->lock);
	ours = who == state->kept;
	if (ours)
		state->kept_state = PROBE_KEPT_DEAD;
	pthread_mutex_unlock(&state->lock);
	say(state, ours ? "the kept object died" : "an object kept before died");
}

/* Replaces the kept object by object (held by the caller). */
static int keep(struct probe_state *state, binder_object *object)
{
	binder_object *old;
	int status = binder_object_link_to_death(object, kept_died, state);
	if (status != 0 && status != BINDER_INVALID_OPERATION) {
		fprintf(stderr, "probe_service %s: cannot link to the object's death: %s\n",
		        state->name, binder_status_to_string(status));
		return status;
	}
	pthread_mutex_lock(&state->lock);
	old = state->kept;
	state->kept = binder_object_ref(object);
	state->kept_state = PROBE_KEPT_ALIVE;
	pthread_mutex_unlock(&state->lock);
	if (old) {
		binder_object_unlink_to_death(old, kept_died, state);
		binder_object_unref(old);
	}
	say(state, status == 0 ? "kept an object (death linked)"
	                       : "kept an object (a local one: no death link)");
	return 0;
}

/* A relay: passes object on to the target's KEEP. */
static int forward(struct probe_state *state, binder_object *object)
{
	binder_object *target = NULL;
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = data && reply ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_service_manager_get(state->context, state->forward_name,
		                                    FORWARD_LOOKUP_MS, &target);
	if (status == 0)
		status = binder_parcel_write_interface_token(data, PROBE_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_object(data, object);
	if (status == 0)
		status = binder_object_transact(target, PROBE_KEEP, data, reply, 0);
	fprintf(stderr, "probe_service %s: passed an object on to %s: %s\n", state->name,
	        state->forward_name, status == 0 ? "kept there" : binder_status_to_string(status));
	fflush(stderr);
	binder_object_unref(target);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

/* ECHO(x) on object: *result and *tag. */
static int echo(binder_object *object, int32_t x, int32_t *result, int32_t *tag)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = data && reply ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, PROBE_OBJECT_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_int32(data, x);
	if (status == 0)
		status = binder_object_transact(object, PROBE_OBJECT_ECHO, data, reply, 0);
	if (status == 0)
		status = binder_parcel_read_int32(reply, result);
	if (status == 0)
		status = binder_parcel_read_int32(reply, tag);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

static int call_kept(struct probe_state *state, binder_parcel *data, binder_parcel *reply)
{
	int32_t x, result = 0, tag = 0;
	int status = binder_parcel_read_int32(data, &x);
	if (status != 0)
		return status;
	pthread_mutex_lock(&state->lock);
	binder_object *kept = state->kept ? binder_object_ref(state->kept) : NULL;
	pthread_mutex_unlock(&state->lock);
	if (!kept)
		return BINDER_NAME_NOT_FOUND;
	status = echo(kept, x, &result, &tag);
	binder_object_unref(kept);
	fprintf(stderr, "probe_service %s: called the kept object: %s\n", state->name,
	        binder_status_to_string(status));
	fflush(stderr);
	if (status == 0)
		status = binder_parcel_write_int32(reply, result);
	if (status == 0)
		status = binder_parcel_write_int32(reply, tag);
	return status;
}

static int return_kept(struct probe_state *state, binder_parcel *reply)
{
	pthread_mutex_lock(&state->lock);
	binder_object *kept = state->kept ? binder_object_ref(state->kept) : NULL;
	pthread_mutex_unlock(&state->lock);
	if (!kept)
		return BINDER_NAME_NOT_FOUND;
	int status = binder_parcel_write_object(reply, kept);
	binder_object_unref(kept);
	say(state, status == 0 ? "gave the kept object back" : "cannot give the kept object back");
	return status;
}

/* SEQUENCE(n), oneway: no reply. */
static int sequence(struct probe_state *state, binder_parcel *data)
{
	int32_t n;
	int status = binder_parcel_read_int32(data, &n);
	if (status != 0)
		return status;
	pthread_mutex_lock(&state->lock);
	state->sequence_received++;
	/* A gap is a lost call (received tells); going back is disorder. */
	if (n <= state->sequence_last)
		state->sequence_out_of_order++;
	else
		state->sequence_last = n;
	pthread_mutex_unlock(&state->lock);
	return 0;
}

static int sequence_state(struct probe_state *state, binder_parcel *reply)
{
	pthread_mutex_lock(&state->lock);
	int32_t received = state->sequence_received;
	int32_t out_of_order = state->sequence_out_of_order;
	int32_t last = state->sequence_last;
	pthread_mutex_unlock(&state->lock);
	int status = binder_parcel_write_int32(reply, received);
	if (status == 0)
		status = binder_parcel_write_int32(reply, out_of_order);
	if (status == 0)
		status = binder_parcel_write_int32(reply, last);
	return status;
}

static int take(binder_parcel *data, binder_parcel *reply)
{
	binder_object *object = NULL;
	int32_t call_back = 0, result = 0, tag = 0;
	int status = binder_parcel_read_object(data, &object);
	if (status == 0)
		status = binder_parcel_read_int32(data, &call_back);
	if (status == 0 && !object)
		status = BINDER_BAD_VALUE;
	if (status == 0 && call_back != 0)
		status = echo(object, call_back, &result, &tag);
	binder_object_unref(object);
	if (status == 0)
		status = binder_parcel_write_int32(reply, result);
	return status;
}

static int probe_transact(binder_object *self, uint32_t code, binder_parcel *data,
                          binder_parcel *reply, const struct binder_caller *caller, void *user_data)
{
	struct probe_state *state = user_data;
	binder_object *object = NULL;
	(void)caller;
	int status = binder_parcel_enforce_interface(data, PROBE_DESCRIPTOR);
	if (status != 0)
		return status;
	switch (code) {
	case PROBE_KEEP:
		status = binder_parcel_read_object(data, &object);
		if (status == 0 && !object)
			status = BINDER_BAD_VALUE;
		if (status == 0)
			status = state->forward_name ? forward(state, object) : keep(state, object);
		binder_object_unref(object);
		if (status == 0)
			status = binder_parcel_write_int32(reply, 0);
		return status;
	case PROBE_CALL_KEPT:
		return call_kept(state, data, reply);
	case PROBE_KEPT_STATE: {
		pthread_mutex_lock(&state->lock);
		int32_t kept_state = (int32_t)state->kept_state;
		pthread_mutex_unlock(&state->lock);
		return binder_parcel_write_int32(reply, kept_state);
	}
	case PROBE_TAKE:
		return take(data, reply);
	case PROBE_COUNT: {
		pthread_mutex_lock(&state->lock);
		int32_t counted = ++state->counted;
		pthread_mutex_unlock(&state->lock);
		return binder_parcel_write_int32(reply, counted);
	}
	case PROBE_NEST:
		return probe_nest_answer(self, data, reply, PROBE_OBJECT_DESCRIPTOR,
		                         PROBE_OBJECT_NEST);
	case PROBE_RETURN_KEPT:
		return return_kept(state, reply);
	case PROBE_SEQUENCE:
		return sequence(state, data);
	case PROBE_SEQUENCE_STATE:
		return sequence_state(state, reply);
	default:
		return BINDER_UNKNOWN_TRANSACTION;
	}
}

int main(int argc, char **argv)
{
	static const struct binder_local_ops ops = {.transact = probe_transact};
	struct probe_state state = {.kept_state = PROBE_KEPT_NONE};
	binder_object *object = NULL;
	sigset_t signals;
	int signal_number;

	if (argc == 2) {
		state.name = argv[1];
	} else if (argc == 4 && strcmp(argv[2], "--forward") == 0) {
		state.name = argv[1];
		state.forward_name = argv[3];
	} else {
		fprintf(stderr, "usage: bridge_probe_service NAME [--forward TARGET]\n");
		return 2;
	}
	pthread_mutex_init(&state.lock, NULL);
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	if (binder_context_new(NULL, &state.context) != 0 ||
	    binder_object_new_local(state.context, PROBE_DESCRIPTOR, &ops, &state, &object) != 0 ||
	    binder_context_start_thread_pool(state.context) != 0 ||
	    binder_service_manager_add(state.context, state.name, object) != 0) {
		fprintf(stderr, "probe_service: cannot serve %s\n", state.name);
		return 1;
	}
	say(&state, "is ready");
	sigwait(&signals, &signal_number);
	/* No handler runs after the close: state may go. */
	binder_context_close(state.context);
	binder_object_unref(state.kept);
	binder_object_unref(object);
	binder_context_unref(state.context);
	pthread_mutex_destroy(&state.lock);
	return 0;
}
