/*
 * pool.c - the threads that serve a context: libbinder's own pool threads
 * (the first one started by binder_context_start_thread_pool, more on
 * BR_SPAWN_LOOPER up to max_threads), threads that join the pool, and a
 * thread that polls the device from its own event loop.
 */
#include "runtime.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log_internal.h"

struct pool_thread_start {
	binder_context *context;
	bool enter;
	uint32_t number;
};

static void *pool_thread(void *argument)
{
	struct pool_thread_start start = *(struct pool_thread_start *)argument;
	char name[16];

	free(argument);
	snprintf(name, sizeof(name), "binder:%d_%u", (int)(getpid() % 100000), start.number);
	pthread_setname_np(pthread_self(), name);
	ipc_loop(start.context, start.enter);
	/* The thread's state ends with it; tell the driver (not when the
	 * device is being closed under us: the close does it all). */
	pthread_mutex_lock(&start.context->lock);
	if (!start.enter)
		start.context->spawned_threads--;
	if (!start.context->closing) {
		pthread_mutex_unlock(&start.context->lock);
		binder_device_ioctl(start.context->device, BINDER_THREAD_EXIT, NULL);
	} else {
		pthread_mutex_unlock(&start.context->lock);
	}
	/* Entered by the spawner on this thread's behalf. */
	runtime_leave(start.context);
	return NULL;
}

/* Starts a pool thread; it counts as active from now. */
static int spawn(binder_context *context, bool enter)
{
	struct pool_thread_start *start = malloc(sizeof(*start));
	pthread_attr_t attributes;
	pthread_t thread;
	int status;

	if (!start)
		return BINDER_NO_MEMORY;
	pthread_mutex_lock(&context->lock);
	/* As the kernel's max_threads, the limit counts spawned threads, not
	 * the one that entered the looper itself. */
	if (context->closing || (!enter && context->spawned_threads >= context->max_threads)) {
		pthread_mutex_unlock(&context->lock);
		free(start);
		return context->closing ? BINDER_DEAD_OBJECT : 0;
	}
	start->context = context;
	start->enter = enter;
	start->number = ++context->thread_numbers;
	if (!enter)
		context->spawned_threads++;
	context->active_threads++;
	pthread_mutex_unlock(&context->lock);

	pthread_attr_init(&attributes);
	pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
	status = pthread_create(&thread, &attributes, pool_thread, start);
	pthread_attr_destroy(&attributes);
	if (status) {
		free(start);
		pthread_mutex_lock(&context->lock);
		if (!enter)
			context->spawned_threads--;
		pthread_mutex_unlock(&context->lock);
		runtime_leave(context);
		return -status;
	}
	return 0;
}

void pool_spawn_looper(binder_context *context)
{
	int status = spawn(context, false);

	/* The driver asked for a thread and nobody else hears of this. */
	if (status < 0 && status != BINDER_DEAD_OBJECT)
		runtime_log(BINDER_LOG_ERROR, "cannot start a pool thread: %s",
		            binder_status_to_string(status));
}

int binder_context_start_thread_pool(binder_context *context)
{
	bool started;

	if (!context)
		return BINDER_BAD_VALUE;
	pthread_mutex_lock(&context->lock);
	started = context->pool_started;
	context->pool_started = true;
	pthread_mutex_unlock(&context->lock);
	return started ? 0 : spawn(context, true);
}

int binder_context_join_thread_pool(binder_context *context)
{
	int status;

	if (!context)
		return BINDER_BAD_VALUE;
	status = runtime_enter(context);
	if (status)
		return status == BINDER_DEAD_OBJECT ? 0 : status;
	status = ipc_loop(context, true);
	runtime_leave(context);
	return status;
}

int binder_context_poll_fd(binder_context *context, int *fd)
{
	struct binder_thread_state *state;
	int status;

	if (!context || !fd)
		return BINDER_BAD_VALUE;
	status = runtime_enter(context);
	if (status)
		return status;
	state = thread_state_get(context);
	if (!state) {
		status = BINDER_NO_MEMORY;
	} else if (!state->polling) {
		status = thread_state_queue(state, BC_ENTER_LOOPER, NULL, 0);
		if (status == 0)
			status = ipc_talk(state, false);
		if (status == 0) {
			state->polling = true;
			state->looper = true;
		}
	}
	if (status == 0) {
		status = binder_device_poll_fd(context->device);
		if (status >= 0) {
			*fd = status;
			status = 0;
		}
	}
	runtime_leave(context);
	return status;
}

int binder_context_handle_polled_work(binder_context *context)
{
	struct binder_thread_state *state;
	uint32_t command;
	int status;

	if (!context)
		return BINDER_BAD_VALUE;
	state = thread_state_find(context);
	if (!state || !state->polling)
		return BINDER_INVALID_OPERATION;
	status = runtime_enter(context);
	if (status)
		return status;
	state->inside++;
	/* As AOSP's handlePolledCommands: one read, then all it brought. */
	status = ipc_talk(state, true);
	while (status == 0 && state->in_position < state->in_size) {
		status = ipc_next_command(state, &command);
		if (status == 0)
			status = ipc_execute(state, command);
	}
	state->inside--;
	if (state->out_size) {
		int flushed = ipc_talk(state, false);

		if (status == 0)
			status = flushed;
	}
	runtime_leave(context);
	return status;
}
