/*
 * oneway.c - conformance of oneway (TF_ONE_WAY) calls: the sender gets
 * BR_TRANSACTION_COMPLETE and no reply; calls to one node are delivered one
 * at a time, in order, the next only after BC_FREE_BUFFER of the previous;
 * calls to another node and synchronous calls are not held behind them;
 * oneway buffers may fill only half of the receiver's area.
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

#define SECOND_NODE_PTR    0x7000
#define SECOND_NODE_COOKIE 0x7001

/* Owns the context manager node and a second node given out on request:
 * oneway calls to the two nodes are queued apart. */
static int two_node_service(void *argument)
{
	struct oneway_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	struct br_event event;
	expect_transaction(&service, &event);
	CHECK(event.txn.code == 7);
	struct flat_binder_object object =
	        binder_object(BINDER_TYPE_BINDER, SECOND_NODE_PTR, SECOND_NODE_COOKIE, 0);
	binder_size_t offset = 0;
	reply_and_free(&service, &event, &object, sizeof(object), &offset, 1);
	expect_node_acquired(&service, SECOND_NODE_PTR, SECOND_NODE_COOKIE, true);
	CHECK(hear_from_parent(&arguments->channel) == 2);

	struct br_event first, other_node, second;
	expect_take(&service, BR_TRANSACTION, &first);
	CHECKF(first.txn.code == 1 && first.txn.target.ptr == 0, "first: code %u", first.txn.code);
	/* The other node's call comes while the first node's is held. */
	expect_take(&service, BR_TRANSACTION, &other_node);
	CHECKF(other_node.txn.code == 2 && other_node.txn.target.ptr == SECOND_NODE_PTR &&
	               other_node.txn.cookie == SECOND_NODE_COOKIE,
	       "expected the second node's call, got code %u", other_node.txn.code);
	expect_nothing(&service, QUIET_MS);
	free_buffer(&service, &first);
	expect_take(&service, BR_TRANSACTION, &second);
	CHECKF(second.txn.code == 3, "after the free: code %u", second.txn.code);
	free_buffer(&service, &second);
	free_buffer(&service, &other_node);
	CHECK(hear_from_parent(&arguments->channel) == 3);
	client_close(&service);
	return 0;
}

Test(oneway, queued_per_node, .timeout = TEST_TIMEOUT)
{
	struct oneway_arguments arguments;
	channel_open(&arguments.channel);
	pid_t service = spawn_child(two_node_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct call_result result = call(&client, 0, 7, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	const struct flat_binder_object *object = event_object(&client, &result.reply, 0);
	CHECK(object->hdr.type == BINDER_TYPE_HANDLE);
	uint32_t handle = object->handle;
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_handle(&stream, BC_INCREFS, handle);
	bc_add_handle(&stream, BC_ACQUIRE, handle);
	bc_add_free_buffer(&stream, result.reply.txn.data.ptr.buffer);
	send_commands(&client, &stream);
	uint32_t targets[3] = {0, handle, 0};
	for (uint32_t code = 1; code <= 3; code++) {
		result = call(&client, targets[code - 1], code, TF_ONE_WAY, NULL, 0, NULL, 0);
		CHECKF(result.cmd == BR_TRANSACTION_COMPLETE, "oneway %u got %s", code,
		       br_name(result.cmd));
	}
	tell_child(&arguments.channel, 2);
	tell_child(&arguments.channel, 3);
	expect_child_success(service);
	client_close(&client);
}

static int small_area_service(void *argument)
{
	struct oneway_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, 64 * 1024);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	CHECK(hear_from_parent(&arguments->channel) == 2);
	struct br_event oneway, sync;
	expect_take(&service, BR_TRANSACTION, &oneway);
	CHECK(oneway.txn.code == 1 && (oneway.txn.flags & TF_ONE_WAY));
	expect_take(&service, BR_TRANSACTION, &sync);
	CHECKF(sync.txn.code == 50, "code %u (the refused oneway call?)", sync.txn.code);
	reply_and_free(&service, &sync, NULL, 0, NULL, 0);
	expect_nothing(&service, 50);
	free_buffer(&service, &oneway);
	client_close(&service);
	return 0;
}

/* The kernel lets oneway buffers take only half of the receive area. */
Test(oneway, oneway_buffers_limited_to_half_the_area, .timeout = TEST_TIMEOUT)
{
	struct oneway_arguments arguments;
	channel_open(&arguments.channel);
	pid_t service = spawn_child(small_area_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	static uint8_t payload[20 * 1024];
	struct call_result result =
	        call(&client, 0, 1, TF_ONE_WAY, payload, sizeof(payload), NULL, 0);
	CHECKF(result.cmd == BR_TRANSACTION_COMPLETE, "first oneway got %s", br_name(result.cmd));
	result = call(&client, 0, 2, TF_ONE_WAY, payload, sizeof(payload), NULL, 0);
	CHECKF(result.cmd == BR_FAILED_REPLY, "oneway beyond half the area got %s",
	       br_name(result.cmd));
	CHECK(!result.saw_complete);
	tell_child(&arguments.channel, 2);
	/* A synchronous call of the same size still fits. */
	result = call(&client, 0, 50, 0, payload, sizeof(payload), NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "synchronous call got %s", br_name(result.cmd));
	free_buffer(&client, &result.reply);
	expect_child_success(service);
	client_close(&client);
}
