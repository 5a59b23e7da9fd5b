/*
 * processes.c - the benchmarks' service and client processes, their
 * timeout, and the figure lines (processes.h).
 */
#include "processes.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t service_pid;
static volatile pid_t client_pid;
static const char *timeout_program = "bench";

void bench_print_figure(const char *name, double value, const char *unit)
{
	int decimals = 2;

	if (strcmp(unit, "GB/s") == 0)
		decimals = 3;
	else if (strcmp(unit, "calls/s") == 0)
		decimals = 0;
	printf("bench.%s %.*f %s\n", name, decimals, value, unit);
	fflush(stdout);
}

/* The whole run is bounded: past the timeout, stop everything and fail. */
static void on_timeout(int signal_number)
{
	static const char message[] = ": timed out\n";

	(void)signal_number;
	if (client_pid > 0)
		kill(client_pid, SIGKILL);
	if (service_pid > 0)
		kill(service_pid, SIGKILL);
	if (write(STDERR_FILENO, timeout_program, strlen(timeout_program)) < 0 ||
	    write(STDERR_FILENO, message, sizeof(message) - 1) < 0)
		_exit(2);
	_exit(1);
}

void bench_arm_timeout(const char *program, unsigned seconds)
{
	timeout_program = program;
	signal(SIGALRM, on_timeout);
	alarm(seconds);
}

static int wait_for(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int bench_start_service(void (*serve)(void *argument, int ready_fd), void *argument)
{
	int ready[2];
	char byte;
	ssize_t n;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	service_pid = fork();
	if (service_pid < 0)
		return -errno;
	if (service_pid == 0) {
		close(ready[0]);
		serve(argument, ready[1]);
		_exit(1);
	}
	close(ready[1]);
	do
		n = read(ready[0], &byte, 1);
	while (n < 0 && errno == EINTR);
	close(ready[0]);
	return n == 1 ? 0 : -ECHILD;
}

int bench_run_client(int (*run)(void *argument), void *argument)
{
	fflush(NULL);
	client_pid = fork();
	if (client_pid < 0)
		return -errno;
	if (client_pid == 0)
		_exit(run(argument) < 0 ? 1 : 0);
	return wait_for(client_pid);
}

int bench_stop_service(void)
{
	int status = 0;

	if (service_pid > 0) {
		kill(service_pid, SIGTERM);
		status = wait_for(service_pid);
		service_pid = 0;
	}
	return status;
}
