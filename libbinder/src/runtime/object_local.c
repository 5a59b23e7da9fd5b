/*
 * object_local.c - local objects: creation, the table that validates the
 * addresses the driver hands back, and the driver's references on them
 * (BR_INCREFS / BR_ACQUIRE / BR_RELEASE / BR_DECREFS and their DONEs).
 *
 * A local object lives while the user, a parcel or the driver holds it;
 * the node's ptr is the object's address and its cookie a number given to
 * no other local object of the process (see binder_object's cookie).
 */
#include "runtime.h"

#include <stdlib.h>
#include <string.h>

/* The cookie of the next local object: never 0 (0 and 0 is a null binder). */
static _Atomic uint64_t next_cookie = 1;

int binder_object_new_local(binder_context *context, const char *descriptor,
                            const struct binder_local_ops *ops, void *user_data,
                            binder_object **out)
{
	binder_object *object;

	if (!context || !descriptor || !ops || !ops->transact || !out)
		return BINDER_BAD_VALUE;
	object = calloc(1, sizeof(*object));
	if (!object)
		return BINDER_NO_MEMORY;
	object->descriptor = strdup(descriptor);
	if (!object->descriptor) {
		free(object);
		return BINDER_NO_MEMORY;
	}
	atomic_init(&object->refcount, 1);
	object->local = true;
	object->ops = *ops;
	object->user_data = user_data;
	object->handle = -1;
	object->context = binder_context_ref(context);
	object->address = (uintptr_t)object;
	object->cookie = atomic_fetch_add(&next_cookie, 1);
	pthread_mutex_lock(&context->lock);
	HASH_ADD(hh, context->locals, address, sizeof(object->address), object);
	pthread_mutex_unlock(&context->lock);
	*out = object;
	return 0;
}

bool binder_object_has_remote_references(binder_object *object)
{
	bool held;

	if (!object || !object->local)
		return false;
	pthread_mutex_lock(&object->context->lock);
	held = object->driver_strong > 0;
	pthread_mutex_unlock(&object->context->lock);
	return held;
}

int binder_object_kill(binder_object *object)
{
	binder_context *context;
	int status;

	if (!object)
		return BINDER_BAD_VALUE;
	if (!object->local)
		return BINDER_INVALID_OPERATION;
	context = object->context;
	status = runtime_enter(context);
	if (status)
		return status;
	pthread_mutex_lock(&context->lock);
	bool killed = object->killed;
	pthread_mutex_unlock(&context->lock);
	status = killed ? 0
	                : binder_device_kill_node(context->device, object->address, object->cookie);
	runtime_leave(context);
	/* Never sent: the driver has no node, nobody holds it. */
	if (status == -ENOENT)
		status = 0;
	switch (status) {
	case 0:
		break;
	case -EOPNOTSUPP:
		return BINDER_INVALID_OPERATION;
	case -EINVAL:
		return BINDER_BAD_VALUE;
	case -ENOMEM:
		return BINDER_NO_MEMORY;
	default:
		return BINDER_DEAD_OBJECT;
	}
	/* The driver forgot what it held and sends nothing more for the
	 * node; commands still on their way find no object and are dropped
	 * (their DONEs still go back). */
	pthread_mutex_lock(&context->lock);
	if (!object->killed) {
		object->killed = true;
		HASH_DELETE(hh, context->locals, object);
		object->driver_strong = 0;
		object->driver_weak = 0;
	}
	pthread_mutex_unlock(&context->lock);
	return BINDER_OK;
}

binder_object *local_lookup_locked(binder_context *context, uintptr_t address, uint64_t cookie)
{
	binder_object *object = NULL;

	HASH_FIND(hh, context->locals, &address, sizeof(address), object);
	if (!object || object->cookie != cookie)
		return NULL;
	atomic_fetch_add(&object->refcount, 1);
	return object;
}

void local_destroy(binder_object *object)
{
	binder_context *context = object->context;

	if (object->ops.destroy)
		object->ops.destroy(object->user_data);
	free(object->descriptor);
	free(object);
	binder_context_unref(context);
}

void local_driver_reference(struct binder_thread_state *state, uint32_t command, uintptr_t ptr,
                            uintptr_t cookie)
{
	binder_context *context = state->context;
	struct binder_ptr_cookie done = {.ptr = ptr, .cookie = cookie};
	binder_object *object = NULL, *notify = NULL;
	bool destroy = false;

	pthread_mutex_lock(&context->lock);
	HASH_FIND(hh, context->locals, &ptr, sizeof(ptr), object);
	if (object && object->cookie != cookie)
		object = NULL; /* for an object killed since, whose address came back */
	if (object) {
		switch (command) {
		case BR_INCREFS:
			object->driver_weak++;
			break;
		case BR_ACQUIRE:
			object->driver_strong++;
			break;
		case BR_RELEASE:
			if (object->driver_strong > 0 && --object->driver_strong == 0 &&
			    object->ops.on_last_remote_reference) {
				notify = object;
				atomic_fetch_add(&notify->refcount, 1);
			}
			break;
		case BR_DECREFS:
			if (object->driver_weak > 0)
				object->driver_weak--;
			break;
		}
		if (!notify && atomic_load(&object->refcount) == 0 && !object->driver_strong &&
		    !object->driver_weak) {
			HASH_DELETE(hh, context->locals, object);
			destroy = true;
		}
	}
	pthread_mutex_unlock(&context->lock);

	/* The driver waits for these whether or not we know the object. */
	if (command == BR_INCREFS)
		thread_state_queue(state, BC_INCREFS_DONE, &done, sizeof(done));
	else if (command == BR_ACQUIRE)
		thread_state_queue(state, BC_ACQUIRE_DONE, &done, sizeof(done));
	if (notify) {
		notify->ops.on_last_remote_reference(notify, notify->user_data);
		binder_object_unref(notify);
	}
	if (destroy)
		local_destroy(object);
}

binder_object *local_forget_driver_references_locked(binder_context *context)
{
	binder_object *object, *next, *unheld = NULL;

	/* The device is closed: the driver holds nothing any more. */
	HASH_ITER(hh, context->locals, object, next)
	{
		object->driver_strong = 0;
		object->driver_weak = 0;
		if (atomic_load(&object->refcount) == 0) {
			HASH_DELETE(hh, context->locals, object);
			object->next_unheld = unheld;
			unheld = object;
		}
	}
	return unheld;
}
