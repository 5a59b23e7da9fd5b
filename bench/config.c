/*
 * config.c - the amounts of work of the full and of the --quick run.
 *
 * The full run stays well under two minutes on two cores; the quick run
 * takes a few seconds and only shows that every figure can be produced.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>

void bench_config_defaults(struct bench_config *config, bool quick)
{
	*config = (struct bench_config){
	        .device_path = NULL,
	        .quick = quick,
	        .runs = quick ? 3 : 5,
	        .warmup_calls = quick ? 200 : 2000,
	        .calls_per_run = {quick ? 500 : 20000, quick ? 500 : 10000, quick ? 100 : 2000,
	                          quick ? 10 : 200},
	        .max_run_seconds = quick ? 0.3 : 1.5,
	        .handles_many = BENCH_HANDLES_MANY,
	        .handle_calls_per_run = quick ? 500 : 10000,
	        .thread_run_seconds = quick ? 0.1 : 0.5,
	        .thread_warmup_seconds = quick ? 0.02 : 0.2,
	        .unix_pingpongs_per_run = quick ? 1000 : 20000,
	        .unix_echoes_per_run = quick ? 10 : 200,
	        .server_threads = 4,
	        .server_max_threads = BENCH_MAX_CLIENT_THREADS,
	        .timeout_seconds = quick ? 60.0 : 110.0,
	};
}

size_t bench_payload_size(enum bench_payload payload)
{
	static const size_t sizes[BENCH_PAYLOAD_COUNT] = {64, 4096, 65536, 1048576};

	return sizes[payload];
}

const char *bench_payload_name(enum bench_payload payload)
{
	static const char *const names[BENCH_PAYLOAD_COUNT] = {"64b", "4kib", "64kib", "1mib"};

	return names[payload];
}

void bench_progress(const struct bench_config *config, const char *phase)
{
	struct timespec now;

	if (!config->verbose)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(stderr, "binder_bench: [%ld.%03ld] %s\n", (long)now.tv_sec, now.tv_nsec / 1000000,
	        phase);
}
