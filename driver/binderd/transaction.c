/*
 * transaction.c - BC_TRANSACTION / BC_REPLY after the kernel's
 * binder_transaction: find the target (a handle's node, the context
 * manager, or for a reply the waiting caller), pick the target thread (the
 * one waiting in our transaction chain, so nested calls come back to the
 * very thread that waits), copy the payload once from the sender's send
 * area into a buffer of the target's receive area, translate its objects,
 * and queue it; or fail with BR_FAILED_REPLY / BR_DEAD_REPLY.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "binderd.h"
#include "bug_on.h"
#include "direct_reads.h"
#include "log.h"

void transaction_free(struct txn *txn)
{
	if (txn->buffer) {
		txn->buffer->txn = NULL;
		txn->buffer = NULL;
	}
	for (size_t i = 0; i < txn->fd_count; i++)
		if (txn->fds[i] >= 0)
			close(txn->fds[i]);
	if (txn->to_proc && txn->fd_count <= txn->to_proc->fds_in_flight)
		txn->to_proc->fds_in_flight -= txn->fd_count;
	uid_budget_release(txn->sender_euid, UID_FDS_IN_FLIGHT, txn->fd_count);
	free(txn->fds);
	free(txn->fd_positions);
	work_dequeue(&txn->work);
	free(txn);
}

void transaction_pop(struct thread *thread, struct txn *txn)
{
	BINDER_BUG_ON(thread->transaction_stack != txn);
	if (thread->transaction_stack == txn)
		thread->transaction_stack = txn->from_parent;
	else
		log_error("transaction %llu is not on top of its sender's stack",
		          (unsigned long long)txn->debug_id);
	txn->from = NULL;
}

void transaction_send_failed_reply(struct txn *txn, uint32_t error_code)
{
	for (;;) {
		struct thread *target = txn->from;
		if (target && !target->is_dead) {
			transaction_pop(target, txn);
			if (target->reply_error.cmd == BR_OK) {
				target->reply_error.cmd = error_code;
				thread_enqueue_work(target, &target->reply_error.work);
			}
			transaction_free(txn);
			return;
		}
		struct txn *next = txn->from_parent;
		transaction_free(txn);
		if (!next)
			return;
		txn = next;
	}
}

/* The sender's pid as the kernel reports it (the tgid of the task that
 * opened the device, binder_thread_read): the pid of the process that
 * connected while it lives, 0 once it has been reaped, so that a pid
 * another process has taken since never names the sender. (A forked
 * child that calls through its parent's channels is reported as the
 * parent, as with the kernel.) Without a pidfd (none could be shown to
 * name the process that connected, peer_pidfd.c) binderd cannot tell,
 * and reports 0. */
static pid_t sender_pid(const struct proc *proc)
{
	int pidfd = peer_pidfd_of_sender(proc);
	if (pidfd < 0)
		return 0;
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0 || errno == EPERM)
		return proc->pid;
	return 0;
}

/* The kernel's binder_proc_transaction. Returns BR_OK, or BR_DEAD_REPLY
 * if the target is dead, BR_FROZEN_REPLY if it is frozen. */
static uint32_t queue_transaction(struct txn *txn, struct proc *proc, struct thread *thread)
{
	struct node *node = txn->buffer->target_node;
	bool oneway = (txn->flags & TF_ONE_WAY) != 0;
	bool pending_async = false;
	if (proc->is_dead || (thread && thread->is_dead))
		return BR_DEAD_REPLY;
	uint32_t frozen = freeze_check_incoming(proc, oneway);
	if (frozen != BR_OK)
		return frozen;
	if (oneway) {
		if (node->has_async_transaction)
			pending_async = true;
		else
			node->has_async_transaction = true;
	}
	if (!thread && !pending_async)
		thread = proc_select_thread(proc);
	if (thread)
		thread_enqueue_work(thread, &txn->work);
	else if (!pending_async) {
		work_enqueue(&proc->todo, &txn->work);
		proc_wakeup(proc);
	} else {
		struct txn *outdated = freeze_take_outdated(proc, node, txn);
		work_enqueue(&node->async_todo, &txn->work);
		if (outdated)
			freeze_drop_outdated(proc, outdated);
	}
	return BR_OK;
}

static bool copy_from_send_area(const struct send_area *area, binder_uintptr_t offset, size_t size,
                                uint8_t *destination)
{
	if (size == 0)
		return true;
	if (!area->base || offset > area->size || size > area->size - offset)
		return false;
	memcpy(destination, area->base + offset, size);
	return true;
}

void transaction_handle(struct thread *thread, const struct binder_transaction_data *tr, bool reply,
                        binder_size_t extra_buffers_size, struct transaction_fds *fds)
{
	struct proc *proc = thread->proc;
	bool direct = (tr->flags & BINDERD_TF_DIRECT) != 0;
	struct txn *in_reply_to = NULL;
	struct thread *target_thread = NULL;
	struct proc *target_proc = NULL;
	struct node *target_node = NULL;
	struct txn *txn = NULL;
	struct buffer *buffer = NULL;
	size_t translated_end = 0;
	uint32_t return_error = BR_OK;
	int error_param = 0;
	/* Taken first, as the kernel's t_debug_id: failures report it too. */
	uint64_t debug_id = next_debug_id();

	extended_error_set(thread, debug_id, BR_OK, 0);
	if (reply) {
		in_reply_to = thread->transaction_stack;
		if (!in_reply_to) {
			return_error = BR_FAILED_REPLY;
			error_param = -EPROTO;
			goto fail;
		}
		if (in_reply_to->to_thread != thread) {
			in_reply_to = NULL;
			return_error = BR_FAILED_REPLY;
			error_param = -EPROTO;
			goto fail;
		}
		thread->transaction_stack = in_reply_to->to_parent;
		target_thread = in_reply_to->from;
		if (!target_thread || target_thread->is_dead) {
			return_error = BR_DEAD_REPLY;
			goto fail;
		}
		if (target_thread->transaction_stack != in_reply_to) {
			in_reply_to = NULL;
			target_thread = NULL;
			return_error = BR_FAILED_REPLY;
			error_param = -EPROTO;
			goto fail;
		}
		target_proc = target_thread->proc;
	} else {
		if (tr->target.handle) {
			struct ref *ref = ref_find(proc, tr->target.handle, true);
			if (!ref) {
				return_error = BR_FAILED_REPLY;
				error_param = -EINVAL;
				goto fail;
			}
			target_node = ref->node;
		} else {
			target_node = binderd_device.manager_node;
			if (!target_node) {
				return_error = BR_DEAD_REPLY;
				error_param = -EINVAL;
				goto fail;
			}
		}
		target_proc = target_node->proc;
		if (!target_proc) {
			target_node = NULL;
			return_error = BR_DEAD_REPLY;
			error_param = -EINVAL;
			goto fail;
		}
		if (target_proc == proc) {
			target_node = NULL;
			return_error = BR_FAILED_REPLY;
			error_param = -EINVAL;
			goto fail;
		}
		node_inc(target_node, true, false, NULL);
		node_inc_tmp(target_node);
		if (!(tr->flags & TF_ONE_WAY) && thread->transaction_stack) {
			struct txn *walk = thread->transaction_stack;
			if (walk->to_thread != thread) {
				return_error = BR_FAILED_REPLY;
				error_param = -EPROTO;
				goto fail;
			}
			for (; walk; walk = walk->from_parent) {
				struct thread *from = walk->from;
				if (from && !from->is_dead && from->proc == target_proc) {
					target_thread = from;
					break;
				}
			}
		}
	}

	txn = calloc(1, sizeof(*txn));
	if (!txn) {
		return_error = BR_FAILED_REPLY;
		error_param = -ENOMEM;
		goto fail;
	}
	txn->debug_id = debug_id;
	txn->work.type = WORK_TRANSACTION;
	if (!reply && !(tr->flags & TF_ONE_WAY))
		txn->from = thread;
	txn->sender_pid = sender_pid(proc);
	txn->sender_euid = proc->euid;
	txn->to_proc = target_proc;
	txn->to_thread = target_thread;
	txn->code = tr->code;
	txn->flags = tr->flags & ~BINDERD_TF_DIRECT;
	txn->is_reply = reply;

	size_t secctx_size = 0;
	const char *secctx = NULL;
	if (target_node && target_node->txn_security_ctx) {
		secctx = proc->security_ctx ? proc->security_ctx : "";
		secctx_size = strlen(secctx) + 1;
		if (extra_buffers_size > SIZE_MAX - align8(secctx_size)) {
			return_error = BR_FAILED_REPLY;
			error_param = -EINVAL;
			goto fail;
		}
		extra_buffers_size += align8(secctx_size);
	}
	if (tr->data_size > SIZE_MAX || tr->offsets_size > SIZE_MAX ||
	    extra_buffers_size > SIZE_MAX) {
		return_error = BR_FAILED_REPLY;
		error_param = -EINVAL;
		goto fail;
	}
	int error = area_alloc(&target_proc->area, (size_t)tr->data_size, (size_t)tr->offsets_size,
	                       (size_t)extra_buffers_size, !reply && (txn->flags & TF_ONE_WAY),
	                       &buffer);
	if (error) {
		return_error = error == -ESRCH ? BR_DEAD_REPLY : BR_FAILED_REPLY;
		error_param = error;
		buffer = NULL;
		goto fail;
	}
	buffer->txn = txn;
	buffer->target_node = target_node;
	txn->buffer = buffer;
	buffer->sender_pid = proc->pid;
	bool spam_suspect = buffer->async && oneway_spam_suspect(&target_proc->area, proc->pid);
	uint8_t *data = buffer_data(&target_proc->area, buffer);
	bool copied;
	if (direct) {
		struct iovec local[2] = {{data, buffer->data_size},
		                         {data + align8(buffer->data_size), buffer->offsets_size}};
		struct iovec remote[2] = {
		        {(void *)(uintptr_t)tr->data.ptr.buffer, buffer->data_size},
		        {(void *)(uintptr_t)tr->data.ptr.offsets, buffer->offsets_size}};
		copied = direct_reads_copy(proc, local, remote, 2,
		                           buffer->data_size + buffer->offsets_size) == 0;
	} else {
		copied =
		        copy_from_send_area(&thread->send_area, tr->data.ptr.buffer,
		                            buffer->data_size, data) &&
		        copy_from_send_area(&thread->send_area, tr->data.ptr.offsets,
		                            buffer->offsets_size, data + align8(buffer->data_size));
	}
	if (!copied) {
		return_error = BR_FAILED_REPLY;
		error_param = -EFAULT;
		goto fail;
	}
	if (buffer->offsets_size % sizeof(binder_size_t) != 0 || extra_buffers_size % 8 != 0) {
		return_error = BR_FAILED_REPLY;
		error_param = -EINVAL;
		goto fail;
	}
	if (secctx) {
		size_t offset = align8(buffer->data_size) + align8(buffer->offsets_size) +
		                align8(buffer->extra_size) - align8(secctx_size);
		memcpy(data + offset, secctx, secctx_size);
		txn->security_ctx_offset = offset;
		txn->has_security_ctx = true;
	}

	struct translate_ctx ctx = {
	        .thread = thread,
	        .target_proc = target_proc,
	        .txn = txn,
	        .buffer = buffer,
	        .send_area = thread->send_area.base,
	        .send_area_size = thread->send_area.size,
	        .target_accepts_fds =
	                reply ? (in_reply_to->flags & TF_ACCEPT_FDS) != 0 : target_node->accept_fds,
	        .sender_fds = fds,
	        .secctx_size = align8(secctx_size),
	        .direct = direct,
	};
	return_error = objects_translate(&ctx, &error_param, &translated_end);
	if (return_error != BR_OK)
		goto fail;

	if (reply) {
		struct complete_work *complete = calloc(1, sizeof(*complete));
		if (!complete) {
			return_error = BR_FAILED_REPLY;
			error_param = -ENOMEM;
			goto fail;
		}
		complete->work.type = WORK_TRANSACTION_COMPLETE;
		if (target_thread->is_dead) {
			free(complete);
			return_error = BR_DEAD_REPLY;
			goto fail;
		}
		/* The caller first: its wakeup is the one a call waits for. */
		transaction_pop(target_thread, in_reply_to);
		thread_enqueue_work(target_thread, &txn->work);
		thread_enqueue_work(thread, &complete->work);
		transaction_free(in_reply_to);
	} else {
		struct complete_work *complete = calloc(1, sizeof(*complete));
		if (!complete) {
			return_error = BR_FAILED_REPLY;
			error_param = -ENOMEM;
			goto fail;
		}
		complete->work.type = WORK_TRANSACTION_COMPLETE;
		complete->oneway_spam_suspect = spam_suspect;
		if (!(txn->flags & TF_ONE_WAY)) {
			txn->need_reply = true;
			txn->from_parent = thread->transaction_stack;
			thread->transaction_stack = txn;
			return_error = queue_transaction(txn, target_proc, target_thread);
			if (return_error != BR_OK) {
				thread->transaction_stack = txn->from_parent;
				txn->from_parent = NULL;
				free(complete);
				goto fail;
			}
			thread_enqueue_deferred_work(thread, &complete->work);
		} else {
			return_error = queue_transaction(txn, target_proc, NULL);
			if (return_error != BR_OK) {
				free(complete);
				goto fail;
			}
			thread_enqueue_work(thread, &complete->work);
		}
		node_dec_tmp(target_node);
	}
	return;

fail:
	log_debug("proc %d: transaction failed: %s (%d)", proc->pid,
	          return_error == BR_DEAD_REPLY ? "dead target" : "failed", error_param);
	if (buffer) {
		buffer->txn = NULL;
		/* Releases the objects translated so far and the target node's
		 * strong ref the buffer held. */
		buffer_release_objects(target_proc, buffer, translated_end);
		area_free(&target_proc->area, buffer);
		if (txn)
			txn->buffer = NULL;
		if (target_node)
			node_dec_tmp(target_node);
		target_node = NULL;
	}
	if (txn)
		transaction_free(txn);
	if (target_node) {
		node_dec(target_node, true, false);
		node_dec_tmp(target_node);
	}
	if (in_reply_to) {
		extended_error_set_on_caller(in_reply_to, debug_id, return_error, error_param);
		thread->return_error.cmd = BR_TRANSACTION_COMPLETE;
		thread_enqueue_work(thread, &thread->return_error.work);
		transaction_send_failed_reply(in_reply_to, return_error);
	} else {
		extended_error_set(thread, debug_id, return_error, error_param);
		thread->return_error.cmd = return_error;
		thread_enqueue_work(thread, &thread->return_error.work);
	}
	/* Fds this transaction did not take are closed by the write loop. */
}
