/*
 * client_threads.c - calls per second with 1, 2, 8 and 32 client threads
 * in one process, each thread its own binder thread making 64 B echo calls
 * to handle 0 back to back.
 *
 * A pool of threads is started once; each round activates the first N of
 * them for a fixed time. A round's rate is all calls completed divided by
 * the time from its start until the last active thread finished its last
 * call. The figure is the median of several rounds after a warm-up round.
 */
#include "client.h"

#include "binder_io.h"
#include "call_series.h"
#include "clock.h"
#include "stats.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WORKER_IO_SIZE 4096u
#define PAYLOAD_SIZE   64u
/* A round must end this long after its planned end, or it fails. */
#define ROUND_GRACE_NS (30ull * 1000000000ull)

struct pool;

struct worker {
	struct pool *pool;
	int index;
	pthread_t thread;
	struct binder_io io;
	uint8_t payload[PAYLOAD_SIZE];
};

struct pool {
	binder_device *device;
	pthread_mutex_t lock;
	pthread_cond_t start;
	pthread_cond_t done;
	unsigned generation;
	int active;
	bool quit;
	atomic_bool stop;
	/* Results of the current round, under lock. */
	int finished;
	uint64_t calls;
	uint64_t last_finish_ns;
	int error;
	struct worker workers[BENCH_MAX_CLIENT_THREADS];
};

/* Runs calls until the round is stopped; returns the calls completed and
 * sets *finish to when the last one ended. */
static uint64_t run_round(struct worker *worker, int *error, uint64_t *finish)
{
	uint64_t calls = 0;
	int ret = 0;

	while (!atomic_load_explicit(&worker->pool->stop, memory_order_relaxed)) {
		ret = bench_echo_call(&worker->io, 0, worker->payload, PAYLOAD_SIZE);
		if (ret < 0)
			break;
		calls++;
	}
	*finish = bench_now_ns();
	/* Sends the last BC_FREE_BUFFER. */
	if (ret == 0)
		ret = binder_io_write_read(&worker->io, 0);
	*error = ret;
	return calls;
}

static void *worker_main(void *argument)
{
	struct worker *worker = argument;
	struct pool *pool = worker->pool;
	unsigned seen = 0;
	int setup = binder_io_init(&worker->io, pool->device, WORKER_IO_SIZE, WORKER_IO_SIZE);

	memset(worker->payload, 0x3c + worker->index, sizeof(worker->payload));
	for (;;) {
		bool active;
		uint64_t calls = 0;
		uint64_t finish = bench_now_ns();
		int error = setup;

		pthread_mutex_lock(&pool->lock);
		while (!pool->quit && pool->generation == seen)
			pthread_cond_wait(&pool->start, &pool->lock);
		seen = pool->generation;
		active = worker->index < pool->active;
		if (pool->quit) {
			pthread_mutex_unlock(&pool->lock);
			break;
		}
		pthread_mutex_unlock(&pool->lock);
		if (!active)
			continue;
		if (setup == 0)
			calls = run_round(worker, &error, &finish);

		pthread_mutex_lock(&pool->lock);
		pool->calls += calls;
		pool->finished++;
		if (finish > pool->last_finish_ns)
			pool->last_finish_ns = finish;
		if (error < 0)
			pool->error = error;
		pthread_cond_signal(&pool->done);
		pthread_mutex_unlock(&pool->lock);
	}
	if (setup == 0) {
		int unused = 0;

		/* The kernel's way to end a binder thread; errors do not matter
		 * here since the process closes the device next. */
		binder_device_ioctl(pool->device, BINDER_THREAD_EXIT, &unused);
		binder_io_destroy(&worker->io);
	}
	return NULL;
}

static void sleep_until(uint64_t deadline_ns)
{
	for (uint64_t now = bench_now_ns(); now < deadline_ns; now = bench_now_ns()) {
		uint64_t left = deadline_ns - now;
		struct timespec pause = {.tv_sec = (time_t)(left / 1000000000u),
		                         .tv_nsec = (long)(left % 1000000000u)};

		nanosleep(&pause, NULL);
	}
}

/* One round with `threads` active threads for `seconds`; *rate in calls/s. */
static int round_rate(struct pool *pool, int threads, double seconds, double *rate)
{
	uint64_t start, deadline;
	struct timespec limit;
	int ret = 0;

	pthread_mutex_lock(&pool->lock);
	pool->active = threads;
	pool->finished = 0;
	pool->calls = 0;
	pool->last_finish_ns = 0;
	pool->error = 0;
	atomic_store(&pool->stop, false);
	pool->generation++;
	start = bench_now_ns();
	pthread_cond_broadcast(&pool->start);
	pthread_mutex_unlock(&pool->lock);

	deadline = start + (uint64_t)(seconds * 1e9);
	sleep_until(deadline);
	atomic_store(&pool->stop, true);

	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += (time_t)(ROUND_GRACE_NS / 1000000000u);
	pthread_mutex_lock(&pool->lock);
	while (pool->finished < threads && ret == 0)
		ret = -pthread_cond_timedwait(&pool->done, &pool->lock, &limit);
	if (ret == 0)
		ret = pool->error;
	if (ret == 0)
		*rate = (double)pool->calls * 1e9 / (double)(pool->last_finish_ns - start);
	pthread_mutex_unlock(&pool->lock);
	return ret;
}

static int measure_thread_counts(struct pool *pool, const struct bench_config *config,
                                 struct binder_results *results)
{
	static const int thread_counts[BENCH_THREAD_COUNT_CHOICES] = BENCH_THREAD_COUNTS;
	double *rates = calloc((size_t)config->runs, sizeof(*rates));
	int ret = rates ? 0 : -ENOMEM;

	for (int c = 0; c < BENCH_THREAD_COUNT_CHOICES && ret == 0; c++) {
		double warmup_rate;

		ret = round_rate(pool, thread_counts[c], config->thread_warmup_seconds,
		                 &warmup_rate);
		for (int run = 0; run < config->runs && ret == 0; run++)
			ret = round_rate(pool, thread_counts[c], config->thread_run_seconds,
			                 &rates[run]);
		if (ret == 0)
			results->calls_per_s[c] = bench_median(rates, (size_t)config->runs);
	}
	free(rates);
	return ret;
}

int bench_measure_threads(binder_device *device, const struct bench_config *config,
                          struct binder_results *results)
{
	struct pool *pool = calloc(1, sizeof(*pool));
	int started = 0;
	int ret = 0;

	if (!pool)
		return -ENOMEM;
	pool->device = device;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->start, NULL);
	pthread_cond_init(&pool->done, NULL);
	for (; started < BENCH_MAX_CLIENT_THREADS; started++) {
		struct worker *worker = &pool->workers[started];

		worker->pool = pool;
		worker->index = started;
		ret = -pthread_create(&worker->thread, NULL, worker_main, worker);
		if (ret < 0)
			break;
	}
	if (ret == 0)
		ret = measure_thread_counts(pool, config, results);

	pthread_mutex_lock(&pool->lock);
	pool->quit = true;
	pthread_cond_broadcast(&pool->start);
	pthread_mutex_unlock(&pool->lock);
	/* After a timed-out round a worker may be stuck in a call: the caller
	 * then exits the process without waiting for it. */
	if (ret != -ETIMEDOUT) {
		for (int i = 0; i < started; i++)
			pthread_join(pool->workers[i].thread, NULL);
		pthread_cond_destroy(&pool->start);
		pthread_cond_destroy(&pool->done);
		pthread_mutex_destroy(&pool->lock);
		free(pool);
	}
	return ret;
}
