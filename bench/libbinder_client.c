/*
 * libbinder_client.c - the libbinder benchmark's client process: it opens
 * its own context, finds the calculator and measures add() latency, add()
 * calls per second from 1 and 8 threads, and 1 MiB echo() throughput.
 *
 * Every figure is the median over config->runs runs, each after untimed
 * warm-up calls, with the amounts of the raw benchmark (config.c).
 */
#include "libbinder_client.h"

#include "calculator.h"
#include "clock.h"
#include "stats.h"
#include "thread_round.h"

#include "binder/binder.h"
#include "binder/service_manager.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RUNS 16
/* Untimed calls each thread makes before a calls/s round starts. */
#define ECHO_WARMUP_CALLS 3

static int report(const char *what, int status)
{
	if (status < 0)
		fprintf(stderr, "libbinder_bench: client: %s: %s\n", what,
		        binder_status_to_string(status));
	return status;
}

static int add_once(binder_object *calculator, int32_t a)
{
	int32_t sum = 0;
	int status = bench_calculator_add(calculator, a, 7, &sum);

	if (status == 0 && sum != (int32_t)((uint32_t)a + 7u))
		status = BINDER_BAD_VALUE;
	return status;
}

/* One run of timed add calls: its p50 and p99 in microseconds. */
static int add_latency_run(binder_object *calculator, const struct bench_config *config,
                           uint64_t *samples, double *p50_us, double *p99_us)
{
	int calls = config->calls_per_run[BENCH_PAYLOAD_64B];
	uint64_t deadline;
	int count = 0;
	int status = 0;

	for (int i = 0; i < config->warmup_calls && status == 0; i++)
		status = add_once(calculator, i);
	deadline = bench_now_ns() + (uint64_t)(config->max_run_seconds * 1e9);
	while (count < calls && status == 0) {
		uint64_t start = bench_now_ns();
		uint64_t end;

		status = add_once(calculator, count);
		end = bench_now_ns();
		samples[count++] = end - start;
		if (end > deadline)
			break;
	}
	if (status < 0)
		return status;
	*p50_us = bench_ns_to_us(bench_percentile_ns(samples, (size_t)count, 50));
	*p99_us = bench_ns_to_us(bench_percentile_ns(samples, (size_t)count, 99));
	return 0;
}

static int measure_add_latency(binder_object *calculator, const struct bench_config *config,
                               struct libbinder_results *results)
{
	double p50[MAX_RUNS];
	double p99[MAX_RUNS];
	uint64_t *samples =
	        calloc((size_t)config->calls_per_run[BENCH_PAYLOAD_64B], sizeof(*samples));
	int status = samples ? 0 : BINDER_NO_MEMORY;

	for (int run = 0; run < config->runs && status == 0; run++)
		status = add_latency_run(calculator, config, samples, &p50[run], &p99[run]);
	free(samples);
	if (status < 0)
		return status;
	results->add_p50_us = bench_median(p50, (size_t)config->runs);
	results->add_p99_us = bench_median(p99, (size_t)config->runs);
	return 0;
}

/* One add in a calls/s round. */
static int add_call(void *calculator, uint64_t index)
{
	return add_once(calculator, (int32_t)index);
}

static int measure_threads(binder_object *calculator, const struct bench_config *config,
                           struct libbinder_results *results)
{
	static const int thread_counts[LIBBINDER_THREAD_COUNT_CHOICES] = LIBBINDER_THREAD_COUNTS;
	double rates[MAX_RUNS];
	double ignored;
	int status = 0;

	for (int c = 0; c < LIBBINDER_THREAD_COUNT_CHOICES && status == 0; c++) {
		status = thread_round_run(add_call, calculator, thread_counts[c],
		                          config->thread_warmup_seconds, "libbinder_bench",
		                          &ignored);
		for (int run = 0; run < config->runs && status == 0; run++)
			status = thread_round_run(add_call, calculator, thread_counts[c],
			                          config->thread_run_seconds, "libbinder_bench",
			                          &rates[run]);
		if (status == 0)
			results->calls_per_s[c] = bench_median(rates, (size_t)config->runs);
	}
	return status;
}

static int measure_echo(binder_object *calculator, const struct bench_config *config,
                        struct libbinder_results *results)
{
	size_t length = bench_payload_size(BENCH_PAYLOAD_1MIB);
	int calls = config->calls_per_run[BENCH_PAYLOAD_1MIB];
	double rates[MAX_RUNS];
	uint8_t *bytes = malloc(length);
	int status = bytes ? 0 : BINDER_NO_MEMORY;

	for (size_t i = 0; bytes && i < length; i++)
		bytes[i] = (uint8_t)(i * 31u + 7u);
	for (int i = 0; i < ECHO_WARMUP_CALLS && status == 0; i++)
		status = bench_calculator_echo(calculator, bytes, length);
	for (int run = 0; run < config->runs && status == 0; run++) {
		uint64_t start = bench_now_ns();
		uint64_t deadline = start + (uint64_t)(config->max_run_seconds * 1e9);
		uint64_t elapsed;
		int done = 0;

		while (done < calls && status == 0) {
			status = bench_calculator_echo(calculator, bytes, length);
			done++;
			if (bench_now_ns() > deadline)
				break;
		}
		elapsed = bench_now_ns() - start;
		rates[run] = 2.0 * (double)length * done / ((double)elapsed / 1e9) / 1e9;
	}
	free(bytes);
	if (status == 0)
		results->echo_1mib_gb_per_s = bench_median(rates, (size_t)config->runs);
	return status;
}

static int find_calculator(binder_context *context, bool via_service_manager,
                           binder_object **calculator)
{
	if (via_service_manager)
		return binder_service_manager_get(context, BENCH_CALCULATOR_NAME,
		                                  BINDER_SERVICE_MANAGER_DEFAULT_WAIT_MS,
		                                  calculator);
	return binder_context_manager(context, calculator);
}

int libbinder_client_main(const struct bench_config *config, bool via_service_manager,
                          struct libbinder_results *results)
{
	struct binder_context_options options;
	binder_context *context;
	binder_object *calculator;
	int status;

	if (config->runs > MAX_RUNS)
		return BINDER_BAD_VALUE;
	binder_context_options_init(&options);
	options.device = config->device_path;
	options.area_size = BENCH_AREA_SIZE;
	status = report("open the device", binder_context_new(&options, &context));
	if (status < 0)
		return status;
	status = report("find the calculator",
	                find_calculator(context, via_service_manager, &calculator));
	if (status == 0) {
		bench_progress(config, "libbinder: add latency");
		status = report("add latency", measure_add_latency(calculator, config, results));
		bench_progress(config, "libbinder: add calls/s");
		if (status == 0)
			status = report("calls/s", measure_threads(calculator, config, results));
		bench_progress(config, "libbinder: 1 MiB echo");
		if (status == 0)
			status = report("1 MiB echo", measure_echo(calculator, config, results));
		binder_object_unref(calculator);
	}
	binder_context_close(context);
	binder_context_unref(context);
	return status;
}
