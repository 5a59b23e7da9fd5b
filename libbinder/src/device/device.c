/*
 * device.c - the device layer's public functions (binder/device.h) and
 * those it offers the runtime (device_runtime.h): picks the backend from
 * what the path is, refuses use from a fork child that inherited the
 * device, and dispatches to the kernel or binderd backend.
 */
#include "device_internal.h"
#include "device_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binderd/socket_protocol.h"
#include "fork_watch.h"
#include "self_memory.h"

#define KERNEL_DEVICE_PATH "/dev/binder"

const char *binder_device_default_path(void)
{
	const char *path = getenv(BINDER_DEVICE_ENV);
	struct stat status;

	if (path && *path)
		return path;
	if (stat(KERNEL_DEVICE_PATH, &status) == 0 && S_ISCHR(status.st_mode))
		return KERNEL_DEVICE_PATH;
	return BINDERD_DEFAULT_SOCKET;
}

bool binder_device_is_own(const struct binder_device *device)
{
	return device->fork_generation == binder_fork_generation();
}

int binder_device_open(const char *path, int flags, binder_device **out)
{
	struct binder_device *device;
	struct stat status;
	int result;

	if (!out || (flags & ~(O_NONBLOCK | O_CLOEXEC)))
		return -EINVAL;
	if (!path)
		path = binder_device_default_path();
	if (stat(path, &status) < 0)
		return -errno;
	if (!S_ISCHR(status.st_mode) && !S_ISSOCK(status.st_mode))
		return -ENODEV;
	device = calloc(1, sizeof(*device));
	if (!device)
		return -ENOMEM;
	device->fd = -1;
	device->nonblocking = flags & O_NONBLOCK;
	device->fork_generation = binder_fork_generation();
	if (S_ISCHR(status.st_mode)) {
		device->backend = BINDER_BACKEND_KERNEL;
		result = binder_kernel_open(device, path, flags);
	} else {
		device->backend = BINDER_BACKEND_BINDERD;
		result = binderd_open(device, path);
	}
	if (result) {
		free(device);
		return result;
	}
	*out = device;
	return 0;
}

enum binder_device_backend binder_device_backend(const binder_device *device)
{
	return device->backend;
}

int binder_device_mmap(binder_device *device, size_t size, void **addr)
{
	int result;

	if (!device || !addr || size == 0)
		return -EINVAL;
	/* As the kernel: the mapping belongs to the process that opened. */
	if (!binder_device_is_own(device))
		return -EINVAL;
	if (device->backend == BINDER_BACKEND_KERNEL)
		result = binder_kernel_mmap(device, size);
	else
		result = binderd_mmap(device, size);
	if (result == 0)
		*addr = device->area;
	return result;
}

int binder_device_ioctl(binder_device *device, unsigned long cmd, void *arg)
{
	/* The kernel's ioctl takes the command as unsigned int: a request
	 * passed as a signed int (BINDER_VERSION sign-extended to
	 * 0xffffffffc0046209) is the same command once truncated. */
	unsigned int command = (unsigned int)cmd;

	if (!device || !binder_device_is_own(device))
		return -EINVAL;
	if (device->backend == BINDER_BACKEND_KERNEL)
		return binder_kernel_ioctl(device, command, arg);
	return binderd_ioctl(device, command, arg);
}

int binder_device_poll_fd(binder_device *device)
{
	if (!device || !binder_device_is_own(device))
		return -EINVAL;
	if (device->backend == BINDER_BACKEND_KERNEL)
		return device->fd;
	return binderd_poll_fd(device);
}

/* The labels binderd accepts: 1 to BINDERD_MAX_SECURITY_CONTEXT_SIZE
 * bytes of printable ASCII. Returns the length, or 0 for a bad label. */
static size_t security_context_length(const char *label)
{
	size_t length = strnlen(label, BINDERD_MAX_SECURITY_CONTEXT_SIZE + 1);

	if (length > BINDERD_MAX_SECURITY_CONTEXT_SIZE)
		return 0;
	for (size_t i = 0; i < length; i++)
		if ((unsigned char)label[i] < 0x20 || (unsigned char)label[i] > 0x7e)
			return 0;
	return length;
}

int binder_device_set_security_context(binder_device *device, const char *label)
{
	size_t length;

	if (!device || !label || !binder_device_is_own(device))
		return -EINVAL;
	length = security_context_length(label);
	if (length == 0)
		return -EINVAL;
	if (device->backend == BINDER_BACKEND_KERNEL)
		return binder_kernel_set_security_context(device, label, length);
	return binderd_set_security_context(device, label, length);
}

int binder_device_kill_node(binder_device *device, uint64_t ptr, uint64_t cookie)
{
	if (!device || !binder_device_is_own(device))
		return -EINVAL;
	if (device->backend == BINDER_BACKEND_KERNEL)
		return -EOPNOTSUPP;
	return binderd_kill_node(device, ptr, cookie);
}

void binder_device_forget_area(struct binder_device *device)
{
	device->area = NULL;
	device->mapped_size = 0;
	device->reserved_size = 0;
}

void binder_device_set_nonblocking(struct binder_device *device, bool nonblocking)
{
	device->nonblocking = nonblocking;
	if (device->backend == BINDER_BACKEND_KERNEL) {
		int flags = fcntl(device->fd, F_GETFL);

		/* Cannot fail with the flags F_GETFL gave; the fd stays as it was. */
		if (flags >= 0)
			(void)fcntl(device->fd, F_SETFL,
			            nonblocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
	}
}

int binder_device_keep_area_copy(binder_device *device, void **addr, size_t *size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *copy;

	if (!device || !addr || !size || !binder_device_is_own(device) || !device->area)
		return -EINVAL;
	copy = mmap(NULL, device->reserved_size, PROT_READ | PROT_WRITE,
	            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (copy == MAP_FAILED)
		return -ENOMEM;
	/* Page by page, skipping pages that cannot be read: the kernel
	 * driver maps only the pages its buffers use (SIGBUS elsewhere). */
	for (size_t offset = 0; offset < device->mapped_size; offset += page) {
		size_t length =
		        device->mapped_size - offset < page ? device->mapped_size - offset : page;

		binder_self_read((uint8_t *)copy + offset, (uintptr_t)device->area + offset,
		                 length);
	}
	if (mprotect(copy, device->reserved_size, PROT_READ) < 0 ||
	    mremap(copy, device->reserved_size, device->reserved_size,
	           MREMAP_MAYMOVE | MREMAP_FIXED, device->area) == MAP_FAILED) {
		munmap(copy, device->reserved_size);
		return -ENOMEM;
	}
	*addr = device->area;
	*size = device->reserved_size;
	binder_device_forget_area(device);
	return 0;
}

int binder_device_write_read(binder_device *device, struct binder_write_read *bwr, unsigned hints)
{
	if (!device || !binder_device_is_own(device) ||
	    (hints & ~(BINDER_WRITE_READ_HOLD_COMPLETE | BINDER_WRITE_READ_VALID_BUFFERS)))
		return -EINVAL;
	if (device->backend == BINDER_BACKEND_KERNEL)
		return binder_kernel_ioctl(device, BINDER_WRITE_READ, bwr);
	return binderd_write_read(device, bwr, hints);
}

bool binder_device_gathers(const binder_device *device)
{
	return device && device->backend == BINDER_BACKEND_BINDERD && device->gather_reads;
}

void binder_device_interrupt(binder_device *device)
{
	if (!device || !binder_device_is_own(device))
		return;
	if (device->backend == BINDER_BACKEND_KERNEL) {
		/* Each close of a binder fd runs the driver's flush. */
		int copy = fcntl(device->fd, F_DUPFD_CLOEXEC, 0);

		if (copy >= 0)
			close(copy);
	} else {
		binderd_interrupt(device);
	}
}

void binder_device_close(binder_device *device)
{
	if (!device)
		return;
	if (device->backend == BINDER_BACKEND_KERNEL)
		binder_kernel_close(device);
	else
		binderd_close(device);
	free(device);
}
