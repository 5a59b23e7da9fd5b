/*
 * binder_io.h - one binder thread's command streams: a write buffer of
 * BC_* commands that goes out with the next BINDER_WRITE_READ, a read
 * buffer of BR_* returns, and a synchronous call built on them.
 *
 * Buffers are allocated once by binder_io_init(); nothing on the call path
 * allocates. A struct binder_io belongs to one thread.
 */
#ifndef BENCH_BINDER_IO_H
#define BENCH_BINDER_IO_H

#include "binder/device.h"

#include <linux/android/binder.h>
#include <stddef.h>
#include <stdint.h>

struct binder_io {
	binder_device *device;
	uint8_t *write_buffer;
	size_t write_capacity;
	size_t write_used;
	uint8_t *read_buffer;
	size_t read_capacity;
	/* Bytes of BR_* returns in read_buffer after the last read. */
	size_t read_size;
	/* binder_device_write_read hints for reads (0 after init). */
	unsigned read_hints;
};

/* Transaction codes the benchmark service understands (libbinder's
 * first user code is 1). */
enum bench_code {
	/* Reply with the request's bytes, same size. */
	BENCH_CODE_ECHO = 1,
	/* Request: struct bench_objects_request. Reply: count
	 * flat_binder_objects of type BINDER_TYPE_BINDER, each a distinct
	 * object of the server. */
	BENCH_CODE_GET_OBJECTS = 2,
};

struct bench_objects_request {
	uint32_t first;
	uint32_t count;
};

int binder_io_init(struct binder_io *io, binder_device *device, size_t write_capacity,
                   size_t read_capacity);
void binder_io_destroy(struct binder_io *io);

/* Appends a BC_* command and its argument to the write buffer. -ENOSPC if
 * it does not fit. */
int binder_io_put(struct binder_io *io, uint32_t command, const void *argument,
                  size_t argument_size);

/* Queues BC_FREE_BUFFER for a buffer received in BR_TRANSACTION/BR_REPLY. */
int binder_io_free_buffer(struct binder_io *io, binder_uintptr_t buffer);

/*
 * One BINDER_WRITE_READ: writes the whole write buffer; if read is nonzero
 * also reads (blocking until there is work) into the read buffer and sets
 * read_size. -EIO if the driver did not consume every written byte.
 */
int binder_io_write_read(struct binder_io *io, int read);

/*
 * A synchronous call: BC_TRANSACTION to handle with code and data (plus
 * anything already queued, such as BC_FREE_BUFFER), then reads until
 * BR_REPLY, which is stored in *reply. The caller frees the reply buffer
 * with binder_io_free_buffer() when it is done with it. Returns 0,
 * -EPIPE on BR_DEAD_REPLY, -ECONNREFUSED on BR_FAILED_REPLY, -EREMOTEIO
 * on a status reply, -EPROTO on an unexpected return.
 */
int binder_io_call(struct binder_io *io, uint32_t handle, uint32_t code, const void *data,
                   size_t data_size, const binder_size_t *offsets, size_t offsets_size,
                   struct binder_transaction_data *reply);

/* Checks BINDER_VERSION: 0, or -EPROTONOSUPPORT if it is not this UAPI's. */
int binder_io_check_version(binder_device *device);

#endif
