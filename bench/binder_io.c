/*
 * binder_io.c - one binder thread's BC_ and BR_ streams and a synchronous
 * call on top of them (see binder_io.h).
 */
#include "binder_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

int binder_io_init(struct binder_io *io, binder_device *device, size_t write_capacity,
                   size_t read_capacity)
{
	*io = (struct binder_io){.device = device};
	io->write_buffer = malloc(write_capacity);
	io->read_buffer = malloc(read_capacity);
	if (!io->write_buffer || !io->read_buffer) {
		binder_io_destroy(io);
		return -ENOMEM;
	}
	io->write_capacity = write_capacity;
	io->read_capacity = read_capacity;
	return 0;
}

void binder_io_destroy(struct binder_io *io)
{
	free(io->write_buffer);
	free(io->read_buffer);
	io->write_buffer = NULL;
	io->read_buffer = NULL;
}

int binder_io_put(struct binder_io *io, uint32_t command, const void *argument,
                  size_t argument_size)
{
	if (io->write_capacity - io->write_used < sizeof(command) + argument_size)
		return -ENOSPC;
	memcpy(io->write_buffer + io->write_used, &command, sizeof(command));
	if (argument_size)
		memcpy(io->write_buffer + io->write_used + sizeof(command), argument,
		       argument_size);
	io->write_used += sizeof(command) + argument_size;
	return 0;
}

int binder_io_free_buffer(struct binder_io *io, binder_uintptr_t buffer)
{
	return binder_io_put(io, BC_FREE_BUFFER, &buffer, sizeof(buffer));
}

int binder_io_write_read(struct binder_io *io, int read)
{
	struct binder_write_read bwr = {
	        .write_size = io->write_used,
	        .write_buffer = (binder_uintptr_t)(uintptr_t)io->write_buffer,
	        .read_size = read ? io->read_capacity : 0,
	        .read_buffer = (binder_uintptr_t)(uintptr_t)io->read_buffer,
	};
	int ret;

	io->read_size = 0;
	/* After a signal the driver has recorded what it consumed in bwr and
	 * resumes from there when given the same bwr again. */
	do
		ret = binder_device_write_read(io->device, &bwr,
		                               BINDER_WRITE_READ_VALID_BUFFERS |
		                                       (read ? io->read_hints : 0));
	while (ret == -EINTR);
	if (ret < 0)
		return ret;
	if (bwr.write_consumed != bwr.write_size || bwr.read_consumed > bwr.read_size)
		return -EIO;
	io->write_used = 0;
	io->read_size = bwr.read_consumed;
	return 0;
}

/* Reads the next BR_* return at *position: its command and a pointer to its
 * argument, whose size the command encodes. -EPROTO if truncated. */
static int next_return(const struct binder_io *io, size_t *position, uint32_t *command,
                       const uint8_t **argument)
{
	size_t size;

	if (io->read_size - *position < sizeof(*command))
		return -EPROTO;
	memcpy(command, io->read_buffer + *position, sizeof(*command));
	size = _IOC_SIZE(*command);
	if (io->read_size - *position - sizeof(*command) < size)
		return -EPROTO;
	*argument = io->read_buffer + *position + sizeof(*command);
	*position += sizeof(*command) + size;
	return 0;
}

/* Handles the returns of one read; sets *done when BR_REPLY or an error
 * ends the call. */
static int handle_call_returns(struct binder_io *io, struct binder_transaction_data *reply,
                               int *done)
{
	size_t position = 0;
	int result = 0;

	while (position < io->read_size) {
		const uint8_t *argument;
		uint32_t command;
		int ret = next_return(io, &position, &command, &argument);

		if (ret < 0)
			return ret;
		switch (command) {
		case BR_NOOP:
		case BR_TRANSACTION_COMPLETE:
		case BR_SPAWN_LOOPER:
			break;
		case BR_REPLY:
			if (*done)
				return -EPROTO;
			memcpy(reply, argument, sizeof(*reply));
			*done = 1;
			if (reply->flags & TF_STATUS_CODE) {
				binder_io_free_buffer(io, reply->data.ptr.buffer);
				result = -EREMOTEIO;
			}
			break;
		case BR_DEAD_REPLY:
			*done = 1;
			result = -EPIPE;
			break;
		case BR_FAILED_REPLY:
			*done = 1;
			result = -ECONNREFUSED;
			break;
		default:
			/* A client thread owns no objects and runs no looper:
			 * anything else is a protocol error. */
			return -EPROTO;
		}
	}
	return result;
}

int binder_io_call(struct binder_io *io, uint32_t handle, uint32_t code, const void *data,
                   size_t data_size, const binder_size_t *offsets, size_t offsets_size,
                   struct binder_transaction_data *reply)
{
	struct binder_transaction_data transaction = {
	        .target.handle = handle,
	        .code = code,
	        .flags = 0,
	        .data_size = data_size,
	        .offsets_size = offsets_size,
	        .data.ptr.buffer = (binder_uintptr_t)(uintptr_t)data,
	        .data.ptr.offsets = (binder_uintptr_t)(uintptr_t)offsets,
	};
	int done = 0;
	int ret = binder_io_put(io, BC_TRANSACTION, &transaction, sizeof(transaction));

	if (ret < 0)
		return ret;
	/* Bounded by the driver: a synchronous call ends in a reply, a
	 * failure, or the target's death. */
	while (!done) {
		ret = binder_io_write_read(io, 1);
		if (ret < 0)
			return ret;
		ret = handle_call_returns(io, reply, &done);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int binder_io_check_version(binder_device *device)
{
	struct binder_version version = {0};
	int ret = binder_device_ioctl(device, BINDER_VERSION, &version);

	if (ret < 0)
		return ret;
	return version.protocol_version == BINDER_CURRENT_PROTOCOL_VERSION ? 0 : -EPROTONOSUPPORT;
}
