/*
 * preload_poll.c - poll and ppoll for the LD_PRELOAD library: an fd that
 * stands for a device is polled through the calling thread's binderd
 * channel (binder_device_poll_fd), which is readable when there is work.
 */
#include "preload.h"

#include <errno.h>
#include <stdlib.h>

PRELOAD_EXPORT int poll(struct pollfd *fds, nfds_t count, int timeout);
PRELOAD_EXPORT int ppoll(struct pollfd *fds, nfds_t count, const struct timespec *timeout,
                         const sigset_t *mask);
PRELOAD_EXPORT int __poll_chk(struct pollfd *fds, nfds_t count, int timeout, size_t fds_size);
PRELOAD_EXPORT int __ppoll_chk(struct pollfd *fds, nfds_t count, const struct timespec *timeout,
                               const sigset_t *mask, size_t fds_size);

/* Enough for most calls without allocating. */
#define POLL_STACK_ENTRIES 32

/* glibc declares poll()'s array write-only (access attribute), so gcc
 * thinks reading the caller's events is reading uninitialized memory. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

static bool has_device(const struct pollfd *fds, nfds_t count)
{
	nfds_t i;

	if (!preload_any_device())
		return false;
	for (i = 0; i < count; i++)
		if (preload_device_for_fd(fds[i].fd))
			return true;
	return false;
}

/*
 * Polls a copy of fds in which device fds are replaced by the thread's
 * channels. A device that cannot be polled (binderd gone) reports POLLERR
 * at once, as a broken file would.
 */
static int poll_devices(struct pollfd *fds, nfds_t count, const struct timespec *timeout,
                        const sigset_t *mask, int poll_timeout, bool use_ppoll)
{
	struct pollfd stack_copy[POLL_STACK_ENTRIES], *copy = stack_copy;
	static const struct timespec no_wait = {0, 0};
	bool failed = false;
	int result;
	nfds_t i;

	if (count > POLL_STACK_ENTRIES) {
		copy = calloc(count, sizeof(*copy));
		if (!copy) {
			errno = ENOMEM;
			return -1;
		}
	}
	for (i = 0; i < count; i++) {
		binder_device *device = preload_device_for_fd(fds[i].fd);

		copy[i] = fds[i];
		if (!device)
			continue;
		copy[i].events = POLLIN;
		copy[i].fd = binder_device_poll_fd(device);
		if (copy[i].fd < 0) {
			copy[i].fd = -1; /* ignored by poll */
			failed = true;
		}
	}
	if (failed) {
		timeout = &no_wait;
		poll_timeout = 0;
	}
	if (use_ppoll)
		result = preload_real()->ppoll(copy, count, timeout, mask);
	else
		result = preload_real()->poll(copy, count, poll_timeout);
	if (result >= 0) {
		for (i = 0; i < count; i++) {
			short revents = copy[i].revents;

			if (preload_device_for_fd(fds[i].fd)) {
				if (copy[i].fd < 0) {
					revents = POLLERR;
					result++;
				} else {
					revents = (short)(revents &
					                  (fds[i].events | POLLERR | POLLHUP));
				}
			}
			fds[i].revents = revents;
		}
	}
	if (copy != stack_copy) {
		int error = errno;

		free(copy);
		errno = error;
	}
	return result;
}

int poll(struct pollfd *fds, nfds_t count, int timeout)
{
	if (!has_device(fds, count))
		return preload_real()->poll(fds, count, timeout);
	return poll_devices(fds, count, NULL, NULL, timeout, false);
}

int ppoll(struct pollfd *fds, nfds_t count, const struct timespec *timeout, const sigset_t *mask)
{
	if (!has_device(fds, count))
		return preload_real()->ppoll(fds, count, timeout, mask);
	return poll_devices(fds, count, timeout, mask, 0, true);
}

int __poll_chk(struct pollfd *fds, nfds_t count, int timeout, size_t fds_size)
{
	if (fds_size / sizeof(*fds) < count)
		abort();
	return poll(fds, count, timeout);
}

int __ppoll_chk(struct pollfd *fds, nfds_t count, const struct timespec *timeout,
                const sigset_t *mask, size_t fds_size)
{
	if (fds_size / sizeof(*fds) < count)
		abort();
	return ppoll(fds, count, timeout, mask);
}
