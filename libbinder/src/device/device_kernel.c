/*
 * device_kernel.c - the kernel backend: a binder character device used
 * with plain open / mmap / ioctl; the kernel does all the work.
 */
#include "device_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int binder_kernel_open(struct binder_device *device, const char *path, int flags)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | (flags & O_NONBLOCK));

	if (fd < 0)
		return -errno;
	device->fd = fd;
	return 0;
}

int binder_kernel_mmap(struct binder_device *device, size_t size)
{
	void *area;

	if (device->area)
		return -EBUSY;
	area = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_NORESERVE, device->fd, 0);
	if (area == MAP_FAILED)
		return -errno;
	device->area = area;
	device->mapped_size = size;
	device->reserved_size = size;
	return 0;
}

int binder_kernel_ioctl(struct binder_device *device, unsigned int cmd, void *arg)
{
	/* Restarting is safe: BINDER_WRITE_READ reports what it consumed. */
	for (;;) {
		if (ioctl(device->fd, cmd, arg) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int binder_kernel_set_security_context(struct binder_device *device, const char *label,
                                       size_t length)
{
	(void)device;
	(void)label;
	(void)length;
	return -EOPNOTSUPP;
}

void binder_kernel_close(struct binder_device *device)
{
	/* A fork child has no copy of the binder mapping (VM_DONTCOPY). */
	if (device->area && binder_device_is_own(device))
		munmap(device->area, device->reserved_size);
	device->area = NULL;
	if (device->fd >= 0)
		close(device->fd);
	device->fd = -1;
}
