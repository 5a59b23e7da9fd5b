/*
 * oneway.c - conformance of oneway (TF_ONE_WAY) calls: the sender gets
 * BR_TRANSACTION_COMPLETE and no reply; calls to one node are delivered one
 * at a time, in order, the next only after BC_FREE_BUFFER of the previous;
 * synchronous calls are not held behind them.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <string.h>

struct oneway_arguments {
	struct channel channel;
	int mode;
};

enum { MODE_ORDER, MODE_SYNC_PASSES };

static int oneway_service(void *argument)
{
	struct oneway_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	/* Let all the calls be queued before reading any. */
	CHECK(hear_from_parent(&arguments->channel) == 2);

	struct br_event event;
	expect_next(&service, BR_TRANSACTION, &event);
	CHECKF(event.txn.flags & TF_ONE_WAY, "flags 0x%x", event.txn.flags);
	CHECKF(event.txn.code == 1, "first delivered oneway call has code %u", event.txn.code);
	CHECK(event.txn.data_size == sizeof(uint32_t));
	CHECK(*(const uint32_t *)event_data(&service, &event) == 1000 + 1);

	if (arguments->mode == MODE_SYNC_PASSES) {
		/* The synchronous call comes although the oneway buffer is held. */
		struct br_event sync;
		expect_next(&service, BR_TRANSACTION, &sync);
		CHECKF(!(sync.txn.flags & TF_ONE_WAY) && sync.txn.code == 50,
		       "expected the synchronous call, got code %u flags 0x%x", sync.txn.code,
		       sync.txn.flags);
		reply_and_free(&service, &sync, NULL, 0, NULL, 0);
		expect_nothing(&service, QUIET_MS);
		free_buffer(&service, &event);
		client_close(&service);
		return 0;
	}

	for (uint32_t code = 2; code <= 3; code++) {
		/* Nothing more while the previous buffer is held. */
		expect_nothing(&service, QUIET_MS);
		free_buffer(&service, &event);
		expect_next(&service, BR_TRANSACTION, &event);
		CHECK(event.txn.flags & TF_ONE_WAY);
		CHECKF(event.txn.code == code, "oneway call %u delivered as number %u",
		       event.txn.code, code);
		CHECK(*(const uint32_t *)event_data(&service, &event) == 1000 + code);
	}
	free_buffer(&service, &event);
	expect_nothing(&service, QUIET_MS);
	client_close(&service);
	return 0;
}

static void send_oneway_calls(struct binder_client *client, int count)
{
	for (uint32_t code = 1; code <= (uint32_t)count; code++) {
		uint32_t value = 1000 + code;
		struct call_result result =
		        call(client, 0, code, TF_ONE_WAY, &value, sizeof(value), NULL, 0);
		CHECKF(result.cmd == BR_TRANSACTION_COMPLETE, "oneway call %u got %s", code,
		       br_name(result.cmd));
	}
}

Test(oneway, delivered_in_order_one_at_a_time, .timeout = TEST_TIMEOUT)
{
	struct oneway_arguments arguments = {.mode = MODE_ORDER};
	channel_open(&arguments.channel);
	pid_t service = spawn_child(oneway_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	send_oneway_calls(&client, 3);
	tell_child(&arguments.channel, 2);
	expect_child_success(service);
	/* No reply ever comes for a oneway call. */
	expect_nothing(&client, 50);
	client_close(&client);
}

Test(oneway, sync_call_not_held_behind_oneway, .timeout = TEST_TIMEOUT)
{
	struct oneway_arguments arguments = {.mode = MODE_SYNC_PASSES};
	channel_open(&arguments.channel);
	pid_t service = spawn_child(oneway_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	send_oneway_calls(&client, 2);
	tell_child(&arguments.channel, 2);
	struct call_result result = call(&client, 0, 50, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "synchronous call got %s", br_name(result.cmd));
	free_buffer(&client, &result.reply);
	expect_child_success(service);
	client_close(&client);
}
