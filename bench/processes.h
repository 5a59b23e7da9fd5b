/*
 * processes.h - what both benchmarks (binder_bench, libbinder_bench) do
 * with their processes: a service process started and waited for, a client
 * process run to its end, a timeout that kills both, and the figure lines.
 * One service and one client at a time per program; not thread-safe.
 */
#ifndef BENCH_PROCESSES_H
#define BENCH_PROCESSES_H

#include <sys/types.h>

/* Prints "bench.<name> <value> <unit>" (decimals by unit) and flushes. */
void bench_print_figure(const char *name, double value, const char *unit);

/* Past seconds, kill the service and client and exit 1, saying
 * "<program>: timed out". program must stay valid. */
void bench_arm_timeout(const char *program, unsigned seconds);

/* Runs serve(argument, ready_fd) in a forked service process, which
 * writes a byte to ready_fd once it accepts calls and never returns.
 * Returns 0 once it is ready, or -errno / -ECHILD. */
int bench_start_service(void (*serve)(void *argument, int ready_fd), void *argument);

/* Runs run(argument) in a forked client process (exit 1 if it returned a
 * negative value) and waits for it: 0 if it exited 0, else -EIO/-errno. */
int bench_run_client(int (*run)(void *argument), void *argument);

/* Stops the service (SIGTERM) and waits: 0 if it exited 0, else -EIO. */
int bench_stop_service(void);

#endif
