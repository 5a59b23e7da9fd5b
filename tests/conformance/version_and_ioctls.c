/*
 * version_and_ioctls.c - conformance of the plain ioctls: BINDER_VERSION,
 * empty BINDER_WRITE_READ, write_consumed as a starting point,
 * BINDER_SET_MAX_THREADS, BINDER_THREAD_EXIT, unknown ioctls, the mmap
 * rules and the single context manager.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

Test(ioctls, version_is_current_protocol, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct binder_version version = {.protocol_version = -1};
	CHECK(binder_device_ioctl(client.device, BINDER_VERSION, &version) == 0);
	CHECKF(version.protocol_version == BINDER_CURRENT_PROTOCOL_VERSION, "version %d",
	       version.protocol_version);
	client_close(&client);
}

Test(ioctls, version_works_before_mmap, .timeout = TEST_TIMEOUT)
{
	binder_device *device;
	CHECK(binder_device_open(binder_device_default_path(), 0, &device) == 0);
	struct binder_version version = {.protocol_version = -1};
	CHECK(binder_device_ioctl(device, BINDER_VERSION, &version) == 0);
	CHECK(version.protocol_version == BINDER_CURRENT_PROTOCOL_VERSION);
	binder_device_close(device);
}

Test(ioctls, empty_write_read_does_nothing, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct binder_write_read bwr;
	memset(&bwr, 0, sizeof(bwr));
	CHECK(binder_device_ioctl(client.device, BINDER_WRITE_READ, &bwr) == 0);
	CHECK(bwr.write_consumed == 0 && bwr.read_consumed == 0);
	client_close(&client);
}

/* The kernel starts writing at write_buffer + write_consumed: what was
 * consumed before is skipped (here an unknown command that would fail). */
Test(ioctls, write_starts_at_write_consumed, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	uint32_t commands[2] = {0xdeadbeefu, BC_ENTER_LOOPER};
	struct binder_write_read bwr;
	memset(&bwr, 0, sizeof(bwr));
	bwr.write_buffer = (binder_uintptr_t)(uintptr_t)commands;
	bwr.write_size = sizeof(commands);
	bwr.write_consumed = sizeof(uint32_t);
	int result = binder_device_ioctl(client.device, BINDER_WRITE_READ, &bwr);
	CHECKF(result == 0, "result %s", strerror(-result));
	CHECKF(bwr.write_consumed == sizeof(commands), "write_consumed %llu",
	       (unsigned long long)bwr.write_consumed);
	client_close(&client);
}

/* binder_device_write_read's hints change no result: the same write as
 * above, with both hints, is taken the same way; an unknown hint is
 * refused before anything is sent. */
Test(ioctls, write_read_hints_keep_results, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	uint32_t commands[2] = {0xdeadbeefu, BC_ENTER_LOOPER};
	struct binder_write_read bwr;
	memset(&bwr, 0, sizeof(bwr));
	bwr.write_buffer = (binder_uintptr_t)(uintptr_t)commands;
	bwr.write_size = sizeof(commands);
	bwr.write_consumed = sizeof(uint32_t);
	int result = binder_device_write_read(client.device, &bwr, 4u);
	CHECKF(result == -EINVAL, "unknown hint: result %d", result);
	CHECK(bwr.write_consumed == sizeof(uint32_t));
	result = binder_device_write_read(client.device, &bwr,
	                                  BINDER_WRITE_READ_VALID_BUFFERS |
	                                          BINDER_WRITE_READ_HOLD_COMPLETE);
	CHECKF(result == 0, "result %s", strerror(-result));
	CHECK(bwr.write_consumed == sizeof(commands));
	/* Without the hint a bad write buffer is -EFAULT, as the kernel's. */
	memset(&bwr, 0, sizeof(bwr));
	bwr.write_buffer = 8;
	bwr.write_size = sizeof(commands);
	result = binder_device_write_read(client.device, &bwr, 0);
	CHECKF(result == -EFAULT, "bad buffer: result %d", result);
	client_close(&client);
}

Test(ioctls, set_max_threads_and_thread_exit, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	uint32_t max_threads = 4;
	CHECK(binder_device_ioctl(client.device, BINDER_SET_MAX_THREADS, &max_threads) == 0);
	int unused = 0;
	CHECK(binder_device_ioctl(client.device, BINDER_THREAD_EXIT, &unused) == 0);
	/* The thread is simply recreated by its next call. */
	struct binder_version version = {.protocol_version = -1};
	CHECK(binder_device_ioctl(client.device, BINDER_VERSION, &version) == 0);
	CHECK(version.protocol_version == BINDER_CURRENT_PROTOCOL_VERSION);
	enter_looper(&client);
	client_close(&client);
}

Test(ioctls, unknown_ioctl_is_einval, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	int argument = 0;
	int result = binder_device_ioctl(client.device, _IOWR('b', 200, int), &argument);
	CHECKF(result == -EINVAL, "result %d (%s)", result, strerror(-result));
	client_close(&client);
}

Test(ioctls, second_mmap_is_ebusy, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	void *again = NULL;
	int result = binder_device_mmap(client.device, AREA_SIZE, &again);
	CHECKF(result == -EBUSY, "result %d (%s)", result, strerror(-result));
	client_close(&client);
}

/* The kernel maps the area without VM_MAYWRITE: it can never become
 * writable in the process (mprotect gives EACCES). */
Test(ioctls, receive_area_cannot_be_made_writable, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	errno = 0;
	int result = mprotect(client.area, client.area_size, PROT_READ | PROT_WRITE);
	CHECKF(result == -1 && errno == EACCES, "mprotect gave %d (%s)", result, strerror(errno));
	client_close(&client);
}

Test(ioctls, context_manager_twice_is_ebusy, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	become_context_manager(&client);
	int unused = 0;
	int result = binder_device_ioctl(client.device, BINDER_SET_CONTEXT_MGR, &unused);
	CHECKF(result == -EBUSY, "second BINDER_SET_CONTEXT_MGR gave %d", result);
	/* Another process (another open) cannot take it either. */
	struct binder_client other;
	open_client(&other, AREA_SIZE);
	result = binder_device_ioctl(other.device, BINDER_SET_CONTEXT_MGR, &unused);
	CHECKF(result == -EBUSY, "BINDER_SET_CONTEXT_MGR by another open gave %d", result);
	struct flat_binder_object object = binder_object(BINDER_TYPE_BINDER, 0, 0, 0);
	result = binder_device_ioctl(other.device, BINDER_SET_CONTEXT_MGR_EXT, &object);
	CHECKF(result == -EBUSY, "BINDER_SET_CONTEXT_MGR_EXT by another open gave %d", result);
	client_close(&other);
	client_close(&client);
}

/* A non-blocking read with no work fails with EAGAIN and reads nothing (a
 * new thread's very first read may return a lone BR_NOOP first). */
Test(ioctls, non_blocking_read_without_work_is_eagain, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	int eagain = 0;
	for (int i = 0; i < 3 && !eagain; i++) {
		uint32_t buffer[16];
		struct binder_write_read bwr;
		memset(&bwr, 0, sizeof(bwr));
		bwr.read_buffer = (binder_uintptr_t)(uintptr_t)buffer;
		bwr.read_size = sizeof(buffer);
		int result = binder_device_ioctl(client.device, BINDER_WRITE_READ, &bwr);
		if (result == -EAGAIN) {
			CHECKF(bwr.read_consumed == 0, "read_consumed %llu with EAGAIN",
			       (unsigned long long)bwr.read_consumed);
			eagain = 1;
			continue;
		}
		CHECKF(result == 0, "read gave %d (%s)", result, strerror(-result));
		CHECKF(bwr.read_consumed == sizeof(uint32_t) && buffer[0] == BR_NOOP,
		       "read %llu bytes without work", (unsigned long long)bwr.read_consumed);
	}
	CHECK(eagain);
	client_close(&client);
}
