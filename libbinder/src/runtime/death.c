/*
 * death.c - death recipients: links on proxies, one driver registration
 * per proxy (BC_REQUEST_DEATH_NOTIFICATION, whose cookie is the
 * registration's address), BR_DEAD_BINDER and the clear handshake.
 */
#include "runtime.h"

#include <stdlib.h>

static struct binder_death_registration *find_registration_locked(binder_context *context,
                                                                  uintptr_t cookie)
{
	struct binder_death_registration *registration;

	HASH_FIND(hh, context->death_registrations, &cookie, sizeof(cookie), registration);
	return registration;
}

int binder_object_link_to_death(binder_object *proxy, binder_death_handler handler, void *cookie)
{
	struct binder_death_registration *registration = NULL;
	struct binder_handle_cookie request;
	binder_context *context;
	struct binder_death_link *link;
	int status = 0;

	if (!proxy || !handler)
		return BINDER_BAD_VALUE;
	if (proxy->local)
		return BINDER_INVALID_OPERATION;
	context = proxy->context;
	link = calloc(1, sizeof(*link));
	if (!link)
		return BINDER_NO_MEMORY;
	link->handler = handler;
	link->cookie = cookie;

	/* The request reaches the driver before any clear of it (death_lock). */
	pthread_mutex_lock(&context->death_lock);
	pthread_mutex_lock(&context->lock);
	/* Known dead (a delivered death, or the driver's dead reply to a
	 * call): nothing left to wait for. */
	if (proxy->death_delivered || atomic_load(&proxy->dead) || context->closing) {
		status = BINDER_DEAD_OBJECT;
	} else {
		struct binder_death_link *existing;

		for (existing = proxy->death_links; existing; existing = existing->next)
			if (existing->handler == handler && existing->cookie == cookie)
				status = BINDER_ALREADY_EXISTS;
	}
	if (status == 0 && !proxy->death_registration) {
		registration = calloc(1, sizeof(*registration));
		if (!registration) {
			status = BINDER_NO_MEMORY;
		} else {
			registration->proxy = proxy;
			registration->key = (uintptr_t)registration;
			proxy->death_registration = registration;
			HASH_ADD(hh, context->death_registrations, key, sizeof(registration->key),
			         registration);
		}
	}
	if (status == 0) {
		/* Called in the order they were linked, as AOSP does. */
		struct binder_death_link **tail = &proxy->death_links;

		while (*tail)
			tail = &(*tail)->next;
		*tail = link;
		link = NULL;
	}
	pthread_mutex_unlock(&context->lock);
	free(link);
	if (status || !registration) {
		pthread_mutex_unlock(&context->death_lock);
		return status;
	}

	request.handle = (uint32_t)proxy->handle;
	request.cookie = (uintptr_t)registration;
	status = ipc_send_commands_now(
	        context,
	        &(struct ipc_command){BC_REQUEST_DEATH_NOTIFICATION, &request, sizeof(request)}, 1);
	if (status) {
		/* The driver never saw it: undo everything. */
		pthread_mutex_lock(&context->lock);
		HASH_DELETE(hh, context->death_registrations, registration);
		proxy->death_registration = NULL;
		while (proxy->death_links) {
			link = proxy->death_links;
			proxy->death_links = link->next;
			free(link);
		}
		pthread_mutex_unlock(&context->lock);
		free(registration);
	}
	pthread_mutex_unlock(&context->death_lock);
	return status;
}

int binder_object_unlink_to_death(binder_object *proxy, binder_death_handler handler, void *cookie)
{
	struct binder_death_registration *clear = NULL;
	struct binder_death_link **link, *found = NULL;
	struct binder_handle_cookie request;
	binder_context *context;
	int status = BINDER_NAME_NOT_FOUND;

	if (!proxy || !handler)
		return BINDER_BAD_VALUE;
	if (proxy->local)
		return BINDER_INVALID_OPERATION;
	context = proxy->context;
	pthread_mutex_lock(&context->death_lock);
	pthread_mutex_lock(&context->lock);
	if (proxy->death_delivered) {
		status = BINDER_DEAD_OBJECT;
	} else {
		for (link = &proxy->death_links; *link; link = &(*link)->next) {
			if ((*link)->handler == handler && (*link)->cookie == cookie) {
				found = *link;
				*link = found->next;
				status = 0;
				break;
			}
		}
	}
	if (found && !proxy->death_links && proxy->death_registration) {
		clear = proxy->death_registration;
		clear->proxy = NULL;
		clear->clear_requested = true;
		proxy->death_registration = NULL;
	}
	pthread_mutex_unlock(&context->lock);
	free(found);
	if (clear) {
		request.handle = (uint32_t)proxy->handle;
		request.cookie = (uintptr_t)clear;
		ipc_send_commands_now(context,
		                      &(struct ipc_command){BC_CLEAR_DEATH_NOTIFICATION, &request,
		                                            sizeof(request)},
		                      1);
	}
	pthread_mutex_unlock(&context->death_lock);
	return status;
}

struct binder_death_registration *death_detach_proxy_locked(binder_object *proxy)
{
	struct binder_death_registration *registration = proxy->death_registration;

	while (proxy->death_links) {
		struct binder_death_link *link = proxy->death_links;

		proxy->death_links = link->next;
		free(link);
	}
	proxy->death_registration = NULL;
	if (!registration)
		return NULL;
	registration->proxy = NULL;
	registration->clear_requested = true;
	return registration;
}

void death_dead_binder(struct binder_thread_state *state, uintptr_t cookie)
{
	binder_context *context = state->context;
	struct binder_death_registration *registration;
	struct binder_death_link *links = NULL;
	binder_object *proxy = NULL;
	binder_uintptr_t done = cookie;

	pthread_mutex_lock(&context->lock);
	registration = find_registration_locked(context, cookie);
	if (registration) {
		proxy = registration->proxy;
		if (proxy) {
			/* Still linked, so still in the proxy table with a
			 * count of at least one: safe to take a reference. */
			atomic_fetch_add(&proxy->refcount, 1);
			atomic_store(&proxy->dead, true);
			proxy->death_delivered = true;
			links = proxy->death_links;
			proxy->death_links = NULL;
			proxy->death_registration = NULL;
		}
		if (!registration->clear_requested) {
			/* No BR_CLEAR_DEATH_NOTIFICATION_DONE will follow. */
			HASH_DELETE(hh, context->death_registrations, registration);
			free(registration);
		}
	}
	pthread_mutex_unlock(&context->lock);

	while (links) {
		struct binder_death_link *link = links;

		links = link->next;
		link->handler(proxy, link->cookie);
		free(link);
	}
	thread_state_queue(state, BC_DEAD_BINDER_DONE, &done, sizeof(done));
	binder_object_unref(proxy);
}

void death_clear_done(binder_context *context, uintptr_t cookie)
{
	struct binder_death_registration *registration;

	pthread_mutex_lock(&context->lock);
	registration = find_registration_locked(context, cookie);
	if (registration && registration->clear_requested) {
		HASH_DELETE(hh, context->death_registrations, registration);
		free(registration);
	}
	pthread_mutex_unlock(&context->lock);
}

void death_free_all_locked(binder_context *context)
{
	struct binder_death_registration *registration, *next;

	HASH_ITER(hh, context->death_registrations, registration, next)
	{
		if (registration->proxy) {
			binder_object *proxy = registration->proxy;

			while (proxy->death_links) {
				struct binder_death_link *link = proxy->death_links;

				proxy->death_links = link->next;
				free(link);
			}
			proxy->death_registration = NULL;
		}
		HASH_DELETE(hh, context->death_registrations, registration);
		free(registration);
	}
}
