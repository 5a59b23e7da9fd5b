/*
 * debug_views.c - binderd's debug views (debug.h): their names, and the
 * stats, transaction_log and failed_transaction_log views, in the layout
 * of the kernel's debugfs files (print_binder_stats,
 * print_binder_proc_stats, print_binder_transaction_log_entry) or as JSON.
 * The state and transactions views are in debug_state_view.c.
 *
 * Where binderd lacks what the kernel prints: threads have no tid, so a
 * thread is named by its debug id; there are no pages (no "pages:"
 * lines), and one context, "binder". The logs' lines end with what the
 * kernel's do not have: the call's code and flags, and for a failure the
 * reason, in words close to the kernel's binder_user_error messages.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <inttypes.h>
#include <string.h>

#include "binderd.h"
#include "debug.h"
#include "debug_output.h"
#include "debug_record.h"

static const char *const view_names[DEBUG_VIEW_COUNT] = {
        [DEBUG_VIEW_STATE] = "state",
        [DEBUG_VIEW_STATS] = "stats",
        [DEBUG_VIEW_TRANSACTIONS] = "transactions",
        [DEBUG_VIEW_TRANSACTION_LOG] = "transaction_log",
        [DEBUG_VIEW_FAILED_TRANSACTION_LOG] = "failed_transaction_log",
};

/* The kernel's binder_objstat_strings. */
static const char *const object_names[DEBUG_OBJECT_KINDS] = {
        [DEBUG_OBJECT_PROC] = "proc",
        [DEBUG_OBJECT_THREAD] = "thread",
        [DEBUG_OBJECT_NODE] = "node",
        [DEBUG_OBJECT_REF] = "ref",
        [DEBUG_OBJECT_DEATH] = "death",
        [DEBUG_OBJECT_TRANSACTION] = "transaction",
        [DEBUG_OBJECT_TRANSACTION_COMPLETE] = "transaction_complete",
};

const char *debug_view_name(enum debug_view view)
{
	return (unsigned)view < DEBUG_VIEW_COUNT ? view_names[view] : NULL;
}

int debug_view_from_name(const char *name, enum debug_view *view)
{
	if (!name)
		return -EINVAL;
	for (unsigned i = 0; i < DEBUG_VIEW_COUNT; i++) {
		if (strcmp(name, view_names[i]) == 0) {
			*view = (enum debug_view)i;
			return 0;
		}
	}
	if (strcmp(name, "log") == 0) {
		*view = DEBUG_VIEW_TRANSACTION_LOG;
		return 0;
	}
	if (strcmp(name, "failed") == 0) {
		*view = DEBUG_VIEW_FAILED_TRANSACTION_LOG;
		return 0;
	}
	return -EINVAL;
}

/* ---- stats ---- */

/* Transaction-complete work waiting on a thread's todo list. */
static size_t count_pending_completions(const struct work_list *list)
{
	size_t count = 0;
	const struct work *work;
	TAILQ_FOREACH(work, &list->items, entry)
	{
		if (work->type == WORK_TRANSACTION_COMPLETE)
			count++;
	}
	return count;
}

/* Objects alive per kind: the census for most, the counts of created and
 * deleted for transactions. */
static void objects_alive(uint64_t alive[DEBUG_OBJECT_KINDS])
{
	struct debug_census census;
	debug_census_take(&census);
	alive[DEBUG_OBJECT_PROC] = census.procs;
	alive[DEBUG_OBJECT_THREAD] = census.threads;
	alive[DEBUG_OBJECT_NODE] = census.nodes;
	alive[DEBUG_OBJECT_REF] = census.refs;
	alive[DEBUG_OBJECT_DEATH] = census.deaths;
	alive[DEBUG_OBJECT_TRANSACTION] = census.transactions;
	uint64_t completions = 0;
	struct proc *proc;
	TAILQ_FOREACH(proc, &binderd_device.procs, entry)
	{
		struct thread *thread;
		TAILQ_FOREACH(thread, &proc->threads, entry)
		{
			completions += count_pending_completions(&thread->todo);
		}
	}
	alive[DEBUG_OBJECT_TRANSACTION_COMPLETE] = completions;
}

static void text_command_stats(struct debug_output *out, const char *prefix,
                               const struct debug_command_stats *stats)
{
	for (unsigned i = 0; i < DEBUG_BC_COUNT; i++)
		if (stats->bc[i])
			output_printf(out, "%s%s: %" PRIu64 "\n", prefix, debug_command_name(i),
			              stats->bc[i]);
	for (unsigned i = 0; i < DEBUG_BR_COUNT; i++)
		if (stats->br[i])
			output_printf(out, "%s%s: %" PRIu64 "\n", prefix, debug_return_name(i),
			              stats->br[i]);
}

static void json_command_stats(struct debug_output *out, bool *first,
                               const struct debug_command_stats *stats)
{
	json_key(out, first, "bc");
	output_puts(out, "{");
	bool inner = true;
	for (unsigned i = 0; i < DEBUG_BC_COUNT; i++)
		if (stats->bc[i])
			json_u64(out, &inner, debug_command_name(i), stats->bc[i]);
	output_puts(out, "}");
	json_key(out, first, "br");
	output_puts(out, "{");
	inner = true;
	for (unsigned i = 0; i < DEBUG_BR_COUNT; i++)
		if (stats->br[i])
			json_u64(out, &inner, debug_return_name(i), stats->br[i]);
	output_puts(out, "}");
}

/* What print_binder_proc_stats counts of one proc. */
struct proc_counts {
	size_t threads;
	size_t ready_threads;
	size_t nodes;
	size_t refs;
	int64_t strong;
	int64_t weak;
	size_t buffers;
	size_t pending_transactions;
};

static void count_proc(struct proc *proc, struct proc_counts *counts)
{
	memset(counts, 0, sizeof(*counts));
	counts->threads = proc->thread_count;
	const struct thread *thread;
	TAILQ_FOREACH(thread, &proc->waiting_threads, waiting_entry)
	{
		counts->ready_threads++;
	}
	counts->nodes = proc->node_count;
	struct ref *ref, *next;
	HASH_ITER(hh_desc, proc->refs_by_desc, ref, next)
	{
		counts->refs++;
		counts->strong += ref->strong;
		counts->weak += ref->weak;
	}
	counts->buffers = proc->area.allocated_count;
	const struct work *work;
	TAILQ_FOREACH(work, &proc->todo.items, entry)
	{
		if (work->type == WORK_TRANSACTION)
			counts->pending_transactions++;
	}
}

static void text_stats(struct debug_output *out)
{
	output_puts(out, "binder stats:\n");
	text_command_stats(out, "", debug_global_stats());
	uint64_t alive[DEBUG_OBJECT_KINDS];
	objects_alive(alive);
	for (unsigned i = 0; i < DEBUG_OBJECT_KINDS; i++) {
		uint64_t total = debug_objects_created((enum debug_object_kind)i);
		if (total || alive[i])
			output_printf(out, "%s: active %" PRIu64 " total %" PRIu64 "\n",
			              object_names[i], alive[i], total);
	}
	struct proc *proc;
	TAILQ_FOREACH(proc, &binderd_device.procs, entry)
	{
		struct proc_counts counts;
		count_proc(proc, &counts);
		output_printf(out, "proc %d\ncontext %s\n", proc->pid, DEBUG_CONTEXT_NAME);
		output_printf(out, "  threads: %zu\n", counts.threads);
		output_printf(out, "  requested threads: %u+%u/%u\n", proc->requested_threads,
		              proc->requested_threads_started, proc->max_threads);
		output_printf(out, "  ready threads %zu\n", counts.ready_threads);
		output_printf(out, "  free async space %zu\n", proc->area.free_async_space);
		output_printf(out, "  nodes: %zu\n", counts.nodes);
		output_printf(out, "  refs: %zu s %" PRId64 " w %" PRId64 "\n", counts.refs,
		              counts.strong, counts.weak);
		output_printf(out, "  buffers: %zu\n", counts.buffers);
		output_printf(out, "  pending transactions: %zu\n", counts.pending_transactions);
		text_command_stats(out, "  ", &proc->stats);
	}
}

static void json_stats(struct debug_output *out)
{
	bool first = true;
	output_puts(out, "{");
	json_str(out, &first, "view", "stats");
	json_command_stats(out, &first, debug_global_stats());
	uint64_t alive[DEBUG_OBJECT_KINDS];
	objects_alive(alive);
	json_key(out, &first, "objects");
	output_puts(out, "{");
	bool objects_first = true;
	for (unsigned i = 0; i < DEBUG_OBJECT_KINDS; i++) {
		json_key(out, &objects_first, object_names[i]);
		bool inner = true;
		output_puts(out, "{");
		json_u64(out, &inner, "active", alive[i]);
		json_u64(out, &inner, "total", debug_objects_created((enum debug_object_kind)i));
		output_puts(out, "}");
	}
	output_puts(out, "}");
	struct debug_totals totals;
	debug_totals_get(&totals);
	json_key(out, &first, "totals");
	output_puts(out, "{");
	bool inner = true;
	json_u64(out, &inner, "transactions", totals.transactions);
	json_u64(out, &inner, "oneway_transactions", totals.oneway_transactions);
	json_u64(out, &inner, "replies", totals.replies);
	json_u64(out, &inner, "failed_transactions", totals.failed_transactions);
	json_u64(out, &inner, "bytes", totals.bytes);
	output_puts(out, "}");
	json_key(out, &first, "procs");
	output_puts(out, "[");
	bool procs_first = true;
	struct proc *proc;
	TAILQ_FOREACH(proc, &binderd_device.procs, entry)
	{
		struct proc_counts counts;
		count_proc(proc, &counts);
		json_separator(out, &procs_first);
		output_puts(out, "{");
		bool member = true;
		json_i64(out, &member, "pid", proc->pid);
		json_u64(out, &member, "debug_id", proc->debug_id);
		json_str(out, &member, "context", DEBUG_CONTEXT_NAME);
		json_u64(out, &member, "threads", counts.threads);
		json_u64(out, &member, "requested_threads", proc->requested_threads);
		json_u64(out, &member, "requested_threads_started",
		         proc->requested_threads_started);
		json_u64(out, &member, "max_threads", proc->max_threads);
		json_u64(out, &member, "ready_threads", counts.ready_threads);
		json_u64(out, &member, "free_async_space", proc->area.free_async_space);
		json_u64(out, &member, "nodes", counts.nodes);
		json_u64(out, &member, "refs", counts.refs);
		json_i64(out, &member, "refs_strong", counts.strong);
		json_i64(out, &member, "refs_weak", counts.weak);
		json_u64(out, &member, "buffers", counts.buffers);
		json_u64(out, &member, "pending_transactions", counts.pending_transactions);
		json_command_stats(out, &member, &proc->stats);
		output_puts(out, "}");
	}
	output_puts(out, "]}\n");
}

/* ---- the transaction logs ---- */

static const char *call_type_name(enum debug_call_type type)
{
	switch (type) {
	case DEBUG_CALL_REPLY:
		return "reply";
	case DEBUG_CALL_ONEWAY:
		return "async";
	default:
		return "call ";
	}
}

static void text_log_entry(struct debug_output *out, const struct debug_log_entry *entry)
{
	output_printf(out,
	              "%" PRIu64 ": %s from %d:%" PRIu64 " to %d:%" PRIu64
	              " context %s node %" PRIu64 " handle %u size %" PRIu64 ":%" PRIu64
	              " ret %u/%d l=%u code %x flags %x",
	              entry->debug_id, call_type_name(entry->call_type), entry->from_proc,
	              entry->from_thread, entry->to_proc, entry->to_thread, DEBUG_CONTEXT_NAME,
	              entry->to_node, entry->target_handle, entry->data_size, entry->offsets_size,
	              entry->return_error, entry->return_error_param, entry->return_error_line,
	              entry->code, entry->flags);
	if (entry->return_error) {
		output_printf(out, " error %s reason ",
		              debug_return_code_name(entry->return_error));
		json_string(out, entry->reason ? entry->reason : "unknown");
	}
	output_puts(out, entry->debug_id_done == entry->debug_id ? "\n" : " (incomplete)\n");
}

static void json_log_entry(struct debug_output *out, const struct debug_log_entry *entry)
{
	bool first = true;
	output_puts(out, "{");
	json_u64(out, &first, "debug_id", entry->debug_id);
	json_bool(out, &first, "done", entry->debug_id_done == entry->debug_id);
	json_str(out, &first, "call_type",
	         entry->call_type == DEBUG_CALL_REPLY    ? "reply"
	         : entry->call_type == DEBUG_CALL_ONEWAY ? "async"
	                                                 : "call");
	json_i64(out, &first, "from_pid", entry->from_proc);
	json_u64(out, &first, "from_thread", entry->from_thread);
	json_i64(out, &first, "to_pid", entry->to_proc);
	json_u64(out, &first, "to_thread", entry->to_thread);
	json_str(out, &first, "context", DEBUG_CONTEXT_NAME);
	json_u64(out, &first, "to_node", entry->to_node);
	json_u64(out, &first, "target_handle", entry->target_handle);
	json_u64(out, &first, "data_size", entry->data_size);
	json_u64(out, &first, "offsets_size", entry->offsets_size);
	json_u64(out, &first, "code", entry->code);
	json_u64(out, &first, "flags", entry->flags);
	json_u64(out, &first, "return_error", entry->return_error);
	json_str(out, &first, "return_error_name",
	         entry->return_error ? debug_return_code_name(entry->return_error) : NULL);
	json_i64(out, &first, "return_error_param", entry->return_error_param);
	json_u64(out, &first, "return_error_line", entry->return_error_line);
	json_str(out, &first, "reason", entry->reason);
	output_puts(out, "}");
}

static void render_log(struct debug_output *out, enum debug_log_kind kind, bool json)
{
	struct debug_log_entry entries[DEBUG_LOG_ENTRIES];
	size_t count = debug_log_read(kind, entries);
	if (!json) {
		for (size_t i = 0; i < count; i++)
			text_log_entry(out, &entries[i]);
		return;
	}
	bool first = true;
	output_puts(out, "{");
	json_str(out, &first, "view",
	         kind == DEBUG_LOG_FAILED ? "failed_transaction_log" : "transaction_log");
	json_key(out, &first, "entries");
	output_puts(out, "[");
	bool entries_first = true;
	for (size_t i = 0; i < count; i++) {
		json_separator(out, &entries_first);
		json_log_entry(out, &entries[i]);
	}
	output_puts(out, "]}\n");
}

int debug_render(enum debug_view view, bool json, struct evbuffer *buffer)
{
	struct debug_output out = {.buffer = buffer, .error = 0};
	switch (view) {
	case DEBUG_VIEW_STATE:
		debug_render_state(&out, json, true);
		break;
	case DEBUG_VIEW_STATS:
		if (json)
			json_stats(&out);
		else
			text_stats(&out);
		break;
	case DEBUG_VIEW_TRANSACTIONS:
		debug_render_state(&out, json, false);
		break;
	case DEBUG_VIEW_TRANSACTION_LOG:
		render_log(&out, DEBUG_LOG_TRANSACTIONS, json);
		break;
	case DEBUG_VIEW_FAILED_TRANSACTION_LOG:
		render_log(&out, DEBUG_LOG_FAILED, json);
		break;
	default:
		return -EINVAL;
	}
	return out.error;
}
