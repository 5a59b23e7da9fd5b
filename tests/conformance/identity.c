/*
 * identity.c - conformance of sender identity: sender_pid is the caller's
 * process id (whatever thread calls), sender_euid the effective uid the
 * caller had when it opened the device; oneway calls and replies carry
 * sender_pid 0.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>
#include <sys/fsuid.h>
#include <unistd.h>

#define NOBODY 65534

struct identity_arguments {
	struct channel channel;
	int calls;
};

/* Each call carries the pid and euid the caller expects to be seen with;
 * a oneway call carries pid 0. */
struct expected_identity {
	int32_t pid;
	uint32_t euid;
};

static int identity_service(void *argument)
{
	struct identity_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	for (int i = 0; i < arguments->calls; i++) {
		struct br_event event;
		expect_transaction(&service, &event);
		CHECK(event.txn.data_size == sizeof(struct expected_identity));
		struct expected_identity expected;
		memcpy(&expected, event_data(&service, &event), sizeof(expected));
		CHECKF(event.txn.sender_pid == expected.pid, "call %d: sender_pid %d, expected %d",
		       i, event.txn.sender_pid, expected.pid);
		CHECKF(event.txn.sender_euid == expected.euid,
		       "call %d: sender_euid %u, expected %u", i, event.txn.sender_euid,
		       expected.euid);
		if (event.txn.flags & TF_ONE_WAY)
			free_buffer(&service, &event);
		else
			reply_and_free(&service, &event, NULL, 0, NULL, 0);
	}
	client_close(&service);
	return 0;
}

static pid_t start_identity_service(struct identity_arguments *arguments, int calls)
{
	arguments->calls = calls;
	channel_open(&arguments->channel);
	pid_t pid = spawn_child(identity_service, arguments);
	CHECK(hear_from_child(&arguments->channel) == 1);
	return pid;
}

static void call_with_identity(struct binder_client *client, uint32_t flags, int32_t pid,
                               uint32_t euid)
{
	struct expected_identity expected = {.pid = pid, .euid = euid};
	struct call_result result = call(client, 0, 1, flags, &expected, sizeof(expected), NULL, 0);
	if (flags & TF_ONE_WAY) {
		CHECKF(result.cmd == BR_TRANSACTION_COMPLETE, "got %s", br_name(result.cmd));
		return;
	}
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	CHECKF(result.reply.txn.sender_pid == 0, "reply sender_pid %d",
	       result.reply.txn.sender_pid);
	free_buffer(client, &result.reply);
}

Test(identity, sender_pid_and_euid_are_the_callers, .timeout = TEST_TIMEOUT)
{
	struct identity_arguments arguments;
	pid_t service = start_identity_service(&arguments, 2);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	call_with_identity(&client, 0, getpid(), geteuid());
	call_with_identity(&client, TF_ONE_WAY, 0, geteuid());
	expect_child_success(service);
	client_close(&client);
}

struct thread_call {
	struct binder_client view;
};

static void *call_from_thread(void *argument)
{
	struct thread_call *thread_call = argument;
	harness_mark_helper_thread();
	call_with_identity(&thread_call->view, 0, getpid(), geteuid());
	return NULL;
}

Test(identity, sender_pid_is_the_process_for_any_thread, .timeout = TEST_TIMEOUT)
{
	struct identity_arguments arguments;
	pid_t service = start_identity_service(&arguments, 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct thread_call thread_call;
	client_thread_view(&client, &thread_call.view);
	pthread_t thread;
	CHECK(pthread_create(&thread, NULL, call_from_thread, &thread_call) == 0);
	CHECK(pthread_join(thread, NULL) == 0);
	expect_child_success(service);
	client_close(&client);
}

static int caller_as_nobody(void *argument)
{
	(void)argument;
	/* Effective uid nobody; real and saved stay root, and the file-system
	 * uid goes back to root so the device or socket can still be opened. */
	CHECK(setresuid(0, NOBODY, 0) == 0);
	setfsuid(0);
	CHECK(geteuid() == NOBODY);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	call_with_identity(&client, 0, getpid(), NOBODY);
	client_close(&client);
	return 0;
}

Test(identity, sender_euid_is_the_effective_uid, .timeout = TEST_TIMEOUT)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to change the effective uid");
	struct identity_arguments arguments;
	pid_t service = start_identity_service(&arguments, 1);
	pid_t caller = spawn_child(caller_as_nobody, NULL);
	expect_child_success(caller);
	expect_child_success(service);
}
