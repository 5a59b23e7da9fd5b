/*
 * client.h - the benchmark's client process: it opens the device itself,
 * calls the service (handle 0) and measures every binder figure.
 */
#ifndef BENCH_CLIENT_H
#define BENCH_CLIENT_H

#include "config.h"

#include "binder/device.h"

/* The binder figures; the client process fills them in shared memory. */
struct binder_results {
	/* Roundtrip of one echo call: medians over runs of p50 and p99. */
	double call_p50_us[BENCH_PAYLOAD_COUNT];
	double call_p99_us[BENCH_PAYLOAD_COUNT];
	/* 1 MiB calls: request + reply bytes per second, GB/s. */
	double call_1mib_gb_per_s;
	/* 64 B calls per second with 1, 2, 8 and 32 client threads. */
	double calls_per_s[BENCH_THREAD_COUNT_CHOICES];
	/* 64 B call p50 to a held handle, with 10 and with
	 * bench_config.handles_many (100,000) held. */
	double handles_few_p50_us;
	double handles_many_p50_us;
};

/* Runs every binder measurement in the calling (forked) process against a
 * running benchmark server. 0 or -errno. */
int bench_client_main(const struct bench_config *config, struct binder_results *results);

/* Calls/s with several client threads of one process (client_threads.c). */
int bench_measure_threads(binder_device *device, const struct bench_config *config,
                          struct binder_results *results);

struct binder_io;

/* 64 B call cost with few and with many handles held (client_handles.c). */
int bench_measure_handles(struct binder_io *io, const struct bench_config *config,
                          struct binder_results *results);

#endif
