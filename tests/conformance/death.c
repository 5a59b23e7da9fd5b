/*
 * death.c - conformance of death notifications and dead targets:
 * BR_DEAD_BINDER when the owner exits (and at once when it is already
 * dead), BC_DEAD_BINDER_DONE, BC_CLEAR_DEATH_NOTIFICATION with
 * BR_CLEAR_DEATH_NOTIFICATION_DONE, BR_DEAD_REPLY for calls to a dead node
 * and for calls pending when their target died.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#define NODE_PTR     0xd000
#define NODE_COOKIE  0xd00d
#define DEATH_COOKIE 0xdead0001

enum { MODE_EXIT_WHEN_TOLD, MODE_DIE_IN_CALL };

struct owner_arguments {
	struct channel channel;
	int mode;
};

/* Sends its node to the context manager (the test process), then exits
 * when told, or when a call arrives, without answering it. */
static int node_owner(void *argument)
{
	struct owner_arguments *arguments = argument;
	struct binder_client owner;
	open_client(&owner, AREA_SIZE);
	CHECK(hear_from_parent(&arguments->channel) == 1);
	struct flat_binder_object object =
	        binder_object(BINDER_TYPE_BINDER, NODE_PTR, NODE_COOKIE, 0);
	binder_size_t offset = 0;
	struct call_result result = call(&owner, 0, 1, 0, &object, sizeof(object), &offset, 1);
	CHECKF(result.cmd == BR_REPLY, "sending the node got %s", br_name(result.cmd));
	free_buffer(&owner, &result.reply);
	expect_node_acquired(&owner, NODE_PTR, NODE_COOKIE, true);
	if (arguments->mode == MODE_DIE_IN_CALL) {
		enter_looper(&owner);
		tell_parent(&arguments->channel, 2);
		struct br_event event;
		expect_take(&owner, BR_TRANSACTION, &event);
		_exit(0); /* dies with the call unanswered */
	}
	tell_parent(&arguments->channel, 2);
	CHECK(hear_from_parent(&arguments->channel) == 3);
	return 0; /* exiting closes the device */
}

struct watcher {
	struct binder_client client;
	struct owner_arguments arguments;
	pid_t owner;
	uint32_t handle;
};

/* The test process becomes context manager, receives the owner's node and
 * keeps a strong reference to it (optionally asking for its death). */
static void watcher_setup(struct watcher *watcher, int mode, bool request_death)
{
	open_client(&watcher->client, AREA_SIZE);
	become_context_manager(&watcher->client);
	enter_looper(&watcher->client);
	watcher->arguments.mode = mode;
	channel_open(&watcher->arguments.channel);
	watcher->owner = spawn_child(node_owner, &watcher->arguments);
	tell_child(&watcher->arguments.channel, 1);
	struct br_event event;
	expect_transaction(&watcher->client, &event);
	const struct flat_binder_object *object = event_object(&watcher->client, &event, 0);
	CHECK(object->hdr.type == BINDER_TYPE_HANDLE);
	watcher->handle = object->handle;
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_handle(&stream, BC_INCREFS, watcher->handle);
	bc_add_handle(&stream, BC_ACQUIRE, watcher->handle);
	if (request_death)
		bc_add_death(&stream, BC_REQUEST_DEATH_NOTIFICATION, watcher->handle, DEATH_COOKIE);
	send_commands(&watcher->client, &stream);
	reply_and_free(&watcher->client, &event, NULL, 0, NULL, 0);
	CHECK(hear_from_child(&watcher->arguments.channel) == 2);
}

static void owner_exits(struct watcher *watcher)
{
	tell_child(&watcher->arguments.channel, 3);
	expect_child_success(watcher->owner);
}

static void expect_dead_binder(struct watcher *watcher)
{
	struct br_event event;
	expect_next(&watcher->client, BR_DEAD_BINDER, &event);
	CHECKF(event.cookie == DEATH_COOKIE, "BR_DEAD_BINDER cookie 0x%llx",
	       (unsigned long long)event.cookie);
}

static uint32_t call_outcome(struct watcher *watcher, bool *saw_complete)
{
	struct call_result result = call(&watcher->client, watcher->handle, 7, 0, NULL, 0, NULL, 0);
	if (result.cmd == BR_REPLY)
		free_buffer(&watcher->client, &result.reply);
	if (saw_complete)
		*saw_complete = result.saw_complete;
	return result.cmd;
}

static void send_and_expect(struct watcher *watcher, struct bc_stream *stream, uint32_t cmd)
{
	send_commands(&watcher->client, stream);
	struct br_event event;
	expect_next(&watcher->client, cmd, &event);
	CHECKF(event.cookie == DEATH_COOKIE, "%s cookie 0x%llx", br_name(cmd),
	       (unsigned long long)event.cookie);
}

Test(death, owner_exit_gives_dead_binder_then_dead_reply, .timeout = TEST_TIMEOUT)
{
	struct watcher watcher;
	watcher_setup(&watcher, MODE_EXIT_WHEN_TOLD, true);
	expect_nothing(&watcher.client, 50);
	owner_exits(&watcher);
	expect_dead_binder(&watcher);
	bool saw_complete = true;
	uint32_t outcome = call_outcome(&watcher, &saw_complete);
	CHECKF(outcome == BR_DEAD_REPLY, "call to a dead node got %s", br_name(outcome));
	CHECK(!saw_complete);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_dead_binder_done(&stream, DEATH_COOKIE);
	send_commands(&watcher.client, &stream);
	expect_nothing(&watcher.client, 50);
	/* Clearing after the death is acknowledged too. */
	bc_reset(&stream);
	bc_add_death(&stream, BC_CLEAR_DEATH_NOTIFICATION, watcher.handle, DEATH_COOKIE);
	send_and_expect(&watcher, &stream, BR_CLEAR_DEATH_NOTIFICATION_DONE);
	expect_nothing(&watcher.client, 50);
	client_close(&watcher.client);
}

Test(death, request_on_dead_node_gives_dead_binder_at_once, .timeout = TEST_TIMEOUT)
{
	struct watcher watcher;
	watcher_setup(&watcher, MODE_EXIT_WHEN_TOLD, false);
	owner_exits(&watcher);
	/* Once a call says the node is dead, its death is complete. */
	uint32_t outcome = call_outcome(&watcher, NULL);
	CHECKF(outcome == BR_DEAD_REPLY, "call to a dead node got %s", br_name(outcome));
	expect_nothing(&watcher.client, 50);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_death(&stream, BC_REQUEST_DEATH_NOTIFICATION, watcher.handle, DEATH_COOKIE);
	send_and_expect(&watcher, &stream, BR_DEAD_BINDER);
	bc_reset(&stream);
	bc_add_dead_binder_done(&stream, DEATH_COOKIE);
	send_commands(&watcher.client, &stream);
	expect_nothing(&watcher.client, 50);
	client_close(&watcher.client);
}

Test(death, cleared_notification_is_not_delivered, .timeout = TEST_TIMEOUT)
{
	struct watcher watcher;
	watcher_setup(&watcher, MODE_EXIT_WHEN_TOLD, true);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_death(&stream, BC_CLEAR_DEATH_NOTIFICATION, watcher.handle, DEATH_COOKIE);
	send_and_expect(&watcher, &stream, BR_CLEAR_DEATH_NOTIFICATION_DONE);
	owner_exits(&watcher);
	uint32_t outcome = call_outcome(&watcher, NULL);
	CHECKF(outcome == BR_DEAD_REPLY, "call to a dead node got %s", br_name(outcome));
	expect_nothing(&watcher.client, QUIET_MS);
	client_close(&watcher.client);
}

Test(death, call_pending_when_target_dies_gets_dead_reply, .timeout = TEST_TIMEOUT)
{
	struct watcher watcher;
	watcher_setup(&watcher, MODE_DIE_IN_CALL, true);
	bool saw_complete = false;
	uint32_t outcome = call_outcome(&watcher, &saw_complete);
	CHECKF(outcome == BR_DEAD_REPLY, "call whose target died got %s", br_name(outcome));
	CHECK(saw_complete);
	expect_child_success(watcher.owner);
	expect_dead_binder(&watcher);
	client_close(&watcher.client);
}

Test(death, queued_call_gets_dead_reply_when_target_exits, .timeout = TEST_TIMEOUT)
{
	struct watcher watcher;
	watcher_setup(&watcher, MODE_EXIT_WHEN_TOLD, false);
	/* The owner never reads: the call waits in its queue. */
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction(&stream, BC_TRANSACTION, watcher.handle, 7, 0, NULL, 0, NULL, 0);
	send_commands(&watcher.client, &stream);
	owner_exits(&watcher);
	struct call_result result = wait_call_result(&watcher.client, false);
	CHECKF(result.cmd == BR_DEAD_REPLY, "queued call got %s", br_name(result.cmd));
	CHECK(result.saw_complete);
	client_close(&watcher.client);
}

Test(death, call_to_missing_context_manager_is_dead_reply, .timeout = TEST_TIMEOUT)
{
	/* No test holds the context manager now: handle 0 is a dead target. The
	 * previous test's manager may still be going away; that too ends in
	 * BR_DEAD_REPLY. */
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct call_result result = call(&client, 0, 1, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_DEAD_REPLY, "call to handle 0 got %s", br_name(result.cmd));
	client_close(&client);
}

struct second_holder_arguments {
	struct channel channel;
};

/* Gets the node's handle from the context manager, asks for its death with
 * its own cookie, and waits for the BR_DEAD_BINDER. */
static int second_holder(void *argument)
{
	struct second_holder_arguments *arguments = argument;
	struct binder_client holder;
	open_client(&holder, AREA_SIZE);
	enter_looper(&holder);
	struct call_result result = call(&holder, 0, 5, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "asking for the node got %s", br_name(result.cmd));
	const struct flat_binder_object *object = event_object(&holder, &result.reply, 0);
	CHECK(object->hdr.type == BINDER_TYPE_HANDLE);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_handle(&stream, BC_INCREFS, object->handle);
	bc_add_handle(&stream, BC_ACQUIRE, object->handle);
	bc_add_death(&stream, BC_REQUEST_DEATH_NOTIFICATION, object->handle, 0xb0b);
	bc_add_free_buffer(&stream, result.reply.txn.data.ptr.buffer);
	send_commands(&holder, &stream);
	tell_parent(&arguments->channel, 1);
	struct br_event event;
	expect_next(&holder, BR_DEAD_BINDER, &event);
	CHECKF(event.cookie == 0xb0b, "cookie 0x%llx", (unsigned long long)event.cookie);
	bc_reset(&stream);
	bc_add_dead_binder_done(&stream, 0xb0b);
	send_commands(&holder, &stream);
	expect_nothing(&holder, 50);
	client_close(&holder);
	return 0;
}

/* Every holder that asked is told, each with its own cookie; a second
 * request on the same handle is ignored. */
Test(death, every_holder_is_told_once, .timeout = TEST_TIMEOUT)
{
	struct watcher watcher;
	watcher_setup(&watcher, MODE_EXIT_WHEN_TOLD, true);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_death(&stream, BC_REQUEST_DEATH_NOTIFICATION, watcher.handle, 0x999);
	send_commands(&watcher.client, &stream);

	struct second_holder_arguments arguments;
	channel_open(&arguments.channel);
	pid_t holder = spawn_child(second_holder, &arguments);
	struct br_event event;
	expect_transaction(&watcher.client, &event);
	CHECK(event.txn.code == 5);
	struct flat_binder_object object = handle_object(BINDER_TYPE_HANDLE, watcher.handle);
	binder_size_t offset = 0;
	reply_and_free(&watcher.client, &event, &object, sizeof(object), &offset, 1);
	CHECK(hear_from_child(&arguments.channel) == 1);

	owner_exits(&watcher);
	expect_dead_binder(&watcher);
	bc_reset(&stream);
	bc_add_dead_binder_done(&stream, DEATH_COOKIE);
	send_commands(&watcher.client, &stream);
	expect_nothing(&watcher.client, QUIET_MS);
	expect_child_success(holder);
	client_close(&watcher.client);
}
