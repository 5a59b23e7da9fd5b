/*
 * tool_test_service.c - a small service for the binder-service tests,
 * written with the public API only. It registers itself with
 * servicemanager under NAME (default "tool.test", descriptor
 * "binder.tool.ITest") and serves until SIGTERM or SIGINT.
 *
 * Codes:
 *   1 ADD        interface token, i32 a, i32 b -> ex, i32 a + b
 *   2 ECHO       replies with the request's bytes as they are (no objects)
 *   3 READ_FD    fd -> ex, s8 holding the first bytes read from it
 *   4 FAIL       interface token -> EX_SERVICE_SPECIFIC 42 "it failed"
 *   5 OBJECTS    -> ex, binder (itself), fd (/dev/null)
 *   6 DENY       returns BINDER_PERMISSION_DENIED as the transaction status
 *   7 DIE        the process exits without replying
 *   8 POSITIVE   returns POSITIVE_STATUS (42) as the transaction status
 * Anything else: BINDER_UNKNOWN_TRANSACTION.
 */
#include "binder/binder.h"
#include "binder/parcel.h"
#include "binder/service_manager.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_DESCRIPTOR "binder.tool.ITest"
#define READ_FD_MAX     256

enum test_code {
	TEST_ADD = 1,
	TEST_ECHO = 2,
	TEST_READ_FD = 3,
	TEST_FAIL = 4,
	TEST_OBJECTS = 5,
	TEST_DENY = 6,
	TEST_DIE = 7,
	TEST_POSITIVE = 8,
};

/* A positive transaction status: a failure on Android all the same. */
#define POSITIVE_STATUS 42

static int add(binder_parcel *data, binder_parcel *reply)
{
	int32_t a;
	int32_t b;
	int status = binder_parcel_enforce_interface(data, TEST_DESCRIPTOR);

	if (status == 0)
		status = binder_parcel_read_int32(data, &a);
	if (status == 0)
		status = binder_parcel_read_int32(data, &b);
	if (status == 0)
		status = binder_parcel_write_no_exception(reply);
	if (status == 0)
		status = binder_parcel_write_int32(reply, (int32_t)((uint32_t)a + (uint32_t)b));
	return status;
}

static int echo(binder_parcel *data, binder_parcel *reply)
{
	size_t size = binder_parcel_data_size(data);

	if (size == 0)
		return 0;
	return binder_parcel_write_raw(reply, binder_parcel_data(data), size);
}

static int read_fd(binder_parcel *data, binder_parcel *reply)
{
	char text[READ_FD_MAX + 1];
	ssize_t length;
	int fd;
	int status = binder_parcel_read_fd(data, &fd);

	if (status < 0)
		return status;
	length = pread(fd, text, READ_FD_MAX, 0);
	if (length < 0)
		return binder_parcel_write_exception(reply, BINDER_EX_ILLEGAL_STATE,
		                                     "cannot read the fd", 0);
	text[length] = '\0';
	/* The text must be UTF-8 for a String8: cut at the first odd byte. */
	for (ssize_t i = 0; i < length; i++) {
		if ((unsigned char)text[i] >= 0x80 || text[i] == '\0') {
			text[i] = '\0';
			break;
		}
	}
	status = binder_parcel_write_no_exception(reply);
	if (status == 0)
		status = binder_parcel_write_string8(reply, text);
	return status;
}

static int objects(binder_object *self, binder_parcel *reply)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int status;

	if (fd < 0)
		return BINDER_UNKNOWN_ERROR;
	status = binder_parcel_write_no_exception(reply);
	if (status == 0)
		status = binder_parcel_write_object(reply, self);
	if (status == 0)
		status = binder_parcel_write_dup_fd(reply, fd);
	close(fd);
	return status;
}

static int on_transact(binder_object *self, uint32_t code, binder_parcel *data,
                       binder_parcel *reply, const struct binder_caller *caller, void *user_data)
{
	int status;

	(void)caller;
	(void)user_data;
	switch (code) {
	case TEST_ADD:
		return add(data, reply);
	case TEST_ECHO:
		return echo(data, reply);
	case TEST_READ_FD:
		return read_fd(data, reply);
	case TEST_FAIL:
		status = binder_parcel_enforce_interface(data, TEST_DESCRIPTOR);
		if (status < 0)
			return status;
		return binder_parcel_write_exception(reply, BINDER_EX_SERVICE_SPECIFIC, "it failed",
		                                     42);
	case TEST_OBJECTS:
		return objects(self, reply);
	case TEST_DENY:
		return BINDER_PERMISSION_DENIED;
	case TEST_DIE:
		_exit(0);
	case TEST_POSITIVE:
		return POSITIVE_STATUS;
	default:
		return BINDER_UNKNOWN_TRANSACTION;
	}
}

int main(int argc, char **argv)
{
	const struct binder_local_ops ops = {.transact = on_transact};
	const char *name = argc > 1 ? argv[1] : "tool.test";
	binder_context *context;
	binder_object *service;
	sigset_t stop_signals;
	int signal_number;
	int status;

	/* Block the stop signals in every thread; main waits for them. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

	status = binder_context_new(NULL, &context);
	if (status < 0) {
		fprintf(stderr, "tool_test_service: open: %s\n", binder_status_to_string(status));
		return 1;
	}
	status = binder_object_new_local(context, TEST_DESCRIPTOR, &ops, NULL, &service);
	if (status == 0)
		status = binder_context_start_thread_pool(context);
	if (status == 0)
		status = binder_service_manager_add(context, name, service);
	if (status < 0) {
		fprintf(stderr, "tool_test_service: %s\n", binder_status_to_string(status));
		return 1;
	}
	sigwait(&stop_signals, &signal_number);
	binder_object_unref(service);
	binder_context_close(context);
	binder_context_unref(context);
	return 0;
}
