/*
 * daemon_start.c - forks a daemon and returns in the parent only once the
 * child is ready (see daemon_start.h).
 */
#include "daemon_start.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS_PER_SECOND 1000L
#define NS_PER_MS     1000000L

/* The parent: waits for the child's line, or its exit, or the timeout. */
static int wait_for_child(pid_t child, int ready_read)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long elapsed_ms = (long)(now.tv_sec - start.tv_sec) * MS_PER_SECOND +
		                  (now.tv_nsec - start.tv_nsec) / NS_PER_MS;
		long left_ms = (long)DAEMON_READY_TIMEOUT_SECONDS * MS_PER_SECOND - elapsed_ms;
		if (left_ms <= 0)
			break;
		struct pollfd ready = {.fd = ready_read, .events = POLLIN};
		int polled = poll(&ready, 1, (int)left_ms);
		if (polled < 0 && errno == EINTR)
			continue;
		if (polled <= 0)
			break;
		char line[16];
		ssize_t got = read(ready_read, line, sizeof(line));
		if (got < 0 && errno == EINTR)
			continue;
		if (got > 0)
			return 0;
		/* EOF: the child closed it without a word, or exited. */
		int status = 0;
		if (waitpid(child, &status, 0) == child && WIFEXITED(status) &&
		    WEXITSTATUS(status) != 0)
			return WEXITSTATUS(status);
		return 1;
	}
	fprintf(stderr, "the daemon did not become ready in %d s: stopping it\n",
	        DAEMON_READY_TIMEOUT_SECONDS);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 1;
}

int daemon_start(int *ready_fd)
{
	int pipe_fds[2];
	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid_t child = fork();
	if (child < 0) {
		int error = -errno;
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		return error;
	}
	if (child > 0) {
		close(pipe_fds[1]);
		_exit(wait_for_child(child, pipe_fds[0]));
	}
	close(pipe_fds[0]);
	setsid();
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd >= 0) {
		if (dup2(null_fd, STDIN_FILENO) < 0)
			close(STDIN_FILENO); /* no input at all, rather than the terminal */
		if (null_fd != STDIN_FILENO)
			close(null_fd);
	}
	*ready_fd = pipe_fds[1];
	return 0;
}
