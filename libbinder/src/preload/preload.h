/*
 * preload.h - the LD_PRELOAD library (libbinder_preload.so): runs a
 * program written for the kernel's /dev/binder, unmodified, on binderd.
 *
 * Use: BINDER_DEVICE=/path/to/binderd.sock LD_PRELOAD=libbinder_preload.so prog
 *
 * Intercepted (libc entry points, through dlsym(RTLD_NEXT)):
 *  - open, open64, openat, openat64 (and their _FORTIFY_SOURCE __*_2
 *    forms): a path whose last component is "binder", "hwbinder" or
 *    "vndbinder" (e.g. /dev/binder, /dev/binderfs/hwbinder), that is a
 *    character device or does not exist, is opened on binderd when
 *    $BINDER_DEVICE names a socket. The program gets a real fd it owns (an
 *    eventfd, inert by itself) that stands for the device; O_CLOEXEC and
 *    O_NONBLOCK are honoured. Every other open is passed through.
 *  - ioctl on such an fd: the binder ioctls, as the kernel does them.
 *  - mmap, mmap64: maps the receive area, read-only (PROT_WRITE: EPERM,
 *    a second mapping: EBUSY, as the kernel). The address hint is not
 *    honoured; MAP_FIXED fails with EINVAL.
 *  - munmap of the whole area. As with the kernel, the binder process lives
 *    until the last fd is closed and the area unmapped.
 *  - poll, ppoll (and __poll_chk, __ppoll_chk): the fd is replaced by the
 *    calling thread's binderd channel, which becomes readable (POLLIN) when
 *    the thread has work.
 *  - close, dup, dup2, dup3, fcntl, fcntl64 (F_DUPFD, F_DUPFD_CLOEXEC,
 *    F_SETFL's O_NONBLOCK): copies of the fd stand for the same device.
 *  - fork: a child inherits the fd but, as with the kernel, not the
 *    mapping; its ioctl and mmap on the inherited fd fail with EINVAL and
 *    it opens the device itself.
 *
 * Not intercepted: select, pselect, epoll (the stand-in fd never becomes
 * readable for them), read/write, fstat (the fd shows as an eventfd),
 * mremap, partial munmap of the area, calls made inside libc itself, raw
 * system calls, fds numbered PRELOAD_MAX_FD or more (open fails with
 * EMFILE), and clone()/vfork children that call binder without exec.
 * Closing the fd in one thread while another uses it is not supported.
 */
#ifndef BINDER_PRELOAD_H
#define BINDER_PRELOAD_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "binder/device.h"

#define PRELOAD_EXPORT __attribute__((visibility("default")))

/* Highest fd number + 1 that can stand for a device. */
#define PRELOAD_MAX_FD 65536

/* The next definitions of the functions we interpose. */
struct preload_real {
	int (*open)(const char *path, int flags, ...);
	int (*open64)(const char *path, int flags, ...);
	int (*openat)(int directory, const char *path, int flags, ...);
	int (*openat64)(int directory, const char *path, int flags, ...);
	void *(*mmap)(void *address, size_t length, int protection, int flags, int fd,
	              off_t offset);
	void *(*mmap64)(void *address, size_t length, int protection, int flags, int fd,
	                off64_t offset);
	int (*munmap)(void *address, size_t length);
	int (*ioctl)(int fd, unsigned long request, ...);
	int (*poll)(struct pollfd *fds, nfds_t count, int timeout);
	int (*ppoll)(struct pollfd *fds, nfds_t count, const struct timespec *timeout,
	             const sigset_t *mask);
	int (*close)(int fd);
	int (*dup)(int fd);
	int (*dup2)(int fd, int new_fd);
	int (*dup3)(int fd, int new_fd, int flags);
	int (*fcntl)(int fd, int cmd, ...);
	int (*fcntl64)(int fd, int cmd, ...);
};

/* Resolved on first use. */
const struct preload_real *preload_real(void);

/* True if at least one fd stands for a device (cheap). */
bool preload_any_device(void);

/* The device fd stands for, or NULL. Lock-free. */
binder_device *preload_device_for_fd(int fd);

/* fd (new) now stands for device, which the table owns. 0 or -errno. */
int preload_add_device(int fd, binder_device *device);

/* new_fd now stands for the same device as fd (dup). */
void preload_share_fd(int fd, int new_fd);

/* fd no longer stands for its device (closed); the device is closed when
 * no fd and no mapping refer to it any more. */
void preload_drop_fd(int fd);

/* The device's area was mapped at area, length bytes: the mapping keeps
 * the device alive. */
void preload_note_mapping(int fd, void *area, size_t length);

/* Called before munmap(address, length): if that is a device's area, the
 * device forgets it and the mapping's hold on the device is dropped. */
void preload_drop_mapping(void *address, size_t length);

#endif
