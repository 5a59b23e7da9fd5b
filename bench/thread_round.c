/* thread_round.c - calls/s from N client threads (see thread_round.h). */
#include "thread_round.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "binder/status.h"
#include "clock.h"

/* Calls each thread makes before the barrier. */
#define THREAD_WARMUP_CALLS 50

struct thread_round {
	thread_round_call call;
	void *argument;
	pthread_barrier_t start;
	atomic_bool stop;
};

struct round_worker {
	struct thread_round *round;
	pthread_t thread;
	uint64_t calls;
	uint64_t finish_ns;
	int status;
};

static void *round_worker_main(void *argument)
{
	struct round_worker *worker = argument;
	struct thread_round *round = worker->round;
	int status = 0;

	for (int i = 0; i < THREAD_WARMUP_CALLS && status == 0; i++)
		status = round->call(round->argument, (uint64_t)i);
	pthread_barrier_wait(&round->start);
	while (status == 0 && !atomic_load_explicit(&round->stop, memory_order_relaxed)) {
		status = round->call(round->argument, worker->calls);
		if (status == 0)
			worker->calls++;
	}
	worker->finish_ns = bench_now_ns();
	worker->status = status;
	return NULL;
}

int thread_round_run(thread_round_call call, void *argument, int threads, double seconds,
                     const char *program, double *calls_per_s)
{
	struct thread_round round = {.call = call, .argument = argument};
	struct timespec pause = {.tv_sec = (time_t)seconds,
	                         .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
	uint64_t start_ns;
	uint64_t last_finish_ns = 0;
	uint64_t calls = 0;
	int started = 0;
	int status = 0;

	struct round_worker *workers = calloc((size_t)threads, sizeof(*workers));
	if (!workers)
		return BINDER_NO_MEMORY;
	atomic_init(&round.stop, false);
	if (pthread_barrier_init(&round.start, NULL, (unsigned)threads + 1) != 0) {
		free(workers);
		return BINDER_NO_MEMORY;
	}
	for (; started < threads; started++) {
		workers[started].round = &round;
		if (pthread_create(&workers[started].thread, NULL, round_worker_main,
		                   &workers[started]) != 0)
			break;
	}
	if (started < threads) {
		/* The barrier cannot be passed: nothing can be measured. */
		fprintf(stderr, "%s: client: cannot start threads\n", program);
		exit(1);
	}
	pthread_barrier_wait(&round.start);
	start_ns = bench_now_ns();
	nanosleep(&pause, NULL);
	atomic_store(&round.stop, true);
	for (int i = 0; i < threads; i++) {
		pthread_join(workers[i].thread, NULL);
		calls += workers[i].calls;
		if (workers[i].finish_ns > last_finish_ns)
			last_finish_ns = workers[i].finish_ns;
		if (workers[i].status < 0)
			status = workers[i].status;
	}
	pthread_barrier_destroy(&round.start);
	free(workers);
	if (status == 0)
		*calls_per_s = (double)calls / ((double)(last_finish_ns - start_ns) / 1e9);
	return status;
}
