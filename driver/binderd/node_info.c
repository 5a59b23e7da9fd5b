/*
 * node_info.c - the node queries: BINDER_GET_NODE_DEBUG_INFO (the next
 * node of the caller's own, in ptr order: the kernel's
 * binder_ioctl_get_node_debug_info) and BINDER_GET_NODE_INFO_FOR_REF (the
 * reference counts of the node behind one of the context manager's
 * handles: binder_ioctl_get_node_info_for_ref).
 */
#include <errno.h>
#include <string.h>

#include "binderd.h"
#include "log.h"

int ioctl_get_node_debug_info(struct thread *thread, void *argument)
{
	struct binder_node_debug_info *info = argument;
	binder_uintptr_t after = info->ptr;
	struct node *node, *next, *found = NULL;

	memset(info, 0, sizeof(*info));
	/* The kernel walks its tree in ptr order; ours is a hash: the
	 * smallest ptr above the one given is the same answer. */
	HASH_ITER(hh, thread->proc->nodes, node, next)
	{
		if (node->ptr > after && (!found || node->ptr < found->ptr))
			found = node;
	}
	if (found) {
		info->ptr = found->ptr;
		info->cookie = found->cookie;
		info->has_strong_ref = found->has_strong_ref;
		info->has_weak_ref = found->has_weak_ref;
	}
	return 0;
}

int ioctl_get_node_info_for_ref(struct thread *thread, void *argument)
{
	struct binder_node_info_for_ref *info = argument;
	struct proc *proc = thread->proc;
	struct ref *ref;

	if (info->strong_count || info->weak_count || info->reserved1 || info->reserved2 ||
	    info->reserved3) {
		log_debug("proc %d: BINDER_GET_NODE_INFO_FOR_REF: only handle may be non-zero",
		          proc->pid);
		return -EINVAL;
	}
	/* Only the context manager may ask. */
	if (!binderd_device.manager_node || binderd_device.manager_node->proc != proc)
		return -EPERM;
	ref = ref_find(proc, info->handle, true);
	if (!ref)
		return -EINVAL;
	info->strong_count =
	        (uint32_t)(ref->node->local_strong_refs + ref->node->internal_strong_refs);
	info->weak_count = (uint32_t)ref->node->local_weak_refs;
	return 0;
}
