/*
 * abuse_common.c - what the abuses share: failure reports, a raw binder
 * process with one thread, BC_ stream building, and bounded transaction
 * round trips over the raw protocol.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abuses.h"
#include "echo_pair.h"

#define ABUSER_AREA_SIZE      (128 * 1024)
#define ABUSER_SEND_AREA_SIZE (64 * 1024)
#define ROUND_TRIPS_PER_CALL  64

static int vfail(struct abuse_report *report, const char *file, int line, const char *expression,
                 const char *format, va_list args)
{
	const char *base = strrchr(file, '/');
	int length = snprintf(report->why, sizeof(report->why), "%s:%d: %s%s%s",
	                      base ? base + 1 : file, line, expression ? "expected " : "",
	                      expression ? expression : "", expression ? ": " : "");
	if (length > 0 && (size_t)length < sizeof(report->why))
		vsnprintf(report->why + length, sizeof(report->why) - (size_t)length, format, args);
	return -1;
}

int abuse_fail(struct abuse_report *report, const char *file, int line, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vfail(report, file, line, NULL, format, args);
	va_end(args);
	return -1;
}

int abuse_fail_expected(struct abuse_report *report, const char *file, int line,
                        const char *expression, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vfail(report, file, line, expression, format, args);
	va_end(args);
	return -1;
}

int raw_abuser_open(struct raw_abuser *abuser)
{
	memset(abuser, 0, sizeof(*abuser));
	abuser->thread.fd = -1;
	abuser->result = malloc(sizeof(*abuser->result));
	if (!abuser->result)
		return -ENOMEM;
	int error = raw_open_process(&abuser->process, ABUSER_AREA_SIZE);
	if (!error) {
		error = raw_open_thread(&abuser->process, &abuser->thread, ABUSER_SEND_AREA_SIZE);
		if (error)
			raw_close_process(&abuser->process);
	}
	if (error) {
		free(abuser->result);
		abuser->result = NULL;
	}
	return error;
}

void raw_abuser_close(struct raw_abuser *abuser)
{
	raw_close_thread(&abuser->thread);
	raw_close_process(&abuser->process);
	free(abuser->result);
	abuser->result = NULL;
}

void bc_reset(struct bc_stream *stream)
{
	stream->size = 0;
}

void bc_add(struct bc_stream *stream, const void *bytes, size_t size)
{
	if (stream->size + size > sizeof(stream->bytes)) {
		fprintf(stderr, "robustness: command stream full\n");
		abort();
	}
	memcpy(stream->bytes + stream->size, bytes, size);
	stream->size += size;
}

void bc_add_u32(struct bc_stream *stream, uint32_t value)
{
	bc_add(stream, &value, sizeof(value));
}

void bc_add_transaction(struct bc_stream *stream, uint32_t cmd, uint32_t handle, uint32_t code,
                        uint32_t flags, uint64_t buffer, uint64_t data_size, uint64_t offsets,
                        uint64_t offsets_size, uint64_t buffers_size)
{
	struct binder_transaction_data_sg data;
	memset(&data, 0, sizeof(data));
	data.transaction_data.target.handle = handle;
	data.transaction_data.code = code;
	data.transaction_data.flags = flags;
	data.transaction_data.data_size = data_size;
	data.transaction_data.offsets_size = offsets_size;
	data.transaction_data.data.ptr.buffer = buffer;
	data.transaction_data.data.ptr.offsets = offsets;
	data.buffers_size = buffers_size;
	bc_add_u32(stream, cmd);
	if (cmd == BC_TRANSACTION_SG || cmd == BC_REPLY_SG)
		bc_add(stream, &data, sizeof(data));
	else
		bc_add(stream, &data.transaction_data, sizeof(data.transaction_data));
}

/* Frees a received buffer (a reply, or a transaction sent to us). */
static int free_buffer(struct raw_abuser *abuser, binder_uintptr_t buffer)
{
	struct bc_stream *stream = malloc(sizeof(*stream));
	if (!stream)
		return -ENOMEM;
	bc_reset(stream);
	bc_add_u32(stream, BC_FREE_BUFFER);
	bc_add(stream, &buffer, sizeof(buffer));
	uint64_t consumed;
	int status = raw_write_only(abuser, stream, &consumed);
	if (status == 0 && consumed != stream->size)
		status = -EIO;
	free(stream);
	return status;
}

/* Looks for the outcome in one read buffer; 0 when none is there. */
static int find_outcome(struct raw_abuser *abuser, bool oneway, binder_uintptr_t *reply_buffer)
{
	const uint8_t *read = abuser->result->read;
	size_t size = abuser->result->read_size, position = 0;
	while (position + sizeof(uint32_t) <= size) {
		uint32_t cmd;
		memcpy(&cmd, read + position, sizeof(cmd));
		position += sizeof(cmd);
		int argument = br_argument_size(cmd);
		if (argument < 0 || size - position < (size_t)argument)
			return -EBADMSG;
		const uint8_t *arg = read + position;
		position += (size_t)argument;
		if (cmd == BR_FAILED_REPLY || cmd == BR_DEAD_REPLY)
			return (int)cmd;
		if (cmd == BR_TRANSACTION_COMPLETE && oneway)
			return (int)cmd;
		if (cmd == BR_REPLY) {
			struct binder_transaction_data reply;
			memcpy(&reply, arg, sizeof(reply));
			*reply_buffer = reply.data.ptr.buffer;
			return (int)cmd;
		}
		if (cmd == BR_TRANSACTION) {
			/* Nobody should call an abuser; free what came. */
			struct binder_transaction_data txn;
			memcpy(&txn, arg, sizeof(txn));
			free_buffer(abuser, txn.data.ptr.buffer);
		}
	}
	return 0;
}

int raw_transact(struct raw_abuser *abuser, const struct bc_stream *stream, bool oneway)
{
	return raw_transact_fds(abuser, stream, oneway, NULL, 0);
}

int raw_transact_fds(struct raw_abuser *abuser, const struct bc_stream *stream, bool oneway,
                     const int *fds, size_t fd_count)
{
	const void *bytes = stream->bytes;
	size_t size = stream->size;
	for (int round = 0; round < ROUND_TRIPS_PER_CALL; round++) {
		int error = raw_write_read_fds(&abuser->thread, bytes, size, fds, fd_count, 4096, 0,
		                               abuser->result, RAW_WAIT_MS);
		fds = NULL;
		fd_count = 0;
		if (error < 0)
			return error;
		if (abuser->result->status < 0)
			return abuser->result->status;
		if (abuser->result->write_consumed != size)
			return -EIO;
		bytes = NULL;
		size = 0;
		binder_uintptr_t reply_buffer = 0;
		int outcome = find_outcome(abuser, oneway, &reply_buffer);
		if (outcome == (int)BR_REPLY) {
			abuser->last_reply = reply_buffer;
			int freed = free_buffer(abuser, reply_buffer);
			if (freed < 0)
				return freed;
		}
		if (outcome != 0)
			return outcome;
	}
	return -ETIMEDOUT;
}

int raw_echo_call(struct raw_abuser *abuser)
{
	static const char message[] = "abuser still works";
	memcpy(abuser->thread.send_area, message, sizeof(message));
	struct bc_stream *stream = malloc(sizeof(*stream));
	if (!stream)
		return -ENOMEM;
	bc_reset(stream);
	bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_ECHO, 0, 0, sizeof(message), 0, 0,
	                   0);
	int outcome = raw_transact(abuser, stream, false);
	free(stream);
	return outcome == (int)BR_REPLY ? 0 : outcome;
}

int raw_write_only(struct raw_abuser *abuser, const struct bc_stream *stream, uint64_t *consumed)
{
	int error = raw_write_read(&abuser->thread, stream->bytes, stream->size, 0, 0,
	                           abuser->result, RAW_WAIT_MS);
	if (error < 0)
		return error;
	*consumed = abuser->result->write_consumed;
	return abuser->result->status;
}

int raw_read_pending(struct raw_abuser *abuser)
{
	int error = raw_write_read(&abuser->thread, NULL, 0, 4096, BINDERD_WR_NONBLOCK,
	                           abuser->result, RAW_WAIT_MS);
	if (error < 0)
		return error;
	if (abuser->result->status == -EAGAIN)
		return 0;
	if (abuser->result->status < 0)
		return abuser->result->status;
	return (int)abuser->result->read_size;
}

uint64_t abuse_random(uint64_t *state)
{
	/* xorshift64* */
	uint64_t x = *state ? *state : 0x9E3779B97F4A7C15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

void abuse_random_fill(uint64_t *state, void *bytes, size_t size)
{
	uint8_t *out = bytes;
	while (size > 0) {
		uint64_t value = abuse_random(state);
		size_t chunk = size < sizeof(value) ? size : sizeof(value);
		memcpy(out, &value, chunk);
		out += chunk;
		size -= chunk;
	}
}
