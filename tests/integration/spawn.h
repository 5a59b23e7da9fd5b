/*
 * spawn.h - starting and stopping the programs of an integration test
 * (services, clients) as real processes, with bounded waits.
 */
#ifndef INTEGRATION_SPAWN_H
#define INTEGRATION_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Starts argv[0] (a path) with argv. The child gets SIGKILL when the
 * calling thread's process goes (PR_SET_PDEATHSIG), so a failed test leaves
 * no process behind. Only fds 0-2 are inherited, plus:
 *  - stdout_fd >= 0 becomes the child's stdout;
 *  - keep_fd >= 0 becomes the child's fd 3.
 * Returns the pid, or a negative errno.
 */
pid_t spawn_program(char *const argv[], int stdout_fd, int keep_fd);

/* Waits up to timeout_ms for pid to exit: 0 and *wait_status, or
 * -ETIMEDOUT (pid still runs), or a negative errno. */
int wait_for_exit(pid_t pid, int timeout_ms, int *wait_status);

/* Sends SIGTERM and waits up to timeout_ms; if pid is still there, kills
 * it (SIGKILL) and returns -ETIMEDOUT. Else 0 and *wait_status. */
int stop_program(pid_t pid, int timeout_ms, int *wait_status);

/* Runs argv to its end (at most timeout_ms; killed after that), keeping
 * up to size - 1 bytes of its stdout in output (NUL-terminated).
 * 0 and *wait_status, or a negative errno (-ETIMEDOUT). */
int run_program(char *const argv[], char *output, size_t size, int timeout_ms, int *wait_status);

/* Milliseconds on the monotonic clock. */
long long monotonic_ms(void);

#endif
