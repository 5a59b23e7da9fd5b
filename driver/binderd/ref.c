/*
 * ref.c - refs: the handles a process holds on nodes, numbered per process
 * (0 is the context manager; others take the lowest free number, as the
 * kernel does), with strong and weak counts that hold their node.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binderd.h"
#include "log.h"

struct ref *ref_find(struct proc *proc, uint32_t desc, bool need_strong)
{
	struct ref *ref = NULL;
	HASH_FIND(hh_desc, proc->refs_by_desc, &desc, sizeof(uint32_t), ref);
	if (ref && need_strong && !ref->strong) {
		log_debug("proc %d: handle %u has no strong reference", proc->pid, desc);
		return NULL;
	}
	return ref;
}

static struct ref *ref_find_for_node(struct proc *proc, struct node *node)
{
	struct ref *ref = NULL;
	HASH_FIND(hh_node, proc->refs_by_node, &node, sizeof(struct node *), ref);
	return ref;
}

static struct ref *ref_new(struct proc *proc, struct node *node)
{
	if (proc->ref_count >= BINDERD_MAX_REFS_PER_PROC)
		return NULL;
	struct ref *ref = calloc(1, sizeof(*ref));
	if (!ref)
		return NULL;
	if (proc_desc_alloc(proc, node == binderd_device.manager_node, &ref->desc) < 0) {
		free(ref);
		return NULL;
	}
	ref->debug_id = next_debug_id();
	debug_object_created(DEBUG_OBJECT_REF);
	ref->node = node;
	ref->node_key = node;
	ref->proc = proc;
	HASH_ADD(hh_desc, proc->refs_by_desc, desc, sizeof(uint32_t), ref);
	HASH_ADD(hh_node, proc->refs_by_node, node_key, sizeof(struct node *), ref);
	proc->ref_count++;
	ref->node_next = node->refs;
	if (node->refs)
		node->refs->node_prev = ref;
	node->refs = ref;
	node->ref_count++;
	return ref;
}

int ref_inc(struct ref *ref, bool strong, struct thread *target_thread)
{
	if (strong) {
		if (ref->strong == 0) {
			int error = node_inc(ref->node, true, true, target_thread);
			if (error)
				return error;
		}
		ref->strong++;
	} else {
		if (ref->weak == 0) {
			int error = node_inc(ref->node, false, true, target_thread);
			if (error)
				return error;
		}
		ref->weak++;
	}
	return 0;
}

int ref_inc_for_node(struct proc *proc, struct node *node, bool strong,
                     struct thread *target_thread, struct ref **out)
{
	struct ref *ref = ref_find_for_node(proc, node);
	bool created = false;
	if (!ref) {
		ref = ref_new(proc, node);
		if (!ref)
			return -ENOMEM;
		created = true;
	}
	int error = ref_inc(ref, strong, target_thread);
	if (error) {
		if (created)
			ref_delete(ref);
		return error;
	}
	if (out)
		*out = ref;
	return 0;
}

void ref_delete(struct ref *ref)
{
	struct proc *proc = ref->proc;
	struct node *node = ref->node;
	HASH_DELETE(hh_desc, proc->refs_by_desc, ref);
	HASH_DELETE(hh_node, proc->refs_by_node, ref);
	proc->ref_count--;
	proc_desc_free(proc, ref->desc);
	if (ref->node_prev)
		ref->node_prev->node_next = ref->node_next;
	else
		node->refs = ref->node_next;
	if (ref->node_next)
		ref->node_next->node_prev = ref->node_prev;
	node->ref_count--;
	bool had_strong = ref->strong > 0;
	/* Hold the node while its counts drop, so it is freed only once. */
	node->tmp_refs++;
	if (had_strong)
		node_dec(node, true, true);
	if (ref->death) {
		work_dequeue(&ref->death->work);
		free(ref->death);
		ref->death = NULL;
	}
	free(ref);
	node_dec_tmp(node);
}

bool ref_dec(struct ref *ref, bool strong)
{
	if (strong) {
		if (ref->strong == 0) {
			log_debug("proc %d: strong decrement on handle %u with none",
			          ref->proc->pid, ref->desc);
			return false;
		}
		ref->strong--;
		if (ref->strong == 0) {
			if (ref->weak == 0) {
				/* ref_delete drops the node's internal strong count. */
				ref->strong = 1;
				ref_delete(ref);
				return true;
			}
			node_dec(ref->node, true, true);
		}
	} else {
		if (ref->weak == 0) {
			log_debug("proc %d: weak decrement on handle %u with none", ref->proc->pid,
			          ref->desc);
			return false;
		}
		ref->weak--;
	}
	if (ref->strong == 0 && ref->weak == 0) {
		ref_delete(ref);
		return true;
	}
	return false;
}

int ref_update_for_handle(struct proc *proc, uint32_t desc, bool increment, bool strong)
{
	struct ref *ref = ref_find(proc, desc, strong);
	if (!ref)
		return -EINVAL;
	if (increment)
		return ref_inc(ref, strong, NULL);
	ref_dec(ref, strong);
	return 0;
}
