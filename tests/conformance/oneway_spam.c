/*
 * oneway_spam.c - conformance of oneway spam detection: a process that
 * enabled it (BINDER_ENABLE_ONEWAY_SPAM_DETECTION) and fills a receiver's
 * async space with its oneway calls gets one BR_ONEWAY_SPAM_SUSPECT instead
 * of BR_TRANSACTION_COMPLETE, when the space falls below a tenth of the
 * receive area, and plain BR_TRANSACTION_COMPLETE after that until the
 * space is full (BR_FAILED_REPLY); a process that did not enable it is
 * never told.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <string.h>

#define SERVICE_AREA_SIZE (128 * 1024)
#define CALL_DATA_SIZE    4096
#define MAX_CALLS         64
/* Calls that leave well over a tenth of the area free, whatever a
 * driver's per-buffer overhead. */
#define QUIET_CALLS 8
#define ONEWAY_CODE 1
#define FINISH_CODE 99

struct service_arguments {
	struct channel channel;
};

/* Context manager with a small area that reads nothing until the parent
 * is done, then drops the oneway calls and answers FINISH_CODE. */
static int service(void *argument)
{
	struct service_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, SERVICE_AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	CHECK(hear_from_parent(&arguments->channel) == 2);
	for (;;) {
		struct br_event event;
		expect_transaction(&service, &event);
		if (event.txn.code == FINISH_CODE) {
			reply_and_free(&service, &event, NULL, 0, NULL, 0);
			break;
		}
		free_buffer(&service, &event);
	}
	client_close(&service);
	return 0;
}

static uint32_t oneway_outcome(struct binder_client *client, const void *data)
{
	static const uint32_t outcomes[] = {BR_TRANSACTION_COMPLETE, BR_ONEWAY_SPAM_SUSPECT,
	                                    BR_FAILED_REPLY, BR_DEAD_REPLY};
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction(&stream, BC_TRANSACTION, 0, ONEWAY_CODE, TF_ONE_WAY, data,
	                   CALL_DATA_SIZE, NULL, 0);
	send_commands(client, &stream);
	struct br_event event;
	int status = client_take(client, outcomes, 4, &event, WAIT_MS);
	CHECKF(status == 0, "no outcome for a oneway call within %d ms", WAIT_MS);
	return event.cmd;
}

/* Sends oneway calls until the service's async space is full; returns how
 * many got BR_ONEWAY_SPAM_SUSPECT, and the index of the first in *first. */
static int fill_async_space(bool enable_detection, int *first)
{
	struct service_arguments arguments;
	channel_open(&arguments.channel);
	pid_t pid = spawn_child(service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	uint32_t enable = enable_detection;
	CHECK(binder_device_ioctl(client.device, BINDER_ENABLE_ONEWAY_SPAM_DETECTION, &enable) ==
	      0);

	static uint8_t data[CALL_DATA_SIZE];
	int suspects = 0;
	bool full = false;
	*first = -1;
	for (int i = 0; i < MAX_CALLS && !full; i++) {
		uint32_t outcome = oneway_outcome(&client, data);
		if (outcome == BR_ONEWAY_SPAM_SUSPECT) {
			if (suspects++ == 0)
				*first = i;
		} else if (outcome == BR_FAILED_REPLY) {
			full = true;
		} else {
			CHECKF(outcome == BR_TRANSACTION_COMPLETE, "oneway call %d got %s", i,
			       br_name(outcome));
		}
	}
	CHECKF(full, "the async space never filled in %d calls", MAX_CALLS);

	tell_child(&arguments.channel, 2);
	struct call_result result = call(&client, 0, FINISH_CODE, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "the service no longer answers: %s", br_name(result.cmd));
	free_buffer(&client, &result.reply);
	expect_child_success(pid);
	client_close(&client);
	channel_close(&arguments.channel);
	return suspects;
}

Test(oneway_spam, the_spammer_is_told_once, .timeout = TEST_TIMEOUT)
{
	int first;
	int suspects = fill_async_space(true, &first);
	CHECKF(suspects == 1, "%d BR_ONEWAY_SPAM_SUSPECT", suspects);
	CHECKF(first >= QUIET_CALLS, "BR_ONEWAY_SPAM_SUSPECT already at call %d", first);
}

Test(oneway_spam, not_told_unless_enabled, .timeout = TEST_TIMEOUT)
{
	int first;
	int suspects = fill_async_space(false, &first);
	CHECKF(suspects == 0, "%d BR_ONEWAY_SPAM_SUSPECT (first at call %d)", suspects, first);
}
