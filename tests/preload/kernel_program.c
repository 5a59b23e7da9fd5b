/*
 * kernel_program.c - a program written for the kernel's /dev/binder and
 * nothing else: libc and <linux/android/binder.h> only, no code shared
 * with libbinder or the conformance suite. Run under the LD_PRELOAD
 * library it must work unmodified on binderd.
 *
 * The parent becomes the context manager; a forked child (which must not
 * be able to map the parent's binder fd) opens /dev/binder itself and calls
 * the manager with a BINDER_TYPE_BINDER object and some data; the manager,
 * woken by poll(), checks that it got a BINDER_TYPE_HANDLE, the data and
 * the child's identity, and replies; the child checks the reply. Exit
 * status 0 only if every check passed. alarm() bounds the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/android/binder.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEVICE        "/dev/binder"
#define MAP_SIZE      (128 * 1024)
#define CALL_CODE     0x101
#define CALL_MAGIC    0xb1d3u
#define REPLY_MAGIC   0x5eedu
#define OBJECT_PTR    0x1234000u
#define OBJECT_COOKIE 0x5678u
#define TEXT          "hello, manager"

#define CHECK(condition, ...)                                                                      \
	do {                                                                                       \
		if (!(condition)) {                                                                \
			fprintf(stderr, "%s[%d] %s:%d: check failed: %s: ", role, getpid(),        \
			        __FILE__, __LINE__, #condition);                                   \
			fprintf(stderr, __VA_ARGS__);                                              \
			fprintf(stderr, " (errno %d)\n", errno);                                   \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

static const char *role = "manager";

struct call_data {
	struct flat_binder_object object;
	uint32_t magic;
	char text[16];
};

struct reply_data {
	uint32_t magic;
	char text[16];
};

/* Writes then reads; returns bytes read. */
static size_t write_read(int fd, const void *write, size_t write_size, void *read, size_t read_size)
{
	struct binder_write_read bwr = {
	        .write_buffer = (uintptr_t)write,
	        .write_size = write_size,
	        .read_buffer = (uintptr_t)read,
	        .read_size = read_size,
	};

	CHECK(ioctl(fd, BINDER_WRITE_READ, &bwr) == 0, "BINDER_WRITE_READ");
	CHECK(bwr.write_consumed == write_size, "consumed %llu of %zu",
	      (unsigned long long)bwr.write_consumed, write_size);
	return bwr.read_consumed;
}

static void put(uint8_t *stream, size_t *size, const void *bytes, size_t length)
{
	memcpy(stream + *size, bytes, length);
	*size += length;
}

static void put_command(uint8_t *stream, size_t *size, uint32_t cmd)
{
	put(stream, size, &cmd, sizeof(cmd));
}

static int open_device(void **map)
{
	struct binder_version version = {0};
	int fd = open(DEVICE, O_RDWR | O_CLOEXEC);

	CHECK(fd >= 0, "open " DEVICE);
	CHECK(ioctl(fd, BINDER_VERSION, &version) == 0, "BINDER_VERSION");
	CHECK(version.protocol_version == BINDER_CURRENT_PROTOCOL_VERSION, "protocol %d",
	      version.protocol_version);
	/* The kernel refuses a writable mapping. */
	CHECK(mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0) == MAP_FAILED &&
	              errno == EPERM,
	      "writable mapping not refused");
	*map = mmap(NULL, MAP_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(*map != MAP_FAILED, "mmap");
	return fd;
}

/* The child: calls the manager with an object and checks the reply. */
static int run_client(int inherited_fd)
{
	struct call_data data;
	binder_size_t offsets[1] = {0};
	struct binder_transaction_data call = {
	        .target.handle = 0,
	        .code = CALL_CODE,
	        .data_size = sizeof(data),
	        .offsets_size = sizeof(offsets),
	        .data.ptr.buffer = (uintptr_t)&data,
	        .data.ptr.offsets = (uintptr_t)offsets,
	};
	uint8_t write[256], read[512];
	size_t write_size = 0;
	bool completed = false, replied = false;
	void *map;
	int fd;

	role = "client";
	alarm(20);
	/* The parent's binder fd is inherited, its mapping is not ours. */
	CHECK(mmap(NULL, MAP_SIZE, PROT_READ, MAP_PRIVATE, inherited_fd, 0) == MAP_FAILED &&
	              errno == EINVAL,
	      "mapped the parent's binder fd");
	close(inherited_fd);

	fd = open_device(&map);
	memset(&data, 0, sizeof(data));
	data.object.hdr.type = BINDER_TYPE_BINDER;
	data.object.flags = FLAT_BINDER_FLAG_ACCEPTS_FDS | 0x7f;
	data.object.binder = OBJECT_PTR;
	data.object.cookie = OBJECT_COOKIE;
	data.magic = CALL_MAGIC;
	strcpy(data.text, TEXT);
	put_command(write, &write_size, BC_TRANSACTION);
	put(write, &write_size, &call, sizeof(call));

	for (int reads = 0; reads < 20 && !replied; reads++) {
		size_t size = write_read(fd, write, write_size, read, sizeof(read));
		size_t position = 0;

		write_size = 0;
		while (position + sizeof(uint32_t) <= size) {
			uint32_t cmd;

			memcpy(&cmd, read + position, sizeof(cmd));
			position += sizeof(cmd);
			CHECK(position + _IOC_SIZE(cmd) <= size, "return %#x cut short", cmd);
			switch (cmd) {
			case BR_NOOP:
				break;
			case BR_TRANSACTION_COMPLETE:
				completed = true;
				break;
			case BR_INCREFS:
			case BR_ACQUIRE: {
				struct binder_ptr_cookie object;

				memcpy(&object, read + position, sizeof(object));
				CHECK(object.ptr == OBJECT_PTR && object.cookie == OBJECT_COOKIE,
				      "reference on an unknown node");
				put_command(write, &write_size,
				            cmd == BR_INCREFS ? BC_INCREFS_DONE : BC_ACQUIRE_DONE);
				put(write, &write_size, &object, sizeof(object));
				break;
			}
			case BR_RELEASE:
			case BR_DECREFS:
				break;
			case BR_REPLY: {
				struct binder_transaction_data reply;
				struct reply_data answer;

				memcpy(&reply, read + position, sizeof(reply));
				CHECK(completed, "reply before BR_TRANSACTION_COMPLETE");
				CHECK(reply.data_size == sizeof(answer), "reply size %llu",
				      (unsigned long long)reply.data_size);
				memcpy(&answer, (const void *)(uintptr_t)reply.data.ptr.buffer,
				       sizeof(answer));
				CHECK(answer.magic == REPLY_MAGIC, "reply magic %#x", answer.magic);
				CHECK(strcmp(answer.text, TEXT) == 0, "reply text");
				CHECK((uintptr_t)reply.data.ptr.buffer >= (uintptr_t)map &&
				              (uintptr_t)reply.data.ptr.buffer <
				                      (uintptr_t)map + MAP_SIZE,
				      "reply not in the mapping");
				put_command(write, &write_size, BC_FREE_BUFFER);
				put(write, &write_size, &reply.data.ptr.buffer,
				    sizeof(binder_uintptr_t));
				replied = true;
				break;
			}
			default:
				CHECK(false, "unexpected return %#x", cmd);
			}
			position += _IOC_SIZE(cmd);
		}
	}
	CHECK(replied, "no reply");
	/* Free the reply buffer and acknowledge any last references. */
	write_read(fd, write, write_size, NULL, 0);
	CHECK(munmap(map, MAP_SIZE) == 0, "munmap");
	CHECK(close(fd) == 0, "close");
	return 0;
}

/* Waits with poll() for the call, checks it and replies. */
static void serve_one_call(int fd, pid_t child)
{
	struct binder_transaction_data transaction;
	bool received = false;
	uint8_t read[512], write[256];
	size_t write_size = 0;

	for (int waits = 0; waits < 100 && !received; waits++) {
		struct pollfd poll_fd = {.fd = fd, .events = POLLIN};
		int status, ready = poll(&poll_fd, 1, 100);
		size_t size, position = 0;

		CHECK(ready >= 0, "poll");
		if (ready == 0) {
			CHECK(waitpid(child, &status, WNOHANG) == 0, "client ended early");
			continue;
		}
		CHECK(poll_fd.revents & POLLIN, "revents %#x", poll_fd.revents);
		size = write_read(fd, NULL, 0, read, sizeof(read));
		while (position + sizeof(uint32_t) <= size) {
			uint32_t cmd;

			memcpy(&cmd, read + position, sizeof(cmd));
			position += sizeof(cmd);
			CHECK(position + _IOC_SIZE(cmd) <= size, "return %#x cut short", cmd);
			if (cmd == BR_TRANSACTION) {
				memcpy(&transaction, read + position, sizeof(transaction));
				received = true;
			} else {
				CHECK(cmd == BR_NOOP, "unexpected return %#x", cmd);
			}
			position += _IOC_SIZE(cmd);
		}
	}
	CHECK(received, "no call within 10 s");

	const struct call_data *data = (const void *)(uintptr_t)transaction.data.ptr.buffer;
	const binder_size_t *offsets = (const void *)(uintptr_t)transaction.data.ptr.offsets;
	CHECK(transaction.code == CALL_CODE, "code %#x", transaction.code);
	CHECK(transaction.sender_pid == child, "sender pid %d, child %d", transaction.sender_pid,
	      child);
	CHECK(transaction.sender_euid == geteuid(), "sender euid %u", transaction.sender_euid);
	CHECK(transaction.data_size == sizeof(*data), "data size %llu",
	      (unsigned long long)transaction.data_size);
	CHECK(transaction.offsets_size == sizeof(binder_size_t) && offsets[0] == 0, "offsets");
	CHECK(data->object.hdr.type == BINDER_TYPE_HANDLE, "object type %#x",
	      data->object.hdr.type);
	CHECK(data->object.handle != 0, "handle 0 for the client's object");
	CHECK(data->magic == CALL_MAGIC, "magic %#x", data->magic);
	CHECK(strcmp(data->text, TEXT) == 0, "text");

	struct reply_data answer = {.magic = REPLY_MAGIC};
	strcpy(answer.text, data->text);
	struct binder_transaction_data reply = {
	        .data_size = sizeof(answer),
	        .data.ptr.buffer = (uintptr_t)&answer,
	};
	put_command(write, &write_size, BC_FREE_BUFFER);
	put(write, &write_size, &transaction.data.ptr.buffer, sizeof(binder_uintptr_t));
	put_command(write, &write_size, BC_REPLY);
	put(write, &write_size, &reply, sizeof(reply));
	size_t size = write_read(fd, write, write_size, read, sizeof(read));
	uint32_t cmd = 0;
	if (size >= 2 * sizeof(cmd))
		memcpy(&cmd, read + sizeof(cmd), sizeof(cmd));
	CHECK(cmd == BR_TRANSACTION_COMPLETE, "after the reply: %#x", cmd);
}

int main(void)
{
	uint32_t enter = BC_ENTER_LOOPER;
	void *map;
	int fd, copy, status;
	pid_t child;

	alarm(30);
	fd = open_device(&map);
	CHECK(ioctl(fd, BINDER_SET_CONTEXT_MGR, 0) == 0, "BINDER_SET_CONTEXT_MGR");
	/* A copy of the fd is the same binder file. */
	copy = dup(fd);
	CHECK(copy >= 0, "dup");
	write_read(copy, &enter, sizeof(enter), NULL, 0);
	CHECK(close(copy) == 0, "close the copy");
	CHECK(mmap(NULL, MAP_SIZE, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED && errno == EBUSY,
	      "second mapping not refused");

	fflush(NULL);
	child = fork();
	CHECK(child >= 0, "fork");
	if (child == 0)
		_exit(run_client(fd));

	serve_one_call(fd, child);
	CHECK(waitpid(child, &status, 0) == child, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "client status %#x", status);
	CHECK(munmap(map, MAP_SIZE) == 0, "munmap");
	CHECK(close(fd) == 0, "close");
	printf("kernel_program: all checks passed\n");
	return 0;
}
