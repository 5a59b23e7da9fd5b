/*
 * raw_client.c - a minimal client of binderd's socket protocol for the
 * robustness tests (see raw_client.h). Written from socket_protocol.h only.
 */
#include "raw_client.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/android/binder.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int raw_connect(void)
{
	const char *path = getenv("BINDER_DEVICE");
	if (!path || !*path)
		return -ENOENT;
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(address.sun_path))
		return -ENAMETOOLONG;
	strcpy(address.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
		int error = -errno;
		close(fd);
		return error;
	}
	return fd;
}

static int wait_for(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left < 0)
			left = 0;
		struct pollfd pollfd = {.fd = fd, .events = events};
		int ready = poll(&pollfd, 1, (int)left);
		if (ready > 0)
			return 0;
		if (ready == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* sendmsg of iov with fds on the first byte, waiting (bounded) for room. */
static int send_all(int fd, struct iovec *iov, int iov_count, const int *fds, size_t fd_count)
{
	long long deadline = now_ms() + RAW_WAIT_MS;
	union {
		char buffer[CMSG_SPACE(sizeof(int) * BINDERD_MAX_FDS_PER_MESSAGE)];
		struct cmsghdr align;
	} control;
	if (fd_count > BINDERD_MAX_FDS_PER_MESSAGE)
		return -EINVAL;
	bool fds_sent = fd_count == 0;
	while (iov_count > 0) {
		if (iov[0].iov_len == 0) {
			iov++;
			iov_count--;
			continue;
		}
		struct msghdr message = {.msg_iov = iov, .msg_iovlen = (size_t)iov_count};
		if (!fds_sent) {
			message.msg_control = control.buffer;
			message.msg_controllen = CMSG_SPACE(sizeof(int) * fd_count);
			struct cmsghdr *cmsg = CMSG_FIRSTHDR(&message);
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fd_count);
			memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * fd_count);
		}
		ssize_t sent = sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				int error = wait_for(fd, POLLOUT, deadline);
				if (error < 0)
					return error;
				continue;
			}
			return errno == ECONNRESET ? -EPIPE : -errno;
		}
		fds_sent = true;
		size_t left = (size_t)sent;
		while (iov_count > 0 && left >= iov[0].iov_len) {
			left -= iov[0].iov_len;
			iov++;
			iov_count--;
		}
		if (iov_count > 0) {
			iov[0].iov_base = (uint8_t *)iov[0].iov_base + left;
			iov[0].iov_len -= left;
		}
	}
	return 0;
}

int raw_send_bytes(int fd, const void *bytes, size_t size)
{
	struct iovec iov = {(void *)bytes, size};
	return send_all(fd, &iov, 1, NULL, 0);
}

int raw_send_request(int fd, uint32_t op, uint64_t arg, const void *payload, size_t payload_size,
                     const int *fds, size_t fd_count, uint32_t fd_count_claimed)
{
	struct binderd_request request = {
	        .op = op,
	        .payload_size = (uint32_t)payload_size,
	        .arg = arg,
	        .fd_count = fd_count_claimed,
	};
	struct iovec iov[2] = {{&request, sizeof(request)}, {(void *)payload, payload_size}};
	return send_all(fd, iov, 2, fds, fd_count);
}

/* Reads exactly size bytes (fds from any part go to fds / are closed). */
static int receive_exact(int fd, void *bytes, size_t size, int *fds, size_t max_fds,
                         size_t *fd_count, long long deadline)
{
	size_t got = 0;
	while (got < size) {
		union {
			char buffer[CMSG_SPACE(sizeof(int) * BINDERD_MAX_FDS_PER_MESSAGE)];
			struct cmsghdr align;
		} control;
		struct iovec iov = {(uint8_t *)bytes + got, size - got};
		struct msghdr message = {.msg_iov = &iov,
		                         .msg_iovlen = 1,
		                         .msg_control = control.buffer,
		                         .msg_controllen = sizeof(control.buffer)};
		ssize_t received = recvmsg(fd, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (received < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				int error = wait_for(fd, POLLIN, deadline);
				if (error < 0)
					return error;
				continue;
			}
			return errno == ECONNRESET ? -EPIPE : -errno;
		}
		for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&message); cmsg;
		     cmsg = CMSG_NXTHDR(&message, cmsg)) {
			if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
				continue;
			size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < count; i++) {
				int received_fd;
				memcpy(&received_fd, CMSG_DATA(cmsg) + i * sizeof(int),
				       sizeof(int));
				if (fds && fd_count && *fd_count < max_fds)
					fds[(*fd_count)++] = received_fd;
				else
					close(received_fd);
			}
		}
		if (received == 0)
			return -EPIPE;
		got += (size_t)received;
	}
	return 0;
}

int raw_receive(int fd, struct binderd_message *message, void *payload, size_t capacity, int *fds,
                size_t max_fds, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	size_t fd_count = 0;
	int error = receive_exact(fd, message, sizeof(*message), fds, max_fds, &fd_count, deadline);
	if (error < 0)
		return error;
	if (message->payload_size > capacity)
		return -EMSGSIZE;
	error = receive_exact(fd, payload, message->payload_size, fds, max_fds, &fd_count,
	                      deadline);
	if (error < 0)
		return error;
	if (fd_count != message->fd_count)
		return -EBADMSG;
	return 0;
}

bool raw_wait_closed(int fd, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	uint8_t sink[4096];
	for (;;) {
		ssize_t received = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (received == 0)
			return true;
		if (received < 0) {
			if (errno == ECONNRESET || errno == EPIPE)
				return true;
			if (errno != EAGAIN && errno != EINTR)
				return false;
			if (wait_for(fd, POLLIN, deadline) < 0)
				return false;
		}
	}
}

const struct binderd_hello *raw_hello_probe;

int raw_open_process(struct raw_process *process, size_t area_size)
{
	memset(process, 0, sizeof(*process));
	process->fd = raw_connect();
	if (process->fd < 0)
		return process->fd;
	struct binderd_message message;
	struct binderd_hello_reply hello;
	int error = raw_send_request(process->fd, BINDERD_OP_HELLO, BINDERD_PROTOCOL_VERSION,
	                             raw_hello_probe,
	                             raw_hello_probe ? sizeof(*raw_hello_probe) : 0, NULL, 0, 0);
	if (!error)
		error = raw_receive(process->fd, &message, &hello, sizeof(hello), NULL, 0,
		                    RAW_WAIT_MS);
	if (!error && (message.kind != BINDERD_MSG_RESULT || message.status != 0 ||
	               message.payload_size != sizeof(hello)))
		error = -EPROTO;
	if (error)
		goto fail;
	process->pid_seen = hello.pid;
	process->direct_reads = (hello.flags & BINDERD_HELLO_DIRECT_READS) != 0;
	process->hello_flags = hello.flags;
	if (area_size == 0)
		return 0;
	/* Reserve the address first: binderd needs it before the memfd. */
	void *reserved = mmap(NULL, area_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (reserved == MAP_FAILED) {
		error = -errno;
		goto fail;
	}
	uint64_t address = (uint64_t)(uintptr_t)reserved;
	int memfd = -1;
	error = raw_send_request(process->fd, BINDERD_OP_MMAP, area_size, &address, sizeof(address),
	                         NULL, 0, 0);
	if (!error)
		error = raw_receive(process->fd, &message, NULL, 0, &memfd, 1, RAW_WAIT_MS);
	if (!error && (message.status != 0 || memfd < 0))
		error = message.status ? message.status : -EPROTO;
	if (!error &&
	    mmap(reserved, area_size, PROT_READ, MAP_SHARED | MAP_FIXED, memfd, 0) == MAP_FAILED)
		error = -errno;
	if (memfd >= 0)
		close(memfd);
	if (error) {
		munmap(reserved, area_size);
		goto fail;
	}
	process->area = reserved;
	process->area_size = area_size;
	return 0;
fail:
	close(process->fd);
	process->fd = -1;
	return error;
}

void raw_close_process(struct raw_process *process)
{
	if (process->area)
		munmap((void *)process->area, process->area_size);
	process->area = NULL;
	if (process->fd >= 0)
		close(process->fd);
	process->fd = -1;
}

int raw_open_thread(struct raw_process *process, struct raw_thread *thread, size_t send_area_size)
{
	memset(thread, 0, sizeof(*thread));
	thread->fd = -1;
	thread->send_area_fd = -1;
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return -errno;
	struct binderd_message message;
	int error = raw_send_request(process->fd, BINDERD_OP_NEW_THREAD, (uint64_t)gettid(), NULL,
	                             0, &pair[1], 1, 1);
	close(pair[1]);
	if (!error)
		error = raw_receive(process->fd, &message, NULL, 0, NULL, 0, RAW_WAIT_MS);
	if (!error && message.status != 0)
		error = message.status;
	if (error) {
		close(pair[0]);
		return error;
	}
	thread->fd = pair[0];
	if (send_area_size == 0)
		return 0;
	int memfd = memfd_create("raw-send-area", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0) {
		error = -errno;
		goto fail;
	}
	thread->send_area_fd = memfd;
	if (ftruncate(memfd, (off_t)send_area_size) < 0 ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0) {
		error = -errno;
		goto fail;
	}
	void *base = mmap(NULL, send_area_size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (base == MAP_FAILED) {
		error = -errno;
		goto fail;
	}
	thread->send_area = base;
	thread->send_area_size = send_area_size;
	error = raw_send_request(thread->fd, BINDERD_OP_SEND_AREA, 0, NULL, 0, &memfd, 1, 1);
	if (error)
		goto fail;
	return 0;
fail:
	raw_close_thread(thread);
	return error;
}

void raw_close_thread(struct raw_thread *thread)
{
	if (thread->send_area)
		munmap(thread->send_area, thread->send_area_size);
	thread->send_area = NULL;
	if (thread->send_area_fd >= 0)
		close(thread->send_area_fd);
	thread->send_area_fd = -1;
	if (thread->fd >= 0)
		close(thread->fd);
	thread->fd = -1;
}

/* Receives the next RESULT on a thread channel, skipping WAKEUPs. */
static int receive_result(struct raw_thread *thread, struct binderd_message *message, void *payload,
                          size_t capacity, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	for (;;) {
		long long left = deadline - now_ms();
		int error = raw_receive(thread->fd, message, payload, capacity, NULL, 0,
		                        left > 0 ? (int)left : 0);
		if (error < 0)
			return error;
		if (message->kind == BINDERD_MSG_RESULT)
			return 0;
		if (message->kind != BINDERD_MSG_WAKEUP)
			return -EBADMSG;
	}
}

int raw_ioctl(struct raw_thread *thread, uint64_t command, const void *argument,
              size_t argument_size, void *result, size_t result_capacity)
{
	int error = raw_send_request(thread->fd, BINDERD_OP_IOCTL, command, argument, argument_size,
	                             NULL, 0, 0);
	if (error < 0)
		return error;
	struct binderd_message message;
	error = receive_result(thread, &message, result, result_capacity, RAW_WAIT_MS);
	return error < 0 ? error : message.status;
}

int raw_write_read(struct raw_thread *thread, const void *bytes, size_t size, size_t read_size,
                   uint32_t flags, struct raw_write_read *result, int timeout_ms)
{
	return raw_write_read_fds(thread, bytes, size, NULL, 0, read_size, flags, result,
	                          timeout_ms);
}

int raw_write_read_fds(struct raw_thread *thread, const void *bytes, size_t size, const int *fds,
                       size_t fd_count, size_t read_size, uint32_t flags,
                       struct raw_write_read *result, int timeout_ms)
{
	struct binderd_write_read header = {
	        .write_size = size,
	        .read_size = read_size,
	        .flags = flags,
	};
	struct binderd_request request = {
	        .op = BINDERD_OP_IOCTL,
	        .payload_size = (uint32_t)(sizeof(header) + size),
	        .arg = BINDER_WRITE_READ,
	        .fd_count = (uint32_t)fd_count,
	};
	struct iovec iov[3] = {
	        {&request, sizeof(request)}, {&header, sizeof(header)}, {(void *)bytes, size}};
	int error = send_all(thread->fd, iov, 3, fds, fd_count);
	if (error < 0)
		return error;
	/* One answer buffer per thread, kept: floods make many round trips. */
	static __thread struct raw_answer {
		struct binderd_write_read_result header;
		uint8_t read[BINDERD_MAX_READ_SIZE];
	} * answer;
	if (!answer)
		answer = malloc(sizeof(*answer));
	if (!answer)
		return -ENOMEM;
	struct binderd_message message;
	error = receive_result(thread, &message, answer, sizeof(*answer), timeout_ms);
	if (error == 0) {
		result->status = message.status;
		result->write_consumed = 0;
		result->read_size = 0;
		if (message.payload_size >= sizeof(answer->header)) {
			result->write_consumed = answer->header.write_consumed;
			size_t got = message.payload_size - sizeof(answer->header);
			if (answer->header.read_size != got)
				error = -EBADMSG;
			else {
				memcpy(result->read, answer->read, got);
				result->read_size = got;
			}
		}
	}
	return error;
}

int br_argument_size(uint32_t cmd)
{
	switch (cmd) {
	case BR_NOOP:
	case BR_SPAWN_LOOPER:
	case BR_TRANSACTION_COMPLETE:
	case BR_DEAD_REPLY:
	case BR_FAILED_REPLY:
	case BR_FINISHED:
	case BR_OK:
	case BR_ONEWAY_SPAM_SUSPECT:
	case BR_FROZEN_REPLY:
		return 0;
	case BR_ERROR:
		return (int)sizeof(__s32);
	case BR_TRANSACTION:
	case BR_REPLY:
		return (int)sizeof(struct binder_transaction_data);
	case BR_TRANSACTION_SEC_CTX:
		return (int)sizeof(struct binder_transaction_data_secctx);
	case BR_INCREFS:
	case BR_ACQUIRE:
	case BR_RELEASE:
	case BR_DECREFS:
		return (int)sizeof(struct binder_ptr_cookie);
	case BR_DEAD_BINDER:
	case BR_CLEAR_DEATH_NOTIFICATION_DONE:
		return (int)sizeof(binder_uintptr_t);
	default:
		return -1;
	}
}

int br_count(const uint8_t *read, size_t size, uint32_t cmd)
{
	int count = 0;
	size_t position = 0;
	while (position < size) {
		uint32_t here;
		if (size - position < sizeof(here))
			return -1;
		memcpy(&here, read + position, sizeof(here));
		int argument = br_argument_size(here);
		if (argument < 0 || size - position - sizeof(here) < (size_t)argument)
			return -1;
		if (here == cmd)
			count++;
		position += sizeof(here) + (size_t)argument;
	}
	return count;
}
