/*
 * context.c - binder contexts: opening the device, reference counting,
 * closing (which ends the binder process), the context manager, and the
 * accounting of threads that are inside a context.
 */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "device_runtime.h"
#include "log_internal.h"
#include "object_internal.h"
#include "parcel_internal.h"

/* AOSP's BINDER_VM_SIZE: 1 MiB minus two pages. */
#define DEFAULT_AREA_SIZE ((1u << 20) - 2 * 4096)

static atomic_uint_fast64_t last_context_id;

void binder_context_options_init(struct binder_context_options *options)
{
	memset(options, 0, sizeof(*options));
	options->area_size = DEFAULT_AREA_SIZE;
	options->max_threads = 15;
}

/* The android field took the tail padding: the struct did not grow. */
_Static_assert(sizeof(void *) != 8 || sizeof(struct binder_context_options) == 24,
               "binder_context_options changed size on 64-bit targets");

bool binder_android_is_supported(uint32_t android)
{
	return android >= BINDER_ANDROID_OLDEST && android <= BINDER_ANDROID_NEWEST;
}

uint32_t binder_context_android(const binder_context *context)
{
	return context ? context->android : BINDER_ANDROID_DEFAULT;
}

int binder_context_new(const struct binder_context_options *options, binder_context **out)
{
	struct binder_context_options defaults;
	struct binder_version version = {0};
	binder_context *context;
	int status;

	if (!out)
		return BINDER_BAD_VALUE;
	if (!options) {
		binder_context_options_init(&defaults);
		options = &defaults;
	}
	if (options->android && !binder_android_is_supported(options->android))
		return BINDER_BAD_VALUE;
	context = calloc(1, sizeof(*context));
	if (!context)
		return BINDER_NO_MEMORY;
	atomic_init(&context->refcount, 1);
	context->id = atomic_fetch_add(&last_context_id, 1) + 1;
	context->area_size = options->area_size ? options->area_size : DEFAULT_AREA_SIZE;
	context->max_threads = options->max_threads;
	context->android = options->android ? options->android : BINDER_ANDROID_DEFAULT;
	pthread_mutex_init(&context->lock, NULL);
	pthread_mutex_init(&context->death_lock, NULL);
	pthread_cond_init(&context->threads_left, NULL);

	status = thread_state_context_born(context->id);
	if (status)
		goto fail_early;
	status = binder_device_open(options->device, O_CLOEXEC, &context->device);
	if (status)
		goto fail;
	status = binder_device_ioctl(context->device, BINDER_VERSION, &version);
	if (status)
		goto fail;
	if (version.protocol_version != BINDER_CURRENT_PROTOCOL_VERSION) {
		status = BINDER_BAD_VALUE;
		goto fail;
	}
	status = binder_device_mmap(context->device, context->area_size, &context->area);
	if (status)
		goto fail;
	status =
	        binder_device_ioctl(context->device, BINDER_SET_MAX_THREADS, &context->max_threads);
	if (status)
		goto fail;
	*out = context;
	return 0;

fail:
	thread_state_context_gone(context->id);
fail_early:
	binder_device_close(context->device);
	pthread_mutex_destroy(&context->lock);
	pthread_mutex_destroy(&context->death_lock);
	pthread_cond_destroy(&context->threads_left);
	free(context);
	return status;
}

binder_context *binder_context_ref(binder_context *context)
{
	if (context)
		atomic_fetch_add(&context->refcount, 1);
	return context;
}

static void context_free(binder_context *context)
{
	binder_context_close(context);
	thread_state_context_gone(context->id);
	if (context->kept_area)
		munmap(context->kept_area, context->kept_area_size);
	pthread_mutex_destroy(&context->lock);
	pthread_mutex_destroy(&context->death_lock);
	pthread_cond_destroy(&context->threads_left);
	free(context);
}

static void *close_and_free(void *context)
{
	context_free(context);
	return NULL;
}

void binder_context_unref(binder_context *context)
{
	struct binder_thread_state *state;

	if (!context || atomic_fetch_sub(&context->refcount, 1) != 1)
		return;
	state = thread_state_find(context);
	if (state && (state->handler_depth || state->inside)) {
		/* The last reference went on one of the context's own binder
		 * threads (often libbinder's, freeing an object the driver let
		 * go): that thread cannot wait for itself, so another closes
		 * and frees the context once every thread has left it. */
		pthread_attr_t attributes;
		pthread_t closer;
		int error;

		pthread_attr_init(&attributes);
		pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
		error = pthread_create(&closer, &attributes, close_and_free, context);
		pthread_attr_destroy(&attributes);
		/* No thread: leave it open rather than free it under us. */
		if (error)
			runtime_log(
			        BINDER_LOG_ERROR,
			        "cannot close a context: no thread to close it (%s); it stays open",
			        binder_status_to_string(-error));
		return;
	}
	context_free(context);
}

int runtime_enter(binder_context *context)
{
	int status = 0;

	pthread_mutex_lock(&context->lock);
	if (context->closing)
		status = BINDER_DEAD_OBJECT;
	else
		context->active_threads++;
	pthread_mutex_unlock(&context->lock);
	return status;
}

void runtime_leave(binder_context *context)
{
	pthread_mutex_lock(&context->lock);
	if (--context->active_threads == 0 && context->closing)
		pthread_cond_broadcast(&context->threads_left);
	pthread_mutex_unlock(&context->lock);
}

int binder_context_close(binder_context *context)
{
	struct binder_thread_state *state;
	binder_object *manager, *unheld;
	int status;

	if (!context)
		return BINDER_BAD_VALUE;
	/* A thread inside the context (a handler, a looper, a caller waiting
	 * for a reply) cannot wait for itself to leave. A polling thread
	 * between two calls is not inside. */
	state = thread_state_find(context);
	if (state && (state->handler_depth || state->inside))
		return BINDER_INVALID_OPERATION;
	pthread_mutex_lock(&context->lock);
	if (context->closing) {
		while (!context->closed)
			pthread_cond_wait(&context->threads_left, &context->lock);
		pthread_mutex_unlock(&context->lock);
		return 0;
	}
	context->closing = true;
	pthread_mutex_unlock(&context->lock);

	binder_device_interrupt(context->device);

	pthread_mutex_lock(&context->lock);
	while (context->active_threads)
		pthread_cond_wait(&context->threads_left, &context->lock);
	pthread_mutex_unlock(&context->lock);

	/* No thread is in the device now, and none can enter it. Received
	 * parcels may still be read: their bytes stay, in a private copy of
	 * the area that lives as long as the context. */
	status = binder_device_keep_area_copy(context->device, &context->kept_area,
	                                      &context->kept_area_size);
	if (status) {
		/* -EINVAL is expected in a forked child: the area is the
		 * parent's. Out of memory is a real loss. */
		if (status == BINDER_NO_MEMORY)
			runtime_log(BINDER_LOG_ERROR,
			            "closing a context: no memory to keep its receive area: "
			            "parcels received before are no longer readable");
		context->kept_area = NULL;
	}
	binder_device_close(context->device);
	context->device = NULL;

	pthread_mutex_lock(&context->lock);
	proxies_mark_dead_locked(context);
	death_free_all_locked(context);
	unheld = local_forget_driver_references_locked(context);
	manager = context->manager;
	context->manager = NULL;
	context->closed = true;
	pthread_cond_broadcast(&context->threads_left);
	pthread_mutex_unlock(&context->lock);
	while (unheld) {
		binder_object *next = unheld->next_unheld;

		local_destroy(unheld);
		unheld = next;
	}
	binder_object_unref(manager);
	return 0;
}

int binder_context_set_max_threads(binder_context *context, uint32_t max_threads)
{
	int status;

	if (!context)
		return BINDER_BAD_VALUE;
	status = runtime_enter(context);
	if (status)
		return status;
	status = binder_device_ioctl(context->device, BINDER_SET_MAX_THREADS, &max_threads);
	if (status == 0) {
		pthread_mutex_lock(&context->lock);
		context->max_threads = max_threads;
		pthread_mutex_unlock(&context->lock);
	}
	runtime_leave(context);
	return status;
}

int binder_context_set_security_context(binder_context *context, const char *label)
{
	int status;

	if (!context || !label)
		return BINDER_BAD_VALUE;
	status = runtime_enter(context);
	if (status)
		return status;
	status = binder_device_set_security_context(context->device, label);
	runtime_leave(context);
	switch (status) {
	case 0:
		return BINDER_OK;
	case -EINVAL:
		return BINDER_BAD_VALUE;
	case -EPERM:
		return BINDER_PERMISSION_DENIED;
	case -EOPNOTSUPP:
		return BINDER_INVALID_OPERATION;
	case -ENOMEM:
		return BINDER_NO_MEMORY;
	case -ENOTCONN:
	case -EPIPE:
	case -ECONNRESET:
		return BINDER_DEAD_OBJECT;
	default:
		return status;
	}
}

int binder_context_become_manager(binder_context *context, binder_object *object)
{
	struct flat_binder_object flat = {0};
	int status;

	if (!context || !object || !object->local || object->context != context)
		return BINDER_BAD_VALUE;
	status = runtime_enter(context);
	if (status)
		return status;
	/* Set first: a transaction may arrive as soon as the ioctl is done. */
	pthread_mutex_lock(&context->lock);
	if (context->manager)
		status = -EBUSY;
	else
		context->manager = binder_object_ref(object);
	pthread_mutex_unlock(&context->lock);
	if (status == 0) {
		flat.hdr.type = BINDER_TYPE_BINDER;
		binder_object_flatten(object, &flat);
		status = binder_device_ioctl(context->device, BINDER_SET_CONTEXT_MGR_EXT, &flat);
		if (status == -EINVAL) {
			int unused = 0;

			status = binder_device_ioctl(context->device, BINDER_SET_CONTEXT_MGR,
			                             &unused);
		}
		if (status) {
			pthread_mutex_lock(&context->lock);
			context->manager = NULL;
			pthread_mutex_unlock(&context->lock);
			binder_object_unref(object);
		}
	}
	runtime_leave(context);
	return status;
}

int binder_context_manager(binder_context *context, binder_object **out)
{
	if (!context || !out)
		return BINDER_BAD_VALUE;
	return proxy_for_handle(context, 0, out);
}
