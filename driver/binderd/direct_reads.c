/*
 * direct_reads.c - binderd reading a transaction's payload straight from
 * the sender's memory (<binderd/socket_protocol.h>, "Direct reads"): the
 * grant at HELLO and every read after it.
 *
 * binderd runs as root and the process may not; the pid and the pidfd of a
 * process survive execve, and a set-user-ID image may follow the one that
 * asked for the reads. So no read goes by pid. At HELLO, binderd opens
 * /proc/<pid>/mem as the process's own user (its euid and egid at connect,
 * as fsuid and fsgid, with CAP_SYS_PTRACE out of binderd's effective set),
 * reads the probe through it, and keeps that file for every later read:
 *
 *  - the kernel checks ptrace access as that user when it opens the file,
 *    so what binderd can read, the user could read with ptrace: a
 *    set-user-ID image, one that made itself undumpable, or another
 *    user's process fails the open (and with it the grant);
 *  - the file is bound to the address space the task had at the open (the
 *    kernel keeps that mm in the file) and reads it or nothing: after an
 *    exec the old address space is gone and every read fails, so the new
 *    image is never read, whatever its privileges;
 *  - /proc/<pid> is opened while the pidfd shows the process alive (the
 *    pid is then still its own), and the mem file right after.
 * A failed read ends the grant: later direct calls of the process fail
 * (BR_FAILED_REPLY), as with a lying probe.
 *
 * Reading the mem file costs two copies (the kernel bounces each page
 * through a buffer of its own), so a large read (DIRECT_READS_VM_MINIMUM
 * and up) goes by process_vm_readv instead, one copy, made as the
 * process's user: binderd takes its real and effective uid and gid for
 * the call (the kernel's ptrace check for it uses the real ones, and a
 * non-zero euid has no capabilities), so it reads only what that user
 * could read with ptrace. That call names the process by pid; the mem
 * file is read after it (one byte), and if its address space is gone the
 * call fails and the grant ends, as above. A process that exec'd in
 * between was the user's own to read anyway. If the switch or the call
 * fails, the read goes through the mem file.
 *
 * Known difference: the mem file reads with the kernel's "force" access,
 * so a page the process mapped without read access (PROT_NONE) is read
 * here where the kernel's copy from user memory would fail. Small payloads
 * without objects travel inline instead (libbinder retries an unreadable
 * one through the send area, which fails it as the kernel does); a larger
 * one in such a page is delivered.
 */
#include "direct_reads.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "binderd.h"
#include "log.h"

/* What binderd keeps of a process that granted direct reads. */
struct direct_reads_grant {
	int proc_directory; /* /proc/<pid> while granting (alive then: its pid), else -1 */
	int memory;         /* its mem, opened at HELLO as its user: that address space */
	uid_t uid;          /* reads are made as this user: its euid at connect */
	gid_t gid;          /* and this group: its egid at connect */
};

/* The smallest read made by process_vm_readv (see the top). Below it the
 * mem file's extra copy costs less than the identity switch. */
#define DIRECT_READS_VM_MINIMUM (64u << 10)

/* Version 3 capability sets are two 32-bit words. */
#define CAPABILITY_WORDS 2

/* binderd's own capabilities, and the same without CAP_SYS_PTRACE in the
 * effective set (nothing changes them: read once). */
static struct {
	bool known;
	struct __user_cap_data_struct own[CAPABILITY_WORDS];
	struct __user_cap_data_struct without_ptrace[CAPABILITY_WORDS];
	bool dumpable;   /* before the first change of fsuid, which clears it */
	uid_t uid, euid; /* binderd's real and effective ids (never changed */
	gid_t gid, egid; /* for longer than one read_as_user) */
} binderd_identity;

/* binderd's file system ids while it acts as a process's user. */
struct saved_identity {
	bool switched;
	uid_t fsuid;
	gid_t fsgid;
};

static int capabilities_get(struct __user_cap_data_struct *capabilities)
{
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
	return syscall(SYS_capget, &header, capabilities) < 0 ? -errno : 0;
}

static int capabilities_set(const struct __user_cap_data_struct *capabilities)
{
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
	return syscall(SYS_capset, &header, capabilities) < 0 ? -errno : 0;
}

static int learn_binderd_identity(void)
{
	if (binderd_identity.known)
		return 0;
	int error = capabilities_get(binderd_identity.own);
	if (error)
		return error;
	memcpy(binderd_identity.without_ptrace, binderd_identity.own, sizeof(binderd_identity.own));
	binderd_identity.without_ptrace[CAP_TO_INDEX(CAP_SYS_PTRACE)].effective &=
	        ~CAP_TO_MASK(CAP_SYS_PTRACE);
	binderd_identity.dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1;
	binderd_identity.uid = getuid();
	binderd_identity.euid = geteuid();
	binderd_identity.gid = getgid();
	binderd_identity.egid = getegid();
	binderd_identity.known = true;
	return 0;
}

/* Puts binderd's own identity back. */
static void act_as_binderd(const struct saved_identity *saved)
{
	if (!saved->switched)
		return;
	setfsuid(saved->fsuid);
	setfsgid(saved->fsgid);
	if (capabilities_set(binderd_identity.own) < 0)
		log_error("direct reads: cannot restore binderd's capabilities: %s",
		          strerror(errno));
	if (binderd_identity.dumpable && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		log_error("direct reads: cannot make binderd dumpable again: %s", strerror(errno));
}

/* Acts as the process's user for file access: its uid and gid as fsuid and
 * fsgid, without CAP_SYS_PTRACE. For a root process, binderd stays itself.
 * A switch that does not take (binderd may not change its ids) leaves
 * binderd's own ids without CAP_SYS_PTRACE: the open that follows fails
 * unless binderd's user could ptrace the process anyway. */
static int act_as_process_user(const struct direct_reads_grant *grant, struct saved_identity *saved)
{
	saved->switched = false;
	if (grant->uid == 0)
		return 0;
	int error = learn_binderd_identity();
	if (error)
		return error;
	saved->switched = true;
	saved->fsgid = (gid_t)setfsgid(grant->gid);
	saved->fsuid = (uid_t)setfsuid(grant->uid);
	error = capabilities_set(binderd_identity.without_ptrace);
	if (error) {
		act_as_binderd(saved);
		return error;
	}
	return 0;
}

/* The process's memory as its own user may read it now: an fd bound to
 * the task's current address space, or -errno (no ptrace right, gone). */
static int open_memory(const struct direct_reads_grant *grant)
{
	struct saved_identity saved;
	int error = act_as_process_user(grant, &saved);
	if (error)
		return error;
	int memory = openat(grant->proc_directory, "mem", O_RDONLY | O_CLOEXEC);
	if (memory < 0)
		error = -errno;
	act_as_binderd(&saved);
	return memory < 0 ? error : memory;
}

/* Reads size bytes at address of the address space memory is bound to.
 * 0, or -EFAULT (unmapped, or the address space is gone). */
static int read_memory(int memory, void *local, size_t size, uint64_t address)
{
	if (size == 0)
		return 0;
	if (address > (uint64_t)INT64_MAX || size > (uint64_t)INT64_MAX - address)
		return -EFAULT;
	size_t done = 0;
	while (done < size) {
		ssize_t got = pread(memory, (uint8_t *)local + done, size - done,
		                    (off_t)(address + done));
		if (got < 0 && errno == EINTR)
			continue;
		/* The kernel reads nothing at all once the address space is
		 * gone, and fails (EIO) on an address it does not map. */
		if (got == 0)
			return -ESRCH;
		if (got < 0)
			return -EFAULT;
		done += (size_t)got;
	}
	return 0;
}

/* Back to binderd's own ids: root first (the saved uid), then the group.
 * binderd must not go on as another user: if that fails, it stops. */
static void identity_restore(uid_t uid, uid_t euid, gid_t gid, gid_t egid)
{
	if (setresuid(uid, euid, euid) < 0 || setresgid(gid, egid, egid) < 0) {
		log_error("direct reads: cannot take binderd's own ids back: %s", strerror(errno));
		abort();
	}
}

/* Takes the user's real and effective ids (keeping root as the saved
 * ones, to come back), reads with process_vm_readv, and comes back.
 * 0, or -errno: the caller then reads through the mem file. */
static int read_as_user(const struct direct_reads_grant *grant, pid_t pid, void *local, size_t size,
                        uint64_t address)
{
	uid_t uid = binderd_identity.uid, euid = binderd_identity.euid;
	gid_t gid = binderd_identity.gid, egid = binderd_identity.egid;
	bool switching = grant->uid != euid || grant->gid != egid;

	if (switching && euid != 0)
		return -EPERM; /* binderd may not take another user's ids */
	if (switching && (setresgid(grant->gid, grant->gid, egid) < 0 ||
	                  setresuid(grant->uid, grant->uid, euid) < 0)) {
		int error = -errno;
		identity_restore(uid, euid, gid, egid);
		return error;
	}
	int error = 0;
	size_t done = 0;
	while (!error && done < size) {
		struct iovec to = {(uint8_t *)local + done, size - done};
		struct iovec from = {(void *)(uintptr_t)(address + done), size - done};
		ssize_t got = process_vm_readv(pid, &to, 1, &from, 1, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			error = got < 0 ? -errno : -EFAULT;
		else
			done += (size_t)got;
	}
	if (switching) {
		identity_restore(uid, euid, gid, egid);
		if (binderd_identity.dumpable && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
			log_error("direct reads: cannot make binderd dumpable again: %s",
			          strerror(errno));
	}
	return error;
}

/* One region of the sender's memory: large ones by process_vm_readv as
 * its user, the rest (and any that way fails) through the mem file. */
static int read_region(struct proc *proc, const struct direct_reads_grant *grant, void *local,
                       size_t size, uint64_t address)
{
	if (size >= DIRECT_READS_VM_MINIMUM && learn_binderd_identity() == 0 &&
	    read_as_user(grant, proc->pid, local, size, address) == 0) {
		/* Still the address space that granted? */
		uint8_t byte;
		return read_memory(grant->memory, &byte, sizeof(byte), address);
	}
	return read_memory(grant->memory, local, size, address);
}

static bool proc_alive(const struct proc *proc)
{
	return proc->pidfd >= 0 && syscall(SYS_pidfd_send_signal, proc->pidfd, 0, NULL, 0) == 0;
}

static void grant_free(struct direct_reads_grant *grant)
{
	if (!grant)
		return;
	if (grant->proc_directory >= 0)
		close(grant->proc_directory);
	if (grant->memory >= 0)
		close(grant->memory);
	free(grant);
}

static void end_grant(struct proc *proc, const char *why)
{
	log_info("proc %d (uid %u): direct reads end: %s", proc->pid, (unsigned)proc->euid, why);
	direct_reads_end(proc);
}

int direct_reads_copy(struct proc *proc, const struct iovec *local, const struct iovec *remote,
                      size_t count, size_t total)
{
	struct direct_reads_grant *grant = proc->direct_reads_grant;
	if (!proc->direct_reads || !grant)
		return -EFAULT;
	if (total == 0)
		return 0;
	int error = 0;
	for (size_t i = 0; !error && i < count; i++) {
		if (local[i].iov_len != remote[i].iov_len)
			error = -EFAULT;
		else
			error = read_region(proc, grant, local[i].iov_base, local[i].iov_len,
			                    (uint64_t)(uintptr_t)remote[i].iov_base);
	}
	/* The address space that granted is gone (an exec, or the process
	 * died): no more direct reads for this connection. A bad address
	 * fails this call only, as the kernel's copy_from_user would. */
	if (error == -ESRCH)
		end_grant(proc, "the address space that granted the reads is gone (exec or exit)");
	return error ? -EFAULT : 0;
}

void direct_reads_grant(struct proc *proc, const struct binderd_hello *hello)
{
	direct_reads_end(proc);
	if (proc->pidfd < 0)
		return;
	struct ucred credentials;
	socklen_t length = sizeof(credentials);
	if (getsockopt(proc->channel.fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) < 0)
		return;
	char path[sizeof("/proc/") + 3 * sizeof(pid_t)];
	snprintf(path, sizeof(path), "/proc/%d", (int)proc->pid);
	struct direct_reads_grant *grant = calloc(1, sizeof(*grant));
	if (!grant)
		return;
	grant->uid = credentials.uid;
	grant->gid = credentials.gid;
	grant->memory = -1;
	grant->proc_directory = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* Alive after the open: the pid named the process when it was made. */
	if (grant->proc_directory < 0 || !proc_alive(proc)) {
		grant_free(grant);
		return;
	}
	grant->memory = open_memory(grant);
	/* The mem file is all later reads need. */
	close(grant->proc_directory);
	grant->proc_directory = -1;
	bool granted = false;
	if (grant->memory >= 0) {
		uint64_t value = 0;
		granted = read_memory(grant->memory, &value, sizeof(value), hello->probe_address) ==
		                  0 &&
		          value == hello->probe_value;
	}
	if (!granted) {
		grant_free(grant);
		return;
	}
	proc->direct_reads_grant = grant;
	proc->direct_reads = true;
}

void direct_reads_end(struct proc *proc)
{
	proc->direct_reads = false;
	grant_free(proc->direct_reads_grant);
	proc->direct_reads_grant = NULL;
}
