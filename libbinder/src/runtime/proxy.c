/*
 * proxy.c - proxies: one per handle per context, holding the driver's
 * strong and weak reference on the handle (BC_INCREFS + BC_ACQUIRE when
 * made, BC_RELEASE + BC_DECREFS when the last user reference goes).
 */
#include "runtime.h"

#include <stdlib.h>

int proxy_for_handle(binder_context *context, int32_t handle, binder_object **out)
{
	struct ipc_command acquire[2] = {
	        {BC_INCREFS, &handle, sizeof(uint32_t)},
	        {BC_ACQUIRE, &handle, sizeof(uint32_t)},
	};
	binder_object *proxy;

	if (handle < 0)
		return BINDER_BAD_VALUE;
	pthread_mutex_lock(&context->lock);
	HASH_FIND(hh, context->proxies, &handle, sizeof(handle), proxy);
	if (proxy) {
		atomic_fetch_add(&proxy->refcount, 1);
		pthread_mutex_unlock(&context->lock);
		*out = proxy;
		return 0;
	}
	if (context->closing) {
		pthread_mutex_unlock(&context->lock);
		return BINDER_DEAD_OBJECT;
	}
	proxy = calloc(1, sizeof(*proxy));
	if (!proxy) {
		pthread_mutex_unlock(&context->lock);
		return BINDER_NO_MEMORY;
	}
	atomic_init(&proxy->refcount, 1);
	atomic_init(&proxy->dead, false);
	proxy->handle = handle;
	proxy->context = binder_context_ref(context);
	HASH_ADD(hh, context->proxies, handle, sizeof(proxy->handle), proxy);
	pthread_mutex_unlock(&context->lock);
	/* The handle stays valid meanwhile: whoever gave it to us (a buffer
	 * not freed yet) holds a reference on it. Handle 0 is the context
	 * manager, which the driver resolves without one. */
	if (ipc_send_commands(context, acquire, 2) == 0)
		proxy->driver_referenced = true;
	*out = proxy;
	return 0;
}

void proxy_release(binder_object *proxy)
{
	binder_context *context = proxy->context;
	struct binder_death_registration *registration;
	struct binder_handle_cookie clear;
	uint32_t handle = (uint32_t)proxy->handle;
	struct ipc_command release[3];
	size_t count = 0;

	HASH_DELETE(hh, context->proxies, proxy);
	registration = death_detach_proxy_locked(proxy);
	pthread_mutex_unlock(&context->lock);

	if (registration) {
		clear.handle = handle;
		clear.cookie = (uintptr_t)registration;
		release[count++] =
		        (struct ipc_command){BC_CLEAR_DEATH_NOTIFICATION, &clear, sizeof(clear)};
	}
	if (proxy->driver_referenced) {
		release[count++] = (struct ipc_command){BC_RELEASE, &handle, sizeof(handle)};
		release[count++] = (struct ipc_command){BC_DECREFS, &handle, sizeof(handle)};
	}
	/* Fails harmlessly once the context is closed: nothing to release.
	 * Written now, under death_lock (taken by binder_object_unref), so
	 * that a later link on the same handle reaches the driver after
	 * this clear. */
	ipc_send_commands_now(context, release, count);
	free(proxy);
}

void proxies_mark_dead_locked(binder_context *context)
{
	binder_object *proxy, *next;

	HASH_ITER(hh, context->proxies, proxy, next)
	{
		atomic_store(&proxy->dead, true);
		/* Their links are dropped with the context: never called. */
		proxy->death_delivered = true;
	}
}
