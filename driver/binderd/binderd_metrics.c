/*
 * binderd_metrics.c - binderd's /metrics (binderd_metrics.h): the series
 * are made at start, and the collect hook copies binderd's live counts
 * into them before every scrape. The hook runs on binderd's event loop
 * (the server is on it), where binderd's state may be read without locks.
 */
#include "binderd_metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug.h"
#include "log.h"
#include "metrics.h"
#include "metrics_listen.h"
#include "uid_budget.h"

/* "[" IPv6 "]:" port, and a NUL. */
#define ADDRESS_MAX_TEXT (INET6_ADDRSTRLEN + 8)
#define UID_TEXT_SIZE    16

/* A gauge and the census field it shows. */
struct census_gauge {
	const char *name;
	const char *help;
	size_t offset; /* in struct debug_census */
};

static const struct census_gauge census_gauges[] = {
        {"binderd_procs", "Processes connected (opens of the device)",
         offsetof(struct debug_census, procs)},
        {"binderd_threads", "Thread channels", offsetof(struct debug_census, threads)},
        {"binderd_nodes", "Nodes (objects owned by a process)",
         offsetof(struct debug_census, nodes)},
        {"binderd_refs", "Refs (handles held on nodes)", offsetof(struct debug_census, refs)},
        {"binderd_death_notifications", "Death notifications requested",
         offsetof(struct debug_census, deaths)},
        {"binderd_transactions_in_flight", "Transactions delivered or queued, not done",
         offsetof(struct debug_census, transactions)},
        {"binderd_buffers", "Buffers allocated in receive areas",
         offsetof(struct debug_census, buffers)},
        {"binderd_buffer_bytes", "Bytes of the allocated buffers (data, offsets, extra)",
         offsetof(struct debug_census, buffer_bytes)},
        {"binderd_fds_in_flight", "Fds carried by undelivered transactions",
         offsetof(struct debug_census, fds_in_flight)},
};
#define CENSUS_GAUGE_COUNT (sizeof(census_gauges) / sizeof(census_gauges[0]))

/* A counter and the total it shows. */
struct total_counter {
	const char *name;
	const char *help;
	size_t offset; /* in struct debug_totals */
};

static const struct total_counter total_counters[] = {
        {"binderd_transactions_total", "Transactions and replies begun (BC_TRANSACTION, BC_REPLY)",
         offsetof(struct debug_totals, transactions)},
        {"binderd_oneway_transactions_total", "Of which oneway",
         offsetof(struct debug_totals, oneway_transactions)},
        {"binderd_replies_total", "Of which replies (BC_REPLY)",
         offsetof(struct debug_totals, replies)},
        {"binderd_failed_transactions_total", "Of which failed (see binderctl failed)",
         offsetof(struct debug_totals, failed_transactions)},
        {"binderd_transaction_bytes_total", "Data and offsets bytes copied by transactions",
         offsetof(struct debug_totals, bytes)},
};
#define TOTAL_COUNTER_COUNT (sizeof(total_counters) / sizeof(total_counters[0]))

/* binderd_failed_transactions_by_error_total's label values, in the order
 * of enum debug_failure_kind. */
static const char *const failure_labels[DEBUG_FAILURE_KIND_COUNT] = {
        "failed_reply",
        "dead_reply",
        "frozen_reply",
        "other",
};

/* The "resource" label of each uid_budget resource. */
static const char *const resource_labels[UID_RESOURCE_COUNT] = {
        [UID_PROCS] = "procs",
        [UID_THREADS] = "threads",
        [UID_FDS_IN_FLIGHT] = "fds",
        [UID_QUEUED_OUTPUT] = "output_bytes",
};

/* One uid's series, kept from its first scrape on (set to 0 once it holds
 * nothing). */
struct uid_series {
	uid_t uid;
	bool present; /* held something at this scrape */
	struct metric *usage[UID_RESOURCE_COUNT];
};

static struct {
	struct metrics *registry;
	struct metrics_server *server;
	struct metric *census[CENSUS_GAUGE_COUNT];
	struct metric *totals[TOTAL_COUNTER_COUNT];
	struct metric *failures[DEBUG_FAILURE_KIND_COUNT];
	struct metric *limits[UID_RESOURCE_COUNT];
	struct metric *uids_not_shown;
	struct uid_series uids[BINDERD_METRICS_MAX_UIDS];
	size_t uid_count;
	size_t not_shown; /* uids at this scrape without series */
} state;

/* ---- collecting ---- */

/* Sets a counter to total (counters only go up; binderd's totals too). */
static void counter_set(struct metric *counter, uint64_t total)
{
	int64_t now = metric_value(counter);
	if ((int64_t)total > now)
		metric_add(counter, (int64_t)total - now);
}

static struct uid_series *uid_series_find_or_make(uid_t uid)
{
	for (size_t i = 0; i < state.uid_count; i++)
		if (state.uids[i].uid == uid)
			return &state.uids[i];
	if (state.uid_count >= BINDERD_METRICS_MAX_UIDS)
		return NULL;
	struct uid_series *series = &state.uids[state.uid_count];
	char uid_text[UID_TEXT_SIZE];
	snprintf(uid_text, sizeof(uid_text), "%u", (unsigned)uid);
	for (int resource = 0; resource < UID_RESOURCE_COUNT; resource++) {
		struct metric_label labels[] = {
		        {"uid", uid_text},
		        {"resource", resource_labels[resource]},
		};
		series->usage[resource] = metrics_add_gauge(
		        state.registry, "binderd_uid_usage",
		        "What a uid holds of a resource with a per-uid limit (binderd_uid_limit)",
		        labels, 2);
		if (!series->usage[resource])
			return NULL; /* out of memory: tried again next scrape */
	}
	series->uid = uid;
	state.uid_count++;
	return series;
}

static void collect_uid(uid_t uid, const size_t used[UID_RESOURCE_COUNT], void *arg)
{
	(void)arg;
	struct uid_series *series = uid_series_find_or_make(uid);
	if (!series) {
		state.not_shown++;
		return;
	}
	series->present = true;
	for (int resource = 0; resource < UID_RESOURCE_COUNT; resource++)
		metric_set(series->usage[resource], (int64_t)used[resource]);
}

static void collect(void *arg)
{
	(void)arg;
	struct debug_census census;
	debug_census_take(&census);
	for (size_t i = 0; i < CENSUS_GAUGE_COUNT; i++)
		metric_set(state.census[i], (int64_t) * (const size_t *)((const char *)&census +
		                                                         census_gauges[i].offset));
	struct debug_totals totals;
	debug_totals_get(&totals);
	for (size_t i = 0; i < TOTAL_COUNTER_COUNT; i++)
		counter_set(state.totals[i],
		            *(const uint64_t *)((const char *)&totals + total_counters[i].offset));
	for (size_t i = 0; i < DEBUG_FAILURE_KIND_COUNT; i++)
		counter_set(state.failures[i], totals.failed_by_kind[i]);
	for (int resource = 0; resource < UID_RESOURCE_COUNT; resource++)
		metric_set(state.limits[resource],
		           (int64_t)uid_budget_limit((enum uid_resource)resource));
	for (size_t i = 0; i < state.uid_count; i++)
		state.uids[i].present = false;
	state.not_shown = 0;
	uid_budget_for_each(collect_uid, NULL);
	for (size_t i = 0; i < state.uid_count; i++)
		if (!state.uids[i].present)
			for (int resource = 0; resource < UID_RESOURCE_COUNT; resource++)
				metric_set(state.uids[i].usage[resource], 0);
	metric_set(state.uids_not_shown, (int64_t)state.not_shown);
}

/* ---- start and stop ---- */

static int make_series(void)
{
	for (size_t i = 0; i < CENSUS_GAUGE_COUNT; i++) {
		state.census[i] = metrics_add_gauge(state.registry, census_gauges[i].name,
		                                    census_gauges[i].help, NULL, 0);
		if (!state.census[i])
			return -ENOMEM;
	}
	for (size_t i = 0; i < TOTAL_COUNTER_COUNT; i++) {
		state.totals[i] = metrics_add_counter(state.registry, total_counters[i].name,
		                                      total_counters[i].help, NULL, 0);
		if (!state.totals[i])
			return -ENOMEM;
	}
	for (size_t i = 0; i < DEBUG_FAILURE_KIND_COUNT; i++) {
		struct metric_label label = {"error", failure_labels[i]};
		state.failures[i] = metrics_add_counter(
		        state.registry, "binderd_failed_transactions_by_error_total",
		        "Failed transactions by what their sender got (BR_FAILED_REPLY, ...)",
		        &label, 1);
		if (!state.failures[i])
			return -ENOMEM;
	}
	for (int resource = 0; resource < UID_RESOURCE_COUNT; resource++) {
		struct metric_label label = {"resource", resource_labels[resource]};
		state.limits[resource] = metrics_add_gauge(
		        state.registry, "binderd_uid_limit",
		        "Per-uid limit of a resource (0: none; root and binderd's uid are exempt)",
		        &label, 1);
		if (!state.limits[resource])
			return -ENOMEM;
	}
	state.uids_not_shown = metrics_add_gauge(
	        state.registry, "binderd_uids_not_shown",
	        "Uids holding resources now without binderd_uid_usage series of their own", NULL,
	        0);
	return state.uids_not_shown ? 0 : -ENOMEM;
}

int binderd_metrics_start(struct event_base *base, const struct sockaddr_storage *address,
                          socklen_t length)
{
	state.registry = metrics_new();
	int status = state.registry ? make_series() : -ENOMEM;
	if (status == 0) {
		metrics_set_collect_hook(state.registry, collect, NULL);
		status = metrics_serve(state.registry, base, (const struct sockaddr *)address,
		                       length, &state.server);
	}
	char text[ADDRESS_MAX_TEXT];
	if (status < 0) {
		metrics_listen_format(address, text, sizeof(text));
		log_error("cannot serve metrics on %s: %s", text, strerror(-status));
		binderd_metrics_stop();
		return status;
	}
	struct sockaddr_storage bound;
	socklen_t bound_length;
	if (metrics_server_address(state.server, &bound, &bound_length) == 0)
		metrics_listen_format(&bound, text, sizeof(text));
	else
		metrics_listen_format(address, text, sizeof(text));
	log_info("metrics on http://%s/metrics", text);
	return 0;
}

void binderd_metrics_stop(void)
{
	metrics_server_free(state.server);
	metrics_free(state.registry);
	memset(&state, 0, sizeof(state));
}
