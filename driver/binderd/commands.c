/*
 * commands.c - the write side of BINDER_WRITE_READ, after the kernel's
 * binder_thread_write: walks the BC_* stream, one command at a time,
 * stopping at an unknown or truncated command (-EINVAL) or when a command
 * left an error for the thread to read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binderd.h"
#include "log.h"

void buffer_free_from_owner(struct proc *proc, struct buffer *buffer)
{
	if (buffer->txn) {
		buffer->txn->buffer = NULL;
		buffer->txn = NULL;
	}
	if (buffer->async && buffer->target_node) {
		struct node *node = buffer->target_node;
		struct work *next = work_list_pop(&node->async_todo);
		if (!next) {
			node->has_async_transaction = false;
		} else {
			work_enqueue(&proc->todo, next);
			proc_wakeup(proc);
		}
	}
	buffer_release_objects(proc, buffer, SIZE_MAX);
	area_free(&proc->area, buffer);
}

static void free_buffer_command(struct thread *thread, binder_uintptr_t user_address)
{
	struct proc *proc = thread->proc;
	struct buffer *buffer = area_find_user(&proc->area, user_address);
	if (!buffer) {
		log_debug("proc %d: BC_FREE_BUFFER %#llx matches no buffer", proc->pid,
		          (unsigned long long)user_address);
		return;
	}
	if (!buffer->allow_user_free) {
		log_debug("proc %d: BC_FREE_BUFFER %#llx on a buffer not delivered", proc->pid,
		          (unsigned long long)user_address);
		return;
	}
	buffer_free_from_owner(proc, buffer);
}

static int refcount_command(struct thread *thread, uint32_t cmd, uint32_t target)
{
	struct proc *proc = thread->proc;
	bool strong = cmd == BC_ACQUIRE || cmd == BC_RELEASE;
	bool increment = cmd == BC_INCREFS || cmd == BC_ACQUIRE;
	int result = -1;
	if (increment && target == 0 && binderd_device.manager_node) {
		if (binderd_device.manager_node->proc == proc) {
			log_debug("proc %d: the context manager tried to acquire handle 0",
			          proc->pid);
			return -EINVAL;
		}
		result = ref_inc_for_node(proc, binderd_device.manager_node, strong, NULL, NULL);
	}
	if (result)
		result = ref_update_for_handle(proc, target, increment, strong);
	if (result)
		log_debug("proc %d: refcount change on invalid handle %u", proc->pid, target);
	return 0;
}

static void refcount_done_command(struct thread *thread, uint32_t cmd,
                                  const struct binder_ptr_cookie *pc)
{
	struct proc *proc = thread->proc;
	struct node *node = node_find(proc, pc->ptr);
	if (!node || node->cookie != pc->cookie) {
		log_debug("proc %d: %s for unknown node", proc->pid,
		          cmd == BC_ACQUIRE_DONE ? "BC_ACQUIRE_DONE" : "BC_INCREFS_DONE");
		return;
	}
	if (cmd == BC_ACQUIRE_DONE) {
		if (!node->pending_strong_ref) {
			log_debug("proc %d: BC_ACQUIRE_DONE with no pending acquire", proc->pid);
			return;
		}
		node->pending_strong_ref = false;
	} else {
		if (!node->pending_weak_ref) {
			log_debug("proc %d: BC_INCREFS_DONE with no pending increment", proc->pid);
			return;
		}
		node->pending_weak_ref = false;
	}
	node_dec(node, cmd == BC_ACQUIRE_DONE, false);
}

static void looper_command(struct thread *thread, uint32_t cmd)
{
	struct proc *proc = thread->proc;
	switch (cmd) {
	case BC_REGISTER_LOOPER:
		if (thread->looper & LOOPER_ENTERED) {
			thread->looper |= LOOPER_INVALID;
		} else if (proc->requested_threads == 0) {
			thread->looper |= LOOPER_INVALID;
		} else {
			proc->requested_threads--;
			proc->requested_threads_started++;
		}
		thread->looper |= LOOPER_REGISTERED;
		break;
	case BC_ENTER_LOOPER:
		if (thread->looper & LOOPER_REGISTERED)
			thread->looper |= LOOPER_INVALID;
		thread->looper |= LOOPER_ENTERED;
		break;
	case BC_EXIT_LOOPER:
		thread->looper |= LOOPER_EXITED;
		break;
	}
}

/* Size of a command's argument, or -1 for a command binderd rejects. */
static ssize_t command_size(uint32_t cmd)
{
	switch (cmd) {
	case BC_INCREFS:
	case BC_ACQUIRE:
	case BC_RELEASE:
	case BC_DECREFS:
	case BC_INCREFS_DONE:
	case BC_ACQUIRE_DONE:
	case BC_FREE_BUFFER:
	case BC_TRANSACTION:
	case BC_REPLY:
	case BC_TRANSACTION_SG:
	case BC_REPLY_SG:
	case BC_REGISTER_LOOPER:
	case BC_ENTER_LOOPER:
	case BC_EXIT_LOOPER:
	case BC_REQUEST_DEATH_NOTIFICATION:
	case BC_CLEAR_DEATH_NOTIFICATION:
	case BC_DEAD_BINDER_DONE:
		return (ssize_t)_IOC_SIZE(cmd);
	default:
		return -1;
	}
}

int thread_write(struct thread *thread, const uint8_t *stream, size_t size, size_t *consumed,
                 int *fds, size_t fd_count, bool quiet)
{
	size_t position = 0;
	size_t fds_used = 0;
	int result = 0;
	*consumed = 0;
	while (position < size && !thread->is_dead) {
		uint32_t cmd = 0;
		bool whole = size - position >= sizeof(cmd);
		if (whole)
			memcpy(&cmd, stream + position, sizeof(cmd));
		/* As the kernel: an error waiting for the read stops the write
		 * (the caller sends the rest again). A quiet write's caller
		 * does not: its frees are taken all the same. */
		if (thread->return_error.cmd != BR_OK && !(quiet && cmd == BC_FREE_BUFFER))
			break;
		if (!whole) {
			result = -EINVAL;
			break;
		}
		ssize_t argument_size = command_size(cmd);
		if (argument_size < 0 || size - position - sizeof(cmd) < (size_t)argument_size) {
			log_debug("proc %d: unknown or truncated command %#x", thread->proc->pid,
			          cmd);
			result = -EINVAL;
			break;
		}
		const uint8_t *argument = stream + position + sizeof(cmd);
		debug_count_command(thread->proc, cmd);
		switch (cmd) {
		case BC_INCREFS:
		case BC_ACQUIRE:
		case BC_RELEASE:
		case BC_DECREFS: {
			uint32_t target;
			memcpy(&target, argument, sizeof(target));
			result = refcount_command(thread, cmd, target);
			break;
		}
		case BC_INCREFS_DONE:
		case BC_ACQUIRE_DONE: {
			struct binder_ptr_cookie pc;
			memcpy(&pc, argument, sizeof(pc));
			refcount_done_command(thread, cmd, &pc);
			break;
		}
		case BC_FREE_BUFFER: {
			binder_uintptr_t address;
			memcpy(&address, argument, sizeof(address));
			free_buffer_command(thread, address);
			break;
		}
		case BC_TRANSACTION:
		case BC_REPLY:
		case BC_TRANSACTION_SG:
		case BC_REPLY_SG: {
			struct binder_transaction_data_sg data = {0};
			binder_size_t extra = 0;
			if (cmd == BC_TRANSACTION_SG || cmd == BC_REPLY_SG) {
				memcpy(&data, argument, sizeof(data));
				extra = data.buffers_size;
			} else {
				memcpy(&data.transaction_data, argument,
				       sizeof(data.transaction_data));
			}
			struct transaction_fds transaction_fds = {
			        .fds = fds + fds_used,
			        .count = fd_count - fds_used,
			        .used = 0,
			};
			transaction_handle(thread, &data.transaction_data,
			                   cmd == BC_REPLY || cmd == BC_REPLY_SG, extra,
			                   &transaction_fds);
			fds_used += transaction_fds.used;
			break;
		}
		case BC_REGISTER_LOOPER:
		case BC_ENTER_LOOPER:
		case BC_EXIT_LOOPER:
			looper_command(thread, cmd);
			break;
		case BC_REQUEST_DEATH_NOTIFICATION:
		case BC_CLEAR_DEATH_NOTIFICATION: {
			struct binder_handle_cookie hc;
			memcpy(&hc, argument, sizeof(hc));
			if (cmd == BC_REQUEST_DEATH_NOTIFICATION)
				death_request(thread, hc.handle, hc.cookie);
			else
				death_clear(thread, hc.handle, hc.cookie);
			break;
		}
		case BC_DEAD_BINDER_DONE: {
			binder_uintptr_t cookie;
			memcpy(&cookie, argument, sizeof(cookie));
			death_done(thread, cookie);
			break;
		}
		}
		if (result < 0)
			break;
		position += sizeof(cmd) + (size_t)argument_size;
		*consumed = position;
	}
	for (size_t i = fds_used; i < fd_count; i++)
		close(fds[i]);
	return result;
}
