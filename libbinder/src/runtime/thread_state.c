/*
 * thread_state.c - per-thread state for each context the thread uses:
 * commands read and not yet handled, commands queued for the next ioctl,
 * and whether the thread is a looper. Freed when the thread exits, or
 * when the thread makes a new state after its context was freed (a
 * registry of live context ids tells, without touching freed memory).
 */
#include "runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static __thread struct binder_thread_state *thread_states;

struct live_context {
	uint64_t id;
	UT_hash_handle hh;
};
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct live_context *live_contexts;

int thread_state_context_born(uint64_t id)
{
	struct live_context *entry = calloc(1, sizeof(*entry));

	if (!entry)
		return -ENOMEM;
	entry->id = id;
	pthread_mutex_lock(&live_lock);
	HASH_ADD(hh, live_contexts, id, sizeof(entry->id), entry);
	pthread_mutex_unlock(&live_lock);
	return 0;
}

void thread_state_context_gone(uint64_t id)
{
	struct live_context *entry;

	pthread_mutex_lock(&live_lock);
	HASH_FIND(hh, live_contexts, &id, sizeof(id), entry);
	if (entry)
		HASH_DELETE(hh, live_contexts, entry);
	pthread_mutex_unlock(&live_lock);
	free(entry);
}

/* Frees this thread's states of contexts that no longer exist. */
static void prune_states(void)
{
	struct binder_thread_state **link = &thread_states;

	pthread_mutex_lock(&live_lock);
	while (*link) {
		struct binder_thread_state *state = *link;
		struct live_context *entry;

		HASH_FIND(hh, live_contexts, &state->context_id, sizeof(state->context_id), entry);
		if (entry) {
			link = &state->next;
			continue;
		}
		*link = state->next;
		free(state->out);
		free(state);
	}
	pthread_mutex_unlock(&live_lock);
}
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

/* Tells the kernel driver that the thread is gone (as AOSP's
 * IPCThreadState does), so that it does not keep the thread's state for
 * the life of the process. binderd notices by itself: the thread's channel
 * closes. Only for a context that still exists and is not closing. */
static void exit_driver_thread(struct binder_thread_state *state)
{
	struct live_context *entry;
	binder_context *context = NULL;

	if (state->looper && !state->polling)
		return; /* pool threads say it themselves */
	pthread_mutex_lock(&live_lock);
	HASH_FIND(hh, live_contexts, &state->context_id, sizeof(state->context_id), entry);
	/* Listed: not freed, and runtime_enter keeps it so while we work. */
	if (entry && runtime_enter(state->context) == 0)
		context = state->context;
	pthread_mutex_unlock(&live_lock);
	if (!context)
		return;
	if (binder_device_backend(context->device) == BINDER_BACKEND_KERNEL)
		binder_device_ioctl(context->device, BINDER_THREAD_EXIT, NULL);
	runtime_leave(context);
}

static void free_states(void *unused)
{
	(void)unused;
	while (thread_states) {
		struct binder_thread_state *state = thread_states;

		thread_states = state->next;
		exit_driver_thread(state);
		free(state->out);
		free(state);
	}
}

static void make_exit_key(void)
{
	pthread_key_create(&exit_key, free_states);
}

struct binder_thread_state *thread_state_find(const binder_context *context)
{
	struct binder_thread_state *state;

	for (state = thread_states; state; state = state->next)
		if (state->context_id == context->id)
			return state;
	return NULL;
}

struct binder_thread_state *thread_state_get(binder_context *context)
{
	struct binder_thread_state *state = thread_state_find(context);

	if (state)
		return state;
	pthread_once(&exit_key_once, make_exit_key);
	prune_states();
	state = calloc(1, sizeof(*state));
	if (!state)
		return NULL;
	/* Room for a reply and a few small commands from the start, so that
	 * answering a call never fails for want of memory. */
	state->out_capacity = 256;
	state->out = malloc(state->out_capacity);
	if (!state->out) {
		free(state);
		return NULL;
	}
	state->context_id = context->id;
	state->context = context;
	state->next = thread_states;
	thread_states = state;
	/* Any non-NULL value makes the destructor run at thread exit. */
	pthread_setspecific(exit_key, state);
	return state;
}

int thread_state_queue(struct binder_thread_state *state, uint32_t command, const void *payload,
                       size_t size)
{
	size_t needed = state->out_size + sizeof(command) + size;

	if (needed > state->out_capacity) {
		size_t capacity = state->out_capacity ? state->out_capacity * 2 : 256;
		uint8_t *out;

		while (capacity < needed)
			capacity *= 2;
		out = realloc(state->out, capacity);
		if (!out)
			return -ENOMEM;
		state->out = out;
		state->out_capacity = capacity;
	}
	memcpy(state->out + state->out_size, &command, sizeof(command));
	if (size)
		memcpy(state->out + state->out_size + sizeof(command), payload, size);
	state->out_size = needed;
	return 0;
}
