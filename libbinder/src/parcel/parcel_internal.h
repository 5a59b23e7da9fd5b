/*
 * parcel_internal.h - what the runtime (transactions) needs from parcels:
 * wrapping a buffer the driver delivered, and the object offsets to send.
 * Private to libbinder.
 */
#ifndef BINDER_PARCEL_INTERNAL_H
#define BINDER_PARCEL_INTERNAL_H

#include <linux/android/binder.h>
#include <stdbool.h>
#include <stddef.h>

#include "binder/binder.h"

/* Called once when a received parcel lets go of its buffer (reset, free,
 * or a failed adopt): the runtime sends BC_FREE_BUFFER for data. */
typedef void (*binder_parcel_release_fn)(void *release_arg, const void *data);

/*
 * Resets parcel, then makes it a read-only view of a buffer delivered on
 * context: size bytes at data, offset_count object offsets at offsets.
 * Checks every offset (4-aligned, ascending, not overlapping, a whole
 * flat_binder_object inside the data, a type this library handles:
 * BINDER, WEAK_BINDER, HANDLE, WEAK_HANDLE, FD) and fails with
 * BINDER_BAD_VALUE otherwise, in which case release has been called and
 * the parcel is empty. Objects are turned into binder objects lazily, on
 * read, with binder_context_object_from_flat (the parcel keeps a
 * reference on context). fds in the buffer become the parcel's: closed
 * when it lets go of the buffer.
 */
int binder_parcel_adopt_received(binder_parcel *parcel, binder_context *context, const void *data,
                                 size_t size, const binder_size_t *offsets, size_t offset_count,
                                 binder_parcel_release_fn release, void *release_arg);

/* The object offsets of parcel, for BC_TRANSACTION / BC_REPLY: *count
 * entries (NULL when none). Borrowed, valid until parcel changes. */
const binder_size_t *binder_parcel_offsets(const binder_parcel *parcel, size_t *count);

/*
 * Fills in the payload fields of a BC_TRANSACTION / BC_REPLY for parcel
 * (data_size, offsets_size, data.ptr.buffer, data.ptr.offsets). With
 * gather (the device takes gather lists: binder_device_gathers) and
 * borrowed arrays in an object-less parcel, data.ptr.buffer is a gather
 * list kept in the parcel and BINDERD_TF_GATHER is added to flags; else
 * the borrowed bytes are copied into the parcel first. The pointers stay
 * valid until parcel changes.
 */
void binder_parcel_describe(binder_parcel *parcel, bool gather,
                            struct binder_transaction_data *transaction);

/* True if parcel holds file descriptors. */
bool binder_parcel_has_fds(const binder_parcel *parcel);

/* BINDER_BAD_VALUE if a binder object in parcel belongs to a context other
 * than context (its handle or address would mean nothing there). */
int binder_parcel_check_context(const binder_parcel *parcel, const binder_context *context);

#endif
