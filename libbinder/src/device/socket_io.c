/*
 * socket_io.c - sendmsg / recvmsg loops for binderd's stream sockets:
 * full reads and writes, EINTR retry, SCM_RIGHTS both ways (received fds
 * are close-on-exec, as binder installs them), no SIGPIPE.
 *
 * A thread waits for binderd's answer in poll(), never asleep in recvmsg:
 * the socket's one wait queue serves both directions, and every time
 * binderd reads our request the kernel wakes that queue for "writable"
 * (unix_write_space). A task asleep in recvmsg wakes for it, finds nothing
 * and sleeps again (a context switch per request); poll() sleeps only for
 * POLLIN. Measured with binder_bench --quick: a third fewer context
 * switches, 8-thread calls/s about 1.6x.
 */
#include "socket_io.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "binderd/socket_protocol.h"

static int socket_error(int error)
{
	if (error == EPIPE || error == ECONNRESET)
		return -ENOTCONN;
	return -error;
}

/* Sleeps until the socket has data (or an end or error, which the next
 * recvmsg reports). 0 or -errno. */
static int wait_readable(int socket)
{
	struct pollfd ready = {.fd = socket, .events = POLLIN};

	while (poll(&ready, 1, -1) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

int binder_socket_send(int socket, const struct iovec *iov, int iov_count, const int *fds,
                       unsigned fd_count)
{
	union {
		char buffer[CMSG_SPACE(sizeof(int) * BINDERD_MAX_FDS_PER_MESSAGE)];
		struct cmsghdr align;
	} control;
	struct iovec rest[8];
	struct msghdr message = {0};
	ssize_t sent;

	if (iov_count > (int)(sizeof(rest) / sizeof(rest[0])) ||
	    fd_count > BINDERD_MAX_FDS_PER_MESSAGE)
		return -EINVAL;
	memcpy(rest, iov, sizeof(*iov) * iov_count);
	message.msg_iov = rest;
	message.msg_iovlen = iov_count;
	if (fd_count) {
		struct cmsghdr *header;

		message.msg_control = control.buffer;
		message.msg_controllen = CMSG_SPACE(sizeof(int) * fd_count);
		header = CMSG_FIRSTHDR(&message);
		header->cmsg_level = SOL_SOCKET;
		header->cmsg_type = SCM_RIGHTS;
		header->cmsg_len = CMSG_LEN(sizeof(int) * fd_count);
		memcpy(CMSG_DATA(header), fds, sizeof(int) * fd_count);
	}
	for (;;) {
		sent = sendmsg(socket, &message, MSG_NOSIGNAL);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			return socket_error(errno);
		}
		/* The fds went with the first byte. */
		message.msg_control = NULL;
		message.msg_controllen = 0;
		while (message.msg_iovlen && (size_t)sent >= message.msg_iov->iov_len) {
			sent -= (ssize_t)message.msg_iov->iov_len;
			message.msg_iov++;
			message.msg_iovlen--;
		}
		if (message.msg_iovlen == 0)
			return 0;
		message.msg_iov->iov_base = (char *)message.msg_iov->iov_base + sent;
		message.msg_iov->iov_len -= sent;
	}
}

/* Takes the fds out of a received control buffer. Returns -EMSGSIZE if
 * some did not fit in fds (those are closed). */
static int take_fds(struct msghdr *message, int *fds, unsigned max_fds, unsigned *fd_count)
{
	struct cmsghdr *header;
	int status = 0;

	if (message->msg_flags & MSG_CTRUNC)
		status = -EMSGSIZE;
	for (header = CMSG_FIRSTHDR(message); header; header = CMSG_NXTHDR(message, header)) {
		size_t count, i;

		if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS)
			continue;
		count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < count; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof(fd));
			if (fds && *fd_count < max_fds) {
				fds[(*fd_count)++] = fd;
			} else {
				close(fd);
				status = -EMSGSIZE;
			}
		}
	}
	return status;
}

int binder_socket_receive(int socket, void *buffer, size_t size, int *fds, unsigned max_fds,
                          unsigned *fd_count)
{
	union {
		char buffer[CMSG_SPACE(sizeof(int) * BINDERD_MAX_FDS_PER_MESSAGE)];
		struct cmsghdr align;
	} control;
	size_t done = 0;
	unsigned ignored_count = 0;
	int fd_status = 0;

	if (!fd_count)
		fd_count = &ignored_count;
	*fd_count = 0;
	while (done < size) {
		struct iovec iov = {.iov_base = (char *)buffer + done, .iov_len = size - done};
		struct msghdr message = {
		        .msg_iov = &iov,
		        .msg_iovlen = 1,
		        .msg_control = control.buffer,
		        .msg_controllen = sizeof(control.buffer),
		};
		ssize_t received = recvmsg(socket, &message, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		int status;

		if (received < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				status = wait_readable(socket);
				if (status)
					return status;
				continue;
			}
			if (errno == EFAULT) {
				/* Keep the stream in step: drop what was meant
				 * for the unwritable buffer. */
				status = binder_socket_discard(socket, size - done);
				return status ? status : -EFAULT;
			}
			return socket_error(errno);
		}
		status = take_fds(&message, fds, max_fds, fd_count);
		if (status)
			fd_status = status;
		if (received == 0)
			return -ENOTCONN;
		done += received;
	}
	return fd_status;
}

int binder_socket_receive_some(int socket, const struct iovec *iov, int iov_count, int *fds,
                               unsigned max_fds, unsigned *fd_count, size_t *received)
{
	union {
		char buffer[CMSG_SPACE(sizeof(int) * BINDERD_MAX_FDS_PER_MESSAGE)];
		struct cmsghdr align;
	} control;
	struct msghdr message = {
	        .msg_iov = (struct iovec *)iov,
	        .msg_iovlen = (size_t)iov_count,
	        .msg_control = control.buffer,
	        .msg_controllen = sizeof(control.buffer),
	};
	ssize_t count;

	*fd_count = 0;
	*received = 0;
	/* The answer is seldom there yet: wait first (see the top). */
	int waited = wait_readable(socket);
	if (waited)
		return waited;
	for (;;) {
		count = recvmsg(socket, &message, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (count >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return errno == EFAULT ? -EFAULT : socket_error(errno);
		waited = wait_readable(socket);
		if (waited)
			return waited;
	}
	*received = (size_t)count;
	int status = take_fds(&message, fds, max_fds, fd_count);
	if (count == 0)
		return -ENOTCONN;
	return status;
}

int binder_socket_discard(int socket, size_t size)
{
	char scratch[4096];

	while (size) {
		size_t chunk = size < sizeof(scratch) ? size : sizeof(scratch);
		int status = binder_socket_receive(socket, scratch, chunk, NULL, 0, NULL);

		if (status && status != -EMSGSIZE)
			return status;
		size -= chunk;
	}
	return 0;
}
