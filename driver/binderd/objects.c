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

/* A translation fails: says why (a string literal, as binder_user_error
 * would name it) and with which -errno; returns BR_FAILED_REPLY. */
static uint32_t translate_failed(struct translate_ctx *ctx, int *error_param, int error,
                                 const char *reason)
{
	*error_param = error;
	ctx->error_reason = reason;
	return BR_FAILED_REPLY;
}

static uint32_t translate_binder(struct translate_ctx *ctx, struct flat_binder_object *object,
                                 int *error_param)
{
	struct proc *proc = ctx->thread->proc;
	struct node *node = node_find(proc, object->binder);
	if (!node) {
		node = node_new(proc, object->binder, object->cookie, object->flags);
		if (!node)
			return translate_failed(ctx, error_param, -ENOMEM, "cannot make a node");
	}
	if (node->cookie != object->cookie)
		return translate_failed(ctx, error_param, -EINVAL, "node cookie mismatch");
	node_inc_tmp(node);
	bool strong = object->hdr.type == BINDER_TYPE_BINDER;
	struct ref *ref;
	int error = ref_inc_for_node(ctx->target_proc, node, strong, ctx->thread, &ref);
	if (error) {
		node_dec_tmp(node);
		return translate_failed(ctx, error_param, error,
		                        "cannot make a ref for the target");
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
	if (!ref)
		return translate_failed(ctx, error_param, -EINVAL, "invalid handle");
	struct node *node = ref->node;
	if (node->proc == ctx->target_proc) {
		object->hdr.type = strong ? BINDER_TYPE_BINDER : BINDER_TYPE_WEAK_BINDER;
		object->binder = node->ptr;
		object->cookie = node->cookie;
		node_inc(node, strong, false, NULL);
	} else {
		struct ref *target_ref;
		int error = ref_inc_for_node(ctx->target_proc, node, strong, NULL, &target_ref);
		if (error)
			return translate_failed(ctx, error_param, error,
			                        "cannot make a ref for the target");
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
	if (!ctx->target_accepts_fds)
		return translate_failed(ctx, error_param, -EPERM, "fds not accepted");
	struct transaction_fds *fds = ctx->sender_fds;
	if (fds->used >= fds->count)
		return translate_failed(ctx, error_param, -EBADF, "invalid fd");
	if (ctx->target_proc->fds_in_flight >= BINDERD_MAX_FDS_IN_FLIGHT_PER_PROC ||
	    txn->fd_count >= BINDERD_MAX_FDS_PER_MESSAGE)
		return translate_failed(ctx, error_param, -EMFILE, "too many fds in flight");
	if (!txn->fds) {
		txn->fds = malloc(BINDERD_MAX_FDS_PER_MESSAGE * sizeof(int));
		txn->fd_positions = malloc(BINDERD_MAX_FDS_PER_MESSAGE * sizeof(size_t));
		if (!txn->fds || !txn->fd_positions)
			return translate_failed(ctx, error_param, -ENOMEM, "out of memory");
	}
	/* What one uid makes binderd hold, over all receivers. */
	if (uid_budget_charge(txn->sender_euid, UID_FDS_IN_FLIGHT, 1) < 0)
		return translate_failed(ctx, error_param, -EMFILE,
		                        "uid has too many fds in flight");
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

/* Where objects_translate is in the buffer, and what PTR and FDA objects
 * need of those before them. */
struct translate_walk {
	uint8_t *data; /* the buffer, in the target's area */
	size_t data_size;
	size_t count;       /* objects in the buffer */
	size_t index;       /* of the object being translated */
	size_t sg_offset;   /* next free byte of the extra space */
	size_t sg_end;      /* end of the extra space for PTR buffers */
	uint64_t user_base; /* where the target sees the buffer */
	/* the kernel's last_fixup_obj_off and last_fixup_min_off */
	binder_size_t last_fixup_object, last_fixup_min;
};

/* BINDER_TYPE_BINDER / WEAK_BINDER: the sender's node becomes a handle. */
static uint32_t translate_binder_object(struct translate_ctx *ctx, uint8_t *object,
                                        int *error_param)
{
	struct flat_binder_object flat;
	memcpy(&flat, object, sizeof(flat));
	uint32_t result = translate_binder(ctx, &flat, error_param);
	if (result == BR_OK)
		memcpy(object, &flat, sizeof(flat));
	return result;
}

/* BINDER_TYPE_HANDLE / WEAK_HANDLE: a handle of the target's, or its own
 * node. */
static uint32_t translate_handle_object(struct translate_ctx *ctx, uint8_t *object,
                                        int *error_param)
{
	struct flat_binder_object flat;
	memcpy(&flat, object, sizeof(flat));
	uint32_t result = translate_handle(ctx, &flat, error_param);
	if (result == BR_OK)
		memcpy(object, &flat, sizeof(flat));
	return result;
}

/* BINDER_TYPE_FDA: the fds of an array inside an earlier PTR buffer, each
 * taken for installing at its place in that buffer. */
static uint32_t translate_fda_object(struct translate_ctx *ctx, struct translate_walk *walk,
                                     const uint8_t *object, int *error_param)
{
	struct binder_fd_array_object fda;
	memcpy(&fda, object, sizeof(fda));
	binder_size_t parent_offset;
	struct binder_buffer_object *parent =
	        parent_object(walk->data, walk->data_size, fda.parent, walk->index, &parent_offset);
	if (!parent)
		return translate_failed(ctx, error_param, -EINVAL, "bad fd array parent");
	if (!fixup_valid(walk->data, walk->data_size, walk->count, parent_offset, fda.parent_offset,
	                 walk->last_fixup_object, walk->last_fixup_min))
		return translate_failed(ctx, error_param, -EINVAL, "fd array fixup out of order");
	struct binder_buffer_object parent_copy;
	memcpy(&parent_copy, parent, sizeof(parent_copy));
	if (fda.num_fds >= SIZE_MAX / sizeof(uint32_t) ||
	    fda.num_fds * sizeof(uint32_t) > parent_copy.length ||
	    fda.parent_offset > parent_copy.length - fda.num_fds * sizeof(uint32_t) ||
	    parent_copy.buffer < walk->user_base)
		return translate_failed(ctx, error_param, -EINVAL, "bad fd array size or offset");
	binder_size_t array_offset = (parent_copy.buffer - walk->user_base) + fda.parent_offset;
	if (array_offset % sizeof(uint32_t) != 0)
		return translate_failed(ctx, error_param, -EINVAL, "unaligned fd array");
	uint32_t result = BR_OK;
	for (binder_size_t j = 0; j < fda.num_fds && result == BR_OK; j++)
		result = take_fd(ctx, (size_t)(array_offset + j * sizeof(uint32_t)), error_param);
	walk->last_fixup_object = parent_offset;
	walk->last_fixup_min = fda.parent_offset + sizeof(uint32_t) * fda.num_fds;
	return result;
}

/* A PTR buffer with a parent: its address in the target goes at its place
 * in the parent buffer. */
static uint32_t fix_up_parent(struct translate_ctx *ctx, struct translate_walk *walk,
                              const struct binder_buffer_object *ptr, int *error_param)
{
	binder_size_t parent_offset;
	struct binder_buffer_object *parent = parent_object(
	        walk->data, walk->data_size, ptr->parent, walk->index, &parent_offset);
	if (!parent)
		return translate_failed(ctx, error_param, -EINVAL, "bad buffer parent");
	if (!fixup_valid(walk->data, walk->data_size, walk->count, parent_offset,
	                 ptr->parent_offset, walk->last_fixup_object, walk->last_fixup_min))
		return translate_failed(ctx, error_param, -EINVAL, "buffer fixup out of order");
	struct binder_buffer_object parent_copy;
	memcpy(&parent_copy, parent, sizeof(parent_copy));
	if (parent_copy.length < sizeof(binder_uintptr_t) ||
	    ptr->parent_offset > parent_copy.length - sizeof(binder_uintptr_t) ||
	    parent_copy.buffer < walk->user_base)
		return translate_failed(ctx, error_param, -EINVAL, "bad buffer parent offset");
	binder_size_t fixup_at = (parent_copy.buffer - walk->user_base) + ptr->parent_offset;
	binder_uintptr_t value = ptr->buffer;
	memcpy(walk->data + fixup_at, &value, sizeof(value));
	return BR_OK;
}

/* BINDER_TYPE_PTR: the buffer is copied from the send area into the extra
 * space, and its address (and its parent's pointer to it) fixed up. */
static uint32_t translate_ptr_object(struct translate_ctx *ctx, struct translate_walk *walk,
                                     uint8_t *object, binder_size_t offset, int *error_param)
{
	struct binder_buffer_object ptr;
	memcpy(&ptr, object, sizeof(ptr));
	/* Its buffer would be a pointer, not a send-area offset: the device
	 * layer never sends that. */
	if (ctx->direct)
		return translate_failed(ctx, error_param, -EINVAL,
		                        "buffer object in a direct read");
	if (ptr.length > walk->sg_end - walk->sg_offset)
		return translate_failed(ctx, error_param, -EINVAL, "buffer too large");
	if (ptr.length > 0 && (!ctx->send_area || ptr.buffer > ctx->send_area_size ||
	                       ptr.length > ctx->send_area_size - ptr.buffer))
		return translate_failed(ctx, error_param, -EFAULT, "invalid buffer pointer");
	if (ptr.length > 0)
		memcpy(walk->data + walk->sg_offset, ctx->send_area + ptr.buffer,
		       (size_t)ptr.length);
	ptr.buffer = walk->user_base + walk->sg_offset;
	walk->sg_offset += align8((size_t)ptr.length);
	if (ptr.flags & BINDER_BUFFER_FLAG_HAS_PARENT) {
		uint32_t result = fix_up_parent(ctx, walk, &ptr, error_param);
		if (result != BR_OK)
			return result;
	}
	memcpy(object, &ptr, sizeof(ptr));
	walk->last_fixup_object = offset;
	walk->last_fixup_min = 0;
	return BR_OK;
}

/* One object, by type (object_size_at checked that it is a known one). */
static uint32_t translate_object(struct translate_ctx *ctx, struct translate_walk *walk,
                                 uint32_t type, binder_size_t offset, int *error_param)
{
	uint8_t *object = walk->data + offset;
	switch (type) {
	case BINDER_TYPE_BINDER:
	case BINDER_TYPE_WEAK_BINDER:
		return translate_binder_object(ctx, object, error_param);
	case BINDER_TYPE_HANDLE:
	case BINDER_TYPE_WEAK_HANDLE:
		return translate_handle_object(ctx, object, error_param);
	case BINDER_TYPE_FD:
		return take_fd(ctx, offset + offsetof(struct binder_fd_object, fd), error_param);
	case BINDER_TYPE_FDA:
		return translate_fda_object(ctx, walk, object, error_param);
	case BINDER_TYPE_PTR:
		return translate_ptr_object(ctx, walk, object, offset, error_param);
	default:
		return BR_OK;
	}
}

uint32_t objects_translate(struct translate_ctx *ctx, int *error_param, size_t *translated_end)
{
	struct buffer *buffer = ctx->buffer;
	struct area *area = &ctx->target_proc->area;
	struct translate_walk walk = {
	        .data = buffer_data(area, buffer),
	        .data_size = buffer->data_size,
	        .count = buffer->offsets_size / sizeof(binder_size_t),
	        .sg_offset = align8(buffer->data_size) + align8(buffer->offsets_size),
	        .user_base = buffer_user_address(area, buffer),
	};
	walk.sg_end = walk.sg_offset + align8(buffer->extra_size) - ctx->secctx_size;
	binder_size_t off_min = 0;

	*translated_end = 0;
	for (walk.index = 0; walk.index < walk.count; walk.index++) {
		binder_size_t offset = object_offset_at(walk.data, walk.data_size, walk.index);
		uint32_t type = 0;
		size_t size = object_size_at(walk.data, walk.data_size, offset, &type);
		if (size == 0 || offset < off_min)
			return translate_failed(ctx, error_param, -EINVAL, "bad offset or object");
		uint32_t result = translate_object(ctx, &walk, type, offset, error_param);
		if (result != BR_OK)
			return result;
		*translated_end = walk.index + 1;
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
			/* The cookie too: a node killed alone leaves the table,
			 * and a new one may have its ptr. */
			struct node *node = node_find(proc, flat.binder);
			if (node && node->cookie == flat.cookie)
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
		if (buffer->target_node_tmp) {
			buffer->target_node_tmp = false;
			node_dec_tmp(node);
		} else {
			node_dec(node, true, false);
		}
	}
}
