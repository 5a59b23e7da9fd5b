/*
 * make_seeds.c - writes the seed corpus of the binderd write-stream fuzzer
 * (valid inputs in the layout of fuzz_input.h: calls carrying objects,
 * replies, nested calls, oneway calls, reference counting, death
 * notifications, fds, scatter-gather) and its dictionary of BC_ codes and
 * object types.
 *
 * usage: fuzz_make_seeds CORPUS_DIRECTORY DICTIONARY_FILE
 */
#include <errno.h>
#include <linux/android/binder.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"

#define SEED_MAX 16384

struct seed {
	uint8_t setup, manager, area;
	uint8_t send[16384];
	size_t send_length;
	uint8_t ops[SEED_MAX];
	size_t ops_length;
};

struct stream {
	uint8_t bytes[2048];
	size_t length;
};

static void die(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
	fputc('\n', stderr);
	exit(1);
}

/* Appends to the send area, 8-aligned; returns the offset. */
static uint64_t send_put(struct seed *seed, const void *bytes, size_t size)
{
	seed->send_length = (seed->send_length + 7u) & ~(size_t)7u;
	if (seed->send_length + size > sizeof(seed->send))
		die("send area full");
	uint64_t offset = seed->send_length;
	memcpy(seed->send + seed->send_length, bytes, size);
	seed->send_length += size;
	return offset;
}

static void ops_put(struct seed *seed, const void *bytes, size_t size)
{
	if (seed->ops_length + size > sizeof(seed->ops))
		die("seed too long");
	memcpy(seed->ops + seed->ops_length, bytes, size);
	seed->ops_length += size;
}

static void ops_u8(struct seed *seed, unsigned value)
{
	uint8_t byte = (uint8_t)value;
	ops_put(seed, &byte, 1);
}

static void stream_put(struct stream *stream, const void *bytes, size_t size)
{
	if (stream->length + size > sizeof(stream->bytes))
		die("stream too long");
	memcpy(stream->bytes + stream->length, bytes, size);
	stream->length += size;
}

static void stream_u32(struct stream *stream, uint32_t value)
{
	stream_put(stream, &value, sizeof(value));
}

/* BC_TRANSACTION / BC_REPLY (and _SG when buffers_size is not -1). */
static void stream_transaction(struct stream *stream, uint32_t cmd, uint32_t handle, uint32_t code,
                               uint32_t flags, uint64_t data, uint64_t data_size, uint64_t offsets,
                               uint64_t offsets_size, uint64_t buffers_size)
{
	struct binder_transaction_data_sg sg;
	memset(&sg, 0, sizeof(sg));
	struct binder_transaction_data *tr = &sg.transaction_data;
	tr->target.handle = handle;
	tr->code = code;
	tr->flags = flags;
	tr->data_size = data_size;
	tr->offsets_size = offsets_size;
	tr->data.ptr.buffer = data;
	tr->data.ptr.offsets = offsets;
	sg.buffers_size = buffers_size;
	stream_u32(stream, cmd);
	if (cmd == BC_TRANSACTION_SG || cmd == BC_REPLY_SG)
		stream_put(stream, &sg, sizeof(sg));
	else
		stream_put(stream, tr, sizeof(*tr));
}

/* One BINDER_WRITE_READ: read_code as fuzz_read_size, WR_* flags. */
static void op_write_read(struct seed *seed, unsigned thread, unsigned flags, unsigned read_code,
                          const struct stream *stream)
{
	ops_u8(seed, MAKE_OP(OP_WRITE_READ, thread));
	ops_u8(seed, flags | read_code << WR_READ_SHIFT);
	size_t length = stream ? stream->length : 0;
	ops_u8(seed, length & 0xff);
	ops_u8(seed, length >> 8);
	if (stream)
		ops_put(seed, stream->bytes, stream->length);
}

/* A nonblocking read of 16 KiB with an empty write. */
static void op_read(struct seed *seed, unsigned thread)
{
	op_write_read(seed, thread, 0, 3, NULL);
}

static void op_simple(struct seed *seed, unsigned kind, unsigned thread)
{
	ops_u8(seed, MAKE_OP(kind, thread));
}

static void op_byte(struct seed *seed, unsigned kind, unsigned thread, unsigned byte)
{
	ops_u8(seed, MAKE_OP(kind, thread));
	ops_u8(seed, byte);
}

static void op_command(struct seed *seed, unsigned thread, uint32_t cmd)
{
	struct stream stream = {.length = 0};
	stream_u32(&stream, cmd);
	op_write_read(seed, thread, 0, 1, &stream);
}

static void op_handle_command(struct seed *seed, unsigned thread, uint32_t cmd, uint32_t handle)
{
	struct stream stream = {.length = 0};
	stream_u32(&stream, cmd);
	stream_u32(&stream, handle);
	op_write_read(seed, thread, 0, 1, &stream);
}

static void op_death_command(struct seed *seed, unsigned thread, uint32_t cmd, uint32_t handle,
                             uint64_t cookie)
{
	struct stream stream = {.length = 0};
	struct binder_handle_cookie hc = {.handle = handle, .cookie = cookie};
	stream_u32(&stream, cmd);
	stream_put(&stream, &hc, sizeof(hc));
	op_write_read(seed, thread, 0, 1, &stream);
}

/* Threads: two processes, two threads each: 0 and 1 in the context
 * manager (process 0), 2 and 3 in the client (process 1); with three
 * processes, 4 and 5 in process 2. */
static void seed_init(struct seed *seed, bool three_processes, bool manager_accepts_fds)
{
	memset(seed, 0, sizeof(*seed));
	seed->setup = (uint8_t)(1u << SETUP_THREADS_SHIFT | SETUP_MANAGER_EXT |
	                        (three_processes ? SETUP_THREE_PROCESSES : 0));
	seed->manager = manager_accepts_fds ? MANAGER_ACCEPTS_FDS : 0;
	seed->area = 63; /* 16 KiB */
}

static void write_seed(const char *directory, const char *name, const struct seed *seed)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", directory, name);
	FILE *file = fopen(path, "wb");
	if (!file)
		die("%s: %s", path, strerror(errno));
	uint8_t header[5] = {seed->setup, seed->manager, seed->area,
	                     (uint8_t)(seed->send_length & 0xff),
	                     (uint8_t)(seed->send_length >> 8)};
	fwrite(header, 1, sizeof(header), file);
	fwrite(seed->send, 1, seed->send_length, file);
	fwrite(seed->ops, 1, seed->ops_length, file);
	if (fclose(file) != 0)
		die("%s: write failed", path);
}

static uint64_t put_binder(struct seed *seed, uint32_t type, uint64_t ptr, uint64_t cookie,
                           uint32_t flags)
{
	struct flat_binder_object object = {
	        .hdr.type = type, .flags = flags, .binder = ptr, .cookie = cookie};
	return send_put(seed, &object, sizeof(object));
}

static uint64_t put_handle(struct seed *seed, uint32_t type, uint32_t handle)
{
	struct flat_binder_object object = {.hdr.type = type, .handle = handle};
	return send_put(seed, &object, sizeof(object));
}

static uint64_t put_offsets(struct seed *seed, const uint64_t *offsets, size_t count)
{
	return send_put(seed, offsets, count * sizeof(uint64_t));
}

/* The client (thread 2) sends the manager a call carrying its object
 * 0x1000; the manager (thread 0) reads it. Object at data. */
static void call_with_binder(struct seed *seed, uint64_t object, uint64_t offsets)
{
	struct stream stream = {.length = 0};
	stream_u32(&stream, BC_ENTER_LOOPER);
	op_write_read(seed, 0, 0, 0, &stream);
	stream.length = 0;
	stream_transaction(&stream, BC_TRANSACTION, 0, 1, TF_ACCEPT_FDS, object,
	                   sizeof(struct flat_binder_object), offsets, sizeof(uint64_t),
	                   (uint64_t)-1);
	op_write_read(seed, 2, 0, 0, &stream);
	op_read(seed, 0);
}

static void seed_call_and_reply(const char *directory)
{
	struct seed seed;
	seed_init(&seed, false, false);
	uint64_t object = put_binder(&seed, BINDER_TYPE_BINDER, 0x1000, 0x2000, 0);
	uint64_t zero = 0;
	uint64_t offsets = put_offsets(&seed, &zero, 1);
	uint64_t reply_data = send_put(&seed, "reply payload...", 16);
	call_with_binder(&seed, object, offsets);
	struct stream stream = {.length = 0};
	stream_transaction(&stream, BC_REPLY, 0, 0, 0, reply_data, 16, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 0, 0, 1, &stream);
	op_read(&seed, 2);
	op_simple(&seed, OP_ACKNOWLEDGE, 2);
	op_byte(&seed, OP_FREE_BUFFER, 0, 0);
	op_byte(&seed, OP_FREE_BUFFER, 2, 0);
	op_read(&seed, 2);
	write_seed(directory, "call_with_binder_and_reply", &seed);
}

static void seed_refcounts(const char *directory)
{
	struct seed seed;
	seed_init(&seed, false, false);
	uint64_t object = put_binder(&seed, BINDER_TYPE_BINDER, 0x1000, 0x2000, 0);
	uint64_t zero = 0;
	uint64_t offsets = put_offsets(&seed, &zero, 1);
	call_with_binder(&seed, object, offsets);
	op_read(&seed, 2);
	op_simple(&seed, OP_ACKNOWLEDGE, 2);
	/* The manager now holds handle 1 on the client's object. */
	op_handle_command(&seed, 0, BC_INCREFS, 1);
	op_handle_command(&seed, 0, BC_ACQUIRE, 1);
	op_handle_command(&seed, 0, BC_RELEASE, 1);
	op_handle_command(&seed, 0, BC_DECREFS, 1);
	/* The client takes and drops handle 0. */
	op_handle_command(&seed, 2, BC_INCREFS, 0);
	op_handle_command(&seed, 2, BC_ACQUIRE, 0);
	op_handle_command(&seed, 2, BC_RELEASE, 0);
	op_handle_command(&seed, 2, BC_DECREFS, 0);
	op_byte(&seed, OP_FREE_BUFFER, 0, 0);
	op_read(&seed, 2);
	op_simple(&seed, OP_ACKNOWLEDGE, 2);
	op_read(&seed, 2);
	write_seed(directory, "refcounts", &seed);
}

static void seed_death(const char *directory)
{
	struct seed seed;
	seed_init(&seed, false, false);
	op_handle_command(&seed, 2, BC_ACQUIRE, 0);
	op_death_command(&seed, 2, BC_REQUEST_DEATH_NOTIFICATION, 0, 0xdead);
	op_command(&seed, 3, BC_ENTER_LOOPER);
	op_simple(&seed, OP_CLOSE_PROCESS, 0);
	op_read(&seed, 3);
	op_simple(&seed, OP_ACKNOWLEDGE, 3);
	op_death_command(&seed, 2, BC_CLEAR_DEATH_NOTIFICATION, 0, 0xdead);
	op_read(&seed, 2);
	op_read(&seed, 3);
	write_seed(directory, "death_notification", &seed);

	/* Cleared before the death. */
	seed_init(&seed, false, false);
	op_handle_command(&seed, 2, BC_ACQUIRE, 0);
	op_death_command(&seed, 2, BC_REQUEST_DEATH_NOTIFICATION, 0, 0xbeef);
	op_death_command(&seed, 2, BC_CLEAR_DEATH_NOTIFICATION, 0, 0xbeef);
	op_read(&seed, 2);
	op_simple(&seed, OP_CLOSE_PROCESS, 0);
	op_read(&seed, 2);
	write_seed(directory, "death_notification_cleared", &seed);

	/* A call pending when its target dies: BR_DEAD_REPLY. */
	seed_init(&seed, false, false);
	uint64_t data = send_put(&seed, "ping", 4);
	struct stream stream = {.length = 0};
	stream_transaction(&stream, BC_TRANSACTION, 0, 7, 0, data, 4, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 2, 0, 0, &stream);
	op_read(&seed, 0);
	op_simple(&seed, OP_CLOSE_THREAD, 0);
	op_read(&seed, 2);
	write_seed(directory, "dead_reply", &seed);
}

static void seed_oneway(const char *directory)
{
	struct seed seed;
	seed_init(&seed, false, false);
	uint64_t data = send_put(&seed, "oneway call data", 16);
	struct stream stream = {.length = 0};
	stream_u32(&stream, BC_ENTER_LOOPER);
	op_write_read(&seed, 0, 0, 0, &stream);
	stream.length = 0;
	for (int i = 0; i < 3; i++)
		stream_transaction(&stream, BC_TRANSACTION, 0, 2, TF_ONE_WAY, data, 16, 0, 0,
		                   (uint64_t)-1);
	op_write_read(&seed, 2, 0, 1, &stream);
	op_read(&seed, 0);
	op_byte(&seed, OP_FREE_BUFFER, 0, 0);
	op_read(&seed, 0);
	op_byte(&seed, OP_FREE_BUFFER, 0, 0);
	op_read(&seed, 1);
	write_seed(directory, "oneway_calls", &seed);
}

static void seed_nested(const char *directory)
{
	struct seed seed;
	seed_init(&seed, false, false);
	uint64_t object = put_binder(&seed, BINDER_TYPE_BINDER, 0x1000, 0x2000, 0);
	uint64_t zero = 0;
	uint64_t offsets = put_offsets(&seed, &zero, 1);
	uint64_t data = send_put(&seed, "nested!!", 8);
	/* First call gives the manager handle 1; the second call waits. */
	call_with_binder(&seed, object, offsets);
	struct stream stream = {.length = 0};
	stream_transaction(&stream, BC_REPLY, 0, 0, 0, data, 8, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 0, 0, 1, &stream);
	op_read(&seed, 2);
	op_simple(&seed, OP_ACKNOWLEDGE, 2);
	stream.length = 0;
	stream_transaction(&stream, BC_TRANSACTION, 0, 3, 0, data, 8, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 2, WR_BLOCKING, 3, &stream);
	op_read(&seed, 0);
	/* The manager calls back into the client: it reaches thread 2. */
	stream.length = 0;
	stream_transaction(&stream, BC_TRANSACTION, 1, 4, 0, data, 8, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 0, 0, 0, &stream);
	op_read(&seed, 2);
	stream.length = 0;
	stream_transaction(&stream, BC_REPLY, 0, 0, 0, data, 8, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 2, 0, 0, &stream);
	op_read(&seed, 0);
	stream.length = 0;
	stream_transaction(&stream, BC_REPLY, 0, 0, 0, data, 8, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 0, 0, 1, &stream);
	op_read(&seed, 2);
	for (int i = 0; i < 4; i++) {
		op_byte(&seed, OP_FREE_BUFFER, 0, 0);
		op_byte(&seed, OP_FREE_BUFFER, 2, 0);
	}
	write_seed(directory, "nested_call", &seed);
}

static void seed_three_processes(const char *directory)
{
	struct seed seed;
	seed_init(&seed, true, false);
	uint64_t object = put_binder(&seed, BINDER_TYPE_BINDER, 0x1000, 0x2000, 0);
	uint64_t zero = 0;
	uint64_t offsets = put_offsets(&seed, &zero, 1);
	uint64_t handle = put_handle(&seed, BINDER_TYPE_HANDLE, 1);
	uint64_t data = send_put(&seed, "hello there!", 12);
	call_with_binder(&seed, object, offsets);
	struct stream stream = {.length = 0};
	stream_transaction(&stream, BC_REPLY, 0, 0, 0, data, 12, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 0, 0, 1, &stream);
	op_read(&seed, 2);
	op_simple(&seed, OP_ACKNOWLEDGE, 2);
	/* Process 2 asks the manager, which answers with its handle 1. */
	stream.length = 0;
	stream_transaction(&stream, BC_TRANSACTION, 0, 5, 0, data, 12, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 4, 0, 0, &stream);
	op_read(&seed, 0);
	stream.length = 0;
	stream_transaction(&stream, BC_REPLY, 0, 0, 0, handle, sizeof(struct flat_binder_object),
	                   offsets, sizeof(uint64_t), (uint64_t)-1);
	op_write_read(&seed, 0, 0, 1, &stream);
	op_read(&seed, 4);
	/* Process 2 calls the client's object through its own handle 1. */
	stream.length = 0;
	stream_u32(&stream, BC_ENTER_LOOPER);
	op_write_read(&seed, 3, 0, 0, &stream);
	stream.length = 0;
	stream_transaction(&stream, BC_TRANSACTION, 1, 6, 0, data, 12, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 4, 0, 0, &stream);
	op_read(&seed, 3);
	stream.length = 0;
	stream_transaction(&stream, BC_REPLY, 0, 0, 0, data, 12, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 3, 0, 1, &stream);
	op_read(&seed, 4);
	op_simple(&seed, OP_ACKNOWLEDGE, 3);
	op_simple(&seed, OP_CLOSE_PROCESS, 2);
	op_read(&seed, 4);
	write_seed(directory, "three_processes_handle_passing", &seed);
}

static void seed_fd(const char *directory)
{
	struct seed seed;
	seed_init(&seed, false, true);
	op_command(&seed, 0, BC_ENTER_LOOPER);
	struct binder_fd_object fd_object = {.hdr.type = BINDER_TYPE_FD, .fd = 0};
	uint64_t data = send_put(&seed, &fd_object, sizeof(fd_object));
	uint64_t zero = 0;
	uint64_t offsets = put_offsets(&seed, &zero, 1);
	struct stream stream = {.length = 0};
	stream_transaction(&stream, BC_TRANSACTION, 0, 8, TF_ONE_WAY, data, sizeof(fd_object),
	                   offsets, sizeof(uint64_t), (uint64_t)-1);
	op_write_read(&seed, 2, 1u << WR_FD_COUNT_SHIFT, 1, &stream);
	op_read(&seed, 0);
	op_byte(&seed, OP_FREE_BUFFER, 0, 0);
	write_seed(directory, "fd_object", &seed);
}

static void seed_scatter_gather(const char *directory)
{
	struct seed seed;
	seed_init(&seed, false, true);
	op_command(&seed, 0, BC_ENTER_LOOPER);
	/* Payload: a PTR to a 16-byte buffer holding a pointer at 8, a PTR
	 * that is fixed up into it, and an FDA of one fd in the first. */
	uint8_t first[16] = "outer.._________";
	uint8_t second[8] = "inner!!";
	uint64_t first_at = send_put(&seed, first, sizeof(first));
	uint64_t second_at = send_put(&seed, second, sizeof(second));
	/* As in the kernel, an object at offset 0 cannot be a parent. */
	struct {
		uint64_t padding;
		struct binder_buffer_object outer;
		struct binder_buffer_object inner;
	} objects;
	memset(&objects, 0, sizeof(objects));
	objects.outer.hdr.type = BINDER_TYPE_PTR;
	objects.outer.buffer = first_at;
	objects.outer.length = sizeof(first);
	objects.inner.hdr.type = BINDER_TYPE_PTR;
	objects.inner.flags = BINDER_BUFFER_FLAG_HAS_PARENT;
	objects.inner.buffer = second_at;
	objects.inner.length = sizeof(second);
	objects.inner.parent = 0;
	objects.inner.parent_offset = 8;
	uint64_t data = send_put(&seed, &objects, sizeof(objects));
	uint64_t offsets_list[2] = {8, 8 + sizeof(struct binder_buffer_object)};
	uint64_t offsets = put_offsets(&seed, offsets_list, 2);
	struct stream stream = {.length = 0};
	stream_transaction(&stream, BC_TRANSACTION_SG, 0, 9, 0, data, sizeof(objects), offsets,
	                   sizeof(offsets_list), 24);
	op_write_read(&seed, 2, 0, 0, &stream);
	op_read(&seed, 0);
	stream.length = 0;
	stream_transaction(&stream, BC_REPLY_SG, 0, 0, 0, data, sizeof(objects), offsets,
	                   sizeof(offsets_list), 24);
	op_write_read(&seed, 0, 0, 1, &stream);
	op_read(&seed, 2);
	op_byte(&seed, OP_FREE_BUFFER, 0, 0);
	op_byte(&seed, OP_FREE_BUFFER, 2, 0);
	write_seed(directory, "scatter_gather", &seed);

	/* An fd array inside a scatter-gather buffer. */
	seed_init(&seed, false, true);
	op_command(&seed, 0, BC_ENTER_LOOPER);
	uint32_t fd_slots[2] = {0, 0};
	uint64_t slots_at = send_put(&seed, fd_slots, sizeof(fd_slots));
	struct {
		uint64_t padding;
		struct binder_buffer_object buffer;
		struct binder_fd_array_object array;
	} with_fds;
	memset(&with_fds, 0, sizeof(with_fds));
	with_fds.buffer.hdr.type = BINDER_TYPE_PTR;
	with_fds.buffer.buffer = slots_at;
	with_fds.buffer.length = sizeof(fd_slots);
	with_fds.array.hdr.type = BINDER_TYPE_FDA;
	with_fds.array.num_fds = 2;
	with_fds.array.parent = 0;
	with_fds.array.parent_offset = 0;
	data = send_put(&seed, &with_fds, sizeof(with_fds));
	uint64_t fda_offsets[2] = {8, 8 + sizeof(struct binder_buffer_object)};
	offsets = put_offsets(&seed, fda_offsets, 2);
	stream.length = 0;
	stream_transaction(&stream, BC_TRANSACTION_SG, 0, 10, TF_ONE_WAY, data, sizeof(with_fds),
	                   offsets, sizeof(fda_offsets), 8);
	op_write_read(&seed, 2, 2u << WR_FD_COUNT_SHIFT, 1, &stream);
	op_read(&seed, 0);
	op_byte(&seed, OP_FREE_BUFFER, 0, 0);
	write_seed(directory, "fd_array", &seed);
}

static void seed_loopers(const char *directory)
{
	struct seed seed;
	seed_init(&seed, false, false);
	op_byte(&seed, OP_CONTROL, 0, CONTROL_SET_MAX_THREADS | 4u << 3);
	op_command(&seed, 0, BC_ENTER_LOOPER);
	op_command(&seed, 1, BC_REGISTER_LOOPER);
	op_byte(&seed, OP_CONTROL, 1, CONTROL_POLL_ARM);
	op_byte(&seed, OP_CONTROL, 0, CONTROL_NEW_THREAD);
	op_command(&seed, 4, BC_REGISTER_LOOPER);
	op_byte(&seed, OP_CONTROL, 2, CONTROL_VERSION);
	op_command(&seed, 0, BC_EXIT_LOOPER);
	op_byte(&seed, OP_CONTROL, 1, CONTROL_THREAD_EXIT);
	op_write_read(&seed, 1, WR_BLOCKING, 1, NULL);
	uint64_t data = send_put(&seed, "wake", 4);
	struct stream stream = {.length = 0};
	stream_transaction(&stream, BC_TRANSACTION, 0, 11, TF_ONE_WAY, data, 4, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 2, 0, 1, &stream);
	op_byte(&seed, OP_FREE_BUFFER, 0, 0);
	write_seed(directory, "loopers_and_ioctls", &seed);
}

static void seed_variants(const char *directory)
{
	struct seed seed;
	uint64_t zero = 0;
	struct stream stream = {.length = 0};

	/* The manager asks for the sender's security context. */
	seed_init(&seed, false, false);
	seed.manager = MANAGER_SECURITY_CTX;
	uint64_t data = send_put(&seed, "secctx", 6);
	op_command(&seed, 0, BC_ENTER_LOOPER);
	stream_transaction(&stream, BC_TRANSACTION, 0, 12, 0, data, 6, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 2, 0, 0, &stream);
	op_read(&seed, 0);
	stream.length = 0;
	stream_transaction(&stream, BC_REPLY, 0, 0, 0, data, 6, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 0, 0, 1, &stream);
	op_read(&seed, 2);
	op_byte(&seed, OP_FREE_BUFFER, 0, 0);
	op_byte(&seed, OP_FREE_BUFFER, 2, 0);
	write_seed(directory, "security_context", &seed);

	/* A weak binder, sent back to its owner as a weak handle. */
	seed_init(&seed, false, false);
	uint64_t weak = put_binder(&seed, BINDER_TYPE_WEAK_BINDER, 0x3000, 0x4000, 0);
	uint64_t offsets = put_offsets(&seed, &zero, 1);
	uint64_t weak_handle = put_handle(&seed, BINDER_TYPE_WEAK_HANDLE, 1);
	op_command(&seed, 0, BC_ENTER_LOOPER);
	stream.length = 0;
	stream_transaction(&stream, BC_TRANSACTION, 0, 13, 0, weak,
	                   sizeof(struct flat_binder_object), offsets, sizeof(uint64_t),
	                   (uint64_t)-1);
	op_write_read(&seed, 2, 0, 0, &stream);
	op_read(&seed, 0);
	stream.length = 0;
	stream_transaction(&stream, BC_REPLY, 0, 0, 0, weak_handle,
	                   sizeof(struct flat_binder_object), offsets, sizeof(uint64_t),
	                   (uint64_t)-1);
	op_write_read(&seed, 0, 0, 1, &stream);
	op_read(&seed, 2);
	op_simple(&seed, OP_ACKNOWLEDGE, 2);
	op_byte(&seed, OP_FREE_BUFFER, 0, 0);
	op_byte(&seed, OP_FREE_BUFFER, 2, 0);
	op_read(&seed, 2);
	write_seed(directory, "weak_binder_and_handle", &seed);

	/* A 512-byte receive area: oneway calls run out of async space, a
	 * large call out of space altogether. */
	seed_init(&seed, false, false);
	seed.area = 1;
	static const uint8_t filler[200] = {0};
	data = send_put(&seed, filler, sizeof(filler));
	op_command(&seed, 0, BC_ENTER_LOOPER);
	stream.length = 0;
	for (int i = 0; i < 3; i++)
		stream_transaction(&stream, BC_TRANSACTION, 0, 14, TF_ONE_WAY, data, 120, 0, 0,
		                   (uint64_t)-1);
	stream_transaction(&stream, BC_TRANSACTION, 0, 15, 0, data, sizeof(filler), 0, 0,
	                   (uint64_t)-1);
	op_write_read(&seed, 2, 0, 1, &stream);
	op_read(&seed, 2);
	op_read(&seed, 0);
	op_byte(&seed, OP_FREE_BUFFER, 0, 0);
	op_read(&seed, 0);
	write_seed(directory, "small_area", &seed);

	/* Threads waiting in blocking reads take process work; the last
	 * waiting thread is asked to spawn another looper. */
	seed_init(&seed, false, false);
	data = send_put(&seed, "waiting", 7);
	op_byte(&seed, OP_CONTROL, 0, CONTROL_SET_MAX_THREADS | 2u << 3);
	stream.length = 0;
	stream_u32(&stream, BC_ENTER_LOOPER);
	op_write_read(&seed, 0, WR_BLOCKING, 1, &stream);
	op_write_read(&seed, 1, WR_BLOCKING, 1, &stream);
	stream.length = 0;
	stream_transaction(&stream, BC_TRANSACTION, 0, 16, TF_ONE_WAY, data, 7, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 2, 0, 1, &stream);
	op_byte(&seed, OP_FREE_BUFFER, 0, 0);
	op_byte(&seed, OP_CONTROL, 0, CONTROL_NEW_THREAD);
	op_command(&seed, 4, BC_REGISTER_LOOPER);
	op_write_read(&seed, 4, WR_BLOCKING, 1, NULL);
	op_write_read(&seed, 2, 0, 1, &stream);
	op_read(&seed, 0);
	write_seed(directory, "waiting_threads_and_spawn", &seed);

	/* The receiver answers FD_INSTALL with a bad fd number. */
	seed_init(&seed, false, true);
	seed.setup |= SETUP_BAD_FD_NUMBERS;
	struct binder_fd_object fd_object = {.hdr.type = BINDER_TYPE_FD, .fd = 0};
	data = send_put(&seed, &fd_object, sizeof(fd_object));
	offsets = put_offsets(&seed, &zero, 1);
	op_command(&seed, 0, BC_ENTER_LOOPER);
	stream.length = 0;
	stream_transaction(&stream, BC_TRANSACTION, 0, 17, 0, data, sizeof(fd_object), offsets,
	                   sizeof(uint64_t), (uint64_t)-1);
	op_write_read(&seed, 2, 1u << WR_FD_COUNT_SHIFT, 0, &stream);
	op_read(&seed, 0);
	op_read(&seed, 2);
	write_seed(directory, "bad_fd_numbers", &seed);

	/* A call carrying 300 objects through sockets that take little
	 * at a time: the sender's read of their BR_INCREFS / BR_ACQUIRE, and
	 * the manager's own answers, go out through binderd's output queue. */
	seed_init(&seed, false, false);
	seed.manager = SMALL_SOCKET_BUFFERS;
	seed.area = 200; /* 50 KiB: room for 25 KiB of oneway payload */
	uint64_t many_offsets[300];
	uint64_t first_object = 0;
	for (unsigned i = 0; i < 300; i++) {
		uint64_t at =
		        put_binder(&seed, BINDER_TYPE_BINDER, 0x10000 + i * 0x100, 0x20000 + i, 0);
		if (i == 0)
			first_object = at;
		many_offsets[i] = at - first_object;
	}
	offsets = put_offsets(&seed, many_offsets, 300);
	op_command(&seed, 0, BC_ENTER_LOOPER);
	stream.length = 0;
	stream_transaction(&stream, BC_TRANSACTION, 0, 18, TF_ONE_WAY, first_object,
	                   300 * sizeof(struct flat_binder_object), offsets, sizeof(many_offsets),
	                   (uint64_t)-1);
	op_write_read(&seed, 2, 0, 3, &stream);
	op_read(&seed, 0);
	op_simple(&seed, OP_ACKNOWLEDGE, 2);
	op_byte(&seed, OP_FREE_BUFFER, 0, 0);
	op_read(&seed, 2);
	write_seed(directory, "many_objects_small_sockets", &seed);

	/* A oneway call left in the todo of a thread whose read buffer is too
	 * small for it, then that thread exits; a second oneway call follows. */
	seed_init(&seed, false, false);
	data = send_put(&seed, "oneway!!", 8);
	op_command(&seed, 0, BC_ENTER_LOOPER);
	op_write_read(&seed, 0, WR_BLOCKING, 2, NULL);
	stream.length = 0;
	stream_transaction(&stream, BC_TRANSACTION, 0, 19, TF_ONE_WAY, data, 8, 0, 0, (uint64_t)-1);
	op_write_read(&seed, 2, 0, 1, &stream);
	op_byte(&seed, OP_CONTROL, 0, CONTROL_THREAD_EXIT);
	op_command(&seed, 1, BC_ENTER_LOOPER);
	op_write_read(&seed, 2, 0, 1, &stream);
	op_read(&seed, 1);
	op_read(&seed, 0);
	write_seed(directory, "oneway_left_in_exiting_thread", &seed);
}

struct dictionary_entry {
	const char *name;
	uint32_t value;
};

static void write_dictionary(const char *path)
{
	static const struct dictionary_entry entries[] = {
	        {"bc_transaction", BC_TRANSACTION},
	        {"bc_reply", BC_REPLY},
	        {"bc_free_buffer", BC_FREE_BUFFER},
	        {"bc_increfs", BC_INCREFS},
	        {"bc_acquire", BC_ACQUIRE},
	        {"bc_release", BC_RELEASE},
	        {"bc_decrefs", BC_DECREFS},
	        {"bc_increfs_done", BC_INCREFS_DONE},
	        {"bc_acquire_done", BC_ACQUIRE_DONE},
	        {"bc_register_looper", BC_REGISTER_LOOPER},
	        {"bc_enter_looper", BC_ENTER_LOOPER},
	        {"bc_exit_looper", BC_EXIT_LOOPER},
	        {"bc_request_death", BC_REQUEST_DEATH_NOTIFICATION},
	        {"bc_clear_death", BC_CLEAR_DEATH_NOTIFICATION},
	        {"bc_dead_binder_done", BC_DEAD_BINDER_DONE},
	        {"bc_transaction_sg", BC_TRANSACTION_SG},
	        {"bc_reply_sg", BC_REPLY_SG},
	        {"type_binder", BINDER_TYPE_BINDER},
	        {"type_weak_binder", BINDER_TYPE_WEAK_BINDER},
	        {"type_handle", BINDER_TYPE_HANDLE},
	        {"type_weak_handle", BINDER_TYPE_WEAK_HANDLE},
	        {"type_fd", BINDER_TYPE_FD},
	        {"type_fda", BINDER_TYPE_FDA},
	        {"type_ptr", BINDER_TYPE_PTR},
	        {"tf_one_way", TF_ONE_WAY},
	        {"tf_accept_fds", TF_ACCEPT_FDS},
	};
	FILE *file = fopen(path, "w");
	if (!file)
		die("%s: %s", path, strerror(errno));
	fprintf(file, "# binderd write-stream fuzzer: BC_ codes, object types and flags\n"
	              "# (little-endian u32). Written by make_seeds.c.\n");
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		uint32_t value = entries[i].value;
		fprintf(file, "%s=\"\\x%02x\\x%02x\\x%02x\\x%02x\"\n", entries[i].name,
		        value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >> 24);
	}
	if (fclose(file) != 0)
		die("%s: write failed", path);
}

int main(int argc, char **argv)
{
	if (argc != 3)
		die("usage: %s CORPUS_DIRECTORY DICTIONARY_FILE", argv[0]);
	seed_call_and_reply(argv[1]);
	seed_refcounts(argv[1]);
	seed_death(argv[1]);
	seed_oneway(argv[1]);
	seed_nested(argv[1]);
	seed_three_processes(argv[1]);
	seed_fd(argv[1]);
	seed_scatter_gather(argv[1]);
	seed_loopers(argv[1]);
	seed_variants(argv[1]);
	write_dictionary(argv[2]);
	return 0;
}
