/*
 * metrics_test.c - the metrics registry (driver/common/metrics.c): the
 * text exposition format (families, labels and their escaping,
 * histograms), refusals, increments from many threads, and a real scrape
 * of /metrics over TCP from evhttp on a loop thread.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "metrics.h"

#define THREADS            4
#define INCREMENTS         10000
#define CLIENT_TIMEOUT_S   10
#define RESPONSE_MAX_BYTES 65536

static char *render(struct metrics *registry)
{
	char *text = NULL;
	size_t size = 0;
	cr_assert_eq(metrics_render(registry, &text, &size), 0);
	cr_assert_eq(strlen(text), size);
	return text;
}

Test(metrics, renders_counters_and_gauges_by_family)
{
	struct metrics *registry = metrics_new();
	struct metric_label a[] = {{"peer", "a"}};
	struct metric_label b[] = {{"peer", "b"}};
	struct metric *calls_a = metrics_add_counter(registry, "calls_total", "Calls.", a, 1);
	struct metric *up = metrics_add_gauge(registry, "up", "Up or not.", NULL, 0);
	struct metric *calls_b = metrics_add_counter(registry, "calls_total", "Calls.", b, 1);
	cr_assert(calls_a && up && calls_b);
	metric_increment(calls_a);
	metric_add(calls_b, 5);
	metric_add(calls_b, -3); /* refused: a counter only goes up */
	metric_set(up, 1);
	char *text = render(registry);
	cr_assert_str_eq(text, "# HELP calls_total Calls.\n"
	                       "# TYPE calls_total counter\n"
	                       "calls_total{peer=\"a\"} 1\n"
	                       "calls_total{peer=\"b\"} 5\n"
	                       "# HELP up Up or not.\n"
	                       "# TYPE up gauge\n"
	                       "up 1\n");
	free(text);
	metrics_free(registry);
}

Test(metrics, escapes_label_values_and_help)
{
	struct metrics *registry = metrics_new();
	struct metric_label labels[] = {{"name", "a\"b\\c\nd"}, {"kind", "x"}};
	cr_assert(metrics_add_gauge(registry, "g", "line\\one\ntwo", labels, 2));
	char *text = render(registry);
	cr_assert_str_eq(text, "# HELP g line\\\\one two\n"
	                       "# TYPE g gauge\n"
	                       "g{name=\"a\\\"b\\\\c\\nd\",kind=\"x\"} 0\n");
	free(text);
	metrics_free(registry);
}

Test(metrics, renders_histograms_cumulatively)
{
	struct metrics *registry = metrics_new();
	const double bounds[] = {0.5, 1, 2};
	struct metric_label labels[] = {{"peer", "p"}};
	struct metric *h =
	        metrics_add_histogram(registry, "rt_seconds", "Round trips.", labels, 1, bounds, 3);
	cr_assert(h);
	metric_observe(h, 0.25);
	metric_observe(h, 0.5); /* on a bound: in that bucket */
	metric_observe(h, 1.5);
	metric_observe(h, 10);
	char *text = render(registry);
	cr_assert_str_eq(text, "# HELP rt_seconds Round trips.\n"
	                       "# TYPE rt_seconds histogram\n"
	                       "rt_seconds_bucket{peer=\"p\",le=\"0.5\"} 2\n"
	                       "rt_seconds_bucket{peer=\"p\",le=\"1\"} 2\n"
	                       "rt_seconds_bucket{peer=\"p\",le=\"2\"} 3\n"
	                       "rt_seconds_bucket{peer=\"p\",le=\"+Inf\"} 4\n"
	                       "rt_seconds_sum{peer=\"p\"} 12.25\n"
	                       "rt_seconds_count{peer=\"p\"} 4\n");
	free(text);
	metrics_free(registry);
}

Test(metrics, writes_numbers_in_their_shortest_exact_form)
{
	struct metrics *registry = metrics_new();
	const double bounds[] = {0.0005, 0.1};
	struct metric *h = metrics_add_histogram(registry, "h", "x", NULL, 0, bounds, 2);
	metric_observe(h, 0.1);
	metric_observe(h, 0.2);
	char *text = render(registry);
	cr_assert_not_null(strstr(text, "h_bucket{le=\"0.0005\"} 0\n"), "%s", text);
	cr_assert_not_null(strstr(text, "h_bucket{le=\"0.1\"} 1\n"), "%s", text);
	/* 0.1 + 0.2 is not 0.3 in binary: all the digits that tell. */
	cr_assert_not_null(strstr(text, "h_sum 0.30000000000000004\n"), "%s", text);
	free(text);
	metrics_free(registry);
}

Test(metrics, refuses_bad_names_and_mixed_types)
{
	struct metrics *registry = metrics_new();
	struct metric_label bad_label[] = {{"0peer", "x"}};
	struct metric_label le[] = {{"le", "1"}};
	const double unordered[] = {2, 1};
	const double bounds[] = {1};
	cr_assert_null(metrics_add_counter(registry, "", "x", NULL, 0));
	cr_assert_null(metrics_add_counter(registry, "9lives", "x", NULL, 0));
	cr_assert_null(metrics_add_counter(registry, "has space", "x", NULL, 0));
	cr_assert_null(metrics_add_counter(registry, "ok", "x", bad_label, 1));
	cr_assert_null(metrics_add_histogram(registry, "h", "x", NULL, 0, unordered, 2));
	cr_assert_null(metrics_add_histogram(registry, "h", "x", le, 1, bounds, 1));
	cr_assert_not_null(metrics_add_counter(registry, "same", "x", NULL, 0));
	cr_assert_null(metrics_add_gauge(registry, "same", "x", NULL, 0));
	cr_assert_null(metrics_add_counter(registry, "same", "x", NULL, 0), "a second series");
	/* NULL series: every update is a no-op. */
	metric_increment(NULL);
	metric_set(NULL, 1);
	metric_observe(NULL, 1);
	cr_assert_eq(metric_value(NULL), 0);
	metrics_free(registry);
}

struct hammer {
	struct metric *counter;
	struct metric *histogram;
};

static void *hammer(void *argument)
{
	struct hammer *target = argument;
	for (int i = 0; i < INCREMENTS; i++) {
		metric_increment(target->counter);
		metric_observe(target->histogram, 1);
	}
	return NULL;
}

Test(metrics, counts_every_increment_from_many_threads)
{
	struct metrics *registry = metrics_new();
	const double bounds[] = {1};
	struct hammer target = {
	        metrics_add_counter(registry, "c", "x", NULL, 0),
	        metrics_add_histogram(registry, "h", "x", NULL, 0, bounds, 1),
	};
	pthread_t threads[THREADS];
	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(pthread_create(&threads[i], NULL, hammer, &target), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	cr_assert_eq(metric_value(target.counter), THREADS * INCREMENTS);
	char *text = render(registry);
	char expected[64];
	snprintf(expected, sizeof(expected), "h_count %d\n", THREADS * INCREMENTS);
	cr_assert_not_null(strstr(text, expected), "%s", text);
	free(text);
	metrics_free(registry);
}

static void *run_loop(void *argument)
{
	event_base_dispatch(argument);
	return NULL;
}

/* One GET over a blocking socket with timeouts: the whole response. */
static char *http_get(const struct sockaddr_in *address, const char *path)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	struct timeval timeout = {CLIENT_TIMEOUT_S, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	cr_assert_eq(connect(fd, (const struct sockaddr *)address, sizeof(*address)), 0);
	char request[256];
	int length = snprintf(request, sizeof(request),
	                      "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
	cr_assert_eq(write(fd, request, (size_t)length), length);
	char *response = calloc(1, RESPONSE_MAX_BYTES + 1);
	size_t used = 0;
	ssize_t got;
	while (used < RESPONSE_MAX_BYTES &&
	       (got = read(fd, response + used, RESPONSE_MAX_BYTES - used)) > 0)
		used += (size_t)got;
	close(fd);
	return response;
}

Test(metrics, serves_metrics_over_http)
{
	cr_assert_eq(evthread_use_pthreads(), 0);
	struct event_base *base = event_base_new();
	struct metrics *registry = metrics_new();
	struct metric *scrapes = metrics_add_counter(registry, "scrapes_total", "x", NULL, 0);
	metric_add(scrapes, 7);
	struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = 0};
	any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct metrics_server *server = NULL;
	cr_assert_eq(metrics_serve(registry, base, (struct sockaddr *)&any, sizeof(any), &server),
	             0);
	struct sockaddr_storage bound;
	socklen_t bound_length;
	cr_assert_eq(metrics_server_address(server, &bound, &bound_length), 0);
	pthread_t loop;
	cr_assert_eq(pthread_create(&loop, NULL, run_loop, base), 0);

	char *ok = http_get((struct sockaddr_in *)&bound, "/metrics");
	char *missing = http_get((struct sockaddr_in *)&bound, "/other");
	event_base_loopexit(base, NULL);
	pthread_join(loop, NULL);
	metrics_server_free(server);
	event_base_free(base);
	metrics_free(registry);

	cr_assert(strncmp(ok, "HTTP/1.0 200", 12) == 0 || strncmp(ok, "HTTP/1.1 200", 12) == 0,
	          "%s", ok);
	cr_assert_not_null(strstr(ok, "Content-Type: text/plain; version=0.0.4"), "%s", ok);
	cr_assert_not_null(strstr(ok, "\r\n\r\n# HELP scrapes_total x\n"), "%s", ok);
	cr_assert_not_null(strstr(ok, "\nscrapes_total 7\n"), "%s", ok);
	cr_assert_not_null(strstr(missing, " 404 "), "%s", missing);
	free(ok);
	free(missing);
}

Test(metrics, reports_an_address_in_use)
{
	struct event_base *base = event_base_new();
	struct metrics *registry = metrics_new();
	struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = 0};
	any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct metrics_server *first = NULL, *second = NULL;
	cr_assert_eq(metrics_serve(registry, base, (struct sockaddr *)&any, sizeof(any), &first),
	             0);
	struct sockaddr_storage bound;
	socklen_t bound_length;
	cr_assert_eq(metrics_server_address(first, &bound, &bound_length), 0);
	/* A listening socket stays exclusive even with SO_REUSEADDR. */
	cr_assert_lt(
	        metrics_serve(registry, base, (struct sockaddr *)&bound, bound_length, &second), 0);
	metrics_server_free(first);
	event_base_free(base);
	metrics_free(registry);
}
