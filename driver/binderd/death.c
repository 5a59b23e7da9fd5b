/*
 * death.c - death notifications: BC_REQUEST_DEATH_NOTIFICATION,
 * BC_CLEAR_DEATH_NOTIFICATION and BC_DEAD_BINDER_DONE, with the kernel's
 * states (dead, dead-and-cleared, cleared) and where each is queued.
 */
#include <stdlib.h>

#include "binderd.h"
#include "log.h"

/* Queues death work on the thread if it is a looper, else on the process. */
static void queue_for_thread_or_proc(struct thread *thread, struct death *death)
{
	if (thread->looper & (LOOPER_REGISTERED | LOOPER_ENTERED)) {
		thread_enqueue_work(thread, &death->work);
	} else {
		work_enqueue(&thread->proc->todo, &death->work);
		proc_wakeup(thread->proc);
	}
}

void death_request(struct thread *thread, uint32_t handle, binder_uintptr_t cookie)
{
	struct proc *proc = thread->proc;
	struct ref *ref = ref_find(proc, handle, false);
	if (!ref) {
		log_debug("proc %d: death notification on invalid handle %u", proc->pid, handle);
		return;
	}
	if (ref->death) {
		log_debug("proc %d: death notification already set on handle %u", proc->pid,
		          handle);
		return;
	}
	struct death *death = calloc(1, sizeof(*death));
	if (!death) {
		thread->return_error.cmd = BR_ERROR;
		thread_enqueue_work(thread, &thread->return_error.work);
		return;
	}
	debug_object_created(DEBUG_OBJECT_DEATH);
	death->cookie = cookie;
	death->ref = ref;
	death->proc = proc;
	ref->death = death;
	if (!ref->node->proc) {
		death->work.type = WORK_DEAD_BINDER;
		work_enqueue(&proc->todo, &death->work);
		proc_wakeup(proc);
	}
}

void death_clear(struct thread *thread, uint32_t handle, binder_uintptr_t cookie)
{
	struct proc *proc = thread->proc;
	struct ref *ref = ref_find(proc, handle, false);
	if (!ref) {
		log_debug("proc %d: clear death notification on invalid handle %u", proc->pid,
		          handle);
		return;
	}
	struct death *death = ref->death;
	if (!death) {
		log_debug("proc %d: clear of a death notification not set", proc->pid);
		return;
	}
	if (death->cookie != cookie) {
		log_debug("proc %d: death notification cookie mismatch", proc->pid);
		return;
	}
	ref->death = NULL;
	death->ref = NULL;
	if (!death->work.list) {
		death->work.type = WORK_CLEAR_DEATH_NOTIFICATION;
		queue_for_thread_or_proc(thread, death);
	} else {
		death->work.type = WORK_DEAD_BINDER_AND_CLEAR;
	}
}

void death_done(struct thread *thread, binder_uintptr_t cookie)
{
	struct proc *proc = thread->proc;
	struct work *work;
	struct death *death = NULL;
	TAILQ_FOREACH(work, &proc->delivered_death.items, entry)
	{
		struct death *candidate = (struct death *)work;
		if (candidate->cookie == cookie) {
			death = candidate;
			break;
		}
	}
	if (!death) {
		log_debug("proc %d: BC_DEAD_BINDER_DONE for unknown cookie", proc->pid);
		return;
	}
	work_dequeue(&death->work);
	if (death->work.type == WORK_DEAD_BINDER_AND_CLEAR) {
		death->work.type = WORK_CLEAR_DEATH_NOTIFICATION;
		queue_for_thread_or_proc(thread, death);
	}
}
