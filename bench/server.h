/*
 * server.h - the benchmark's binder service process: the context manager
 * (handle 0), which echoes every call and hands out objects on request.
 */
#ifndef BENCH_SERVER_H
#define BENCH_SERVER_H

struct bench_server_options {
	const char *device_path;
	/* Looper threads started before the first call (BC_ENTER_LOOPER). */
	int prestart_threads;
	/* Most looper threads in all, counting those spawned on
	 * BR_SPAWN_LOOPER (BC_REGISTER_LOOPER). */
	int max_threads;
	/* One byte is written here once the service accepts calls. */
	int ready_fd;
};

/* Runs the service in the calling (forked) process until it is killed;
 * exits with status 1 if it cannot start or a looper fails. */
void __attribute__((noreturn)) bench_server_main(const struct bench_server_options *options);

#endif
