/*
 * daemon_start.h - --daemon for binderd and servicemanager: the command
 * returns once the daemon is ready to serve, so that a script (or README's
 * walkthrough) can start the next program at once, with no sleep and no
 * race.
 *
 * Not thread-safe: call it before the program starts any thread.
 */
#ifndef BINDER_DAEMON_START_H
#define BINDER_DAEMON_START_H

/* How long the parent waits for the daemon to say it is ready. */
#define DAEMON_READY_TIMEOUT_SECONDS 60

/*
 * Forks. The parent never returns: it exits 0 once the child writes a line
 * to *ready_fd (then closes it), or, if the child exits first, with the
 * child's exit status (1 if it was killed), or 1 after
 * DAEMON_READY_TIMEOUT_SECONDS (the child is then killed). The child
 * returns 0 in a session of its own, its standard input on /dev/null and
 * *ready_fd the pipe's write end (close-on-exec) to write "ready\n" to
 * when it serves; its standard output and error stay where they were (the
 * logs). -errno if the fork or the pipe fails (in the caller, no child).
 */
int daemon_start(int *ready_fd);

#endif
