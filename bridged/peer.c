/*
 * peer.c - a configured peer across its connections: connecting to it
 * (when the config gives its address) with backoff and jitter, taking its
 * link when the handshake is done (one active link per peer), and what
 * happens when that link goes.
 */
#include "bridge.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

static void peer_connect(evutil_socket_t fd, short what, void *argument);

static void schedule_reconnect(struct peer *peer)
{
	const struct config_limits *limits = &peer->bridge->config->limits;
	if (!peer->config->has_address || peer->bridge->stopping)
		return;
	uint32_t delay = peer->backoff_ms ? peer->backoff_ms : limits->reconnect_min_ms;
	/* Full jitter on the upper half: peers that lost each other at once
	 * do not come back in step. */
	uint32_t jittered = delay / 2 + (uint32_t)(random() % (delay / 2 + 1));
	peer->backoff_ms =
	        delay * 2 > limits->reconnect_max_ms ? limits->reconnect_max_ms : delay * 2;
	struct timeval when = {jittered / 1000, (suseconds_t)(jittered % 1000) * 1000};
	evtimer_add(peer->reconnect, &when);
	log_debug("peer %s: connecting again in %u ms", peer->config->name, jittered);
}

void peer_start(struct peer *peer)
{
	peer->reconnect = evtimer_new(peer->bridge->base, peer_connect, peer);
	if (peer->config->has_address)
		event_active(peer->reconnect, EV_TIMEOUT, 0);
}

void peer_stop(struct peer *peer)
{
	if (peer->reconnect) {
		event_free(peer->reconnect);
		peer->reconnect = NULL;
	}
	for (size_t i = 0; i < peer->import_count; i++)
		if (peer->imports[i].retry) {
			event_free(peer->imports[i].retry);
			peer->imports[i].retry = NULL;
		}
}

static void peer_connect(evutil_socket_t unused, short what, void *argument)
{
	struct peer *peer = argument;
	struct bridge *bridge = peer->bridge;
	const struct config_address *address = &peer->config->address;
	(void)unused;
	(void)what;

	if (peer->link || peer->connecting || bridge->stopping)
		return;
	int fd = socket(address->address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warning("peer %s: socket: %s", peer->config->name, strerror(errno));
		schedule_reconnect(peer);
		return;
	}
	int one = 1;
	/* Latency only: a socket without it still works. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		log_debug("TCP_NODELAY: %s", strerror(errno));
	if (connect(fd, (const struct sockaddr *)&address->address, address->length) != 0 &&
	    errno != EINPROGRESS) {
		log_debug("peer %s: connect to %s: %s", peer->config->name, address->text,
		          strerror(errno));
		close(fd);
		schedule_reconnect(peer);
		return;
	}
	SSL *ssl = SSL_new(bridge->tls);
	if (!ssl) {
		close(fd);
		schedule_reconnect(peer);
		return;
	}
	/* The peer must prove the name the config gives it. */
	SSL_set1_host(ssl, peer->config->name);
	SSL_set_tlsext_host_name(ssl, peer->config->name);
	struct link *link = link_new(bridge, fd, ssl, true, peer);
	if (!link) {
		schedule_reconnect(peer);
		return;
	}
	peer->connecting = link;
	log_debug("peer %s: connecting to %s", peer->config->name, address->text);
}

/* Two links to one peer (both sides connected at once): both sides keep
 * the one that the node with the smaller name started. */
static bool keep_new_link(struct peer *peer, struct link *old, struct link *new)
{
	const char *own = peer->bridge->config->name;
	const char *other = peer->config->name;
	if (old->initiated_here == new->initiated_here)
		return true; /* a reconnect: the old one is stale */
	bool we_are_smaller = strcmp(own, other) < 0;
	return new->initiated_here == we_are_smaller;
}

void peer_link_up(struct peer *peer, struct link *link)
{
	if (peer->connecting == link)
		peer->connecting = NULL;
	if (peer->link) {
		if (!keep_new_link(peer, peer->link, link)) {
			link_close(link, "a link to this peer is up already");
			return;
		}
		link_close(peer->link, "replaced by a newer link");
	}
	peer->link = link;
	peer->backoff_ms = 0;
	bridge_metrics_link_up(peer);
	log_info("peer %s: link %llu up", peer->config->name, (unsigned long long)link->serial);
	imports_link_up(peer, link);
}

void peer_link_down(struct peer *peer, struct link *link)
{
	if (peer->connecting == link) {
		peer->connecting = NULL;
		schedule_reconnect(peer);
		return;
	}
	if (peer->link != link)
		return;
	peer->link = NULL;
	bridge_metrics_link_down(peer);
	imports_link_down(peer);
	schedule_reconnect(peer);
}
