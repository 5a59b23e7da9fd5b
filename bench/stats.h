/*
 * stats.h - percentiles of latency samples and medians of repeated runs.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Sorts samples (nanoseconds) in place and returns the p-th percentile
 * (0 < p <= 100) by nearest rank. count must be at least 1.
 */
uint64_t bench_percentile_ns(uint64_t *samples, size_t count, double p);

/* Sorts values in place and returns their median. count must be at least 1. */
double bench_median(double *values, size_t count);

#endif
