/*
 * freeze.c - the freezer, after the kernel's: BINDER_FREEZE
 * (binder_ioctl_freeze: freeze or thaw every open of a pid; with a
 * timeout, wait for the transactions queued to it to drain; EAGAIN and
 * thawed again while it still has transactions in progress),
 * BINDER_GET_FROZEN_INFO (binder_ioctl_get_freezer_info), what a frozen
 * process does to transactions sent to it (binder_proc_transaction: a
 * two-way call fails with BR_FROZEN_REPLY, a oneway call is queued, both
 * are noted; a oneway call with TF_UPDATE_TXN replaces the same call still
 * queued on its object: binder_find_outdated_transaction_ilocked), and the
 * flag of BINDER_ENABLE_ONEWAY_SPAM_DETECTION.
 *
 * The kernel's wait sleeps on the target's outstanding transaction count;
 * binderd's event loop cannot sleep, so the ioctl's answer waits instead:
 * a timer looks again every FREEZE_RECHECK_MS until the transactions are
 * gone or the timeout passes. The kernel freezes a pid's opens one after
 * the other; here they are frozen together and the first one still busy
 * at the end fails the ioctl (and the ones after it are thawed, as the
 * kernel would not have frozen them). A caller whose wait ends early
 * (thread exit) thaws its targets, as the kernel's interrupted wait does,
 * except when its whole process is gone: process.c has taken it off the
 * list of procs by then, and its targets stay frozen.
 */
#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binderd.h"
#include "log.h"

#define FREEZE_RECHECK_MS 5
#define MS_PER_SECOND     1000
#define US_PER_MS         1000
#define NS_PER_MS         1000000

#define FOR_EACH_PROC_WITH_PID(proc, wanted_pid)                                                   \
	TAILQ_FOREACH(proc, &binderd_device.procs, entry)                                          \
	if (proc->pid == (wanted_pid) && !proc->is_dead)

struct freeze_wait {
	struct thread *thread; /* waits for the answer */
	struct event *timer;
	pid_t pid;
	uint64_t deadline_ms;
};

static uint64_t now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * MS_PER_SECOND + (uint64_t)now.tv_nsec / NS_PER_MS;
}

static bool list_has_transaction(const struct work_list *list)
{
	const struct work *work;

	TAILQ_FOREACH(work, &list->items, entry)
	{
		if (work->type == WORK_TRANSACTION)
			return true;
	}
	return false;
}

/* The kernel's proc->outstanding_txns != 0: transactions queued to proc
 * and not yet read, and two-way calls it received and has not answered. */
static bool has_outstanding_transactions(struct proc *proc)
{
	struct thread *thread;
	struct node *node, *next;

	if (list_has_transaction(&proc->todo))
		return true;
	TAILQ_FOREACH(thread, &proc->threads, entry)
	{
		if (list_has_transaction(&thread->todo) || thread->fd_install_txn)
			return true;
		for (struct txn *txn = thread->transaction_stack; txn;
		     txn = txn->to_thread == thread ? txn->to_parent : txn->from_parent) {
			if (txn->to_thread == thread)
				return true;
		}
	}
	HASH_ITER(hh, proc->nodes, node, next)
	{
		if (list_has_transaction(&node->async_todo))
			return true;
	}
	return false;
}

/* The kernel's binder_txns_pending_ilocked: outstanding transactions, or
 * a thread in the middle of a call (either way). */
static bool has_pending_transactions(struct proc *proc)
{
	struct thread *thread;

	if (has_outstanding_transactions(proc))
		return true;
	TAILQ_FOREACH(thread, &proc->threads, entry)
	{
		if (thread->transaction_stack)
			return true;
	}
	return false;
}

static void answer(struct thread *thread, int status)
{
	thread->looper_need_return = false;
	channel_send(&thread->channel, BINDERD_MSG_RESULT, status, NULL, 0, NULL, 0);
}

/* After the wait: thaws the first busy target and those after it. */
static int finish_freeze(pid_t pid)
{
	struct proc *proc;
	int status = 0;

	FOR_EACH_PROC_WITH_PID(proc, pid)
	{
		if (status == 0 && has_pending_transactions(proc))
			status = -EAGAIN;
		if (status)
			proc->is_frozen = false;
	}
	return status;
}

static bool any_outstanding(pid_t pid)
{
	struct proc *proc;

	FOR_EACH_PROC_WITH_PID(proc, pid)
	{
		if (has_outstanding_transactions(proc))
			return true;
	}
	return false;
}

static void free_wait(struct thread *thread)
{
	struct freeze_wait *wait = thread->freeze_wait;

	thread->freeze_wait = NULL;
	event_free(wait->timer);
	free(wait);
}

void freeze_wait_cancel(struct thread *thread)
{
	struct freeze_wait *wait = thread->freeze_wait;
	struct proc *proc;

	if (!wait)
		return;
	/* As the kernel's interrupted wait: the targets thaw. A dead proc
	 * is off the list of procs, and its targets stay frozen. */
	if (!thread->proc->is_dead) {
		FOR_EACH_PROC_WITH_PID(proc, wait->pid)
		{
			proc->is_frozen = false;
		}
	}
	free_wait(thread);
}

static void on_recheck(evutil_socket_t fd, short events, void *argument)
{
	struct freeze_wait *wait = argument;
	struct thread *thread = wait->thread;
	pid_t pid = wait->pid;

	(void)fd;
	(void)events;
	if (any_outstanding(pid) && now_ms() < wait->deadline_ms)
		return;
	free_wait(thread);
	answer(thread, finish_freeze(pid));
	after_event();
}

static int start_wait(struct thread *thread, pid_t pid, uint32_t timeout_ms)
{
	const struct timeval interval = {0, (suseconds_t)FREEZE_RECHECK_MS * US_PER_MS};
	struct freeze_wait *wait = calloc(1, sizeof(*wait));

	if (!wait)
		return -ENOMEM;
	wait->timer = event_new(binderd_event_base, -1, EV_PERSIST, on_recheck, wait);
	if (!wait->timer || event_add(wait->timer, &interval) < 0) {
		if (wait->timer)
			event_free(wait->timer);
		free(wait);
		return -ENOMEM;
	}
	wait->thread = thread;
	wait->pid = pid;
	wait->deadline_ms = now_ms() + timeout_ms;
	thread->freeze_wait = wait;
	return 0;
}

void freeze_ioctl(struct thread *thread, const uint8_t *payload, size_t size)
{
	struct binder_freeze_info info;
	struct proc *proc;
	bool found = false;

	if (size != sizeof(info) || thread->freeze_wait) {
		answer(thread, -EINVAL);
		return;
	}
	memcpy(&info, payload, sizeof(info));
	FOR_EACH_PROC_WITH_PID(proc, (pid_t)info.pid)
	{
		found = true;
		proc->sync_recv = false;
		proc->async_recv = false;
		proc->is_frozen = info.enable != 0;
	}
	if (!found) {
		answer(thread, -EINVAL);
		return;
	}
	if (info.enable && info.timeout_ms > 0 && any_outstanding((pid_t)info.pid)) {
		int status = start_wait(thread, (pid_t)info.pid, info.timeout_ms);

		if (status == 0)
			return; /* answered by on_recheck */
		log_warning("proc %d: cannot wait for pid %u to drain: %d", thread->proc->pid,
		            info.pid, status);
	}
	answer(thread, info.enable ? finish_freeze((pid_t)info.pid) : 0);
}

int ioctl_get_frozen_info(struct thread *thread, void *argument)
{
	(void)thread; /* any proc may ask about any pid, as in the kernel */
	struct binder_frozen_status_info *info = argument;
	struct proc *proc;
	bool found = false;

	info->sync_recv = 0;
	info->async_recv = 0;
	FOR_EACH_PROC_WITH_PID(proc, (pid_t)info->pid)
	{
		found = true;
		/* bit 0: a two-way call came while frozen; bit 1: calls are
		 * in progress now. */
		info->sync_recv |=
		        (uint32_t)proc->sync_recv | (uint32_t)has_pending_transactions(proc) << 1;
		info->async_recv |= (uint32_t)proc->async_recv;
	}
	return found ? 0 : -EINVAL;
}

int ioctl_enable_oneway_spam_detection(struct thread *thread, void *argument)
{
	uint32_t enable;

	memcpy(&enable, argument, sizeof(enable));
	thread->proc->oneway_spam_detection_enabled = enable != 0;
	return 0;
}

uint32_t freeze_check_incoming(struct proc *proc, bool oneway)
{
	if (!proc->is_frozen)
		return BR_OK;
	if (oneway) {
		proc->async_recv = true;
		return BR_OK;
	}
	proc->sync_recv = true;
	return BR_FROZEN_REPLY;
}

/* The kernel's binder_can_update_transaction: the same oneway call again
 * (TF_UPDATE_TXN both times) from the same sender to the same object. */
static bool can_update(const struct txn *queued, const struct txn *txn)
{
	const uint32_t update = TF_ONE_WAY | TF_UPDATE_TXN;

	if ((queued->flags & update) != update || (txn->flags & update) != update ||
	    !queued->to_proc || !txn->to_proc || !queued->buffer || !txn->buffer)
		return false;
	return queued->to_proc->pid == txn->to_proc->pid && queued->code == txn->code &&
	       queued->flags == txn->flags &&
	       queued->buffer->sender_pid == txn->buffer->sender_pid &&
	       queued->buffer->target_node->ptr == txn->buffer->target_node->ptr &&
	       queued->buffer->target_node->cookie == txn->buffer->target_node->cookie;
}

struct txn *freeze_take_outdated(struct proc *proc, struct node *node, const struct txn *txn)
{
	struct work *work;

	if (!(txn->flags & TF_UPDATE_TXN) || !proc->is_frozen)
		return NULL;
	TAILQ_FOREACH(work, &node->async_todo.items, entry)
	{
		struct txn *queued = (struct txn *)work;

		if (work->type == WORK_TRANSACTION && can_update(queued, txn)) {
			work_dequeue(work);
			return queued;
		}
	}
	return NULL;
}

void freeze_drop_outdated(struct proc *proc, struct txn *outdated)
{
	struct buffer *buffer = outdated->buffer;

	log_debug("proc %d: transaction %llu superseded", proc->pid,
	          (unsigned long long)outdated->debug_id);
	outdated->buffer = NULL;
	if (buffer) {
		buffer->txn = NULL;
		buffer_release_objects(proc, buffer, SIZE_MAX);
		area_free(&proc->area, buffer);
	}
	transaction_free(outdated);
}
