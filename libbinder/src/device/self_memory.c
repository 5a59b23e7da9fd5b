/*
 * self_memory.c - safe copies within the process: process_vm_readv and
 * process_vm_writev on our own pid return EFAULT for unmapped addresses
 * where memcpy would fault. If those calls are unavailable (seccomp), falls
 * back to plain memcpy.
 */
#include "self_memory.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/uio.h>

#include "fork_watch.h"

static bool self_memory_unavailable;

static int self_copy(bool reading, void *local, uint64_t remote, size_t size)
{
	struct iovec local_iov = {.iov_base = local, .iov_len = size};
	struct iovec remote_iov = {.iov_base = (void *)(uintptr_t)remote, .iov_len = size};
	ssize_t copied;

	if (size == 0)
		return 0;
	if (remote != (uintptr_t)remote || remote + size < remote)
		return -EFAULT;
	if (__atomic_load_n(&self_memory_unavailable, __ATOMIC_RELAXED))
		goto fallback;
	do {
		if (reading)
			copied = process_vm_readv(binder_self_pid(), &local_iov, 1, &remote_iov, 1,
			                          0);
		else
			copied = process_vm_writev(binder_self_pid(), &local_iov, 1, &remote_iov, 1,
			                           0);
	} while (copied < 0 && errno == EINTR);
	if (copied == (ssize_t)size)
		return 0;
	if (copied >= 0 || errno == EFAULT)
		return -EFAULT;
	if (errno != ENOSYS && errno != EPERM)
		return -errno;
	__atomic_store_n(&self_memory_unavailable, true, __ATOMIC_RELAXED);
fallback:
	if (reading)
		memcpy(local, (const void *)(uintptr_t)remote, size);
	else
		memcpy((void *)(uintptr_t)remote, local, size);
	return 0;
}

int binder_self_read(void *destination, uint64_t source, size_t size)
{
	return self_copy(true, destination, source, size);
}

int binder_self_write(uint64_t destination, const void *source, size_t size)
{
	return self_copy(false, (void *)source, destination, size);
}
