/*
 * floor_relay.h - the throughput floor of the relay design: client threads
 * make 64 B round trips through a relay process (one thread, epoll, plain
 * reads and writes) to server threads in a third process. Each call makes
 * the four socket hops a binder call through binderd makes, with a single
 * event loop in the middle and none of binder's work: what binderd's
 * calls/s are compared with, measured in the same run.
 */
#ifndef BENCH_FLOOR_RELAY_H
#define BENCH_FLOOR_RELAY_H

#include "config.h"

/* Calls per second with `threads` client threads (1 to
 * BENCH_MAX_CLIENT_THREADS), the median of config->runs rounds of
 * config->thread_run_seconds after a warm-up round. 0 or -errno. */
int bench_relay_floor(const struct bench_config *config, int threads, double *calls_per_s);

#endif
