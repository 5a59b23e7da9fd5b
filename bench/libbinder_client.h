/*
 * libbinder_client.h - the libbinder benchmark's client process: calls
 * the calculator through the public API and measures its figures.
 */
#ifndef BENCH_LIBBINDER_CLIENT_H
#define BENCH_LIBBINDER_CLIENT_H

#include "config.h"

#include <stdbool.h>

/* Thread counts of the libbinder calls/s figures. */
#define LIBBINDER_THREAD_COUNTS                                                                    \
	{                                                                                          \
		1, 8                                                                               \
	}
#define LIBBINDER_THREAD_COUNT_CHOICES 2

/* The figures; the client process fills them in shared memory. */
struct libbinder_results {
	/* add(int, int) roundtrip: medians over runs of p50 and p99. */
	double add_p50_us;
	double add_p99_us;
	/* add calls per second from 1 and 8 threads of one process. */
	double calls_per_s[LIBBINDER_THREAD_COUNT_CHOICES];
	/* echo(byte[1 MiB]): request + reply array bytes per second, GB/s. */
	double echo_1mib_gb_per_s;
};

/* Runs every measurement in the calling (forked) process; the calculator
 * is the context manager, or with via_service_manager the service
 * BENCH_CALCULATOR_NAME. 0 or a negative status. */
int libbinder_client_main(const struct bench_config *config, bool via_service_manager,
                          struct libbinder_results *results);

#endif
