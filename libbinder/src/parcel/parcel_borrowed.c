/*
 * parcel_borrowed.c - byte arrays whose bytes stay in the caller's memory
 * until the parcel is sent (binder_parcel_write_byte_array_borrowed): the
 * parcel keeps room for them and where they are; a transaction hands the
 * driver a gather list (binderd copies each piece once, straight into the
 * receiver), and anything else that needs the bytes in the parcel (a read,
 * an overwrite, a driver that cannot gather) copies them in first.
 */
#include <stdlib.h>
#include <string.h>

#include "binderd/socket_protocol.h"
#include "parcel_private.h"

/* Arrays shorter than this are copied at once: a gather segment costs
 * binderd a read of its own. */
#define PARCEL_BORROW_MINIMUM 4096

/* At most this many borrowed arrays: with the parcel's own bytes around
 * them, 2 * 3 + 1 segments fit one gather list. */
#define PARCEL_MAX_BORROWED 3
_Static_assert(2 * PARCEL_MAX_BORROWED + 1 <= BINDERD_MAX_GATHER_SEGMENTS,
               "borrowed arrays must fit a gather list");

struct parcel_borrowed_range {
	size_t position; /* in the parcel's data */
	const void *bytes;
	size_t length;
};

struct parcel_borrowing {
	struct parcel_borrowed_range ranges[PARCEL_MAX_BORROWED];
	size_t count;
	/* Built by parcel_gather_list: the driver reads it during the ioctl. */
	struct binderd_gather_list gather;
};

void parcel_take_borrowed(binder_parcel *parcel)
{
	struct parcel_borrowing *borrowing = parcel->borrowing;

	if (!borrowing)
		return;
	for (size_t i = 0; i < borrowing->count; i++) {
		const struct parcel_borrowed_range *range = &borrowing->ranges[i];
		memcpy(parcel->buffer + range->position, range->bytes, range->length);
	}
	parcel_forget_borrowed(parcel);
}

void parcel_forget_borrowed(binder_parcel *parcel)
{
	free(parcel->borrowing);
	parcel->borrowing = NULL;
}

int binder_parcel_write_byte_array_borrowed(binder_parcel *parcel, const void *bytes, size_t length)
{
	if (!parcel || length > INT32_MAX)
		return BINDER_BAD_VALUE;
	if (!bytes || length < PARCEL_BORROW_MINIMUM || parcel->received ||
	    parcel->position != parcel->size ||
	    (parcel->borrowing && parcel->borrowing->count == PARCEL_MAX_BORROWED))
		return binder_parcel_write_byte_array(parcel, bytes, length);
	if (!parcel->borrowing) {
		parcel->borrowing = calloc(1, sizeof(*parcel->borrowing));
		if (!parcel->borrowing)
			return BINDER_NO_MEMORY;
	}
	void *room;
	int status = binder_parcel_write_byte_array_in_place(parcel, length, &room);
	if (status != BINDER_OK) {
		if (parcel->borrowing->count == 0)
			parcel_forget_borrowed(parcel);
		return status;
	}
	struct parcel_borrowing *borrowing = parcel->borrowing;
	borrowing->ranges[borrowing->count++] = (struct parcel_borrowed_range){
	        .position = (size_t)((uint8_t *)room - parcel->buffer),
	        .bytes = bytes,
	        .length = length,
	};
	return BINDER_OK;
}

int parcel_borrow_data(binder_parcel *parcel, const void *data, size_t size)
{
	if (parcel->received || parcel->size)
		return BINDER_INVALID_OPERATION;
	if (size < PARCEL_BORROW_MINIMUM)
		return parcel_copy_data(parcel, data, size);
	struct parcel_borrowing *borrowing = calloc(1, sizeof(*borrowing));
	if (!borrowing)
		return BINDER_NO_MEMORY;
	/* Room for the bytes, not written: parcel_take_borrowed fills it if
	 * they are ever needed here. */
	int status = parcel_grow(parcel, size);
	if (status != BINDER_OK) {
		free(borrowing);
		return status;
	}
	borrowing->ranges[0] =
	        (struct parcel_borrowed_range){.position = 0, .bytes = data, .length = size};
	borrowing->count = 1;
	parcel->borrowing = borrowing;
	parcel->size = size;
	parcel->position = 0;
	return BINDER_OK;
}

/* Adds a segment of length bytes at address, unless it is empty. */
static void gather_add(struct binderd_gather_list *list, const void *address, size_t length)
{
	if (length == 0)
		return;
	list->segments[list->count++] = (struct binderd_gather_segment){
	        .address = (uint64_t)(uintptr_t)address,
	        .length = length,
	};
}

/* The gather list of parcel's data, in the parcel's borrowing. */
static const struct binderd_gather_list *parcel_gather_list(binder_parcel *parcel)
{
	struct parcel_borrowing *borrowing = parcel->borrowing;
	struct binderd_gather_list *list = &borrowing->gather;
	size_t from = 0;

	memset(list, 0, sizeof(*list));
	for (size_t i = 0; i < borrowing->count; i++) {
		const struct parcel_borrowed_range *range = &borrowing->ranges[i];
		gather_add(list, parcel->buffer + from, range->position - from);
		gather_add(list, range->bytes, range->length);
		from = range->position + range->length;
	}
	gather_add(list, parcel->buffer + from, parcel->size - from);
	return list;
}

void binder_parcel_describe(binder_parcel *parcel, bool gather,
                            struct binder_transaction_data *transaction)
{
	size_t offset_count = 0;
	const binder_size_t *offsets;

	if (parcel->borrowing && (!gather || parcel->object_count))
		parcel_take_borrowed(parcel);
	offsets = binder_parcel_offsets(parcel, &offset_count);
	transaction->data_size = parcel->size;
	transaction->offsets_size = offset_count * sizeof(binder_size_t);
	transaction->data.ptr.offsets = (uintptr_t)offsets;
	if (parcel->borrowing) {
		transaction->data.ptr.buffer = (uintptr_t)parcel_gather_list(parcel);
		transaction->flags |= BINDERD_TF_GATHER;
	} else {
		transaction->data.ptr.buffer = (uintptr_t)binder_parcel_data(parcel);
	}
}
