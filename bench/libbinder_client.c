/*
 * libbinder_client.c - the libbinder benchmark's client process: it opens
 * its own context, finds the calculator and measures add() latency, add()
 * calls per second from 1 and 8 threads, and 1 MiB echo() throughput
 * (the request built once, its payload written in place, and sent for
 * every call: what a sender of a large buffer does without a copy).
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
/* How many bytes of each echoed reply are compared with the request. */
#define ECHO_CHECKED_BYTES 64

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

/*
 * The echo request, built once and sent for every call: the interface
 * token, then the byte array produced in place in the parcel
 * (binder_parcel_write_byte_array_in_place), so that no call copies the
 * payload in libbinder; *bytes is where it lies in the parcel.
 */
static int echo_request_new(size_t length, binder_parcel **out, const uint8_t **bytes)
{
	binder_parcel *data = binder_parcel_new();
	void *room = NULL;
	int status = data ? 0 : BINDER_NO_MEMORY;

	if (status == 0)
		status = binder_parcel_write_interface_token(data, BENCH_CALCULATOR_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_byte_array_in_place(data, length, &room);
	if (status < 0) {
		binder_parcel_free(data);
		return status;
	}
	for (size_t i = 0; i < length; i++)
		((uint8_t *)room)[i] = (uint8_t)(i * 31u + 7u);
	*out = data;
	*bytes = room;
	return 0;
}

/* One echo call with the prebuilt request: the reply read in place (the
 * length and the first bytes checked, not every byte: the figure is about
 * the IPC), as AIDL's proxy reads it (exception header, then the array). */
static int echo_once(binder_object *calculator, binder_parcel *data, const uint8_t *bytes,
                     size_t length)
{
	binder_parcel *reply = binder_parcel_new();
	const void *echoed = NULL;
	size_t echoed_length = 0;
	int32_t exception = BINDER_EX_NONE;
	int status = reply ? 0 : BINDER_NO_MEMORY;

	if (status == 0)
		status = binder_object_transact(calculator, BENCH_CALCULATOR_ECHO, data, reply, 0);
	if (status == 0)
		status = binder_parcel_read_exception(reply, &exception, NULL, NULL);
	if (status == 0 && exception != BINDER_EX_NONE)
		status = BINDER_BAD_VALUE;
	if (status == 0)
		status = binder_parcel_read_byte_array(reply, &echoed, &echoed_length);
	if (status == 0 &&
	    (!echoed || echoed_length != length ||
	     memcmp(echoed, bytes, length < ECHO_CHECKED_BYTES ? length : ECHO_CHECKED_BYTES)))
		status = BINDER_BAD_VALUE;
	binder_parcel_free(reply);
	return status;
}

static int measure_echo(binder_object *calculator, const struct bench_config *config,
                        struct libbinder_results *results)
{
	size_t length = bench_payload_size(BENCH_PAYLOAD_1MIB);
	int calls = config->calls_per_run[BENCH_PAYLOAD_1MIB];
	double rates[MAX_RUNS];
	binder_parcel *data = NULL;
	const uint8_t *bytes = NULL;
	int status = echo_request_new(length, &data, &bytes);

	for (int i = 0; i < ECHO_WARMUP_CALLS && status == 0; i++)
		status = echo_once(calculator, data, bytes, length);
	for (int run = 0; run < config->runs && status == 0; run++) {
		uint64_t start = bench_now_ns();
		uint64_t deadline = start + (uint64_t)(config->max_run_seconds * 1e9);
		uint64_t elapsed;
		int done = 0;

		while (done < calls && status == 0) {
			status = echo_once(calculator, data, bytes, length);
			done++;
			if (bench_now_ns() > deadline)
				break;
		}
		elapsed = bench_now_ns() - start;
		rates[run] = 2.0 * (double)length * done / ((double)elapsed / 1e9) / 1e9;
	}
	binder_parcel_free(data);
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
