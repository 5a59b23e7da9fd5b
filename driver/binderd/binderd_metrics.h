/*
 * binderd_metrics.h - binderd's Prometheus metrics (--metrics): gauges of
 * the live objects (debug_census_take), counters of the calls made since
 * start (debug_totals_get) and each uid's usage against its limits
 * (uid_budget.h), read from binderd's state at every scrape and served by
 * driver/common/metrics.h on binderd's event loop. Off unless started.
 */
#ifndef BINDERD_BINDERD_METRICS_H
#define BINDERD_BINDERD_METRICS_H

#include <stddef.h>
#include <sys/socket.h>

struct event_base;

/* Uids shown with series of their own; later ones are only counted
 * (binderd_uids_not_shown), since series live as long as binderd. */
#define BINDERD_METRICS_MAX_UIDS 64u

/* Makes the series and serves /metrics on address, on base (binderd's
 * loop, whose thread renders). 0, or a negative errno code (logged). */
int binderd_metrics_start(struct event_base *base, const struct sockaddr_storage *address,
                          socklen_t length);
/* Stops serving and frees everything; nothing when not started. */
void binderd_metrics_stop(void);

#endif
