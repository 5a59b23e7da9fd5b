/*
 * thread.c - binder threads: one per thread channel. Handles the requests
 * on the channel (ioctls, send area, fd numbers, poll arming) and the
 * thread's lifecycle; the read side of BINDER_WRITE_READ is in read.c and
 * the write side in commands.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binderd.h"
#include "log.h"
#include "read.h"

static void thread_on_request(void *owner, const struct binderd_request *request,
                              const uint8_t *payload, int *fds, size_t fd_count);
static void thread_on_close(void *owner);

static const struct channel_handlers thread_handlers = {
        .on_request = thread_on_request,
        .on_close = thread_on_close,
};

static void thread_init_state(struct thread *thread)
{
	thread->looper = 0;
	thread->looper_need_return = true;
	thread->process_todo = false;
	thread->is_dead = false;
	work_list_init(&thread->todo);
	thread->transaction_stack = NULL;
	thread->return_error.work.type = WORK_RETURN_ERROR;
	thread->return_error.work.list = NULL;
	thread->return_error.cmd = BR_OK;
	thread->reply_error.work.type = WORK_RETURN_ERROR;
	thread->reply_error.work.list = NULL;
	thread->reply_error.cmd = BR_OK;
	thread->debug_id = next_debug_id();
	extended_error_reset(thread);
}

struct thread *thread_new(struct proc *proc, int fd)
{
	struct thread *thread = calloc(1, sizeof(*thread));
	if (!thread) {
		close(fd);
		return NULL;
	}
	thread->proc = proc;
	thread->send_area.fd = -1;
	thread_init_state(thread);
	if (channel_open(&thread->channel, fd,
	                 sizeof(struct binderd_write_read) + BINDERD_MAX_WRITE_SIZE,
	                 &thread_handlers, thread) < 0) {
		close(fd);
		free(thread);
		return NULL;
	}
	if (proc->direct_reads && channel_require_sender(&thread->channel, proc->pid) < 0) {
		channel_close(&thread->channel);
		free(thread);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&proc->threads, thread, entry);
	proc->thread_count++;
	return thread;
}

static void send_area_drop(struct send_area *area)
{
	if (area->fd < 0)
		return;
	munmap((void *)area->base, area->size);
	close(area->fd);
	area->fd = -1;
	area->base = NULL;
	area->size = 0;
}

static void leave_waiting_list(struct thread *thread)
{
	if (thread->on_waiting_list) {
		TAILQ_REMOVE(&thread->proc->waiting_threads, thread, waiting_entry);
		thread->on_waiting_list = false;
	}
}

/* The kernel's binder_thread_release, minus the channel. */
static void thread_release_state(struct thread *thread)
{
	struct txn *send_reply = NULL;
	struct txn *txn = thread->transaction_stack;
	if (txn && txn->to_thread == thread)
		send_reply = txn;
	thread->is_dead = true;
	while (txn) {
		if (txn->to_thread == thread) {
			txn->to_proc = NULL;
			txn->to_thread = NULL;
			if (txn->buffer) {
				txn->buffer->txn = NULL;
				txn->buffer = NULL;
			}
			txn = txn->to_parent;
		} else if (txn->from == thread) {
			txn->from = NULL;
			txn = txn->from_parent;
		} else {
			log_error("thread %llu: corrupt transaction stack",
			          (unsigned long long)thread->debug_id);
			break;
		}
	}
	thread->transaction_stack = NULL;
	freeze_wait_cancel(thread);
	if (thread->fd_install_txn) {
		struct txn *pending = thread->fd_install_txn;
		thread->fd_install_txn = NULL;
		read_abandon_transaction(thread, pending);
	}
	if (send_reply)
		transaction_send_failed_reply(send_reply, BR_DEAD_REPLY);
	leave_waiting_list(thread);
	release_work_list(&thread->todo);
	work_dequeue(&thread->return_error.work);
	work_dequeue(&thread->reply_error.work);
	thread->read_pending = false;
	free(thread->read_buffer);
	thread->read_buffer = NULL;
	thread->read_capacity = 0;
}

void thread_release(struct thread *thread)
{
	struct proc *proc = thread->proc;
	thread_release_state(thread);
	channel_close(&thread->channel);
	send_area_drop(&thread->send_area);
	wake_list_forget(thread);
	TAILQ_REMOVE(&proc->threads, thread, entry);
	proc->thread_count--;
	thread_free(thread);
}

void thread_free(struct thread *thread)
{
	defer_free(thread);
}

static void thread_on_close(void *owner)
{
	struct thread *thread = owner;
	if (!thread->proc->is_dead)
		thread_release(thread);
}

static void reply_result(struct thread *thread, int32_t status, const void *payload, size_t size)
{
	struct iovec iov = {(void *)payload, size};
	channel_send(&thread->channel, BINDERD_MSG_RESULT, status, &iov, payload ? 1 : 0, NULL, 0);
}

static void close_fds(int *fds, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int set_context_manager(struct thread *thread, const struct flat_binder_object *object)
{
	struct proc *proc = thread->proc;
	if (binderd_device.manager_node)
		return -EBUSY;
	if (!context_may_become_manager(proc->euid))
		return -EPERM;
	if (binderd_device.manager_uid_set) {
		if (binderd_device.manager_uid != proc->euid)
			return -EPERM;
	} else {
		binderd_device.manager_uid = proc->euid;
		binderd_device.manager_uid_set = true;
	}
	struct node *node = node_find(proc, object->binder);
	if (node)
		return -EBUSY;
	node = node_new(proc, object->binder, object->cookie, object->flags);
	if (!node)
		return -ENOMEM;
	node->local_weak_refs++;
	node->local_strong_refs++;
	node->has_strong_ref = true;
	node->has_weak_ref = true;
	binderd_device.manager_node = node;
	return 0;
}

static void handle_write_read(struct thread *thread, const uint8_t *payload, size_t size, int *fds,
                              size_t fd_count)
{
	struct binderd_write_read request;
	if (size < sizeof(request)) {
		close_fds(fds, fd_count);
		reply_result(thread, -EINVAL, NULL, 0);
		return;
	}
	memcpy(&request, payload, sizeof(request));
	bool quiet = (request.flags & BINDERD_WR_QUIET) != 0;
	if ((quiet && request.read_size != 0) || request.inline_size > BINDERD_MAX_INLINE_SIZE ||
	    request.inline_size > size - sizeof(request) ||
	    request.write_size != size - sizeof(request) - request.inline_size) {
		close_fds(fds, fd_count);
		reply_result(thread, -EINVAL, NULL, 0);
		return;
	}
	size_t consumed = 0;
	int error = 0;
	if (request.write_size > 0) {
		thread->inline_payloads = payload + sizeof(request) + request.write_size;
		thread->inline_payloads_size = request.inline_size;
		error = thread_write(thread, payload + sizeof(request), (size_t)request.write_size,
		                     &consumed, fds, fd_count, quiet);
		thread->inline_payloads = NULL;
		thread->inline_payloads_size = 0;
	} else {
		close_fds(fds, fd_count);
	}
	thread->write_consumed = consumed;
	if (error < 0 || request.read_size == 0) {
		struct binderd_write_read_result result = {.write_consumed = consumed};
		thread->looper_need_return = false;
		if (!quiet)
			reply_result(thread, error, &result, sizeof(result));
		else if (error < 0 || consumed != request.write_size)
			log_warning("proc %d: a quiet write failed after %zu bytes: %s",
			            thread->proc->pid, consumed, strerror(-error));
		if (error < 0 && !work_list_empty(&thread->proc->todo))
			proc_wakeup(thread->proc);
		read_notify_poller(thread);
		return;
	}
	read_start(thread, request.read_size, request.flags);
}

/* Largest argument of the ioctls run by run_in_out_ioctl. */
#define IN_OUT_ARGUMENT_MAX 64

/* An ioctl whose argument (exactly argument_size bytes) is read, passed to
 * run, and written back when run succeeds. */
static void run_in_out_ioctl(struct thread *thread, int (*run)(struct thread *, void *),
                             const uint8_t *payload, size_t size, size_t argument_size)
{
	uint8_t argument[IN_OUT_ARGUMENT_MAX];
	int error = -EINVAL;

	if (size == argument_size && argument_size <= sizeof(argument)) {
		memcpy(argument, payload, argument_size);
		error = run(thread, argument);
	}
	thread->looper_need_return = false;
	reply_result(thread, error, error ? NULL : argument, error ? 0 : argument_size);
}

static void handle_ioctl(struct thread *thread, uint64_t command, const uint8_t *payload,
                         size_t size, int *fds, size_t fd_count)
{
	if (command == BINDER_WRITE_READ) {
		handle_write_read(thread, payload, size, fds, fd_count);
		return;
	}
	close_fds(fds, fd_count);
	int error = -EINVAL;
	switch (command) {
	case BINDER_VERSION: {
		struct binder_version version = {.protocol_version =
		                                         BINDER_CURRENT_PROTOCOL_VERSION};
		reply_result(thread, 0, &version, sizeof(version));
		thread->looper_need_return = false;
		return;
	}
	case BINDER_SET_MAX_THREADS: {
		uint32_t max_threads;
		if (size != sizeof(max_threads))
			break;
		memcpy(&max_threads, payload, sizeof(max_threads));
		thread->proc->max_threads = max_threads;
		error = 0;
		break;
	}
	case BINDER_SET_CONTEXT_MGR: {
		if (size != sizeof(int32_t))
			break;
		struct flat_binder_object object = {0};
		error = set_context_manager(thread, &object);
		break;
	}
	case BINDER_SET_CONTEXT_MGR_EXT: {
		struct flat_binder_object object;
		if (size != sizeof(object))
			break;
		memcpy(&object, payload, sizeof(object));
		error = set_context_manager(thread, &object);
		break;
	}
	case BINDER_THREAD_EXIT:
		thread_release_state(thread);
		thread_init_state(thread);
		reply_result(thread, 0, NULL, 0);
		return;
	case BINDER_GET_EXTENDED_ERROR:
		run_in_out_ioctl(thread, ioctl_get_extended_error, payload, size,
		                 sizeof(struct binder_extended_error));
		return;
	case BINDER_GET_NODE_DEBUG_INFO:
		run_in_out_ioctl(thread, ioctl_get_node_debug_info, payload, size,
		                 sizeof(struct binder_node_debug_info));
		return;
	case BINDER_GET_NODE_INFO_FOR_REF:
		run_in_out_ioctl(thread, ioctl_get_node_info_for_ref, payload, size,
		                 sizeof(struct binder_node_info_for_ref));
		return;
	case BINDER_FREEZE:
		freeze_ioctl(thread, payload, size);
		return;
	case BINDER_GET_FROZEN_INFO:
		run_in_out_ioctl(thread, ioctl_get_frozen_info, payload, size,
		                 sizeof(struct binder_frozen_status_info));
		return;
	case BINDER_ENABLE_ONEWAY_SPAM_DETECTION:
		run_in_out_ioctl(thread, ioctl_enable_oneway_spam_detection, payload, size,
		                 sizeof(uint32_t));
		return;
	default:
		break;
	}
	thread->looper_need_return = false;
	reply_result(thread, error, NULL, 0);
}

static int take_send_area(struct thread *thread, int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);
	struct stat status;
	if (seals < 0 || !(seals & F_SEAL_SHRINK) || fstat(fd, &status) < 0 ||
	    status.st_size <= 0 || (uint64_t)status.st_size > BINDERD_MAX_SEND_AREA_SIZE) {
		close(fd);
		return -EINVAL;
	}
	void *base = mmap(NULL, (size_t)status.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		close(fd);
		return -EINVAL;
	}
	send_area_drop(&thread->send_area);
	thread->send_area.fd = fd;
	thread->send_area.base = base;
	thread->send_area.size = (size_t)status.st_size;
	return 0;
}

static void thread_on_request(void *owner, const struct binderd_request *request,
                              const uint8_t *payload, int *fds, size_t fd_count)
{
	struct thread *thread = owner;
	if (thread->proc->is_dead) {
		close_fds(fds, fd_count);
		return;
	}
	if (thread->fd_install_txn) {
		if (request->op != BINDERD_OP_FD_NUMBERS ||
		    request->payload_size % sizeof(int32_t) != 0) {
			close_fds(fds, fd_count);
			channel_fail(&thread->channel, "expected fd numbers");
			return;
		}
		close_fds(fds, fd_count);
		size_t count = request->payload_size / sizeof(int32_t);
		int32_t numbers[BINDERD_MAX_FDS_PER_MESSAGE];
		if (count > BINDERD_MAX_FDS_PER_MESSAGE) {
			channel_fail(&thread->channel, "too many fd numbers");
			return;
		}
		memcpy(numbers, payload, count * sizeof(int32_t));
		thread_fd_numbers(thread, numbers, count);
		return;
	}
	if (thread->read_pending) {
		close_fds(fds, fd_count);
		channel_fail(&thread->channel, "request while a read is pending");
		return;
	}
	switch (request->op) {
	case BINDERD_OP_IOCTL:
		handle_ioctl(thread, request->arg, payload, request->payload_size, fds, fd_count);
		break;
	case BINDERD_OP_SEND_AREA:
		if (fd_count != 1 || take_send_area(thread, fds[0]) < 0) {
			if (fd_count != 1)
				close_fds(fds, fd_count);
			channel_fail(&thread->channel, "bad send area");
		}
		break;
	case BINDERD_OP_POLL_ARM:
		close_fds(fds, fd_count);
		thread->looper |= LOOPER_POLL;
		thread->poll_armed = true;
		thread->wakeup_sent = false;
		read_notify_poller(thread);
		break;
	default:
		close_fds(fds, fd_count);
		channel_fail(&thread->channel, "unexpected request on a thread channel");
		break;
	}
}

void thread_enqueue_work(struct thread *thread, struct work *work)
{
	work_enqueue(&thread->todo, work);
	thread->process_todo = true;
	wake_thread(thread);
}

void thread_enqueue_deferred_work(struct thread *thread, struct work *work)
{
	work_enqueue(&thread->todo, work);
}

/* Since "binder: fix hang of unregistered readers" (2024, in 6.1.y too),
 * any idle thread takes process work, looper or not. */
bool thread_available_for_proc_work(const struct thread *thread)
{
	return !thread->transaction_stack && work_list_empty(&thread->todo);
}

bool thread_has_work(const struct thread *thread, bool do_proc_work)
{
	return thread->process_todo || thread->looper_need_return ||
	       (do_proc_work && !work_list_empty(&thread->proc->todo));
}

static TAILQ_HEAD(wake_queue, thread) wake_list = TAILQ_HEAD_INITIALIZER(wake_list);

void wake_thread(struct thread *thread)
{
	if (thread->on_wake_list || thread->is_dead)
		return;
	thread->on_wake_list = true;
	TAILQ_INSERT_TAIL(&wake_list, thread, wake_entry);
}

void run_wakeups(void)
{
	struct thread *thread;
	while ((thread = TAILQ_FIRST(&wake_list))) {
		TAILQ_REMOVE(&wake_list, thread, wake_entry);
		if (!thread->on_wake_list)
			continue; /* released meanwhile */
		thread->on_wake_list = false;
		if (thread->is_dead)
			continue;
		if (thread->read_pending)
			thread_try_read(thread);
		else
			read_notify_poller(thread);
	}
}

void wake_list_forget(struct thread *thread)
{
	if (thread->on_wake_list) {
		TAILQ_REMOVE(&wake_list, thread, wake_entry);
		thread->on_wake_list = false;
	}
}

bool wakeups_pending(void)
{
	return !TAILQ_EMPTY(&wake_list);
}
