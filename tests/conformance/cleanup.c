/*
 * cleanup.c - conformance of what happens when a process goes away: the
 * references it held are dropped (the owner gets BR_RELEASE/BR_DECREFS),
 * the context manager slot is freed, and a reply to a caller that exited
 * fails quietly for the replier, who keeps working.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#define NODE_PTR    0xc000
#define NODE_COOKIE 0xc0c0

struct holder_arguments {
	struct channel channel;
};

/* Context manager that takes a strong reference to the node it is sent,
 * then exits when told. */
static int exiting_holder(void *argument)
{
	struct holder_arguments *arguments = argument;
	struct binder_client holder;
	open_client(&holder, AREA_SIZE);
	become_context_manager(&holder);
	enter_looper(&holder);
	tell_parent(&arguments->channel, 1);
	struct br_event event;
	expect_transaction(&holder, &event);
	const struct flat_binder_object *object = event_object(&holder, &event, 0);
	CHECK(object->hdr.type == BINDER_TYPE_HANDLE);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_handle(&stream, BC_INCREFS, object->handle);
	bc_add_handle(&stream, BC_ACQUIRE, object->handle);
	send_commands(&holder, &stream);
	reply_and_free(&holder, &event, NULL, 0, NULL, 0);
	CHECK(hear_from_parent(&arguments->channel) == 2);
	return 0; /* exits holding the reference */
}

Test(cleanup, exiting_holder_drops_its_references, .timeout = TEST_TIMEOUT)
{
	struct holder_arguments arguments;
	channel_open(&arguments.channel);
	pid_t holder = spawn_child(exiting_holder, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client owner;
	open_client(&owner, AREA_SIZE);
	enter_looper(&owner);
	struct flat_binder_object object =
	        binder_object(BINDER_TYPE_BINDER, NODE_PTR, NODE_COOKIE, 0);
	binder_size_t offset = 0;
	struct call_result result = call(&owner, 0, 1, 0, &object, sizeof(object), &offset, 1);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	free_buffer(&owner, &result.reply);
	expect_node_acquired(&owner, NODE_PTR, NODE_COOKIE, true);
	expect_nothing(&owner, 50);
	tell_child(&arguments.channel, 2);
	expect_child_success(holder);
	struct br_event event;
	expect_next(&owner, BR_RELEASE, &event);
	CHECK(event.ptr_cookie.ptr == NODE_PTR && event.ptr_cookie.cookie == NODE_COOKIE);
	expect_next(&owner, BR_DECREFS, &event);
	CHECK(event.ptr_cookie.ptr == NODE_PTR && event.ptr_cookie.cookie == NODE_COOKIE);
	client_close(&owner);
}

static int short_lived_manager(void *argument)
{
	struct holder_arguments *arguments = argument;
	struct binder_client manager;
	open_client(&manager, AREA_SIZE);
	become_context_manager(&manager);
	tell_parent(&arguments->channel, 1);
	return 0;
}

Test(cleanup, context_manager_slot_freed_when_manager_exits, .timeout = TEST_TIMEOUT)
{
	struct holder_arguments arguments;
	channel_open(&arguments.channel);
	pid_t manager = spawn_child(short_lived_manager, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	expect_child_success(manager);
	/* The release is asynchronous: become_context_manager retries EBUSY for
	 * a bounded time. */
	struct binder_client next;
	open_client(&next, AREA_SIZE);
	become_context_manager(&next);
	client_close(&next);
}

static int caller_that_exits(void *argument)
{
	struct holder_arguments *arguments = argument;
	struct binder_client caller;
	open_client(&caller, AREA_SIZE);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction(&stream, BC_TRANSACTION, 0, 1, 0, NULL, 0, NULL, 0);
	send_commands(&caller, &stream);
	tell_parent(&arguments->channel, 1);
	CHECK(hear_from_parent(&arguments->channel) == 2);
	return 0; /* exits while its call is being served */
}

Test(cleanup, reply_to_exited_caller_fails_quietly, .timeout = TEST_TIMEOUT)
{
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	struct holder_arguments arguments;
	channel_open(&arguments.channel);
	pid_t caller = spawn_child(caller_that_exits, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct br_event event;
	expect_transaction(&service, &event);
	tell_child(&arguments.channel, 2);
	expect_child_success(caller);
	/* A reply to a caller that is gone gives the replier
	 * BR_TRANSACTION_COMPLETE all the same (the kernel's BR_DEAD_REPLY for
	 * it has nobody to go to), and nothing else. */
	reply_and_free(&service, &event, NULL, 0, NULL, 0);
	expect_nothing(&service, 50);

	/* Still serving others. */
	struct holder_arguments second_arguments;
	channel_open(&second_arguments.channel);
	pid_t second = spawn_child(caller_that_exits, &second_arguments);
	CHECK(hear_from_child(&second_arguments.channel) == 1);
	expect_transaction(&service, &event);
	reply_and_free(&service, &event, NULL, 0, NULL, 0);
	tell_child(&second_arguments.channel, 2);
	expect_child_success(second);
	client_close(&service);
}

static int caller_once(void *argument)
{
	(void)argument;
	struct binder_client caller;
	open_client(&caller, AREA_SIZE);
	struct call_result result = call(&caller, 0, 1, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_DEAD_REPLY, "call whose thread exited got %s", br_name(result.cmd));
	result = call(&caller, 0, 2, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "next call got %s", br_name(result.cmd));
	free_buffer(&caller, &result.reply);
	client_close(&caller);
	return 0;
}

/* BINDER_THREAD_EXIT by the thread serving a call fails that call with
 * BR_DEAD_REPLY; the process, with a new thread, keeps serving. */
Test(cleanup, thread_exit_during_call_gives_dead_reply, .timeout = TEST_TIMEOUT)
{
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	pid_t caller = spawn_child(caller_once, NULL);
	struct br_event event;
	expect_transaction(&service, &event);
	CHECK(event.txn.code == 1);
	int unused = 0;
	CHECK(binder_device_ioctl(service.device, BINDER_THREAD_EXIT, &unused) == 0);
	free_buffer(&service, &event);
	enter_looper(&service);
	expect_transaction(&service, &event);
	CHECK(event.txn.code == 2);
	reply_and_free(&service, &event, NULL, 0, NULL, 0);
	expect_child_success(caller);
	client_close(&service);
}
