/*
 * stats.c - percentiles of latency samples and medians of repeated runs.
 */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return (x > y) - (x < y);
}

uint64_t bench_percentile_ns(uint64_t *samples, size_t count, double p)
{
	size_t rank;

	qsort(samples, count, sizeof(*samples), compare_u64);
	rank = (size_t)ceil(p / 100.0 * (double)count);
	if (rank < 1)
		rank = 1;
	if (rank > count)
		rank = count;
	return samples[rank - 1];
}

double bench_median(double *values, size_t count)
{
	qsort(values, count, sizeof(*values), compare_double);
	if (count % 2)
		return values[count / 2];
	return (values[count / 2 - 1] + values[count / 2]) / 2.0;
}
