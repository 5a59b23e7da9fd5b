/*
 * link.c - one TLS connection to a peer: the handshake (TLS, then one
 * Hello each way), reading and checking frames and handing each to the
 * code that acts on it, sending frames from any thread, keepalive pings,
 * and the end of the link (its calls fail, its objects die, its teardown
 * runs on a thread of its own).
 */
#include "bridge.h"

#include <errno.h>
#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>

#include "log.h"

/* Output a link may hold before senders are refused (bytes). */
#define LINK_MAX_OUTPUT (64u << 20)
/* Frames this large go to the output buffer by reference, without the
 * copy bufferevent_write makes (1 MiB less to copy per 1 MiB call and
 * side). Smaller ones are copied, so that several share a TLS record. */
#define LINK_REFERENCE_FRAME_SIZE (64u << 10)
/* Frames up to this size go straight to SSL_write from the sending thread
 * when nothing is queued before them (write_now). libevent's own writes
 * take at most this much (its WRITE_FRAME) from the buffer's first chain,
 * so that, if the socket is full, the frame queued whole is exactly what
 * OpenSSL expects the retried SSL_write to start with. */
#define LINK_DIRECT_FRAME_SIZE 15000u

uint64_t now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

static void link_read(struct bufferevent *bev, void *argument);
static void link_event(struct bufferevent *bev, short what, void *argument);
static void link_keepalive(evutil_socket_t fd, short what, void *argument);
static void link_handshake_timeout(evutil_socket_t fd, short what, void *argument);

struct link *link_new(struct bridge *bridge, int fd, SSL *ssl, bool initiated_here,
                      struct peer *peer)
{
	const struct config_limits *limits = &bridge->config->limits;
	struct link *link = calloc(1, sizeof(*link));
	if (!link)
		return NULL;
	atomic_init(&link->refcount, 1);
	link->bridge = bridge;
	link->peer = peer;
	if (peer)
		snprintf(link->peer_name, sizeof(link->peer_name), "%s", peer->config->name);
	else
		snprintf(link->peer_name, sizeof(link->peer_name), "?");
	link->initiated_here = initiated_here;
	link->serial = ++bridge->next_link_serial;
	link->state = LINK_TLS;
	link->peer_max_frame_size = 4096;
	link->next_call_id = 1;
	/* Chain ids of the two sides never meet: odd here when we connected. */
	link->next_chain_id = initiated_here ? 1 : 2;
	link->next_node_id = 1;
	pthread_mutex_init(&link->lock, NULL);
	pthread_cond_init(&link->jobs_ready, NULL);
	pthread_cond_init(&link->oneway_ready, NULL);
	TAILQ_INIT(&link->jobs);
	TAILQ_INIT(&link->oneway_jobs);
	LIST_INIT(&link->domains);
	link->bev = bufferevent_openssl_socket_new(
	        bridge->base, fd, ssl,
	        initiated_here ? BUFFEREVENT_SSL_CONNECTING : BUFFEREVENT_SSL_ACCEPTING,
	        BEV_OPT_CLOSE_ON_FREE | BEV_OPT_THREADSAFE | BEV_OPT_DEFER_CALLBACKS |
	                BEV_OPT_UNLOCK_CALLBACKS);
	if (!link->bev) {
		SSL_free(ssl);
		evutil_closesocket(fd);
		pthread_mutex_destroy(&link->lock);
		free(link);
		return NULL;
	}
	/* Reading stops while a whole frame's worth waits to be handled. */
	bufferevent_setwatermark(link->bev, EV_READ, 0,
	                         (size_t)limits->max_frame_size + FRAME_HEADER_SIZE);
	bufferevent_setcb(link->bev, link_read, NULL, link_event, link);
	bufferevent_enable(link->bev, EV_READ | EV_WRITE);
	link->keepalive = event_new(bridge->base, -1, EV_PERSIST, link_keepalive, link);
	link->handshake_timer = evtimer_new(bridge->base, link_handshake_timeout, link);
	struct timeval handshake = {limits->handshake_timeout_ms / 1000,
	                            (suseconds_t)(limits->handshake_timeout_ms % 1000) * 1000};
	evtimer_add(link->handshake_timer, &handshake);
	link->last_receive_ms = now_ms();
	if (!initiated_here)
		bridge->handshaking++;
	LIST_INSERT_HEAD(&bridge->links, link, entry);
	return link;
}

struct link *link_ref(struct link *link)
{
	atomic_fetch_add(&link->refcount, 1);
	return link;
}

void link_unref(struct link *link)
{
	if (!link || atomic_fetch_sub(&link->refcount, 1) != 1)
		return;
	/* Everything else went in the teardown; the bufferevent was freed on
	 * the loop (its last reference may be the one a sender held). */
	pthread_mutex_destroy(&link->lock);
	pthread_cond_destroy(&link->jobs_ready);
	pthread_cond_destroy(&link->oneway_ready);
	free(link->threads);
	free(link);
}

/* evbuffer_add_reference's cleanup: the frame's bytes are sent. */
static void free_sent_frame(const void *data, size_t length, void *extra)
{
	(void)length;
	(void)extra;
	free((void *)data);
}

/*
 * With bev locked and its output empty: writes the frame with SSL_write
 * here, in the sending thread. Queued through the bufferevent, the frame
 * would be written in this thread too, but libevent would first ask the
 * loop thread to watch the socket for writing and then to stop: two
 * wake-ups of the loop, for nothing, per frame. true when the whole frame
 * went out; false when it must be queued (the socket is full, or TLS
 * wants something first): OpenSSL then holds what it encrypted, and
 * libevent's retry of the queued frame starts with the same bytes, as a
 * retried SSL_write must.
 */
static bool write_now(struct bufferevent *bev, const uint8_t *bytes, size_t size)
{
	SSL *ssl = bufferevent_openssl_get_ssl(bev);
	if (!ssl || size > LINK_DIRECT_FRAME_SIZE || !(bufferevent_get_enabled(bev) & EV_WRITE) ||
	    !SSL_is_init_finished(ssl))
		return false;
	ERR_clear_error();
	int written = SSL_write(ssl, bytes, (int)size);
	ERR_clear_error();
	return written == (int)size;
}

int link_send(struct link *link, const Bridge__Frame *frame)
{
	uint8_t *bytes;
	size_t size;
	struct bufferevent *bev;
	uint32_t limit;

	pthread_mutex_lock(&link->lock);
	if (link->closed || !link->bev) {
		pthread_mutex_unlock(&link->lock);
		return -EPIPE;
	}
	bev = link->bev;
	bufferevent_incref(bev);
	limit = link->peer_max_frame_size;
	pthread_mutex_unlock(&link->lock);

	int status = frame_encode(frame, limit, &bytes, &size);
	if (status == 0) {
		struct evbuffer *output = bufferevent_get_output(bev);
		bool by_reference = size >= LINK_REFERENCE_FRAME_SIZE;

		bufferevent_lock(bev);
		if (evbuffer_get_length(output) > LINK_MAX_OUTPUT)
			status = -ENOBUFS;
		else if (evbuffer_get_length(output) == 0 && write_now(bev, bytes, size))
			by_reference = false;
		else if (by_reference)
			status = evbuffer_add_reference(output, bytes, size, free_sent_frame,
			                                NULL) == 0
			                 ? 0
			                 : -ENOMEM;
		else if (bufferevent_write(bev, bytes, size) != 0)
			status = -ENOMEM;
		bufferevent_unlock(bev);
		/* Taken by reference: freed by free_sent_frame once sent. */
		if (!by_reference || status != 0)
			free(bytes);
		link->last_send_ms = now_ms();
		if (status == 0)
			bridge_metrics_bytes(link, size, true);
	}
	bufferevent_decref(bev);
	return status;
}

void link_send_error(struct link *link, uint64_t call_id, int32_t status, const char *format, ...)
{
	char message[FRAME_MAX_MESSAGE];
	va_list arguments;
	va_start(arguments, format);
	vsnprintf(message, sizeof(message), format, arguments);
	va_end(arguments);
	Bridge__Error error = BRIDGE__ERROR__INIT;
	error.call_id = call_id;
	error.status = status < 0 ? status : BINDER_UNKNOWN_ERROR;
	error.message = message;
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_ERROR;
	frame.error = &error;
	link_send(link, &frame);
}

/* ---- handshake ---- */

static void send_hello(struct link *link)
{
	struct bridge *bridge = link->bridge;
	const struct config *config = bridge->config;
	char *exports[CONFIG_MAX_EXPORTS];
	size_t export_count = 0;

	for (size_t i = 0; i < config->export_count; i++)
		if (config_exports_to(config, config->exports[i].service, link->peer_name))
			exports[export_count++] = config->exports[i].service;
	Bridge__Hello hello = BRIDGE__HELLO__INIT;
	hello.version = FRAME_PROTOCOL_VERSION;
	hello.node_name = config->name;
	hello.n_exports = export_count;
	hello.exports = exports;
	hello.max_frame_size = config->limits.max_frame_size;
	hello.max_calls_in_flight = config->limits.max_calls_in_flight;
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_HELLO;
	frame.hello = &hello;
	/* The peer's limit is unknown yet: a Hello is small. */
	pthread_mutex_lock(&link->lock);
	link->peer_max_frame_size = config->limits.max_frame_size;
	pthread_mutex_unlock(&link->lock);
	link_send(link, &frame);
}

static void tls_connected(struct link *link)
{
	struct bridge *bridge = link->bridge;
	SSL *ssl = bufferevent_openssl_get_ssl(link->bev);
	const struct config_peer *identified = tls_identify_peer(bridge->config, ssl);

	if (!identified) {
		bridge_metrics_handshake(bridge, false);
		link_close(link, "the peer's certificate names no configured peer");
		return;
	}
	if (link->peer && link->peer->config != identified) {
		bridge_metrics_handshake(bridge, false);
		link_close(link, "the peer's certificate names another peer");
		return;
	}
	if (!link->peer) {
		for (size_t i = 0; i < bridge->peer_count; i++)
			if (bridge->peers[i].config == identified)
				link->peer = &bridge->peers[i];
		snprintf(link->peer_name, sizeof(link->peer_name), "%s", identified->name);
	}
	bridge_metrics_handshake(bridge, true);
	log_info("link %llu: TLS up with %s (%s)", (unsigned long long)link->serial,
	         link->peer_name, link->initiated_here ? "we connected" : "it connected");
	link->state = LINK_HELLO;
	send_hello(link);
}

static void handle_hello(struct link *link, Bridge__Frame *frame)
{
	const Bridge__Hello *hello = frame->hello;
	if (strcmp(hello->node_name, link->peer_name) != 0) {
		log_warning("link %llu: Hello names %s, the certificate %s",
		            (unsigned long long)link->serial, hello->node_name, link->peer_name);
		link_close(link, "Hello names another node than the certificate");
		return;
	}
	pthread_mutex_lock(&link->lock);
	link->peer_max_frame_size = hello->max_frame_size;
	pthread_mutex_unlock(&link->lock);
	for (size_t i = 0; i < hello->n_exports; i++)
		log_debug("link %llu: %s exports %s to us", (unsigned long long)link->serial,
		          link->peer_name, hello->exports[i]);
	evtimer_del(link->handshake_timer);
	if (workers_start(link) != 0) {
		link_close(link, "cannot start its threads");
		return;
	}
	link->state = LINK_UP;
	if (!link->initiated_here)
		link->bridge->handshaking--;
	uint32_t interval = link->bridge->config->limits.keepalive_interval_ms;
	struct timeval tick = {interval / 2000, (suseconds_t)(interval / 2 % 1000) * 1000};
	evtimer_add(link->keepalive, &tick);
	peer_link_up(link->peer, link);
}

/* ---- reading ---- */

static void handle_frame(struct link *link, Bridge__Frame *frame)
{
	if (link->state == LINK_HELLO) {
		if (frame->body_case != BRIDGE__FRAME__BODY_HELLO) {
			link_close(link, "the first frame is not a Hello");
		} else {
			handle_hello(link, frame);
		}
		frame_free(frame);
		return;
	}
	switch (frame->body_case) {
	case BRIDGE__FRAME__BODY_HELLO:
		link_send_error(link, 0, BINDER_INVALID_OPERATION, "a second Hello");
		frame_free(frame);
		return;
	case BRIDGE__FRAME__BODY_TRANSACTION:
		calls_incoming_transaction(link, frame);
		return;
	case BRIDGE__FRAME__BODY_REPLY:
		calls_incoming_reply(link, frame);
		return;
	case BRIDGE__FRAME__BODY_PING: {
		Bridge__Pong pong = BRIDGE__PONG__INIT;
		pong.nonce = frame->ping->nonce;
		Bridge__Frame answer = BRIDGE__FRAME__INIT;
		answer.body_case = BRIDGE__FRAME__BODY_PONG;
		answer.pong = &pong;
		link_send(link, &answer);
		frame_free(frame);
		return;
	}
	case BRIDGE__FRAME__BODY_PONG:
		frame_free(frame);
		return;
	case BRIDGE__FRAME__BODY_ERROR: {
		/* The peer's text, made safe for a log line. */
		char message[FRAME_MAX_MESSAGE + 1];
		snprintf(message, sizeof(message), "%s", frame->error->message);
		for (char *c = message; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		log_warning("link %llu: %s refused something: %s (%s)",
		            (unsigned long long)link->serial, link->peer_name, message,
		            binder_status_to_string(frame->error->status));
		if (frame->error->call_id)
			calls_incoming_error(link, frame->error->call_id, frame->error->status);
		frame_free(frame);
		return;
	}
	case BRIDGE__FRAME__BODY_RELEASE: {
		/* Here, in the order frames came: calls that came before it
		 * resolved their nodes already (calls.c), later ones find the
		 * node gone. Only the freeing, which talks to the driver, goes
		 * to a worker. */
		struct export_node *released =
		        nodes_handle_release(link, frame->release->node_id, frame->release->count);
		frame_free(frame);
		if (released) {
			struct job *job = calloc(1, sizeof(*job));
			if (job)
				job->released = released;
			if (!job || workers_queue_job(link, job, false) != 0) {
				free(job);
				nodes_free_export(released); /* rare: here, then */
			}
		}
		return;
	}
	case BRIDGE__FRAME__BODY_DEATH:
		if (!nodes_stands_for(link, frame->death->node_id)) {
			/* Released here already (the Release and the Death
			 * crossed), or never sent: nothing to kill. */
			log_debug("link %llu: death of node %llu, which nothing here stands for",
			          (unsigned long long)link->serial,
			          (unsigned long long)frame->death->node_id);
			frame_free(frame);
			return;
		}
		if (workers_queue(link, frame, true) != 0) {
			frame_free(frame);
			link_close(link, "too many requests queued");
		}
		return;
	case BRIDGE__FRAME__BODY_IMPORT_REQUEST:
	case BRIDGE__FRAME__BODY_IMPORT_REPLY:
		if (workers_queue(link, frame, false) != 0) {
			frame_free(frame);
			link_close(link, "too many requests queued");
		}
		return;
	default:
		frame_free(frame);
		return;
	}
}

static void link_read(struct bufferevent *bev, void *argument)
{
	struct link *link = argument;
	struct evbuffer *input = bufferevent_get_input(bev);
	uint32_t limit = link->bridge->config->limits.max_frame_size;
	char error[256];

	link_ref(link);
	while (link->state == LINK_HELLO || link->state == LINK_UP) {
		uint8_t header[FRAME_HEADER_SIZE];
		uint32_t body_size;
		if (evbuffer_copyout(input, header, sizeof(header)) < (ssize_t)sizeof(header))
			break;
		if (frame_read_length(header, limit, &body_size) != 0) {
			link_send_error(link, 0, BINDER_BAD_VALUE, "frame length %u refused",
			                (unsigned)(((uint32_t)header[0] << 24) | (header[1] << 16) |
			                           (header[2] << 8) | header[3]));
			link_close(link, "a frame above the size limit");
			break;
		}
		if (evbuffer_get_length(input) < FRAME_HEADER_SIZE + (size_t)body_size)
			break;
		uint8_t *bytes = evbuffer_pullup(input, FRAME_HEADER_SIZE + (ssize_t)body_size);
		Bridge__Frame *frame = NULL;
		int status = bytes ? frame_decode(bytes + FRAME_HEADER_SIZE, body_size, limit,
		                                  &frame, error, sizeof(error))
		                   : -ENOMEM;
		evbuffer_drain(input, FRAME_HEADER_SIZE + (size_t)body_size);
		bridge_metrics_bytes(link, FRAME_HEADER_SIZE + (size_t)body_size, false);
		link->last_receive_ms = now_ms();
		if (status != 0) {
			log_warning("link %llu: bad frame from %s: %s",
			            (unsigned long long)link->serial, link->peer_name,
			            bytes ? error : "out of memory");
			if (link->state != LINK_UP) {
				link_close(link, "a bad frame in the handshake");
				break;
			}
			link_send_error(link, 0, BINDER_BAD_VALUE, "bad frame: %s", error);
			continue;
		}
		handle_frame(link, frame);
	}
	link_unref(link);
}

static void link_event(struct bufferevent *bev, short what, void *argument)
{
	struct link *link = argument;
	(void)bev;

	if (what & BEV_EVENT_CONNECTED) {
		tls_connected(link);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		char why[256] = "the peer closed the connection";
		unsigned long code = bufferevent_get_openssl_error(link->bev);
		int error = EVUTIL_SOCKET_ERROR();
		if (code && ERR_GET_LIB(code) != 0) {
			char reason[200];
			if (link->state == LINK_TLS)
				bridge_metrics_handshake(link->bridge, false);
			ERR_error_string_n(code, reason, sizeof(reason));
			snprintf(why, sizeof(why), "TLS: %s", reason);
		} else if ((what & BEV_EVENT_ERROR) && error) {
			snprintf(why, sizeof(why), "%s", evutil_socket_error_to_string(error));
		}
		link_close(link, why);
	}
}

static void link_handshake_timeout(evutil_socket_t fd, short what, void *argument)
{
	struct link *link = argument;
	(void)fd;
	(void)what;
	if (link->state == LINK_TLS)
		bridge_metrics_handshake(link->bridge, false);
	link_close(link, "the handshake took too long");
}

static void link_keepalive(evutil_socket_t fd, short what, void *argument)
{
	struct link *link = argument;
	const struct config_limits *limits = &link->bridge->config->limits;
	uint64_t now = now_ms();
	(void)fd;
	(void)what;

	if (now - link->last_receive_ms >= limits->keepalive_timeout_ms) {
		link_close(link, "the peer is silent (keepalive timeout)");
		return;
	}
	if (now - link->last_receive_ms >= limits->keepalive_interval_ms ||
	    now - link->last_send_ms >= limits->keepalive_interval_ms) {
		Bridge__Ping ping = BRIDGE__PING__INIT;
		ping.nonce = now;
		Bridge__Frame frame = BRIDGE__FRAME__INIT;
		frame.body_case = BRIDGE__FRAME__BODY_PING;
		frame.ping = &ping;
		link_send(link, &frame);
	}
}

/* ---- the end ---- */

static void *link_teardown(void *argument)
{
	struct link *link = argument;
	struct domain *domain;

	workers_stop(link);
	/* Closing a context kills the stand-ins it owns for their holders
	 * (their death notifications) and waits for its threads. */
	pthread_mutex_lock(&link->lock);
	LIST_FOREACH(domain, &link->domains, entry)
	domain->closed = true;
	pthread_mutex_unlock(&link->lock);
	LIST_FOREACH(domain, &link->domains, entry)
	binder_context_close(domain->context);
	nodes_clear(link);
	while ((domain = LIST_FIRST(&link->domains))) {
		LIST_REMOVE(domain, entry);
		binder_context_unref(domain->context);
		free(domain);
	}
	log_debug("link %llu: torn down", (unsigned long long)link->serial);
	return NULL;
}

/* Before a link's bufferevent goes: what it still holds (an Error that
 * says why the link ends, say) is written as far as the socket takes it
 * without waiting, then TLS's close_notify, so that the peer learns why
 * and sees a clean end rather than a cut. Loop thread. */
static void flush_and_say_goodbye(struct bufferevent *bev)
{
	SSL *ssl = bufferevent_openssl_get_ssl(bev);
	struct evbuffer *output = bufferevent_get_output(bev);
	if (!ssl)
		return;
	bufferevent_lock(bev);
	for (int rounds = 0; rounds < 64 && evbuffer_get_length(output) > 0; rounds++) {
		size_t length = evbuffer_get_contiguous_space(output);
		if (length > 16384)
			length = 16384;
		const void *bytes = evbuffer_pullup(output, (ssize_t)length);
		int written = bytes ? SSL_write(ssl, bytes, (int)length) : -1;
		if (written <= 0)
			break;
		evbuffer_drain(output, (size_t)written);
	}
	SSL_shutdown(ssl);
	ERR_clear_error();
	bufferevent_unlock(bev);
}

/* Frees the links whose teardown finished. */
static void reap_dying(struct bridge *bridge)
{
	struct link *link, *next;
	for (link = LIST_FIRST(&bridge->dying_links); link; link = next) {
		next = LIST_NEXT(link, entry);
		if (link->teardown_started && pthread_tryjoin_np(link->teardown_thread, NULL) != 0)
			continue;
		LIST_REMOVE(link, entry);
		link_unref(link);
	}
}

void link_close(struct link *link, const char *why)
{
	struct bridge *bridge = link->bridge;
	bool was_up = link->state == LINK_UP;
	bool tls_was_up = link->state == LINK_UP || link->state == LINK_HELLO;

	if (link->state == LINK_CLOSED)
		return;
	reap_dying(bridge);
	if (!was_up && !link->initiated_here)
		bridge->handshaking--;
	link->state = LINK_CLOSED;
	if (was_up)
		log_info("link %llu to %s closed: %s", (unsigned long long)link->serial,
		         link->peer_name, why);
	else if (link->initiated_here)
		log_info("cannot reach %s (%s): %s", link->peer_name,
		         link->peer ? link->peer->config->address.text : "?", why);
	else
		log_warning("connection %llu refused (%s): %s", (unsigned long long)link->serial,
		            link->peer_name, why);
	pthread_mutex_lock(&link->lock);
	link->closed = true;
	struct bufferevent *bev = link->bev;
	link->bev = NULL;
	pthread_mutex_unlock(&link->lock);
	if (bev) {
		bufferevent_disable(bev, EV_READ | EV_WRITE);
		bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
		if (tls_was_up)
			flush_and_say_goodbye(bev);
		bufferevent_free(bev);
	}
	event_free(link->keepalive);
	link->keepalive = NULL;
	event_free(link->handshake_timer);
	link->handshake_timer = NULL;
	calls_fail_all(link);
	if (link->peer)
		peer_link_down(link->peer, link);
	LIST_REMOVE(link, entry);
	LIST_INSERT_HEAD(&bridge->dying_links, link, entry);
	if (pthread_create(&link->teardown_thread, NULL, link_teardown, link) == 0) {
		link->teardown_started = true;
	} else {
		log_error("link %llu: cannot start its teardown thread; tearing down here",
		          (unsigned long long)link->serial);
		link_teardown(link);
	}
}

void link_join_dying(struct bridge *bridge)
{
	struct link *link;
	while ((link = LIST_FIRST(&bridge->dying_links))) {
		LIST_REMOVE(link, entry);
		if (link->teardown_started)
			pthread_join(link->teardown_thread, NULL);
		link_unref(link);
	}
}
