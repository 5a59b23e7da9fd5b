/*
 * parcel_private.h - the parcel structure and the helpers the parcel files
 * share: growing the buffer, claiming room to write, finding bytes to
 * read, and the sorted list of object offsets. Private to src/parcel.
 */
#ifndef BINDER_PARCEL_PRIVATE_H
#define BINDER_PARCEL_PRIVATE_H

#include <linux/android/binder.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binder/binder.h"
#include "binder/parcel.h"
#include "binder/status.h"
#include "parcel_internal.h"

/* The largest data a parcel grows to. A binder receive area is at most
 * 4 MiB, so nothing bigger can be sent; the margin is for parcels used to
 * carry data elsewhere (the bridge). Writes beyond it: BINDER_NO_MEMORY. */
#define BINDER_PARCEL_MAX_DATA_SIZE ((size_t)64 * 1024 * 1024)

/* The length AOSP writes for a null array or string (byte arrays,
 * String8, String16): the C API reads it as a NULL pointer, length 0. */
#define PARCEL_NULL_LENGTH (-1)

/* Stability levels (AOSP's Stability::Level) written after a binder. */
#define BINDER_STABILITY_UNDECLARED 0x00
#define BINDER_STABILITY_VENDOR     0x03
#define BINDER_STABILITY_SYSTEM     0x0c
#define BINDER_STABILITY_VINTF      0x3f
/* Android 12 writes the level as a Stability::Category: a wire-format
 * version byte (1), two reserved bytes, then the level byte. */
#define BINDER_STABILITY_CATEGORY_VERSION 1
#define BINDER_STABILITY_CATEGORY_ANDROID 12

/* What the parcel knows about the object at offsets[i]. */
struct parcel_object_entry {
	/* Binder objects: the object, referenced by the parcel; for a
	 * received parcel NULL until resolved (resolved tells). */
	binder_object *object;
	bool resolved;
	/* fds: the parcel closes the fd when it lets go of it. */
	bool owns_fd;
};

struct binder_parcel {
	/* The bytes: buffer (owned, writable) or a received area (borrowed). */
	const uint8_t *data;
	uint8_t *buffer;
	size_t size;
	size_t capacity;
	size_t position;

	/* Object offsets, ascending, and what is known of each. */
	binder_size_t *offsets;
	struct parcel_object_entry *entries;
	size_t object_count;
	size_t object_capacity;

	/* Received parcels: the context the objects belong to (referenced)
	 * and how to give the buffer back. */
	bool received;
	binder_context *context;
	binder_parcel_release_fn release;
	void *release_arg;

	/* binder_parcel_set_android(): the generation of the stability
	 * words (0: the context's, else the object's, else the default).
	 * Kept across a reset. */
	uint32_t android;

	/* binder_parcel_on_release(): called once when the contents go. */
	void (*on_release)(void *arg);
	void *on_release_arg;

	/* binder_parcel_write_byte_array_borrowed(): the arrays whose bytes
	 * are still in the caller's memory (their room in buffer holds
	 * nothing yet); NULL when none (parcel_borrowed.c). */
	struct parcel_borrowing *borrowing;
};

/* Rounds length up to a multiple of 4; false on overflow. */
bool parcel_pad_size(size_t length, size_t *padded);

/*
 * Makes room for length bytes (padded to 4) at the position and returns
 * where to write them: the padding is zeroed, the position moves past it,
 * the size grows to cover it. Errors: BINDER_INVALID_OPERATION (received
 * parcel, or the room overlaps an object), BINDER_NO_MEMORY.
 */
int parcel_claim(binder_parcel *parcel, size_t length, uint8_t **out);

/*
 * Finds length bytes (plus padding) of plain data at position: *out
 * points at them. Does not move the position. Errors:
 * BINDER_NOT_ENOUGH_DATA, BINDER_BAD_VALUE (the bytes overlap an object:
 * objects are read only as objects, as AOSP's Parcel does).
 */
int parcel_peek(const binder_parcel *parcel, size_t position, size_t length, const uint8_t **out);
/* parcel_peek at the position, then moves the position past the padding. */
int parcel_take(binder_parcel *parcel, size_t length, const uint8_t **out);

/* True if [start, start + length) overlaps an object's bytes. */
bool parcel_overlaps_object(const binder_parcel *parcel, size_t start, size_t length);
/* Index of the object at offset, or -1. */
ptrdiff_t parcel_find_object(const binder_parcel *parcel, size_t offset);
/* Makes room for one more object in the offsets (BINDER_NO_MEMORY). */
int parcel_reserve_object(binder_parcel *parcel);
/* Adds an object at offset, keeping the offsets sorted, after
 * parcel_reserve_object; returns its zeroed entry for the caller to fill. */
struct parcel_object_entry *parcel_insert_object(binder_parcel *parcel, size_t offset);

/* The flat_binder_object at an object's offset (copied: the offset is
 * only 4-aligned). */
void parcel_object_flat(const binder_parcel *parcel, size_t index, struct flat_binder_object *flat);
/* The binder object of entry index, resolved on a received parcel (the
 * parcel keeps the reference). NULL with 0 for a null binder. */
int parcel_resolve_object(binder_parcel *parcel, size_t index, binder_object **out);

/* Fills an empty parcel with a copy of size bytes of data; position 0. */
/* Capacity for needed bytes (the data is kept): BINDER_OK or
 * BINDER_NO_MEMORY. */
int parcel_grow(binder_parcel *parcel, size_t needed);
int parcel_copy_data(binder_parcel *parcel, const void *data, size_t size);
/* parcel_copy_data's borrowing form (binder_parcel_assign_raw_borrowed):
 * room for size bytes that stay at data until they are needed; under
 * PARCEL_BORROW_MINIMUM bytes, copied at once. */
int parcel_borrow_data(binder_parcel *parcel, const void *data, size_t size);

/* Copies the borrowed arrays' bytes into the parcel's buffer and forgets
 * where they came from: done before anything reads or overwrites the data
 * (a const reader casts: the parcel's contents do not change). */
void parcel_take_borrowed(binder_parcel *parcel);
/* Forgets the borrowed arrays without copying (the parcel is emptied). */
void parcel_forget_borrowed(binder_parcel *parcel);

/* Drops every object and fd, gives back a received buffer, frees the
 * buffer: the parcel is empty. */
void parcel_release_contents(binder_parcel *parcel);

/* True if type is one of the flat_binder_object types parcels handle. */
bool parcel_is_flat_type(uint32_t type);

/* Reads an int32 at position without moving anything. */
int parcel_peek_int32(const binder_parcel *parcel, size_t position, int32_t *out);

#endif
