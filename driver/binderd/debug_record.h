/*
 * debug_record.h - what binderd's files tell the debug records as things
 * happen (debug_record.c), after the kernel's binder_stats and its two
 * binder_transaction_log rings: BC and BR counts (global and per proc),
 * objects created per kind, and one log entry per BC_TRANSACTION /
 * BC_REPLY, copied to the failed log when the transaction fails. The views
 * (debug_views.c) read them back. Event loop only: no locks.
 */
#ifndef BINDERD_DEBUG_RECORD_H
#define BINDERD_DEBUG_RECORD_H

#include <linux/android/binder.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "debug.h"

struct proc;
struct thread;
struct node;

/* BC and BR commands counted, by _IOC_NR, as the kernel's binder_stats. */
#define DEBUG_BC_COUNT (_IOC_NR(BC_REPLY_SG) + 1)
#define DEBUG_BR_COUNT (_IOC_NR(BR_ONEWAY_SPAM_SUSPECT) + 1)

struct debug_command_stats {
	uint64_t bc[DEBUG_BC_COUNT];
	uint64_t br[DEBUG_BR_COUNT];
};

/* The kernel's binder_stat_types, in its order. */
enum debug_object_kind {
	DEBUG_OBJECT_PROC,
	DEBUG_OBJECT_THREAD,
	DEBUG_OBJECT_NODE,
	DEBUG_OBJECT_REF,
	DEBUG_OBJECT_DEATH,
	DEBUG_OBJECT_TRANSACTION,
	DEBUG_OBJECT_TRANSACTION_COMPLETE,
	DEBUG_OBJECT_KINDS,
};

/* A BC command the write loop is about to run (proc may be NULL). */
void debug_count_command(struct proc *proc, uint32_t cmd);
/* A BR command put in a reader's buffer (BR_NOOP is not counted, as in
 * the kernel). */
void debug_count_return(struct proc *proc, uint32_t cmd);
void debug_object_created(enum debug_object_kind kind);
/* Only transactions are counted when they go: the other kinds' live
 * numbers come from the census of live state (debug_census_take). */
void debug_object_deleted(enum debug_object_kind kind);
uint64_t debug_objects_created(enum debug_object_kind kind);
/* Transactions alive: created and not yet deleted. */
uint64_t debug_transactions_alive(void);
/* The global counts (per proc ones are in struct proc). */
const struct debug_command_stats *debug_global_stats(void);

/* The kernel's binder_transaction_log_entry call_type. */
enum debug_call_type {
	DEBUG_CALL_TWO_WAY = 0,
	DEBUG_CALL_ONEWAY = 1,
	DEBUG_CALL_REPLY = 2,
};

/* One BC_TRANSACTION / BC_REPLY, as the kernel logs it. binderd's threads
 * have no tid: a thread is named by its debug id. */
struct debug_log_entry {
	uint64_t debug_id;
	uint64_t debug_id_done; /* debug_id once handled (queued or failed), else 0 */
	enum debug_call_type call_type;
	pid_t from_proc;
	uint64_t from_thread;
	pid_t to_proc;      /* 0 until the target is known */
	uint64_t to_thread; /* 0 unless a thread was chosen */
	uint64_t to_node;   /* 0 for a reply or an unknown target */
	uint32_t target_handle;
	uint64_t data_size;
	uint64_t offsets_size;
	uint32_t code;
	uint32_t flags;
	uint32_t return_error;      /* 0, or the BR_ error the sender got */
	int32_t return_error_param; /* -errno */
	uint32_t return_error_line; /* the line of transaction.c that failed it */
	const char *reason;         /* a string literal naming why, or NULL */
};

/* A transaction begins (the kernel's binder_transaction_log_add). */
void debug_log_begin(const struct thread *thread, const struct binder_transaction_data *tr,
                     bool reply, uint64_t debug_id);
/* Its target is known (each may be NULL). */
void debug_log_target(uint64_t debug_id, const struct proc *to_proc, const struct thread *to_thread,
                      const struct node *to_node);
/* Queued for its target: done, and its bytes counted in the totals. */
void debug_log_done(uint64_t debug_id);
/* Failed: copied to the failed log, with why. reason: a string literal. */
void debug_log_failed(uint64_t debug_id, uint32_t return_error, int error_param, unsigned line,
                      const char *reason);

enum debug_log_kind {
	DEBUG_LOG_TRANSACTIONS,
	DEBUG_LOG_FAILED,
};
/* Copies a log's entries, oldest first, into out; returns how many (at
 * most DEBUG_LOG_ENTRIES). */
size_t debug_log_read(enum debug_log_kind kind, struct debug_log_entry *out);

#endif
