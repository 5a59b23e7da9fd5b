/*
 * read.c - the read side of BINDER_WRITE_READ, after the kernel's
 * binder_thread_read: BR_NOOP first, then work from the thread's own todo
 * (or the process's, for a looper thread with nothing on its stack), a
 * transaction always ending the read, BR_SPAWN_LOOPER when the process
 * runs out of waiting threads. A transaction carrying fds pauses the read
 * while the receiver installs them (BINDERD_MSG_FD_INSTALL).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binderd.h"
#include "log.h"
#include "read.h"

/* The read buffer grows with what is put in it (up to read_size, which
 * the callers check), and is kept for the thread's next read. */
static bool make_room(struct thread *thread, size_t size)
{
	size_t needed = thread->read_filled + size;
	if (needed <= thread->read_capacity)
		return true;
	size_t capacity = thread->read_capacity ? thread->read_capacity : 256;
	while (capacity < needed)
		capacity *= 2;
	uint8_t *bigger = realloc(thread->read_buffer, capacity);
	if (!bigger)
		return false;
	thread->read_buffer = bigger;
	thread->read_capacity = capacity;
	return true;
}

static void put_bytes(struct thread *thread, const void *bytes, size_t size)
{
	if (!make_room(thread, size)) {
		/* Out of memory: the read ends short; the work is lost, as
		 * when the kernel fails to copy to user memory. */
		log_error("thread %llu: out of memory for a read",
		          (unsigned long long)thread->debug_id);
		return;
	}
	memcpy(thread->read_buffer + thread->read_filled, bytes, size);
	thread->read_filled += size;
}

static void put_u32(struct thread *thread, uint32_t value)
{
	put_bytes(thread, &value, sizeof(value));
}

/* A BR command, counted for the stats view. */
static void put_return(struct thread *thread, uint32_t cmd)
{
	debug_count_return(thread->proc, cmd);
	put_u32(thread, cmd);
}

static void finish_read(struct thread *thread, int status)
{
	struct proc *proc = thread->proc;
	if (status == 0 && thread->read_filled >= sizeof(uint32_t) &&
	    proc->requested_threads == 0 && TAILQ_EMPTY(&proc->waiting_threads) &&
	    proc->requested_threads_started < proc->max_threads &&
	    (thread->looper & (LOOPER_REGISTERED | LOOPER_ENTERED))) {
		uint32_t first;
		memcpy(&first, thread->read_buffer, sizeof(first));
		if (first == BR_NOOP) {
			proc->requested_threads++;
			uint32_t spawn = BR_SPAWN_LOOPER;
			memcpy(thread->read_buffer, &spawn, sizeof(spawn));
			debug_count_return(proc, spawn);
		}
	}
	struct binderd_write_read_result result = {
	        .write_consumed = thread->write_consumed,
	        .read_size = status == 0 ? thread->read_filled : 0,
	};
	struct iovec iov[2] = {{&result, sizeof(result)},
	                       {thread->read_buffer, (size_t)result.read_size}};
	thread->read_pending = false;
	thread->looper &= ~LOOPER_WAITING;
	thread->looper_need_return = false;
	if (thread->on_waiting_list) {
		TAILQ_REMOVE(&proc->waiting_threads, thread, waiting_entry);
		thread->on_waiting_list = false;
	}
	channel_send(&thread->channel, BINDERD_MSG_RESULT, status, iov, 2, NULL, 0);
	if (status < 0 && !work_list_empty(&proc->todo))
		proc_wakeup(proc);
	thread->wakeup_sent = false;
	read_notify_poller(thread);
}

void read_notify_poller(struct thread *thread)
{
	if (!thread->poll_armed || thread->wakeup_sent || thread->read_pending || thread->is_dead)
		return;
	if (!thread_has_work(thread, thread_available_for_proc_work(thread)))
		return;
	thread->wakeup_sent = true;
	channel_send(&thread->channel, BINDERD_MSG_WAKEUP, 0, NULL, 0, NULL, 0);
}

void read_start(struct thread *thread, uint64_t read_size, uint32_t flags)
{
	bool nonblock = (flags & BINDERD_WR_NONBLOCK) != 0;
	bool put_noop = (flags & BINDERD_WR_READ_CONSUMED) == 0;

	if (read_size > BINDERD_MAX_READ_SIZE)
		read_size = BINDERD_MAX_READ_SIZE;
	free(thread->read_buffer);
	thread->read_buffer = malloc(read_size ? read_size : 1);
	if (!thread->read_buffer) {
		struct binderd_write_read_result result = {.write_consumed =
		                                                   thread->write_consumed};
		struct iovec iov = {&result, sizeof(result)};
		channel_send(&thread->channel, BINDERD_MSG_RESULT, -ENOMEM, &iov, 1, NULL, 0);
		return;
	}
	thread->read_size = read_size;
	thread->read_filled = 0;
	thread->read_nonblock = nonblock;
	thread->read_pending = true;
	if (put_noop && read_size >= sizeof(uint32_t))
		put_u32(thread, BR_NOOP);
	thread->read_initial = thread->read_filled;
	thread->read_hold_complete = (flags & BINDERD_WR_HOLD_COMPLETE) && !nonblock;
	thread->read_held_end = thread->read_initial;
	/* Read after the threads this request woke: a caller waiting for a
	 * reply hears of it before the replier hears of its completion. */
	wake_thread(thread);
}

/* Fills in and emits BR_TRANSACTION / BR_REPLY for a transaction whose fds
 * (if any) are installed. Always ends the read. */
static void deliver_transaction(struct thread *thread, struct txn *txn)
{
	struct proc *proc = thread->proc;
	struct buffer *buffer = txn->buffer;
	struct binder_transaction_data_secctx data;
	memset(&data, 0, sizeof(data));
	struct binder_transaction_data *tr = &data.transaction_data;
	uint32_t cmd;
	if (buffer->target_node) {
		tr->target.ptr = buffer->target_node->ptr;
		tr->cookie = buffer->target_node->cookie;
		cmd = BR_TRANSACTION;
	} else {
		cmd = BR_REPLY;
	}
	tr->code = txn->code;
	tr->flags = txn->flags;
	tr->sender_euid = txn->sender_euid;
	tr->sender_pid = txn->from ? txn->sender_pid : 0;
	tr->data_size = buffer->data_size;
	tr->offsets_size = buffer->offsets_size;
	tr->data.ptr.buffer = buffer_user_address(&proc->area, buffer);
	tr->data.ptr.offsets = tr->data.ptr.buffer + align8(buffer->data_size);
	size_t size = sizeof(*tr);
	if (txn->has_security_ctx) {
		data.secctx = tr->data.ptr.buffer + txn->security_ctx_offset;
		cmd = BR_TRANSACTION_SEC_CTX;
		size = sizeof(data);
	}
	put_return(thread, cmd);
	put_bytes(thread, &data, size);
	buffer->allow_user_free = true;
	if (cmd != BR_REPLY && !(txn->flags & TF_ONE_WAY)) {
		txn->to_parent = thread->transaction_stack;
		txn->to_thread = thread;
		thread->transaction_stack = txn;
	} else {
		buffer->txn = NULL;
		txn->buffer = NULL;
		transaction_free(txn);
	}
	finish_read(thread, 0);
}

void read_abandon_transaction(struct thread *thread, struct txn *txn)
{
	struct proc *proc = thread->proc;
	struct buffer *buffer = txn->buffer;
	if (buffer) {
		buffer->txn = NULL;
		txn->buffer = NULL;
	}
	if (buffer && buffer->target_node && !(txn->flags & TF_ONE_WAY))
		transaction_send_failed_reply(txn, BR_FAILED_REPLY);
	else
		transaction_free(txn);
	if (buffer)
		buffer_free_from_owner(proc, buffer);
}

void thread_fd_numbers(struct thread *thread, const int32_t *numbers, size_t count)
{
	struct txn *txn = thread->fd_install_txn;
	thread->fd_install_txn = NULL;
	bool valid = count == txn->fd_count && txn->buffer;
	for (size_t i = 0; valid && i < count; i++)
		if (numbers[i] < 0)
			valid = false;
	if (!valid) {
		/* The kernel fails a transaction whose fds cannot be installed:
		 * the sender of a call hears BR_FAILED_REPLY; a reply that
		 * cannot be delivered reads as BR_FAILED_REPLY. */
		bool was_reply = txn->buffer && !txn->buffer->target_node;
		read_abandon_transaction(thread, txn);
		if (was_reply) {
			put_return(thread, BR_FAILED_REPLY);
			finish_read(thread, 0);
		} else {
			thread_try_read(thread);
		}
		return;
	}
	uint8_t *data = buffer_data(&thread->proc->area, txn->buffer);
	for (size_t i = 0; i < count; i++) {
		uint32_t number = (uint32_t)numbers[i];
		memcpy(data + txn->fd_positions[i], &number, sizeof(number));
		close(txn->fds[i]);
		txn->fds[i] = -1;
	}
	thread->proc->fds_in_flight -= count;
	uid_budget_release(txn->sender_euid, UID_FDS_IN_FLIGHT, count);
	txn->fd_count = 0;
	deliver_transaction(thread, txn);
}

static void start_fd_install(struct thread *thread, struct txn *txn)
{
	thread->fd_install_txn = txn;
	if (channel_send(&thread->channel, BINDERD_MSG_FD_INSTALL, 0, NULL, 0, txn->fds,
	                 txn->fd_count) < 0) {
		/* The channel is gone; its close releases the thread. */
		return;
	}
}

/* Whether there is work for the read. If not, a nonblocking read ends
 * with -EAGAIN, and a blocking one parks the thread until it is woken. */
static bool has_work_or_park(struct thread *thread, bool wait_for_proc_work)
{
	struct proc *proc = thread->proc;
	if (!thread_has_work(thread, wait_for_proc_work)) {
		if (thread->read_nonblock) {
			finish_read(thread, -EAGAIN);
			return false;
		}
		thread->looper |= LOOPER_WAITING;
		if (wait_for_proc_work && !thread->on_waiting_list) {
			TAILQ_INSERT_TAIL(&proc->waiting_threads, thread, waiting_entry);
			thread->on_waiting_list = true;
		}
		return false; /* parked until woken */
	}
	if (thread->on_waiting_list) {
		TAILQ_REMOVE(&proc->waiting_threads, thread, waiting_entry);
		thread->on_waiting_list = false;
	}
	thread->looper &= ~LOOPER_WAITING;
	return true;
}

/* The thread's own todo first, then the process's if the thread takes
 * process work; NULL when both are empty. */
static struct work_list *next_work_list(struct thread *thread, bool wait_for_proc_work)
{
	if (!work_list_empty(&thread->todo))
		return &thread->todo;
	if (!work_list_empty(&thread->proc->todo) && wait_for_proc_work)
		return &thread->proc->todo;
	return NULL;
}

/* BR_INCREFS/ACQUIRE/RELEASE/DECREFS: at most this many for one node. */
#define NODE_WORK_MAX_COMMANDS 4

static void put_node_work(struct thread *thread, struct work *work)
{
	struct node *node = (struct node *)((uint8_t *)work - offsetof(struct node, work));
	uint8_t commands[NODE_WORK_MAX_COMMANDS *
	                 (sizeof(uint32_t) + sizeof(struct binder_ptr_cookie))];
	bool freed;
	size_t length = node_work_commands(node, commands, &freed);
	for (size_t at = 0; at < length;
	     at += sizeof(uint32_t) + sizeof(struct binder_ptr_cookie)) {
		uint32_t node_cmd;
		memcpy(&node_cmd, commands + at, sizeof(node_cmd));
		debug_count_return(thread->proc, node_cmd);
	}
	put_bytes(thread, commands, length);
}

/* BR_DEAD_BINDER (which ends the read) or BR_CLEAR_DEATH_NOTIFICATION_DONE;
 * a delivered death waits on the process's list for BC_DEAD_BINDER_DONE.
 * Returns true when the read ended. */
static bool put_death_work(struct thread *thread, struct work *work)
{
	struct death *death = (struct death *)work;
	bool cleared = work->type == WORK_CLEAR_DEATH_NOTIFICATION;
	uint32_t cmd = cleared ? BR_CLEAR_DEATH_NOTIFICATION_DONE : BR_DEAD_BINDER;
	binder_uintptr_t cookie = death->cookie;
	if (cleared)
		free(death);
	else
		work_enqueue(&thread->proc->delivered_death, &death->work);
	put_return(thread, cmd);
	put_bytes(thread, &cookie, sizeof(cookie));
	if (cmd != BR_DEAD_BINDER)
		return false;
	finish_read(thread, 0);
	return true;
}

/* Puts one work item in the read. Returns true when the read ended (or
 * paused for an fd install). */
static bool put_work(struct thread *thread, struct work *work)
{
	switch (work->type) {
	case WORK_TRANSACTION: {
		struct txn *txn = (struct txn *)work;
		if (txn->fd_count > 0)
			start_fd_install(thread, txn);
		else
			deliver_transaction(thread, txn);
		return true;
	}
	case WORK_RETURN_ERROR: {
		struct error_work *error = (struct error_work *)work;
		put_return(thread, error->cmd);
		error->cmd = BR_OK;
		return false;
	}
	case WORK_TRANSACTION_COMPLETE: {
		bool spam = ((struct complete_work *)work)->oneway_spam_suspect &&
		            thread->proc->oneway_spam_detection_enabled;
		bool only_completes = thread->read_filled == thread->read_held_end;
		free(work);
		put_return(thread, spam ? BR_ONEWAY_SPAM_SUSPECT : BR_TRANSACTION_COMPLETE);
		if (only_completes && !spam)
			thread->read_held_end = thread->read_filled;
		return false;
	}
	case WORK_NODE:
		put_node_work(thread, work);
		return false;
	case WORK_DEAD_BINDER:
	case WORK_DEAD_BINDER_AND_CLEAR:
	case WORK_CLEAR_DEATH_NOTIFICATION:
		return put_death_work(thread, work);
	}
	return false;
}

/* Puts work until a transaction or a full buffer ends the read, or the
 * lists run dry. Returns false when nothing but BR_NOOP was put (the
 * thread waits again), true when the read ended. */
static bool put_available_work(struct thread *thread, bool wait_for_proc_work)
{
	for (;;) {
		struct work_list *list = next_work_list(thread, wait_for_proc_work);
		if (!list) {
			/* Only BR_NOOP (or, held, completes too): wait again. */
			bool nothing_to_end_on = thread->read_filled == thread->read_initial ||
			                         (thread->read_hold_complete &&
			                          thread->read_filled == thread->read_held_end);
			if (nothing_to_end_on && !thread->looper_need_return)
				return false;
			finish_read(thread, 0);
			return true;
		}
		if (thread->read_size - thread->read_filled <
		    sizeof(struct binder_transaction_data_secctx) + sizeof(uint32_t)) {
			finish_read(thread, 0);
			return true;
		}
		struct work *work = work_list_pop(list);
		if (work_list_empty(&thread->todo))
			thread->process_todo = false;
		if (put_work(thread, work))
			return true;
	}
}

void thread_try_read(struct thread *thread)
{
	if (!thread->read_pending || thread->fd_install_txn || thread->is_dead)
		return;
	for (;;) {
		bool wait_for_proc_work = thread_available_for_proc_work(thread);
		if (!has_work_or_park(thread, wait_for_proc_work))
			return;
		if (put_available_work(thread, wait_for_proc_work))
			return;
	}
}
