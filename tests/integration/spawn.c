/*
 * spawn.c - starting and stopping the programs of an integration test with
 * fork/exec and bounded waits (see spawn.h).
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

long long monotonic_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

pid_t spawn_program(char *const argv[], int stdout_fd, int keep_fd)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		return pid;
	/* The child: only async-signal-safe calls until exec (the parent may
	 * have threads). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	if (stdout_fd >= 0 && dup2(stdout_fd, STDOUT_FILENO) < 0)
		_exit(127);
	if (keep_fd == 3) {
		if (fcntl(3, F_SETFD, 0) < 0)
			_exit(127);
	} else if (keep_fd >= 0 && dup2(keep_fd, 3) < 0) {
		_exit(127);
	}
	close_range(keep_fd >= 0 ? 4 : 3, ~0u, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(argv[0], argv);
	_exit(127);
}

int wait_for_exit(pid_t pid, int timeout_ms, int *wait_status)
{
	long long deadline = monotonic_ms() + timeout_ms;
	for (;;) {
		pid_t done = waitpid(pid, wait_status, WNOHANG);
		if (done == pid)
			return 0;
		if (done < 0 && errno != EINTR)
			return -errno;
		if (monotonic_ms() >= deadline)
			return -ETIMEDOUT;
		struct timespec pause = {.tv_nsec = 5 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
}

int stop_program(pid_t pid, int timeout_ms, int *wait_status)
{
	kill(pid, SIGTERM);
	int status = wait_for_exit(pid, timeout_ms, wait_status);
	if (status == -ETIMEDOUT) {
		kill(pid, SIGKILL);
		int ignored;
		wait_for_exit(pid, 5000, &ignored);
	}
	return status;
}

int run_program(char *const argv[], char *output, size_t size, int timeout_ms, int *wait_status)
{
	int pipe_fds[2];
	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = spawn_program(argv, pipe_fds[1], -1);
	close(pipe_fds[1]);
	if (pid < 0) {
		close(pipe_fds[0]);
		return pid;
	}
	long long deadline = monotonic_ms() + timeout_ms;
	size_t used = 0;
	int status = 0;
	for (;;) {
		long long left = deadline - monotonic_ms();
		if (left <= 0) {
			status = -ETIMEDOUT;
			break;
		}
		struct pollfd readable = {.fd = pipe_fds[0], .events = POLLIN};
		int ready = poll(&readable, 1, (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			continue; /* timed out: the deadline check ends the loop */
		char chunk[512];
		ssize_t got = read(pipe_fds[0], chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break; /* end of output */
		size_t room = size > 0 ? size - 1 - used : 0;
		size_t keep = (size_t)got < room ? (size_t)got : room;
		memcpy(output + used, chunk, keep);
		used += keep;
	}
	if (size > 0)
		output[used] = '\0';
	close(pipe_fds[0]);
	if (status == 0) {
		long long left = deadline - monotonic_ms();
		status = wait_for_exit(pid, left > 0 ? (int)left : 0, wait_status);
	}
	if (status == -ETIMEDOUT) {
		kill(pid, SIGKILL);
		int ignored;
		wait_for_exit(pid, 5000, &ignored);
	}
	return status;
}
