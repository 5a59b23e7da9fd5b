/*
 * test_callback.c - a callback object passed in a call and called back:
 * this process passes a local IListener to the callback example's service
 * (examples/callback), which calls onProgress (two-way, nested: it must
 * run on this thread, which waits in sum()) for each step and onFinished
 * (oneway, on a pool thread). Then the example's client program does the
 * same from a third process.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <binder/parcel.h>

#include "callback_interfaces.h"
#include "latch.h"
#include "spawn.h"
#include "test_support.h"

#define STEPS 6

struct listener_log {
	pid_t test_thread;
	struct latch progress;  /* count: onProgress calls */
	struct latch finished;  /* count: onFinished calls */
	int32_t steps_in_order; /* onProgress calls with step == count + 1 */
	int32_t progress_off_thread;
	int32_t finished_result;
};

static int listener_transact(binder_object *self, uint32_t code, binder_parcel *data,
                             binder_parcel *reply, const struct binder_caller *caller,
                             void *user_data)
{
	(void)self;
	struct listener_log *log = user_data;
	int status = binder_parcel_enforce_interface(data, LISTENER_DESCRIPTOR);
	if (status != 0)
		return status;
	int32_t first, second = 0;
	status = binder_parcel_read_int32(data, &first);
	if (status == 0 && code == LISTENER_ON_PROGRESS)
		status = binder_parcel_read_int32(data, &second);
	if (status != 0)
		return status;
	if (code == LISTENER_ON_PROGRESS) {
		if (first == latch_count(&log->progress) + 1 && second == STEPS)
			log->steps_in_order++;
		if (gettid() != log->test_thread || (caller->flags & BINDER_FLAG_ONEWAY))
			log->progress_off_thread++;
		latch_raise(&log->progress);
		status = binder_parcel_write_no_exception(reply);
		if (status == 0)
			status = binder_parcel_write_bool(reply, true);
		return status;
	}
	if (code == LISTENER_ON_FINISHED) {
		if (caller->flags & BINDER_FLAG_ONEWAY)
			log->finished_result = first;
		latch_raise(&log->finished);
		return 0;
	}
	return BINDER_UNKNOWN_TRANSACTION;
}

Test(integration, callback_called_back, .timeout = 90)
{
	pid_t service = start_program(callback_service_path, WORKER_SERVICE_NAME);
	struct listener_log log = {.test_thread = gettid(), .finished_result = -1};
	latch_init(&log.progress);
	latch_init(&log.finished);
	binder_context *context = open_test_context();
	binder_object *worker = get_test_service(context, WORKER_SERVICE_NAME);
	const struct binder_local_ops ops = {.transact = listener_transact};
	binder_object *listener = NULL;
	cr_assert_eq(binder_object_new_local(context, LISTENER_DESCRIPTOR, &ops, &log, &listener),
	             0);

	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_interface_token(data, WORKER_DESCRIPTOR), 0);
	cr_assert_eq(binder_parcel_write_int32(data, STEPS), 0);
	cr_assert_eq(binder_parcel_write_object(data, listener), 0);
	int status = binder_object_transact(worker, WORKER_SUM, data, reply, 0);
	cr_assert_eq(status, 0, "sum(): %s", binder_status_to_string(status));
	int32_t exception = -1, sum = 0;
	cr_assert_eq(binder_parcel_read_exception(reply, &exception, NULL, NULL), 0);
	cr_assert_eq(exception, BINDER_EX_NONE);
	cr_assert_eq(binder_parcel_read_int32(reply, &sum), 0);
	cr_assert_eq(sum, STEPS * (STEPS + 1) / 2);
	binder_parcel_free(data);
	binder_parcel_free(reply);

	/* Every onProgress came back during sum(), in order, on this thread. */
	cr_assert_eq(latch_count(&log.progress), STEPS);
	cr_assert_eq(log.steps_in_order, STEPS);
	cr_assert_eq(log.progress_off_thread, 0,
	             "%d onProgress calls did not run on the thread waiting in sum()",
	             log.progress_off_thread);
	/* onFinished is oneway: it may come a little after the reply. */
	cr_assert(latch_wait(&log.finished, 1, 20000), "onFinished did not arrive");
	cr_assert_eq(log.finished_result, STEPS * (STEPS + 1) / 2);

	/* The example's own client, from another process. */
	char *argv[] = {(char *)callback_client_path, "3", NULL};
	char output[1024];
	int wait_status = 0;
	cr_assert_eq(run_program(argv, output, sizeof(output), 30000, &wait_status), 0);
	cr_assert(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0,
	          "callback_client failed (wait status 0x%x): %s", wait_status, output);
	cr_assert_not_null(strstr(output, "listener: onProgress(3 of 3) on the main thread"),
	                   "callback_client printed: %s", output);
	cr_assert_not_null(strstr(output, "client: sum(1..3) returned 6\n"), "printed: %s", output);
	cr_assert_not_null(strstr(output, "listener: onFinished(6)"), "printed: %s", output);

	binder_object_unref(listener);
	binder_object_unref(worker);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
	latch_destroy(&log.progress);
	latch_destroy(&log.finished);
	stop_and_expect_clean_exit(service, "callback_service");
}
