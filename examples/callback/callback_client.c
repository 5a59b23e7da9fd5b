/*
 * callback_client.c - the client half of the callback example: passes a
 * local IListener object to IWorker.sum() and prints the calls the service
 * makes back on it (see callback_interfaces.h).
 *
 *     callback_client [N [STOP_AFTER]]
 *
 * asks the worker for 1 + 2 + ... + N (default 5); with STOP_AFTER, the
 * listener answers "stop" to the progress call of that step. Exit status:
 * 0 when everything arrived, 1 otherwise, 2 for bad usage.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <binder/binder.h>
#include <binder/device.h>
#include <binder/parcel.h>
#include <binder/service_manager.h>

#include "callback_interfaces.h"

#define PROGRAM "callback_client"

/* A servicemanager call that fails with BINDER_DEAD_OBJECT found nobody
 * serving handle 0 on the device: servicemanager is not running there. */
static void print_no_context_manager(void)
{
	fprintf(stderr, "%s: no context manager on %s (is servicemanager running?)\n", PROGRAM,
	        binder_device_default_path());
}

/* How long to wait for the oneway onFinished after sum() returned. */
#define FINISHED_WAIT_SECONDS 30

/* The listener's state: its user_data. Handlers run on binder threads, so
 * what they share with main() is under a mutex. */
struct listener_state {
	pid_t main_thread;  /* to show on which thread callbacks run */
	int32_t stop_after; /* answer "stop" at this step (0: never) */
	pthread_mutex_t lock;
	pthread_cond_t finished_changed;
	bool finished;
	int32_t finished_result;
};

/* IListener.onProgress(step, total): prints it and answers keep_going. */
static int on_progress(struct listener_state *state, binder_parcel *data, binder_parcel *reply)
{
	int32_t step, total;
	int status = binder_parcel_read_int32(data, &step);
	if (status == 0)
		status = binder_parcel_read_int32(data, &total);
	if (status != 0)
		return status;
	bool keep_going = step != state->stop_after;
	printf("listener: onProgress(%d of %d) on %s -> %s\n", step, total,
	       gettid() == state->main_thread ? "the main thread, waiting in sum()"
	                                      : "a pool thread",
	       keep_going ? "go on" : "stop");
	status = binder_parcel_write_no_exception(reply);
	if (status == 0)
		status = binder_parcel_write_bool(reply, keep_going);
	return status;
}

/* IListener.onFinished(result): oneway; wakes main(), which prints it. */
static int on_finished(struct listener_state *state, binder_parcel *data)
{
	int32_t result;
	int status = binder_parcel_read_int32(data, &result);
	if (status != 0)
		return status;
	pthread_mutex_lock(&state->lock);
	state->finished = true;
	state->finished_result = result;
	pthread_cond_signal(&state->finished_changed);
	pthread_mutex_unlock(&state->lock);
	return 0;
}

static int listener_transact(binder_object *self, uint32_t code, binder_parcel *data,
                             binder_parcel *reply, const struct binder_caller *caller,
                             void *user_data)
{
	(void)self;
	(void)caller;
	struct listener_state *state = user_data;
	if (code != LISTENER_ON_PROGRESS && code != LISTENER_ON_FINISHED)
		return BINDER_UNKNOWN_TRANSACTION;
	int status = binder_parcel_enforce_interface(data, LISTENER_DESCRIPTOR);
	if (status != 0)
		return status;
	if (code == LISTENER_ON_PROGRESS)
		return on_progress(state, data, reply);
	return on_finished(state, data);
}

/* IWorker.sum(n, listener): passes our listener object as an argument. */
static int call_sum(binder_object *worker, int32_t n, binder_object *listener, int32_t *sum)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = data != NULL && reply != NULL ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, WORKER_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_int32(data, n);
	/* The parcel takes its own reference on the listener; the driver
	 * turns it into a handle for the service's process. */
	if (status == 0)
		status = binder_parcel_write_object(data, listener);
	if (status == 0)
		status = binder_object_transact(worker, WORKER_SUM, data, reply, 0);
	int32_t exception = BINDER_EX_NONE;
	char *message = NULL;
	if (status == 0)
		status = binder_parcel_read_exception(reply, &exception, &message, NULL);
	if (status == 0 && exception != BINDER_EX_NONE) {
		fprintf(stderr, "callback_client: sum() threw exception %d: %s\n", exception,
		        message != NULL ? message : "(no message)");
		status = BINDER_FAILED_TRANSACTION;
	}
	if (status == 0)
		status = binder_parcel_read_int32(reply, sum);
	free(message);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

/* Waits (bounded) for onFinished; true and *result when it came. */
static bool wait_for_finished(struct listener_state *state, int32_t *result)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += FINISHED_WAIT_SECONDS;
	pthread_mutex_lock(&state->lock);
	while (!state->finished) {
		if (pthread_cond_timedwait(&state->finished_changed, &state->lock, &deadline) ==
		    ETIMEDOUT)
			break;
	}
	bool finished = state->finished;
	*result = state->finished_result;
	pthread_mutex_unlock(&state->lock);
	return finished;
}

/* Reads a decimal number between minimum and WORKER_MAX_STEPS. */
static bool parse_count(const char *text, long minimum, int32_t *out)
{
	char *end;
	long value = strtol(text, &end, 10);
	if (end == text || *end != '\0' || value < minimum || value > WORKER_MAX_STEPS)
		return false;
	*out = (int32_t)value;
	return true;
}

int main(int argc, char **argv)
{
	struct listener_state state = {.main_thread = gettid(), .stop_after = 0};
	int32_t n = 5;
	if (argc > 3 || (argc > 1 && !parse_count(argv[1], 1, &n)) ||
	    (argc > 2 && !parse_count(argv[2], 0, &state.stop_after))) {
		fprintf(stderr, "usage: callback_client [N [STOP_AFTER]]   (1 <= N <= %d)\n",
		        WORKER_MAX_STEPS);
		return 2;
	}
	pthread_mutex_init(&state.lock, NULL);
	pthread_condattr_t monotonic;
	pthread_condattr_init(&monotonic);
	pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
	pthread_cond_init(&state.finished_changed, &monotonic);
	pthread_condattr_destroy(&monotonic);

	binder_context *context;
	int status = binder_context_new(NULL, &context);
	if (status != 0) {
		fprintf(stderr, "callback_client: cannot open the binder device: %s\n",
		        binder_status_to_string(status));
		return 1;
	}
	/* The oneway onFinished does not come to a thread waiting in a call:
	 * a pool thread takes it. (onProgress would work without the pool.) */
	status = binder_context_start_thread_pool(context);

	/* Our callback object. state outlives it: we close the context (no
	 * more handlers) before state goes out of scope. */
	const struct binder_local_ops listener_ops = {.transact = listener_transact};
	binder_object *listener = NULL;
	if (status == 0)
		status = binder_object_new_local(context, LISTENER_DESCRIPTOR, &listener_ops,
		                                 &state, &listener);

	binder_object *worker = NULL;
	bool reported = false;
	if (status == 0) {
		status = binder_service_manager_get(context, WORKER_SERVICE_NAME, -1, &worker);
		if (status == BINDER_DEAD_OBJECT) {
			print_no_context_manager();
			reported = true;
		}
	}
	int32_t sum = 0;
	if (status == 0)
		status = call_sum(worker, n, listener, &sum);
	if (status == 0) {
		printf("client: sum(1..%d) returned %d\n", n, sum);
		int32_t finished_result;
		if (wait_for_finished(&state, &finished_result)) {
			printf("listener: onFinished(%d) on a pool thread\n", finished_result);
		} else {
			fprintf(stderr, "callback_client: onFinished did not come within %d s\n",
			        FINISHED_WAIT_SECONDS);
			status = BINDER_TIMED_OUT;
		}
	} else if (!reported) {
		fprintf(stderr, "callback_client: %s\n", binder_status_to_string(status));
	}

	/* Close first: after this no handler runs, so state may go. */
	binder_context_close(context);
	binder_object_unref(worker);
	binder_object_unref(listener);
	binder_context_unref(context);
	pthread_cond_destroy(&state.finished_changed);
	pthread_mutex_destroy(&state.lock);
	return status == 0 ? 0 : 1;
}
