/*
 * bridge_metrics.c - bridged's Prometheus metrics (the [bridge] metrics
 * key): the series it keeps per peer and for the node, where they are
 * served, and the small functions the rest of bridged calls at the points
 * it counts. With metrics off every series is NULL and those functions do
 * nothing (metrics.h's functions accept NULL).
 *
 * Series (peer: the configured peer's name):
 *   bridged_peer_connected{peer}               gauge, 1 while its link is up
 *   bridged_peer_reconnects_total{peer}        counter, link up again after one went
 *   bridged_calls_in_flight{peer}              gauge, our two-way calls waiting for a reply
 *   bridged_calls_total{peer,direction}        counter, outgoing / incoming calls
 *   bridged_call_failures_total{peer,kind}     counter, outgoing calls that failed, by kind
 *   bridged_call_round_trip_seconds{peer}      histogram, answered two-way outgoing calls
 *   bridged_bytes_total{peer,direction}        counter, frame bytes in / out
 *   bridged_tls_handshakes_total               counter, TLS handshakes done (peer identified)
 *   bridged_tls_handshake_failures_total       counter, TLS errors, refused certificates,
 *                                              handshake timeouts
 */
#include "bridge.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define NANOSECONDS_PER_SECOND 1000000000.0

/* Upper bounds of the round-trip buckets, in seconds. */
static const double round_trip_bounds[] = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
};
#define ROUND_TRIP_BUCKETS (sizeof(round_trip_bounds) / sizeof(round_trip_bounds[0]))

static const char *const failure_kind_names[CALL_FAILURE_KINDS] = {
        [CALL_FAILURE_DEAD_OBJECT] = "dead_object",
        [CALL_FAILURE_TIMED_OUT] = "timed_out",
        [CALL_FAILURE_FAILED_TRANSACTION] = "failed_transaction",
        [CALL_FAILURE_OTHER] = "other",
};

static int add_peer_series(struct metrics *registry, struct peer *peer)
{
	struct peer_metrics *series = &peer->metrics;
	const char *name = peer->config->name;
	struct metric_label just_peer[] = {{"peer", name}};
	struct metric_label outgoing[] = {{"peer", name}, {"direction", "outgoing"}};
	struct metric_label incoming[] = {{"peer", name}, {"direction", "incoming"}};
	struct metric_label bytes_in[] = {{"peer", name}, {"direction", "in"}};
	struct metric_label bytes_out[] = {{"peer", name}, {"direction", "out"}};

	series->connected = metrics_add_gauge(registry, "bridged_peer_connected",
	                                      "Whether the link to the peer is up (1) or not (0).",
	                                      just_peer, 1);
	series->reconnects = metrics_add_counter(registry, "bridged_peer_reconnects_total",
	                                         "Times a link to the peer came up after an "
	                                         "earlier one.",
	                                         just_peer, 1);
	series->calls_in_flight =
	        metrics_add_gauge(registry, "bridged_calls_in_flight",
	                          "Two-way calls to the peer waiting for a reply.", just_peer, 1);
	series->calls_out = metrics_add_counter(registry, "bridged_calls_total",
	                                        "Calls sent to (outgoing) or run for (incoming) "
	                                        "the peer.",
	                                        outgoing, 2);
	series->calls_in = metrics_add_counter(registry, "bridged_calls_total",
	                                       "Calls sent to (outgoing) or run for (incoming) "
	                                       "the peer.",
	                                       incoming, 2);
	for (int kind = 0; kind < CALL_FAILURE_KINDS; kind++) {
		struct metric_label labels[] = {{"peer", name}, {"kind", failure_kind_names[kind]}};
		series->failures[kind] = metrics_add_counter(
		        registry, "bridged_call_failures_total",
		        "Outgoing calls that failed, by kind (other: any other status, the "
		        "remote handler's own included).",
		        labels, 2);
		if (!series->failures[kind])
			return -ENOMEM;
	}
	series->round_trip = metrics_add_histogram(
	        registry, "bridged_call_round_trip_seconds",
	        "Time from sending a two-way call to the peer to its successful reply.", just_peer,
	        1, round_trip_bounds, ROUND_TRIP_BUCKETS);
	series->bytes_in = metrics_add_counter(registry, "bridged_bytes_total",
	                                       "Frame bytes received from (in) or sent to (out) "
	                                       "the peer.",
	                                       bytes_in, 2);
	series->bytes_out = metrics_add_counter(registry, "bridged_bytes_total",
	                                        "Frame bytes received from (in) or sent to (out) "
	                                        "the peer.",
	                                        bytes_out, 2);
	if (!series->connected || !series->reconnects || !series->calls_in_flight ||
	    !series->calls_out || !series->calls_in || !series->round_trip || !series->bytes_in ||
	    !series->bytes_out)
		return -ENOMEM;
	return 0;
}

int bridge_metrics_start(struct bridge *bridge)
{
	const struct config *config = bridge->config;
	if (!config->has_metrics)
		return 0;
	bridge->metrics = metrics_new();
	if (!bridge->metrics)
		return -ENOMEM;
	bridge->handshakes = metrics_add_counter(
	        bridge->metrics, "bridged_tls_handshakes_total",
	        "TLS handshakes done with a peer identified by its certificate.", NULL, 0);
	bridge->handshake_failures = metrics_add_counter(
	        bridge->metrics, "bridged_tls_handshake_failures_total",
	        "TLS handshakes that failed: TLS errors, refused certificates, timeouts.", NULL, 0);
	if (!bridge->handshakes || !bridge->handshake_failures)
		return -ENOMEM;
	for (size_t i = 0; i < bridge->peer_count; i++) {
		int status = add_peer_series(bridge->metrics, &bridge->peers[i]);
		if (status != 0)
			return status;
	}
	const struct config_address *address = &config->metrics_address;
	int status = metrics_serve(bridge->metrics, bridge->base,
	                           (const struct sockaddr *)&address->address, address->length,
	                           &bridge->metrics_server);
	if (status != 0) {
		log_error("cannot serve metrics on %s: %s", address->text, strerror(-status));
		return status;
	}
	log_info("metrics on http://%s/metrics", address->text);
	return 0;
}

void bridge_metrics_stop(struct bridge *bridge)
{
	metrics_server_free(bridge->metrics_server);
	bridge->metrics_server = NULL;
	metrics_free(bridge->metrics);
	bridge->metrics = NULL;
}

static struct peer_metrics *of_link(struct link *link)
{
	return link->peer ? &link->peer->metrics : NULL;
}

void bridge_metrics_link_up(struct peer *peer)
{
	if (peer->metrics.was_up)
		metric_increment(peer->metrics.reconnects);
	peer->metrics.was_up = true;
	metric_set(peer->metrics.connected, 1);
}

void bridge_metrics_link_down(struct peer *peer)
{
	metric_set(peer->metrics.connected, 0);
}

void bridge_metrics_handshake(struct bridge *bridge, bool done)
{
	metric_increment(done ? bridge->handshakes : bridge->handshake_failures);
}

void bridge_metrics_bytes(struct link *link, size_t size, bool out)
{
	struct peer_metrics *series = of_link(link);
	if (series)
		metric_add(out ? series->bytes_out : series->bytes_in, (int64_t)size);
}

uint64_t bridge_metrics_call_started(struct link *link, bool oneway)
{
	struct peer_metrics *series = of_link(link);
	struct timespec now;
	if (!series)
		return 0;
	metric_increment(series->calls_out);
	if (!oneway)
		metric_add(series->calls_in_flight, 1);
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

void bridge_metrics_call_ended(struct link *link, bool oneway, int status, uint64_t started)
{
	struct peer_metrics *series = of_link(link);
	struct timespec now;
	if (!series)
		return;
	if (!oneway)
		metric_add(series->calls_in_flight, -1);
	if (status != 0) {
		enum call_failure_kind kind =
		        status == BINDER_DEAD_OBJECT          ? CALL_FAILURE_DEAD_OBJECT
		        : status == BINDER_TIMED_OUT          ? CALL_FAILURE_TIMED_OUT
		        : status == BINDER_FAILED_TRANSACTION ? CALL_FAILURE_FAILED_TRANSACTION
		                                              : CALL_FAILURE_OTHER;
		metric_increment(series->failures[kind]);
		return;
	}
	if (oneway)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	uint64_t ended = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	metric_observe(series->round_trip, (double)(ended - started) / NANOSECONDS_PER_SECOND);
}

void bridge_metrics_call_received(struct link *link)
{
	struct peer_metrics *series = of_link(link);
	if (series)
		metric_increment(series->calls_in);
}
