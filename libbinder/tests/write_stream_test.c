/*
 * write_stream_test.c - unit tests of the write-stream rewriting: payload
 * copies into the send area, pointer fields turned into offsets, fd
 * collection in order, and the failure markings binderd relies on.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <linux/android/binder.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "send_area.h"
#include "write_stream.h"

struct stream {
	uint8_t bytes[1024];
	size_t size;
};

static void put(struct stream *stream, const void *bytes, size_t size)
{
	cr_assert(stream->size + size <= sizeof(stream->bytes));
	memcpy(stream->bytes + stream->size, bytes, size);
	stream->size += size;
}

static void put_command(struct stream *stream, uint32_t cmd)
{
	put(stream, &cmd, sizeof(cmd));
}

static void put_u32_command(struct stream *stream, uint32_t cmd, uint32_t value)
{
	put_command(stream, cmd);
	put(stream, &value, sizeof(value));
}

/* Appends a transaction; returns the offset of its payload in the stream. */
static size_t put_transaction(struct stream *stream, uint32_t cmd, const void *data,
                              size_t data_size, const binder_size_t *offsets, size_t offset_count,
                              uint64_t buffers_size)
{
	struct binder_transaction_data transaction = {
	        .target.handle = 0,
	        .code = 7,
	        .data_size = data_size,
	        .offsets_size = offset_count * sizeof(binder_size_t),
	        .data.ptr.buffer = (uintptr_t)data,
	        .data.ptr.offsets = (uintptr_t)offsets,
	};
	size_t at;

	put_command(stream, cmd);
	at = stream->size;
	put(stream, &transaction, sizeof(transaction));
	if (cmd == BC_TRANSACTION_SG || cmd == BC_REPLY_SG)
		put(stream, &buffers_size, sizeof(buffers_size));
	return at;
}

static struct binder_transaction_data transaction_at(const struct stream *stream, size_t at)
{
	struct binder_transaction_data transaction;

	memcpy(&transaction, stream->bytes + at, sizeof(transaction));
	return transaction;
}

static struct binder_send_area area;
static struct binder_stream_fds fds;

static void make_area(void)
{
	int fd = binder_send_area_create(&area, 64 * 1024);

	cr_assert_geq(fd, 0);
	close(fd);
}

static void drop_area(void)
{
	binder_send_area_destroy(&area);
}

/* An address with nothing mapped at it. */
static uint64_t unmapped_address(void)
{
	void *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(page, MAP_FAILED);
	munmap(page, 4096);
	return (uintptr_t)page;
}

TestSuite(write_stream, .init = make_area, .fini = drop_area);

Test(write_stream, measures_and_keeps_commands_in_place)
{
	char data[10] = "123456789";
	struct stream stream = {.size = 0};
	size_t needed, at, sent;
	struct stream original;

	put_u32_command(&stream, BC_INCREFS, 3);
	at = put_transaction(&stream, BC_TRANSACTION, data, sizeof(data), NULL, 0, 0);
	put_command(&stream, BC_ENTER_LOOPER);
	original = stream;

	sent = binder_write_stream_measure(stream.bytes, stream.size, true, &needed);
	cr_assert_eq(sent, stream.size);
	cr_assert_eq(needed, 16);
	binder_write_stream_prepare(stream.bytes, sent, &area, &fds, false, NULL);

	/* Only the two pointer fields changed. */
	cr_assert_eq(memcmp(stream.bytes, original.bytes, at), 0);
	cr_assert_eq(memcmp(stream.bytes + at + sizeof(struct binder_transaction_data),
	                    original.bytes + at + sizeof(struct binder_transaction_data),
	                    stream.size - at - sizeof(struct binder_transaction_data)),
	             0);
	cr_assert_eq(transaction_at(&stream, at).data.ptr.buffer, 0);
	cr_assert_eq(transaction_at(&stream, at).data.ptr.offsets, 16);
	cr_assert_eq(transaction_at(&stream, at).data_size, sizeof(data));
	cr_assert_eq(memcmp(area.base, data, sizeof(data)), 0);
	cr_assert_eq(fds.count, 0);
}

Test(write_stream, places_transactions_one_after_another)
{
	uint64_t first[3] = {1, 2, 3};
	char second[5] = "abcd";
	binder_size_t no_offsets[1] = {0};
	struct stream stream = {.size = 0};
	size_t needed, first_at, second_at;

	first_at = put_transaction(&stream, BC_TRANSACTION, first, sizeof(first), NULL, 0, 0);
	second_at = put_transaction(&stream, BC_REPLY, second, sizeof(second), no_offsets, 0, 0);
	binder_write_stream_measure(stream.bytes, stream.size, true, &needed);
	cr_assert_eq(needed, 24 + 8);
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false, NULL);
	cr_assert_eq(transaction_at(&stream, first_at).data.ptr.buffer, 0);
	cr_assert_eq(transaction_at(&stream, second_at).data.ptr.buffer, 24);
	cr_assert_eq(memcmp(area.base, first, sizeof(first)), 0);
	cr_assert_eq(memcmp(area.base + 24, second, sizeof(second)), 0);
}

Test(write_stream, wild_pointers_point_past_the_area)
{
	char data[8] = "1234567";
	binder_size_t offsets[1] = {0};
	struct stream stream = {.size = 0};
	struct binder_transaction_data transaction;
	size_t wild_data_at, wild_offsets_at;

	wild_data_at = put_transaction(&stream, BC_TRANSACTION, data, sizeof(data), offsets, 1, 0);
	wild_offsets_at =
	        put_transaction(&stream, BC_TRANSACTION, data, sizeof(data), offsets, 1, 0);
	transaction = transaction_at(&stream, wild_data_at);
	transaction.data.ptr.buffer = unmapped_address();
	memcpy(stream.bytes + wild_data_at, &transaction, sizeof(transaction));
	transaction = transaction_at(&stream, wild_offsets_at);
	transaction.data.ptr.offsets = 16; /* never mapped */
	memcpy(stream.bytes + wild_offsets_at, &transaction, sizeof(transaction));

	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false, NULL);
	cr_assert_eq(transaction_at(&stream, wild_data_at).data.ptr.buffer,
	             BINDER_SEND_AREA_BAD_OFFSET);
	cr_assert_neq(transaction_at(&stream, wild_data_at).data.ptr.offsets,
	              BINDER_SEND_AREA_BAD_OFFSET);
	cr_assert_neq(transaction_at(&stream, wild_offsets_at).data.ptr.buffer,
	              BINDER_SEND_AREA_BAD_OFFSET);
	cr_assert_eq(transaction_at(&stream, wild_offsets_at).data.ptr.offsets,
	             BINDER_SEND_AREA_BAD_OFFSET);
}

Test(write_stream, oversized_transaction_fails_and_needs_no_room)
{
	struct stream stream = {.size = 0};
	struct binder_transaction_data transaction;
	size_t needed, at;

	at = put_transaction(&stream, BC_TRANSACTION, "x", 1, NULL, 0, 0);
	transaction = transaction_at(&stream, at);
	transaction.data_size = (uint64_t)BINDERD_MAX_SEND_AREA_SIZE + 1;
	memcpy(stream.bytes + at, &transaction, sizeof(transaction));
	binder_write_stream_measure(stream.bytes, stream.size, true, &needed);
	cr_assert_eq(needed, 0);
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false, NULL);
	cr_assert_eq(transaction_at(&stream, at).data.ptr.buffer, BINDER_SEND_AREA_BAD_OFFSET);
	cr_assert_eq(transaction_at(&stream, at).data.ptr.offsets, BINDER_SEND_AREA_BAD_OFFSET);
}

Test(write_stream, transaction_that_does_not_fit_the_area_fails)
{
	static char big[80 * 1024];
	struct stream stream = {.size = 0};
	size_t needed, at;

	at = put_transaction(&stream, BC_TRANSACTION, big, sizeof(big), NULL, 0, 0);
	binder_write_stream_measure(stream.bytes, stream.size, true, &needed);
	cr_assert_eq(needed, sizeof(big));
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false,
	                            NULL); /* 64 KiB */
	cr_assert_eq(transaction_at(&stream, at).data.ptr.buffer, BINDER_SEND_AREA_BAD_OFFSET);
}

Test(write_stream, empty_transaction_needs_no_area)
{
	struct binder_send_area none = {.base = NULL, .size = 0};
	struct stream stream = {.size = 0};
	size_t needed, at;

	at = put_transaction(&stream, BC_REPLY, NULL, 0, NULL, 0, 0);
	binder_write_stream_measure(stream.bytes, stream.size, true, &needed);
	cr_assert_eq(needed, 0);
	binder_write_stream_prepare(stream.bytes, stream.size, &none, &fds, false, NULL);
	cr_assert_eq(transaction_at(&stream, at).data.ptr.buffer, 0);
	cr_assert_eq(transaction_at(&stream, at).data.ptr.offsets, 0);
}

Test(write_stream, collects_fds_in_order_and_numbers_them)
{
	struct {
		struct binder_fd_object first;
		struct flat_binder_object binder;
		struct binder_fd_object second;
	} data;
	binder_size_t offsets[3] = {0, sizeof(data.first),
	                            sizeof(data.first) + sizeof(data.binder)};
	struct stream stream = {.size = 0};
	struct binder_fd_object copied;
	int pipe_fds[2];
	size_t at;

	cr_assert_eq(pipe(pipe_fds), 0);
	memset(&data, 0, sizeof(data));
	data.first.hdr.type = BINDER_TYPE_FD;
	data.first.fd = pipe_fds[1];
	data.binder.hdr.type = BINDER_TYPE_BINDER;
	data.binder.binder = 0x1000;
	data.second.hdr.type = BINDER_TYPE_FD;
	data.second.fd = pipe_fds[0];

	at = put_transaction(&stream, BC_TRANSACTION, &data, sizeof(data), offsets, 3, 0);
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false, NULL);
	cr_assert_eq(fds.count, 2);
	cr_assert_eq(fds.fds[0], pipe_fds[1]);
	cr_assert_eq(fds.fds[1], pipe_fds[0]);
	/* In the area copy, fd fields hold the index among attached fds. */
	memcpy(&copied, area.base + transaction_at(&stream, at).data.ptr.buffer, sizeof(copied));
	cr_assert_eq(copied.fd, 0);
	memcpy(&copied, area.base + transaction_at(&stream, at).data.ptr.buffer + offsets[2],
	       sizeof(copied));
	cr_assert_eq(copied.fd, 1);
	/* The caller's own data is untouched. */
	cr_assert_eq(data.first.fd, (uint32_t)pipe_fds[1]);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

Test(write_stream, bad_fd_fails_only_its_transaction)
{
	struct binder_fd_object good = {.hdr.type = BINDER_TYPE_FD};
	struct binder_fd_object bad = {.hdr.type = BINDER_TYPE_FD};
	binder_size_t offsets[1] = {0};
	struct stream stream = {.size = 0};
	size_t good_at, bad_at;
	int pipe_fds[2];

	cr_assert_eq(pipe(pipe_fds), 0);
	good.fd = pipe_fds[0];
	bad.fd = pipe_fds[1];
	close(pipe_fds[1]);

	good_at = put_transaction(&stream, BC_TRANSACTION, &good, sizeof(good), offsets, 1, 0);
	bad_at = put_transaction(&stream, BC_TRANSACTION, &bad, sizeof(bad), offsets, 1, 0);
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false, NULL);
	cr_assert_eq(fds.count, 1);
	cr_assert_eq(fds.fds[0], pipe_fds[0]);
	cr_assert_neq(transaction_at(&stream, good_at).data.ptr.buffer,
	              BINDER_SEND_AREA_BAD_OFFSET);
	cr_assert_eq(transaction_at(&stream, bad_at).data.ptr.buffer, BINDER_SEND_AREA_BAD_OFFSET);
	close(pipe_fds[0]);
}

Test(write_stream, scatter_gather_buffers_and_fd_arrays)
{
	struct {
		struct binder_buffer_object buffer;
		struct binder_fd_array_object array;
	} data;
	uint32_t parent_buffer[4] = {0xaaaa, 0, 0, 0xbbbb};
	binder_size_t offsets[2] = {0, sizeof(data.buffer)};
	struct stream stream = {.size = 0};
	struct binder_buffer_object copied_buffer;
	struct binder_transaction_data transaction;
	uint32_t copied_fds[4];
	size_t at, needed;
	int pipe_fds[2];

	cr_assert_eq(pipe(pipe_fds), 0);
	parent_buffer[1] = pipe_fds[0];
	parent_buffer[2] = pipe_fds[1];
	memset(&data, 0, sizeof(data));
	data.buffer.hdr.type = BINDER_TYPE_PTR;
	data.buffer.buffer = (uintptr_t)parent_buffer;
	data.buffer.length = sizeof(parent_buffer);
	data.array.hdr.type = BINDER_TYPE_FDA;
	data.array.num_fds = 2;
	data.array.parent = 0;
	data.array.parent_offset = sizeof(uint32_t);

	at = put_transaction(&stream, BC_TRANSACTION_SG, &data, sizeof(data), offsets, 2,
	                     sizeof(parent_buffer));
	cr_assert_eq(binder_write_stream_measure(stream.bytes, stream.size, true, &needed),
	             stream.size);
	cr_assert_eq(needed, sizeof(data) + sizeof(offsets) + sizeof(parent_buffer));
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false, NULL);

	transaction = transaction_at(&stream, at);
	cr_assert_eq(transaction.data.ptr.buffer, 0);
	cr_assert_eq(transaction.data.ptr.offsets, sizeof(data));
	memcpy(&copied_buffer, area.base, sizeof(copied_buffer));
	cr_assert_eq(copied_buffer.buffer, sizeof(data) + sizeof(offsets));
	cr_assert_eq(copied_buffer.length, sizeof(parent_buffer));
	memcpy(copied_fds, area.base + copied_buffer.buffer, sizeof(copied_fds));
	cr_assert_eq(copied_fds[0], 0xaaaa);
	cr_assert_eq(copied_fds[1], 0);
	cr_assert_eq(copied_fds[2], 1);
	cr_assert_eq(copied_fds[3], 0xbbbb);
	cr_assert_eq(fds.count, 2);
	cr_assert_eq(fds.fds[0], pipe_fds[0]);
	cr_assert_eq(fds.fds[1], pipe_fds[1]);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

Test(write_stream, buffer_beyond_buffers_size_or_wild_fails)
{
	struct binder_buffer_object objects[2];
	char payload[32] = "payload";
	binder_size_t offsets[2] = {0, sizeof(objects[0])};
	struct stream stream = {.size = 0};
	struct binder_buffer_object copied;
	size_t at;

	memset(objects, 0, sizeof(objects));
	objects[0].hdr.type = BINDER_TYPE_PTR;
	objects[0].buffer = unmapped_address();
	objects[0].length = 8;
	objects[1].hdr.type = BINDER_TYPE_PTR;
	objects[1].buffer = (uintptr_t)payload;
	objects[1].length = sizeof(payload); /* more than buffers_size left */

	at = put_transaction(&stream, BC_TRANSACTION_SG, objects, sizeof(objects), offsets, 2, 16);
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false, NULL);
	memcpy(&copied, area.base + transaction_at(&stream, at).data.ptr.buffer, sizeof(copied));
	cr_assert_eq(copied.buffer, BINDER_SEND_AREA_BAD_OFFSET);
	memcpy(&copied,
	       area.base + transaction_at(&stream, at).data.ptr.buffer + sizeof(objects[0]),
	       sizeof(copied));
	cr_assert_eq(copied.buffer, BINDER_SEND_AREA_BAD_OFFSET);
}

Test(write_stream, ptr_in_plain_transaction_is_not_copied)
{
	struct binder_buffer_object object = {.hdr.type = BINDER_TYPE_PTR, .length = 8};
	char payload[8] = "1234567";
	binder_size_t offsets[1] = {0};
	struct stream stream = {.size = 0};
	struct binder_buffer_object copied;
	size_t at;

	object.buffer = (uintptr_t)payload;
	at = put_transaction(&stream, BC_TRANSACTION, &object, sizeof(object), offsets, 1, 0);
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false, NULL);
	memcpy(&copied, area.base + transaction_at(&stream, at).data.ptr.buffer, sizeof(copied));
	cr_assert_eq(copied.buffer, BINDER_SEND_AREA_BAD_OFFSET);
}

Test(write_stream, malformed_objects_are_left_to_binderd)
{
	struct binder_fd_object objects[2];
	binder_size_t offsets[2] = {2, 0}; /* misaligned, then backwards */
	struct stream stream = {.size = 0};
	size_t at;

	memset(objects, 0, sizeof(objects));
	objects[0].hdr.type = BINDER_TYPE_FD;
	objects[0].fd = 0;
	at = put_transaction(&stream, BC_TRANSACTION, objects, sizeof(objects), offsets, 2, 0);
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false, NULL);
	cr_assert_eq(fds.count, 0);
	cr_assert_eq(transaction_at(&stream, at).data.ptr.buffer, 0);
}

Test(write_stream, cut_command_is_sent_only_when_it_is_the_callers)
{
	struct stream stream = {.size = 0};
	size_t needed, whole;

	put_u32_command(&stream, BC_ACQUIRE, 1);
	whole = stream.size;
	put_transaction(&stream, BC_TRANSACTION, "x", 1, NULL, 0, 0);
	stream.size -= 10; /* cut the transaction */

	/* Our own copy was cut: send the whole commands, the rest later. */
	cr_assert_eq(binder_write_stream_measure(stream.bytes, stream.size, false, &needed), whole);
	/* The caller's stream ends there: binderd must see it (and fail). */
	cr_assert_eq(binder_write_stream_measure(stream.bytes, stream.size, true, &needed),
	             stream.size);
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false, NULL);
}

Test(write_stream, unknown_command_ends_the_rewriting)
{
	char data[4] = "abc";
	struct stream stream = {.size = 0};
	struct stream original;
	size_t needed;

	put_command(&stream, 0xdeadbeef);
	put_transaction(&stream, BC_TRANSACTION, data, sizeof(data), NULL, 0, 0);
	original = stream;
	cr_assert_eq(binder_write_stream_measure(stream.bytes, stream.size, false, &needed),
	             stream.size);
	cr_assert_eq(needed, 0);
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false, NULL);
	cr_assert_eq(memcmp(stream.bytes, original.bytes, stream.size), 0);
}

/* Inline payloads: object-less BC_TRANSACTION / BC_REPLY go inside the
 * request, in order, each at its offset among the inline bytes; anything
 * with objects, scatter-gather, or past the limit goes the other ways. */
Test(write_stream, object_less_payloads_go_inline_in_order)
{
	char first[10] = "123456789";
	uint32_t second[3] = {1, 2, 3};
	struct flat_binder_object object = {.hdr.type = BINDER_TYPE_BINDER, .binder = 1};
	binder_size_t offsets[1] = {0};
	struct binder_stream_inline inline_payloads = {.limit = 64};
	struct stream stream = {.size = 0};
	size_t needed, first_at, second_at, object_at, empty_at;

	first_at = put_transaction(&stream, BC_TRANSACTION, first, sizeof(first), NULL, 0, 0);
	object_at =
	        put_transaction(&stream, BC_TRANSACTION, &object, sizeof(object), offsets, 1, 0);
	empty_at = put_transaction(&stream, BC_REPLY, NULL, 0, NULL, 0, 0);
	second_at = put_transaction(&stream, BC_REPLY, second, sizeof(second), NULL, 0, 0);
	binder_write_stream_measure(stream.bytes, stream.size, true, &needed);
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false,
	                            &inline_payloads);

	cr_assert_eq(inline_payloads.count, 2);
	cr_assert_eq(inline_payloads.size, sizeof(first) + sizeof(second));
	cr_assert_eq(inline_payloads.payloads[0].iov_base, (void *)first);
	cr_assert_eq(inline_payloads.payloads[0].iov_len, sizeof(first));
	cr_assert_eq(inline_payloads.payloads[1].iov_base, (void *)second);
	cr_assert_eq(inline_payloads.payloads[1].iov_len, sizeof(second));
	struct binder_transaction_data transaction = transaction_at(&stream, first_at);
	cr_assert(transaction.flags & BINDERD_TF_INLINE);
	cr_assert_eq(transaction.data.ptr.buffer, 0);
	transaction = transaction_at(&stream, empty_at);
	cr_assert(transaction.flags & BINDERD_TF_INLINE);
	cr_assert_eq(transaction.data.ptr.buffer, sizeof(first));
	transaction = transaction_at(&stream, second_at);
	cr_assert(transaction.flags & BINDERD_TF_INLINE);
	cr_assert_eq(transaction.data.ptr.buffer, sizeof(first));
	/* The one with an object went through the send area. */
	transaction = transaction_at(&stream, object_at);
	cr_assert_eq(transaction.flags & BINDERD_TF_INLINE, 0);
	cr_assert_eq(transaction.data.ptr.buffer, 0);
	cr_assert_eq(memcmp(area.base, &object, sizeof(object)), 0);
}

Test(write_stream, inline_payloads_keep_to_the_limit)
{
	char big[48] = "big";
	char small[8] = "small";
	struct binder_stream_inline inline_payloads = {.limit = 40};
	struct stream stream = {.size = 0};
	size_t needed, big_at, small_at, sg_at;

	big_at = put_transaction(&stream, BC_TRANSACTION, big, sizeof(big), NULL, 0, 0);
	sg_at = put_transaction(&stream, BC_TRANSACTION_SG, small, sizeof(small), NULL, 0, 0);
	small_at = put_transaction(&stream, BC_TRANSACTION, small, sizeof(small), NULL, 0, 0);
	binder_write_stream_measure(stream.bytes, stream.size, true, &needed);
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false,
	                            &inline_payloads);

	cr_assert_eq(transaction_at(&stream, big_at).flags & BINDERD_TF_INLINE, 0);
	cr_assert_eq(transaction_at(&stream, sg_at).flags & BINDERD_TF_INLINE, 0);
	cr_assert(transaction_at(&stream, small_at).flags & BINDERD_TF_INLINE);
	cr_assert_eq(inline_payloads.count, 1);
	cr_assert_eq(inline_payloads.size, sizeof(small));
}

/* A gathered transaction (BINDERD_TF_GATHER): data.ptr.buffer names list. */
static size_t put_gathered(struct stream *stream, const struct binderd_gather_list *list,
                           size_t data_size)
{
	size_t at = put_transaction(stream, BC_TRANSACTION, list, data_size, NULL, 0, 0);
	struct binder_transaction_data transaction = transaction_at(stream, at);

	transaction.flags |= BINDERD_TF_GATHER;
	memcpy(stream->bytes + at, &transaction, sizeof(transaction));
	return at;
}

Test(write_stream, gathered_payload_goes_direct_as_it_is)
{
	char first[6] = "head:", second[9] = "borrowed";
	struct binderd_gather_list list = {
	        .count = 2,
	        .segments = {{(uintptr_t)first, sizeof(first)},
	                     {(uintptr_t)second, sizeof(second)}},
	};
	struct binder_stream_inline inline_payloads = {.limit = 64};
	struct stream stream = {.size = 0};
	size_t needed, at = put_gathered(&stream, &list, sizeof(first) + sizeof(second));

	binder_write_stream_measure(stream.bytes, stream.size, true, &needed);
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, true, &inline_payloads);
	struct binder_transaction_data transaction = transaction_at(&stream, at);
	/* Not inline (small as it is): binderd reads the list itself. */
	cr_assert_eq(inline_payloads.count, 0);
	cr_assert_eq(transaction.flags &
	                     (BINDERD_TF_DIRECT | BINDERD_TF_GATHER | BINDERD_TF_INLINE),
	             BINDERD_TF_DIRECT | BINDERD_TF_GATHER);
	cr_assert_eq(transaction.data.ptr.buffer, (uintptr_t)&list);
}

Test(write_stream, gathered_payload_is_gathered_into_the_send_area)
{
	char first[6] = "head:", second[9] = "borrowed";
	struct binderd_gather_list list = {
	        .count = 3,
	        .segments = {{(uintptr_t)first, sizeof(first)},
	                     {(uintptr_t)second, 0},
	                     {(uintptr_t)second, sizeof(second)}},
	};
	struct stream stream = {.size = 0};
	size_t needed, at = put_gathered(&stream, &list, sizeof(first) + sizeof(second));

	binder_write_stream_measure(stream.bytes, stream.size, true, &needed);
	cr_assert_eq(needed, 16);
	binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false, NULL);
	struct binder_transaction_data transaction = transaction_at(&stream, at);
	cr_assert_eq(transaction.flags & (BINDERD_TF_DIRECT | BINDERD_TF_GATHER), 0);
	cr_assert_eq(transaction.data.ptr.buffer, 0);
	cr_assert_eq(memcmp(area.base, "head:\0borrowed", sizeof(first) + sizeof(second)), 0);
}

Test(write_stream, malformed_gather_list_fails_its_transaction)
{
	char bytes[8] = "1234567";
	struct binderd_gather_list lists[] = {
	        {.count = 0},
	        {.count = BINDERD_MAX_GATHER_SEGMENTS + 1},
	        {.count = 1, .segments = {{(uintptr_t)bytes, sizeof(bytes) - 1}}},
	        {.count = 2, .segments = {{(uintptr_t)bytes, 4}, {(uintptr_t)bytes, UINT64_MAX}}},
	        {.count = 1, .segments = {{unmapped_address(), sizeof(bytes)}}},
	};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		struct stream stream = {.size = 0};
		size_t needed, at = put_gathered(&stream, &lists[i], sizeof(bytes));

		binder_write_stream_measure(stream.bytes, stream.size, true, &needed);
		binder_write_stream_prepare(stream.bytes, stream.size, &area, &fds, false, NULL);
		cr_assert_eq(transaction_at(&stream, at).data.ptr.buffer,
		             BINDER_SEND_AREA_BAD_OFFSET, "list %zu was taken", i);
	}
}

Test(write_stream, only_frees_is_a_whole_write_of_frees)
{
	struct stream frees = {.size = 0}, mixed = {.size = 0};
	binder_uintptr_t buffer = 0x1000;

	put_command(&frees, BC_FREE_BUFFER);
	put(&frees, &buffer, sizeof(buffer));
	put_command(&frees, BC_FREE_BUFFER);
	put(&frees, &buffer, sizeof(buffer));
	cr_assert(binder_write_stream_only_frees(frees.bytes, frees.size));
	cr_assert_not(binder_write_stream_only_frees(frees.bytes, 0));
	cr_assert_not(binder_write_stream_only_frees(frees.bytes, frees.size - 1));
	put_command(&mixed, BC_FREE_BUFFER);
	put(&mixed, &buffer, sizeof(buffer));
	put_u32_command(&mixed, BC_INCREFS, 0);
	cr_assert_not(binder_write_stream_only_frees(mixed.bytes, mixed.size));
}
