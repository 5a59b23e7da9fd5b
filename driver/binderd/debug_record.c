/*
 * debug_record.c - the records behind binderd's debug views, after the
 * kernel's binder_stats (BC/BR counts, objects created) and its two
 * binder_transaction_log rings (the last DEBUG_LOG_ENTRIES transactions
 * begun, and the last ones that failed), plus the totals and the census of
 * live objects that metrics read. Fixed-size: nothing here grows with
 * what clients do. Event loop only: no locks.
 */
#include <string.h>

#include "binderd.h"
#include "debug.h"
#include "debug_record.h"

struct debug_log {
	struct debug_log_entry entries[DEBUG_LOG_ENTRIES];
	uint64_t added; /* entries ever added; the next goes at added % size */
};

static struct debug_log transaction_log;
static struct debug_log failed_log;
static struct debug_command_stats global_stats;
static uint64_t objects_created[DEBUG_OBJECT_KINDS];
static uint64_t transactions_deleted;
static struct debug_totals totals;

void debug_count_command(struct proc *proc, uint32_t cmd)
{
	unsigned number = _IOC_NR(cmd);
	if (number >= DEBUG_BC_COUNT)
		return;
	global_stats.bc[number]++;
	if (proc)
		proc->stats.bc[number]++;
}

void debug_count_return(struct proc *proc, uint32_t cmd)
{
	unsigned number = _IOC_NR(cmd);
	if (cmd == BR_NOOP || number >= DEBUG_BR_COUNT)
		return;
	global_stats.br[number]++;
	if (proc)
		proc->stats.br[number]++;
}

void debug_object_created(enum debug_object_kind kind)
{
	if (kind < DEBUG_OBJECT_KINDS)
		objects_created[kind]++;
}

void debug_object_deleted(enum debug_object_kind kind)
{
	if (kind == DEBUG_OBJECT_TRANSACTION)
		transactions_deleted++;
}

uint64_t debug_objects_created(enum debug_object_kind kind)
{
	return kind < DEBUG_OBJECT_KINDS ? objects_created[kind] : 0;
}

uint64_t debug_transactions_alive(void)
{
	uint64_t created = objects_created[DEBUG_OBJECT_TRANSACTION];
	return created > transactions_deleted ? created - transactions_deleted : 0;
}

const struct debug_command_stats *debug_global_stats(void)
{
	return &global_stats;
}

static struct debug_log_entry *log_add(struct debug_log *log)
{
	struct debug_log_entry *entry = &log->entries[log->added % DEBUG_LOG_ENTRIES];
	log->added++;
	memset(entry, 0, sizeof(*entry));
	return entry;
}

/* The transaction log's entry for debug_id, or NULL once it was
 * overwritten (never while its transaction is being handled: one
 * transaction is handled at a time, and it adds one entry). */
static struct debug_log_entry *log_find(uint64_t debug_id)
{
	uint64_t kept = transaction_log.added < DEBUG_LOG_ENTRIES ? transaction_log.added
	                                                          : DEBUG_LOG_ENTRIES;
	for (uint64_t back = 1; back <= kept; back++) {
		struct debug_log_entry *entry =
		        &transaction_log
		                 .entries[(transaction_log.added - back) % DEBUG_LOG_ENTRIES];
		if (entry->debug_id == debug_id)
			return entry;
	}
	return NULL;
}

void debug_log_begin(const struct thread *thread, const struct binder_transaction_data *tr,
                     bool reply, uint64_t debug_id)
{
	struct debug_log_entry *entry = log_add(&transaction_log);
	bool oneway = (tr->flags & TF_ONE_WAY) != 0;
	entry->debug_id = debug_id;
	entry->call_type = reply    ? DEBUG_CALL_REPLY
	                   : oneway ? DEBUG_CALL_ONEWAY
	                            : DEBUG_CALL_TWO_WAY;
	entry->from_proc = thread->proc->pid;
	entry->from_thread = thread->debug_id;
	entry->target_handle = tr->target.handle;
	entry->data_size = tr->data_size;
	entry->offsets_size = tr->offsets_size;
	entry->code = tr->code;
	entry->flags = tr->flags & ~BINDERD_TF_PRIVATE;
	totals.transactions++;
	if (reply)
		totals.replies++;
	else if (oneway)
		totals.oneway_transactions++;
}

void debug_log_target(uint64_t debug_id, const struct proc *to_proc, const struct thread *to_thread,
                      const struct node *to_node)
{
	struct debug_log_entry *entry = log_find(debug_id);
	if (!entry)
		return;
	if (to_proc)
		entry->to_proc = to_proc->pid;
	if (to_thread)
		entry->to_thread = to_thread->debug_id;
	if (to_node)
		entry->to_node = to_node->debug_id;
}

void debug_log_done(uint64_t debug_id)
{
	struct debug_log_entry *entry = log_find(debug_id);
	if (!entry)
		return;
	entry->debug_id_done = debug_id;
	totals.bytes += entry->data_size + entry->offsets_size;
}

void debug_log_failed(uint64_t debug_id, uint32_t return_error, int error_param, unsigned line,
                      const char *reason)
{
	totals.failed_transactions++;
	switch (return_error) {
	case BR_FAILED_REPLY:
		totals.failed_by_kind[DEBUG_FAILURE_FAILED_REPLY]++;
		break;
	case BR_DEAD_REPLY:
		totals.failed_by_kind[DEBUG_FAILURE_DEAD_REPLY]++;
		break;
	case BR_FROZEN_REPLY:
		totals.failed_by_kind[DEBUG_FAILURE_FROZEN_REPLY]++;
		break;
	default:
		totals.failed_by_kind[DEBUG_FAILURE_OTHER]++;
		break;
	}
	struct debug_log_entry *entry = log_find(debug_id);
	if (!entry)
		return;
	entry->return_error = return_error;
	entry->return_error_param = error_param;
	entry->return_error_line = line;
	entry->reason = reason;
	entry->debug_id_done = debug_id;
	*log_add(&failed_log) = *entry;
}

size_t debug_log_read(enum debug_log_kind kind, struct debug_log_entry *out)
{
	const struct debug_log *log = kind == DEBUG_LOG_FAILED ? &failed_log : &transaction_log;
	uint64_t first = log->added > DEBUG_LOG_ENTRIES ? log->added - DEBUG_LOG_ENTRIES : 0;
	size_t count = 0;
	for (uint64_t index = first; index < log->added; index++)
		out[count++] = log->entries[index % DEBUG_LOG_ENTRIES];
	return count;
}

void debug_totals_get(struct debug_totals *out)
{
	*out = totals;
}

/* Deaths whose ref cleared them but whose work is still queued. */
static size_t count_cleared_deaths(const struct work_list *list)
{
	size_t count = 0;
	const struct work *work;
	TAILQ_FOREACH(work, &list->items, entry)
	{
		if ((work->type == WORK_DEAD_BINDER_AND_CLEAR ||
		     work->type == WORK_CLEAR_DEATH_NOTIFICATION) &&
		    !((const struct death *)work)->ref)
			count++;
	}
	return count;
}

static void census_of_proc(struct proc *proc, struct debug_census *census)
{
	census->threads += proc->thread_count;
	census->nodes += proc->node_count;
	census->refs += proc->ref_count;
	census->fds_in_flight += proc->fds_in_flight;
	census->buffers += proc->area.allocated_count;
	struct ref *ref, *next_ref;
	HASH_ITER(hh_desc, proc->refs_by_desc, ref, next_ref)
	{
		if (ref->death)
			census->deaths++;
	}
	census->deaths += count_cleared_deaths(&proc->todo);
	census->deaths += count_cleared_deaths(&proc->delivered_death);
	struct thread *thread;
	TAILQ_FOREACH(thread, &proc->threads, entry)
	{
		census->deaths += count_cleared_deaths(&thread->todo);
	}
	struct buffer *buffer;
	TAILQ_FOREACH(buffer, &proc->area.blocks, entry)
	{
		if (!buffer->free)
			census->buffer_bytes +=
			        buffer->data_size + buffer->offsets_size + buffer->extra_size;
	}
}

void debug_census_take(struct debug_census *census)
{
	memset(census, 0, sizeof(*census));
	census->procs = binderd_device.proc_count;
	struct proc *proc;
	TAILQ_FOREACH(proc, &binderd_device.procs, entry)
	{
		census_of_proc(proc, census);
	}
	struct node *node;
	TAILQ_FOREACH(node, &binderd_device.dead_nodes, dead_entry)
	{
		census->nodes++;
	}
	census->transactions = (size_t)debug_transactions_alive();
}
