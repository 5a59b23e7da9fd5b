/*
 * bridge_client.h - the bridge benchmark's client process: it calls the
 * benchmark's calculator (calculator.h) through libbinder, either one on
 * its own host (the local floor) or one imported from another host through
 * bridged, and measures its figures.
 */
#ifndef BENCH_BRIDGE_CLIENT_H
#define BENCH_BRIDGE_CLIENT_H

#include "config.h"

#include <stdbool.h>
#include <sys/types.h>

/* Client thread counts of the remote calls/s figures. */
#define BRIDGE_THREAD_COUNTS                                                                       \
	{                                                                                          \
		1, 16                                                                              \
	}
#define BRIDGE_THREAD_COUNT_CHOICES 2
#define BRIDGE_MAX_CLIENT_THREADS   16

/* Processes whose VmRSS is read around the object calls (both bridged). */
#define BRIDGE_MAX_RSS_PIDS 4

/* A figure not measured (its step failed) keeps this value. */
#define BRIDGE_NOT_MEASURED (-1.0)

/* The figures; the client processes fill them in shared memory. Times in
 * microseconds, rates in GB/s (request + reply array bytes) and calls/s.
 * Latencies are medians over runs of each run's percentile. */
struct bridge_results {
	/* echo(byte[64]) to a calculator on the client's own host. */
	double local_64b_p50_us;
	double local_64b_p99_us;
	/* echo(byte[N]) through the bridge, N of each enum bench_payload. */
	double remote_p50_us[BENCH_PAYLOAD_COUNT];
	double remote_p99_us[BENCH_PAYLOAD_COUNT];
	/* The 1 MiB series' back-to-back rate. */
	double remote_1mib_gb_per_s;
	/* 64 B echo calls per second from 1 and 16 threads of one client. */
	double remote_calls_per_s[BRIDGE_THREAD_COUNT_CHOICES];
	/* VmRSS (KiB) of each watched process before and after the object
	 * calls, -1 if it could not be read. */
	size_t rss_count;
	long rss_before_kib[BRIDGE_MAX_RSS_PIDS];
	long rss_after_kib[BRIDGE_MAX_RSS_PIDS];
	/* Object calls made between the two readings. */
	int object_calls_done;
};

struct bridge_client_options {
	const struct bench_config *config;
	/* The calculator's name in the client host's servicemanager. */
	const char *service;
	/* Calls that each carry a new local object, between the VmRSS
	 * readings of rss_pids (0: no such calls). */
	int object_calls;
	size_t rss_count;
	pid_t rss_pids[BRIDGE_MAX_RSS_PIDS];
};

/* Sets every figure to BRIDGE_NOT_MEASURED. */
void bridge_results_init(struct bridge_results *results);

/* The local floor: 64 B echo latency to options->service. 0 or a
 * negative status (reported on stderr). */
int bridge_client_local(const struct bridge_client_options *options,
                        struct bridge_results *results);

/* The remote figures through options->service: echo latency of each
 * payload, 1 MiB throughput, calls/s, then the object calls with the RSS
 * readings. A step that fails is reported on stderr and leaves its figures
 * unmeasured; the others still run. 0 if every step succeeded. */
int bridge_client_remote(const struct bridge_client_options *options,
                         struct bridge_results *results);

#endif
