/*
 * parcel_received.c - what the runtime needs from parcels: adopting a
 * buffer the driver delivered (checked before anything in it is trusted),
 * the offsets to send, whether there are fds, and whether every object
 * belongs to the context a transaction goes through.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "object_internal.h"
#include "parcel_private.h"

bool parcel_is_flat_type(uint32_t type)
{
	return type == BINDER_TYPE_BINDER || type == BINDER_TYPE_WEAK_BINDER ||
	       type == BINDER_TYPE_HANDLE || type == BINDER_TYPE_WEAK_HANDLE ||
	       type == BINDER_TYPE_FD;
}

/* Offsets 4-aligned, ascending, not overlapping, each a whole
 * flat_binder_object inside the data. */
static bool received_offsets_fit(size_t size, const binder_size_t *offsets, size_t count)
{
	const size_t object_size = sizeof(struct flat_binder_object);
	if (count > size / object_size)
		return false;
	binder_size_t free_from = 0;
	for (size_t i = 0; i < count; i++) {
		binder_size_t offset = offsets[i];
		if (offset % 4 || offset < free_from || offset > size - object_size)
			return false;
		free_from = offset + object_size;
	}
	return true;
}

static uint32_t received_type(const uint8_t *data, binder_size_t offset)
{
	struct binder_object_header header;
	memcpy(&header, data + offset, sizeof(header));
	return header.type;
}

/* Closes the fds the driver put in a buffer that is refused (its offsets
 * are sound, so the FD objects name fds we were given). */
static void received_close_fds(const uint8_t *data, const binder_size_t *offsets, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (received_type(data, offsets[i]) != BINDER_TYPE_FD)
			continue;
		struct flat_binder_object flat;
		memcpy(&flat, data + offsets[i], sizeof(flat));
		close((int)flat.handle);
	}
}

static int received_refuse(int status, binder_parcel_release_fn release, void *release_arg,
                           const void *data)
{
	if (release)
		release(release_arg, data);
	return status;
}

int binder_parcel_adopt_received(binder_parcel *parcel, binder_context *context, const void *data,
                                 size_t size, const binder_size_t *offsets, size_t offset_count,
                                 binder_parcel_release_fn release, void *release_arg)
{
	parcel_release_contents(parcel);
	if ((!data && size) || (!offsets && offset_count) ||
	    !received_offsets_fit(size, offsets, offset_count))
		return received_refuse(BINDER_BAD_VALUE, release, release_arg, data);
	const uint8_t *bytes = data;
	for (size_t i = 0; i < offset_count; i++) {
		if (!parcel_is_flat_type(received_type(bytes, offsets[i]))) {
			received_close_fds(bytes, offsets, offset_count);
			return received_refuse(BINDER_BAD_VALUE, release, release_arg, data);
		}
	}
	if (offset_count) {
		parcel->offsets = malloc(offset_count * sizeof(*parcel->offsets));
		parcel->entries = calloc(offset_count, sizeof(*parcel->entries));
		if (!parcel->offsets || !parcel->entries) {
			free(parcel->offsets);
			free(parcel->entries);
			parcel->offsets = NULL;
			parcel->entries = NULL;
			received_close_fds(bytes, offsets, offset_count);
			return received_refuse(BINDER_NO_MEMORY, release, release_arg, data);
		}
		memcpy(parcel->offsets, offsets, offset_count * sizeof(*parcel->offsets));
		for (size_t i = 0; i < offset_count; i++)
			parcel->entries[i].owns_fd =
			        received_type(bytes, offsets[i]) == BINDER_TYPE_FD;
	}
	parcel->data = bytes;
	parcel->size = size;
	parcel->object_count = offset_count;
	parcel->object_capacity = offset_count;
	parcel->received = true;
	parcel->context = context ? binder_context_ref(context) : NULL;
	if (context)
		parcel->android = binder_context_android(context);
	parcel->release = release;
	parcel->release_arg = release_arg;
	return BINDER_OK;
}

const binder_size_t *binder_parcel_offsets(const binder_parcel *parcel, size_t *count)
{
	*count = parcel->object_count;
	return parcel->object_count ? parcel->offsets : NULL;
}

bool binder_parcel_has_fds(const binder_parcel *parcel)
{
	for (size_t i = 0; i < parcel->object_count; i++) {
		if (received_type(parcel->data, parcel->offsets[i]) == BINDER_TYPE_FD)
			return true;
	}
	return false;
}

int binder_parcel_check_context(const binder_parcel *parcel, const binder_context *context)
{
	for (size_t i = 0; i < parcel->object_count; i++) {
		if (received_type(parcel->data, parcel->offsets[i]) == BINDER_TYPE_FD)
			continue;
		const struct parcel_object_entry *entry = &parcel->entries[i];
		/* Unresolved objects of a received parcel are its context's. */
		const binder_context *owner = entry->resolved && entry->object
		                                      ? binder_object_context(entry->object)
		                                      : parcel->context;
		if (entry->resolved && !entry->object)
			continue;
		if (owner != context)
			return BINDER_BAD_VALUE;
	}
	return BINDER_OK;
}
