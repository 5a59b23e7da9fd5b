/*
 * metrics.c - the metrics registry (metrics.h): families of series kept in
 * the order they were made, atomic counters and gauges, histograms under a
 * mutex of their own, the text exposition format, and the /metrics
 * endpoint on evhttp.
 */
#include "metrics.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

/* The content type Prometheus expects for the text format. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* A scrape's request is small: refuse anything bigger. */
#define METRICS_MAX_HEADERS_SIZE 8192
#define METRICS_MAX_BODY_SIZE    0
#define METRICS_TIMEOUT_SECONDS  10
#define METRICS_LISTEN_BACKLOG   16
/* Scrapers at once (libevent 2.2 and later: 2.1 cannot limit them; each
 * connection is bounded in time by METRICS_TIMEOUT_SECONDS there). */
#define METRICS_MAX_CONNECTIONS 16
/* A double needs at most 17 significant digits to read back the same. */
#define DOUBLE_MAX_DIGITS 17
#define DOUBLE_TEXT_SIZE  32
/* Room for one label set as rendered (escaping may double a value). */
#define METRICS_MAX_LABEL_TEXT                                                                     \
	(METRICS_MAX_LABELS * (METRICS_MAX_NAME + 2 * METRICS_MAX_VALUE + 4) + 1)

enum metric_type {
	METRIC_COUNTER,
	METRIC_GAUGE,
	METRIC_HISTOGRAM,
};

struct metric {
	enum metric_type type;
	char labels[METRICS_MAX_LABEL_TEXT]; /* name="value",... rendered, or "" */
	_Atomic int64_t value;               /* counter, gauge */
	/* Histogram (lock guards the counts and sum). */
	pthread_mutex_t lock;
	size_t bucket_count;
	double bounds[METRICS_MAX_BUCKETS];
	uint64_t counts[METRICS_MAX_BUCKETS + 1]; /* per bucket, the last one +Inf */
	double sum;
	struct metric *next; /* in its family */
};

struct family {
	char name[METRICS_MAX_NAME + 1];
	char *help;
	enum metric_type type;
	struct metric *first, *last;
	struct family *next;
};

struct metrics {
	pthread_mutex_t lock; /* guards the families and series lists, and the hook */
	struct family *first, *last;
	void (*collect)(void *arg); /* metrics_set_collect_hook, or NULL */
	void *collect_arg;
};

struct metrics_server {
	struct metrics *registry;
	struct evhttp *http;
	struct evconnlistener *listener; /* owned by http once bound */
};

struct metrics *metrics_new(void)
{
	struct metrics *registry = calloc(1, sizeof(*registry));
	if (registry)
		pthread_mutex_init(&registry->lock, NULL);
	return registry;
}

void metrics_free(struct metrics *registry)
{
	if (!registry)
		return;
	struct family *family = registry->first;
	while (family) {
		struct family *next_family = family->next;
		struct metric *metric = family->first;
		while (metric) {
			struct metric *next = metric->next;
			pthread_mutex_destroy(&metric->lock);
			free(metric);
			metric = next;
		}
		free(family->help);
		free(family);
		family = next_family;
	}
	pthread_mutex_destroy(&registry->lock);
	free(registry);
}

static bool valid_name(const char *name, bool colons)
{
	size_t length = strlen(name);
	if (length == 0 || length > METRICS_MAX_NAME)
		return false;
	for (size_t i = 0; i < length; i++) {
		char c = name[i];
		bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		              (colons && c == ':');
		if (!letter && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

/* Appends text to out (room bytes left), escaping per the format's label
 * values (escape_quote) or HELP text rules. false when it does not fit. */
static bool append_escaped(char **out, size_t *room, const char *text, bool escape_quote)
{
	**out = '\0';
	for (const char *c = text; *c; c++) {
		char escaped[3] = {*c, '\0', '\0'};
		if (*c == '\\' || (escape_quote && *c == '"')) {
			escaped[0] = '\\';
			escaped[1] = *c;
		} else if (*c == '\n') {
			escaped[0] = '\\';
			escaped[1] = 'n';
		}
		size_t length = strlen(escaped);
		if (length + 1 > *room)
			return false;
		memcpy(*out, escaped, length);
		*out += length;
		*room -= length;
		**out = '\0';
	}
	return true;
}

static int render_labels(const struct metric_label *labels, size_t label_count, char *out,
                         size_t size)
{
	char *cursor = out;
	size_t room = size;
	*cursor = '\0';
	if (label_count > METRICS_MAX_LABELS || (label_count && !labels))
		return -EINVAL;
	for (size_t i = 0; i < label_count; i++) {
		if (!labels[i].name || !labels[i].value || !valid_name(labels[i].name, false) ||
		    strlen(labels[i].value) > METRICS_MAX_VALUE)
			return -EINVAL;
		int written = snprintf(cursor, room, "%s%s=\"", i ? "," : "", labels[i].name);
		if (written < 0 || (size_t)written >= room)
			return -EINVAL;
		cursor += written;
		room -= (size_t)written;
		if (!append_escaped(&cursor, &room, labels[i].value, true) || room < 2)
			return -EINVAL;
		*cursor++ = '"';
		*cursor = '\0';
		room--;
	}
	return 0;
}

/* The family named name, made if new; NULL if it exists with another
 * type. registry->lock held. */
static struct family *family_locked(struct metrics *registry, const char *name, const char *help,
                                    enum metric_type type)
{
	for (struct family *family = registry->first; family; family = family->next)
		if (strcmp(family->name, name) == 0)
			return family->type == type ? family : NULL;
	struct family *family = calloc(1, sizeof(*family));
	if (!family)
		return NULL;
	family->help = strdup(help ? help : "");
	if (!family->help) {
		free(family);
		return NULL;
	}
	for (char *c = family->help; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	snprintf(family->name, sizeof(family->name), "%s", name);
	family->type = type;
	if (registry->last)
		registry->last->next = family;
	else
		registry->first = family;
	registry->last = family;
	return family;
}

static struct metric *add_series(struct metrics *registry, enum metric_type type, const char *name,
                                 const char *help, const struct metric_label *labels,
                                 size_t label_count)
{
	if (!registry || !name || !valid_name(name, true))
		return NULL;
	struct metric *metric = calloc(1, sizeof(*metric));
	if (!metric)
		return NULL;
	if (render_labels(labels, label_count, metric->labels, sizeof(metric->labels)) != 0) {
		free(metric);
		return NULL;
	}
	metric->type = type;
	atomic_init(&metric->value, 0);
	pthread_mutex_init(&metric->lock, NULL);
	pthread_mutex_lock(&registry->lock);
	struct family *family = family_locked(registry, name, help, type);
	for (struct metric *other = family ? family->first : NULL; other; other = other->next)
		if (strcmp(other->labels, metric->labels) == 0)
			family = NULL; /* that series exists */
	if (!family) {
		pthread_mutex_unlock(&registry->lock);
		pthread_mutex_destroy(&metric->lock);
		free(metric);
		return NULL;
	}
	if (family->last)
		family->last->next = metric;
	else
		family->first = metric;
	family->last = metric;
	pthread_mutex_unlock(&registry->lock);
	return metric;
}

struct metric *metrics_add_counter(struct metrics *registry, const char *name, const char *help,
                                   const struct metric_label *labels, size_t label_count)
{
	return add_series(registry, METRIC_COUNTER, name, help, labels, label_count);
}

struct metric *metrics_add_gauge(struct metrics *registry, const char *name, const char *help,
                                 const struct metric_label *labels, size_t label_count)
{
	return add_series(registry, METRIC_GAUGE, name, help, labels, label_count);
}

struct metric *metrics_add_histogram(struct metrics *registry, const char *name, const char *help,
                                     const struct metric_label *labels, size_t label_count,
                                     const double *bounds, size_t bucket_count)
{
	if (!bounds || bucket_count == 0 || bucket_count > METRICS_MAX_BUCKETS)
		return NULL;
	for (size_t i = 1; i < bucket_count; i++)
		if (!(bounds[i] > bounds[i - 1]))
			return NULL;
	/* "le" is the histogram's own label. */
	for (size_t i = 0; i < label_count && labels; i++)
		if (labels[i].name && strcmp(labels[i].name, "le") == 0)
			return NULL;
	struct metric *metric =
	        add_series(registry, METRIC_HISTOGRAM, name, help, labels, label_count);
	if (!metric)
		return NULL;
	/* Not observed before it is returned: no lock needed yet. */
	metric->bucket_count = bucket_count;
	memcpy(metric->bounds, bounds, bucket_count * sizeof(*bounds));
	return metric;
}

void metric_increment(struct metric *metric)
{
	metric_add(metric, 1);
}

void metric_add(struct metric *metric, int64_t delta)
{
	if (!metric || metric->type == METRIC_HISTOGRAM)
		return;
	if (metric->type == METRIC_COUNTER && delta < 0)
		return;
	atomic_fetch_add_explicit(&metric->value, delta, memory_order_relaxed);
}

void metric_set(struct metric *metric, int64_t value)
{
	if (!metric || metric->type != METRIC_GAUGE)
		return;
	atomic_store_explicit(&metric->value, value, memory_order_relaxed);
}

void metric_observe(struct metric *metric, double value)
{
	if (!metric || metric->type != METRIC_HISTOGRAM)
		return;
	size_t bucket = 0;
	while (bucket < metric->bucket_count && value > metric->bounds[bucket])
		bucket++;
	pthread_mutex_lock(&metric->lock);
	metric->counts[bucket]++;
	metric->sum += value;
	pthread_mutex_unlock(&metric->lock);
}

int64_t metric_value(const struct metric *metric)
{
	if (!metric)
		return 0;
	return atomic_load_explicit(&((struct metric *)metric)->value, memory_order_relaxed);
}

static const char *type_name(enum metric_type type)
{
	switch (type) {
	case METRIC_COUNTER:
		return "counter";
	case METRIC_GAUGE:
		return "gauge";
	default:
		return "histogram";
	}
}

/* value in the shortest form that reads back as the same double. */
static void format_double(char *out, size_t size, double value)
{
	for (int precision = 1; precision <= DOUBLE_MAX_DIGITS; precision++) {
		snprintf(out, size, "%.*g", precision, value);
		if (strtod(out, NULL) == value)
			return;
	}
}

/* name{labels[,extra]} : the series' selector, extra may be NULL. */
static int add_selector(struct evbuffer *out, const char *name, const char *suffix,
                        const char *labels, const char *extra)
{
	bool any = labels[0] || extra;
	return evbuffer_add_printf(out, "%s%s%s%s%s%s%s", name, suffix, any ? "{" : "", labels,
	                           labels[0] && extra ? "," : "", extra ? extra : "",
	                           any ? "}" : "") < 0
	               ? -ENOMEM
	               : 0;
}

static int render_histogram(struct evbuffer *out, const char *name, struct metric *metric)
{
	uint64_t counts[METRICS_MAX_BUCKETS + 1];
	double sum;
	pthread_mutex_lock(&metric->lock);
	memcpy(counts, metric->counts, sizeof(counts));
	sum = metric->sum;
	pthread_mutex_unlock(&metric->lock);

	uint64_t cumulative = 0;
	char bound[64], number[DOUBLE_TEXT_SIZE];
	for (size_t i = 0; i <= metric->bucket_count; i++) {
		cumulative += counts[i];
		if (i < metric->bucket_count) {
			format_double(number, sizeof(number), metric->bounds[i]);
			snprintf(bound, sizeof(bound), "le=\"%s\"", number);
		} else {
			snprintf(bound, sizeof(bound), "le=\"+Inf\"");
		}
		if (add_selector(out, name, "_bucket", metric->labels, bound) != 0 ||
		    evbuffer_add_printf(out, " %llu\n", (unsigned long long)cumulative) < 0)
			return -ENOMEM;
	}
	format_double(number, sizeof(number), sum);
	if (add_selector(out, name, "_sum", metric->labels, NULL) != 0 ||
	    evbuffer_add_printf(out, " %s\n", number) < 0 ||
	    add_selector(out, name, "_count", metric->labels, NULL) != 0 ||
	    evbuffer_add_printf(out, " %llu\n", (unsigned long long)cumulative) < 0)
		return -ENOMEM;
	return 0;
}

void metrics_set_collect_hook(struct metrics *registry, void (*collect)(void *arg), void *arg)
{
	if (!registry)
		return;
	pthread_mutex_lock(&registry->lock);
	registry->collect = collect;
	registry->collect_arg = arg;
	pthread_mutex_unlock(&registry->lock);
}

/* Runs the collect hook, if any, outside the registry's mutex (it may add
 * series). */
static void collect(struct metrics *registry)
{
	pthread_mutex_lock(&registry->lock);
	void (*hook)(void *arg) = registry->collect;
	void *arg = registry->collect_arg;
	pthread_mutex_unlock(&registry->lock);
	if (hook)
		hook(arg);
}

static int render_into(struct metrics *registry, struct evbuffer *out)
{
	int status = 0;
	collect(registry);
	pthread_mutex_lock(&registry->lock);
	for (struct family *family = registry->first; family && status == 0;
	     family = family->next) {
		char help[1024];
		char *cursor = help;
		size_t room = sizeof(help);
		append_escaped(&cursor, &room, family->help, false);
		if (evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", family->name, help,
		                        family->name, type_name(family->type)) < 0) {
			status = -ENOMEM;
			break;
		}
		for (struct metric *metric = family->first; metric && status == 0;
		     metric = metric->next) {
			if (metric->type == METRIC_HISTOGRAM) {
				status = render_histogram(out, family->name, metric);
				continue;
			}
			if (add_selector(out, family->name, "", metric->labels, NULL) != 0 ||
			    evbuffer_add_printf(out, " %lld\n", (long long)metric_value(metric)) <
			            0)
				status = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&registry->lock);
	return status;
}

int metrics_render(struct metrics *registry, char **text, size_t *size)
{
	if (!registry || !text || !size)
		return -EINVAL;
	struct evbuffer *out = evbuffer_new();
	if (!out)
		return -ENOMEM;
	int status = render_into(registry, out);
	if (status == 0) {
		size_t length = evbuffer_get_length(out);
		*text = malloc(length + 1);
		if (!*text) {
			status = -ENOMEM;
		} else {
			evbuffer_remove(out, *text, length);
			(*text)[length] = '\0';
			*size = length;
		}
	}
	evbuffer_free(out);
	return status;
}

/* ---- the endpoint ---- */

static void serve_metrics(struct evhttp_request *request, void *argument)
{
	struct metrics_server *server = argument;
	struct evbuffer *body = evbuffer_new();
	if (!body || render_into(server->registry, body) != 0) {
		evhttp_send_error(request, HTTP_INTERNAL, NULL);
		if (body)
			evbuffer_free(body);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(request), "Content-Type",
	                  METRICS_CONTENT_TYPE);
	evhttp_send_reply(request, HTTP_OK, "OK", body);
	evbuffer_free(body);
}

int metrics_serve(struct metrics *registry, struct event_base *base, const struct sockaddr *address,
                  socklen_t length, struct metrics_server **out)
{
	if (!registry || !base || !address || !out)
		return -EINVAL;
	struct metrics_server *server = calloc(1, sizeof(*server));
	if (!server)
		return -ENOMEM;
	server->registry = registry;
	server->http = evhttp_new(base);
	if (!server->http) {
		free(server);
		return -ENOMEM;
	}
	evhttp_set_allowed_methods(server->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(server->http, METRICS_MAX_HEADERS_SIZE);
	evhttp_set_max_body_size(server->http, METRICS_MAX_BODY_SIZE);
	evhttp_set_timeout(server->http, METRICS_TIMEOUT_SECONDS);
#if LIBEVENT_VERSION_NUMBER >= 0x02020000
	evhttp_set_max_connections(server->http, METRICS_MAX_CONNECTIONS);
#endif
	evhttp_set_cb(server->http, "/metrics", serve_metrics, server);
	server->listener = evconnlistener_new_bind(
	        base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	        METRICS_LISTEN_BACKLOG, address, (int)length);
	if (!server->listener) {
		int error = errno ? -errno : -EADDRNOTAVAIL;
		evhttp_free(server->http);
		free(server);
		return error;
	}
	if (!evhttp_bind_listener(server->http, server->listener)) {
		evconnlistener_free(server->listener);
		evhttp_free(server->http);
		free(server);
		return -ENOMEM;
	}
	*out = server;
	return 0;
}

int metrics_server_address(const struct metrics_server *server, struct sockaddr_storage *address,
                           socklen_t *length)
{
	if (!server || !address || !length)
		return -EINVAL;
	*length = sizeof(*address);
	evutil_socket_t fd = evconnlistener_get_fd(server->listener);
	if (getsockname(fd, (struct sockaddr *)address, length) != 0)
		return -errno;
	return 0;
}

void metrics_server_free(struct metrics_server *server)
{
	if (!server)
		return;
	/* evhttp_free frees its bound sockets and their listeners. */
	evhttp_free(server->http);
	free(server);
}
