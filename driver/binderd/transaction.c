/*
 * transaction.c - BC_TRANSACTION / BC_REPLY after the kernel's
 * binder_transaction: find the target (a handle's node, the context
 * manager, or for a reply the waiting caller), pick the target thread (the
 * one waiting in our transaction chain, so nested calls come back to the
 * very thread that waits), copy the payload once from the sender's send
 * area into a buffer of the target's receive area, translate its objects,
 * and queue it; or fail with BR_FAILED_REPLY / BR_DEAD_REPLY.
 * transaction_handle runs these as steps over a struct transaction_build,
 * each of which either succeeds or records why it failed (the reply
 * code, -errno, line and a reason) for the single failure exit.
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
#include "gathered_payload.h"
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
	debug_object_deleted(DEBUG_OBJECT_TRANSACTION);
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
static pid_t sender_pid(const struct thread *thread)
{
	const struct proc *proc = thread->proc;
	/* A thread channel that takes requests from the process alone
	 * (SO_PASSCRED, channel_require_sender: direct reads) names the
	 * sender without a system call: this request was sent by proc->pid,
	 * alive as it sent it, moments ago, and another process gets that
	 * pid only after this one is reaped and the pids wrap around. (The
	 * kernel looks at delivery; binderd looks at the call either way.) */
	if (proc->pid > 0 && thread->channel.only_sender == proc->pid)
		return proc->pid;
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

/* Copies size bytes at offset of a region the sender filled (its send
 * area, or its request's inline payloads); false if they are not all in
 * it. */
static bool copy_from_region(const uint8_t *base, size_t region_size, binder_uintptr_t offset,
                             size_t size, uint8_t *destination)
{
	if (size == 0)
		return true;
	if (!base || offset > region_size || size > region_size - offset)
		return false;
	memcpy(destination, base + offset, size);
	return true;
}

/* One BC_TRANSACTION / BC_REPLY while it is being built: what the kernel's
 * binder_transaction keeps in its locals. Each step below fills in more of
 * it; the single failure exit (transaction_fail) undoes what was done, as
 * far as the fields say. */
struct transaction_build {
	/* the request */
	struct thread *thread; /* sender */
	struct proc *proc;     /* sender's proc */
	const struct binder_transaction_data *tr;
	bool reply;
	bool direct;   /* payload read from the sender's memory (BINDERD_TF_DIRECT) */
	bool inlined;  /* payload in the request itself (BINDERD_TF_INLINE) */
	bool gathered; /* direct, from a segment list (BINDERD_TF_GATHER) */
	binder_size_t extra_buffers_size;
	struct transaction_fds *fds;
	/* Taken first, as the kernel's t_debug_id: failures report it too. */
	uint64_t debug_id;

	/* resolve_target */
	struct txn *in_reply_to; /* a reply's call: failed back on error */
	struct thread *target_thread;
	struct proc *target_proc;
	/* holds a strong and a tmp ref while set (its strong one passes to
	 * the buffer in allocate_buffer) */
	struct node *target_node;
	/* the call's target node, for the debug records: no ref, NULL for a
	 * reply; valid until transaction_handle returns */
	struct node *to_node;

	/* new_transaction, allocate_buffer, copy_payload */
	struct txn *txn;
	struct buffer *buffer;
	const char *secctx; /* the sender's security context, if the node asks */
	size_t secctx_size; /* with its NUL, unaligned */
	bool spam_suspect;  /* BR_ONEWAY_SPAM_SUSPECT for the sender */

	/* translate_objects: objects translated so far, released on failure */
	size_t translated_end;

	/* the failure, as the kernel's transaction log entry has it */
	uint32_t return_error;    /* BR_FAILED_REPLY, BR_DEAD_REPLY, BR_FROZEN_REPLY */
	int return_error_param;   /* -errno, or 0 */
	int return_error_line;    /* where in this file it failed */
	const char *error_reason; /* what was wrong, as binder_user_error says it */
};

/* Records why the transaction fails; returns false for the step to return. */
static bool fail_at(struct transaction_build *build, int line, uint32_t return_error,
                    int return_error_param, const char *reason)
{
	build->return_error = return_error;
	build->return_error_param = return_error_param;
	build->return_error_line = line;
	build->error_reason = reason;
	return false;
}

#define TRANSACTION_FAIL(build, return_error, param, reason)                                       \
	fail_at((build), __LINE__, (return_error), (param), (reason))

/* BC_REPLY: the call being answered (top of our stack, addressed to this
 * thread) and its caller, which must still wait for it. */
static bool resolve_reply_target(struct transaction_build *build)
{
	struct thread *thread = build->thread;
	struct txn *in_reply_to = thread->transaction_stack;
	if (!in_reply_to)
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EPROTO,
		                        "reply with no transaction stack");
	if (in_reply_to->to_thread != thread)
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EPROTO,
		                        "reply with bad transaction stack");
	build->in_reply_to = in_reply_to;
	thread->transaction_stack = in_reply_to->to_parent;
	struct thread *target_thread = in_reply_to->from;
	build->target_thread = target_thread;
	if (!target_thread || target_thread->is_dead)
		return TRANSACTION_FAIL(build, BR_DEAD_REPLY, 0, "target dead");
	if (target_thread->transaction_stack != in_reply_to) {
		build->in_reply_to = NULL;
		build->target_thread = NULL;
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EPROTO,
		                        "reply to a caller with bad transaction stack");
	}
	build->target_proc = target_thread->proc;
	return true;
}

/* A two-way call goes to the thread of the target proc that waits in our
 * chain of calls, if one does (nested calls come back to it). */
static bool find_waiting_thread(struct transaction_build *build)
{
	struct thread *thread = build->thread;
	if ((build->tr->flags & TF_ONE_WAY) || !thread->transaction_stack)
		return true;
	struct txn *walk = thread->transaction_stack;
	if (walk->to_thread != thread)
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EPROTO,
		                        "call with bad transaction stack");
	for (; walk; walk = walk->from_parent) {
		struct thread *from = walk->from;
		if (from && !from->is_dead && from->proc == build->target_proc) {
			build->target_thread = from;
			break;
		}
	}
	return true;
}

/* BC_TRANSACTION: the node of the handle (0: the context manager), kept
 * alive by a strong and a tmp ref until the transaction is queued. */
static bool resolve_call_target(struct transaction_build *build)
{
	struct node *node;
	if (build->tr->target.handle) {
		struct ref *ref = ref_find(build->proc, build->tr->target.handle, true);
		if (!ref)
			return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EINVAL, "invalid handle");
		node = ref->node;
	} else {
		node = binderd_device.manager_node;
		if (!node)
			return TRANSACTION_FAIL(build, BR_DEAD_REPLY, -EINVAL,
			                        "no context manager");
	}
	build->to_node = node;
	build->target_proc = node->proc;
	if (!build->target_proc)
		return TRANSACTION_FAIL(build, BR_DEAD_REPLY, -EINVAL, "target dead");
	if (build->target_proc == build->proc)
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EINVAL,
		                        "transaction to own process");
	node_inc(node, true, false, NULL);
	node_inc_tmp(node);
	build->target_node = node;
	return find_waiting_thread(build);
}

static bool resolve_target(struct transaction_build *build)
{
	bool resolved = build->reply ? resolve_reply_target(build) : resolve_call_target(build);
	debug_log_target(build->debug_id, resolved ? build->target_proc : NULL,
	                 resolved ? build->target_thread : NULL, build->to_node);
	return resolved;
}

static bool new_transaction(struct transaction_build *build)
{
	const struct binder_transaction_data *tr = build->tr;
	struct txn *txn = calloc(1, sizeof(*txn));
	if (!txn)
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -ENOMEM, "out of memory");
	txn->debug_id = build->debug_id;
	txn->work.type = WORK_TRANSACTION;
	/* Only a call that waits for its reply names its sender's pid
	 * (read.c): a reply or a oneway call carries 0, as with the kernel,
	 * and costs no check. */
	if (!build->reply && !(tr->flags & TF_ONE_WAY)) {
		txn->from = build->thread;
		txn->sender_pid = sender_pid(build->thread);
	}
	txn->sender_euid = build->proc->euid;
	txn->to_proc = build->target_proc;
	txn->to_thread = build->target_thread;
	txn->code = tr->code;
	txn->flags = tr->flags & ~BINDERD_TF_PRIVATE;
	txn->is_reply = build->reply;
	build->txn = txn;
	debug_object_created(DEBUG_OBJECT_TRANSACTION);
	return true;
}

static const char *alloc_failure_reason(int error)
{
	switch (error) {
	case -ESRCH:
		return "target has no receive area";
	case -ENOSPC:
		return "no space";
	default:
		return "cannot allocate buffer";
	}
}

/* A buffer in the target's receive area for the payload, the extra
 * buffers and, if the target node asks, the sender's security context. */
static bool allocate_buffer(struct transaction_build *build)
{
	const struct binder_transaction_data *tr = build->tr;
	struct proc *proc = build->proc;
	struct txn *txn = build->txn;
	struct node *target_node = build->target_node;
	binder_size_t extra_buffers_size = build->extra_buffers_size;
	if (target_node && target_node->txn_security_ctx) {
		build->secctx = proc->security_ctx ? proc->security_ctx : "";
		build->secctx_size = strlen(build->secctx) + 1;
		if (extra_buffers_size > SIZE_MAX - align8(build->secctx_size))
			return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EINVAL,
			                        "security context overflows extra buffers size");
		extra_buffers_size += align8(build->secctx_size);
		build->extra_buffers_size = extra_buffers_size;
	}
	if (tr->data_size > SIZE_MAX || tr->offsets_size > SIZE_MAX ||
	    extra_buffers_size > SIZE_MAX)
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EINVAL, "sizes too large");
	struct buffer *buffer;
	int error = area_alloc(&build->target_proc->area, (size_t)tr->data_size,
	                       (size_t)tr->offsets_size, (size_t)extra_buffers_size,
	                       !build->reply && (txn->flags & TF_ONE_WAY), &buffer);
	if (error)
		return TRANSACTION_FAIL(build, error == -ESRCH ? BR_DEAD_REPLY : BR_FAILED_REPLY,
		                        error, alloc_failure_reason(error));
	buffer->txn = txn;
	buffer->debug_id = txn->debug_id;
	buffer->target_node = target_node; /* takes over the strong ref */
	txn->buffer = buffer;
	buffer->sender_pid = proc->pid;
	build->buffer = buffer;
	build->spam_suspect =
	        buffer->async && oneway_spam_suspect(&build->target_proc->area, proc->pid);
	return true;
}

/* Copies data and offsets once, from the sender's memory (direct) or its
 * send area, then the security context at the end of the extra space. */
static bool copy_payload(struct transaction_build *build)
{
	const struct binder_transaction_data *tr = build->tr;
	struct buffer *buffer = build->buffer;
	const struct send_area *send_area = &build->thread->send_area;
	uint8_t *data = buffer_data(&build->target_proc->area, buffer);
	uint8_t *offsets = data + align8(buffer->data_size);
	bool copied;
	if (build->direct && build->inlined)
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EINVAL,
		                        "direct and inline payload");
	if (build->gathered && (!build->direct || buffer->offsets_size != 0))
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EINVAL,
		                        "gathered payload not direct or with objects");
	if (build->gathered) {
		int error = gathered_payload_copy(build->proc, tr->data.ptr.buffer, data,
		                                  buffer->data_size);
		if (error == -EINVAL)
			return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EINVAL,
			                        "malformed gather list");
		copied = error == 0;
	} else if (build->inlined) {
		/* Inline payloads carry no objects (socket_protocol.h). */
		copied = buffer->offsets_size == 0 &&
		         copy_from_region(build->thread->inline_payloads,
		                          build->thread->inline_payloads_size, tr->data.ptr.buffer,
		                          buffer->data_size, data);
	} else if (build->direct) {
		struct iovec local[2] = {{data, buffer->data_size},
		                         {offsets, buffer->offsets_size}};
		struct iovec remote[2] = {
		        {(void *)(uintptr_t)tr->data.ptr.buffer, buffer->data_size},
		        {(void *)(uintptr_t)tr->data.ptr.offsets, buffer->offsets_size}};
		copied = direct_reads_copy(build->proc, local, remote, 2,
		                           buffer->data_size + buffer->offsets_size) == 0;
	} else {
		copied = copy_from_region(send_area->base, send_area->size, tr->data.ptr.buffer,
		                          buffer->data_size, data) &&
		         copy_from_region(send_area->base, send_area->size, tr->data.ptr.offsets,
		                          buffer->offsets_size, offsets);
	}
	if (!copied)
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EFAULT,
		                        "invalid data or offsets pointer");
	if (buffer->offsets_size % sizeof(binder_size_t) != 0)
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EINVAL, "bad offsets size");
	if (build->extra_buffers_size % 8 != 0)
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -EINVAL,
		                        "unaligned extra buffers size");
	if (build->secctx) {
		size_t offset = align8(buffer->data_size) + align8(buffer->offsets_size) +
		                align8(buffer->extra_size) - align8(build->secctx_size);
		memcpy(data + offset, build->secctx, build->secctx_size);
		build->txn->security_ctx_offset = offset;
		build->txn->has_security_ctx = true;
	}
	return true;
}

/* objects.c validates the offsets and translates each object for the
 * target; build->translated_end says how many to release on failure. */
static bool translate_objects(struct transaction_build *build)
{
	struct thread *thread = build->thread;
	struct translate_ctx ctx = {
	        .thread = thread,
	        .target_proc = build->target_proc,
	        .txn = build->txn,
	        .buffer = build->buffer,
	        .send_area = thread->send_area.base,
	        .send_area_size = thread->send_area.size,
	        .target_accepts_fds = build->reply
	                                      ? (build->in_reply_to->flags & TF_ACCEPT_FDS) != 0
	                                      : build->target_node->accept_fds,
	        .sender_fds = build->fds,
	        .secctx_size = align8(build->secctx_size),
	        .direct = build->direct,
	};
	int error_param = 0;
	uint32_t return_error = objects_translate(&ctx, &error_param, &build->translated_end);
	if (return_error != BR_OK)
		return TRANSACTION_FAIL(build, return_error, error_param,
		                        ctx.error_reason ? ctx.error_reason : "bad object");
	return true;
}

static struct complete_work *new_complete_work(void)
{
	struct complete_work *complete = calloc(1, sizeof(*complete));
	if (complete) {
		complete->work.type = WORK_TRANSACTION_COMPLETE;
		debug_object_created(DEBUG_OBJECT_TRANSACTION_COMPLETE);
	}
	return complete;
}

static const char *queue_failure_reason(uint32_t return_error)
{
	return return_error == BR_FROZEN_REPLY ? "frozen" : "target dead";
}

/* A reply goes to its waiting caller, which leaves our stack and its own. */
static bool deliver_reply(struct transaction_build *build)
{
	struct thread *target_thread = build->target_thread;
	struct complete_work *complete = new_complete_work();
	if (!complete)
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -ENOMEM, "out of memory");
	if (target_thread->is_dead) {
		free(complete);
		return TRANSACTION_FAIL(build, BR_DEAD_REPLY, 0, "target dead");
	}
	/* The caller first: its wakeup is the one a call waits for. */
	transaction_pop(target_thread, build->in_reply_to);
	thread_enqueue_work(target_thread, &build->txn->work);
	thread_enqueue_work(build->thread, &complete->work);
	transaction_free(build->in_reply_to);
	build->in_reply_to = NULL;
	return true;
}

/* A call is queued to the target (queue_transaction); a two-way one goes
 * on the sender's stack first, and its BR_TRANSACTION_COMPLETE is deferred
 * as the kernel's is. The tmp ref on the target node ends here. */
static bool deliver_call(struct transaction_build *build)
{
	struct thread *thread = build->thread;
	struct txn *txn = build->txn;
	struct complete_work *complete = new_complete_work();
	if (!complete)
		return TRANSACTION_FAIL(build, BR_FAILED_REPLY, -ENOMEM, "out of memory");
	complete->oneway_spam_suspect = build->spam_suspect;
	uint32_t return_error;
	if (!(txn->flags & TF_ONE_WAY)) {
		txn->need_reply = true;
		txn->from_parent = thread->transaction_stack;
		thread->transaction_stack = txn;
		return_error = queue_transaction(txn, build->target_proc, build->target_thread);
		if (return_error != BR_OK) {
			thread->transaction_stack = txn->from_parent;
			txn->from_parent = NULL;
			free(complete);
			return TRANSACTION_FAIL(build, return_error, 0,
			                        queue_failure_reason(return_error));
		}
		thread_enqueue_deferred_work(thread, &complete->work);
	} else {
		return_error = queue_transaction(txn, build->target_proc, NULL);
		if (return_error != BR_OK) {
			free(complete);
			return TRANSACTION_FAIL(build, return_error, 0,
			                        queue_failure_reason(return_error));
		}
		thread_enqueue_work(thread, &complete->work);
	}
	node_dec_tmp(build->target_node);
	build->target_node = NULL;
	return true;
}

static bool deliver(struct transaction_build *build)
{
	return build->reply ? deliver_reply(build) : deliver_call(build);
}

/* The single failure exit (the kernel's err_* labels): undoes what the
 * steps did, then fails the sender's command, or for a reply, sends the
 * failure on to the caller and completes the replier's command. */
static void transaction_fail(struct transaction_build *build)
{
	struct thread *thread = build->thread;
	struct node *target_node = build->target_node;
	log_debug("proc %d: transaction %llu failed at line %d: %s (%d)", build->proc->pid,
	          (unsigned long long)build->debug_id, build->return_error_line,
	          build->error_reason, build->return_error_param);
	debug_log_failed(build->debug_id, build->return_error, build->return_error_param,
	                 (unsigned)build->return_error_line, build->error_reason);
	if (build->buffer) {
		struct buffer *buffer = build->buffer;
		buffer->txn = NULL;
		/* Releases the objects translated so far and the target node's
		 * strong ref the buffer held. */
		buffer_release_objects(build->target_proc, buffer, build->translated_end);
		area_free(&build->target_proc->area, buffer);
		build->buffer = NULL;
		if (build->txn)
			build->txn->buffer = NULL;
		if (target_node)
			node_dec_tmp(target_node);
		target_node = NULL;
	}
	if (build->txn)
		transaction_free(build->txn);
	build->txn = NULL;
	if (target_node) {
		node_dec(target_node, true, false);
		node_dec_tmp(target_node);
	}
	build->target_node = NULL;
	if (build->in_reply_to) {
		extended_error_set_on_caller(build->in_reply_to, build->debug_id,
		                             build->return_error, build->return_error_param);
		thread->return_error.cmd = BR_TRANSACTION_COMPLETE;
		thread_enqueue_work(thread, &thread->return_error.work);
		transaction_send_failed_reply(build->in_reply_to, build->return_error);
	} else {
		extended_error_set(thread, build->debug_id, build->return_error,
		                   build->return_error_param);
		thread->return_error.cmd = build->return_error;
		thread_enqueue_work(thread, &thread->return_error.work);
	}
	/* Fds this transaction did not take are closed by the write loop. */
}

/* The kernel's binder_transaction: resolve the target, allocate the
 * transaction and its buffer, copy the payload, translate its objects,
 * deliver; or fail at the first step that cannot be done. */
void transaction_handle(struct thread *thread, const struct binder_transaction_data *tr, bool reply,
                        binder_size_t extra_buffers_size, struct transaction_fds *fds)
{
	struct transaction_build build = {
	        .thread = thread,
	        .proc = thread->proc,
	        .tr = tr,
	        .reply = reply,
	        .direct = (tr->flags & BINDERD_TF_DIRECT) != 0,
	        .inlined = (tr->flags & BINDERD_TF_INLINE) != 0,
	        .gathered = (tr->flags & BINDERD_TF_GATHER) != 0,
	        .extra_buffers_size = extra_buffers_size,
	        .fds = fds,
	        .debug_id = next_debug_id(),
	        .return_error = BR_OK,
	};
	extended_error_set(thread, build.debug_id, BR_OK, 0);
	debug_log_begin(thread, tr, reply, build.debug_id);
	if (!resolve_target(&build) || !new_transaction(&build) || !allocate_buffer(&build) ||
	    !copy_payload(&build) || !translate_objects(&build) || !deliver(&build)) {
		transaction_fail(&build);
		return;
	}
	debug_log_done(build.debug_id);
}
