/*
 * extended_error.c - conformance of BINDER_GET_EXTENDED_ERROR: per thread,
 * {0, BR_OK, 0} until the thread sends a transaction; each transaction
 * sets {its id, BR_OK, 0} and a failure its BR_ error and errno; reading
 * it resets it; a reply that fails is reported to the caller that waited
 * for it, with the same id that the replier's own record holds.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

#define BAD_HANDLE  4242
#define CALL_CODE   1
#define BAD_REPLY   2
#define FINISH_CODE 99
/* Unaligned: the kernel fails it with EINVAL. (An offset past the data
 * gives EFAULT on the kernel: it copies the data up to each object first.) */
#define BAD_OFFSET   2
#define REPLY_ID_BIT 32

static struct binder_extended_error get_extended_error(binder_device *device)
{
	struct binder_extended_error error;
	memset(&error, 0xa5, sizeof(error));
	int result = binder_device_ioctl(device, BINDER_GET_EXTENDED_ERROR, &error);
	CHECKF(result == 0, "BINDER_GET_EXTENDED_ERROR gave %d (%s)", result, strerror(-result));
	return error;
}

static void expect_no_error(binder_device *device)
{
	struct binder_extended_error error = get_extended_error(device);
	CHECKF(error.id == 0 && error.command == BR_OK && error.param == 0,
	       "expected {0, BR_OK, 0}, got {%u, %s, %d}", error.id, br_name(error.command),
	       error.param);
}

Test(extended_error, none_on_a_new_thread, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	expect_no_error(client.device);
	client_close(&client);
}

Test(extended_error, failed_call_is_reported_once, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct call_result result = call(&client, BAD_HANDLE, CALL_CODE, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_FAILED_REPLY, "got %s", br_name(result.cmd));
	struct binder_extended_error error = get_extended_error(client.device);
	CHECKF(error.id != 0, "no transaction id");
	CHECKF(error.command == BR_FAILED_REPLY, "command %s", br_name(error.command));
	CHECKF(error.param == -EINVAL, "param %d", error.param);
	/* Reading it cleared it. */
	expect_no_error(client.device);
	client_close(&client);
}

struct other_thread {
	binder_device *device;
	struct binder_extended_error error;
};

static void *read_on_another_thread(void *argument)
{
	struct other_thread *other = argument;
	harness_mark_helper_thread();
	other->error = get_extended_error(other->device);
	return NULL;
}

Test(extended_error, is_per_thread, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct call_result result = call(&client, BAD_HANDLE, CALL_CODE, 0, NULL, 0, NULL, 0);
	CHECK(result.cmd == BR_FAILED_REPLY);
	struct other_thread other = {.device = client.device};
	pthread_t thread;
	CHECK(pthread_create(&thread, NULL, read_on_another_thread, &other) == 0);
	CHECK(pthread_join(thread, NULL) == 0);
	CHECKF(other.error.id == 0 && other.error.command == BR_OK && other.error.param == 0,
	       "another thread saw {%u, %s, %d}", other.error.id, br_name(other.error.command),
	       other.error.param);
	struct binder_extended_error error = get_extended_error(client.device);
	CHECKF(error.command == BR_FAILED_REPLY, "the failing thread lost its error: %s",
	       br_name(error.command));
	client_close(&client);
}

struct service_arguments {
	struct channel channel;
};

/* Context manager: answers CALL_CODE normally and BAD_REPLY with a reply
 * whose object offset is unaligned, then reports its own extended error
 * (REPLY_ID_BIT set, id in the low bits, when it is {id, BR_OK, 0}). */
static int service(void *argument)
{
	struct service_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	for (;;) {
		struct br_event event;
		expect_transaction(&service, &event);
		if (event.txn.code == FINISH_CODE) {
			reply_and_free(&service, &event, NULL, 0, NULL, 0);
			break;
		}
		if (event.txn.code != BAD_REPLY) {
			reply_and_free(&service, &event, NULL, 0, NULL, 0);
			continue;
		}
		uint64_t data = 0;
		binder_size_t offset = BAD_OFFSET;
		free_buffer(&service, &event);
		/* The replier is told BR_TRANSACTION_COMPLETE all the same. */
		reply_keep(&service, &data, sizeof(data), &offset, 1);
		struct binder_extended_error error = get_extended_error(service.device);
		uint64_t report = 0;
		if (error.command == BR_OK && error.param == 0 && error.id != 0)
			report = (1ull << REPLY_ID_BIT) | error.id;
		tell_parent(&arguments->channel, report);
	}
	client_close(&service);
	return 0;
}

static void finish(struct binder_client *client, pid_t pid)
{
	struct call_result result = call(client, 0, FINISH_CODE, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "the service no longer answers: %s", br_name(result.cmd));
	free_buffer(client, &result.reply);
	expect_child_success(pid);
}

Test(extended_error, successful_call_holds_its_id, .timeout = TEST_TIMEOUT)
{
	struct service_arguments arguments;
	channel_open(&arguments.channel);
	pid_t pid = spawn_child(service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct call_result result = call(&client, 0, CALL_CODE, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	free_buffer(&client, &result.reply);
	struct binder_extended_error error = get_extended_error(client.device);
	CHECKF(error.id != 0 && error.command == BR_OK && error.param == 0,
	       "after a good call: {%u, %s, %d}", error.id, br_name(error.command), error.param);
	expect_no_error(client.device);
	finish(&client, pid);
	client_close(&client);
	channel_close(&arguments.channel);
}

Test(extended_error, failed_reply_is_reported_to_the_caller, .timeout = TEST_TIMEOUT)
{
	struct service_arguments arguments;
	channel_open(&arguments.channel);
	pid_t pid = spawn_child(service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct call_result result = call(&client, 0, BAD_REPLY, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_FAILED_REPLY, "got %s", br_name(result.cmd));
	struct binder_extended_error error = get_extended_error(client.device);
	CHECKF(error.command == BR_FAILED_REPLY && error.param == -EINVAL,
	       "the caller got {%u, %s, %d}", error.id, br_name(error.command), error.param);
	/* The replier's record is {the reply's id, BR_OK, 0}: the same id. */
	uint64_t report = hear_from_child(&arguments.channel);
	CHECKF(report & (1ull << REPLY_ID_BIT), "the replier's record was not {id, BR_OK, 0}");
	CHECKF((uint32_t)report == error.id, "reply id %u, the caller's error id %u",
	       (uint32_t)report, error.id);
	finish(&client, pid);
	client_close(&client);
	channel_close(&arguments.channel);
}
