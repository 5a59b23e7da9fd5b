/*
 * freeze.c - conformance of the freezer: BINDER_FREEZE and
 * BINDER_GET_FROZEN_INFO by pid (EINVAL for a pid with no binder open); a
 * two-way call to a frozen process fails with BR_FROZEN_REPLY (also the
 * caller's extended error) and sets bit 0 of sync_recv; a oneway call is
 * queued and sets async_recv; bit 1 of sync_recv says transactions are in
 * progress; freezing a process that has some fails with EAGAIN and leaves
 * it thawed, unless they drain within the timeout; thawing clears the
 * flags; BINDER_ENABLE_ONEWAY_SPAM_DETECTION is accepted.
 *
 * On the 6.1 kernel a oneway call to a frozen process is answered with
 * BR_TRANSACTION_COMPLETE; later kernels answer BR_TRANSACTION_PENDING_FROZEN
 * (not in Debian 12's header): both are accepted.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

#ifndef BR_TRANSACTION_PENDING_FROZEN
#define BR_TRANSACTION_PENDING_FROZEN _IO('r', 20)
#endif

/* Above any pid_max: no process has it. */
#define NO_SUCH_PID  0x7ffffff0u
#define CALL_CODE    1
#define ONEWAY_CODE  2
#define FINISH_CODE  99
#define SHORT_WAIT   100
#define LONG_WAIT    WAIT_MS
#define SYNC_FROZEN  1u /* sync_recv bit 0 */
#define SYNC_PENDING 2u /* sync_recv bit 1 */

enum service_step {
	STEP_READY = 1,
	STEP_SERVE,
	STEP_SERVED,
	STEP_HOLD,
	STEP_HELD,
	STEP_REPLY,
	STEP_TAKE_TWO,
};

/* What the service reports after STEP_TAKE_TWO: the first data word of
 * each call, the first one shifted by this. */
#define FIRST_SHIFT 32

static int freeze(binder_device *device, uint32_t pid, bool enable, uint32_t timeout_ms)
{
	struct binder_freeze_info info = {.pid = pid, .enable = enable, .timeout_ms = timeout_ms};
	return binder_device_ioctl(device, BINDER_FREEZE, &info);
}

static void expect_frozen_info(binder_device *device, uint32_t pid, uint32_t sync_recv,
                               uint32_t async_recv)
{
	struct binder_frozen_status_info info;
	memset(&info, 0xa5, sizeof(info));
	info.pid = pid;
	int result = binder_device_ioctl(device, BINDER_GET_FROZEN_INFO, &info);
	CHECKF(result == 0, "BINDER_GET_FROZEN_INFO gave %d (%s)", result, strerror(-result));
	CHECKF(info.pid == pid && info.sync_recv == sync_recv && info.async_recv == async_recv,
	       "frozen info: sync_recv %u async_recv %u, expected %u %u", info.sync_recv,
	       info.async_recv, sync_recv, async_recv);
}

/* Sends a transaction and returns its first outcome (frozen outcomes
 * included, which the harness's call() does not know). */
static uint32_t send_data_and_wait(struct binder_client *client, uint32_t code, uint32_t flags,
                                   const void *data, size_t data_size, struct br_event *reply)
{
	static const uint32_t outcomes[] = {
	        BR_REPLY,        BR_FAILED_REPLY,         BR_DEAD_REPLY,
	        BR_FROZEN_REPLY, BR_TRANSACTION_COMPLETE, BR_TRANSACTION_PENDING_FROZEN};
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction(&stream, BC_TRANSACTION, 0, code, flags, data, data_size, NULL, 0);
	send_commands(client, &stream);
	for (;;) {
		struct br_event event;
		int status = client_take(client, outcomes, 6, &event, WAIT_MS);
		CHECKF(status == 0, "no outcome for the call within %d ms", WAIT_MS);
		if (event.cmd == BR_TRANSACTION_COMPLETE && !(flags & TF_ONE_WAY))
			continue;
		if (event.cmd == BR_REPLY && reply)
			*reply = event;
		return event.cmd;
	}
}

static uint32_t send_and_wait(struct binder_client *client, uint32_t code, uint32_t flags,
                              struct br_event *reply)
{
	return send_data_and_wait(client, code, flags, NULL, 0, reply);
}

Test(freeze, unknown_pid_is_einval, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	CHECK(freeze(client.device, NO_SUCH_PID, true, 0) == -EINVAL);
	CHECK(freeze(client.device, NO_SUCH_PID, false, 0) == -EINVAL);
	struct binder_frozen_status_info info = {.pid = NO_SUCH_PID};
	CHECK(binder_device_ioctl(client.device, BINDER_GET_FROZEN_INFO, &info) == -EINVAL);
	client_close(&client);
}

Test(freeze, oneway_spam_detection_is_accepted, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	uint32_t enable = 1;
	CHECK(binder_device_ioctl(client.device, BINDER_ENABLE_ONEWAY_SPAM_DETECTION, &enable) ==
	      0);
	enable = 0;
	CHECK(binder_device_ioctl(client.device, BINDER_ENABLE_ONEWAY_SPAM_DETECTION, &enable) ==
	      0);
	client_close(&client);
}

struct service_arguments {
	struct channel channel;
};

/* Context manager that only reads when told: STEP_SERVE, take the queued
 * oneway call and answer one two-way call; STEP_HOLD, take a two-way call
 * and keep it until STEP_REPLY; FINISH_CODE ends it. */
static int service(void *argument)
{
	struct service_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, STEP_READY);
	for (;;) {
		uint64_t step = hear_from_parent(&arguments->channel);
		struct br_event event;
		if (step == STEP_SERVE) {
			expect_transaction(&service, &event);
			CHECKF(event.txn.code == ONEWAY_CODE, "code %u", event.txn.code);
			free_buffer(&service, &event);
			expect_transaction(&service, &event);
			CHECKF(event.txn.code == CALL_CODE, "code %u", event.txn.code);
			reply_and_free(&service, &event, NULL, 0, NULL, 0);
			tell_parent(&arguments->channel, STEP_SERVED);
		} else if (step == STEP_TAKE_TWO) {
			uint64_t words[2];
			for (size_t i = 0; i < 2; i++) {
				uint32_t word;
				expect_transaction(&service, &event);
				CHECKF(event.txn.code == ONEWAY_CODE &&
				               event.txn.data_size >= sizeof(word),
				       "code %u size %llu", event.txn.code,
				       (unsigned long long)event.txn.data_size);
				memcpy(&word, event_data(&service, &event), sizeof(word));
				words[i] = word;
				free_buffer(&service, &event);
			}
			tell_parent(&arguments->channel, words[0] << FIRST_SHIFT | words[1]);
		} else if (step == STEP_HOLD) {
			expect_transaction(&service, &event);
			CHECKF(event.txn.code == CALL_CODE, "code %u", event.txn.code);
			tell_parent(&arguments->channel, STEP_HELD);
			CHECK(hear_from_parent(&arguments->channel) == STEP_REPLY);
			reply_and_free(&service, &event, NULL, 0, NULL, 0);
		} else {
			CHECKF(step == FINISH_CODE, "step %llu", (unsigned long long)step);
			expect_transaction(&service, &event);
			CHECK(event.txn.code == FINISH_CODE);
			reply_and_free(&service, &event, NULL, 0, NULL, 0);
			break;
		}
	}
	client_close(&service);
	return 0;
}

static pid_t start_service(struct service_arguments *arguments)
{
	channel_open(&arguments->channel);
	pid_t pid = spawn_child(service, arguments);
	CHECK(hear_from_child(&arguments->channel) == STEP_READY);
	return pid;
}

static void finish_service(struct service_arguments *arguments, struct binder_client *client,
                           pid_t pid)
{
	tell_child(&arguments->channel, FINISH_CODE);
	struct br_event reply;
	uint32_t outcome = send_and_wait(client, FINISH_CODE, 0, &reply);
	CHECKF(outcome == BR_REPLY, "the service no longer answers: %s", br_name(outcome));
	free_buffer(client, &reply);
	expect_child_success(pid);
	channel_close(&arguments->channel);
}

Test(freeze, frozen_process_refuses_calls_and_queues_oneway, .timeout = TEST_TIMEOUT)
{
	struct service_arguments arguments;
	pid_t pid = start_service(&arguments);
	struct binder_client client;
	open_client(&client, AREA_SIZE);

	expect_frozen_info(client.device, pid, 0, 0);
	CHECK(freeze(client.device, pid, true, 0) == 0);
	expect_frozen_info(client.device, pid, 0, 0);

	/* A two-way call fails, and says why. */
	uint32_t outcome = send_and_wait(&client, CALL_CODE, 0, NULL);
	CHECKF(outcome == BR_FROZEN_REPLY, "a call to a frozen process got %s", br_name(outcome));
	struct binder_extended_error error;
	CHECK(binder_device_ioctl(client.device, BINDER_GET_EXTENDED_ERROR, &error) == 0);
	CHECKF(error.id != 0 && error.command == BR_FROZEN_REPLY && error.param == 0,
	       "extended error {%u, %s, %d}", error.id, br_name(error.command), error.param);
	expect_frozen_info(client.device, pid, SYNC_FROZEN, 0);

	/* A oneway call is queued; being queued, it is in progress. */
	outcome = send_and_wait(&client, ONEWAY_CODE, TF_ONE_WAY, NULL);
	CHECKF(outcome == BR_TRANSACTION_COMPLETE || outcome == BR_TRANSACTION_PENDING_FROZEN,
	       "a oneway call to a frozen process got %s", br_name(outcome));
	expect_frozen_info(client.device, pid, SYNC_FROZEN | SYNC_PENDING, 1);

	/* Freezing again with the oneway call still queued: EAGAIN, and the
	 * process is thawed (its flags were reset by the attempt). */
	int result = freeze(client.device, pid, true, 0);
	CHECKF(result == -EAGAIN, "freezing a busy process gave %d", result);
	expect_frozen_info(client.device, pid, SYNC_PENDING, 0);

	/* Thawed: it takes the oneway call and answers a two-way one. */
	tell_child(&arguments.channel, STEP_SERVE);
	struct br_event reply;
	outcome = send_and_wait(&client, CALL_CODE, 0, &reply);
	CHECKF(outcome == BR_REPLY, "a call after the thaw got %s", br_name(outcome));
	free_buffer(&client, &reply);
	CHECK(hear_from_child(&arguments.channel) == STEP_SERVED);

	/* Idle now: it freezes, and thaws with its flags cleared. */
	CHECK(freeze(client.device, pid, true, 0) == 0);
	expect_frozen_info(client.device, pid, 0, 0);
	CHECK(freeze(client.device, pid, false, 0) == 0);
	expect_frozen_info(client.device, pid, 0, 0);

	finish_service(&arguments, &client, pid);
	client_close(&client);
}

struct freezer {
	binder_device *device;
	uint32_t pid;
	int result;
};

static void *freeze_on_another_thread(void *argument)
{
	struct freezer *freezer = argument;
	harness_mark_helper_thread();
	freezer->result = freeze(freezer->device, freezer->pid, true, LONG_WAIT);
	return NULL;
}

Test(freeze, call_in_progress_blocks_freezing, .timeout = TEST_TIMEOUT)
{
	struct service_arguments arguments;
	pid_t pid = start_service(&arguments);
	struct binder_client client, other;
	open_client(&client, AREA_SIZE);
	open_client(&other, AREA_SIZE);

	/* The service holds a two-way call without answering. */
	tell_child(&arguments.channel, STEP_HOLD);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction(&stream, BC_TRANSACTION, 0, CALL_CODE, 0, NULL, 0, NULL, 0);
	send_commands(&client, &stream);
	CHECK(hear_from_child(&arguments.channel) == STEP_HELD);
	expect_frozen_info(other.device, pid, SYNC_PENDING, 0);

	/* Without a timeout, or when it runs out: EAGAIN, and still thawed. */
	int result = freeze(other.device, pid, true, 0);
	CHECKF(result == -EAGAIN, "freeze without a timeout gave %d", result);
	result = freeze(other.device, pid, true, SHORT_WAIT);
	CHECKF(result == -EAGAIN, "freeze with a short timeout gave %d", result);
	expect_frozen_info(other.device, pid, SYNC_PENDING, 0);

	/* A freeze that waits long enough succeeds once the call is answered
	 * (whether the answer comes before or during its wait). */
	struct freezer freezer = {.device = other.device, .pid = (uint32_t)pid};
	pthread_t thread;
	CHECK(pthread_create(&thread, NULL, freeze_on_another_thread, &freezer) == 0);
	tell_child(&arguments.channel, STEP_REPLY);
	struct call_result call_result = wait_call_result(&client, false);
	CHECKF(call_result.cmd == BR_REPLY, "the held call got %s", br_name(call_result.cmd));
	free_buffer(&client, &call_result.reply);
	CHECK(pthread_join(thread, NULL) == 0);
	CHECKF(freezer.result == 0, "freeze with a long timeout gave %d", freezer.result);
	expect_frozen_info(other.device, pid, 0, 0);
	CHECK(freeze(other.device, pid, false, 0) == 0);

	finish_service(&arguments, &client, pid);
	client_close(&other);
	client_close(&client);
}

Test(freeze, update_txn_replaces_a_queued_oneway_call, .timeout = TEST_TIMEOUT)
{
	struct service_arguments arguments;
	pid_t pid = start_service(&arguments);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	CHECK(freeze(client.device, pid, true, 0) == 0);
	/* The first call is handed to the process; the second waits behind
	 * it on the object; the third supersedes the second. */
	for (uint32_t word = 1; word <= 3; word++) {
		uint32_t outcome =
		        send_data_and_wait(&client, ONEWAY_CODE, TF_ONE_WAY | TF_UPDATE_TXN, &word,
		                           sizeof(word), NULL);
		CHECKF(outcome == BR_TRANSACTION_COMPLETE ||
		               outcome == BR_TRANSACTION_PENDING_FROZEN,
		       "oneway call %u got %s", word, br_name(outcome));
	}
	CHECK(freeze(client.device, pid, false, 0) == 0);
	tell_child(&arguments.channel, STEP_TAKE_TWO);
	uint64_t words = hear_from_child(&arguments.channel);
	CHECKF(words == ((uint64_t)1 << FIRST_SHIFT | 3), "the service got %llu then %llu",
	       (unsigned long long)(words >> FIRST_SHIFT), (unsigned long long)(uint32_t)words);
	/* Nothing else is queued: the next transaction is FINISH_CODE. */
	finish_service(&arguments, &client, pid);
	client_close(&client);
}
