/*
 * abuse_channel.c - abuses of binderd's socket framing: garbage bytes,
 * lying headers, truncated requests, fds announced and not sent, requests
 * out of turn, bad send areas. binderd must answer with an error or close
 * the offending channel, and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "abuses.h"

#define GARBAGE_SIZE  (64 * 1024)
#define CLOSE_WAIT_MS 5000

/* Sends garbage; binderd must close the connection. A send may fail with
 * -EPIPE once binderd closed it: that is the expected outcome too. */
static int send_garbage(int fd, uint64_t seed, size_t size)
{
	uint8_t *garbage = malloc(size);
	if (!garbage)
		return -ENOMEM;
	abuse_random_fill(&seed, garbage, size);
	/* Make sure the first header cannot pass as valid. */
	if (size >= sizeof(struct binderd_request)) {
		struct binderd_request *header = (struct binderd_request *)garbage;
		header->reserved |= 1;
	}
	int error = raw_send_bytes(fd, garbage, size);
	free(garbage);
	return error == -EPIPE ? 0 : error;
}

int abuse_garbage_on_process_channel(struct abuse_report *report)
{
	for (uint64_t seed = 1; seed <= 8; seed++) {
		int fd = raw_connect();
		EXPECT(report, fd >= 0, "connect: %s", strerror(-fd));
		int error = send_garbage(fd, seed, GARBAGE_SIZE);
		EXPECT(report, error == 0, "sending garbage: %s", strerror(-error));
		bool closed = raw_wait_closed(fd, CLOSE_WAIT_MS);
		close(fd);
		EXPECT(report, closed, "binderd kept a process channel that sent garbage");
	}
	return 0;
}

int abuse_hello_then_garbage(struct abuse_report *report)
{
	for (uint64_t seed = 11; seed <= 14; seed++) {
		struct raw_process process;
		int error = raw_open_process(&process, seed % 2 ? 64 * 1024 : 0);
		EXPECT(report, error == 0, "hello: %s", strerror(-error));
		error = send_garbage(process.fd, seed, GARBAGE_SIZE);
		EXPECT(report, error == 0, "sending garbage: %s", strerror(-error));
		bool closed = raw_wait_closed(process.fd, CLOSE_WAIT_MS);
		raw_close_process(&process);
		EXPECT(report, closed, "binderd kept a channel that sent garbage after hello");
	}
	return 0;
}

int abuse_garbage_on_thread_channel(struct abuse_report *report)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	error = send_garbage(abuser.thread.fd, 21, GARBAGE_SIZE);
	EXPECT(report, error == 0, "sending garbage: %s", strerror(-error));
	bool closed = raw_wait_closed(abuser.thread.fd, CLOSE_WAIT_MS);
	EXPECT(report, closed, "binderd kept a thread channel that sent garbage");
	/* The process itself lives on: a new thread works. */
	raw_close_thread(&abuser.thread);
	error = raw_open_thread(&abuser.process, &abuser.thread, 64 * 1024);
	EXPECT(report, error == 0, "new thread after garbage: %s", strerror(-error));
	error = raw_echo_call(&abuser);
	EXPECT(report, error == 0, "echo call from the process after garbage: %d", error);
	raw_abuser_close(&abuser);
	return 0;
}

int abuse_huge_payload_header(struct abuse_report *report)
{
	static const uint32_t sizes[] = {UINT32_MAX, 0x80000000u, BINDERD_MAX_PROCESS_PAYLOAD + 1,
	                                 1u << 20};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* On the process channel, before and after hello. */
		for (int after_hello = 0; after_hello <= 1; after_hello++) {
			struct raw_process process;
			int error;
			if (after_hello) {
				error = raw_open_process(&process, 0);
			} else {
				memset(&process, 0, sizeof(process));
				process.fd = raw_connect();
				error = process.fd < 0 ? process.fd : 0;
			}
			EXPECT(report, error == 0, "open: %s", strerror(-error));
			struct binderd_request request = {.op = BINDERD_OP_HELLO,
			                                  .payload_size = sizes[i],
			                                  .arg = BINDERD_PROTOCOL_VERSION};
			error = raw_send_bytes(process.fd, &request, sizeof(request));
			EXPECT(report, error == 0 || error == -EPIPE, "send: %s", strerror(-error));
			bool closed = raw_wait_closed(process.fd, CLOSE_WAIT_MS);
			raw_close_process(&process);
			EXPECT(report, closed,
			       "binderd waits for a %u-byte process request instead of closing",
			       sizes[i]);
		}
		/* On a thread channel: an ioctl larger than any write. */
		struct raw_abuser abuser;
		int error = raw_abuser_open(&abuser);
		EXPECT(report, error == 0, "open: %s", strerror(-error));
		uint32_t size = sizes[i] < (1u << 20) ? (1u << 20) : sizes[i];
		struct binderd_request request = {
		        .op = BINDERD_OP_IOCTL, .payload_size = size, .arg = BINDER_WRITE_READ};
		error = raw_send_bytes(abuser.thread.fd, &request, sizeof(request));
		EXPECT(report, error == 0 || error == -EPIPE, "send: %s", strerror(-error));
		bool closed = raw_wait_closed(abuser.thread.fd, CLOSE_WAIT_MS);
		raw_abuser_close(&abuser);
		EXPECT(report, closed, "binderd waits for a %u-byte ioctl instead of closing",
		       size);
	}
	return 0;
}

int abuse_truncated_requests_then_close(struct abuse_report *report)
{
	/* A header cut short, on a fresh connection. */
	for (size_t cut = 1; cut < sizeof(struct binderd_request); cut += 5) {
		int fd = raw_connect();
		EXPECT(report, fd >= 0, "connect: %s", strerror(-fd));
		struct binderd_request request = {.op = BINDERD_OP_HELLO,
		                                  .arg = BINDERD_PROTOCOL_VERSION};
		int error = raw_send_bytes(fd, &request, cut);
		close(fd);
		EXPECT(report, error == 0, "send: %s", strerror(-error));
	}
	/* A BINDER_WRITE_READ cut in its payload, the thread then the process
	 * closing; and one whose process goes first. */
	for (int process_first = 0; process_first <= 1; process_first++) {
		struct raw_abuser abuser;
		int error = raw_abuser_open(&abuser);
		EXPECT(report, error == 0, "open: %s", strerror(-error));
		struct {
			struct binderd_request request;
			struct binderd_write_read write_read;
			uint32_t cmd;
		} __attribute__((packed)) message = {
		        .request = {.op = BINDERD_OP_IOCTL,
		                    .payload_size = sizeof(struct binderd_write_read) + 4 + 64,
		                    .arg = BINDER_WRITE_READ},
		        .write_read = {.write_size = 4 + 64, .read_size = 256},
		        .cmd = BC_TRANSACTION,
		};
		error = raw_send_bytes(abuser.thread.fd, &message, sizeof(message));
		EXPECT(report, error == 0, "send: %s", strerror(-error));
		if (process_first)
			raw_close_process(&abuser.process);
		raw_abuser_close(&abuser);
	}
	/* An MMAP whose address never comes. */
	struct raw_process process;
	int error = raw_open_process(&process, 0);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct binderd_request request = {
	        .op = BINDERD_OP_MMAP, .payload_size = sizeof(uint64_t), .arg = 65536};
	error = raw_send_bytes(process.fd, &request, sizeof(request));
	EXPECT(report, error == 0, "send: %s", strerror(-error));
	raw_close_process(&process);
	return 0;
}

int abuse_fds_announced_not_sent(struct abuse_report *report)
{
	/* NEW_THREAD announcing its fd without sending it. */
	struct raw_process process;
	int error = raw_open_process(&process, 64 * 1024);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	error = raw_send_request(process.fd, BINDERD_OP_NEW_THREAD, 1, NULL, 0, NULL, 0, 1);
	EXPECT(report, error == 0, "send: %s", strerror(-error));
	bool closed = raw_wait_closed(process.fd, CLOSE_WAIT_MS);
	raw_close_process(&process);
	EXPECT(report, closed, "binderd kept a channel whose request lacks its fd");

	/* Too many fds announced. */
	error = raw_open_process(&process, 0);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	error = raw_send_request(process.fd, BINDERD_OP_NEW_THREAD, 1, NULL, 0, NULL, 0,
	                         BINDERD_MAX_FDS_PER_MESSAGE + 1);
	EXPECT(report, error == 0, "send: %s", strerror(-error));
	closed = raw_wait_closed(process.fd, CLOSE_WAIT_MS);
	raw_close_process(&process);
	EXPECT(report, closed, "binderd kept a channel announcing too many fds");

	/* A BINDER_WRITE_READ announcing three fds, sending one. */
	struct raw_abuser abuser;
	error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct binderd_write_read write_read = {0};
	int pipe_fds[2];
	EXPECT(report, pipe(pipe_fds) == 0, "pipe");
	error = raw_send_request(abuser.thread.fd, BINDERD_OP_IOCTL, BINDER_WRITE_READ, &write_read,
	                         sizeof(write_read), pipe_fds, 1, 3);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	EXPECT(report, error == 0, "send: %s", strerror(-error));
	closed = raw_wait_closed(abuser.thread.fd, CLOSE_WAIT_MS);
	raw_abuser_close(&abuser);
	EXPECT(report, closed, "binderd kept a thread channel whose ioctl lacks its fds");

	/* fds sent without being announced are dropped, not leaked: many of
	 * them on an ioctl that announces none. */
	error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	int extra[64];
	for (size_t i = 0; i < 64; i++)
		extra[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (int round = 0; round < 8; round++) {
		error = raw_send_request(abuser.thread.fd, BINDERD_OP_IOCTL, BINDER_VERSION, NULL,
		                         0, extra, 64, 0);
		if (error < 0)
			break;
		struct binderd_message message;
		struct binder_version version;
		error = raw_receive(abuser.thread.fd, &message, &version, sizeof(version), NULL, 0,
		                    RAW_WAIT_MS);
		if (error < 0)
			break;
	}
	for (size_t i = 0; i < 64; i++)
		close(extra[i]);
	/* Either answered or closed: both fine, as long as it ends. */
	EXPECT(report, error == 0 || error == -EPIPE, "unannounced fds: %s", strerror(-error));
	raw_abuser_close(&abuser);
	return 0;
}

int abuse_request_while_read_pending(struct abuse_report *report)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	/* A first read returns at once (a new thread); the next one waits. */
	error = raw_read_pending(&abuser);
	EXPECT(report, error >= 0, "first read: %s", strerror(-error));
	struct binderd_write_read write_read = {.read_size = 256};
	error = raw_send_request(abuser.thread.fd, BINDERD_OP_IOCTL, BINDER_WRITE_READ, &write_read,
	                         sizeof(write_read), NULL, 0, 0);
	EXPECT(report, error == 0, "send: %s", strerror(-error));
	/* Another ioctl while that read waits. */
	error = raw_send_request(abuser.thread.fd, BINDERD_OP_IOCTL, BINDER_VERSION, NULL, 0, NULL,
	                         0, 0);
	EXPECT(report, error == 0 || error == -EPIPE, "send: %s", strerror(-error));
	bool closed = raw_wait_closed(abuser.thread.fd, CLOSE_WAIT_MS);
	EXPECT(report, closed, "binderd kept a thread channel that spoke during its read");
	/* The process lives on. */
	raw_close_thread(&abuser.thread);
	error = raw_open_thread(&abuser.process, &abuser.thread, 64 * 1024);
	EXPECT(report, error == 0, "new thread: %s", strerror(-error));
	error = raw_echo_call(&abuser);
	EXPECT(report, error == 0, "echo call after: %d", error);
	raw_abuser_close(&abuser);
	return 0;
}

static int process_request(struct raw_process *process, uint32_t op, uint64_t arg,
                           const void *payload, size_t size, int *status)
{
	int error = raw_send_request(process->fd, op, arg, payload, size, NULL, 0, 0);
	if (error < 0)
		return error;
	struct binderd_message message;
	int fds[2] = {-1, -1};
	error = raw_receive(process->fd, &message, NULL, 0, fds, 2, RAW_WAIT_MS);
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (error < 0)
		return error;
	*status = message.status;
	return 0;
}

int abuse_wrong_requests(struct abuse_report *report)
{
	int status = 0;
	/* A request before hello: closed. */
	int fd = raw_connect();
	EXPECT(report, fd >= 0, "connect: %s", strerror(-fd));
	uint64_t address = 0x10000;
	int error =
	        raw_send_request(fd, BINDERD_OP_MMAP, 4096, &address, sizeof(address), NULL, 0, 0);
	EXPECT(report, error == 0, "send: %s", strerror(-error));
	bool closed = raw_wait_closed(fd, CLOSE_WAIT_MS);
	close(fd);
	EXPECT(report, closed, "binderd served a request before hello");

	/* A hello with the wrong version: -EPROTO and closed. */
	struct raw_process process = {.fd = raw_connect()};
	EXPECT(report, process.fd >= 0, "connect: %s", strerror(-process.fd));
	error = process_request(&process, BINDERD_OP_HELLO, 99, NULL, 0, &status);
	EXPECT(report, error == 0 && status == -EPROTO, "bad hello: error %d status %d", error,
	       status);
	closed = raw_wait_closed(process.fd, CLOSE_WAIT_MS);
	raw_close_process(&process);
	EXPECT(report, closed, "binderd kept a channel after a bad hello");

	/* After hello: a second hello, a thread op, unknown ops, bad mmaps. */
	error = raw_open_process(&process, 0);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	error = process_request(&process, BINDERD_OP_MMAP, 0, &address, sizeof(address), &status);
	EXPECT(report, error == 0 && status == -EINVAL, "mmap of 0 bytes: error %d status %d",
	       error, status);
	error = process_request(&process, BINDERD_OP_MMAP, 4096, NULL, 0, &status);
	EXPECT(report, error == 0 && status == -EINVAL,
	       "mmap without an address: error %d status %d", error, status);
	error = process_request(&process, BINDERD_OP_IOCTL, BINDER_VERSION, NULL, 0, &status);
	EXPECT(report, error == 0 && status == -EINVAL,
	       "ioctl on the process channel: error %d status %d", error, status);
	error = process_request(&process, BINDERD_OP_NEW_THREAD, 0, NULL, 0, &status);
	EXPECT(report, error == 0 && status == -EINVAL,
	       "new thread without a channel: error %d status %d", error, status);
	/* A huge mmap is clamped to 4 MiB (as the kernel does) or refused. */
	error = process_request(&process, BINDERD_OP_MMAP, UINT64_MAX, &address, sizeof(address),
	                        &status);
	EXPECT(report, error == 0, "huge mmap: %s", strerror(-error));
	if (status == 0) {
		error = process_request(&process, BINDERD_OP_MMAP, 4096, &address, sizeof(address),
		                        &status);
		EXPECT(report, error == 0 && status == -EBUSY, "second mmap: error %d status %d",
		       error, status);
	}
	error = process_request(&process, BINDERD_OP_HELLO, BINDERD_PROTOCOL_VERSION, NULL, 0,
	                        &status);
	EXPECT(report, (error == 0 && status != 0) || error == -EPIPE,
	       "second hello: error %d status %d", error, status);
	raw_close_process(&process);

	/* Unknown op numbers: an error or a closed channel. */
	error = raw_open_process(&process, 0);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	error = raw_send_request(process.fd, 0x7777, 0, NULL, 0, NULL, 0, 0);
	EXPECT(report, error == 0, "send: %s", strerror(-error));
	closed = raw_wait_closed(process.fd, CLOSE_WAIT_MS);
	raw_close_process(&process);
	EXPECT(report, closed, "binderd kept a channel that sent op 0x7777");

	/* Process ops on a thread channel: closed. */
	struct raw_abuser abuser;
	error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	error = raw_send_request(abuser.thread.fd, BINDERD_OP_HELLO, BINDERD_PROTOCOL_VERSION, NULL,
	                         0, NULL, 0, 0);
	EXPECT(report, error == 0, "send: %s", strerror(-error));
	closed = raw_wait_closed(abuser.thread.fd, CLOSE_WAIT_MS);
	EXPECT(report, closed, "binderd kept a thread channel that said hello");
	raw_abuser_close(&abuser);

	/* Ioctls with wrong sizes and unknown numbers: -EINVAL. */
	error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	uint8_t junk[64] = {0};
	status = raw_ioctl(&abuser.thread, BINDER_SET_MAX_THREADS, junk, 3, NULL, 0);
	EXPECT(report, status == -EINVAL, "BINDER_SET_MAX_THREADS of 3 bytes: %d", status);
	status = raw_ioctl(&abuser.thread, BINDER_SET_CONTEXT_MGR_EXT, junk, 5, NULL, 0);
	EXPECT(report, status == -EINVAL, "BINDER_SET_CONTEXT_MGR_EXT of 5 bytes: %d", status);
	status = raw_ioctl(&abuser.thread, 0xdeadbeef, junk, sizeof(junk), NULL, 0);
	EXPECT(report, status == -EINVAL, "ioctl 0xdeadbeef: %d", status);
	status = raw_ioctl(&abuser.thread, BINDER_WRITE_READ, junk, 7, NULL, 0);
	EXPECT(report, status == -EINVAL, "BINDER_WRITE_READ of 7 bytes: %d", status);
	struct binderd_write_read lying = {.write_size = 1000};
	status = raw_ioctl(&abuser.thread, BINDER_WRITE_READ, &lying, sizeof(lying), NULL, 0);
	EXPECT(report, status == -EINVAL, "BINDER_WRITE_READ with a lying write_size: %d", status);
	/* The context manager exists already: -EBUSY (or -EPERM). */
	int32_t zero = 0;
	status = raw_ioctl(&abuser.thread, BINDER_SET_CONTEXT_MGR, &zero, sizeof(zero), NULL, 0);
	EXPECT(report, status == -EBUSY || status == -EPERM, "a second context manager: %d",
	       status);
	error = raw_echo_call(&abuser);
	EXPECT(report, error == 0, "echo call after: %d", error);
	raw_abuser_close(&abuser);
	return 0;
}

int abuse_bad_send_areas(struct abuse_report *report)
{
	for (int kind = 0; kind < 4; kind++) {
		struct raw_process process;
		int error = raw_open_process(&process, 64 * 1024);
		EXPECT(report, error == 0, "open: %s", strerror(-error));
		struct raw_thread thread;
		error = raw_open_thread(&process, &thread, 0);
		EXPECT(report, error == 0, "thread: %s", strerror(-error));
		int fd = -1;
		const char *what = "";
		switch (kind) {
		case 0: {
			int pipe_fds[2];
			EXPECT(report, pipe(pipe_fds) == 0, "pipe");
			close(pipe_fds[1]);
			fd = pipe_fds[0];
			what = "a pipe";
			break;
		}
		case 1:
			fd = memfd_create("unsealed", MFD_CLOEXEC);
			EXPECT(report, fd >= 0 && ftruncate(fd, 4096) == 0, "memfd");
			what = "an unsealed memfd";
			break;
		case 2:
			fd = memfd_create("empty", MFD_CLOEXEC | MFD_ALLOW_SEALING);
			EXPECT(report, fd >= 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0,
			       "memfd");
			what = "an empty memfd";
			break;
		case 3:
			fd = memfd_create("huge", MFD_CLOEXEC | MFD_ALLOW_SEALING);
			EXPECT(report,
			       fd >= 0 &&
			               ftruncate(fd, (off_t)BINDERD_MAX_SEND_AREA_SIZE * 4) == 0 &&
			               fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0,
			       "memfd");
			what = "a memfd larger than the limit";
			break;
		}
		error = raw_send_request(thread.fd, BINDERD_OP_SEND_AREA, 0, NULL, 0, &fd, 1, 1);
		close(fd);
		EXPECT(report, error == 0, "send: %s", strerror(-error));
		bool closed = raw_wait_closed(thread.fd, CLOSE_WAIT_MS);
		raw_close_thread(&thread);
		raw_close_process(&process);
		EXPECT(report, closed, "binderd accepted %s as a send area", what);
	}
	return 0;
}

int abuse_bad_security_contexts(struct abuse_report *report)
{
	static const struct {
		const char *bytes;
		size_t size;
	} bad[] = {
	        {"", 0},        {"a\0b", 3},        {"bridge:\x01", 8}, {"tab\there", 8},
	        {"del\x7f", 4}, {"caf\xc3\xa9", 5}, {"line\n", 5},      {"trailing nul\0", 13},
	};
	static uint8_t long_label[BINDERD_MAX_PROCESS_PAYLOAD];
	struct raw_process process;
	int status = 0;
	int error = raw_open_process(&process, 0);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error = process_request(&process, BINDERD_OP_SET_SECURITY_CONTEXT, 0, bad[i].bytes,
		                        bad[i].size, &status);
		EXPECT(report, error == 0 && status == -EINVAL, "bad label %zu: error %d status %d",
		       i, error, status);
	}
	/* Too long, up to the largest request the process channel takes. */
	memset(long_label, 'a', sizeof(long_label));
	size_t long_sizes[] = {BINDERD_MAX_SECURITY_CONTEXT_SIZE + 1, sizeof(long_label)};
	for (size_t i = 0; i < sizeof(long_sizes) / sizeof(long_sizes[0]); i++) {
		error = process_request(&process, BINDERD_OP_SET_SECURITY_CONTEXT, 0, long_label,
		                        long_sizes[i], &status);
		EXPECT(report, error == 0 && status == -EINVAL,
		       "a %zu-byte label: error %d status %d", long_sizes[i], error, status);
	}
	/* A good label with a non-zero arg, or with an fd attached. */
	error = process_request(&process, BINDERD_OP_SET_SECURITY_CONTEXT, 1, "bridge:a", 8,
	                        &status);
	EXPECT(report, error == 0 && status == -EINVAL, "arg 1: error %d status %d", error, status);
	int fd = dup(process.fd);
	EXPECT(report, fd >= 0, "dup: %s", strerror(errno));
	error = raw_send_request(process.fd, BINDERD_OP_SET_SECURITY_CONTEXT, 0, "bridge:a", 8, &fd,
	                         1, 1);
	close(fd);
	EXPECT(report, error == 0, "send: %s", strerror(-error));
	struct binderd_message message;
	error = raw_receive(process.fd, &message, NULL, 0, NULL, 0, RAW_WAIT_MS);
	EXPECT(report, error == 0 && message.status == -EINVAL,
	       "a label with an fd: error %d status %d", error, message.status);
	/* The process carries on: the longest good label is taken (the suite
	 * runs as root or as binderd's user, whom binderd trusts), and a
	 * thread works. */
	error = process_request(&process, BINDERD_OP_SET_SECURITY_CONTEXT, 0, long_label,
	                        BINDERD_MAX_SECURITY_CONTEXT_SIZE, &status);
	EXPECT(report, error == 0 && status == 0, "a good label: error %d status %d", error,
	       status);
	struct raw_thread thread;
	error = raw_open_thread(&process, &thread, 64 * 1024);
	EXPECT(report, error == 0, "new thread after bad labels: %s", strerror(-error));
	struct binder_version version = {0};
	status = raw_ioctl(&thread, BINDER_VERSION, NULL, 0, &version, sizeof(version));
	raw_close_thread(&thread);
	raw_close_process(&process);
	EXPECT(report, status == 0 && version.protocol_version == BINDER_CURRENT_PROTOCOL_VERSION,
	       "BINDER_VERSION after bad labels: %d", status);

	/* On a thread channel: closed, as any process op there. */
	struct raw_abuser abuser;
	error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	error = raw_send_request(abuser.thread.fd, BINDERD_OP_SET_SECURITY_CONTEXT, 0, "bridge:a",
	                         8, NULL, 0, 0);
	EXPECT(report, error == 0, "send: %s", strerror(-error));
	bool closed = raw_wait_closed(abuser.thread.fd, CLOSE_WAIT_MS);
	raw_abuser_close(&abuser);
	EXPECT(report, closed, "binderd kept a thread channel that set a label");
	return 0;
}

/* BINDERD_OP_KILL_NODE: bad requests are refused and the process carries
 * on; only the process's own node, with its cookie, is killed, once. */
int abuse_kill_node_requests(struct abuse_report *report)
{
	enum { NODE_PTR = 0x5000, NODE_COOKIE = 0x6000, DATA = 0, OFFSETS = 64 };
	struct raw_abuser abuser;
	int status = 0;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	EXPECT(report, abuser.process.hello_flags & BINDERD_HELLO_KILL_NODE,
	       "binderd does not offer BINDERD_OP_KILL_NODE");
	uint64_t cookie = NODE_COOKIE;
	uint8_t long_payload[16] = {0};
	const size_t bad_sizes[] = {0, 4, 7, 9, sizeof(long_payload)};
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		error = process_request(&abuser.process, BINDERD_OP_KILL_NODE, NODE_PTR,
		                        long_payload, bad_sizes[i], &status);
		EXPECT(report, error == 0 && status == -EINVAL,
		       "a %zu-byte payload: error %d status %d", bad_sizes[i], error, status);
	}
	int fd = dup(abuser.process.fd);
	EXPECT(report, fd >= 0, "dup: %s", strerror(errno));
	error = raw_send_request(abuser.process.fd, BINDERD_OP_KILL_NODE, NODE_PTR, &cookie,
	                         sizeof(cookie), &fd, 1, 1);
	close(fd);
	EXPECT(report, error == 0, "send: %s", strerror(-error));
	struct binderd_message message;
	error = raw_receive(abuser.process.fd, &message, NULL, 0, NULL, 0, RAW_WAIT_MS);
	EXPECT(report, error == 0 && message.status == -EINVAL, "with an fd: error %d status %d",
	       error, message.status);
	/* No node yet. */
	error = process_request(&abuser.process, BINDERD_OP_KILL_NODE, NODE_PTR, &cookie,
	                        sizeof(cookie), &status);
	EXPECT(report, error == 0 && status == -ENOENT, "no node: error %d status %d", error,
	       status);

	/* A oneway call carrying a node of ours makes it. Its BR_INCREFS /
	 * BR_ACQUIRE come in the same request's read (the first reference's
	 * node work goes to the sending thread), before the receiver can
	 * drop its reference; the abuser never acknowledges them, so the
	 * node stays whatever the receiver does. */
	struct flat_binder_object node = {
	        .hdr.type = BINDER_TYPE_BINDER, .binder = NODE_PTR, .cookie = NODE_COOKIE};
	binder_size_t offset = 0;
	memcpy(abuser.thread.send_area + DATA, &node, sizeof(node));
	memcpy(abuser.thread.send_area + OFFSETS, &offset, sizeof(offset));
	struct bc_stream *stream = malloc(sizeof(*stream));
	EXPECT(report, stream != NULL, "out of memory");
	bc_reset(stream);
	bc_add_transaction(stream, BC_TRANSACTION, 0, 0x7f, TF_ONE_WAY, DATA, sizeof(node), OFFSETS,
	                   sizeof(offset), 0);
	error = raw_write_read(&abuser.thread, stream->bytes, stream->size, 4096,
	                       BINDERD_WR_NONBLOCK, abuser.result, RAW_WAIT_MS);
	free(stream);
	EXPECT(report, error == 0 && abuser.result->status == 0,
	       "oneway call with a node: error %d status %d", error, abuser.result->status);
	EXPECT(report,
	       br_count(abuser.result->read, abuser.result->read_size, BR_ACQUIRE) == 1 &&
	               br_count(abuser.result->read, abuser.result->read_size, BR_INCREFS) == 1,
	       "the node's BR_INCREFS / BR_ACQUIRE did not come with the call");
	uint64_t wrong_cookie = NODE_COOKIE + 8;
	error = process_request(&abuser.process, BINDERD_OP_KILL_NODE, NODE_PTR, &wrong_cookie,
	                        sizeof(wrong_cookie), &status);
	EXPECT(report, error == 0 && status == -ENOENT, "wrong cookie: error %d status %d", error,
	       status);
	error = process_request(&abuser.process, BINDERD_OP_KILL_NODE, NODE_PTR + 8, &cookie,
	                        sizeof(cookie), &status);
	EXPECT(report, error == 0 && status == -ENOENT, "wrong ptr: error %d status %d", error,
	       status);
	error = process_request(&abuser.process, BINDERD_OP_KILL_NODE, NODE_PTR, &cookie,
	                        sizeof(cookie), &status);
	EXPECT(report, error == 0 && status == 0, "own node: error %d status %d", error, status);
	error = process_request(&abuser.process, BINDERD_OP_KILL_NODE, NODE_PTR, &cookie,
	                        sizeof(cookie), &status);
	EXPECT(report, error == 0 && status == -ENOENT, "killed twice: error %d status %d", error,
	       status);
	/* Whatever was queued for the node is gone or harmless; calls work. */
	error = raw_read_pending(&abuser);
	EXPECT(report, error >= 0, "read after the kill: %d", error);
	error = raw_echo_call(&abuser);
	EXPECT(report, error == 0, "echo call after the kill: %d", error);
	raw_abuser_close(&abuser);

	/* On a thread channel: closed, as any process op there. */
	error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	error = raw_send_request(abuser.thread.fd, BINDERD_OP_KILL_NODE, NODE_PTR, &cookie,
	                         sizeof(cookie), NULL, 0, 0);
	EXPECT(report, error == 0, "send: %s", strerror(-error));
	bool closed = raw_wait_closed(abuser.thread.fd, CLOSE_WAIT_MS);
	raw_abuser_close(&abuser);
	EXPECT(report, closed, "binderd kept a thread channel that asked for a kill");
	return 0;
}
