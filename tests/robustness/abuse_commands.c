/*
 * abuse_commands.c - abuses of the BC_ command stream of BINDER_WRITE_READ:
 * unknown and truncated commands, frees of buffers never given, replies
 * with no transaction, reference and death commands on handles never
 * given, random streams. Where the kernel answers with an error (an ioctl
 * error, BR_FAILED_REPLY) binderd must too; where the kernel only logs,
 * the command must be consumed and change nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "abuses.h"

static struct bc_stream *new_stream(void)
{
	struct bc_stream *stream = malloc(sizeof(*stream));
	if (stream)
		bc_reset(stream);
	return stream;
}

int abuse_unknown_commands(struct abuse_report *report)
{
	static const uint32_t unknown[] = {
	        0xdeadbeef,
	        0,
	        BC_ATTEMPT_ACQUIRE,
	        BC_ACQUIRE_RESULT,
	        _IO('c', 200),
	        _IOW('c', 99, uint64_t),
	        BR_NOOP,
	        BR_TRANSACTION,
	};
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct bc_stream *stream = new_stream();
	EXPECT(report, stream, "out of memory");
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		/* A valid command first: consumed; then the unknown one: not. */
		bc_reset(stream);
		bc_add_u32(stream, BC_FREE_BUFFER);
		uint64_t nothing = 0;
		bc_add(stream, &nothing, sizeof(nothing));
		size_t valid_size = stream->size;
		bc_add_u32(stream, unknown[i]);
		uint8_t argument[64] = {0};
		bc_add(stream, argument, sizeof(argument));
		uint64_t consumed = 0;
		int status = raw_write_only(&abuser, stream, &consumed);
		EXPECT(report, status == -EINVAL && consumed == valid_size,
		       "unknown command %#x: status %d, consumed %llu of %zu", unknown[i], status,
		       (unsigned long long)consumed, stream->size);
	}
	free(stream);
	error = raw_echo_call(&abuser);
	EXPECT(report, error == 0, "echo call after: %d", error);
	raw_abuser_close(&abuser);
	return 0;
}

int abuse_truncated_commands(struct abuse_report *report)
{
	static const uint32_t commands[] = {
	        BC_TRANSACTION,
	        BC_REPLY,
	        BC_TRANSACTION_SG,
	        BC_FREE_BUFFER,
	        BC_INCREFS,
	        BC_ACQUIRE_DONE,
	        BC_REQUEST_DEATH_NOTIFICATION,
	        BC_DEAD_BINDER_DONE,
	};
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct bc_stream *stream = new_stream();
	EXPECT(report, stream, "out of memory");
	uint8_t argument[sizeof(struct binder_transaction_data_sg)];
	memset(argument, 0, sizeof(argument));
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		size_t full = _IOC_SIZE(commands[i]);
		for (size_t cut = 0; cut < full; cut += full / 3 + 1) {
			bc_reset(stream);
			bc_add_u32(stream, BC_ENTER_LOOPER);
			size_t valid_size = stream->size;
			bc_add_u32(stream, commands[i]);
			bc_add(stream, argument, cut);
			uint64_t consumed = 0;
			int status = raw_write_only(&abuser, stream, &consumed);
			EXPECT(report, status < 0 && consumed == valid_size,
			       "command %#x cut to %zu bytes: status %d, consumed %llu",
			       commands[i], cut, status, (unsigned long long)consumed);
		}
	}
	/* Less than a command word. */
	for (size_t size = 1; size < sizeof(uint32_t); size++) {
		bc_reset(stream);
		bc_add(stream, "\x0c\x63\x00", size);
		uint64_t consumed = 0;
		int status = raw_write_only(&abuser, stream, &consumed);
		EXPECT(report, status < 0 && consumed == 0, "%zu-byte stream: status %d", size,
		       status);
	}
	free(stream);
	/* The thread is not confused: it still calls. */
	error = raw_echo_call(&abuser);
	EXPECT(report, error == 0, "echo call after: %d", error);
	raw_abuser_close(&abuser);
	return 0;
}

int abuse_free_random_buffers(struct abuse_report *report)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct bc_stream *stream = new_stream();
	EXPECT(report, stream, "out of memory");
	uint64_t state = 42;
	uint64_t base = (uint64_t)(uintptr_t)abuser.process.area;
	for (int round = 0; round < 4; round++) {
		bc_reset(stream);
		for (int i = 0; i < 1000; i++) {
			uint64_t address;
			uint64_t random = abuse_random(&state);
			switch (i % 4) {
			case 0:
				address = random;
				break;
			case 1:
				address = base + random % (abuser.process.area_size + 64);
				break;
			case 2:
				address = base + (random % abuser.process.area_size & ~7ull);
				break;
			default:
				address = base - 8 - random % 4096;
				break;
			}
			bc_add_u32(stream, BC_FREE_BUFFER);
			bc_add(stream, &address, sizeof(address));
		}
		uint64_t consumed = 0;
		int status = raw_write_only(&abuser, stream, &consumed);
		/* The kernel ignores (logs) a free that matches no buffer. */
		EXPECT(report, status == 0 && consumed == stream->size,
		       "random BC_FREE_BUFFERs: status %d, consumed %llu of %zu", status,
		       (unsigned long long)consumed, stream->size);
	}
	/* A real buffer freed twice, then more calls: the area is intact. */
	for (int call = 0; call < 20; call++) {
		error = raw_echo_call(&abuser);
		EXPECT(report, error == 0, "echo call %d: %d", call, error);
		bc_reset(stream);
		for (int again = 0; again < 3; again++) {
			bc_add_u32(stream, BC_FREE_BUFFER);
			bc_add(stream, &abuser.last_reply, sizeof(abuser.last_reply));
		}
		uint64_t consumed = 0;
		int status = raw_write_only(&abuser, stream, &consumed);
		EXPECT(report, status == 0 && consumed == stream->size,
		       "double BC_FREE_BUFFER: status %d", status);
	}
	free(stream);
	raw_abuser_close(&abuser);
	return 0;
}

int abuse_reply_without_transaction(struct abuse_report *report)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct bc_stream *stream = new_stream();
	EXPECT(report, stream, "out of memory");
	static const uint32_t replies[] = {BC_REPLY, BC_REPLY_SG};
	for (size_t i = 0; i < 2; i++) {
		for (int flags = 0; flags <= 1; flags++) {
			bc_reset(stream);
			bc_add_transaction(stream, replies[i], 0, 0, flags ? TF_ONE_WAY : 0, 0, 16,
			                   0, 0, 0);
			int outcome = raw_transact(&abuser, stream, false);
			EXPECT(report, outcome == (int)BR_FAILED_REPLY,
			       "reply %#x with no transaction: outcome %d", replies[i], outcome);
		}
	}
	free(stream);
	error = raw_echo_call(&abuser);
	EXPECT(report, error == 0, "echo call after: %d", error);
	/* A reply after the call completed: no transaction either. */
	stream = new_stream();
	EXPECT(report, stream, "out of memory");
	bc_add_transaction(stream, BC_REPLY, 0, 0, 0, 0, 0, 0, 0, 0);
	int outcome = raw_transact(&abuser, stream, false);
	free(stream);
	EXPECT(report, outcome == (int)BR_FAILED_REPLY, "late reply: outcome %d", outcome);
	raw_abuser_close(&abuser);
	return 0;
}

static const uint32_t never_given[] = {1, 2, 3, 17, 100, 4096, 0x7fffffff, 0xffffffff};
#define NEVER_GIVEN_COUNT (sizeof(never_given) / sizeof(never_given[0]))

int abuse_refcounts_on_invalid_handles(struct abuse_report *report)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct bc_stream *stream = new_stream();
	EXPECT(report, stream, "out of memory");
	static const uint32_t commands[] = {BC_INCREFS, BC_ACQUIRE, BC_RELEASE, BC_DECREFS};
	for (size_t i = 0; i < NEVER_GIVEN_COUNT; i++) {
		for (size_t c = 0; c < 4; c++) {
			bc_add_u32(stream, commands[c]);
			bc_add_u32(stream, never_given[i]);
		}
	}
	/* Handle 0 released and decremented far more than ever acquired. */
	for (int i = 0; i < 50; i++) {
		bc_add_u32(stream, BC_RELEASE);
		bc_add_u32(stream, 0);
		bc_add_u32(stream, BC_DECREFS);
		bc_add_u32(stream, 0);
	}
	/* Acknowledgements for nodes we do not own or never heard of. */
	uint64_t state = 7;
	for (int i = 0; i < 50; i++) {
		struct binder_ptr_cookie pc = {abuse_random(&state), abuse_random(&state)};
		bc_add_u32(stream, i % 2 ? BC_ACQUIRE_DONE : BC_INCREFS_DONE);
		bc_add(stream, &pc, sizeof(pc));
	}
	uint64_t consumed = 0;
	int status = raw_write_only(&abuser, stream, &consumed);
	/* The kernel logs these and goes on. */
	EXPECT(report, status == 0 && consumed == stream->size,
	       "refcounts on invalid handles: status %d, consumed %llu of %zu", status,
	       (unsigned long long)consumed, stream->size);
	free(stream);
	/* Handle 0 still reaches the service, from here and from others. */
	error = raw_echo_call(&abuser);
	EXPECT(report, error == 0, "echo call after: %d", error);
	raw_abuser_close(&abuser);
	return 0;
}

int abuse_death_notices_on_invalid_handles(struct abuse_report *report)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct bc_stream *stream = new_stream();
	EXPECT(report, stream, "out of memory");
	uint64_t state = 99;
	for (size_t i = 0; i < NEVER_GIVEN_COUNT; i++) {
		struct binder_handle_cookie hc = {.handle = never_given[i],
		                                  .cookie = abuse_random(&state)};
		bc_add_u32(stream, BC_REQUEST_DEATH_NOTIFICATION);
		bc_add(stream, &hc, sizeof(hc));
		bc_add_u32(stream, BC_CLEAR_DEATH_NOTIFICATION);
		bc_add(stream, &hc, sizeof(hc));
		bc_add_u32(stream, BC_DEAD_BINDER_DONE);
		bc_add(stream, &hc.cookie, sizeof(hc.cookie));
	}
	/* Handle 0 without holding a reference to it. */
	struct binder_handle_cookie zero = {.handle = 0, .cookie = 0x5150};
	bc_add_u32(stream, BC_REQUEST_DEATH_NOTIFICATION);
	bc_add(stream, &zero, sizeof(zero));
	uint64_t consumed = 0;
	int status = raw_write_only(&abuser, stream, &consumed);
	EXPECT(report, status == 0 && consumed == stream->size,
	       "death commands on invalid handles: status %d, consumed %llu of %zu", status,
	       (unsigned long long)consumed, stream->size);

	/* With a real reference: asked twice, cleared three times, cleared
	 * with the wrong cookie. */
	bc_reset(stream);
	bc_add_u32(stream, BC_ACQUIRE);
	bc_add_u32(stream, 0);
	struct binder_handle_cookie watch = {.handle = 0, .cookie = 0xabc};
	struct binder_handle_cookie wrong = {.handle = 0, .cookie = 0xdef};
	bc_add_u32(stream, BC_REQUEST_DEATH_NOTIFICATION);
	bc_add(stream, &watch, sizeof(watch));
	bc_add_u32(stream, BC_REQUEST_DEATH_NOTIFICATION);
	bc_add(stream, &watch, sizeof(watch));
	bc_add_u32(stream, BC_CLEAR_DEATH_NOTIFICATION);
	bc_add(stream, &wrong, sizeof(wrong));
	for (int i = 0; i < 3; i++) {
		bc_add_u32(stream, BC_CLEAR_DEATH_NOTIFICATION);
		bc_add(stream, &watch, sizeof(watch));
	}
	bc_add_u32(stream, BC_DEAD_BINDER_DONE);
	bc_add(stream, &watch.cookie, sizeof(watch.cookie));
	status = raw_write_only(&abuser, stream, &consumed);
	EXPECT(report, status == 0 && consumed == stream->size,
	       "death commands on handle 0: status %d, consumed %llu of %zu", status,
	       (unsigned long long)consumed, stream->size);
	free(stream);
	/* The service lives: no BR_DEAD_BINDER, one clear acknowledged. */
	int got = raw_read_pending(&abuser);
	EXPECT(report, got >= 0, "read: %s", strerror(-got));
	int dead = br_count(abuser.result->read, (size_t)got, BR_DEAD_BINDER);
	int cleared = br_count(abuser.result->read, (size_t)got, BR_CLEAR_DEATH_NOTIFICATION_DONE);
	EXPECT(report, dead == 0 && cleared <= 1,
	       "after bogus death commands: %d BR_DEAD_BINDER, %d clear done", dead, cleared);
	error = raw_echo_call(&abuser);
	EXPECT(report, error == 0, "echo call after: %d", error);
	raw_abuser_close(&abuser);
	return 0;
}

/* One random command: a real BC_ code (or not) with random arguments. */
static void add_random_command(struct bc_stream *stream, uint64_t *state)
{
	static const uint32_t codes[] = {
	        BC_TRANSACTION,
	        BC_REPLY,
	        BC_TRANSACTION_SG,
	        BC_REPLY_SG,
	        BC_FREE_BUFFER,
	        BC_INCREFS,
	        BC_ACQUIRE,
	        BC_RELEASE,
	        BC_DECREFS,
	        BC_INCREFS_DONE,
	        BC_ACQUIRE_DONE,
	        BC_REGISTER_LOOPER,
	        BC_ENTER_LOOPER,
	        BC_EXIT_LOOPER,
	        BC_REQUEST_DEATH_NOTIFICATION,
	        BC_CLEAR_DEATH_NOTIFICATION,
	        BC_DEAD_BINDER_DONE,
	};
	uint64_t pick = abuse_random(state);
	uint32_t cmd = pick % 50 == 0 ? (uint32_t)abuse_random(state)
	                              : codes[pick % (sizeof(codes) / sizeof(codes[0]))];
	uint8_t argument[sizeof(struct binder_transaction_data_sg)];
	abuse_random_fill(state, argument, sizeof(argument));
	if (cmd == BC_TRANSACTION || cmd == BC_TRANSACTION_SG || cmd == BC_REPLY ||
	    cmd == BC_REPLY_SG) {
		struct binder_transaction_data_sg data;
		memcpy(&data, argument, sizeof(data));
		struct binder_transaction_data *tr = &data.transaction_data;
		/* Sizes and offsets near the send area, sometimes wild. */
		uint64_t r = abuse_random(state);
		if (r % 4) {
			tr->data_size %= 256;
			tr->offsets_size %= 64;
			tr->data.ptr.buffer %= 70000;
			tr->data.ptr.offsets %= 70000;
			data.buffers_size %= 512;
		}
		/* Calls to the service use codes it does not know. */
		tr->code |= 0x7f000000u;
		if (r % 3 == 0)
			tr->target.handle = 0;
		memcpy(argument, &data, sizeof(data));
	}
	bc_add_u32(stream, cmd);
	size_t size = _IOC_SIZE(cmd);
	if (size > sizeof(argument))
		size = sizeof(argument);
	bc_add(stream, argument, size);
}

int abuse_random_command_streams(struct abuse_report *report)
{
	uint64_t state = 2024;
	struct bc_stream *stream = new_stream();
	EXPECT(report, stream, "out of memory");
	for (int process = 0; process < 10; process++) {
		struct raw_abuser abuser;
		int error = raw_abuser_open(&abuser);
		EXPECT(report, error == 0, "open: %s", strerror(-error));
		/* Random bytes in the send area, some shaped like objects. */
		abuse_random_fill(&state, abuser.thread.send_area, abuser.thread.send_area_size);
		for (int round = 0; round < 30; round++) {
			bc_reset(stream);
			int commands = 1 + (int)(abuse_random(&state) % 32);
			for (int i = 0; i < commands; i++)
				add_random_command(stream, &state);
			error = raw_write_read(&abuser.thread, stream->bytes, stream->size, 4096,
			                       BINDERD_WR_NONBLOCK, abuser.result, RAW_WAIT_MS);
			EXPECT(report, error == 0,
			       "random stream (process %d, round %d): no answer: %s", process,
			       round, strerror(-error));
		}
		raw_abuser_close(&abuser);
	}
	free(stream);
	return 0;
}
