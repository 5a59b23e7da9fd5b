/*
 * echo_service.c - the service half of the well-behaved pair (see
 * echo_pair.h): a context manager, in a child process, that echoes calls
 * and sinks oneway calls, through the device layer.
 */
#include <errno.h>
#include <linux/android/binder.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "echo_pair.h"

#define SERVICE_AREA_SIZE (1024 * 1024)

struct service {
	binder_device *device;
	bool hold;
	binder_uintptr_t held; /* a kept oneway buffer, or 0 */
	uint32_t marks;
	size_t write_size;
	uint8_t write[16384];
};

static void add(struct service *service, const void *bytes, size_t size)
{
	if (service->write_size + size > sizeof(service->write)) {
		fprintf(stderr, "echo service: write stream full\n");
		_exit(3);
	}
	memcpy(service->write + service->write_size, bytes, size);
	service->write_size += size;
}

static void add_u32(struct service *service, uint32_t value)
{
	add(service, &value, sizeof(value));
}

static void add_free(struct service *service, binder_uintptr_t buffer)
{
	add_u32(service, BC_FREE_BUFFER);
	add(service, &buffer, sizeof(buffer));
}

/* Drops the commands binderd consumed. Like libbinder, the service keeps
 * the rest for its next BINDER_WRITE_READ: after a failed command (a reply
 * to a caller that died) the kernel stops consuming the stream until the
 * error is read. */
static void consumed(struct service *service, size_t count)
{
	if (count > service->write_size) {
		fprintf(stderr, "echo service: consumed %zu of %zu\n", count, service->write_size);
		_exit(4);
	}
	memmove(service->write, service->write + count, service->write_size - count);
	service->write_size -= count;
}

static void reply(struct service *service, const struct binder_transaction_data *received,
                  const void *data, size_t size)
{
	struct binder_transaction_data answer;
	memset(&answer, 0, sizeof(answer));
	answer.data_size = size;
	answer.data.ptr.buffer = (binder_uintptr_t)(uintptr_t)data;
	add_u32(service, BC_REPLY);
	add(service, &answer, sizeof(answer));
	/* The reply is copied before the buffer it points into is freed. */
	add_free(service, received->data.ptr.buffer);
}

static void on_transaction(struct service *service, const struct binder_transaction_data *txn)
{
	static const uint32_t ok = 0;
	if (txn->flags & TF_ONE_WAY) {
		if (txn->code == ECHO_CODE_MARK)
			service->marks++;
		if (txn->code == ECHO_CODE_SINK && service->hold && !service->held)
			service->held = txn->data.ptr.buffer;
		else
			add_free(service, txn->data.ptr.buffer);
		return;
	}
	switch (txn->code) {
	case ECHO_CODE_ECHO:
		reply(service, txn, (const void *)(uintptr_t)txn->data.ptr.buffer, txn->data_size);
		break;
	case ECHO_CODE_HOLD:
		service->hold = true;
		reply(service, txn, &ok, sizeof(ok));
		break;
	case ECHO_CODE_DRAIN:
		service->hold = false;
		if (service->held)
			add_free(service, service->held);
		service->held = 0;
		reply(service, txn, &ok, sizeof(ok));
		break;
	case ECHO_CODE_MARKS: {
		static uint32_t marks;
		marks = service->marks;
		reply(service, txn, &marks, sizeof(marks));
		break;
	}
	default: {
		static const uint32_t unknown = 1;
		reply(service, txn, &unknown, sizeof(unknown));
		break;
	}
	}
}

/* Handles one read buffer. */
static void on_read(struct service *service, const uint8_t *read, size_t size)
{
	size_t position = 0;
	while (position + sizeof(uint32_t) <= size) {
		uint32_t cmd;
		memcpy(&cmd, read + position, sizeof(cmd));
		position += sizeof(cmd);
		size_t argument = _IOC_SIZE(cmd);
		if (size - position < argument) {
			fprintf(stderr, "echo service: truncated %#x\n", cmd);
			_exit(5);
		}
		const uint8_t *arg = read + position;
		position += argument;
		switch (cmd) {
		case BR_TRANSACTION: {
			struct binder_transaction_data txn;
			memcpy(&txn, arg, sizeof(txn));
			on_transaction(service, &txn);
			break;
		}
		case BR_INCREFS:
		case BR_ACQUIRE: {
			struct binder_ptr_cookie pc;
			memcpy(&pc, arg, sizeof(pc));
			add_u32(service, cmd == BR_INCREFS ? BC_INCREFS_DONE : BC_ACQUIRE_DONE);
			add(service, &pc, sizeof(pc));
			break;
		}
		case BR_DEAD_BINDER: {
			add_u32(service, BC_DEAD_BINDER_DONE);
			add(service, arg, sizeof(binder_uintptr_t));
			break;
		}
		default:
			/* BR_NOOP, BR_TRANSACTION_COMPLETE, BR_SPAWN_LOOPER,
			 * BR_RELEASE, BR_DECREFS, and BR_FAILED_REPLY /
			 * BR_DEAD_REPLY for a reply whose caller went away. */
			break;
		}
	}
}

static int serve(int ready_fd)
{
	struct service service = {0};
	int result = binder_device_open(binder_device_default_path(), 0, &service.device);
	void *area;
	if (result == 0)
		result = binder_device_mmap(service.device, SERVICE_AREA_SIZE, &area);
	int32_t unused = 0;
	if (result == 0)
		result = binder_device_ioctl(service.device, BINDER_SET_CONTEXT_MGR, &unused);
	if (result < 0) {
		fprintf(stderr, "echo service: setup failed: %s\n", strerror(-result));
		return 2;
	}
	add_u32(&service, BC_ENTER_LOOPER);
	char ready = 1;
	if (write(ready_fd, &ready, 1) != 1)
		return 2;
	close(ready_fd);
	static uint8_t read_buffer[8192];
	for (;;) {
		/* Write what is pending and read, in one call, as libbinder. */
		struct binder_write_read bwr = {
		        .write_size = service.write_size,
		        .write_buffer = (binder_uintptr_t)(uintptr_t)service.write,
		        .read_size = sizeof(read_buffer),
		        .read_buffer = (binder_uintptr_t)(uintptr_t)read_buffer,
		};
		result = binder_device_ioctl(service.device, BINDER_WRITE_READ, &bwr);
		if (result == -EINTR || result == -EAGAIN)
			continue;
		if (result < 0) {
			fprintf(stderr, "echo service: BINDER_WRITE_READ failed: %s\n",
			        strerror(-result));
			return 6;
		}
		consumed(&service, bwr.write_consumed);
		on_read(&service, read_buffer, bwr.read_consumed);
	}
}

pid_t echo_service_start(void)
{
	int ready[2];
	if (pipe(ready) < 0)
		return -errno;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int error = -errno;
		close(ready[0]);
		close(ready[1]);
		return error;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		close(ready[0]);
		_exit(serve(ready[1]));
	}
	close(ready[1]);
	char byte;
	/* Bounded: the child writes within its setup or exits. */
	alarm(10);
	ssize_t got = read(ready[0], &byte, 1);
	alarm(0);
	close(ready[0]);
	if (got != 1) {
		echo_service_stop(pid);
		return -EIO;
	}
	return pid;
}

void echo_service_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		struct timespec pause = {0, 20 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
