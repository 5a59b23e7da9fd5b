/*
 * echo_client.c - the client half of the well-behaved pair (see
 * echo_pair.h): two-way calls to handle 0 through the device layer, every
 * wait bounded by poll timeouts.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/android/binder.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "echo_pair.h"

#define CLIENT_AREA_SIZE (128 * 1024)
#define CALL_WAIT_MS     5000

static long long now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int echo_client_open(struct echo_client *client)
{
	memset(client, 0, sizeof(*client));
	int result = binder_device_open(binder_device_default_path(), O_NONBLOCK, &client->device);
	if (result < 0)
		return result;
	result = binder_device_mmap(client->device, CLIENT_AREA_SIZE, &client->area);
	if (result < 0) {
		binder_device_close(client->device);
		client->device = NULL;
	}
	return result;
}

void echo_client_close(struct echo_client *client)
{
	binder_device_close(client->device);
	client->device = NULL;
}

static int write_commands(struct echo_client *client, const void *bytes, size_t size)
{
	struct binder_write_read bwr = {
	        .write_size = size,
	        .write_buffer = (binder_uintptr_t)(uintptr_t)bytes,
	};
	int result = binder_device_ioctl(client->device, BINDER_WRITE_READ, &bwr);
	if (result == 0 && bwr.write_consumed != size)
		result = -EIO;
	return result;
}

/* One non-blocking read, after waiting (until deadline) for work. Returns
 * bytes read, or -errno (-ETIMEDOUT). */
static int read_some(struct echo_client *client, uint8_t *buffer, size_t size, long long deadline)
{
	for (;;) {
		struct binder_write_read bwr = {
		        .read_size = size,
		        .read_buffer = (binder_uintptr_t)(uintptr_t)buffer,
		};
		int result = binder_device_ioctl(client->device, BINDER_WRITE_READ, &bwr);
		if (result == 0 && bwr.read_consumed > sizeof(uint32_t))
			return (int)bwr.read_consumed;
		if (result < 0 && result != -EAGAIN && result != -EINTR)
			return result;
		long long left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		int fd = binder_device_poll_fd(client->device);
		if (fd < 0)
			return fd;
		struct pollfd pollfd = {.fd = fd, .events = POLLIN};
		if (poll(&pollfd, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
	}
}

int echo_client_call(struct echo_client *client, uint32_t code)
{
	uint32_t value;
	return echo_client_call_value(client, code, &value);
}

int echo_client_call_value(struct echo_client *client, uint32_t code, uint32_t *value)
{
	char message[64];
	int length = snprintf(message, sizeof(message), "echo %d/%u", (int)getpid(), client->calls);
	struct {
		uint32_t cmd;
		struct binder_transaction_data txn;
	} __attribute__((packed)) call;
	memset(&call, 0, sizeof(call));
	call.cmd = BC_TRANSACTION;
	call.txn.target.handle = 0;
	call.txn.code = code;
	call.txn.data_size = (binder_size_t)length;
	call.txn.data.ptr.buffer = (binder_uintptr_t)(uintptr_t)message;
	int result = write_commands(client, &call, sizeof(call));
	if (result < 0)
		return result;
	long long deadline = now_ms() + CALL_WAIT_MS;
	static __thread uint8_t read[4096];
	for (;;) {
		int got = read_some(client, read, sizeof(read), deadline);
		if (got < 0)
			return got;
		size_t position = 0;
		while (position + sizeof(uint32_t) <= (size_t)got) {
			uint32_t cmd;
			memcpy(&cmd, read + position, sizeof(cmd));
			position += sizeof(cmd);
			size_t argument = _IOC_SIZE(cmd);
			if ((size_t)got - position < argument)
				return -EBADMSG;
			const uint8_t *arg = read + position;
			position += argument;
			if (cmd == BR_FAILED_REPLY || cmd == BR_DEAD_REPLY)
				return (int)cmd;
			if (cmd != BR_REPLY)
				continue; /* BR_NOOP, BR_TRANSACTION_COMPLETE */
			struct binder_transaction_data reply;
			memcpy(&reply, arg, sizeof(reply));
			const void *data = (const void *)(uintptr_t)reply.data.ptr.buffer;
			result = 0;
			*value = 0;
			if (reply.data_size >= sizeof(*value))
				memcpy(value, data, sizeof(*value));
			if (code == ECHO_CODE_ECHO && (reply.data_size != (binder_size_t)length ||
			                               memcmp(data, message, (size_t)length) != 0))
				result = -EBADMSG;
			struct {
				uint32_t cmd;
				binder_uintptr_t buffer;
			} __attribute__((packed))
			free_buffer = {BC_FREE_BUFFER, reply.data.ptr.buffer};
			int freed = write_commands(client, &free_buffer, sizeof(free_buffer));
			if (result == 0)
				result = freed;
			if (result == 0)
				client->calls++;
			return result;
		}
	}
}

int echo_pair_check(void)
{
	struct echo_client client;
	int result = echo_client_open(&client);
	if (result < 0)
		return result;
	result = echo_client_call(&client, ECHO_CODE_ECHO);
	echo_client_close(&client);
	return result;
}

const char *echo_result_name(int result)
{
	static __thread char text[64];
	if (result == 0)
		return "ok";
	if (result == (int)BR_FAILED_REPLY)
		return "BR_FAILED_REPLY";
	if (result == (int)BR_DEAD_REPLY)
		return "BR_DEAD_REPLY";
	if (result < 0)
		snprintf(text, sizeof(text), "%s", strerror(-result));
	else
		snprintf(text, sizeof(text), "BR code %#x", (unsigned)result);
	return text;
}
