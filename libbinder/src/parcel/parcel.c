/*
 * parcel.c - the parcel itself: making and freeing it, its size and
 * position, and the buffer underneath every write and read (growth with a
 * limit, 4-byte padding, bounds checks, the sorted object offsets).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "object_internal.h"
#include "parcel_private.h"

#define PARCEL_MIN_CAPACITY 64
#define PARCEL_MIN_OBJECTS  4

binder_parcel *binder_parcel_new(void)
{
	return calloc(1, sizeof(binder_parcel));
}

int binder_parcel_create(binder_parcel **out)
{
	if (!out)
		return BINDER_BAD_VALUE;
	*out = binder_parcel_new();
	return *out ? BINDER_OK : BINDER_NO_MEMORY;
}

void parcel_release_contents(binder_parcel *parcel)
{
	void (*on_release)(void *arg) = parcel->on_release;
	void *on_release_arg = parcel->on_release_arg;
	uint32_t android = parcel->android;

	for (size_t i = 0; i < parcel->object_count; i++) {
		struct parcel_object_entry *entry = &parcel->entries[i];
		if (entry->object)
			binder_object_unref(entry->object);
		if (entry->owns_fd) {
			struct flat_binder_object flat;
			parcel_object_flat(parcel, i, &flat);
			close((int)flat.handle);
		}
	}
	if (parcel->received) {
		if (parcel->release)
			parcel->release(parcel->release_arg, parcel->data);
		binder_context_unref(parcel->context);
	}
	parcel_forget_borrowed(parcel);
	free(parcel->buffer);
	free(parcel->offsets);
	free(parcel->entries);
	memset(parcel, 0, sizeof(*parcel));
	parcel->android = android;
	if (on_release)
		on_release(on_release_arg);
}

void binder_parcel_on_release(binder_parcel *parcel, void (*on_release)(void *arg), void *arg)
{
	parcel->on_release = on_release;
	parcel->on_release_arg = arg;
}

int binder_parcel_set_android(binder_parcel *parcel, uint32_t android)
{
	if (!parcel || (android && !binder_android_is_supported(android)))
		return BINDER_BAD_VALUE;
	parcel->android = android;
	return BINDER_OK;
}

uint32_t binder_parcel_android(const binder_parcel *parcel)
{
	if (parcel->android)
		return parcel->android;
	return parcel->context ? binder_context_android(parcel->context) : BINDER_ANDROID_DEFAULT;
}

void binder_parcel_free(binder_parcel *parcel)
{
	if (!parcel)
		return;
	parcel_release_contents(parcel);
	free(parcel);
}

void binder_parcel_reset(binder_parcel *parcel)
{
	if (parcel)
		parcel_release_contents(parcel);
}

size_t binder_parcel_data_size(const binder_parcel *parcel)
{
	return parcel->size;
}

size_t binder_parcel_position(const binder_parcel *parcel)
{
	return parcel->position;
}

int binder_parcel_set_position(binder_parcel *parcel, size_t position)
{
	if (position > parcel->size)
		return BINDER_BAD_VALUE;
	/* Reading (or rewriting) starts here: the bytes must be in. */
	parcel_take_borrowed(parcel);
	parcel->position = position;
	return BINDER_OK;
}

size_t binder_parcel_data_available(const binder_parcel *parcel)
{
	return parcel->size - parcel->position;
}

const uint8_t *binder_parcel_data(const binder_parcel *parcel)
{
	parcel_take_borrowed((binder_parcel *)parcel);
	return parcel->size ? parcel->data : NULL;
}

bool parcel_pad_size(size_t length, size_t *padded)
{
	if (length > SIZE_MAX - 3)
		return false;
	*padded = (length + 3) & ~(size_t)3;
	return true;
}

int parcel_grow(binder_parcel *parcel, size_t needed)
{
	if (needed <= parcel->capacity)
		return BINDER_OK;
	if (needed > BINDER_PARCEL_MAX_DATA_SIZE)
		return BINDER_NO_MEMORY;
	size_t capacity = parcel->capacity ? parcel->capacity : PARCEL_MIN_CAPACITY;
	while (capacity < needed)
		capacity *= 2;
	if (capacity > BINDER_PARCEL_MAX_DATA_SIZE)
		capacity = BINDER_PARCEL_MAX_DATA_SIZE;
	uint8_t *buffer = realloc(parcel->buffer, capacity);
	if (!buffer)
		return BINDER_NO_MEMORY;
	parcel->buffer = buffer;
	parcel->data = buffer;
	parcel->capacity = capacity;
	return BINDER_OK;
}

int parcel_claim(binder_parcel *parcel, size_t length, uint8_t **out)
{
	if (parcel->received)
		return BINDER_INVALID_OPERATION;
	size_t padded;
	if (!parcel_pad_size(length, &padded) || padded > BINDER_PARCEL_MAX_DATA_SIZE ||
	    parcel->position > BINDER_PARCEL_MAX_DATA_SIZE - padded)
		return BINDER_NO_MEMORY;
	size_t end = parcel->position + padded;
	if (parcel->position < parcel->size)
		parcel_take_borrowed(parcel); /* an overwrite */
	if (parcel_overlaps_object(parcel, parcel->position, padded))
		return BINDER_INVALID_OPERATION;
	int status = parcel_grow(parcel, end);
	if (status != BINDER_OK)
		return status;
	uint8_t *where = parcel->buffer + parcel->position;
	memset(where + length, 0, padded - length);
	parcel->position = end;
	if (end > parcel->size)
		parcel->size = end;
	*out = where;
	return BINDER_OK;
}

int parcel_peek(const binder_parcel *parcel, size_t position, size_t length, const uint8_t **out)
{
	size_t padded;
	if (!parcel_pad_size(length, &padded) || position > parcel->size ||
	    padded > parcel->size - position)
		return BINDER_NOT_ENOUGH_DATA;
	if (parcel_overlaps_object(parcel, position, padded))
		return BINDER_BAD_VALUE;
	parcel_take_borrowed((binder_parcel *)parcel);
	*out = parcel->data + position;
	return BINDER_OK;
}

int parcel_take(binder_parcel *parcel, size_t length, const uint8_t **out)
{
	int status = parcel_peek(parcel, parcel->position, length, out);
	if (status == BINDER_OK)
		parcel->position += (length + 3) & ~(size_t)3;
	return status;
}

int parcel_peek_int32(const binder_parcel *parcel, size_t position, int32_t *out)
{
	const uint8_t *bytes;
	int status = parcel_peek(parcel, position, sizeof(*out), &bytes);
	if (status == BINDER_OK)
		memcpy(out, bytes, sizeof(*out));
	return status;
}

/* Index of the first object that ends after start (objects are sorted and
 * do not overlap, so their ends are sorted too). */
static size_t parcel_first_object_ending_after(const binder_parcel *parcel, size_t start)
{
	size_t low = 0, high = parcel->object_count;
	while (low < high) {
		size_t middle = low + (high - low) / 2;
		if (parcel->offsets[middle] + sizeof(struct flat_binder_object) <= start)
			low = middle + 1;
		else
			high = middle;
	}
	return low;
}

bool parcel_overlaps_object(const binder_parcel *parcel, size_t start, size_t length)
{
	if (length == 0 || parcel->object_count == 0)
		return false;
	size_t index = parcel_first_object_ending_after(parcel, start);
	return index < parcel->object_count && parcel->offsets[index] < start + length;
}

ptrdiff_t parcel_find_object(const binder_parcel *parcel, size_t offset)
{
	size_t index = parcel_first_object_ending_after(parcel, offset);
	if (index < parcel->object_count && parcel->offsets[index] == offset)
		return (ptrdiff_t)index;
	return -1;
}

int parcel_reserve_object(binder_parcel *parcel)
{
	if (parcel->object_count < parcel->object_capacity)
		return BINDER_OK;
	size_t capacity =
	        parcel->object_capacity ? parcel->object_capacity * 2 : PARCEL_MIN_OBJECTS;
	/* Objects do not overlap: no more than the data can hold. */
	if (capacity > BINDER_PARCEL_MAX_DATA_SIZE / sizeof(struct flat_binder_object))
		return BINDER_NO_MEMORY;
	binder_size_t *offsets = realloc(parcel->offsets, capacity * sizeof(*offsets));
	if (!offsets)
		return BINDER_NO_MEMORY;
	parcel->offsets = offsets;
	struct parcel_object_entry *entries = realloc(parcel->entries, capacity * sizeof(*entries));
	if (!entries)
		return BINDER_NO_MEMORY;
	parcel->entries = entries;
	parcel->object_capacity = capacity;
	return BINDER_OK;
}

struct parcel_object_entry *parcel_insert_object(binder_parcel *parcel, size_t offset)
{
	size_t index = parcel_first_object_ending_after(parcel, offset);
	size_t after = parcel->object_count - index;
	memmove(&parcel->offsets[index + 1], &parcel->offsets[index],
	        after * sizeof(*parcel->offsets));
	memmove(&parcel->entries[index + 1], &parcel->entries[index],
	        after * sizeof(*parcel->entries));
	parcel->offsets[index] = offset;
	parcel->object_count++;
	struct parcel_object_entry *entry = &parcel->entries[index];
	memset(entry, 0, sizeof(*entry));
	return entry;
}

void parcel_object_flat(const binder_parcel *parcel, size_t index, struct flat_binder_object *flat)
{
	memcpy(flat, parcel->data + parcel->offsets[index], sizeof(*flat));
}

int parcel_resolve_object(binder_parcel *parcel, size_t index, binder_object **out)
{
	struct parcel_object_entry *entry = &parcel->entries[index];
	if (!entry->resolved) {
		if (!parcel->context)
			return BINDER_NO_INIT;
		struct flat_binder_object flat;
		parcel_object_flat(parcel, index, &flat);
		binder_object *object = NULL;
		int status = binder_context_object_from_flat(parcel->context, &flat, &object);
		if (status != BINDER_OK)
			return status;
		entry->object = object;
		entry->resolved = true;
	}
	*out = entry->object;
	return BINDER_OK;
}

int parcel_copy_data(binder_parcel *parcel, const void *data, size_t size)
{
	if (parcel->received || parcel->size)
		return BINDER_INVALID_OPERATION;
	int status = parcel_grow(parcel, size);
	if (status != BINDER_OK)
		return status;
	if (size)
		memcpy(parcel->buffer, data, size);
	parcel->size = size;
	parcel->position = 0;
	return BINDER_OK;
}
