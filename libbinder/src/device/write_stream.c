/*
 * write_stream.c - walks the BC_* commands of a BINDER_WRITE_READ write
 * part and turns each transaction's pointers into send-area offsets (see
 * write_stream.h). Every command's payload size is _IOC_SIZE of its code.
 */
#include "write_stream.h"

#include <fcntl.h>
#include <linux/android/binder.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/ioctl.h>
#include <string.h>

#include "self_memory.h"

#define ALIGN8(x) (((x) + 7) & ~(uint64_t)7)

static bool is_transaction(uint32_t cmd)
{
	return cmd == BC_TRANSACTION || cmd == BC_REPLY || cmd == BC_TRANSACTION_SG ||
	       cmd == BC_REPLY_SG;
}

static bool is_scatter_gather(uint32_t cmd)
{
	return cmd == BC_TRANSACTION_SG || cmd == BC_REPLY_SG;
}

/* Reads the transaction at payload; false if it could never fit a send
 * area, else *area_size is what it needs. */
static bool transaction_area_size(const uint8_t *payload, uint32_t cmd,
                                  struct binder_transaction_data *transaction,
                                  uint64_t *buffers_size, uint64_t *area_size)
{
	const uint64_t max = BINDERD_MAX_SEND_AREA_SIZE;

	memcpy(transaction, payload, sizeof(*transaction));
	*buffers_size = 0;
	if (is_scatter_gather(cmd))
		memcpy(buffers_size, payload + sizeof(*transaction), sizeof(*buffers_size));
	if (transaction->data_size > max || transaction->offsets_size > max || *buffers_size > max)
		return false;
	*area_size = ALIGN8(transaction->data_size) + ALIGN8(transaction->offsets_size) +
	             ALIGN8(*buffers_size);
	return *area_size <= max;
}

/*
 * Size of the command at stream + position: 0 if it is cut short by the
 * end of stream, SIZE_MAX if it is not a BC_* command (binderd stops at it
 * with an error, so nothing after it matters).
 */
static size_t command_size(const uint8_t *stream, size_t size, size_t position, uint32_t *cmd)
{
	size_t payload;

	if (size - position < sizeof(*cmd))
		return 0;
	memcpy(cmd, stream + position, sizeof(*cmd));
	if (_IOC_TYPE(*cmd) != 'c')
		return SIZE_MAX;
	payload = _IOC_SIZE(*cmd);
	if (size - position - sizeof(*cmd) < payload)
		return 0;
	return sizeof(*cmd) + payload;
}

size_t binder_write_stream_measure(const uint8_t *stream, size_t size, bool complete,
                                   size_t *area_needed)
{
	uint64_t needed = 0;
	size_t position = 0;

	while (position < size) {
		struct binder_transaction_data transaction;
		uint64_t buffers_size, area_size;
		uint32_t cmd;
		size_t length = command_size(stream, size, position, &cmd);

		if (length == SIZE_MAX || (length == 0 && complete)) {
			/* binderd stops at this command with an error. */
			position = size;
			break;
		}
		if (length == 0)
			break; /* cut by our copy: the caller sends it next time */
		if (is_transaction(cmd) &&
		    transaction_area_size(stream + position + sizeof(cmd), cmd, &transaction,
		                          &buffers_size, &area_size))
			needed += area_size;
		position += length;
	}
	*area_needed = needed < BINDERD_MAX_SEND_AREA_SIZE ? needed : BINDERD_MAX_SEND_AREA_SIZE;
	return position;
}

bool binder_write_stream_only_frees(const uint8_t *stream, size_t size)
{
	size_t position = 0;

	while (position < size) {
		uint32_t cmd;
		size_t length = command_size(stream, size, position, &cmd);

		if (length == 0 || length == SIZE_MAX || cmd != BC_FREE_BUFFER)
			return false;
		position += length;
	}
	return size > 0;
}

struct stream_cursor {
	const struct binder_send_area *area;
	uint64_t used; /* bytes of the area filled */
	struct binder_stream_fds *fds;
	bool direct_reads;
	struct binder_stream_inline *inline_payloads;
};

/* True if binderd can take the transaction from our memory as it is: its
 * offsets and object types are readable and name only binders and handles
 * (one system call reads all the types). */
static bool can_send_direct(const struct binder_transaction_data *transaction)
{
	binder_size_t offsets[BINDER_DIRECT_MAX_OBJECTS];
	uint32_t types[BINDER_DIRECT_MAX_OBJECTS];
	struct iovec local[BINDER_DIRECT_MAX_OBJECTS], remote[BINDER_DIRECT_MAX_OBJECTS];
	size_t count = transaction->offsets_size / sizeof(binder_size_t);
	size_t i;

	if (transaction->offsets_size % sizeof(binder_size_t) || count > BINDER_DIRECT_MAX_OBJECTS)
		return false;
	if (count == 0)
		return true;
	if (binder_self_read(offsets, transaction->data.ptr.offsets, transaction->offsets_size))
		return false;
	for (i = 0; i < count; i++) {
		if (offsets[i] > transaction->data_size ||
		    transaction->data_size - offsets[i] < sizeof(uint32_t))
			return false;
		local[i].iov_base = &types[i];
		local[i].iov_len = sizeof(uint32_t);
		remote[i].iov_base = (void *)(uintptr_t)(transaction->data.ptr.buffer + offsets[i]);
		remote[i].iov_len = sizeof(uint32_t);
	}
	if (process_vm_readv(getpid(), local, count, remote, count, 0) !=
	    (ssize_t)(count * sizeof(uint32_t)))
		return false;
	for (i = 0; i < count; i++) {
		switch (types[i]) {
		case BINDER_TYPE_BINDER:
		case BINDER_TYPE_WEAK_BINDER:
		case BINDER_TYPE_HANDLE:
		case BINDER_TYPE_WEAK_HANDLE:
			break;
		default:
			return false;
		}
	}
	return true;
}

/* Adds fd to the request; false if it is not an open fd or too many. */
static bool attach_fd(struct binder_stream_fds *fds, uint32_t fd, uint32_t *index)
{
	if ((int32_t)fd < 0 || fds->count >= BINDERD_MAX_FDS_PER_MESSAGE)
		return false;
	if (fcntl((int)fd, F_GETFD) < 0)
		return false;
	*index = fds->count;
	fds->fds[fds->count++] = (int)fd;
	return true;
}

static size_t object_size(uint32_t type)
{
	switch (type) {
	case BINDER_TYPE_BINDER:
	case BINDER_TYPE_WEAK_BINDER:
	case BINDER_TYPE_HANDLE:
	case BINDER_TYPE_WEAK_HANDLE:
		return sizeof(struct flat_binder_object);
	case BINDER_TYPE_FD:
		return sizeof(struct binder_fd_object);
	case BINDER_TYPE_PTR:
		return sizeof(struct binder_buffer_object);
	case BINDER_TYPE_FDA:
		return sizeof(struct binder_fd_array_object);
	default:
		return 0;
	}
}

/* One transaction's payload, as copied into the send area. */
struct copied_transaction {
	uint8_t *data;
	uint64_t data_size;
	const binder_size_t *offsets;
	uint64_t offset_count;
	uint64_t buffers_at;   /* area offset of the PTR buffers */
	uint64_t buffers_left; /* room left for them */
};

static bool attach_fd_array(struct stream_cursor *cursor, struct copied_transaction *copy,
                            uint64_t index, const struct binder_fd_array_object *array)
{
	struct binder_buffer_object parent;
	uint64_t parent_offset, i;
	uint32_t parent_type;
	uint8_t *fds;

	/* A malformed array is binderd's to reject: attach nothing. */
	if (array->parent >= index)
		return true;
	parent_offset = copy->offsets[array->parent];
	memcpy(&parent_type, copy->data + parent_offset, sizeof(parent_type));
	if (parent_type != BINDER_TYPE_PTR)
		return true;
	memcpy(&parent, copy->data + parent_offset, sizeof(parent));
	if (parent.buffer == BINDER_SEND_AREA_BAD_OFFSET ||
	    array->parent_offset % sizeof(uint32_t) || array->parent_offset > parent.length ||
	    array->num_fds > (parent.length - array->parent_offset) / sizeof(uint32_t))
		return true;
	fds = cursor->area->base + parent.buffer + array->parent_offset;
	for (i = 0; i < array->num_fds; i++) {
		uint32_t fd, fd_index;

		memcpy(&fd, fds + i * sizeof(fd), sizeof(fd));
		if (!attach_fd(cursor->fds, fd, &fd_index))
			return false;
		memcpy(fds + i * sizeof(fd), &fd_index, sizeof(fd_index));
	}
	return true;
}

static void copy_buffer_object(struct stream_cursor *cursor, struct copied_transaction *copy,
                               struct binder_buffer_object *buffer)
{
	uint64_t room = ALIGN8(buffer->length);

	if (buffer->length > BINDERD_MAX_SEND_AREA_SIZE || room > copy->buffers_left ||
	    binder_self_read(cursor->area->base + copy->buffers_at, buffer->buffer,
	                     buffer->length)) {
		buffer->buffer = BINDER_SEND_AREA_BAD_OFFSET;
		return;
	}
	buffer->buffer = copy->buffers_at;
	copy->buffers_at += room;
	copy->buffers_left -= room;
}

/* Copies PTR buffers and attaches fds, object by object, as binderd will
 * walk them. Stops quietly at the first malformed object (binderd rejects
 * the transaction there). False if the transaction must fail here. */
static bool prepare_objects(struct stream_cursor *cursor, struct copied_transaction *copy)
{
	uint64_t minimum_offset = 0, i;

	for (i = 0; i < copy->offset_count; i++) {
		uint64_t offset = copy->offsets[i];
		uint8_t *object = copy->data + offset;
		uint32_t type;
		size_t size;

		if (offset % sizeof(uint32_t) || offset < minimum_offset ||
		    offset > copy->data_size || copy->data_size - offset < sizeof(type))
			return true;
		memcpy(&type, object, sizeof(type));
		size = object_size(type);
		if (size == 0 || copy->data_size - offset < size)
			return true;
		if (type == BINDER_TYPE_FD) {
			struct binder_fd_object fd_object;
			uint32_t index;

			memcpy(&fd_object, object, sizeof(fd_object));
			if (!attach_fd(cursor->fds, fd_object.fd, &index))
				return false;
			fd_object.fd = index;
			memcpy(object, &fd_object, sizeof(fd_object));
		} else if (type == BINDER_TYPE_PTR) {
			struct binder_buffer_object buffer;

			memcpy(&buffer, object, sizeof(buffer));
			copy_buffer_object(cursor, copy, &buffer);
			memcpy(object, &buffer, sizeof(buffer));
		} else if (type == BINDER_TYPE_FDA) {
			struct binder_fd_array_object array;

			memcpy(&array, object, sizeof(array));
			if (!attach_fd_array(cursor, copy, i, &array))
				return false;
		}
		minimum_offset = offset + size;
	}
	return true;
}

/* Puts the transaction inline if it qualifies (see write_stream.h); true
 * if it did, with *transaction rewritten. */
static bool take_inline(struct stream_cursor *cursor, const uint8_t *payload, uint32_t cmd,
                        struct binder_transaction_data *transaction)
{
	struct binder_stream_inline *inline_payloads = cursor->inline_payloads;

	if (!inline_payloads || is_scatter_gather(cmd))
		return false;
	memcpy(transaction, payload, sizeof(*transaction));
	if (transaction->flags & BINDERD_TF_GATHER)
		return false;
	if (transaction->offsets_size != 0 || transaction->data_size > inline_payloads->limit ||
	    inline_payloads->size > inline_payloads->limit - transaction->data_size)
		return false;
	if (transaction->data_size > 0) {
		if (inline_payloads->count >= BINDER_INLINE_MAX_PAYLOADS)
			return false;
		inline_payloads->payloads[inline_payloads->count++] = (struct iovec){
		        .iov_base = (void *)(uintptr_t)transaction->data.ptr.buffer,
		        .iov_len = transaction->data_size,
		};
	}
	transaction->flags |= BINDERD_TF_INLINE;
	transaction->data.ptr.buffer = inline_payloads->size;
	transaction->data.ptr.offsets = inline_payloads->size + transaction->data_size;
	inline_payloads->size += transaction->data_size;
	return true;
}

/* Copies a gathered transaction's segments (BINDERD_TF_GATHER: its data
 * pointer names a struct binderd_gather_list) one after the other to
 * destination; false if the list is malformed or a segment unreadable. */
static bool copy_gathered(uint8_t *destination, const struct binder_transaction_data *transaction)
{
	struct binderd_gather_list list;
	uint64_t filled = 0;

	if (binder_self_read(&list, transaction->data.ptr.buffer, sizeof(list)) ||
	    list.count == 0 || list.count > BINDERD_MAX_GATHER_SEGMENTS)
		return false;
	for (uint32_t i = 0; i < list.count; i++) {
		const struct binderd_gather_segment *segment = &list.segments[i];

		if (segment->length > transaction->data_size - filled ||
		    binder_self_read(destination + filled, segment->address, segment->length))
			return false;
		filled += segment->length;
	}
	return filled == transaction->data_size;
}

static void prepare_transaction(struct stream_cursor *cursor, uint8_t *payload, uint32_t cmd)
{
	struct binder_transaction_data transaction;
	struct copied_transaction copy;
	uint64_t buffers_size, area_size, data_at, offsets_at;
	unsigned fds_before = cursor->fds->count;
	uint8_t *base = cursor->area->base;
	bool area_ok, gathered, data_ok, offsets_ok;

	if (take_inline(cursor, payload, cmd, &transaction))
		goto out;
	if (cursor->direct_reads) {
		memcpy(&transaction, payload, sizeof(transaction));
		/* binderd gathers only object-less payloads; others are
		 * gathered here, into the send area. */
		if ((transaction.flags & BINDERD_TF_GATHER) ? transaction.offsets_size == 0
		                                            : can_send_direct(&transaction)) {
			transaction.flags |= BINDERD_TF_DIRECT;
			goto out;
		}
	}
	area_ok = transaction_area_size(payload, cmd, &transaction, &buffers_size, &area_size);
	/* Gathered here if at all: binderd sees a plain send-area payload. */
	gathered = (transaction.flags & BINDERD_TF_GATHER) != 0;
	transaction.flags &= ~BINDERD_TF_GATHER;
	if (!area_ok || area_size > cursor->area->size - cursor->used) {
		transaction.data.ptr.buffer = BINDER_SEND_AREA_BAD_OFFSET;
		transaction.data.ptr.offsets = BINDER_SEND_AREA_BAD_OFFSET;
		goto out;
	}
	if (area_size == 0) {
		/* Nothing to copy (and maybe no area yet). */
		transaction.data.ptr.buffer = cursor->used;
		transaction.data.ptr.offsets = cursor->used;
		goto out;
	}
	data_at = cursor->used;
	offsets_at = data_at + ALIGN8(transaction.data_size);
	cursor->used += area_size;
	if (gathered) {
		data_ok = copy_gathered(base + data_at, &transaction);
	} else {
		data_ok = !binder_self_read(base + data_at, transaction.data.ptr.buffer,
		                            transaction.data_size);
	}
	offsets_ok = !binder_self_read(base + offsets_at, transaction.data.ptr.offsets,
	                               transaction.offsets_size);
	transaction.data.ptr.buffer = data_ok ? data_at : BINDER_SEND_AREA_BAD_OFFSET;
	transaction.data.ptr.offsets = offsets_ok ? offsets_at : BINDER_SEND_AREA_BAD_OFFSET;
	if (!data_ok || !offsets_ok)
		goto out;
	copy.data = base + data_at;
	copy.data_size = transaction.data_size;
	copy.offsets = (const binder_size_t *)(base + offsets_at);
	copy.offset_count = transaction.offsets_size / sizeof(binder_size_t);
	copy.buffers_at = offsets_at + ALIGN8(transaction.offsets_size);
	copy.buffers_left = ALIGN8(buffers_size);
	if (!prepare_objects(cursor, &copy)) {
		/* Bad fd: fail the transaction, attach none of its fds. */
		transaction.data.ptr.buffer = BINDER_SEND_AREA_BAD_OFFSET;
		cursor->fds->count = fds_before;
	}
out:
	memcpy(payload, &transaction, sizeof(transaction));
}

void binder_write_stream_prepare(uint8_t *stream, size_t size, const struct binder_send_area *area,
                                 struct binder_stream_fds *fds, bool direct_reads,
                                 struct binder_stream_inline *inline_payloads)
{
	struct stream_cursor cursor = {.area = area,
	                               .used = 0,
	                               .fds = fds,
	                               .direct_reads = direct_reads,
	                               .inline_payloads = inline_payloads};
	size_t position = 0;

	fds->count = 0;
	while (position < size) {
		uint32_t cmd;
		size_t length = command_size(stream, size, position, &cmd);

		if (length == 0 || length == SIZE_MAX)
			break;
		if (is_transaction(cmd))
			prepare_transaction(&cursor, stream + position + sizeof(cmd), cmd);
		position += length;
	}
}
