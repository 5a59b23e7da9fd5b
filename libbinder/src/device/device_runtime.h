/*
 * device_runtime.h - what the device layer offers libbinder's runtime
 * (context.c) beyond binder/device.h: the steps of closing a context
 * whose received parcels must stay readable. Not part of the public API:
 * these functions are built with hidden visibility (no BINDER_API).
 */
#ifndef BINDER_DEVICE_RUNTIME_H
#define BINDER_DEVICE_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

#include "binder/device.h"

/*
 * Makes every thread waiting in BINDER_WRITE_READ on device return, for
 * a caller that is about to close it: with binderd, the device's channels
 * are shut down, so that this call and every later one fails (-ENOTCONN
 * or -EPIPE); with the kernel, the driver's flush wakes waiting threads
 * (their read returns with no work) and later calls work as before.
 * Callers check their own "closing" flag after each call.
 */
void binder_device_interrupt(binder_device *device);

/*
 * For a caller about to close device whose received buffers may still be
 * read: replaces the area's mapping, at the same address, by a private
 * read-only copy of its contents (reserved_size bytes of address space),
 * which binder_device_close then leaves alone. The caller unmaps it later
 * with munmap(*addr, *size). No other thread may use the device from now
 * on. -ENOMEM (the area is then left as it was), -EINVAL if not mapped.
 */
int binder_device_keep_area_copy(binder_device *device, void **addr, size_t *size);

/*
 * True if the payload of a BC_TRANSACTION / BC_REPLY without objects may
 * be given as a gather list (BINDERD_TF_GATHER in its flags, data.ptr.buffer
 * the address of a struct binderd_gather_list that stays valid until the
 * BINDER_WRITE_READ that sends it returns): binderd with direct reads.
 * Never for the kernel driver.
 */
bool binder_device_gathers(const binder_device *device);

#endif
