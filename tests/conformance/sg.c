/*
 * sg.c - conformance of scatter-gather transactions (BC_TRANSACTION_SG):
 * BINDER_TYPE_PTR buffers are copied into the receiver's area, their
 * pointers rewritten, and a child's address patched into its parent; bad
 * sizes, parents and parent offsets give BR_FAILED_REPLY.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <string.h>

struct parent_payload {
	uint64_t child_pointer;
	char text[16];
};

/* The objects do not start the data: the kernel takes a fix-up parent at
 * data offset 0 for "no parent yet" and refuses its children. */
struct two_buffers {
	uint64_t header;
	struct binder_buffer_object parent;
	struct binder_buffer_object child;
};

static const char parent_text[16] = "parent-text";
static const char child_text[16] = "child-data";

static bool in_receive_area(const struct binder_client *client, binder_uintptr_t address,
                            size_t length)
{
	uintptr_t area = (uintptr_t)client->area;
	return address >= area && address + length <= area + client->area_size;
}

struct sg_service_arguments {
	struct channel channel;
};

/* Serves calls until code 99: code 1 carries the two buffers to check;
 * any other code is an error (a transaction that should have failed). */
static int sg_service(void *argument)
{
	struct sg_service_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	for (;;) {
		struct br_event event;
		expect_transaction(&service, &event);
		if (event.txn.code == 99) {
			reply_and_free(&service, &event, NULL, 0, NULL, 0);
			break;
		}
		CHECKF(event.txn.code == 1, "a bad transaction (code %u) was delivered",
		       event.txn.code);
		CHECK(event.txn.data_size == sizeof(struct two_buffers));
		CHECK(event.txn.offsets_size == 2 * sizeof(binder_size_t));
		const struct two_buffers *objects = event_data(&service, &event);
		CHECK(objects->parent.hdr.type == BINDER_TYPE_PTR);
		CHECK(objects->child.hdr.type == BINDER_TYPE_PTR);
		CHECK(objects->parent.length == sizeof(struct parent_payload));
		CHECK(objects->child.length == sizeof(child_text));
		CHECK(objects->child.flags & BINDER_BUFFER_FLAG_HAS_PARENT);
		CHECK(objects->child.parent == 0 && objects->child.parent_offset == 0);
		CHECKF(in_receive_area(&service, objects->parent.buffer, objects->parent.length),
		       "parent copy at 0x%llx is not in the receive area",
		       (unsigned long long)objects->parent.buffer);
		CHECKF(in_receive_area(&service, objects->child.buffer, objects->child.length),
		       "child copy at 0x%llx is not in the receive area",
		       (unsigned long long)objects->child.buffer);
		const struct parent_payload *parent =
		        (const void *)(uintptr_t)objects->parent.buffer;
		CHECKF(parent->child_pointer == objects->child.buffer,
		       "parent points to 0x%llx, child copy is at 0x%llx",
		       (unsigned long long)parent->child_pointer,
		       (unsigned long long)objects->child.buffer);
		CHECK(memcmp(parent->text, parent_text, sizeof(parent_text)) == 0);
		CHECK(memcmp((const void *)(uintptr_t)objects->child.buffer, child_text,
		             sizeof(child_text)) == 0);
		reply_and_free(&service, &event, NULL, 0, NULL, 0);
	}
	client_close(&service);
	return 0;
}

struct sg_fixture {
	struct sg_service_arguments arguments;
	pid_t service;
	struct binder_client client;
	struct parent_payload parent;
	char child[16];
	struct two_buffers objects;
	binder_size_t offsets[2];
};

static void sg_setup(struct sg_fixture *fixture)
{
	channel_open(&fixture->arguments.channel);
	fixture->service = spawn_child(sg_service, &fixture->arguments);
	CHECK(hear_from_child(&fixture->arguments.channel) == 1);
	open_client(&fixture->client, AREA_SIZE);
	memset(&fixture->parent, 0, sizeof(fixture->parent));
	fixture->parent.child_pointer = 0x1111111111111111ull; /* replaced in the copy */
	memcpy(fixture->parent.text, parent_text, sizeof(parent_text));
	memcpy(fixture->child, child_text, sizeof(child_text));
	memset(&fixture->objects, 0, sizeof(fixture->objects));
	fixture->objects.parent.hdr.type = BINDER_TYPE_PTR;
	fixture->objects.parent.buffer = (binder_uintptr_t)(uintptr_t)&fixture->parent;
	fixture->objects.parent.length = sizeof(fixture->parent);
	fixture->objects.child.hdr.type = BINDER_TYPE_PTR;
	fixture->objects.child.flags = BINDER_BUFFER_FLAG_HAS_PARENT;
	fixture->objects.child.buffer = (binder_uintptr_t)(uintptr_t)fixture->child;
	fixture->objects.child.length = sizeof(fixture->child);
	fixture->objects.child.parent = 0;
	fixture->objects.child.parent_offset = offsetof(struct parent_payload, child_pointer);
	fixture->objects.header = 0x4844524845414448ull;
	fixture->offsets[0] = offsetof(struct two_buffers, parent);
	fixture->offsets[1] = offsetof(struct two_buffers, child);
}

static uint32_t send_sg(struct sg_fixture *fixture, uint32_t cmd, binder_size_t buffers_size)
{
	struct bc_stream stream;
	bc_reset(&stream);
	if (cmd == BC_TRANSACTION_SG)
		bc_add_transaction_sg(&stream, cmd, 0, 1, 0, &fixture->objects,
		                      sizeof(fixture->objects), fixture->offsets, 2, buffers_size);
	else
		bc_add_transaction(&stream, cmd, 0, 1, 0, &fixture->objects,
		                   sizeof(fixture->objects), fixture->offsets, 2);
	send_commands(&fixture->client, &stream);
	struct call_result result = wait_call_result(&fixture->client, false);
	if (result.cmd == BR_REPLY)
		free_buffer(&fixture->client, &result.reply);
	else
		CHECKF(!result.saw_complete, "BR_TRANSACTION_COMPLETE before %s",
		       br_name(result.cmd));
	return result.cmd;
}

static void sg_finish(struct sg_fixture *fixture)
{
	struct call_result result = call(&fixture->client, 0, 99, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "final call got %s", br_name(result.cmd));
	free_buffer(&fixture->client, &result.reply);
	expect_child_success(fixture->service);
	client_close(&fixture->client);
}

#define BUFFERS_SIZE (sizeof(struct parent_payload) + 16)

Test(sg, ptr_buffers_copied_with_parent_fixup, .timeout = TEST_TIMEOUT)
{
	struct sg_fixture fixture;
	sg_setup(&fixture);
	uint32_t outcome = send_sg(&fixture, BC_TRANSACTION_SG, BUFFERS_SIZE);
	CHECKF(outcome == BR_REPLY, "got %s", br_name(outcome));
	/* The sender's memory is untouched. */
	CHECK(fixture.parent.child_pointer == 0x1111111111111111ull);
	sg_finish(&fixture);
}

Test(sg, buffers_larger_than_buffers_size_fail, .timeout = TEST_TIMEOUT)
{
	struct sg_fixture fixture;
	sg_setup(&fixture);
	uint32_t outcome = send_sg(&fixture, BC_TRANSACTION_SG, BUFFERS_SIZE - 8);
	CHECKF(outcome == BR_FAILED_REPLY, "got %s", br_name(outcome));
	sg_finish(&fixture);
}

Test(sg, unaligned_buffers_size_fails, .timeout = TEST_TIMEOUT)
{
	struct sg_fixture fixture;
	sg_setup(&fixture);
	uint32_t outcome = send_sg(&fixture, BC_TRANSACTION_SG, BUFFERS_SIZE + 4);
	CHECKF(outcome == BR_FAILED_REPLY, "got %s", br_name(outcome));
	sg_finish(&fixture);
}

Test(sg, ptr_in_plain_transaction_fails, .timeout = TEST_TIMEOUT)
{
	struct sg_fixture fixture;
	sg_setup(&fixture);
	uint32_t outcome = send_sg(&fixture, BC_TRANSACTION, 0);
	CHECKF(outcome == BR_FAILED_REPLY, "got %s", br_name(outcome));
	sg_finish(&fixture);
}

Test(sg, parent_offset_outside_parent_fails, .timeout = TEST_TIMEOUT)
{
	struct sg_fixture fixture;
	sg_setup(&fixture);
	fixture.objects.child.parent_offset = sizeof(struct parent_payload) - 4;
	uint32_t outcome = send_sg(&fixture, BC_TRANSACTION_SG, BUFFERS_SIZE);
	CHECKF(outcome == BR_FAILED_REPLY, "got %s", br_name(outcome));
	sg_finish(&fixture);
}

Test(sg, parent_must_be_an_earlier_buffer, .timeout = TEST_TIMEOUT)
{
	struct sg_fixture fixture;
	sg_setup(&fixture);
	fixture.objects.child.parent = 1; /* itself */
	uint32_t outcome = send_sg(&fixture, BC_TRANSACTION_SG, BUFFERS_SIZE);
	CHECKF(outcome == BR_FAILED_REPLY, "got %s", br_name(outcome));
	sg_finish(&fixture);
}

static int reply_sg_service(void *argument)
{
	struct sg_service_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	struct br_event event;
	expect_transaction(&service, &event);
	static const char text[24] = "buffer in a reply";
	struct {
		uint64_t header;
		struct binder_buffer_object buffer;
	} reply;
	memset(&reply, 0, sizeof(reply));
	reply.buffer.hdr.type = BINDER_TYPE_PTR;
	reply.buffer.buffer = (binder_uintptr_t)(uintptr_t)text;
	reply.buffer.length = sizeof(text);
	binder_size_t offset = offsetof(typeof(reply), buffer);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_free_buffer(&stream, event.txn.data.ptr.buffer);
	bc_add_transaction_sg(&stream, BC_REPLY_SG, 0, 0, 0, &reply, sizeof(reply), &offset, 1,
	                      sizeof(text));
	send_commands(&service, &stream);
	expect_take(&service, BR_TRANSACTION_COMPLETE, NULL);
	client_close(&service);
	return 0;
}

Test(sg, reply_sg_carries_buffers, .timeout = TEST_TIMEOUT)
{
	struct sg_service_arguments arguments;
	channel_open(&arguments.channel);
	pid_t service = spawn_child(reply_sg_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	struct call_result result = call(&client, 0, 1, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	const struct binder_buffer_object *buffer =
	        (const void *)((const uint8_t *)event_data(&client, &result.reply) + 8);
	CHECK(result.reply.txn.data_size == 8 + sizeof(*buffer));
	CHECK(buffer->hdr.type == BINDER_TYPE_PTR && buffer->length == 24);
	CHECKF(in_receive_area(&client, buffer->buffer, buffer->length),
	       "reply buffer copy at 0x%llx not in the receive area",
	       (unsigned long long)buffer->buffer);
	CHECK(strcmp((const char *)(uintptr_t)buffer->buffer, "buffer in a reply") == 0);
	free_buffer(&client, &result.reply);
	expect_child_success(service);
	client_close(&client);
}
