/*
 * call_series.h - timed series of echo calls from one client thread: the
 * roundtrip percentiles and the bytes per second of repeated runs.
 */
#ifndef BENCH_CALL_SERIES_H
#define BENCH_CALL_SERIES_H

#include "binder_io.h"

struct call_series_result {
	/* Medians over runs of each run's p50 and p99, in microseconds. */
	double p50_us;
	double p99_us;
	/* Median over runs of request + reply bytes per second, in GB/s. */
	double gb_per_s;
};

struct call_series {
	uint32_t handle;
	/* The request; the reply must have the same size. */
	const void *payload;
	size_t size;
	int warmup_calls;
	int calls_per_run;
	/* A run also ends after this long, with the calls it has made. */
	double max_run_seconds;
	int runs;
};

/* One echo call whose reply is checked (size, first and last byte) and
 * freed. 0 or -errno (-EBADMSG for a wrong reply). */
int bench_echo_call(struct binder_io *io, uint32_t handle, const void *payload, size_t size);

/* Warms up, then times series->runs runs of calls_per_run calls (fewer if a
 * run reaches max_run_seconds). */
int bench_call_series(struct binder_io *io, const struct call_series *series,
                      struct call_series_result *result);

#endif
