/*
 * debug_probe.c - the processes of the binderctl tests (debug_test.sh),
 * written with libbinder's public API:
 *   serve NAME FIFO     registers a service NAME and serves until killed:
 *                       code 1 (BLOCK) replies once a byte can be read from
 *                       FIFO, code 2 (ECHO) replies at once, empty
 *   call NAME CODE [N]  calls NAME with CODE and N zero bytes of data
 *   hold NAME CODE      gets NAME, prints "holding", waits for a line on
 *                       stdin, then calls it with CODE
 *   bad-handle HANDLE   sends a transaction to HANDLE through the device
 *                       layer (no proxy can name a handle that is not held)
 * The client modes print "status: TEXT" (libbinder's name of the call's
 * status) and exit 0 when the call succeeded, 1 when it failed, 2 for bad
 * usage or setup. Every wait is bounded: the service lookup by
 * LOOKUP_TIMEOUT_MS, the rest by the test's timeouts.
 */
#include "binder/binder.h"
#include "binder/device.h"
#include "binder/parcel.h"
#include "binder/service_manager.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/android/binder.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROBE_DESCRIPTOR  "binder.debug.IProbe"
#define LOOKUP_TIMEOUT_MS 10000
#define MAX_PAYLOAD       (8u << 20)
#define RAW_AREA_SIZE     (64u << 10)
#define RAW_READ_ROUNDS   16
#define EXIT_CALL_FAILED  1
#define EXIT_SETUP        2

enum probe_code {
	PROBE_BLOCK = 1,
	PROBE_ECHO = 2,
};

static const char *fifo_path;

static int on_transact(binder_object *self, uint32_t code, binder_parcel *data,
                       binder_parcel *reply, const struct binder_caller *caller, void *user_data)
{
	(void)self;
	(void)data;
	(void)reply;
	(void)caller;
	(void)user_data;
	if (code == PROBE_ECHO)
		return 0;
	if (code != PROBE_BLOCK)
		return BINDER_UNKNOWN_TRANSACTION;
	/* Blocks until the test opens the fifo for writing and writes. */
	int fd = open(fifo_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return BINDER_UNKNOWN_ERROR;
	char byte;
	ssize_t got = read(fd, &byte, 1);
	close(fd);
	return got == 1 ? 0 : BINDER_UNKNOWN_ERROR;
}

static int serve(const char *name)
{
	const struct binder_local_ops ops = {.transact = on_transact};
	binder_context *context;
	binder_object *service;
	sigset_t stop_signals;
	int signal_number;

	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	int status = binder_context_new(NULL, &context);
	if (status < 0) {
		fprintf(stderr, "debug_probe: open: %s\n", binder_status_to_string(status));
		return EXIT_SETUP;
	}
	status = binder_object_new_local(context, PROBE_DESCRIPTOR, &ops, NULL, &service);
	if (status == 0)
		status = binder_context_start_thread_pool(context);
	if (status == 0)
		status = binder_service_manager_add(context, name, service);
	if (status < 0) {
		fprintf(stderr, "debug_probe: serve %s: %s\n", name,
		        binder_status_to_string(status));
		return EXIT_SETUP;
	}
	sigwait(&stop_signals, &signal_number);
	binder_object_unref(service);
	binder_context_close(context);
	binder_context_unref(context);
	return 0;
}

static int call(binder_object *service, uint32_t code, size_t payload)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = data && reply ? 0 : BINDER_NO_MEMORY;
	if (status == 0 && payload) {
		void *zeros = calloc(1, payload);
		status = zeros ? binder_parcel_write_raw(data, zeros, payload) : BINDER_NO_MEMORY;
		free(zeros);
	}
	if (status == 0)
		status = binder_object_transact(service, code, data, reply, 0);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	printf("status: %s\n", binder_status_to_string(status));
	fflush(stdout);
	return status == 0 ? 0 : EXIT_CALL_FAILED;
}

/* call and hold: look NAME up, then call it (hold: when told on stdin). */
static int client(const char *name, uint32_t code, size_t payload, bool hold)
{
	binder_context *context;
	binder_object *service;
	int status = binder_context_new(NULL, &context);
	if (status == 0)
		status = binder_service_manager_get(context, name, LOOKUP_TIMEOUT_MS, &service);
	if (status < 0) {
		fprintf(stderr, "debug_probe: %s: %s\n", name, binder_status_to_string(status));
		return EXIT_SETUP;
	}
	if (hold) {
		char line[16];
		printf("holding\n");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return EXIT_SETUP;
	}
	int result = call(service, code, payload);
	binder_object_unref(service);
	binder_context_close(context);
	binder_context_unref(context);
	return result;
}

/* One BC_TRANSACTION to handle, then the first BR_ that says how it went. */
static int bad_handle(uint32_t handle)
{
	binder_device *device;
	void *area;
	int status = binder_device_open(NULL, 0, &device);
	if (status == 0)
		status = binder_device_mmap(device, RAW_AREA_SIZE, &area);
	if (status < 0) {
		fprintf(stderr, "debug_probe: device: %s\n", strerror(-status));
		return EXIT_SETUP;
	}
	struct {
		uint32_t cmd;
		struct binder_transaction_data tr;
	} __attribute__((packed)) write_buffer = {.cmd = BC_TRANSACTION};
	write_buffer.tr.target.handle = handle;
	write_buffer.tr.code = PROBE_ECHO;
	uint32_t read_buffer[64];
	struct binder_write_read bwr = {
	        .write_size = sizeof(write_buffer),
	        .write_buffer = (binder_uintptr_t)(uintptr_t)&write_buffer,
	};
	uint32_t result = 0;
	for (int round = 0; round < RAW_READ_ROUNDS && !result && status == 0; round++) {
		bwr.read_size = sizeof(read_buffer);
		bwr.read_buffer = (binder_uintptr_t)(uintptr_t)read_buffer;
		bwr.read_consumed = 0;
		status = binder_device_ioctl(device, BINDER_WRITE_READ, &bwr);
		bwr.write_size = 0;
		/* Only BR_NOOP, BR_TRANSACTION_COMPLETE and the answer come
		 * back: all without payload but the answer. */
		for (size_t at = 0; status == 0 && at + sizeof(uint32_t) <= bwr.read_consumed;
		     at += sizeof(uint32_t)) {
			uint32_t cmd = read_buffer[at / sizeof(uint32_t)];
			if (cmd != BR_NOOP && cmd != BR_TRANSACTION_COMPLETE) {
				result = cmd;
				break;
			}
		}
	}
	binder_device_close(device);
	const char *name = result == BR_FAILED_REPLY ? "BR_FAILED_REPLY"
	                   : result == BR_DEAD_REPLY ? "BR_DEAD_REPLY"
	                                             : "other";
	printf("status: %s\n", status < 0 ? strerror(-status) : name);
	return result == BR_FAILED_REPLY || result == BR_DEAD_REPLY ? EXIT_CALL_FAILED : 0;
}

static int number(const char *text, unsigned long max, unsigned long *value)
{
	char *end;
	errno = 0;
	*value = strtoul(text, &end, 0);
	return errno || end == text || *end || text[0] == '-' || *value > max ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
	unsigned long code = 0, payload = 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && strcmp(argv[1], "serve") == 0) {
		fifo_path = argv[3];
		return serve(argv[2]);
	}
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "call") == 0 &&
	    number(argv[3], UINT32_MAX, &code) == 0 &&
	    (argc == 4 || number(argv[4], MAX_PAYLOAD, &payload) == 0))
		return client(argv[2], (uint32_t)code, payload, false);
	if (argc == 4 && strcmp(argv[1], "hold") == 0 && number(argv[3], UINT32_MAX, &code) == 0)
		return client(argv[2], (uint32_t)code, 0, true);
	if (argc == 3 && strcmp(argv[1], "bad-handle") == 0 &&
	    number(argv[2], UINT32_MAX, &code) == 0)
		return bad_handle((uint32_t)code);
	fprintf(stderr, "usage: debug_probe serve NAME FIFO | call NAME CODE [BYTES] | "
	                "hold NAME CODE | bad-handle HANDLE\n");
	return EXIT_SETUP;
}
