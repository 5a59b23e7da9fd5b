/*
 * config.h - bridged's configuration: an INI file (read with inih) naming
 * this node, its listen addresses, its certificate, key and CA, its peers,
 * the services it exports (and to whom), the services it imports (from
 * whom, under which local name) and its limits.
 *
 *   [bridge]
 *   name = hostb                  ; this node: must match our certificate
 *   listen = 127.0.0.1:7000       ; may repeat; none: connect only
 *   certificate = /etc/bridged/hostb.crt
 *   key = /etc/bridged/hostb.key
 *   ca = /etc/bridged/ca.crt
 *   metrics = 127.0.0.1:9464      ; optional: Prometheus /metrics there; a
 *                                 ; bare port means 127.0.0.1:PORT. Off
 *                                 ; when absent
 *   device = /run/binderd/binder.sock ; optional binder device
 *   threads = 4                   ; worker threads per peer (1..64)
 *
 *   [peer hosta]
 *   address = 127.0.0.1:7001      ; optional: we connect there; without
 *                                 ; it we only accept hosta's connection
 *
 *   [export calculator]
 *   peers = hosta, hostc          ; who may import it ("*": every peer)
 *
 *   [import calculator@b]         ; the local name, registered here
 *   peer = hostb
 *   service = calculator          ; the name the peer exports
 *
 *   [limits]
 *   max_frame_size = 4259840      ; bytes, 4096 .. 64 MiB
 *   max_calls_in_flight = 256     ; per peer, 1 .. 65536
 *   call_timeout_ms = 30000       ; a two-way call to a silent peer fails
 *   handshake_timeout_ms = 5000
 *   keepalive_interval_ms = 5000  ; ping when the link is quiet that long
 *   keepalive_timeout_ms = 15000  ; no frame for that long: drop the link
 *   reconnect_min_ms = 100        ; backoff, doubled up to max, with jitter
 *   reconnect_max_ms = 10000
 *
 * Node, peer and service names: 1..127 bytes of [A-Za-z0-9_.-/@:].
 * Addresses: IPV4:PORT or [IPV6]:PORT, numeric.
 *
 * Details: a key may appear once per section, except listen and peers
 * (their values add up; a long peers list may also go on indented
 * continuation lines). An export needs peers; an import needs peer and
 * service. Relative certificate, key and ca paths are resolved against the
 * config file's directory and stored absolute; device is kept as written.
 * Lines other than section headers are at most 198 bytes (inih's limit).
 *
 * Ownership: config_load fills a struct the caller frees with config_free.
 * Thread-safety: read-only after loading.
 */
#ifndef BRIDGED_CONFIG_H
#define BRIDGED_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define CONFIG_MAX_NAME    127
#define CONFIG_MAX_LISTEN  8
#define CONFIG_MAX_PEERS   64
#define CONFIG_MAX_EXPORTS 256
#define CONFIG_MAX_IMPORTS 256

struct config_address {
	struct sockaddr_storage address;
	socklen_t length;
	char text[64]; /* as written in the file, for logs */
};

struct config_peer {
	char *name;
	bool has_address; /* false: we only accept this peer */
	struct config_address address;
};

struct config_export {
	char *service;
	bool all_peers; /* "*" */
	size_t peer_count;
	char **peers; /* names, each one of config.peers */
};

struct config_import {
	char *local_name;
	char *peer; /* one of config.peers */
	char *service;
};

struct config_limits {
	uint32_t max_frame_size;
	uint32_t max_calls_in_flight;
	uint32_t call_timeout_ms;
	uint32_t handshake_timeout_ms;
	uint32_t keepalive_interval_ms;
	uint32_t keepalive_timeout_ms;
	uint32_t reconnect_min_ms;
	uint32_t reconnect_max_ms;
};

struct config {
	char *path;
	char *name;
	size_t listen_count;
	struct config_address listen[CONFIG_MAX_LISTEN];
	char *certificate;
	char *key;
	char *ca;
	char *device; /* NULL: libbinder's default */
	uint32_t threads;
	bool has_metrics; /* metrics: serve /metrics on metrics_address */
	struct config_address metrics_address;
	size_t peer_count;
	struct config_peer *peers;
	size_t export_count;
	struct config_export *exports;
	size_t import_count;
	struct config_import *imports;
	struct config_limits limits;
};

/*
 * Reads path into *config (defaults for what the file leaves out). On
 * error returns a negative errno (-ENOENT: no file, -EINVAL: bad content)
 * and writes "FILE:LINE: reason" (or "FILE: reason") into error, which is
 * error_size bytes; *config is then empty and needs no config_free.
 * Checks: every required key present ([bridge] name, certificate, key,
 * ca), names valid, addresses parse, numbers in range, exports and
 * imports name configured peers, no duplicate peer / export / import
 * local name, unknown sections or keys refused.
 */
int config_load(const char *path, struct config *config, char *error, size_t error_size);
void config_free(struct config *config);

/* The peer named name, or NULL. */
const struct config_peer *config_find_peer(const struct config *config, const char *name);
/* Whether service is exported to peer ("*": to every configured peer; an
 * unconfigured peer name gets false). */
bool config_exports_to(const struct config *config, const char *service, const char *peer);

#endif
