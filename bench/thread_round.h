/*
 * thread_round.h - calls/s from N client threads: each thread makes a few
 * warm-up calls (which also register it with the driver), all start
 * together at a barrier, call until told to stop, and the rate is the
 * total calls over the time until the last thread finished. Shared by
 * libbinder_bench, bridge_bench and binder_bench's relay floor.
 */
#ifndef BENCH_THREAD_ROUND_H
#define BENCH_THREAD_ROUND_H

#include <stdint.h>

/* One call; index counts the thread's calls. 0 or a negative status. */
typedef int (*thread_round_call)(void *argument, uint64_t index);

/*
 * Runs threads threads calling call(argument, ...) for seconds; on
 * success *calls_per_s gets their total rate. Returns 0 or the first
 * negative status a call returned. Exits the program (naming program)
 * when the threads cannot be started, since nothing can be measured.
 */
int thread_round_run(thread_round_call call, void *argument, int threads, double seconds,
                     const char *program, double *calls_per_s);

#endif
