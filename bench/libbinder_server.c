/*
 * libbinder_server.c - the libbinder benchmark's service process: one
 * context with a 4 MiB receive area, the calculator object handed over as
 * the context manager (retried while the device reports the previous
 * manager still there) or through servicemanager, and libbinder's thread
 * pool serving it until SIGTERM.
 */
#include "libbinder_server.h"

#include "calculator.h"
#include "config.h"

#include "binder/binder.h"
#include "binder/service_manager.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* How long to retry becoming the context manager (the raw benchmark's
 * server may still be going away). */
#define MANAGER_RETRY_SECONDS  5
#define MANAGER_RETRY_PAUSE_NS (20 * 1000 * 1000)

static void __attribute__((noreturn)) fail(const char *what, int status)
{
	fprintf(stderr, "libbinder_bench: server: %s: %s\n", what, binder_status_to_string(status));
	exit(1);
}

static int become_manager(binder_context *context, binder_object *calculator)
{
	struct timespec pause = {.tv_nsec = MANAGER_RETRY_PAUSE_NS};
	int attempts = MANAGER_RETRY_SECONDS * 1000 / (MANAGER_RETRY_PAUSE_NS / 1000000);
	int status;

	for (;;) {
		status = binder_context_become_manager(context, calculator);
		if (status == 0 || --attempts <= 0 ||
		    (status != -EBUSY && status != BINDER_PERMISSION_DENIED))
			return status;
		nanosleep(&pause, NULL);
	}
}

void libbinder_server_main(const struct libbinder_server_options *options)
{
	struct binder_context_options context_options;
	binder_context *context;
	binder_object *calculator;
	sigset_t stop_signals;
	int signal_number;
	int status;

	/* Every thread blocks SIGTERM; this one waits for it. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

	binder_context_options_init(&context_options);
	context_options.device = options->device_path;
	context_options.area_size = BENCH_AREA_SIZE;
	context_options.max_threads = (uint32_t)options->max_threads;
	status = binder_context_new(&context_options, &context);
	if (status < 0)
		fail("open the device", status);
	status = bench_calculator_new(context, &calculator);
	if (status < 0)
		fail("make the calculator", status);
	status = binder_context_start_thread_pool(context);
	if (status < 0)
		fail("start the thread pool", status);
	if (options->via_service_manager)
		status = binder_service_manager_add(context, BENCH_CALCULATOR_NAME, calculator);
	else
		status = become_manager(context, calculator);
	if (status < 0)
		fail(options->via_service_manager ? "add to servicemanager"
		                                  : "become the context manager",
		     status);
	if (write(options->ready_fd, "r", 1) != 1)
		fail("report ready", -errno);
	close(options->ready_fd);
	sigwait(&stop_signals, &signal_number);
	binder_object_unref(calculator);
	binder_context_close(context);
	binder_context_unref(context);
	exit(0);
}
