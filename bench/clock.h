/*
 * clock.h - the monotonic clock the benchmark times everything with.
 */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t bench_now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static inline double bench_ns_to_us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

#endif
