/*
 * objects.c - the objects inside a transaction buffer: validation of the
 * offsets (alignment, bounds, order, no overlap), translation for the
 * receiver (binder <-> handle, fds taken for installing, scatter-gather
 * buffers copied with their parent fix-ups, fd arrays), and the release of
 * the references they hold when the buffer is freed. All reads are from
 * the copy in the receiver's area, which only binderd can write.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binderd.h"
#include "log.h"

static binder_size_t object_offset_at(const uint8_t *data, size_t data_size, size_t index)
{
	binder_size_t offset;
	memcpy(&offset, data + align8(data_size) + index * sizeof(binder_size_t), sizeof(offset));
	return offset;
}

/* The kernel's binder_get_object: the size of a valid object at offset, or
 * 0. */
static size_t object_size_at(const uint8_t *data, size_t data_size, binder_size_t offset,
                             uint32_t *type)
{
	struct binder_object_header header;
	if (data_size < sizeof(header) || offset > data_size - sizeof(header) ||
	    offset % sizeof(uint32_t) != 0)
		return 0;
	memcpy(&header, data + offset, sizeof(header));
	size_t size;
	switch (header.type) {
	case BINDER_TYPE_BINDER:
	case BINDER_TYPE_WEAK_BINDER:
	case BINDER_TYPE_HANDLE:
	case BINDER_TYPE_WEAK_HANDLE:
		size = sizeof(struct flat_binder_object);
		break;
	case BINDER_TYPE_FD:
		size = sizeof(struct binder_fd_object);
		break;
	case BINDER_TYPE_PTR:
		size = sizeof(struct binder_buffer_object);
		break;
	case BINDER_TYPE_FDA:
		size = sizeof(struct binder_fd_array_object);
		break;
	default:
		return 0;
	}
	if (size > data_size - offset)
		return 0;
	*type = header.type;
	return size;
}

static uint32_t translate_binder(struct translate_ctx *ctx, struct flat_binder_object *object,
                                 int *error_param)
{
	struct proc *proc = ctx->thread->proc;
	struct node *node = node_find(proc, object->binder);
	if (!node) {
		node = node_new(proc, object->binder, object->cookie, object->flags);
		if (!node) {
			*error_param = -ENOMEM;
			return BR_FAILED_REPLY;
		}
	}
	if (node->cookie != object->cookie) {
		*error_param = -EINVAL;
		return BR_FAILED_REPLY;
	}
	node_inc_tmp(node);
	bool strong = object->hdr.type == BINDER_TYPE_BINDER;
	struct ref *ref;
	int error = ref_inc_for_node(ctx->target_proc, node, strong, ctx->thread, &ref);
	if (error) {
		node_dec_tmp(node);
		*error_param = error;
		return BR_FAILED_REPLY;
	}
	object->hdr.type = strong ? BINDER_TYPE_HANDLE : BINDER_TYPE_WEAK_HANDLE;
	object->binder = 0;
	object->handle = ref->desc;
	object->cookie = 0;
	node_dec_tmp(node);
	return BR_OK;
}

static uint32_t translate_handle(struct translate_ctx *ctx, struct flat_binder_object *object,
                                 int *error_param)
{
	struct proc *proc = ctx->thread->proc;
	bool strong = object->hdr.type == BINDER_TYPE_HANDLE;
	struct ref *ref = ref_find(proc, object->handle, strong);
	if (!ref) {
		*error_param = -EINVAL;
		return BR_FAILED_REPLY;
	}
	struct node *node = ref->node;
	if (node->proc == ctx->target_proc) {
		object->hdr.type = strong ? BINDER_TYPE_BINDER : BINDER_TYPE_WEAK_BINDER;
		object->binder = node->ptr;
		object->cookie = node->cookie;
		node_inc(node, strong, false, NULL);
	} else {
		struct ref *target_ref;
		int error = ref_inc_for_node(ctx->target_proc, node, strong, NULL, &target_ref);
		if (error) {
			*error_param = error;
			return BR_FAILED_REPLY;
		}
		object->binder = 0;
		object->handle = target_ref->desc;
		object->cookie = 0;
	}
	return BR_OK;
}

/* Takes the sender's next fd for a fix-up at position in the buffer. */
static uint32_t take_fd(struct translate_ctx *ctx, size_t position, int *error_param)
{
	struct txn *txn = ctx->txn;
	if (!ctx->target_accepts_fds) {
		*error_param = -EPERM;
		return BR_FAILED_REPLY;
	}
	struct transaction_fds *fds = ctx->sender_fds;
	if (fds->used >= fds->count) {
		*error_param = -EBADF;
		return BR_FAILED_REPLY;
	}
	if (ctx->target_proc->fds_in_flight >= BINDERD_MAX_FDS_IN_FLIGHT_PER_PROC ||
	    txn->fd_count >= BINDERD_MAX_FDS_PER_MESSAGE) {
		*error_param = -EMFILE;
		return BR_FAILED_REPLY;
	}
	if (!txn->fds) {
		txn->fds = malloc(BINDERD_MAX_FDS_PER_MESSAGE * sizeof(int));
		txn->fd_positions = malloc(BINDERD_MAX_FDS_PER_MESSAGE * sizeof(size_t));
		if (!txn->fds || !txn->fd_positions) {
			*error_param = -ENOMEM;
			return BR_FAILED_REPLY;
		}
	}
	/* What one uid makes binderd hold, over all receivers. */
	if (uid_budget_charge(txn->sender_euid, UID_FDS_IN_FLIGHT, 1) < 0) {
		*error_param = -EMFILE;
		return BR_FAILED_REPLY;
	}
	txn->fds[txn->fd_count] = fds->fds[fds->used];
	fds->fds[fds->used] = -1;
	fds->used++;
	txn->fd_positions[txn->fd_count] = position;
	txn->fd_count++;
	ctx->target_proc->fds_in_flight++;
	return BR_OK;
}

/* The kernel's binder_validate_ptr: object index must be an earlier PTR. */
static struct binder_buffer_object *parent_object(const uint8_t *data, size_t data_size,
                                                  binder_size_t index, size_t valid_count,
                                                  binder_size_t *parent_offset)
{
	if (index >= valid_count)
		return NULL;
	binder_size_t offset = object_offset_at(data, data_size, (size_t)index);
	uint32_t type;
	if (!object_size_at(data, data_size, offset, &type) || type != BINDER_TYPE_PTR)
		return NULL;
	*parent_offset = offset;
	return (struct binder_buffer_object *)(uintptr_t)(data + offset);
}

/* The kernel's binder_validate_fixup: fix-ups go in increasing order along
 * the chain of the last fixed-up buffer and its parents. */
static bool fixup_valid(const uint8_t *data, size_t data_size, size_t count,
                        binder_size_t buffer_object_offset, binder_size_t fixup_offset,
                        binder_size_t last_object_offset, binder_size_t last_min_offset)
{
	if (!last_object_offset)
		return false;
	while (last_object_offset != buffer_object_offset) {
		uint32_t type;
		if (!object_size_at(data, data_size, last_object_offset, &type) ||
		    type != BINDER_TYPE_PTR)
			return false;
		struct binder_buffer_object last;
		memcpy(&last, data + last_object_offset, sizeof(last));
		if (!(last.flags & BINDER_BUFFER_FLAG_HAS_PARENT))
			return false;
		last_min_offset = last.parent_offset + sizeof(binder_uintptr_t);
		if (last.parent >= count)
			return false;
		last_object_offset = object_offset_at(data, data_size, (size_t)last.parent);
	}
	return fixup_offset >= last_min_offset;
}

uint32_t objects_translate(struct translate_ctx *ctx, int *error_param, size_t *translated_end)
{
	struct buffer *buffer = ctx->buffer;
	struct area *area = &ctx->target_proc->area;
	uint8_t *data = buffer_data(area, buffer);
	size_t data_size = buffer->data_size;
	size_t count = buffer->offsets_size / sizeof(binder_size_t);
	size_t sg_offset = align8(data_size) + align8(buffer->offsets_size);
	size_t sg_end = sg_offset + align8(buffer->extra_size) - ctx->secctx_size;
	binder_size_t off_min = 0;
	binder_size_t last_fixup_object = 0, last_fixup_min = 0;
	uint64_t user_base = buffer_user_address(area, buffer);

	*translated_end = 0;
	for (size_t i = 0; i < count; i++) {
		binder_size_t offset = object_offset_at(data, data_size, i);
		uint32_t type = 0;
		size_t size = object_size_at(data, data_size, offset, &type);
		if (size == 0 || offset < off_min) {
			*error_param = -EINVAL;
			return BR_FAILED_REPLY;
		}
		uint8_t *object = data + offset;
		uint32_t result = BR_OK;
		switch (type) {
		case BINDER_TYPE_BINDER:
		case BINDER_TYPE_WEAK_BINDER: {
			struct flat_binder_object flat;
			memcpy(&flat, object, sizeof(flat));
			result = translate_binder(ctx, &flat, error_param);
			if (result == BR_OK)
				memcpy(object, &flat, sizeof(flat));
			break;
		}
		case BINDER_TYPE_HANDLE:
		case BINDER_TYPE_WEAK_HANDLE: {
			struct flat_binder_object flat;
			memcpy(&flat, object, sizeof(flat));
			result = translate_handle(ctx, &flat, error_param);
			if (result == BR_OK)
				memcpy(object, &flat, sizeof(flat));
			break;
		}
		case BINDER_TYPE_FD:
			result = take_fd(ctx, offset + offsetof(struct binder_fd_object, fd),
			                 error_param);
			break;
		case BINDER_TYPE_FDA: {
			struct binder_fd_array_object fda;
			memcpy(&fda, object, sizeof(fda));
			binder_size_t parent_offset;
			struct binder_buffer_object *parent =
			        parent_object(data, data_size, fda.parent, i, &parent_offset);
			if (!parent ||
			    !fixup_valid(data, data_size, count, parent_offset, fda.parent_offset,
			                 last_fixup_object, last_fixup_min)) {
				*error_param = -EINVAL;
				return BR_FAILED_REPLY;
			}
			struct binder_buffer_object parent_copy;
			memcpy(&parent_copy, parent, sizeof(parent_copy));
			if (fda.num_fds >= SIZE_MAX / sizeof(uint32_t) ||
			    fda.num_fds * sizeof(uint32_t) > parent_copy.length ||
			    fda.parent_offset >
			            parent_copy.length - fda.num_fds * sizeof(uint32_t) ||
			    parent_copy.buffer < user_base) {
				*error_param = -EINVAL;
				return BR_FAILED_REPLY;
			}
			binder_size_t array_offset =
			        (parent_copy.buffer - user_base) + fda.parent_offset;
			if (array_offset % sizeof(uint32_t) != 0) {
				*error_param = -EINVAL;
				return BR_FAILED_REPLY;
			}
			for (binder_size_t j = 0; j < fda.num_fds && result == BR_OK; j++)
				result = take_fd(ctx, (size_t)(array_offset + j * sizeof(uint32_t)),
				                 error_param);
			last_fixup_object = parent_offset;
			last_fixup_min = fda.parent_offset + sizeof(uint32_t) * fda.num_fds;
			break;
		}
		case BINDER_TYPE_PTR: {
			struct binder_buffer_object ptr;
			memcpy(&ptr, object, sizeof(ptr));
			if (ctx->direct) {
				/* Its buffer would be a pointer, not a send-area
				 * offset: the device layer never sends that. */
				*error_param = -EINVAL;
				return BR_FAILED_REPLY;
			}
			if (ptr.length > sg_end - sg_offset) {
				*error_param = -EINVAL;
				return BR_FAILED_REPLY;
			}
			if (ptr.length > 0 &&
			    (!ctx->send_area || ptr.buffer > ctx->send_area_size ||
			     ptr.length > ctx->send_area_size - ptr.buffer)) {
				*error_param = -EFAULT;
				return BR_FAILED_REPLY;
			}
			if (ptr.length > 0)
				memcpy(data + sg_offset, ctx->send_area + ptr.buffer,
				       (size_t)ptr.length);
			ptr.buffer = user_base + sg_offset;
			sg_offset += align8((size_t)ptr.length);
			if (ptr.flags & BINDER_BUFFER_FLAG_HAS_PARENT) {
				binder_size_t parent_offset;
				struct binder_buffer_object *parent = parent_object(
				        data, data_size, ptr.parent, i, &parent_offset);
				if (!parent || !fixup_valid(data, data_size, count, parent_offset,
				                            ptr.parent_offset, last_fixup_object,
				                            last_fixup_min)) {
					*error_param = -EINVAL;
					return BR_FAILED_REPLY;
				}
				struct binder_buffer_object parent_copy;
				memcpy(&parent_copy, parent, sizeof(parent_copy));
				if (parent_copy.length < sizeof(binder_uintptr_t) ||
				    ptr.parent_offset >
				            parent_copy.length - sizeof(binder_uintptr_t) ||
				    parent_copy.buffer < user_base) {
					*error_param = -EINVAL;
					return BR_FAILED_REPLY;
				}
				binder_size_t fixup_at =
				        (parent_copy.buffer - user_base) + ptr.parent_offset;
				binder_uintptr_t value = ptr.buffer;
				memcpy(data + fixup_at, &value, sizeof(value));
			}
			memcpy(object, &ptr, sizeof(ptr));
			last_fixup_object = offset;
			last_fixup_min = 0;
			break;
		}
		}
		if (result != BR_OK)
			return result;
		*translated_end = i + 1;
		off_min = offset + size;
	}
	return BR_OK;
}

void buffer_release_objects(struct proc *proc, struct buffer *buffer, size_t object_count)
{
	uint8_t *data = buffer_data(&proc->area, buffer);
	size_t count = buffer->offsets_size / sizeof(binder_size_t);
	if (object_count < count)
		count = object_count;
	for (size_t i = 0; i < count; i++) {
		binder_size_t offset = object_offset_at(data, buffer->data_size, i);
		uint32_t type;
		if (!object_size_at(data, buffer->data_size, offset, &type))
			continue;
		struct flat_binder_object flat;
		switch (type) {
		case BINDER_TYPE_BINDER:
		case BINDER_TYPE_WEAK_BINDER: {
			memcpy(&flat, data + offset, sizeof(flat));
			struct node *node = node_find(proc, flat.binder);
			if (node)
				node_dec(node, type == BINDER_TYPE_BINDER, false);
			break;
		}
		case BINDER_TYPE_HANDLE:
		case BINDER_TYPE_WEAK_HANDLE: {
			memcpy(&flat, data + offset, sizeof(flat));
			struct ref *ref = ref_find(proc, flat.handle, type == BINDER_TYPE_HANDLE);
			if (ref)
				ref_dec(ref, type == BINDER_TYPE_HANDLE);
			break;
		}
		default:
			break;
		}
	}
	if (buffer->target_node) {
		struct node *node = buffer->target_node;
		buffer->target_node = NULL;
		node_dec(node, true, false);
	}
}
