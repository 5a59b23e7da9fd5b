/*
 * bridge_client.c - the bridge benchmark's client process. It opens its
 * own context, gets the calculator from its host's servicemanager and
 * calls it as AIDL code does (calculator_proxy.c): echo(byte[N]) series
 * for the latency and throughput figures, echo(byte[64]) from 1 and 16
 * threads for calls/s, and add(int, int) calls (from 4 threads) that each
 * also carry a new local object, around which the watched processes' VmRSS
 * is read.
 *
 * Every latency figure is the median over config->runs runs of each run's
 * percentile, after untimed warm-up calls, with the amounts of the other
 * benchmarks (config.c).
 */
#include "bridge_client.h"
#include "thread_round.h"

#include "calculator.h"
#include "clock.h"
#include "stats.h"

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
/* How long to wait for the service in servicemanager. */
#define SERVICE_WAIT_MS 10000
/* Object calls made before the first VmRSS reading: the bridge's tables
 * and caches reach their working size first. */
#define OBJECT_WARMUP_CALLS 2000
/* Threads that make the object calls, each its share. */
#define OBJECT_THREADS 4
/* Pause before each VmRSS reading: the releases of the objects of the
 * last calls cross the bridge asynchronously. */
#define RSS_SETTLE_NS       (500 * 1000 * 1000L)
#define CALLBACK_DESCRIPTOR "bench.ICallback"

static int report(const char *what, int status)
{
	if (status < 0)
		fprintf(stderr, "bridge_bench: client: %s: %s\n", what,
		        binder_status_to_string(status));
	return status;
}

void bridge_results_init(struct bridge_results *results)
{
	memset(results, 0, sizeof(*results));
	results->local_64b_p50_us = BRIDGE_NOT_MEASURED;
	results->local_64b_p99_us = BRIDGE_NOT_MEASURED;
	for (int p = 0; p < BENCH_PAYLOAD_COUNT; p++) {
		results->remote_p50_us[p] = BRIDGE_NOT_MEASURED;
		results->remote_p99_us[p] = BRIDGE_NOT_MEASURED;
	}
	results->remote_1mib_gb_per_s = BRIDGE_NOT_MEASURED;
	for (int c = 0; c < BRIDGE_THREAD_COUNT_CHOICES; c++)
		results->remote_calls_per_s[c] = BRIDGE_NOT_MEASURED;
	for (int i = 0; i < BRIDGE_MAX_RSS_PIDS; i++) {
		results->rss_before_kib[i] = -1;
		results->rss_after_kib[i] = -1;
	}
}

/* ---- echo series ---- */

struct series_result {
	double p50_us;
	double p99_us;
	double gb_per_s;
};

/*
 * runs runs of at most calls echo(byte[length]) calls each (a run also
 * ends after max_run_seconds), after warmup untimed calls. The rate counts
 * the request and reply arrays of the back-to-back calls.
 */
static int echo_series(binder_object *calculator, const struct bench_config *config,
                       const uint8_t *bytes, size_t length, int calls, int warmup,
                       struct series_result *result)
{
	uint64_t *samples = calloc((size_t)calls, sizeof(*samples));
	double p50[MAX_RUNS];
	double p99[MAX_RUNS];
	double rates[MAX_RUNS];
	int status = samples ? 0 : BINDER_NO_MEMORY;

	for (int i = 0; i < warmup && status == 0; i++)
		status = bench_calculator_echo(calculator, bytes, length);
	for (int run = 0; run < config->runs && status == 0; run++) {
		uint64_t run_start = bench_now_ns();
		uint64_t run_end = run_start + (uint64_t)(config->max_run_seconds * 1e9);
		uint64_t end = run_start;
		int done = 0;

		while (done < calls && end < run_end) {
			uint64_t start = bench_now_ns();

			status = bench_calculator_echo(calculator, bytes, length);
			if (status < 0)
				break;
			end = bench_now_ns();
			samples[done++] = end - start;
		}
		if (status < 0)
			break;
		rates[run] = 2.0 * (double)length * done / (double)(end - run_start);
		p50[run] = bench_ns_to_us(bench_percentile_ns(samples, (size_t)done, 50));
		p99[run] = bench_ns_to_us(bench_percentile_ns(samples, (size_t)done, 99));
	}
	free(samples);
	if (status < 0)
		return status;
	result->p50_us = bench_median(p50, (size_t)config->runs);
	result->p99_us = bench_median(p99, (size_t)config->runs);
	result->gb_per_s = bench_median(rates, (size_t)config->runs);
	return 0;
}

static int payload_series(binder_object *calculator, const struct bench_config *config,
                          const uint8_t *bytes, enum bench_payload payload,
                          struct series_result *result)
{
	int calls = config->calls_per_run[payload];
	int warmup = config->warmup_calls < calls / 4 + 1 ? config->warmup_calls : calls / 4 + 1;

	return echo_series(calculator, config, bytes, bench_payload_size(payload), calls, warmup,
	                   result);
}

/* ---- calls/s ---- */

/* What a calls/s round's threads call. */
struct echo_target {
	binder_object *calculator;
	const uint8_t *bytes;
};

/* One 64 B echo in a calls/s round. */
static int echo_call(void *argument, uint64_t index)
{
	const struct echo_target *target = argument;
	(void)index;
	return bench_calculator_echo(target->calculator, target->bytes,
	                             bench_payload_size(BENCH_PAYLOAD_64B));
}

static int measure_threads(binder_object *calculator, const struct bench_config *config,
                           const uint8_t *bytes, struct bridge_results *results)
{
	static const int thread_counts[BRIDGE_THREAD_COUNT_CHOICES] = BRIDGE_THREAD_COUNTS;
	struct echo_target target = {.calculator = calculator, .bytes = bytes};
	double rates[MAX_RUNS];
	double ignored;
	int status = 0;

	for (int c = 0; c < BRIDGE_THREAD_COUNT_CHOICES && status == 0; c++) {
		char phase[48];

		snprintf(phase, sizeof(phase), "bridge: calls/s, %d threads", thread_counts[c]);
		bench_progress(config, phase);
		status = thread_round_run(echo_call, &target, thread_counts[c],
		                          config->thread_warmup_seconds, "bridge_bench", &ignored);
		for (int run = 0; run < config->runs && status == 0; run++)
			status = thread_round_run(echo_call, &target, thread_counts[c],
			                          config->thread_run_seconds, "bridge_bench",
			                          &rates[run]);
		if (status == 0)
			results->remote_calls_per_s[c] = bench_median(rates, (size_t)config->runs);
	}
	return status;
}

/* ---- calls carrying objects, and the RSS around them ---- */

static int callback_transact(binder_object *self, uint32_t code, binder_parcel *data,
                             binder_parcel *reply, const struct binder_caller *caller,
                             void *user_data)
{
	(void)self;
	(void)code;
	(void)data;
	(void)reply;
	(void)caller;
	(void)user_data;
	return BINDER_UNKNOWN_TRANSACTION;
}

/* add(a, 7) as calculator_proxy.c makes it, with a new local object of
 * context after the arguments (the calculator does not read it: it is
 * delivered to the service and released with the call's buffer). */
static int object_call(binder_context *context, binder_object *calculator, int32_t a)
{
	static const struct binder_local_ops callback_ops = {.transact = callback_transact};
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	binder_object *callback = NULL;
	int32_t exception = 0;
	int32_t sum = 0;
	int status = data && reply ? 0 : BINDER_NO_MEMORY;

	if (status == 0)
		status = binder_object_new_local(context, CALLBACK_DESCRIPTOR, &callback_ops, NULL,
		                                 &callback);
	if (status == 0)
		status = binder_parcel_write_interface_token(data, BENCH_CALCULATOR_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_int32(data, a);
	if (status == 0)
		status = binder_parcel_write_int32(data, 7);
	if (status == 0)
		status = binder_parcel_write_object(data, callback);
	if (status == 0)
		status = binder_object_transact(calculator, BENCH_CALCULATOR_ADD, data, reply, 0);
	if (status == 0)
		status = binder_parcel_read_exception(reply, &exception, NULL, NULL);
	if (status == 0 && exception != BINDER_EX_NONE)
		status = BINDER_BAD_VALUE;
	if (status == 0)
		status = binder_parcel_read_int32(reply, &sum);
	if (status == 0 && sum != (int32_t)((uint32_t)a + 7u))
		status = BINDER_BAD_VALUE;
	binder_parcel_free(reply);
	binder_parcel_free(data);
	binder_object_unref(callback);
	return status;
}

/* VmRSS of pid in KiB, or -1. */
static long read_rss_kib(pid_t pid)
{
	char path[64];
	char line[256];
	long kib = -1;
	FILE *status;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	status = fopen(path, "r");
	if (!status)
		return -1;
	while (fgets(line, sizeof(line), status)) {
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	}
	fclose(status);
	return kib;
}

static void read_rss(const struct bridge_client_options *options, long *kib)
{
	struct timespec settle = {.tv_sec = 0, .tv_nsec = RSS_SETTLE_NS};

	nanosleep(&settle, NULL);
	for (size_t i = 0; i < options->rss_count; i++)
		kib[i] = read_rss_kib(options->rss_pids[i]);
}

struct object_worker {
	binder_context *context;
	binder_object *calculator;
	int calls;
	int done;
	int status;
	pthread_t thread;
};

static void *object_worker_main(void *argument)
{
	struct object_worker *worker = argument;

	while (worker->done < worker->calls && worker->status == 0) {
		worker->status = object_call(worker->context, worker->calculator, worker->done);
		if (worker->status == 0)
			worker->done++;
	}
	return NULL;
}

/* calls object calls from OBJECT_THREADS threads; *done gets how many
 * succeeded. */
static int object_calls(binder_context *context, binder_object *calculator, int calls, int *done)
{
	struct object_worker workers[OBJECT_THREADS];
	int started = 0;
	int status = 0;

	for (; started < OBJECT_THREADS; started++) {
		workers[started] = (struct object_worker){
		        .context = context,
		        .calculator = calculator,
		        .calls = calls / OBJECT_THREADS + (started < calls % OBJECT_THREADS),
		};
		if (pthread_create(&workers[started].thread, NULL, object_worker_main,
		                   &workers[started]) != 0) {
			status = BINDER_NO_MEMORY;
			break;
		}
	}
	*done = 0;
	for (int i = 0; i < started; i++) {
		pthread_join(workers[i].thread, NULL);
		*done += workers[i].done;
		if (workers[i].status < 0)
			status = workers[i].status;
	}
	return status;
}

static int measure_object_calls(binder_context *context, binder_object *calculator,
                                const struct bridge_client_options *options,
                                struct bridge_results *results)
{
	int warmup = options->object_calls / 10 < OBJECT_WARMUP_CALLS ? options->object_calls / 10
	                                                              : OBJECT_WARMUP_CALLS;
	int done;
	int status = object_calls(context, calculator, warmup, &done);

	if (status < 0)
		return status;
	results->rss_count = options->rss_count;
	read_rss(options, results->rss_before_kib);
	status = object_calls(context, calculator, options->object_calls, &done);
	results->object_calls_done = done;
	read_rss(options, results->rss_after_kib);
	return status;
}

/* ---- the processes ---- */

static int open_service(const struct bridge_client_options *options, binder_context **context,
                        binder_object **calculator)
{
	struct binder_context_options context_options;
	int status;

	binder_context_options_init(&context_options);
	context_options.device = options->config->device_path;
	context_options.area_size = BENCH_AREA_SIZE;
	status = report("open the device", binder_context_new(&context_options, context));
	if (status < 0)
		return status;
	/* The object calls' callbacks are local objects: the driver may
	 * call into this context (BR_INCREFS and the like) while a call
	 * waits, so it serves them on a pool. */
	status = report("start the thread pool", binder_context_start_thread_pool(*context));
	if (status == 0)
		status = binder_service_manager_get(*context, options->service, SERVICE_WAIT_MS,
		                                    calculator);
	if (status < 0) {
		fprintf(stderr, "bridge_bench: client: cannot get %s: %s\n", options->service,
		        binder_status_to_string(status));
		binder_context_close(*context);
		binder_context_unref(*context);
	}
	return status;
}

static void close_service(binder_context *context, binder_object *calculator)
{
	binder_object_unref(calculator);
	binder_context_close(context);
	binder_context_unref(context);
}

static uint8_t *new_bytes(void)
{
	uint8_t *bytes = malloc(BENCH_MAX_PAYLOAD);

	for (size_t i = 0; bytes && i < BENCH_MAX_PAYLOAD; i++)
		bytes[i] = (uint8_t)(i * 31u + 7u);
	return bytes;
}

int bridge_client_local(const struct bridge_client_options *options, struct bridge_results *results)
{
	binder_context *context;
	binder_object *calculator;
	struct series_result result;
	uint8_t *bytes = new_bytes();
	int status = bytes ? 0 : BINDER_NO_MEMORY;

	if (status == 0)
		status = open_service(options, &context, &calculator);
	if (status < 0) {
		free(bytes);
		return status;
	}
	bench_progress(options->config, "local: 64 B echo");
	status = report("local 64 B echo", payload_series(calculator, options->config, bytes,
	                                                  BENCH_PAYLOAD_64B, &result));
	if (status == 0) {
		results->local_64b_p50_us = result.p50_us;
		results->local_64b_p99_us = result.p99_us;
	}
	close_service(context, calculator);
	free(bytes);
	return status;
}

int bridge_client_remote(const struct bridge_client_options *options,
                         struct bridge_results *results)
{
	const struct bench_config *config = options->config;
	binder_context *context;
	binder_object *calculator;
	uint8_t *bytes = new_bytes();
	int failed = 0;
	int status;

	if (config->runs > MAX_RUNS || !bytes) {
		free(bytes);
		return BINDER_BAD_VALUE;
	}
	status = open_service(options, &context, &calculator);
	if (status < 0) {
		free(bytes);
		return status;
	}
	for (int p = 0; p < BENCH_PAYLOAD_COUNT; p++) {
		struct series_result result;
		char what[64];

		snprintf(what, sizeof(what), "bridge: %s echo", bench_payload_name(p));
		bench_progress(config, what);
		status = report(what, payload_series(calculator, config, bytes, p, &result));
		if (status < 0) {
			failed = status;
			continue;
		}
		results->remote_p50_us[p] = result.p50_us;
		results->remote_p99_us[p] = result.p99_us;
		if (p == BENCH_PAYLOAD_1MIB)
			results->remote_1mib_gb_per_s = result.gb_per_s;
	}
	status = report("calls/s", measure_threads(calculator, config, bytes, results));
	if (status < 0)
		failed = status;
	if (options->object_calls > 0) {
		bench_progress(config, "bridge: object calls");
		status = report("object calls",
		                measure_object_calls(context, calculator, options, results));
		if (status < 0)
			failed = status;
	}
	close_service(context, calculator);
	free(bytes);
	return failed;
}
