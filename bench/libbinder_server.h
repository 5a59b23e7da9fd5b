/*
 * libbinder_server.h - the libbinder benchmark's service process: serves
 * the calculator from libbinder's thread pool.
 */
#ifndef BENCH_LIBBINDER_SERVER_H
#define BENCH_LIBBINDER_SERVER_H

#include <stdbool.h>

struct libbinder_server_options {
	const char *device_path;
	/* Most pool threads libbinder may start. */
	int max_threads;
	/* Add the calculator to servicemanager as BENCH_CALCULATOR_NAME,
	 * instead of making it the context manager. */
	bool via_service_manager;
	/* One byte is written here once the calculator can be called. */
	int ready_fd;
};

/* Runs the service in the calling (forked) process until SIGTERM, then
 * closes its context and exits 0; exits 1 if it cannot start. */
void __attribute__((noreturn))
libbinder_server_main(const struct libbinder_server_options *options);

#endif
