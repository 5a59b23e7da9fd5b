/*
 * preload_fd_calls.c - ioctl, close, dup, dup2, dup3 and fcntl for the LD_PRELOAD
 * library: binder ioctls on an fd that stands for a device go to the
 * device layer; copies of such an fd stand for the same device.
 */
#include "preload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "device_internal.h"

PRELOAD_EXPORT int ioctl(int fd, unsigned long request, ...);
PRELOAD_EXPORT int close(int fd);
PRELOAD_EXPORT int dup(int fd);
PRELOAD_EXPORT int dup2(int fd, int new_fd);
PRELOAD_EXPORT int dup3(int fd, int new_fd, int flags);
PRELOAD_EXPORT int fcntl(int fd, int cmd, ...);
PRELOAD_EXPORT int fcntl64(int fd, int cmd, ...);

int ioctl(int fd, unsigned long request, ...)
{
	binder_device *device = preload_device_for_fd(fd);
	va_list arguments;
	void *argument;
	int status;

	va_start(arguments, request);
	argument = va_arg(arguments, void *);
	va_end(arguments);
	if (!device)
		return preload_real()->ioctl(fd, request, argument);
	status = binder_device_ioctl(device, request, argument);
	if (status < 0) {
		errno = -status;
		return -1;
	}
	return 0;
}

int close(int fd)
{
	if (preload_device_for_fd(fd))
		preload_drop_fd(fd);
	return preload_real()->close(fd);
}

int dup(int fd)
{
	int new_fd = preload_real()->dup(fd);

	if (new_fd >= 0 && preload_device_for_fd(fd))
		preload_share_fd(fd, new_fd);
	return new_fd;
}

/* After new_fd became a copy of fd (dup2, dup3): new_fd's old device, if
 * any, lost an fd; fd's device, if any, gained one. */
static void after_copy(int fd, int new_fd)
{
	if (preload_device_for_fd(fd))
		preload_share_fd(fd, new_fd);
	else if (preload_device_for_fd(new_fd))
		preload_drop_fd(new_fd);
}

int dup2(int fd, int new_fd)
{
	int result = preload_real()->dup2(fd, new_fd);

	if (result >= 0 && fd != new_fd)
		after_copy(fd, new_fd);
	return result;
}

int dup3(int fd, int new_fd, int flags)
{
	int result = preload_real()->dup3(fd, new_fd, flags);

	if (result >= 0)
		after_copy(fd, new_fd);
	return result;
}

static int fcntl_common(int (*real_fcntl)(int, int, ...), int fd, int cmd, void *argument)
{
	int result = real_fcntl(fd, cmd, argument);
	binder_device *device;

	if (result < 0)
		return result;
	device = preload_device_for_fd(fd);
	if (!device)
		return result;
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		preload_share_fd(fd, result);
	else if (cmd == F_SETFL)
		binder_device_set_nonblocking(device, (long)argument & O_NONBLOCK);
	return result;
}

int fcntl(int fd, int cmd, ...)
{
	va_list arguments;
	void *argument;

	va_start(arguments, cmd);
	argument = va_arg(arguments, void *);
	va_end(arguments);
	return fcntl_common(preload_real()->fcntl, fd, cmd, argument);
}

int fcntl64(int fd, int cmd, ...)
{
	va_list arguments;
	void *argument;

	va_start(arguments, cmd);
	argument = va_arg(arguments, void *);
	va_end(arguments);
	return fcntl_common(preload_real()->fcntl64, fd, cmd, argument);
}
