/*
 * floor_shm.h - the floor of a design beyond the relay: a client process
 * and a server process that call each other directly through shared
 * memory, woken by futexes, with no process in the middle. binderd could
 * set this up (a memfd mapped by both, handed out by binderd) so that a
 * call skips binderd's two socket hops. A prototype's figure, measured in
 * the same run as binderd's; binderd itself does nothing of the kind.
 */
#ifndef BENCH_FLOOR_SHM_H
#define BENCH_FLOOR_SHM_H

#include "config.h"

struct shm_floor_results {
	/* 64 B call roundtrip from one client thread, medians over runs of
	 * each run's p50 and p99, in microseconds. */
	double call_64b_p50_us;
	double call_64b_p99_us;
	/* 64 B calls per second from the threads asked for, the median of
	 * the rounds. */
	double calls_per_s;
};

/*
 * Measures the floor with a forked server process (one per figure):
 * the roundtrip latency of one client thread, with the amounts of the
 * AF_UNIX floor's ping-pong (config->warmup_calls untimed calls, then
 * config->runs runs of config->unix_pingpongs_per_run calls), and the
 * calls per second of `threads` client threads (1 to
 * BENCH_MAX_CLIENT_THREADS) as the relay floor measures them (a warm-up
 * round, then config->runs rounds of config->thread_run_seconds).
 * Not thread-safe; forks, so call it while this process has one thread.
 * Every wait is bounded. 0 or -errno: -ECONNRESET if the server died,
 * -ETIMEDOUT after 10 s without progress, -EBADMSG for a wrong echo,
 * -EIO if the server exited with a failure.
 */
int bench_shm_floor(const struct bench_config *config, int threads,
                    struct shm_floor_results *results);

#endif
