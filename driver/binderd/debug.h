/*
 * debug.h - what binderd shows of itself, as the kernel's binder debugfs
 * does: `state` (every process, thread, node, ref, buffer and pending
 * transaction), `stats` (counts per BC and BR command and per object
 * kind), `transactions` (the calls in flight), `transaction_log` and
 * `failed_transaction_log` (the last transactions and failures, in bounded
 * rings).
 *
 * The records are kept by the event loop (debug_record.c); the views are
 * rendered from them and from binderd's live state (debug_views.c), in
 * the kernel's text layout or as one JSON document, and served on the
 * control socket (control.c) to root, binderd's own uid or a configured
 * group only. Everything here runs on binderd's event loop thread: no
 * locks.
 */
#ifndef BINDERD_DEBUG_H
#define BINDERD_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct evbuffer;
struct thread;
struct txn;

enum debug_view {
	DEBUG_VIEW_STATE,
	DEBUG_VIEW_STATS,
	DEBUG_VIEW_TRANSACTIONS,
	DEBUG_VIEW_TRANSACTION_LOG,
	DEBUG_VIEW_FAILED_TRANSACTION_LOG,
	DEBUG_VIEW_COUNT,
};

/* The view's debugfs file name: "state", "stats", "transactions",
 * "transaction_log", "failed_transaction_log". */
const char *debug_view_name(enum debug_view view);
/* The view named name (a debugfs file name, or the short forms "log" and
 * "failed"). 0, or -EINVAL for any other text. */
int debug_view_from_name(const char *name, enum debug_view *view);

/* Appends view to out: the kernel's text layout, or (json) one JSON
 * document ending in a newline. 0, or -ENOMEM. */
int debug_render(enum debug_view view, bool json, struct evbuffer *out);

/* Entries each log ring keeps, as the kernel's (32). */
#define DEBUG_LOG_ENTRIES 32u

/* Counts the live objects, for metrics (gauges) and the stats view. */
struct debug_census {
	size_t procs;
	size_t threads;
	size_t nodes;
	size_t refs;
	size_t deaths;        /* death notifications requested */
	size_t transactions;  /* in flight (delivered or queued) */
	size_t buffers;       /* allocated in receive areas */
	size_t buffer_bytes;  /* their data + offsets + extra */
	size_t fds_in_flight; /* carried by undelivered transactions */
};
void debug_census_take(struct debug_census *census);

/* What a failed transaction answered its sender, for metrics. */
enum debug_failure_kind {
	DEBUG_FAILURE_FAILED_REPLY, /* BR_FAILED_REPLY: bad handle, no space, ... */
	DEBUG_FAILURE_DEAD_REPLY,   /* BR_DEAD_REPLY: the target is dead */
	DEBUG_FAILURE_FROZEN_REPLY, /* BR_FROZEN_REPLY: the target is frozen */
	DEBUG_FAILURE_OTHER,
	DEBUG_FAILURE_KIND_COUNT,
};

/* Totals since binderd started (never reset), for metrics. */
struct debug_totals {
	uint64_t transactions;                             /* BC_TRANSACTION and BC_REPLY begun */
	uint64_t oneway_transactions;                      /* of which oneway */
	uint64_t replies;                                  /* of which BC_REPLY */
	uint64_t failed_transactions;                      /* of which failed (in the failed log) */
	uint64_t bytes;                                    /* data + offsets bytes copied */
	uint64_t failed_by_kind[DEBUG_FAILURE_KIND_COUNT]; /* failed, by answer */
};
void debug_totals_get(struct debug_totals *totals);

#endif
