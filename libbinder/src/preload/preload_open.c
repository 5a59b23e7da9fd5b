/*
 * preload_open.c - the open() family of the LD_PRELOAD library: opening a
 * binder device path opens binderd instead (see preload.h for the rule)
 * and returns an eventfd that stands for the device.
 */
#include "preload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

PRELOAD_EXPORT int open(const char *path, int flags, ...);
PRELOAD_EXPORT int open64(const char *path, int flags, ...);
PRELOAD_EXPORT int __open_2(const char *path, int flags);
PRELOAD_EXPORT int __open64_2(const char *path, int flags);
PRELOAD_EXPORT int openat(int directory, const char *path, int flags, ...);
PRELOAD_EXPORT int openat64(int directory, const char *path, int flags, ...);
PRELOAD_EXPORT int __openat_2(int directory, const char *path, int flags);
PRELOAD_EXPORT int __openat64_2(int directory, const char *path, int flags);

static bool is_binder_name(const char *path)
{
	const char *name = strrchr(path, '/');

	name = name ? name + 1 : path;
	return strcmp(name, "binder") == 0 || strcmp(name, "hwbinder") == 0 ||
	       strcmp(name, "vndbinder") == 0;
}

/* The binderd socket to use for path, or NULL to open path as usual. */
static const char *binderd_for(int directory, const char *path, int flags)
{
	const char *socket_path;
	struct stat status;

	if (!path || (flags & (O_CREAT | O_DIRECTORY | O_PATH)) || !is_binder_name(path))
		return NULL;
	socket_path = getenv(BINDER_DEVICE_ENV);
	if (!socket_path || !*socket_path || stat(socket_path, &status) < 0 ||
	    !S_ISSOCK(status.st_mode))
		return NULL;
	/* A file or directory that happens to be called binder stays one. */
	if (fstatat(directory, path, &status, 0) == 0 && !S_ISCHR(status.st_mode))
		return NULL;
	return socket_path;
}

static int open_binderd(const char *socket_path, int flags)
{
	binder_device *device;
	int fd, status;

	status = binder_device_open(socket_path, flags & O_NONBLOCK, &device);
	if (status) {
		errno = -status;
		return -1;
	}
	fd = eventfd(0, ((flags & O_CLOEXEC) ? EFD_CLOEXEC : 0) |
	                        ((flags & O_NONBLOCK) ? EFD_NONBLOCK : 0));
	if (fd < 0) {
		status = errno;
		binder_device_close(device);
		errno = status;
		return -1;
	}
	status = preload_add_device(fd, device);
	if (status) {
		preload_real()->close(fd);
		binder_device_close(device);
		errno = -status;
		return -1;
	}
	return fd;
}

static mode_t mode_argument(int flags, va_list arguments)
{
	if (flags & (O_CREAT | O_TMPFILE))
		return va_arg(arguments, mode_t);
	return 0;
}

int open(const char *path, int flags, ...)
{
	const char *socket_path = binderd_for(AT_FDCWD, path, flags);
	va_list arguments;
	mode_t mode;

	if (socket_path)
		return open_binderd(socket_path, flags);
	va_start(arguments, flags);
	mode = mode_argument(flags, arguments);
	va_end(arguments);
	return preload_real()->open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	const char *socket_path = binderd_for(AT_FDCWD, path, flags);
	va_list arguments;
	mode_t mode;

	if (socket_path)
		return open_binderd(socket_path, flags);
	va_start(arguments, flags);
	mode = mode_argument(flags, arguments);
	va_end(arguments);
	return preload_real()->open64(path, flags, mode);
}

int __open_2(const char *path, int flags)
{
	return open(path, flags);
}

int __open64_2(const char *path, int flags)
{
	return open64(path, flags);
}

int openat(int directory, const char *path, int flags, ...)
{
	const char *socket_path = binderd_for(directory, path, flags);
	va_list arguments;
	mode_t mode;

	if (socket_path)
		return open_binderd(socket_path, flags);
	va_start(arguments, flags);
	mode = mode_argument(flags, arguments);
	va_end(arguments);
	return preload_real()->openat(directory, path, flags, mode);
}

int openat64(int directory, const char *path, int flags, ...)
{
	const char *socket_path = binderd_for(directory, path, flags);
	va_list arguments;
	mode_t mode;

	if (socket_path)
		return open_binderd(socket_path, flags);
	va_start(arguments, flags);
	mode = mode_argument(flags, arguments);
	va_end(arguments);
	return preload_real()->openat64(directory, path, flags, mode);
}

int __openat_2(int directory, const char *path, int flags)
{
	return openat(directory, path, flags);
}

int __openat64_2(int directory, const char *path, int flags)
{
	return openat64(directory, path, flags);
}
