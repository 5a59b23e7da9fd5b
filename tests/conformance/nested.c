/*
 * nested.c - conformance of the transaction stack: a call that comes back
 * into a process waiting for a reply is delivered to the very thread that
 * waits (not to an idle looper of that process), to any depth.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#define NODE_PTR    0xa000
#define NODE_COOKIE 0xa001
#define DEPTH       6

struct recursion {
	uint32_t peer_handle;
	pid_t peer_pid;
	int transactions_served;
};

static void serve_until_reply(struct binder_client *client, struct recursion *recursion);

/* Handles one incoming call of depth `code`: calls the peer back with
 * code - 1 first (while the caller waits), then replies. */
static void serve_transaction(struct binder_client *client, struct recursion *recursion,
                              const struct br_event *event)
{
	CHECKF(event->txn.sender_pid == recursion->peer_pid, "sender_pid %d, peer %d",
	       event->txn.sender_pid, (int)recursion->peer_pid);
	recursion->transactions_served++;
	uint32_t depth = event->txn.code;
	if (depth > 0) {
		struct bc_stream stream;
		bc_reset(&stream);
		bc_add_transaction(&stream, BC_TRANSACTION, recursion->peer_handle, depth - 1, 0,
		                   NULL, 0, NULL, 0);
		send_commands(client, &stream);
		serve_until_reply(client, recursion);
	}
	reply_and_free(client, event, &depth, sizeof(depth), NULL, 0);
}

/* The libbinder-style wait loop of a thread in a call: serves nested calls
 * until its own BR_REPLY comes. */
static void serve_until_reply(struct binder_client *client, struct recursion *recursion)
{
	static const uint32_t wanted[] = {BR_TRANSACTION, BR_REPLY,   BR_FAILED_REPLY,
	                                  BR_DEAD_REPLY,  BR_INCREFS, BR_ACQUIRE};
	for (;;) {
		struct br_event event;
		int result = client_take(client, wanted, 6, &event, WAIT_MS);
		CHECKF(result == 0, "thread %d waited in vain for its reply", (int)gettid());
		switch (event.cmd) {
		case BR_INCREFS:
		case BR_ACQUIRE:
			acknowledge_ref_event(client, &event);
			break;
		case BR_TRANSACTION:
			serve_transaction(client, recursion, &event);
			break;
		case BR_REPLY:
			free_buffer(client, &event);
			return;
		default:
			CHECKF(false, "call failed: %s", br_name(event.cmd));
		}
	}
}

struct peer_arguments {
	struct channel channel;
	pid_t parent_pid;
};

static int recursive_peer(void *argument)
{
	struct peer_arguments *arguments = argument;
	struct binder_client peer;
	open_client(&peer, AREA_SIZE);
	become_context_manager(&peer);
	enter_looper(&peer);
	tell_parent(&arguments->channel, 1);
	struct br_event first;
	expect_transaction(&peer, &first);
	const struct flat_binder_object *object = event_object(&peer, &first, 0);
	CHECK(object->hdr.type == BINDER_TYPE_HANDLE);
	struct recursion recursion = {
	        .peer_handle = object->handle,
	        .peer_pid = arguments->parent_pid,
	};
	/* first keeps the handle alive until the end. */
	serve_transaction(&peer, &recursion, &first);
	tell_parent(&arguments->channel, (uint64_t)recursion.transactions_served);
	client_close(&peer);
	return 0;
}

struct idle_looper {
	struct binder_client view;
	atomic_bool stop;
	int transactions_seen;
};

static void *idle_looper_thread(void *argument)
{
	struct idle_looper *looper = argument;
	harness_mark_helper_thread();
	enter_looper(&looper->view);
	while (!atomic_load(&looper->stop)) {
		int result = client_read(&looper->view, 50);
		CHECKF(result >= 0 || result == -ETIMEDOUT, "idle looper read: %d", result);
	}
	for (size_t i = 0; i < looper->view.queued; i++)
		if (looper->view.queue[i].cmd == BR_TRANSACTION)
			looper->transactions_seen++;
	return NULL;
}

Test(nested, nested_calls_go_to_the_waiting_thread, .timeout = TEST_TIMEOUT)
{
	struct peer_arguments arguments = {.parent_pid = getpid()};
	channel_open(&arguments.channel);
	pid_t peer = spawn_child(recursive_peer, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);

	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct idle_looper looper = {0};
	client_thread_view(&client, &looper.view);
	pthread_t thread;
	CHECK(pthread_create(&thread, NULL, idle_looper_thread, &looper) == 0);

	struct flat_binder_object object =
	        binder_object(BINDER_TYPE_BINDER, NODE_PTR, NODE_COOKIE, 0);
	binder_size_t offset = 0;
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction(&stream, BC_TRANSACTION, 0, DEPTH, 0, &object, sizeof(object), &offset,
	                   1);
	send_commands(&client, &stream);
	struct recursion recursion = {.peer_handle = 0, .peer_pid = peer};
	serve_until_reply(&client, &recursion);

	atomic_store(&looper.stop, true);
	CHECK(pthread_join(thread, NULL) == 0);
	CHECKF(looper.transactions_seen == 0, "the idle looper got %d nested call(s)",
	       looper.transactions_seen);
	/* DEPTH 6: this thread served depths 5, 3, 1; the peer 6, 4, 2, 0. */
	CHECKF(recursion.transactions_served == DEPTH / 2, "served %d nested calls",
	       recursion.transactions_served);
	CHECK(hear_from_child(&arguments.channel) == DEPTH / 2 + 1);
	expect_child_success(peer);
	client_close(&client);
}
