/*
 * transactions.c - conformance of synchronous calls: BR_TRANSACTION /
 * BR_REPLY contents, BR_TRANSACTION_COMPLETE ordering, payload integrity,
 * empty and large payloads, reply flags, reuse of freed buffers, replies
 * routed to the calling thread.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct echo_arguments {
	struct channel channel;
	int calls;
	size_t area_size;
	uint32_t reply_flags;
};

/* Context manager that answers each call with the same bytes, code-checked. */
static int echo_service(void *argument)
{
	struct echo_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, arguments->area_size);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	for (int i = 0; i < arguments->calls; i++) {
		struct br_event event;
		expect_transaction(&service, &event);
		CHECKF(event.txn.target.ptr == 0 && event.txn.cookie == 0,
		       "context manager node ptr 0x%llx cookie 0x%llx",
		       (unsigned long long)event.txn.target.ptr,
		       (unsigned long long)event.txn.cookie);
		CHECK(!(event.txn.flags & TF_ONE_WAY));
		CHECK(event.txn.offsets_size == 0);
		const void *data = event.txn.data_size ? event_data(&service, &event) : NULL;
		struct bc_stream stream;
		bc_reset(&stream);
		bc_add_free_buffer(&stream, event.txn.data.ptr.buffer);
		bc_add_transaction(&stream, BC_REPLY, 0, event.txn.code + 1, arguments->reply_flags,
		                   data, event.txn.data_size, NULL, 0);
		send_commands(&service, &stream);
		expect_take(&service, BR_TRANSACTION_COMPLETE, NULL);
	}
	client_close(&service);
	return 0;
}

static pid_t start_echo(struct echo_arguments *arguments, int calls, size_t area_size)
{
	arguments->calls = calls;
	arguments->area_size = area_size;
	channel_open(&arguments->channel);
	pid_t pid = spawn_child(echo_service, arguments);
	CHECK(hear_from_child(&arguments->channel) == 1);
	return pid;
}

Test(transactions, sync_call_roundtrip, .timeout = TEST_TIMEOUT)
{
	struct echo_arguments arguments = {0};
	pid_t service = start_echo(&arguments, 1, AREA_SIZE);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	const char message[] = "hello, binder";
	struct call_result result = call(&client, 0, 41, 0, message, sizeof(message), NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	CHECK(result.saw_complete);
	CHECKF(result.reply.txn.code == 42, "reply code %u", result.reply.txn.code);
	CHECK(result.reply.txn.data_size == sizeof(message));
	CHECK(result.reply.txn.offsets_size == 0);
	CHECK(memcmp(event_data(&client, &result.reply), message, sizeof(message)) == 0);
	free_buffer(&client, &result.reply);
	expect_nothing(&client, 50);
	client_close(&client);
	expect_child_success(service);
}

Test(transactions, empty_transaction, .timeout = TEST_TIMEOUT)
{
	struct echo_arguments arguments = {0};
	pid_t service = start_echo(&arguments, 1, AREA_SIZE);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct call_result result = call(&client, 0, 7, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	CHECK(result.reply.txn.data_size == 0 && result.reply.txn.offsets_size == 0);
	free_buffer(&client, &result.reply);
	client_close(&client);
	expect_child_success(service);
}

Test(transactions, reply_flags_reach_caller, .timeout = TEST_TIMEOUT)
{
	struct echo_arguments arguments = {.reply_flags = TF_STATUS_CODE};
	pid_t service = start_echo(&arguments, 1, AREA_SIZE);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	int32_t status = -22;
	struct call_result result = call(&client, 0, 1, 0, &status, sizeof(status), NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	CHECKF(result.reply.txn.flags & TF_STATUS_CODE, "reply flags 0x%x", result.reply.txn.flags);
	CHECK(memcmp(event_data(&client, &result.reply), &status, sizeof(status)) == 0);
	free_buffer(&client, &result.reply);
	client_close(&client);
	expect_child_success(service);
}

Test(transactions, large_payload_is_intact, .timeout = TEST_TIMEOUT)
{
	struct echo_arguments arguments = {0};
	pid_t service = start_echo(&arguments, 1, AREA_SIZE);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	size_t size = 512 * 1024 + 3;
	uint8_t *payload = malloc(size);
	CHECK(payload);
	for (size_t i = 0; i < size; i++)
		payload[i] = (uint8_t)(i * 131 + (i >> 9));
	struct call_result result = call(&client, 0, 1, 0, payload, size, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	CHECK(result.reply.txn.data_size == size);
	CHECK(memcmp(event_data(&client, &result.reply), payload, size) == 0);
	free_buffer(&client, &result.reply);
	free(payload);
	client_close(&client);
	expect_child_success(service);
}

/* 64 calls of 64 KiB through 1 MiB areas: only possible if BC_FREE_BUFFER
 * gives the space back, on both sides. */
Test(transactions, freed_buffers_are_reused, .timeout = TEST_TIMEOUT)
{
	enum { calls = 64, size = 64 * 1024 };
	struct echo_arguments arguments = {0};
	pid_t service = start_echo(&arguments, calls, AREA_SIZE);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	uint8_t *payload = malloc(size);
	CHECK(payload);
	for (int i = 0; i < calls; i++) {
		memset(payload, i, size);
		struct call_result result = call(&client, 0, 1, 0, payload, size, NULL, 0);
		CHECKF(result.cmd == BR_REPLY, "call %d got %s", i, br_name(result.cmd));
		CHECK(memcmp(event_data(&client, &result.reply), payload, size) == 0);
		free_buffer(&client, &result.reply);
	}
	free(payload);
	client_close(&client);
	expect_child_success(service);
}

struct hold_arguments {
	struct channel channel;
};

/* How long the caller looks for an outcome while its call is held. */
#define HELD_CALL_LOOK_MS 100

enum hold_step { SERVICE_READY = 1, SERVICE_HOLDS_CALL = 2, RELEASE_CALL = 3 };

/* Holds the caller's transaction until the parent has seen that the caller
 * has no outcome, then replies; the reply is the caller's only BR_REPLY;
 * every read of both began with BR_NOOP (CHECKed by the harness). */
static int hold_then_reply_service(void *argument)
{
	struct hold_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, SERVICE_READY);
	struct br_event event;
	expect_transaction(&service, &event);
	tell_parent(&arguments->channel, SERVICE_HOLDS_CALL);
	CHECK(hear_from_parent(&arguments->channel) == RELEASE_CALL);
	uint32_t answer = 0x600dcafe;
	reply_and_free(&service, &event, &answer, sizeof(answer), NULL, 0);
	expect_nothing(&service, 50);
	client_close(&service);
	return 0;
}

/* While the service holds the call, the caller has nothing to read but
 * (at most) BR_TRANSACTION_COMPLETE: no reply, no failure; once the
 * service replies, the reply arrives. */
Test(transactions, caller_blocks_until_reply, .timeout = TEST_TIMEOUT)
{
	struct hold_arguments arguments;
	channel_open(&arguments.channel);
	pid_t service = spawn_child(hold_then_reply_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == SERVICE_READY);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction(&stream, BC_TRANSACTION, 0, 1, 0, NULL, 0, NULL, 0);
	send_commands(&client, &stream);
	CHECK(hear_from_child(&arguments.channel) == SERVICE_HOLDS_CALL);
	/* The service holds the call: whatever the caller can read now, or
	 * within a short look (binderd's poll wake-ups are asynchronous), must
	 * not be an outcome. A correct driver has none however long we look. */
	int got;
	while ((got = client_read(&client, HELD_CALL_LOOK_MS)) > 0)
		;
	CHECKF(got == -ETIMEDOUT, "read while the call is held: %s", strerror(-got));
	CHECK(!client_has_queued(&client, BR_REPLY));
	CHECK(!client_has_queued(&client, BR_FAILED_REPLY));
	CHECK(!client_has_queued(&client, BR_DEAD_REPLY));
	tell_child(&arguments.channel, RELEASE_CALL);
	struct call_result result = wait_call_result(&client, false);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	CHECK(result.saw_complete);
	uint32_t answer;
	CHECK(result.reply.txn.data_size == sizeof(answer));
	memcpy(&answer, event_data(&client, &result.reply), sizeof(answer));
	CHECK(answer == 0x600dcafe);
	free_buffer(&client, &result.reply);
	client_close(&client);
	expect_child_success(service);
}

/* Two threads of one process call at once; two service threads hold both
 * calls and reply in the opposite order: each reply reaches the thread that
 * made its call. */
struct concurrent_service {
	struct binder_client view;
	atomic_int *held;
	uint32_t code;
};

static void *concurrent_service_thread(void *argument)
{
	struct concurrent_service *thread = argument;
	harness_mark_helper_thread();
	enter_looper(&thread->view);
	struct br_event event;
	expect_transaction(&thread->view, &event);
	thread->code = event.txn.code;
	atomic_fetch_add(thread->held, 1);
	/* Wait until both calls are held, then the later code answers first. */
	for (int i = 0; i < 500 && atomic_load(thread->held) < 2; i++)
		usleep(10 * 1000);
	CHECK(atomic_load(thread->held) >= 2);
	if (thread->code == 1) {
		for (int i = 0; i < 500 && atomic_load(thread->held) < 3; i++)
			usleep(10 * 1000);
		CHECK(atomic_load(thread->held) == 3);
	}
	uint32_t answer = thread->code * 100;
	reply_and_free(&thread->view, &event, &answer, sizeof(answer), NULL, 0);
	if (thread->code == 2)
		atomic_fetch_add(thread->held, 1);
	return NULL;
}

static int concurrent_service(void *argument)
{
	struct echo_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	atomic_int held = 0;
	struct concurrent_service threads[2];
	pthread_t ids[2];
	for (int i = 0; i < 2; i++) {
		client_thread_view(&service, &threads[i].view);
		threads[i].held = &held;
		CHECK(pthread_create(&ids[i], NULL, concurrent_service_thread, &threads[i]) == 0);
	}
	tell_parent(&arguments->channel, 1);
	for (int i = 0; i < 2; i++)
		CHECK(pthread_join(ids[i], NULL) == 0);
	CHECK(threads[0].code + threads[1].code == 3);
	client_close(&service);
	return 0;
}

struct concurrent_caller {
	struct binder_client view;
	uint32_t code;
};

static void *concurrent_caller_thread(void *argument)
{
	struct concurrent_caller *caller = argument;
	harness_mark_helper_thread();
	struct call_result result = call(&caller->view, 0, caller->code, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	uint32_t answer;
	CHECK(result.reply.txn.data_size == sizeof(answer));
	memcpy(&answer, event_data(&caller->view, &result.reply), sizeof(answer));
	CHECKF(answer == caller->code * 100, "thread calling with %u got the reply %u",
	       caller->code, answer);
	free_buffer(&caller->view, &result.reply);
	return NULL;
}

Test(transactions, concurrent_callers_get_their_own_replies, .timeout = TEST_TIMEOUT)
{
	struct echo_arguments arguments = {0};
	channel_open(&arguments.channel);
	pid_t service = spawn_child(concurrent_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct concurrent_caller callers[2];
	pthread_t ids[2];
	for (int i = 0; i < 2; i++) {
		client_thread_view(&client, &callers[i].view);
		callers[i].code = (uint32_t)i + 1;
		CHECK(pthread_create(&ids[i], NULL, concurrent_caller_thread, &callers[i]) == 0);
	}
	for (int i = 0; i < 2; i++)
		CHECK(pthread_join(ids[i], NULL) == 0);
	expect_child_success(service);
	client_close(&client);
}
