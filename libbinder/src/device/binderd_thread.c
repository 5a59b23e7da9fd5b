/*
 * binderd_thread.c - per-thread channels of the binderd backend. Each
 * thread that makes binder calls on a device gets its own socketpair to
 * binderd (handed over on the process channel). A thread finds its channel
 * in a thread-local list keyed by the device's generation, without a lock.
 * The channel ends when the thread exits (a pthread key destructor: to
 * binderd that is the thread exiting) or when the device is closed; in
 * the last case the thread frees the leftover entry later. After
 * BINDER_THREAD_EXIT binderd starts the thread afresh on the same channel.
 */
#include "binderd_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Guards every device's thread list and the device field of channels. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_exit_key;
static __thread struct binderd_thread *thread_channels;

/* First request buffer: room for a few commands. */
#define REQUEST_INITIAL_CAPACITY 4096u

static void release_channel(struct binderd_thread *thread, bool own)
{
	if (thread->fd >= 0)
		close(thread->fd);
	thread->fd = -1;
	if (own) {
		binder_send_area_destroy(&thread->send_area);
	} else {
		/* Not mapped in a fork child (MADV_DONTFORK). */
		thread->send_area.base = NULL;
		thread->send_area.size = 0;
	}
	free(thread->request);
	thread->request = NULL;
	thread->request_capacity = 0;
}

/* Caller holds registry_lock. */
static void unlink_from_device(struct binderd_thread *thread)
{
	if (thread->device_next)
		thread->device_next->device_previous = thread->device_previous;
	*thread->device_previous = thread->device_next;
	thread->device = NULL;
}

static void on_thread_exit(void *unused)
{
	struct binderd_thread *thread, *next;

	(void)unused;
	pthread_mutex_lock(&registry_lock);
	for (thread = thread_channels; thread; thread = next) {
		next = thread->thread_next;
		if (thread->device) {
			bool own = binder_device_is_own(thread->device);

			unlink_from_device(thread);
			release_channel(thread, own);
		}
		free(thread);
	}
	thread_channels = NULL;
	pthread_mutex_unlock(&registry_lock);
}

static void registry_before_fork(void)
{
	pthread_mutex_lock(&registry_lock);
}

static void registry_after_fork(void)
{
	pthread_mutex_unlock(&registry_lock);
}

static void registry_start(void)
{
	pthread_key_create(&thread_exit_key, on_thread_exit);
	pthread_atfork(registry_before_fork, registry_after_fork, registry_after_fork);
}

/* Frees this thread's channels whose device was closed. Caller holds
 * registry_lock. */
static void prune_closed_channels(void)
{
	struct binderd_thread **link = &thread_channels;

	while (*link) {
		struct binderd_thread *thread = *link;

		if (thread->device) {
			link = &thread->thread_next;
			continue;
		}
		*link = thread->thread_next;
		free(thread);
	}
}

static int create_channel(struct binder_device *device, struct binderd_thread **out)
{
	struct binderd_thread *thread;
	int pair[2], status;

	pthread_once(&registry_once, registry_start);
	thread = calloc(1, sizeof(*thread));
	if (!thread)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		status = -errno;
		free(thread);
		return status;
	}
	status = binderd_process_add_thread(device, pair[1]);
	close(pair[1]);
	if (status) {
		close(pair[0]);
		free(thread);
		return status;
	}
	thread->fd = pair[0];
	thread->generation = device->generation;
	thread->device = device;

	pthread_mutex_lock(&registry_lock);
	prune_closed_channels();
	thread->device_next = device->threads;
	if (device->threads)
		device->threads->device_previous = &thread->device_next;
	thread->device_previous = &device->threads;
	device->threads = thread;
	thread->thread_next = thread_channels;
	thread_channels = thread;
	pthread_mutex_unlock(&registry_lock);

	/* Any non-NULL value makes the destructor run at thread exit. */
	pthread_setspecific(thread_exit_key, &thread_channels);
	*out = thread;
	return 0;
}

int binderd_thread_get(struct binder_device *device, struct binderd_thread **out)
{
	struct binderd_thread *thread;

	for (thread = thread_channels; thread; thread = thread->thread_next) {
		if (thread->generation == device->generation) {
			*out = thread;
			return 0;
		}
	}
	return create_channel(device, out);
}

void binderd_thread_close_all(struct binder_device *device, bool own)
{
	pthread_mutex_lock(&registry_lock);
	while (device->threads) {
		struct binderd_thread *thread = device->threads;

		unlink_from_device(thread);
		release_channel(thread, own);
	}
	pthread_mutex_unlock(&registry_lock);
}

/* How long an interrupt waits for binderd to close the channels it shut
 * for writing before it shuts their reading side too. */
#define INTERRUPT_GRACE_MS 5000

/* Waits until binderd has closed each of the sockets (POLLHUP: both
 * directions shut; polled for nothing else, so data waiting for its
 * thread does not wake this), at most INTERRUPT_GRACE_MS; then shuts the
 * reading side of those still open, which ends any wait on them. */
static void await_hang_ups(struct pollfd *sockets, size_t count)
{
	struct timespec start, now;
	size_t open = count;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (open > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long elapsed = (now.tv_sec - start.tv_sec) * 1000L +
		               (now.tv_nsec - start.tv_nsec) / 1000000L;
		if (elapsed >= INTERRUPT_GRACE_MS)
			break;
		int ready = poll(sockets, count, (int)(INTERRUPT_GRACE_MS - elapsed));
		if (ready < 0 && errno != EINTR)
			break;
		open = 0;
		for (size_t i = 0; i < count; i++) {
			if (sockets[i].fd < 0)
				continue;
			if (sockets[i].revents & (POLLHUP | POLLERR | POLLNVAL))
				sockets[i].fd = -sockets[i].fd - 1; /* done; kept for closing */
			else
				open++;
		}
	}
	for (size_t i = 0; i < count; i++) {
		int fd = sockets[i].fd >= 0 ? sockets[i].fd : -sockets[i].fd - 1;
		if (sockets[i].fd >= 0)
			shutdown(fd, SHUT_RDWR);
		close(fd);
	}
}

/*
 * Shuts every channel of the device for writing only: binderd still takes
 * what each thread has sent (a direct transaction's payload is read from
 * the waiting thread's memory while binderd handles it, as the kernel
 * copies a write during its ioctl), then sees the end and closes the
 * channel, which ends the thread's wait. Shut both ways at once, a wait
 * would end before binderd had read that memory, and binderd would read
 * it after the thread went on (seen as a garbled status reply). The
 * sockets are watched through duplicates, so that a thread closing its
 * channel meanwhile cannot make this act on a reused fd number.
 */
void binderd_interrupt(struct binder_device *device)
{
	struct binderd_thread *thread;
	struct pollfd *sockets = NULL;
	size_t count = 0, capacity = 1;

	pthread_mutex_lock(&registry_lock);
	for (thread = device->threads; thread; thread = thread->device_next)
		capacity++;
	sockets = calloc(capacity, sizeof(*sockets));
	for (thread = device->threads; thread; thread = thread->device_next) {
		int copy = sockets ? fcntl(thread->fd, F_DUPFD_CLOEXEC, 0) : -1;

		if (copy < 0) {
			/* Cannot watch it: shut it both ways now. */
			shutdown(thread->fd, SHUT_RDWR);
			continue;
		}
		shutdown(copy, SHUT_WR);
		sockets[count++] = (struct pollfd){.fd = copy, .events = 0};
	}
	pthread_mutex_unlock(&registry_lock);
	/* The process channel last: its end is the process's death to
	 * binderd, which then closes every thread channel anyway. */
	int copy = sockets ? fcntl(device->fd, F_DUPFD_CLOEXEC, 0) : -1;
	if (copy < 0) {
		shutdown(device->fd, SHUT_RDWR);
	} else {
		shutdown(copy, SHUT_WR);
		sockets[count++] = (struct pollfd){.fd = copy, .events = 0};
	}
	if (sockets)
		await_hang_ups(sockets, count);
	free(sockets);
}

int binderd_thread_reserve_request(struct binderd_thread *thread, size_t size)
{
	size_t capacity =
	        thread->request_capacity ? thread->request_capacity : REQUEST_INITIAL_CAPACITY;
	uint8_t *request;

	if (size <= thread->request_capacity)
		return 0;
	while (capacity < size)
		capacity *= 2;
	request = realloc(thread->request, capacity);
	if (!request)
		return -ENOMEM;
	thread->request = request;
	thread->request_capacity = capacity;
	return 0;
}

int binderd_thread_reserve_send_area(struct binderd_thread *thread, size_t needed)
{
	struct binderd_request request = {.op = BINDERD_OP_SEND_AREA, .fd_count = 1};
	struct iovec iov = {.iov_base = &request, .iov_len = sizeof(request)};
	struct binder_send_area bigger;
	size_t size;
	int fd, status;

	if (needed <= thread->send_area.size)
		return 0;
	size = binder_send_area_size_for(needed);
	if (size == 0)
		size = BINDERD_MAX_SEND_AREA_SIZE;
	if (size <= thread->send_area.size)
		return 0;
	fd = binder_send_area_create(&bigger, size);
	if (fd < 0)
		return fd;
	status = binder_socket_send(thread->fd, &iov, 1, &fd, 1);
	close(fd);
	if (status) {
		binder_send_area_destroy(&bigger);
		return status;
	}
	binder_send_area_destroy(&thread->send_area);
	thread->send_area = bigger;
	return 0;
}
