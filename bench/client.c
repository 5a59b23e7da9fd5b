/*
 * client.c - the benchmark's client process: opens and maps the device,
 * then measures the roundtrip of each payload size, the calls/s with
 * several threads, and the cost of a call with many handles held.
 */
#include "client.h"

#include "binder_io.h"
#include "call_series.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Enough for a call, a pending free and BC_ACQUIRE for a batch of objects. */
#define CLIENT_WRITE_SIZE (16u * 1024u)
#define CLIENT_READ_SIZE  (4u * 1024u)

static int measure_payloads(struct binder_io *io, const struct bench_config *config,
                            const uint8_t *payload, struct binder_results *results)
{
	for (int p = 0; p < BENCH_PAYLOAD_COUNT; p++) {
		int calls = config->calls_per_run[p];
		struct call_series series = {
		        .handle = 0,
		        .payload = payload,
		        .size = bench_payload_size((enum bench_payload)p),
		        .warmup_calls = config->warmup_calls < calls / 4 + 1 ? config->warmup_calls
		                                                             : calls / 4 + 1,
		        .calls_per_run = calls,
		        .max_run_seconds = config->max_run_seconds,
		        .runs = config->runs,
		};
		struct call_series_result result;
		int ret;

		bench_progress(config, bench_payload_name((enum bench_payload)p));
		ret = bench_call_series(io, &series, &result);

		if (ret < 0) {
			fprintf(stderr, "binder_bench: %s calls failed: %s\n",
			        bench_payload_name((enum bench_payload)p), strerror(-ret));
			return ret;
		}
		results->call_p50_us[p] = result.p50_us;
		results->call_p99_us[p] = result.p99_us;
		if (p == BENCH_PAYLOAD_1MIB)
			results->call_1mib_gb_per_s = result.gb_per_s;
	}
	return 0;
}

int bench_client_main(const struct bench_config *config, struct binder_results *results)
{
	binder_device *device = NULL;
	struct binder_io io = {0};
	uint8_t *payload = malloc(BENCH_MAX_PAYLOAD);
	void *area;
	int ret;

	if (!payload)
		return -ENOMEM;
	for (size_t i = 0; i < BENCH_MAX_PAYLOAD; i++)
		payload[i] = (uint8_t)(i * 7 + 1);
	ret = binder_device_open(config->device_path, 0, &device);
	if (ret < 0) {
		fprintf(stderr, "binder_bench: cannot open %s: %s\n",
		        config->device_path ? config->device_path : binder_device_default_path(),
		        strerror(-ret));
		free(payload);
		return ret;
	}
	ret = binder_io_check_version(device);
	if (ret == 0)
		ret = binder_device_mmap(device, BENCH_AREA_SIZE, &area);
	if (ret == 0)
		ret = binder_io_init(&io, device, CLIENT_WRITE_SIZE, CLIENT_READ_SIZE);
	if (ret < 0)
		fprintf(stderr, "binder_bench: cannot set up the device: %s\n", strerror(-ret));
	if (ret == 0)
		ret = measure_payloads(&io, config, payload, results);
	if (ret == 0) {
		bench_progress(config, "client threads");
		ret = bench_measure_threads(device, config, results);
		if (ret < 0)
			fprintf(stderr, "binder_bench: threaded calls failed: %s\n",
			        strerror(-ret));
		/* A thread may still be stuck in a call: leave the device to
		 * the process's exit. */
		if (ret == -ETIMEDOUT)
			return ret;
	}
	if (ret == 0) {
		bench_progress(config, "handles");
		ret = bench_measure_handles(&io, config, results);
		if (ret < 0)
			fprintf(stderr, "binder_bench: handles figure failed: %s\n",
			        strerror(-ret));
	}
	bench_progress(config, "closing the client's device");
	binder_io_destroy(&io);
	binder_device_close(device);
	free(payload);
	return ret;
}
