/*
 * parcel_raw.c - the raw view of a parcel for code that forwards parcels
 * it does not understand (the bridge): the objects in offset order, and a
 * parcel rebuilt from bytes and objects.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "object_internal.h"
#include "parcel_private.h"

size_t binder_parcel_object_count(const binder_parcel *parcel)
{
	return parcel->object_count;
}

int binder_parcel_object_at(binder_parcel *parcel, size_t index, struct binder_parcel_object *out)
{
	if (index >= parcel->object_count)
		return BINDER_BAD_INDEX;
	struct flat_binder_object flat;
	parcel_object_flat(parcel, index, &flat);
	struct binder_parcel_object object = {
	        .offset = parcel->offsets[index],
	        .fd = -1,
	};
	if (flat.hdr.type == BINDER_TYPE_FD) {
		object.kind = BINDER_PARCEL_OBJECT_FD;
		object.fd = (int)flat.handle;
	} else {
		object.kind = BINDER_PARCEL_OBJECT_BINDER;
		int status = parcel_resolve_object(parcel, index, &object.object);
		if (status != BINDER_OK)
			return status;
	}
	*out = object;
	return BINDER_OK;
}

/* The rules of binder_parcel_new_from_raw for the objects. */
static bool raw_objects_fit(size_t size, const struct binder_parcel_object *objects, size_t count)
{
	size_t free_from = 0;
	for (size_t i = 0; i < count; i++) {
		const struct binder_parcel_object *object = &objects[i];
		if (object->offset % 4 || object->offset < free_from ||
		    size < sizeof(struct flat_binder_object) ||
		    object->offset > size - sizeof(struct flat_binder_object))
			return false;
		if (object->kind == BINDER_PARCEL_OBJECT_FD) {
			if (object->fd < 0)
				return false;
		} else if (object->kind != BINDER_PARCEL_OBJECT_BINDER) {
			return false;
		}
		free_from = object->offset + sizeof(struct flat_binder_object);
	}
	return true;
}

/* Puts one object at its offset in parcel, which owns a copy of the data. */
static int raw_put_object(binder_parcel *parcel, const struct binder_parcel_object *object)
{
	struct flat_binder_object flat;
	memset(&flat, 0, sizeof(flat));
	int status = parcel_reserve_object(parcel);
	if (status != BINDER_OK)
		return status;
	if (object->kind == BINDER_PARCEL_OBJECT_FD) {
		int copy = fcntl(object->fd, F_DUPFD_CLOEXEC, 0);
		if (copy < 0)
			return -errno;
		flat.hdr.type = BINDER_TYPE_FD;
		flat.handle = (uint32_t)copy;
		flat.cookie = 1;
		memcpy(parcel->buffer + object->offset, &flat, sizeof(flat));
		parcel_insert_object(parcel, object->offset)->owns_fd = true;
		return BINDER_OK;
	}
	binder_object_flatten(object->object, &flat);
	memcpy(parcel->buffer + object->offset, &flat, sizeof(flat));
	/* A null binder is not listed (see parcel_objects.c). */
	if (object->object) {
		struct parcel_object_entry *entry = parcel_insert_object(parcel, object->offset);
		entry->object = binder_object_ref(object->object);
		entry->resolved = true;
	}
	return BINDER_OK;
}

int binder_parcel_assign_raw(binder_parcel *parcel, const void *data, size_t size,
                             const struct binder_parcel_object *objects, size_t count)
{
	if (!parcel)
		return BINDER_BAD_VALUE;
	binder_parcel_reset(parcel);
	if ((!data && size) || (!objects && count) || !raw_objects_fit(size, objects, count))
		return BINDER_BAD_VALUE;
	if (size > BINDER_PARCEL_MAX_DATA_SIZE)
		return BINDER_NO_MEMORY;
	int status = parcel_copy_data(parcel, data, size);
	for (size_t i = 0; status == BINDER_OK && i < count; i++)
		status = raw_put_object(parcel, &objects[i]);
	if (status != BINDER_OK)
		binder_parcel_reset(parcel);
	return status;
}

int binder_parcel_assign_raw_borrowed(binder_parcel *parcel, const void *data, size_t size,
                                      const struct binder_parcel_object *objects, size_t count)
{
	/* Objects go into the bytes, which must then be the parcel's own. */
	if (count || size % sizeof(uint32_t))
		return binder_parcel_assign_raw(parcel, data, size, objects, count);
	if (!parcel)
		return BINDER_BAD_VALUE;
	binder_parcel_reset(parcel);
	if (!data && size)
		return BINDER_BAD_VALUE;
	if (size > BINDER_PARCEL_MAX_DATA_SIZE)
		return BINDER_NO_MEMORY;
	int status = parcel_borrow_data(parcel, data, size);
	if (status != BINDER_OK)
		binder_parcel_reset(parcel);
	return status;
}

int binder_parcel_new_from_raw(const void *data, size_t size,
                               const struct binder_parcel_object *objects, size_t count,
                               binder_parcel **out)
{
	binder_parcel *parcel = binder_parcel_new();
	if (!parcel)
		return BINDER_NO_MEMORY;
	int status = binder_parcel_assign_raw(parcel, data, size, objects, count);
	if (status != BINDER_OK) {
		binder_parcel_free(parcel);
		return status;
	}
	*out = parcel;
	return BINDER_OK;
}
