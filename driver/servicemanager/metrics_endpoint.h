/*
 * metrics_endpoint.h - servicemanager's /metrics HTTP server: a libevent
 * event_base on a thread of its own (binder is served on the main thread
 * by libbinder), serving a metrics registry (driver/common/metrics.h).
 *
 * Start and stop from one thread (main). The endpoint thread only renders
 * the registry, whose series are atomics or under the registry's mutex.
 * Start it after blocking the signals that a signal thread waits for: the
 * endpoint thread inherits the mask.
 */
#ifndef SERVICEMANAGER_METRICS_ENDPOINT_H
#define SERVICEMANAGER_METRICS_ENDPOINT_H

#include "metrics_listen.h"

struct metrics;
struct metrics_endpoint;

/* Binds address now (errors such as -EADDRINUSE, -EADDRNOTAVAIL, -EACCES
 * come back here, logged) and serves registry on a new thread; logs the
 * bound address at info level. registry must outlive the endpoint. */
int metrics_endpoint_start(struct metrics *registry, const struct metrics_listen *address,
                           struct metrics_endpoint **endpoint);

/* Stops the server and its thread, waits for it, frees everything. NULL:
 * nothing. */
void metrics_endpoint_stop(struct metrics_endpoint *endpoint);

#endif
