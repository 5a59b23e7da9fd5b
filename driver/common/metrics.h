/*
 * metrics.h - a small registry of counters, gauges and histograms,
 * rendered in Prometheus' text exposition format (version 0.0.4) and
 * served at /metrics by libevent's evhttp on a daemon's event loop.
 *
 * A series is one metric name with one set of labels; series that share a
 * name form a family, rendered together under one HELP and TYPE line (they
 * must then share type and help). Series are made once (usually at start)
 * and live as long as the registry.
 *
 * Thread-safety: metrics_add_* and rendering take the registry's mutex;
 * metric_increment, metric_add, metric_set and metric_observe may be called
 * from any thread without it (atomics; a histogram has a mutex of its own).
 * Every metric_* function does nothing when given NULL, so a daemon with
 * metrics off passes NULL series around instead of testing a flag.
 *
 * Errors are negative errno codes.
 */
#ifndef BINDER_METRICS_H
#define BINDER_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct event_base;
struct metrics;
struct metric;
struct metrics_server;

/* Longest metric or label name, label value (bytes). */
#define METRICS_MAX_NAME   64
#define METRICS_MAX_VALUE  128
#define METRICS_MAX_LABELS 4
/* Most buckets a histogram may have (+Inf excluded). */
#define METRICS_MAX_BUCKETS 16

struct metric_label {
	const char *name;  /* [a-zA-Z_][a-zA-Z0-9_]* */
	const char *value; /* any text; escaped when rendered */
};

struct metrics *metrics_new(void);
/* Frees the registry and every series (the server must be stopped). */
void metrics_free(struct metrics *registry);

/* Makes a series. name: [a-zA-Z_:][a-zA-Z0-9_:]*; help: one line of text;
 * labels: label_count (0..METRICS_MAX_LABELS) pairs. NULL if a name is
 * invalid, a family exists with another type, the series exists (same
 * labels in the same order), or memory is short. */
struct metric *metrics_add_counter(struct metrics *registry, const char *name, const char *help,
                                   const struct metric_label *labels, size_t label_count);
struct metric *metrics_add_gauge(struct metrics *registry, const char *name, const char *help,
                                 const struct metric_label *labels, size_t label_count);
/* A histogram of values in the unit of its bounds: bucket_count
 * (1..METRICS_MAX_BUCKETS) increasing upper bounds, +Inf added. */
struct metric *metrics_add_histogram(struct metrics *registry, const char *name, const char *help,
                                     const struct metric_label *labels, size_t label_count,
                                     const double *bounds, size_t bucket_count);

/* Counters only go up (metric_add of a negative delta is for gauges). */
void metric_increment(struct metric *metric);
void metric_add(struct metric *metric, int64_t delta);
/* Gauges. */
void metric_set(struct metric *metric, int64_t value);
/* Histograms. */
void metric_observe(struct metric *metric, double value);
/* A counter's or gauge's value (tests, logs). 0 for NULL. */
int64_t metric_value(const struct metric *metric);

/* Calls collect(arg) before every render (metrics_render, and each scrape
 * of the server), so that gauges read from live state (metric_set) are
 * current when rendered. One hook per registry: a later call replaces it;
 * NULL removes it. collect runs on the rendering thread (for the server,
 * base's thread), without the registry's mutex: it may call metric_* and
 * metrics_add_*, but must be safe to run there. Set it before serving. */
void metrics_set_collect_hook(struct metrics *registry, void (*collect)(void *arg), void *arg);

/* The whole registry in the text format: *text is malloc'ed and
 * NUL-terminated, *size its length. */
int metrics_render(struct metrics *registry, char **text, size_t *size);

/* Serves GET /metrics on address (bound now; 404 for other paths) on base,
 * whose thread runs the requests. -EADDRINUSE etc. when it cannot bind. */
int metrics_serve(struct metrics *registry, struct event_base *base, const struct sockaddr *address,
                  socklen_t length, struct metrics_server **server);
/* The address it listens on (port 0 in metrics_serve: the one chosen). */
int metrics_server_address(const struct metrics_server *server, struct sockaddr_storage *address,
                           socklen_t *length);
/* On base's thread (or after its loop stopped). NULL: nothing. */
void metrics_server_free(struct metrics_server *server);

#endif
