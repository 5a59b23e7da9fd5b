/*
 * errors.c - conformance of error handling: bad handles, offsets, objects
 * and sizes give the sender BR_FAILED_REPLY (no BR_TRANSACTION_COMPLETE)
 * and never reach the target; an unknown command fails the ioctl with
 * EINVAL and write_consumed stops before it; a failed transaction stops the
 * rest of the write; a reply with no transaction fails; bogus refcount and
 * free commands are ignored.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BAD_CODE    66
#define FINISH_CODE 99

struct strict_arguments {
	struct channel channel;
	size_t area_size;
};

/* Context manager that keeps the buffers of good calls (code 1), fails if
 * a bad call (BAD_CODE) arrives, and stops at FINISH_CODE. */
static int strict_service(void *argument)
{
	struct strict_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, arguments->area_size);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	struct br_event kept[8];
	int kept_count = 0;
	for (;;) {
		struct br_event event;
		expect_transaction(&service, &event);
		CHECKF(event.txn.code != BAD_CODE, "a transaction that should fail was delivered");
		if (event.txn.code == FINISH_CODE) {
			reply_and_free(&service, &event, NULL, 0, NULL, 0);
			break;
		}
		CHECK(kept_count < 8);
		kept[kept_count++] = event;
		reply_keep(&service, NULL, 0, NULL, 0);
	}
	for (int i = 0; i < kept_count; i++)
		free_buffer(&service, &kept[i]);
	client_close(&service);
	return 0;
}

struct strict_fixture {
	struct strict_arguments arguments;
	pid_t service;
	struct binder_client client;
};

static void strict_setup(struct strict_fixture *fixture, size_t service_area_size)
{
	fixture->arguments.area_size = service_area_size;
	channel_open(&fixture->arguments.channel);
	fixture->service = spawn_child(strict_service, &fixture->arguments);
	CHECK(hear_from_child(&fixture->arguments.channel) == 1);
	open_client(&fixture->client, AREA_SIZE);
}

static void strict_finish(struct strict_fixture *fixture)
{
	struct call_result result = call(&fixture->client, 0, FINISH_CODE, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "the service no longer answers: %s", br_name(result.cmd));
	free_buffer(&fixture->client, &result.reply);
	expect_child_success(fixture->service);
	client_close(&fixture->client);
}

static void expect_failed_call(struct binder_client *client, uint32_t handle, const void *data,
                               size_t data_size, const binder_size_t *offsets, size_t offsets_size)
{
	struct bc_stream stream;
	bc_reset(&stream);
	struct binder_transaction_data txn;
	memset(&txn, 0, sizeof(txn));
	txn.target.handle = handle;
	txn.code = BAD_CODE;
	txn.data_size = data_size;
	txn.offsets_size = offsets_size;
	txn.data.ptr.buffer = (binder_uintptr_t)(uintptr_t)data;
	txn.data.ptr.offsets = (binder_uintptr_t)(uintptr_t)offsets;
	bc_add_u32(&stream, BC_TRANSACTION);
	bc_add(&stream, &txn, sizeof(txn));
	send_commands(client, &stream);
	struct call_result result = wait_call_result(client, false);
	CHECKF(result.cmd == BR_FAILED_REPLY, "got %s", br_name(result.cmd));
	CHECKF(!result.saw_complete, "BR_TRANSACTION_COMPLETE for a failed transaction");
}

Test(errors, bad_handle_is_failed_reply, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	expect_failed_call(&client, 4242, NULL, 0, NULL, 0);
	expect_nothing(&client, 50);
	client_close(&client);
}

Test(errors, unaligned_offset_is_failed_reply, .timeout = TEST_TIMEOUT)
{
	struct strict_fixture fixture;
	strict_setup(&fixture, AREA_SIZE);
	uint8_t data[2 + sizeof(struct flat_binder_object)] = {0};
	struct flat_binder_object object = binder_object(BINDER_TYPE_BINDER, 0x10, 0x20, 0);
	memcpy(data + 2, &object, sizeof(object));
	binder_size_t offset = 2;
	expect_failed_call(&fixture.client, 0, data, sizeof(data), &offset, sizeof(offset));
	strict_finish(&fixture);
}

Test(errors, offset_out_of_bounds_is_failed_reply, .timeout = TEST_TIMEOUT)
{
	struct strict_fixture fixture;
	strict_setup(&fixture, AREA_SIZE);
	struct flat_binder_object object = binder_object(BINDER_TYPE_BINDER, 0x10, 0x20, 0);
	binder_size_t offset = 8; /* the object would end 8 bytes past the data */
	expect_failed_call(&fixture.client, 0, &object, sizeof(object), &offset, sizeof(offset));
	offset = 1u << 20;
	expect_failed_call(&fixture.client, 0, &object, sizeof(object), &offset, sizeof(offset));
	strict_finish(&fixture);
}

Test(errors, overlapping_or_decreasing_offsets_are_failed_reply, .timeout = TEST_TIMEOUT)
{
	struct strict_fixture fixture;
	strict_setup(&fixture, AREA_SIZE);
	uint8_t data[3 * sizeof(struct flat_binder_object)] = {0};
	for (int i = 0; i < 3; i++) {
		struct flat_binder_object object =
		        binder_object(BINDER_TYPE_BINDER, 0x10 + 0x10 * i, 0x20, 0);
		memcpy(data + i * sizeof(object), &object, sizeof(object));
	}
	binder_size_t overlapping[2] = {0, 8};
	expect_failed_call(&fixture.client, 0, data, sizeof(data), overlapping,
	                   sizeof(overlapping));
	binder_size_t decreasing[2] = {sizeof(struct flat_binder_object), 0};
	expect_failed_call(&fixture.client, 0, data, sizeof(data), decreasing, sizeof(decreasing));
	strict_finish(&fixture);
}

Test(errors, unaligned_offsets_size_is_failed_reply, .timeout = TEST_TIMEOUT)
{
	struct strict_fixture fixture;
	strict_setup(&fixture, AREA_SIZE);
	struct flat_binder_object object = binder_object(BINDER_TYPE_BINDER, 0x10, 0x20, 0);
	binder_size_t offsets[2] = {0, 0};
	expect_failed_call(&fixture.client, 0, &object, sizeof(object), offsets, 4);
	/* Offsets beyond what the data could hold. */
	expect_failed_call(&fixture.client, 0, &object, sizeof(object), offsets, sizeof(offsets));
	strict_finish(&fixture);
}

Test(errors, unknown_object_type_is_failed_reply, .timeout = TEST_TIMEOUT)
{
	struct strict_fixture fixture;
	strict_setup(&fixture, AREA_SIZE);
	struct flat_binder_object object = binder_object(0x12345678, 0x10, 0x20, 0);
	binder_size_t offset = 0;
	expect_failed_call(&fixture.client, 0, &object, sizeof(object), &offset, sizeof(offset));
	strict_finish(&fixture);
}

Test(errors, forged_handle_object_is_failed_reply, .timeout = TEST_TIMEOUT)
{
	struct strict_fixture fixture;
	strict_setup(&fixture, AREA_SIZE);
	struct flat_binder_object object = handle_object(BINDER_TYPE_HANDLE, 4242);
	binder_size_t offset = 0;
	expect_failed_call(&fixture.client, 0, &object, sizeof(object), &offset, sizeof(offset));
	strict_finish(&fixture);
}

Test(errors, cookie_mismatch_is_failed_reply, .timeout = TEST_TIMEOUT)
{
	struct strict_fixture fixture;
	strict_setup(&fixture, AREA_SIZE);
	enter_looper(&fixture.client);
	struct flat_binder_object object = binder_object(BINDER_TYPE_BINDER, 0x10, 0x20, 0);
	binder_size_t offset = 0;
	struct call_result result =
	        call(&fixture.client, 0, 1, 0, &object, sizeof(object), &offset, 1);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	free_buffer(&fixture.client, &result.reply);
	expect_node_acquired(&fixture.client, 0x10, 0x20, true);
	/* Same ptr, another cookie. */
	object.cookie = 0x21;
	expect_failed_call(&fixture.client, 0, &object, sizeof(object), &offset, sizeof(offset));
	strict_finish(&fixture);
}

/* The kernel fails a transaction whose data it cannot read (copy from user
 * memory) and carries on; on binderd a small payload without objects rides
 * inside the request, and a bad pointer must fail only that transaction.
 * A good call after it, in the same write, still goes through. */
Test(errors, unreadable_data_is_failed_reply, .timeout = TEST_TIMEOUT)
{
	struct strict_fixture fixture;
	strict_setup(&fixture, AREA_SIZE);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *unreadable = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(unreadable != MAP_FAILED);
	expect_failed_call(&fixture.client, 0, unreadable, 64, NULL, 0);

	/* The same, followed by a good call in one write: the first fails,
	 * the write stops there (as any failed transaction stops the rest),
	 * and the good one sent again is delivered. */
	uint32_t good_data[16] = {7};
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction(&stream, BC_TRANSACTION, 0, BAD_CODE, 0, unreadable, 64, NULL, 0);
	size_t first_size = stream.size;
	bc_add_transaction(&stream, BC_TRANSACTION, 0, 1, 0, good_data, sizeof(good_data), NULL, 0);
	binder_size_t consumed = 0;
	int status = client_write(&fixture.client, stream.bytes, stream.size, &consumed);
	CHECKF(status == 0, "write gave %d", status);
	CHECKF(consumed == first_size, "write_consumed %llu, the failed transaction ends at %zu",
	       (unsigned long long)consumed, first_size);
	expect_next(&fixture.client, BR_FAILED_REPLY, NULL);
	struct call_result result =
	        call(&fixture.client, 0, 1, 0, good_data, sizeof(good_data), NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	free_buffer(&fixture.client, &result.reply);
	munmap(unreadable, page);
	strict_finish(&fixture);
}

Test(errors, no_space_in_receive_area_is_failed_reply, .timeout = TEST_TIMEOUT)
{
	struct strict_fixture fixture;
	strict_setup(&fixture, 64 * 1024);
	size_t size = 128 * 1024;
	void *data = calloc(1, size);
	CHECK(data);
	expect_failed_call(&fixture.client, 0, data, size, NULL, 0);
	/* Fill the area with kept buffers until it is full. */
	int accepted = 0;
	for (int i = 0; i < 8; i++) {
		struct call_result result =
		        call(&fixture.client, 0, 1, 0, data, 20 * 1024, NULL, 0);
		if (result.cmd == BR_FAILED_REPLY)
			break;
		CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
		free_buffer(&fixture.client, &result.reply);
		accepted++;
	}
	CHECKF(accepted >= 1 && accepted <= 3, "%d buffers of 20 KiB in a 64 KiB area", accepted);
	free(data);
	strict_finish(&fixture);
}

Test(errors, unknown_command_fails_ioctl_and_stops_write, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	uint32_t commands[3] = {BC_ENTER_LOOPER, 0x7fffff00u, BC_ENTER_LOOPER};
	uint8_t read_buffer[64];
	struct binder_write_read bwr;
	memset(&bwr, 0, sizeof(bwr));
	bwr.write_buffer = (binder_uintptr_t)(uintptr_t)commands;
	bwr.write_size = sizeof(commands);
	bwr.read_buffer = (binder_uintptr_t)(uintptr_t)read_buffer;
	bwr.read_size = sizeof(read_buffer);
	int result = binder_device_ioctl(client.device, BINDER_WRITE_READ, &bwr);
	CHECKF(result == -EINVAL, "unknown command gave %d (%s)", result, strerror(-result));
	CHECKF(bwr.write_consumed == sizeof(uint32_t), "write_consumed %llu",
	       (unsigned long long)bwr.write_consumed);
	CHECKF(bwr.read_consumed == 0, "read_consumed %llu", (unsigned long long)bwr.read_consumed);
	client_close(&client);
}

Test(errors, failed_transaction_stops_rest_of_write, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction(&stream, BC_TRANSACTION, 4242, 1, 0, NULL, 0, NULL, 0);
	size_t first_size = stream.size;
	bc_add_u32(&stream, BC_ENTER_LOOPER);
	binder_size_t consumed = 0;
	int result = client_write(&client, stream.bytes, stream.size, &consumed);
	CHECKF(result == 0, "write gave %d", result);
	CHECKF(consumed == first_size, "write_consumed %llu, the failed transaction ends at %zu",
	       (unsigned long long)consumed, first_size);
	expect_next(&client, BR_FAILED_REPLY, NULL);
	/* Once the error is read the rest goes through. */
	CHECK(client_write(&client, stream.bytes + first_size, stream.size - first_size,
	                   &consumed) == 0);
	CHECK(consumed == stream.size - first_size);
	client_close(&client);
}

Test(errors, reply_without_transaction_is_failed_reply, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction(&stream, BC_REPLY, 0, 0, 0, NULL, 0, NULL, 0);
	send_commands(&client, &stream);
	expect_next(&client, BR_FAILED_REPLY, NULL);
	expect_nothing(&client, 50);
	client_close(&client);
}

Test(errors, bogus_free_and_refcount_commands_are_ignored, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_free_buffer(&stream, 0x1234);
	bc_add_free_buffer(&stream, (binder_uintptr_t)(uintptr_t)client.area);
	bc_add_handle(&stream, BC_ACQUIRE, 999);
	bc_add_handle(&stream, BC_RELEASE, 999);
	bc_add_handle(&stream, BC_DECREFS, 999);
	bc_add_ptr_cookie(&stream, BC_INCREFS_DONE, 0x4444, 0x5555);
	bc_add_ptr_cookie(&stream, BC_ACQUIRE_DONE, 0x4444, 0x5555);
	bc_add_death(&stream, BC_REQUEST_DEATH_NOTIFICATION, 999, 1);
	bc_add_death(&stream, BC_CLEAR_DEATH_NOTIFICATION, 999, 1);
	bc_add_dead_binder_done(&stream, 0x77);
	send_commands(&client, &stream);
	expect_nothing(&client, 50);
	struct binder_version version;
	CHECK(binder_device_ioctl(client.device, BINDER_VERSION, &version) == 0);
	client_close(&client);
}
