/*
 * looper.c - conformance of thread-pool management: any idle thread takes
 * process work (the kernel only logs a user error for a thread that never
 * entered the looper); BINDER_SET_MAX_THREADS
 * makes the driver ask for one more looper with BR_SPAWN_LOOPER (in place of
 * the leading BR_NOOP), once, until a thread answers with
 * BC_REGISTER_LOOPER, and never beyond the maximum.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

enum { MODE_SPAWN, MODE_NO_MAX_THREADS, MODE_NOT_LOOPER };

struct looper_arguments {
	struct channel channel;
	int mode;
};

/* Counts (and removes) the BR_SPAWN_LOOPER events queued; each must be the
 * first command of its read buffer. */
static int count_spawn_requests(struct binder_client *client)
{
	int count = 0;
	for (size_t i = 0; i < client->queued;) {
		if (client->queue[i].cmd != BR_SPAWN_LOOPER) {
			i++;
			continue;
		}
		CHECKF(client->queue[i].position == 0,
		       "BR_SPAWN_LOOPER at position %u of its read, not in place of BR_NOOP",
		       client->queue[i].position);
		count++;
		memmove(&client->queue[i], &client->queue[i + 1],
		        (client->queued - i - 1) * sizeof(client->queue[0]));
		client->queued--;
	}
	return count;
}

struct registered_thread {
	struct binder_client view;
	atomic_bool stop;
	atomic_bool registered;
};

/* Registers as the requested looper, then stays out of the way (it does not
 * read, so the main thread keeps taking the calls). */
static void *registered_thread_body(void *argument)
{
	struct registered_thread *thread = argument;
	harness_mark_helper_thread();
	send_command(&thread->view, BC_REGISTER_LOOPER);
	atomic_store(&thread->registered, true);
	while (!atomic_load(&thread->stop))
		usleep(10 * 1000);
	send_command(&thread->view, BC_EXIT_LOOPER);
	return NULL;
}

static void serve_call(struct binder_client *service)
{
	struct br_event event;
	expect_take(service, BR_TRANSACTION, &event);
	reply_and_free(service, &event, NULL, 0, NULL, 0);
}

static int looper_service(void *argument)
{
	struct looper_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	if (arguments->mode == MODE_SPAWN) {
		uint32_t max_threads = 1;
		CHECK(binder_device_ioctl(service.device, BINDER_SET_MAX_THREADS, &max_threads) ==
		      0);
	}
	if (arguments->mode == MODE_NOT_LOOPER) {
		tell_parent(&arguments->channel, 1);
		/* Never entered the looper: the call reaches it all the same. */
		serve_call(&service);
		CHECKF(count_spawn_requests(&service) == 0, "BR_SPAWN_LOOPER to a non-looper");
		client_close(&service);
		return 0;
	}
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	serve_call(&service);
	int spawn_requests = count_spawn_requests(&service);
	if (arguments->mode == MODE_NO_MAX_THREADS)
		CHECKF(spawn_requests == 0, "%d BR_SPAWN_LOOPER with max_threads 0",
		       spawn_requests);
	else
		CHECKF(spawn_requests == 1, "%d BR_SPAWN_LOOPER before the first call was served",
		       spawn_requests);

	struct registered_thread registered = {0};
	pthread_t thread;
	if (arguments->mode == MODE_SPAWN) {
		client_thread_view(&service, &registered.view);
		CHECK(pthread_create(&thread, NULL, registered_thread_body, &registered) == 0);
		for (int i = 0; i < 500 && !atomic_load(&registered.registered); i++)
			usleep(10 * 1000);
		CHECK(atomic_load(&registered.registered));
	}
	tell_parent(&arguments->channel, 2);
	serve_call(&service);
	expect_nothing(&service, 50);
	spawn_requests = count_spawn_requests(&service);
	CHECKF(spawn_requests == 0, "%d BR_SPAWN_LOOPER with the pool full", spawn_requests);
	if (arguments->mode == MODE_SPAWN) {
		atomic_store(&registered.stop, true);
		CHECK(pthread_join(thread, NULL) == 0);
	}
	client_close(&service);
	return 0;
}

static void run_looper_test(int mode, int calls)
{
	struct looper_arguments arguments = {.mode = mode};
	channel_open(&arguments.channel);
	pid_t service = spawn_child(looper_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	for (int i = 0; i < calls; i++) {
		if (i > 0)
			CHECK(hear_from_child(&arguments.channel) == 2);
		struct call_result result = call(&client, 0, 1, 0, NULL, 0, NULL, 0);
		CHECKF(result.cmd == BR_REPLY, "call %d got %s", i, br_name(result.cmd));
		free_buffer(&client, &result.reply);
	}
	expect_child_success(service);
	client_close(&client);
}

Test(looper, spawn_looper_requested_once_up_to_max_threads, .timeout = TEST_TIMEOUT)
{
	run_looper_test(MODE_SPAWN, 2);
}

Test(looper, no_spawn_looper_without_max_threads, .timeout = TEST_TIMEOUT)
{
	run_looper_test(MODE_NO_MAX_THREADS, 2);
}

Test(looper, idle_non_looper_thread_takes_process_work, .timeout = TEST_TIMEOUT)
{
	run_looper_test(MODE_NOT_LOOPER, 1);
}
