/*
 * debug_state_view.c - the state and transactions views: every process
 * with its threads (and their transaction stacks), nodes (with the
 * processes holding refs on them), refs, buffers and pending work, after
 * the kernel's print_binder_proc and the printers it calls; as text in
 * their layout or as JSON. The transactions view is print_binder_proc
 * with print_all off: only threads with calls or work, nodes with oneway
 * calls queued, and procs with any of these.
 *
 * Where binderd lacks what the kernel prints: a thread is named by its
 * debug id (binderd sees no tids), "tr" (tmp refs) of a thread and "pri"
 * of a transaction are 0, kernel pointers (%pK of a transaction) print as
 * zeros, and a ref's "d" is its death notification's cookie (zeros when
 * none); nodes come in the order they were made (the kernel's by
 * address). Everything walked is bounded by binderd's own limits; a
 * transaction stack is walked at most DEBUG_MAX_STACK_WALK deep.
 */
#include <inttypes.h>
#include <stdio.h>

#include "binderd.h"
#include "debug_output.h"
#include "debug_record.h"

#define DEBUG_MAX_STACK_WALK 1024u
#define DEBUG_NO_POINTER     0ull

struct state_walk {
	struct debug_output *out;
	bool json;
	bool all; /* the state view; else the transactions view */
};

static const char *looper_flag_names[] = {"registered", "entered", "exited",
                                          "invalid",    "waiting", "poll"};

static uint64_t buffer_debug_id(const struct buffer *buffer)
{
	if (buffer->debug_id)
		return buffer->debug_id;
	return buffer->txn ? buffer->txn->debug_id : 0;
}

/* ---- transactions and work ---- */

static void text_transaction(const struct state_walk *walk, const struct proc *proc,
                             const char *prefix, const struct txn *txn)
{
	struct debug_output *out = walk->out;
	output_printf(out,
	              "%s %" PRIu64 ": %016llx from %d:%" PRIu64 " to %d:%" PRIu64
	              " code %x flags %x pri %ld r%d",
	              prefix, txn->debug_id, DEBUG_NO_POINTER, txn->from ? txn->from->proc->pid : 0,
	              txn->from ? txn->from->debug_id : 0, txn->to_proc ? txn->to_proc->pid : 0,
	              txn->to_thread ? txn->to_thread->debug_id : 0, txn->code, txn->flags, 0L,
	              txn->need_reply ? 1 : 0);
	if (proc != txn->to_proc) {
		output_puts(out, "\n");
		return;
	}
	const struct buffer *buffer = txn->buffer;
	if (!buffer) {
		output_puts(out, " buffer free\n");
		return;
	}
	if (buffer->target_node)
		output_printf(out, " node %" PRIu64, buffer->target_node->debug_id);
	output_printf(
	        out, " size %zu:%zu data %" PRIx64 "\n", buffer->data_size, buffer->offsets_size,
	        (uint64_t)buffer_user_address((struct area *)&proc->area, (struct buffer *)buffer));
}

static void json_transaction(const struct state_walk *walk, bool *first, const struct proc *proc,
                             const char *role, const struct txn *txn)
{
	struct debug_output *out = walk->out;
	json_separator(out, first);
	bool member = true;
	output_puts(out, "{");
	json_str(out, &member, "type", "transaction");
	if (role)
		json_str(out, &member, "role", role);
	json_u64(out, &member, "debug_id", txn->debug_id);
	json_i64(out, &member, "from_pid", txn->from ? txn->from->proc->pid : 0);
	json_u64(out, &member, "from_thread", txn->from ? txn->from->debug_id : 0);
	json_i64(out, &member, "to_pid", txn->to_proc ? txn->to_proc->pid : 0);
	json_u64(out, &member, "to_thread", txn->to_thread ? txn->to_thread->debug_id : 0);
	json_u64(out, &member, "code", txn->code);
	json_u64(out, &member, "flags", txn->flags);
	json_bool(out, &member, "need_reply", txn->need_reply);
	json_bool(out, &member, "is_reply", txn->is_reply);
	json_i64(out, &member, "sender_pid", txn->sender_pid);
	json_u64(out, &member, "sender_euid", txn->sender_euid);
	json_u64(out, &member, "fds", txn->fd_count);
	if (proc == txn->to_proc) {
		const struct buffer *buffer = txn->buffer;
		json_key(out, &member, "buffer");
		if (!buffer) {
			output_puts(out, "null");
		} else {
			bool inner = true;
			output_puts(out, "{");
			json_u64(out, &inner, "node",
			         buffer->target_node ? buffer->target_node->debug_id : 0);
			json_u64(out, &inner, "data_size", buffer->data_size);
			json_u64(out, &inner, "offsets_size", buffer->offsets_size);
			json_u64(out, &inner, "address",
			         buffer_user_address((struct area *)&proc->area,
			                             (struct buffer *)buffer));
			output_puts(out, "}");
		}
	}
	output_puts(out, "}");
}

static const char *work_type_name(enum work_type type)
{
	switch (type) {
	case WORK_TRANSACTION:
		return "transaction";
	case WORK_TRANSACTION_COMPLETE:
		return "transaction_complete";
	case WORK_RETURN_ERROR:
		return "transaction_error";
	case WORK_NODE:
		return "node";
	case WORK_DEAD_BINDER:
		return "dead_binder";
	case WORK_DEAD_BINDER_AND_CLEAR:
		return "cleared_dead_binder";
	case WORK_CLEAR_DEATH_NOTIFICATION:
		return "cleared_death_notification";
	}
	return "unknown";
}

static const struct node *node_of_work(const struct work *work)
{
	return (const struct node *)((const uint8_t *)work - offsetof(struct node, work));
}

/* The kernel's print_binder_work_ilocked. */
static void text_work(const struct state_walk *walk, const struct proc *proc, const char *prefix,
                      const char *transaction_prefix, const struct work *work)
{
	struct debug_output *out = walk->out;
	switch (work->type) {
	case WORK_TRANSACTION:
		text_transaction(walk, proc, transaction_prefix, (const struct txn *)work);
		break;
	case WORK_RETURN_ERROR:
		output_printf(out, "%stransaction error: %u\n", prefix,
		              ((const struct error_work *)work)->cmd);
		break;
	case WORK_TRANSACTION_COMPLETE:
		output_printf(out, "%stransaction complete\n", prefix);
		break;
	case WORK_NODE: {
		const struct node *node = node_of_work(work);
		output_printf(out, "%snode work %" PRIu64 ": u%016" PRIx64 " c%016" PRIx64 "\n",
		              prefix, node->debug_id, (uint64_t)node->ptr, (uint64_t)node->cookie);
		break;
	}
	case WORK_DEAD_BINDER:
		output_printf(out, "%shas dead binder\n", prefix);
		break;
	case WORK_DEAD_BINDER_AND_CLEAR:
		output_printf(out, "%shas cleared dead binder\n", prefix);
		break;
	case WORK_CLEAR_DEATH_NOTIFICATION:
		output_printf(out, "%shas cleared death notification\n", prefix);
		break;
	default:
		output_printf(out, "%sunknown work: type %d\n", prefix, (int)work->type);
		break;
	}
}

static void json_work(const struct state_walk *walk, bool *first, const struct proc *proc,
                      const struct work *work)
{
	struct debug_output *out = walk->out;
	if (work->type == WORK_TRANSACTION) {
		json_transaction(walk, first, proc, NULL, (const struct txn *)work);
		return;
	}
	json_separator(out, first);
	bool member = true;
	output_puts(out, "{");
	json_str(out, &member, "type", work_type_name(work->type));
	if (work->type == WORK_RETURN_ERROR) {
		uint32_t cmd = ((const struct error_work *)work)->cmd;
		json_u64(out, &member, "cmd", cmd);
		json_str(out, &member, "name", debug_return_code_name(cmd));
	} else if (work->type == WORK_NODE) {
		const struct node *node = node_of_work(work);
		json_u64(out, &member, "node", node->debug_id);
		json_u64(out, &member, "ptr", node->ptr);
		json_u64(out, &member, "cookie", node->cookie);
	} else if (work->type == WORK_DEAD_BINDER || work->type == WORK_DEAD_BINDER_AND_CLEAR ||
	           work->type == WORK_CLEAR_DEATH_NOTIFICATION) {
		json_u64(out, &member, "cookie", ((const struct death *)work)->cookie);
	}
	output_puts(out, "}");
}

/* Work of a list: text lines, or JSON elements of an array named key. */
static void render_work_list(const struct state_walk *walk, bool *first, const char *key,
                             const struct proc *proc, const struct work_list *list,
                             const char *prefix, const char *transaction_prefix)
{
	const struct work *work;
	if (!walk->json) {
		TAILQ_FOREACH(work, &list->items, entry)
		{
			text_work(walk, proc, prefix, transaction_prefix, work);
		}
		return;
	}
	json_key(walk->out, first, key);
	output_puts(walk->out, "[");
	bool element = true;
	TAILQ_FOREACH(work, &list->items, entry)
	{
		json_work(walk, &element, proc, work);
	}
	output_puts(walk->out, "]");
}

/* ---- threads ---- */

static bool thread_has_calls_or_work(const struct thread *thread)
{
	return thread->transaction_stack || !work_list_empty(&thread->todo);
}

/* The kernel's walk of thread->transaction_stack: a transaction the thread
 * sent leads on to the one it sent before (from_parent), one it received
 * to the one it received before (to_parent). */
static void render_stack(const struct state_walk *walk, bool *first, const struct thread *thread)
{
	const struct txn *txn = thread->transaction_stack;
	for (unsigned depth = 0; txn; depth++) {
		const char *role;
		const struct txn *next;
		if (txn->from == thread) {
			role = "outgoing";
			next = txn->from_parent;
		} else if (txn->to_thread == thread) {
			role = "incoming";
			next = txn->to_parent;
		} else {
			role = "bad";
			next = NULL;
		}
		if (depth == DEBUG_MAX_STACK_WALK) {
			if (!walk->json)
				output_printf(walk->out, "    (stack deeper than %u not shown)\n",
				              DEBUG_MAX_STACK_WALK);
			return;
		}
		if (walk->json) {
			json_transaction(walk, first, thread->proc, role, txn);
		} else {
			char prefix[sizeof("    incoming transaction")];
			snprintf(prefix, sizeof(prefix), "    %s transaction", role);
			text_transaction(walk, thread->proc, prefix, txn);
		}
		txn = next;
	}
}

static void render_thread(const struct state_walk *walk, bool *first, const struct thread *thread)
{
	struct debug_output *out = walk->out;
	if (!walk->json) {
		output_printf(out, "  thread %" PRIu64 ": l %02x need_return %d tr %d\n",
		              thread->debug_id, thread->looper, thread->looper_need_return ? 1 : 0,
		              0);
		render_stack(walk, NULL, thread);
		render_work_list(walk, NULL, NULL, thread->proc, &thread->todo, "    ",
		                 "    pending transaction");
		return;
	}
	json_separator(out, first);
	bool member = true;
	output_puts(out, "{");
	json_u64(out, &member, "id", thread->debug_id);
	json_u64(out, &member, "looper", thread->looper);
	json_key(out, &member, "looper_state");
	output_puts(out, "[");
	bool flag_first = true;
	for (unsigned bit = 0; bit < sizeof(looper_flag_names) / sizeof(looper_flag_names[0]);
	     bit++) {
		if (thread->looper & (1u << bit)) {
			json_separator(out, &flag_first);
			json_string(out, looper_flag_names[bit]);
		}
	}
	output_puts(out, "]");
	json_bool(out, &member, "need_return", thread->looper_need_return);
	json_key(out, &member, "transactions");
	output_puts(out, "[");
	bool stack_first = true;
	render_stack(walk, &stack_first, thread);
	output_puts(out, "]");
	render_work_list(walk, &member, "todo", thread->proc, &thread->todo, NULL, NULL);
	output_puts(out, "}");
}

/* ---- nodes and refs ---- */

static void render_node(const struct state_walk *walk, bool *first, const struct node *node)
{
	struct debug_output *out = walk->out;
	if (!walk->json) {
		output_printf(out,
		              "  node %" PRIu64 ": u%016" PRIx64 " c%016" PRIx64
		              " hs %d hw %d ls %d lw %d is %d iw %d tr %d",
		              node->debug_id, (uint64_t)node->ptr, (uint64_t)node->cookie,
		              node->has_strong_ref, node->has_weak_ref, node->local_strong_refs,
		              node->local_weak_refs, node->internal_strong_refs, node->ref_count,
		              node->tmp_refs);
		if (node->refs) {
			output_puts(out, " proc");
			for (const struct ref *ref = node->refs; ref; ref = ref->node_next)
				output_printf(out, " %d", ref->proc->pid);
		}
		output_puts(out, "\n");
		if (node->proc)
			render_work_list(walk, NULL, NULL, node->proc, &node->async_todo, "    ",
			                 "    pending async transaction");
		return;
	}
	json_separator(out, first);
	bool member = true;
	output_puts(out, "{");
	json_u64(out, &member, "debug_id", node->debug_id);
	json_key(out, &member, "owner_pid");
	if (node->proc)
		output_printf(out, "%d", node->proc->pid);
	else
		output_puts(out, "null");
	json_u64(out, &member, "ptr", node->ptr);
	json_u64(out, &member, "cookie", node->cookie);
	json_bool(out, &member, "has_strong_ref", node->has_strong_ref);
	json_bool(out, &member, "has_weak_ref", node->has_weak_ref);
	json_i64(out, &member, "local_strong_refs", node->local_strong_refs);
	json_i64(out, &member, "local_weak_refs", node->local_weak_refs);
	json_i64(out, &member, "internal_strong_refs", node->internal_strong_refs);
	json_i64(out, &member, "refs", node->ref_count);
	json_i64(out, &member, "tmp_refs", node->tmp_refs);
	json_bool(out, &member, "context_manager", node == binderd_device.manager_node);
	json_key(out, &member, "holders");
	output_puts(out, "[");
	bool holder_first = true;
	for (const struct ref *ref = node->refs; ref; ref = ref->node_next) {
		json_separator(out, &holder_first);
		bool inner = true;
		output_puts(out, "{");
		json_i64(out, &inner, "pid", ref->proc->pid);
		json_u64(out, &inner, "handle", ref->desc);
		json_i64(out, &inner, "strong", ref->strong);
		json_i64(out, &inner, "weak", ref->weak);
		output_puts(out, "}");
	}
	output_puts(out, "]");
	if (node->proc)
		render_work_list(walk, &member, "async_todo", node->proc, &node->async_todo, NULL,
		                 NULL);
	output_puts(out, "}");
}

static void render_ref(const struct state_walk *walk, bool *first, const struct ref *ref)
{
	struct debug_output *out = walk->out;
	if (!walk->json) {
		output_printf(out,
		              "  ref %" PRIu64 ": desc %u %snode %" PRIu64
		              " s %d w %d d %016" PRIx64 "\n",
		              ref->debug_id, ref->desc, ref->node->proc ? "" : "dead ",
		              ref->node->debug_id, ref->strong, ref->weak,
		              ref->death ? (uint64_t)ref->death->cookie : 0);
		return;
	}
	json_separator(out, first);
	bool member = true;
	output_puts(out, "{");
	json_u64(out, &member, "debug_id", ref->debug_id);
	json_u64(out, &member, "desc", ref->desc);
	json_u64(out, &member, "node", ref->node->debug_id);
	json_bool(out, &member, "node_dead", !ref->node->proc);
	json_key(out, &member, "node_owner_pid");
	if (ref->node->proc)
		output_printf(out, "%d", ref->node->proc->pid);
	else
		output_puts(out, "null");
	json_i64(out, &member, "strong", ref->strong);
	json_i64(out, &member, "weak", ref->weak);
	json_key(out, &member, "death");
	if (ref->death) {
		bool inner = true;
		output_puts(out, "{");
		json_u64(out, &inner, "cookie", ref->death->cookie);
		output_puts(out, "}");
	} else {
		output_puts(out, "null");
	}
	output_puts(out, "}");
}

/* ---- buffers ---- */

static void render_buffers(const struct state_walk *walk, bool *first, struct proc *proc)
{
	struct debug_output *out = walk->out;
	if (walk->json) {
		json_key(out, first, "buffers");
		output_puts(out, "[");
	}
	bool element = true;
	const struct buffer *buffer;
	TAILQ_FOREACH(buffer, &proc->area.blocks, entry)
	{
		if (buffer->free)
			continue;
		uint64_t address = buffer_user_address(&proc->area, (struct buffer *)buffer);
		const char *state = buffer->txn ? "active" : "delivered";
		if (!walk->json) {
			output_printf(out,
			              "  buffer %" PRIu64 ": %" PRIx64 " size %zu:%zu:%zu %s\n",
			              buffer_debug_id(buffer), address, buffer->data_size,
			              buffer->offsets_size, buffer->extra_size, state);
			continue;
		}
		json_separator(out, &element);
		bool member = true;
		output_puts(out, "{");
		json_u64(out, &member, "debug_id", buffer_debug_id(buffer));
		json_u64(out, &member, "address", address);
		json_u64(out, &member, "data_size", buffer->data_size);
		json_u64(out, &member, "offsets_size", buffer->offsets_size);
		json_u64(out, &member, "extra_size", buffer->extra_size);
		json_str(out, &member, "state", state);
		json_bool(out, &member, "async", buffer->async);
		json_u64(out, &member, "target_node",
		         buffer->target_node ? buffer->target_node->debug_id : 0);
		output_puts(out, "}");
	}
	if (walk->json)
		output_puts(out, "]");
}

/* ---- processes ---- */

/* The refs in the kernel's order, by handle: the handles in use are the
 * bits set in the proc's handle bitmap. Nothing is reordered, so that
 * reading a view never changes what binderd does next. */
static void render_refs(const struct state_walk *walk, bool *first, struct proc *proc)
{
	bool element = true;
	if (walk->json) {
		json_key(walk->out, first, "refs");
		output_puts(walk->out, "[");
	}
	for (size_t word = 0; word < proc->desc_bitmap_words; word++) {
		uint64_t used = proc->desc_bitmap[word];
		while (used) {
			unsigned bit = (unsigned)__builtin_ctzll(used);
			used &= used - 1;
			uint32_t desc = (uint32_t)(word * 64 + bit);
			struct ref *ref = NULL;
			HASH_FIND(hh_desc, proc->refs_by_desc, &desc, sizeof(uint32_t), ref);
			if (ref)
				render_ref(walk, &element, ref);
		}
	}
	if (walk->json)
		output_puts(walk->out, "]");
}

/* Whether the transactions view shows proc: print_binder_proc with
 * print_all off drops a proc that printed nothing after its header. */
static bool proc_has_calls_or_work(struct proc *proc)
{
	const struct thread *thread;
	TAILQ_FOREACH(thread, &proc->threads, entry)
	{
		if (thread_has_calls_or_work(thread))
			return true;
	}
	struct node *node, *next;
	HASH_ITER(hh, proc->nodes, node, next)
	{
		if (node->has_async_transaction)
			return true;
	}
	return proc->area.allocated_count || !work_list_empty(&proc->todo) ||
	       !work_list_empty(&proc->delivered_death);
}

static void render_proc(const struct state_walk *walk, bool *first, struct proc *proc)
{
	struct debug_output *out = walk->out;
	bool json = walk->json;
	bool member = true;
	if (json) {
		json_separator(out, first);
		output_puts(out, "{");
		json_i64(out, &member, "pid", proc->pid);
		json_u64(out, &member, "debug_id", proc->debug_id);
		json_u64(out, &member, "uid", proc->euid);
		json_str(out, &member, "context", DEBUG_CONTEXT_NAME);
		json_bool(out, &member, "frozen", proc->is_frozen);
		json_key(out, &member, "threads");
		output_puts(out, "[");
	} else {
		output_printf(out, "proc %d\ncontext %s\n", proc->pid, DEBUG_CONTEXT_NAME);
	}
	bool element = true;
	const struct thread *thread;
	TAILQ_FOREACH(thread, &proc->threads, entry)
	{
		if (walk->all || thread_has_calls_or_work(thread))
			render_thread(walk, &element, thread);
	}
	if (json) {
		output_puts(out, "]");
		json_key(out, &member, "nodes");
		output_puts(out, "[");
	}
	element = true;
	struct node *node, *next_node;
	HASH_ITER(hh, proc->nodes, node, next_node)
	{
		if (walk->all || node->has_async_transaction)
			render_node(walk, &element, node);
	}
	if (json)
		output_puts(out, "]");
	if (walk->all)
		render_refs(walk, &member, proc);
	render_buffers(walk, &member, proc);
	render_work_list(walk, &member, "todo", proc, &proc->todo, "  ", "  pending transaction");
	bool delivered_death = !work_list_empty(&proc->delivered_death);
	if (json) {
		json_bool(out, &member, "has_delivered_dead_binder", delivered_death);
		output_puts(out, "}");
	} else if (delivered_death) {
		output_puts(out, "  has delivered dead binder\n");
	}
}

void debug_render_state(struct debug_output *out, bool json, bool all)
{
	struct state_walk walk = {.out = out, .json = json, .all = all};
	bool first = true;
	if (json) {
		output_puts(out, "{");
		json_str(out, &first, "view", all ? "state" : "transactions");
	} else {
		output_puts(out, all ? "binder state:\n" : "binder transactions:\n");
	}
	if (all) {
		if (json) {
			json_key(out, &first, "dead_nodes");
			output_puts(out, "[");
		} else if (!TAILQ_EMPTY(&binderd_device.dead_nodes)) {
			output_puts(out, "dead nodes:\n");
		}
		bool element = true;
		const struct node *node;
		TAILQ_FOREACH(node, &binderd_device.dead_nodes, dead_entry)
		{
			render_node(&walk, &element, node);
		}
		if (json)
			output_puts(out, "]");
	}
	if (json) {
		json_key(out, &first, "procs");
		output_puts(out, "[");
	}
	bool element = true;
	struct proc *proc;
	TAILQ_FOREACH(proc, &binderd_device.procs, entry)
	{
		if (all || proc_has_calls_or_work(proc))
			render_proc(&walk, &element, proc);
	}
	if (json)
		output_puts(out, "]}\n");
}
