/* metrics_endpoint.c - the /metrics server on its own event_base thread
 * (see metrics_endpoint.h). libevent is not set up for threads here, so
 * the main thread never touches the base while the loop runs: it stops the
 * loop by writing to an eventfd the loop watches, and frees everything
 * after joining the thread. */
#include "metrics_endpoint.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "metrics.h"

struct metrics_endpoint {
	struct event_base *base;
	struct metrics_server *server;
	int stop_fd;              /* eventfd: readable once stop was asked */
	struct event *stop_event; /* on base: breaks the loop */
	pthread_t thread;
};

static void on_stop(evutil_socket_t fd, short what, void *argument)
{
	(void)what;
	struct metrics_endpoint *endpoint = argument;
	uint64_t value;
	if (read(fd, &value, sizeof(value)) < 0 && errno != EAGAIN)
		log_warning("metrics: reading the stop event: %s", strerror(errno));
	event_base_loopbreak(endpoint->base);
}

static void *run(void *argument)
{
	struct metrics_endpoint *endpoint = argument;
	if (event_base_dispatch(endpoint->base) < 0)
		log_error("metrics: the event loop failed");
	return NULL;
}

/* Frees what was made (the thread is not running). */
static void destroy(struct metrics_endpoint *endpoint)
{
	metrics_server_free(endpoint->server);
	if (endpoint->stop_event)
		event_free(endpoint->stop_event);
	if (endpoint->stop_fd >= 0)
		close(endpoint->stop_fd);
	if (endpoint->base)
		event_base_free(endpoint->base);
	free(endpoint);
}

int metrics_endpoint_start(struct metrics *registry, const struct metrics_listen *address,
                           struct metrics_endpoint **out)
{
	struct metrics_endpoint *endpoint = calloc(1, sizeof(*endpoint));
	if (!endpoint)
		return -ENOMEM;
	endpoint->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (endpoint->stop_fd < 0) {
		int status = -errno;
		log_error("metrics: cannot make an eventfd: %s", strerror(errno));
		destroy(endpoint);
		return status;
	}
	endpoint->base = event_base_new();
	if (endpoint->base)
		endpoint->stop_event = event_new(endpoint->base, endpoint->stop_fd,
		                                 EV_READ | EV_PERSIST, on_stop, endpoint);
	if (!endpoint->stop_event || event_add(endpoint->stop_event, NULL) != 0) {
		log_error("metrics: cannot set up the event loop");
		destroy(endpoint);
		return -ENOMEM;
	}
	int status =
	        metrics_serve(registry, endpoint->base, (const struct sockaddr *)&address->address,
	                      address->length, &endpoint->server);
	if (status) {
		const char *hint =
		        status == -EADDRINUSE ? " (is another server on that port?)" : "";
		log_error("cannot serve metrics on %s: %s%s", address->text, strerror(-status),
		          hint);
		destroy(endpoint);
		return status;
	}
	struct sockaddr_storage bound;
	socklen_t length;
	char text[METRICS_LISTEN_MAX_TEXT + 1];
	if (metrics_server_address(endpoint->server, &bound, &length) == 0)
		metrics_listen_format(&bound, text, sizeof(text));
	else
		snprintf(text, sizeof(text), "%s", address->text);
	int error = pthread_create(&endpoint->thread, NULL, run, endpoint);
	if (error) {
		log_error("metrics: cannot start the server thread: %s", strerror(error));
		destroy(endpoint);
		return -error;
	}
	log_info("metrics on http://%s/metrics", text);
	*out = endpoint;
	return 0;
}

void metrics_endpoint_stop(struct metrics_endpoint *endpoint)
{
	if (!endpoint)
		return;
	uint64_t one = 1;
	if (write(endpoint->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_warning("metrics: cannot signal the server thread: %s", strerror(errno));
	pthread_join(endpoint->thread, NULL);
	destroy(endpoint);
}
