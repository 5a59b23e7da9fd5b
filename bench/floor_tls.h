/*
 * floor_tls.h - the floor the bridge figures are compared with: a plain
 * TLS 1.3 echo over TCP loopback between two processes, set up as bridged
 * sets up its links (TLS 1.3 only, the EC certificates of
 * certs/make_certs.sh, a certificate demanded and checked on both sides,
 * no tickets, TCP_NODELAY), without any framing or binder.
 */
#ifndef BENCH_FLOOR_TLS_H
#define BENCH_FLOOR_TLS_H

#include "config.h"

/* The files of both ends (as certs/make_certs.sh DIR hosta hostb makes
 * them): the server is server_name, the client client_name; each checks
 * that the other's certificate names it and chains to ca. */
struct tls_floor_files {
	const char *ca;
	const char *server_name;
	const char *server_certificate;
	const char *server_key;
	const char *client_name;
	const char *client_certificate;
	const char *client_key;
};

struct tls_floor_results {
	/* 64 B ping-pong roundtrip, medians over runs of each run's p50/p99. */
	double pingpong_64b_p50_us;
	double pingpong_64b_p99_us;
	/* 1 MiB echo: request + reply bytes per second, in GB/s (1e9 B/s),
	 * median over runs. */
	double echo_1mib_gb_per_s;
};

/* Measures the floor with a forked echo process per message size, with
 * the amounts of the AF_UNIX floor (config->unix_pingpongs_per_run,
 * unix_echoes_per_run, runs, warmup_calls). Call it before the process
 * starts threads. 0 or -errno (-EPROTO: a TLS failure, reported on
 * stderr). */
int bench_tls_floor(const struct bench_config *config, const struct tls_floor_files *files,
                    struct tls_floor_results *results);

#endif
