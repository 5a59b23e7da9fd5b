/*
 * fd_arrays.c - closes the fds of BINDER_TYPE_FDA arrays when their buffer
 * is freed, as the kernel does (see fd_arrays.h). Buffers are found in the
 * receive area, which binderd filled and the process can only read; every
 * offset and size is still checked against the area.
 */
#include "fd_arrays.h"

#include <linux/android/binder.h>
#include <linux/ioctl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Most fds one buffer's arrays can hold (one transaction's fds). */
#define FD_ARRAY_MAX_FDS 250u

struct binder_fd_array_buffer {
	uint64_t address;
	unsigned count;
	struct binder_fd_array_buffer *next;
	int fds[];
};

/* True if [address, address + size) lies in the device's receive area. */
static bool in_area(const struct binder_device *device, uint64_t address, uint64_t size)
{
	uint64_t start = (uintptr_t)device->area;

	return device->area && address >= start && address - start <= device->mapped_size &&
	       size <= device->mapped_size - (address - start);
}

/* The last transaction in a read, if any. */
static bool last_transaction(const uint8_t *read, size_t size,
                             struct binder_transaction_data *transaction)
{
	size_t position = 0;
	bool found = false;

	while (size - position >= sizeof(uint32_t)) {
		uint32_t cmd;
		size_t payload;

		memcpy(&cmd, read + position, sizeof(cmd));
		payload = _IOC_SIZE(cmd);
		if (size - position - sizeof(cmd) < payload)
			break;
		if (cmd == BR_TRANSACTION || cmd == BR_REPLY || cmd == BR_TRANSACTION_SEC_CTX) {
			memcpy(transaction, read + position + sizeof(cmd), sizeof(*transaction));
			found = true;
		}
		position += sizeof(cmd) + payload;
	}
	return found;
}

/* Collects the fds of the transaction's fd arrays; returns how many. */
static unsigned collect_fds(const struct binder_device *device,
                            const struct binder_transaction_data *transaction, int *fds)
{
	const uint8_t *data = (const uint8_t *)(uintptr_t)transaction->data.ptr.buffer;
	const binder_size_t *offsets =
	        (const binder_size_t *)(uintptr_t)transaction->data.ptr.offsets;
	uint64_t count = transaction->offsets_size / sizeof(binder_size_t), i;
	unsigned collected = 0;

	if (!in_area(device, transaction->data.ptr.buffer, transaction->data_size) ||
	    !in_area(device, transaction->data.ptr.offsets, transaction->offsets_size) ||
	    transaction->data.ptr.offsets % sizeof(binder_size_t))
		return 0;
	for (i = 0; i < count; i++) {
		struct binder_fd_array_object array;
		struct binder_buffer_object parent;
		uint64_t fds_at, j;

		if (offsets[i] > transaction->data_size ||
		    transaction->data_size - offsets[i] < sizeof(array))
			continue;
		memcpy(&array, data + offsets[i], sizeof(array));
		if (array.hdr.type != BINDER_TYPE_FDA || array.parent >= count ||
		    offsets[array.parent] > transaction->data_size ||
		    transaction->data_size - offsets[array.parent] < sizeof(parent))
			continue;
		memcpy(&parent, data + offsets[array.parent], sizeof(parent));
		if (parent.hdr.type != BINDER_TYPE_PTR || array.parent_offset > parent.length ||
		    array.num_fds > (parent.length - array.parent_offset) / sizeof(uint32_t) ||
		    array.num_fds > FD_ARRAY_MAX_FDS - collected)
			continue;
		fds_at = parent.buffer + array.parent_offset;
		if (!in_area(device, fds_at, array.num_fds * sizeof(uint32_t)))
			continue;
		for (j = 0; j < array.num_fds; j++) {
			int32_t fd;

			memcpy(&fd, (const uint8_t *)(uintptr_t)fds_at + j * sizeof(fd),
			       sizeof(fd));
			if (fd >= 0)
				fds[collected++] = fd;
		}
	}
	return collected;
}

void binder_fd_arrays_note_read(struct binder_device *device, const uint8_t *read, size_t size)
{
	struct binder_transaction_data transaction;
	struct binder_fd_array_buffer *buffer;
	int fds[FD_ARRAY_MAX_FDS];
	unsigned count;

	if (!last_transaction(read, size, &transaction))
		return;
	count = collect_fds(device, &transaction, fds);
	if (count == 0)
		return;
	buffer = malloc(sizeof(*buffer) + count * sizeof(int));
	if (!buffer)
		return; /* the fds stay open: a leak, not a wrong close */
	buffer->address = transaction.data.ptr.buffer;
	buffer->count = count;
	memcpy(buffer->fds, fds, count * sizeof(int));
	pthread_mutex_lock(&device->fd_arrays_lock);
	buffer->next = device->fd_arrays;
	device->fd_arrays = buffer;
	__atomic_add_fetch(&device->fd_array_count, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&device->fd_arrays_lock);
}

static void close_buffer_fds(struct binder_device *device, uint64_t address)
{
	struct binder_fd_array_buffer **link, *found = NULL;
	unsigned i;

	pthread_mutex_lock(&device->fd_arrays_lock);
	for (link = &device->fd_arrays; *link; link = &(*link)->next) {
		if ((*link)->address == address) {
			found = *link;
			*link = found->next;
			__atomic_sub_fetch(&device->fd_array_count, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	pthread_mutex_unlock(&device->fd_arrays_lock);
	if (!found)
		return;
	for (i = 0; i < found->count; i++)
		close(found->fds[i]);
	free(found);
}

void binder_fd_arrays_close_freed(struct binder_device *device, const uint8_t *stream, size_t size)
{
	size_t position = 0;

	if (__atomic_load_n(&device->fd_array_count, __ATOMIC_RELAXED) == 0)
		return;
	while (size - position >= sizeof(uint32_t)) {
		uint32_t cmd;
		size_t payload;

		memcpy(&cmd, stream + position, sizeof(cmd));
		payload = _IOC_SIZE(cmd);
		if (_IOC_TYPE(cmd) != 'c' || size - position - sizeof(cmd) < payload)
			break;
		if (cmd == BC_FREE_BUFFER) {
			binder_uintptr_t address;

			memcpy(&address, stream + position + sizeof(cmd), sizeof(address));
			close_buffer_fds(device, address);
		}
		position += sizeof(cmd) + payload;
	}
}

void binder_fd_arrays_forget(struct binder_device *device)
{
	struct binder_fd_array_buffer *buffer, *next;

	for (buffer = device->fd_arrays; buffer; buffer = next) {
		next = buffer->next;
		free(buffer);
	}
	device->fd_arrays = NULL;
	device->fd_array_count = 0;
}
