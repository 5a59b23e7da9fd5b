/*
 * node.c - binder nodes (objects owned by a process) and their reference
 * counts, following the kernel's rules: internal strong refs come from
 * refs that hold a strong count, local refs from buffers and the owner's
 * own acquires, and the owner is told (BR_INCREFS, BR_ACQUIRE, BR_RELEASE,
 * BR_DECREFS) whenever what it must keep alive changes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binderd.h"
#include "log.h"

struct node *node_new(struct proc *proc, binder_uintptr_t ptr, binder_uintptr_t cookie,
                      uint32_t flags)
{
	if (proc->node_count >= BINDERD_MAX_NODES_PER_PROC)
		return NULL;
	struct node *node = calloc(1, sizeof(*node));
	if (!node)
		return NULL;
	node->debug_id = next_debug_id();
	debug_object_created(DEBUG_OBJECT_NODE);
	node->proc = proc;
	node->ptr = ptr;
	node->cookie = cookie;
	node->work.type = WORK_NODE;
	node->min_priority = flags & FLAT_BINDER_FLAG_PRIORITY_MASK;
	node->accept_fds = (flags & FLAT_BINDER_FLAG_ACCEPTS_FDS) != 0;
	node->txn_security_ctx = (flags & FLAT_BINDER_FLAG_TXN_SECURITY_CTX) != 0;
	work_list_init(&node->async_todo);
	HASH_ADD(hh, proc->nodes, ptr, sizeof(binder_uintptr_t), node);
	proc->node_count++;
	return node;
}

struct node *node_find(struct proc *proc, binder_uintptr_t ptr)
{
	struct node *node = NULL;
	HASH_FIND(hh, proc->nodes, &ptr, sizeof(binder_uintptr_t), node);
	return node;
}

int node_inc(struct node *node, bool strong, bool internal, struct thread *target_thread)
{
	if (strong) {
		if (internal) {
			if (!target_thread && node->internal_strong_refs == 0 &&
			    !(node->proc && node == binderd_device.manager_node &&
			      node->has_strong_ref)) {
				log_debug("invalid strong increment on node %llu",
				          (unsigned long long)node->debug_id);
				return -EINVAL;
			}
			node->internal_strong_refs++;
		} else {
			node->local_strong_refs++;
		}
		if (!node->has_strong_ref && target_thread)
			thread_enqueue_deferred_work(target_thread, &node->work);
	} else {
		if (!internal)
			node->local_weak_refs++;
		if (!node->has_weak_ref && !node->work.list) {
			if (!target_thread) {
				log_debug("invalid weak increment on node %llu",
				          (unsigned long long)node->debug_id);
				return -EINVAL;
			}
			thread_enqueue_deferred_work(target_thread, &node->work);
		}
	}
	return 0;
}

static void node_free(struct node *node)
{
	work_dequeue(&node->work);
	if (node->proc) {
		HASH_DELETE(hh, node->proc->nodes, node);
		node->proc->node_count--;
	} else {
		TAILQ_REMOVE(&binderd_device.dead_nodes, node, dead_entry);
	}
	free(node);
}

/* The kernel's binder_dec_node_nilocked; returns true when freed. */
static bool node_dec_and_maybe_free(struct node *node, bool strong, bool internal)
{
	struct proc *proc = node->proc;
	if (strong) {
		if (internal)
			node->internal_strong_refs--;
		else
			node->local_strong_refs--;
		if (node->local_strong_refs || node->internal_strong_refs)
			return false;
	} else {
		if (!internal)
			node->local_weak_refs--;
		if (node->local_weak_refs || node->tmp_refs || node->ref_count)
			return false;
	}
	if (proc && (node->has_strong_ref || node->has_weak_ref)) {
		if (!node->work.list) {
			work_enqueue(&proc->todo, &node->work);
			proc_wakeup(proc);
		}
	} else if (!node->ref_count && !node->local_strong_refs && !node->local_weak_refs &&
	           !node->tmp_refs) {
		if (node == binderd_device.manager_node)
			binderd_device.manager_node = NULL;
		node_free(node);
		return true;
	}
	return false;
}

void node_dec(struct node *node, bool strong, bool internal)
{
	node_dec_and_maybe_free(node, strong, internal);
}

void node_inc_tmp(struct node *node)
{
	node->tmp_refs++;
}

void node_dec_tmp(struct node *node)
{
	node->tmp_refs--;
	/* As the kernel: a weak internal decrement that releases nothing but
	 * frees the node if nothing else holds it. */
	node_dec_and_maybe_free(node, false, true);
}

size_t node_work_commands(struct node *node, uint8_t *out, bool *freed)
{
	bool strong = node->internal_strong_refs || node->local_strong_refs;
	bool weak = node->ref_count || node->local_weak_refs || node->tmp_refs || strong;
	bool had_strong = node->has_strong_ref;
	bool had_weak = node->has_weak_ref;
	binder_uintptr_t ptr = node->ptr, cookie = node->cookie;
	*freed = false;

	if (weak && !had_weak) {
		node->has_weak_ref = true;
		node->pending_weak_ref = true;
		node->local_weak_refs++;
	}
	if (strong && !had_strong) {
		node->has_strong_ref = true;
		node->pending_strong_ref = true;
		node->local_strong_refs++;
	}
	if (!strong && had_strong)
		node->has_strong_ref = false;
	if (!weak && had_weak)
		node->has_weak_ref = false;
	if (!weak && !strong) {
		if (node == binderd_device.manager_node)
			binderd_device.manager_node = NULL;
		node_free(node);
		*freed = true;
	}

	size_t length = 0;
	struct binder_ptr_cookie pc = {.ptr = ptr, .cookie = cookie};
#define PUT(command)                                                                               \
	do {                                                                                       \
		uint32_t value = (command);                                                        \
		memcpy(out + length, &value, sizeof(value));                                       \
		memcpy(out + length + sizeof(value), &pc, sizeof(pc));                             \
		length += sizeof(value) + sizeof(pc);                                              \
	} while (0)
	if (weak && !had_weak)
		PUT(BR_INCREFS);
	if (strong && !had_strong)
		PUT(BR_ACQUIRE);
	if (!strong && had_strong)
		PUT(BR_RELEASE);
	if (!weak && had_weak)
		PUT(BR_DECREFS);
#undef PUT
	return length;
}

void node_release(struct node *node)
{
	struct proc *proc = node->proc;
	node_inc_tmp(node);
	work_dequeue(&node->work);
	release_work_list(&node->async_todo);
	HASH_DELETE(hh, proc->nodes, node);
	proc->node_count--;
	if (node == binderd_device.manager_node)
		binderd_device.manager_node = NULL;
	node->proc = NULL;
	node->local_strong_refs = 0;
	node->local_weak_refs = 0;
	TAILQ_INSERT_TAIL(&binderd_device.dead_nodes, node, dead_entry);
	for (struct ref *ref = node->refs; ref; ref = ref->node_next) {
		if (!ref->death)
			continue;
		work_dequeue(&ref->death->work);
		ref->death->work.type = WORK_DEAD_BINDER;
		work_enqueue(&ref->proc->todo, &ref->death->work);
		proc_wakeup(ref->proc);
	}
	node_dec_tmp(node);
}
