/*
 * objects.c - conformance of object translation: a BINDER_TYPE_BINDER
 * becomes a BINDER_TYPE_HANDLE for the receiver and calls on it reach the
 * owner with its ptr/cookie; a handle that comes back to its owner is the
 * owner's ptr/cookie again; a third process gets its own handle; one node
 * is one handle per process; weak objects stay weak.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#define NODE_PTR    0x1000
#define NODE_COOKIE 0x2000
#define NODE_FLAGS  (FLAT_BINDER_FLAG_ACCEPTS_FDS | 0x13)

struct service_arguments {
	struct channel channel;
	pid_t third;
};

/* Sends the owner's node to the context manager in call `code`, waits for
 * the reply and answers the BR_INCREFS/BR_ACQUIRE that the first send of a
 * node produces. */
static void send_node(struct binder_client *owner, uint32_t type, uint32_t code)
{
	struct flat_binder_object object = binder_object(type, NODE_PTR, NODE_COOKIE, NODE_FLAGS);
	binder_size_t offset = 0;
	struct call_result result = call(owner, 0, code, 0, &object, sizeof(object), &offset, 1);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	free_buffer(owner, &result.reply);
	expect_node_acquired(owner, NODE_PTR, NODE_COOKIE, type == BINDER_TYPE_BINDER);
}

/* Receives a node from the owner (call `code`): CHECKs the translation and
 * returns the handle. The buffer is kept (it holds the reference). */
static uint32_t receive_node(struct binder_client *service, uint32_t expected_type,
                             struct br_event *event)
{
	expect_transaction(service, event);
	const struct flat_binder_object *object = event_object(service, event, 0);
	CHECKF(object->hdr.type == expected_type, "object type 0x%x, expected 0x%x",
	       object->hdr.type, expected_type);
	CHECKF(object->handle != 0, "handle 0 for a node that is not the context manager");
	CHECKF(object->cookie == 0, "cookie 0x%llx leaked to the receiver",
	       (unsigned long long)object->cookie);
	CHECKF(object->flags == NODE_FLAGS, "flags 0x%x, sent 0x%x", object->flags, NODE_FLAGS);
	return object->handle;
}

static int handle_service(void *argument)
{
	struct service_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);

	struct br_event from_owner;
	uint32_t handle = receive_node(&service, BINDER_TYPE_HANDLE, &from_owner);
	reply_keep(&service, NULL, 0, NULL, 0);

	/* A call on the handle reaches the owner. */
	uint32_t word = 0x5eed;
	struct call_result result = call(&service, handle, 2, 0, &word, sizeof(word), NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "call on the handle got %s", br_name(result.cmd));
	free_buffer(&service, &result.reply);

	/* The handle sent back to its owner. */
	struct flat_binder_object object = handle_object(BINDER_TYPE_HANDLE, handle);
	binder_size_t offset = 0;
	result = call(&service, handle, 3, 0, &object, sizeof(object), &offset, 1);
	CHECKF(result.cmd == BR_REPLY, "sending the handle back got %s", br_name(result.cmd));
	free_buffer(&service, &result.reply);

	free_buffer(&service, &from_owner);
	tell_parent(&arguments->channel, 2);
	CHECK(hear_from_parent(&arguments->channel) == 3);
	client_close(&service);
	return 0;
}

Test(objects, binder_becomes_handle_and_comes_back, .timeout = TEST_TIMEOUT)
{
	struct service_arguments arguments;
	channel_open(&arguments.channel);
	pid_t service = spawn_child(handle_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);

	struct binder_client owner;
	open_client(&owner, AREA_SIZE);
	enter_looper(&owner);
	send_node(&owner, BINDER_TYPE_BINDER, 1);

	struct br_event event;
	expect_transaction(&owner, &event);
	CHECKF(event.txn.target.ptr == NODE_PTR && event.txn.cookie == NODE_COOKIE,
	       "call on the handle arrived for ptr 0x%llx cookie 0x%llx",
	       (unsigned long long)event.txn.target.ptr, (unsigned long long)event.txn.cookie);
	CHECK(event.txn.code == 2);
	CHECK(event.txn.data_size == sizeof(uint32_t));
	CHECK(*(const uint32_t *)event_data(&owner, &event) == 0x5eed);
	reply_and_free(&owner, &event, NULL, 0, NULL, 0);

	expect_transaction(&owner, &event);
	CHECK(event.txn.code == 3);
	const struct flat_binder_object *object = event_object(&owner, &event, 0);
	CHECKF(object->hdr.type == BINDER_TYPE_BINDER, "own node came back as type 0x%x",
	       object->hdr.type);
	CHECKF(object->binder == NODE_PTR && object->cookie == NODE_COOKIE,
	       "own node came back as 0x%llx/0x%llx", (unsigned long long)object->binder,
	       (unsigned long long)object->cookie);
	reply_and_free(&owner, &event, NULL, 0, NULL, 0);

	CHECK(hear_from_child(&arguments.channel) == 2);
	tell_child(&arguments.channel, 3);
	expect_child_success(service);
	client_close(&owner);
}

/* Context manager that passes the owner's node on to whoever asks (code 5). */
static int relay_service(void *argument)
{
	struct service_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);

	struct br_event from_owner;
	uint32_t handle = receive_node(&service, BINDER_TYPE_HANDLE, &from_owner);
	reply_keep(&service, NULL, 0, NULL, 0);
	tell_parent(&arguments->channel, handle);

	for (int i = 0; i < 2; i++) {
		struct br_event request;
		expect_transaction(&service, &request);
		CHECK(request.txn.code == 5);
		struct flat_binder_object object = handle_object(BINDER_TYPE_HANDLE, handle);
		binder_size_t offset = 0;
		reply_and_free(&service, &request, &object, sizeof(object), &offset, 1);
	}
	free_buffer(&service, &from_owner);
	CHECK(hear_from_parent(&arguments->channel) == 9);
	client_close(&service);
	return 0;
}

static int third_process(void *argument)
{
	struct service_arguments *arguments = argument;
	struct binder_client third;
	open_client(&third, AREA_SIZE);
	CHECK(hear_from_parent(&arguments->channel) == 1);

	struct call_result result = call(&third, 0, 5, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "asking for the node got %s", br_name(result.cmd));
	CHECK(result.reply.txn.offsets_size == sizeof(binder_size_t));
	const struct flat_binder_object *object = event_object(&third, &result.reply, 0);
	CHECKF(object->hdr.type == BINDER_TYPE_HANDLE, "type 0x%x", object->hdr.type);
	uint32_t handle = object->handle;
	CHECK(handle != 0);
	/* Keep our own reference, then release the buffer that gave it. */
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_handle(&stream, BC_INCREFS, handle);
	bc_add_handle(&stream, BC_ACQUIRE, handle);
	bc_add_free_buffer(&stream, result.reply.txn.data.ptr.buffer);
	send_commands(&third, &stream);

	result = call(&third, handle, 6, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "call on own handle got %s", br_name(result.cmd));
	free_buffer(&third, &result.reply);

	/* The same node again: the same handle. */
	result = call(&third, 0, 5, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "asking again got %s", br_name(result.cmd));
	object = event_object(&third, &result.reply, 0);
	CHECKF(object->hdr.type == BINDER_TYPE_HANDLE && object->handle == handle,
	       "second receipt: type 0x%x handle %u, first handle %u", object->hdr.type,
	       object->handle, handle);
	free_buffer(&third, &result.reply);
	tell_parent(&arguments->channel, handle);
	client_close(&third);
	return 0;
}

Test(objects, third_process_gets_its_own_handle, .timeout = TEST_TIMEOUT)
{
	struct service_arguments relay_arguments, third_arguments;
	channel_open(&relay_arguments.channel);
	channel_open(&third_arguments.channel);
	pid_t relay = spawn_child(relay_service, &relay_arguments);
	CHECK(hear_from_child(&relay_arguments.channel) == 1);
	pid_t third = spawn_child(third_process, &third_arguments);

	struct binder_client owner;
	open_client(&owner, AREA_SIZE);
	enter_looper(&owner);
	send_node(&owner, BINDER_TYPE_BINDER, 1);
	uint32_t relay_handle = (uint32_t)hear_from_child(&relay_arguments.channel);
	tell_child(&third_arguments.channel, 1);

	struct br_event event;
	expect_transaction(&owner, &event);
	CHECK(event.txn.code == 6);
	CHECKF(event.txn.target.ptr == NODE_PTR && event.txn.cookie == NODE_COOKIE,
	       "third process's call arrived for 0x%llx/0x%llx",
	       (unsigned long long)event.txn.target.ptr, (unsigned long long)event.txn.cookie);
	CHECKF(event.txn.sender_pid == third, "sender_pid %d, third process %d",
	       event.txn.sender_pid, (int)third);
	reply_and_free(&owner, &event, NULL, 0, NULL, 0);

	uint32_t third_handle = (uint32_t)hear_from_child(&third_arguments.channel);
	CHECK(relay_handle != 0 && third_handle != 0);
	expect_child_success(third);
	tell_child(&relay_arguments.channel, 9);
	expect_child_success(relay);
	client_close(&owner);
}

static int twice_service(void *argument)
{
	struct service_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	struct br_event event;
	expect_transaction(&service, &event);
	CHECK(event.txn.offsets_size == 2 * sizeof(binder_size_t));
	const binder_size_t *offsets = event_offsets(&service, &event);
	CHECKF(offsets[0] == 4 && offsets[1] == 4 + sizeof(struct flat_binder_object),
	       "offsets changed: %llu %llu", (unsigned long long)offsets[0],
	       (unsigned long long)offsets[1]);
	const uint8_t *data = event_data(&service, &event);
	CHECK(*(const uint32_t *)data == 0xabcdef01);
	/* The first object is only 4-byte aligned: copy before reading. */
	struct flat_binder_object first, second;
	memcpy(&first, event_object(&service, &event, 0), sizeof(first));
	memcpy(&second, event_object(&service, &event, 1), sizeof(second));
	CHECK(first.hdr.type == BINDER_TYPE_HANDLE && second.hdr.type == BINDER_TYPE_HANDLE);
	CHECKF(first.handle == second.handle && first.handle != 0,
	       "one node gave handles %u and %u", first.handle, second.handle);
	/* Keep the buffer (and so the reference) until the owner has seen its
	 * BR_INCREFS/BR_ACQUIRE: see refcounts.c for what a quick drop does. */
	reply_keep(&service, NULL, 0, NULL, 0);
	CHECK(hear_from_parent(&arguments->channel) == 2);
	free_buffer(&service, &event);
	client_close(&service);
	return 0;
}

/* Two objects for one node in one transaction, the first at an offset that
 * is 4- but not 8-aligned (the kernel asks only for u32 alignment). */
Test(objects, one_node_one_handle_and_4_byte_aligned_offsets, .timeout = TEST_TIMEOUT)
{
	struct service_arguments arguments;
	channel_open(&arguments.channel);
	pid_t service = spawn_child(twice_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);

	struct binder_client owner;
	open_client(&owner, AREA_SIZE);
	enter_looper(&owner);
	uint8_t data[4 + 2 * sizeof(struct flat_binder_object)];
	uint32_t marker = 0xabcdef01;
	memcpy(data, &marker, sizeof(marker));
	struct flat_binder_object object =
	        binder_object(BINDER_TYPE_BINDER, NODE_PTR, NODE_COOKIE, NODE_FLAGS);
	memcpy(data + 4, &object, sizeof(object));
	memcpy(data + 4 + sizeof(object), &object, sizeof(object));
	binder_size_t offsets[2] = {4, 4 + sizeof(object)};
	struct call_result result = call(&owner, 0, 1, 0, data, sizeof(data), offsets, 2);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	free_buffer(&owner, &result.reply);
	expect_node_acquired(&owner, NODE_PTR, NODE_COOKIE, true);
	tell_child(&arguments.channel, 2);
	expect_child_success(service);
	client_close(&owner);
}

static int weak_service(void *argument)
{
	struct service_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);

	struct br_event from_owner;
	uint32_t handle = receive_node(&service, BINDER_TYPE_WEAK_HANDLE, &from_owner);
	reply_keep(&service, NULL, 0, NULL, 0);

	/* A weak handle cannot be called. */
	struct call_result result = call(&service, handle, 2, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_FAILED_REPLY, "call on a weak handle got %s", br_name(result.cmd));
	CHECK(!result.saw_complete);

	/* Sent back to its owner (in a reply) it is the weak binder again. */
	tell_parent(&arguments->channel, 2);
	struct br_event request;
	expect_transaction(&service, &request);
	CHECK(request.txn.code == 4);
	struct flat_binder_object object = handle_object(BINDER_TYPE_WEAK_HANDLE, handle);
	binder_size_t offset = 0;
	reply_and_free(&service, &request, &object, sizeof(object), &offset, 1);
	free_buffer(&service, &from_owner);
	CHECK(hear_from_parent(&arguments->channel) == 3);
	client_close(&service);
	return 0;
}

Test(objects, weak_binder_becomes_weak_handle, .timeout = TEST_TIMEOUT)
{
	struct service_arguments arguments;
	channel_open(&arguments.channel);
	pid_t service = spawn_child(weak_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client owner;
	open_client(&owner, AREA_SIZE);
	enter_looper(&owner);
	send_node(&owner, BINDER_TYPE_WEAK_BINDER, 1);
	CHECK(hear_from_child(&arguments.channel) == 2);
	CHECKF(!client_has_queued(&owner, BR_ACQUIRE), "BR_ACQUIRE for a weak-only node");
	struct call_result result = call(&owner, 0, 4, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	const struct flat_binder_object *object = event_object(&owner, &result.reply, 0);
	CHECKF(object->hdr.type == BINDER_TYPE_WEAK_BINDER, "weak handle came home as type 0x%x",
	       object->hdr.type);
	CHECKF(object->binder == NODE_PTR && object->cookie == NODE_COOKIE,
	       "weak node came back as 0x%llx/0x%llx", (unsigned long long)object->binder,
	       (unsigned long long)object->cookie);
	free_buffer(&owner, &result.reply);
	CHECKF(!client_has_queued(&owner, BR_ACQUIRE), "BR_ACQUIRE for a weak-only node");
	tell_child(&arguments.channel, 3);
	expect_child_success(service);
	client_close(&owner);
}
