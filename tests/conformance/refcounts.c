/*
 * refcounts.c - conformance of reference counting: BR_INCREFS/BR_ACQUIRE
 * for a node's first reference (once), the *_DONE handshakes, references
 * held by transaction buffers until BC_FREE_BUFFER, explicit
 * BC_INCREFS/BC_ACQUIRE/BC_RELEASE/BC_DECREFS, and BR_RELEASE/BR_DECREFS
 * when the last reference goes.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <string.h>

#define NODE_PTR    0xb000
#define NODE_COOKIE 0xb0b0

struct holder_arguments {
	struct channel channel;
	int mode;
};

enum { MODE_BUFFERS, MODE_EXPLICIT, MODE_LATE_DONE, MODE_QUICK_DROP };

static uint32_t take_handle(struct binder_client *service, struct br_event *event)
{
	expect_transaction(service, event);
	const struct flat_binder_object *object = event_object(service, event, 0);
	CHECKF(object->hdr.type == BINDER_TYPE_HANDLE, "type 0x%x", object->hdr.type);
	return object->handle;
}

static uint32_t call_outcome(struct binder_client *client, uint32_t handle)
{
	struct call_result result = call(client, handle, 3, 0, NULL, 0, NULL, 0);
	if (result.cmd == BR_REPLY)
		free_buffer(client, &result.reply);
	return result.cmd;
}

static int holder(void *argument)
{
	struct holder_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	struct br_event first, second;
	uint32_t handle = take_handle(&service, &first);
	struct bc_stream stream;

	switch (arguments->mode) {
	case MODE_BUFFERS:
		reply_keep(&service, NULL, 0, NULL, 0);
		CHECK(take_handle(&service, &second) == handle);
		reply_keep(&service, NULL, 0, NULL, 0);
		/* The buffers' references make the handle usable. */
		CHECK(call_outcome(&service, handle) == BR_REPLY);
		CHECK(hear_from_parent(&arguments->channel) == 2);
		free_buffer(&service, &first);
		tell_parent(&arguments->channel, 3);
		CHECK(hear_from_parent(&arguments->channel) == 4);
		free_buffer(&service, &second);
		tell_parent(&arguments->channel, 5);
		CHECK(hear_from_parent(&arguments->channel) == 6);
		/* Gone with the last buffer. */
		CHECK(call_outcome(&service, handle) == BR_FAILED_REPLY);
		break;
	case MODE_EXPLICIT:
		bc_reset(&stream);
		bc_add_handle(&stream, BC_INCREFS, handle);
		bc_add_handle(&stream, BC_ACQUIRE, handle);
		bc_add_free_buffer(&stream, first.txn.data.ptr.buffer);
		send_commands(&service, &stream);
		reply_keep(&service, NULL, 0, NULL, 0);
		CHECK(hear_from_parent(&arguments->channel) == 2);
		CHECK(call_outcome(&service, handle) == BR_REPLY);
		bc_reset(&stream);
		bc_add_handle(&stream, BC_RELEASE, handle);
		send_commands(&service, &stream);
		tell_parent(&arguments->channel, 3);
		CHECK(hear_from_parent(&arguments->channel) == 4);
		/* A weak reference alone cannot be called. */
		CHECK(call_outcome(&service, handle) == BR_FAILED_REPLY);
		bc_reset(&stream);
		bc_add_handle(&stream, BC_DECREFS, handle);
		send_commands(&service, &stream);
		tell_parent(&arguments->channel, 5);
		CHECK(hear_from_parent(&arguments->channel) == 6);
		CHECK(call_outcome(&service, handle) == BR_FAILED_REPLY);
		break;
	case MODE_LATE_DONE:
		reply_keep(&service, NULL, 0, NULL, 0);
		CHECK(hear_from_parent(&arguments->channel) == 2);
		free_buffer(&service, &first);
		tell_parent(&arguments->channel, 3);
		break;
	case MODE_QUICK_DROP:
		/* Free (dropping the only reference) before replying: the owner
		 * reads its BR_INCREFS/BR_ACQUIRE only after the reply. */
		reply_and_free(&service, &first, NULL, 0, NULL, 0);
		break;
	}
	CHECK(hear_from_parent(&arguments->channel) == 9);
	client_close(&service);
	return 0;
}

static pid_t start_holder(struct holder_arguments *arguments, int mode)
{
	arguments->mode = mode;
	channel_open(&arguments->channel);
	pid_t pid = spawn_child(holder, arguments);
	CHECK(hear_from_child(&arguments->channel) == 1);
	return pid;
}

static void send_node(struct binder_client *owner)
{
	struct flat_binder_object object =
	        binder_object(BINDER_TYPE_BINDER, NODE_PTR, NODE_COOKIE, 0);
	binder_size_t offset = 0;
	struct call_result result = call(owner, 0, 1, 0, &object, sizeof(object), &offset, 1);
	CHECKF(result.cmd == BR_REPLY, "sending the node got %s", br_name(result.cmd));
	free_buffer(owner, &result.reply);
}

static void expect_ptr_cookie(struct binder_client *owner, uint32_t cmd)
{
	struct br_event event;
	expect_next(owner, cmd, &event);
	CHECKF(event.ptr_cookie.ptr == NODE_PTR && event.ptr_cookie.cookie == NODE_COOKIE,
	       "%s for 0x%llx/0x%llx", br_name(cmd), (unsigned long long)event.ptr_cookie.ptr,
	       (unsigned long long)event.ptr_cookie.cookie);
}

static void serve_one(struct binder_client *owner)
{
	struct br_event event;
	expect_next(owner, BR_TRANSACTION, &event);
	CHECK(event.txn.target.ptr == NODE_PTR && event.txn.cookie == NODE_COOKIE);
	reply_and_free(owner, &event, NULL, 0, NULL, 0);
}

Test(refcounts, first_reference_handshake_and_buffer_references, .timeout = TEST_TIMEOUT)
{
	struct holder_arguments arguments;
	pid_t service = start_holder(&arguments, MODE_BUFFERS);
	struct binder_client owner;
	open_client(&owner, AREA_SIZE);
	enter_looper(&owner);
	send_node(&owner);
	expect_node_acquired(&owner, NODE_PTR, NODE_COOKIE, true);
	/* The second send of a referenced node asks for nothing more. */
	send_node(&owner);
	serve_one(&owner);
	CHECKF(!client_has_queued(&owner, BR_INCREFS) && !client_has_queued(&owner, BR_ACQUIRE),
	       "second BR_INCREFS/BR_ACQUIRE for a node already referenced");
	tell_child(&arguments.channel, 2);
	CHECK(hear_from_child(&arguments.channel) == 3);
	/* One buffer still holds a reference. */
	expect_nothing(&owner, QUIET_MS);
	tell_child(&arguments.channel, 4);
	CHECK(hear_from_child(&arguments.channel) == 5);
	expect_ptr_cookie(&owner, BR_RELEASE);
	expect_ptr_cookie(&owner, BR_DECREFS);
	tell_child(&arguments.channel, 6);
	tell_child(&arguments.channel, 9);
	expect_child_success(service);
	client_close(&owner);
}

Test(refcounts, explicit_acquire_release_incref_decref, .timeout = TEST_TIMEOUT)
{
	struct holder_arguments arguments;
	pid_t service = start_holder(&arguments, MODE_EXPLICIT);
	struct binder_client owner;
	open_client(&owner, AREA_SIZE);
	enter_looper(&owner);
	send_node(&owner);
	expect_node_acquired(&owner, NODE_PTR, NODE_COOKIE, true);
	tell_child(&arguments.channel, 2);
	serve_one(&owner);
	CHECK(hear_from_child(&arguments.channel) == 3);
	/* BC_RELEASE of the last strong reference: BR_RELEASE only. */
	expect_ptr_cookie(&owner, BR_RELEASE);
	expect_nothing(&owner, QUIET_MS);
	tell_child(&arguments.channel, 4);
	CHECK(hear_from_child(&arguments.channel) == 5);
	expect_ptr_cookie(&owner, BR_DECREFS);
	tell_child(&arguments.channel, 6);
	tell_child(&arguments.channel, 9);
	expect_child_success(service);
	client_close(&owner);
}

Test(refcounts, release_waits_for_done_handshakes, .timeout = TEST_TIMEOUT)
{
	struct holder_arguments arguments;
	pid_t service = start_holder(&arguments, MODE_LATE_DONE);
	struct binder_client owner;
	open_client(&owner, AREA_SIZE);
	enter_looper(&owner);
	send_node(&owner);
	struct br_event increfs, acquire;
	expect_take(&owner, BR_INCREFS, &increfs);
	expect_take(&owner, BR_ACQUIRE, &acquire);
	tell_child(&arguments.channel, 2);
	CHECK(hear_from_child(&arguments.channel) == 3);
	/* The holder let go, but the owner has not acknowledged yet. */
	expect_nothing(&owner, QUIET_MS);
	acknowledge_ref_event(&owner, &increfs);
	acknowledge_ref_event(&owner, &acquire);
	expect_ptr_cookie(&owner, BR_RELEASE);
	expect_ptr_cookie(&owner, BR_DECREFS);
	tell_child(&arguments.channel, 9);
	expect_child_success(service);
	client_close(&owner);
}

/* Kernel behaviour: the BR_INCREFS/BR_ACQUIRE work of a new node waits in
 * the sender's queue; if the receiver drops the only reference before the
 * sender reads it, the node is freed and the work withdrawn, so the owner
 * sees no refcount command at all. */
Test(refcounts, reference_dropped_before_owner_read_gives_nothing, .timeout = TEST_TIMEOUT)
{
	struct holder_arguments arguments;
	pid_t service = start_holder(&arguments, MODE_QUICK_DROP);
	struct binder_client owner;
	open_client(&owner, AREA_SIZE);
	enter_looper(&owner);
	send_node(&owner);
	expect_nothing(&owner, QUIET_MS);
	tell_child(&arguments.channel, 9);
	expect_child_success(service);
	client_close(&owner);
}
