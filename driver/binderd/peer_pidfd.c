/*
 * peer_pidfd.c - a pidfd for the process that connected to binderd, so
 * that the pid binderd reports as a sender (transaction.c sender_pid)
 * never names a process that took the pid since.
 *
 * Linux 6.5 and later hand it out (SO_PEERPIDFD). Before, SO_PEERCRED
 * gives only a number N, fixed at connect(): a pidfd opened for it later
 * (pidfd_open, Linux 5.3) names whoever holds N by then, maybe not the
 * process that connected. binderd keeps such a pidfd aside (unproven)
 * until the kernel shows it someone: data on one of the connection's
 * channels, queued after the pidfd was opened, whose credentials
 * (SO_PASSCRED, set by the kernel at send time) say tgid N, while the
 * pidfd still shows its process alive. Two live processes never share a
 * pid, and the pidfd's process held N from its opening until that check,
 * which spans the send: so the pidfd's process sent that data. It is the
 * process that connected, or one it handed the connection to, and in
 * both cases a process that sent. Until then (a process that never sends
 * itself, only its children) there is no pidfd and calls carry
 * sender_pid 0, as with a sender the kernel knows to be reaped.
 *
 * Such a pidfd serves sender_pid only: direct reads (direct_reads.c) keep
 * to proc->pidfd, the kernel's, as they did (whether the proof came before
 * HELLO would otherwise decide, by timing, whether a process gets them).
 *
 * The cost is at connect (pidfd_open, SO_PASSCRED and SIOCINQ on each
 * channel opened before the proof) and one check at the proof; none per
 * call beyond what a kernel-given pidfd costs.
 *
 * For tests: BINDERD_TEST_NO_PEERPIDFD=1 in binderd's environment makes it
 * behave as on a kernel without SO_PEERPIDFD (read once).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "binderd.h"
#include "log.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

static const char test_no_peer_pidfd_variable[] = "BINDERD_TEST_NO_PEERPIDFD";

static bool kernel_peer_pidfd_disabled(void)
{
	static int disabled = -1;
	if (disabled < 0) {
		const char *value = getenv(test_no_peer_pidfd_variable);
		disabled = value && strcmp(value, "1") == 0;
		if (disabled)
			log_info("%s=1: acting as on a kernel without SO_PEERPIDFD",
			         test_no_peer_pidfd_variable);
	}
	return disabled;
}

static bool pidfd_alive(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0 || errno == EPERM;
}

void peer_pidfd_open(struct proc *proc, int fd)
{
	proc->pidfd = proc->opened_pidfd = -1;
	proc->opened_pidfd_shown = false;
	if (!kernel_peer_pidfd_disabled()) {
		int pidfd = -1;
		socklen_t length = sizeof(pidfd);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &length) == 0) {
			proc->pidfd = pidfd;
			return;
		}
		/* Linux 6.5+ refuses only for a peer already reaped. */
		if (errno != ENOPROTOOPT)
			return;
	}
	if (proc->pid <= 0)
		return;
	int pidfd = (int)syscall(SYS_pidfd_open, proc->pid, 0);
	if (pidfd < 0) {
		log_debug("proc %d: pidfd_open: %s: its calls carry sender_pid 0", proc->pid,
		          strerror(errno));
		return;
	}
	proc->opened_pidfd = pidfd;
	peer_pidfd_watch(proc, &proc->channel);
}

/* channel_watch_sender: the pid sent after the pidfd was opened. */
static void sender_seen(void *context)
{
	struct proc *proc = context;
	if (proc->is_dead || proc->opened_pidfd < 0 || proc->opened_pidfd_shown)
		return;
	if (!pidfd_alive(proc->opened_pidfd)) {
		/* The pidfd's process is gone: the sender was another. */
		log_debug("proc %d: the pid's holder at connect is gone: sender_pid 0", proc->pid);
		close(proc->opened_pidfd);
		proc->opened_pidfd = -1;
		return;
	}
	proc->opened_pidfd_shown = true;
	log_debug("proc %d: pid shown by its own data", proc->pid);
}

void peer_pidfd_watch(struct proc *proc, struct channel *channel)
{
	if (proc->opened_pidfd < 0 || proc->opened_pidfd_shown)
		return;
	int error = channel_watch_sender(channel, proc->pid, sender_seen, proc);
	if (error)
		log_debug("proc %d: cannot watch a channel's sender: %s", proc->pid,
		          strerror(-error));
}

void peer_pidfd_close(struct proc *proc)
{
	if (proc->pidfd >= 0)
		close(proc->pidfd);
	if (proc->opened_pidfd >= 0)
		close(proc->opened_pidfd);
	proc->pidfd = proc->opened_pidfd = -1;
	proc->opened_pidfd_shown = false;
}

int peer_pidfd_of_sender(const struct proc *proc)
{
	if (proc->pidfd >= 0)
		return proc->pidfd;
	return proc->opened_pidfd_shown ? proc->opened_pidfd : -1;
}
