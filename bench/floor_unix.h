/*
 * floor_unix.h - the floor the binder figures are compared with: a raw
 * AF_UNIX SOCK_STREAM ping-pong and echo between two processes.
 */
#ifndef BENCH_FLOOR_UNIX_H
#define BENCH_FLOOR_UNIX_H

#include "config.h"

struct unix_floor_results {
	/* 64 B ping-pong roundtrip, medians over runs of each run's p50/p99. */
	double pingpong_64b_p50_us;
	double pingpong_64b_p99_us;
	/* 1 MiB echo: request + reply bytes per second, in GB/s (1e9 B/s),
	 * median over runs. */
	double echo_1mib_gb_per_s;
};

/* Measures the floor with a forked echo process. 0 or -errno. */
int bench_unix_floor(const struct bench_config *config, struct unix_floor_results *results);

#endif
