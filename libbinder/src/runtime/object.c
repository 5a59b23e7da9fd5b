/*
 * object.c - what local objects and proxies share: references, accessors,
 * transact / ping / descriptor, and the flat_binder_object translation the
 * parcels use (object_internal.h).
 */
#include "runtime.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "object_internal.h"

binder_object *binder_object_ref(binder_object *object)
{
	if (object)
		atomic_fetch_add(&object->refcount, 1);
	return object;
}

void binder_object_unref(binder_object *object)
{
	binder_context *context;
	bool local;

	if (!object)
		return;
	/* Read before the count drops: after it, another holder may free. */
	context = object->context;
	local = object->local;
	/* A proxy's release may clear its death request: see death_lock. */
	if (!local)
		pthread_mutex_lock(&context->death_lock);
	/* Every decrement happens under the lock, so that a table lookup
	 * (which may bring a count back from 0) never meets a freed object. */
	pthread_mutex_lock(&context->lock);
	if (atomic_fetch_sub(&object->refcount, 1) != 1) {
		pthread_mutex_unlock(&context->lock);
		if (!local)
			pthread_mutex_unlock(&context->death_lock);
		return;
	}
	if (local) {
		if (object->driver_strong || object->driver_weak) {
			pthread_mutex_unlock(&context->lock);
			return;
		}
		if (!object->killed)
			HASH_DELETE(hh, context->locals, object);
		pthread_mutex_unlock(&context->lock);
		local_destroy(object);
		return;
	}
	proxy_release(object);
	pthread_mutex_unlock(&context->death_lock);
	binder_context_unref(context);
}

int binder_object_request_security_context(binder_object *object)
{
	if (!object)
		return BINDER_BAD_VALUE;
	if (!object->local)
		return BINDER_INVALID_OPERATION;
	atomic_store(&object->wants_security_context, true);
	return 0;
}

bool binder_object_is_local(const binder_object *object)
{
	return object && object->local;
}

binder_context *binder_object_context(const binder_object *object)
{
	return object ? object->context : NULL;
}

void *binder_object_user_data(const binder_object *object)
{
	return object && object->local ? object->user_data : NULL;
}

int32_t binder_object_handle(const binder_object *object)
{
	return object && !object->local ? object->handle : -1;
}

bool binder_object_is_alive(const binder_object *object)
{
	if (!object)
		return false;
	if (object->local)
		return true;
	return !atomic_load(&object->dead);
}

int binder_object_transact(binder_object *object, uint32_t code, binder_parcel *data,
                           binder_parcel *reply, uint32_t flags)
{
	struct binder_caller caller = {0};
	binder_parcel *empty = NULL, *ignored = NULL;
	int status;

	if (!object || (flags & ~(uint32_t)(BINDER_FLAG_ONEWAY | TF_ACCEPT_FDS | TF_CLEAR_BUF)))
		return BINDER_BAD_VALUE;
	if (!object->local)
		return positive_status_as_error(transact_remote(object, code, data, reply, flags));

	/* A local object: its handler runs here, as AOSP's BBinder::transact. */
	if (!data)
		data = empty = binder_parcel_new();
	if ((flags & BINDER_FLAG_ONEWAY) || !reply)
		reply = ignored = binder_parcel_new();
	if (!data || !reply) {
		status = BINDER_NO_MEMORY;
	} else {
		caller.pid = getpid();
		caller.euid = geteuid();
		caller.flags = flags;
		binder_parcel_set_position(data, 0);
		binder_parcel_reset(reply);
		status = transact_local(object, code, data, reply, &caller);
		binder_parcel_set_position(reply, 0);
	}
	binder_parcel_free(empty);
	binder_parcel_free(ignored);
	return positive_status_as_error(status);
}

int binder_object_ping(binder_object *object)
{
	return binder_object_transact(object, BINDER_PING_TRANSACTION, NULL, NULL, 0);
}

int binder_object_descriptor(binder_object *object, char **descriptor)
{
	binder_parcel *reply;
	int status;

	if (!object || !descriptor)
		return BINDER_BAD_VALUE;
	if (object->local) {
		*descriptor = strdup(object->descriptor);
		return *descriptor ? 0 : BINDER_NO_MEMORY;
	}
	reply = binder_parcel_new();
	if (!reply)
		return BINDER_NO_MEMORY;
	status = binder_object_transact(object, BINDER_INTERFACE_TRANSACTION, NULL, reply, 0);
	if (status == 0) {
		char *text = NULL;

		status = binder_parcel_read_string16(reply, &text);
		if (status == 0 && !text)
			text = strdup("");
		if (status == 0 && !text)
			status = BINDER_NO_MEMORY;
		if (status == 0)
			*descriptor = text;
	}
	binder_parcel_free(reply);
	return status;
}

void binder_object_flatten(const binder_object *object, struct flat_binder_object *flat)
{
	memset(flat, 0, sizeof(*flat));
	flat->flags = FLAT_BINDER_FLAG_ACCEPTS_FDS;
	if (!object) {
		flat->hdr.type = BINDER_TYPE_BINDER;
	} else if (object->local) {
		flat->hdr.type = BINDER_TYPE_BINDER;
		if (atomic_load(&object->wants_security_context))
			flat->flags |= FLAT_BINDER_FLAG_TXN_SECURITY_CTX;
		flat->binder = (uintptr_t)object;
		flat->cookie = object->cookie;
	} else {
		flat->hdr.type = BINDER_TYPE_HANDLE;
		flat->handle = (uint32_t)object->handle;
	}
}

int binder_context_object_from_flat(binder_context *context, const struct flat_binder_object *flat,
                                    binder_object **out)
{
	binder_object *object;

	if (!context || !flat || !out)
		return BINDER_BAD_VALUE;
	switch (flat->hdr.type) {
	case BINDER_TYPE_BINDER:
	case BINDER_TYPE_WEAK_BINDER:
		if (flat->binder == 0 && flat->cookie == 0) {
			*out = NULL;
			return 0;
		}
		pthread_mutex_lock(&context->lock);
		object = local_lookup_locked(context, (uintptr_t)flat->binder, flat->cookie);
		pthread_mutex_unlock(&context->lock);
		if (!object)
			return BINDER_BAD_VALUE;
		*out = object;
		return 0;
	case BINDER_TYPE_HANDLE:
	case BINDER_TYPE_WEAK_HANDLE:
		if (flat->handle > INT32_MAX)
			return BINDER_BAD_VALUE;
		return proxy_for_handle(context, (int32_t)flat->handle, out);
	default:
		return BINDER_BAD_TYPE;
	}
}
