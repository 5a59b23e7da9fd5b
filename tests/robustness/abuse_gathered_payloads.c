/*
 * abuse_gathered_payloads.c - abuse of two extensions of binderd's socket
 * protocol. Gathered payloads (BINDERD_TF_GATHER): a well-formed segment
 * list is delivered as the concatenation of its segments, while every
 * hostile list (bad count, reserved field, lengths, unreadable list or
 * segment, wrong flags) and every list sent without direct reads fails the
 * call with BR_FAILED_REPLY, after which a well-formed call still works.
 * Quiet writes (BINDERD_WR_QUIET): a quiet BC_FREE_BUFFER frees with no
 * RESULT (the channel stays in step), even while a return error waits for
 * the thread; a quiet bogus write leaves binderd serving, and a quiet
 * request that also wants to read gets -EINVAL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abuses.h"
#include "echo_pair.h"

/* Larger than binderd's threshold for process_vm_readv (64 KiB), so that
 * both of its ways of reading are used; two do not fit the abuser's
 * 128 KiB receive area at once. */
#define BIG_SEGMENT_SIZE (70u * 1024)
/* Where things go in the abuser's read-write page (an unreadable one follows). */
#define GOOD_LIST_AT    0
#define HOSTILE_LIST_AT 256
#define OFFSETS_AT      512
#define OBJECT_AT       768
#define PAGE_DATA_AT    1024
#define PAGE_DATA_SIZE  300
#define ONEWAY_LIST_AT  1536
#define SMALL_DATA_SIZE 16
/* Read buffer of one round trip, and round trips before giving up. */
#define CALL_READ_SIZE 4096
#define CALL_ROUNDS    64
/* Quiet writes: replies that cannot all fit the abuser's receive area
 * unless the quiet frees are taken (3 x 48 KiB > 128 KiB). */
#define QUIET_REPLY_SIZE (48u * 1024)
#define QUIET_ROUNDS     6
#define QUIET_STREAM_MAX 64
#define BOGUS_BUFFER     0xdead0000ull
#define BAD_HANDLE       0x7fffu
#define UNKNOWN_COMMAND  0x7fffffffu

static volatile uint64_t gather_probe_word = 0x6761746865722121u;

static int open_with_probe(struct raw_abuser *abuser, uint64_t claimed_value)
{
	struct binderd_hello hello = {
	        .probe_address = (uint64_t)(uintptr_t)&gather_probe_word,
	        .probe_value = claimed_value,
	};
	raw_hello_probe = &hello;
	int error = raw_abuser_open(abuser);
	raw_hello_probe = NULL;
	return error;
}

/* Sends the stream and reads until its outcome, keeping a BR_REPLY's
 * buffer (its description goes to *reply). The BR_ code, or -errno. */
static int call_keeping_reply(struct raw_abuser *abuser, const struct bc_stream *stream,
                              bool oneway, struct binder_transaction_data *reply)
{
	const void *bytes = stream->bytes;
	size_t size = stream->size;
	for (int round = 0; round < CALL_ROUNDS; round++) {
		int error = raw_write_read(&abuser->thread, bytes, size, CALL_READ_SIZE, 0,
		                           abuser->result, RAW_WAIT_MS);
		if (error < 0)
			return error;
		if (abuser->result->status < 0)
			return abuser->result->status;
		if (abuser->result->write_consumed != size)
			return -EIO;
		bytes = NULL;
		size = 0;
		const uint8_t *read = abuser->result->read;
		size_t read_size = abuser->result->read_size, position = 0;
		while (read_size - position >= sizeof(uint32_t)) {
			uint32_t cmd;
			memcpy(&cmd, read + position, sizeof(cmd));
			position += sizeof(cmd);
			int argument = br_argument_size(cmd);
			if (argument < 0 || read_size - position < (size_t)argument)
				return -EBADMSG;
			if (cmd == BR_REPLY)
				memcpy(reply, read + position, sizeof(*reply));
			position += (size_t)argument;
			if (cmd == BR_REPLY || cmd == BR_FAILED_REPLY || cmd == BR_DEAD_REPLY ||
			    (oneway && cmd == BR_TRANSACTION_COMPLETE))
				return (int)cmd;
			if (cmd == BR_TRANSACTION)
				return -EPROTO; /* nobody calls an abuser */
		}
	}
	return -ETIMEDOUT;
}

/* The reply's bytes, if they lie in the abuser's receive area. */
static const uint8_t *reply_bytes(const struct raw_abuser *abuser,
                                  const struct binder_transaction_data *reply)
{
	uint64_t base = (uint64_t)(uintptr_t)abuser->process.area;
	uint64_t address = reply->data.ptr.buffer;
	if (address < base || address - base > abuser->process.area_size ||
	    reply->data_size > abuser->process.area_size - (address - base))
		return NULL;
	return (const uint8_t *)(uintptr_t)address;
}

static void add_free_buffer(struct bc_stream *stream, binder_uintptr_t buffer)
{
	bc_add_u32(stream, BC_FREE_BUFFER);
	bc_add(stream, &buffer, sizeof(buffer));
}

/* ---- gathered payloads ---- */

/* The memory a gathering abuser sends from. */
struct gather_memory {
	uint8_t *page; /* read-write, the page after it unreadable */
	size_t page_size;
	uint8_t *big; /* BIG_SEGMENT_SIZE bytes */
	uint8_t *expected;
	size_t expected_size; /* what the good list gathers */
	struct binderd_gather_list *good_list;
	/* The good list less its big segment, for oneway calls: however
	 * late the service frees them, they never fill its async space. */
	struct binderd_gather_list *oneway_list;
	size_t oneway_size;
	struct binderd_gather_list *hostile_list;
};

static uint64_t address_of(const void *pointer)
{
	return (uint64_t)(uintptr_t)pointer;
}

static uint64_t unreadable_address(const struct gather_memory *memory)
{
	return address_of(memory->page + memory->page_size);
}

static int gather_memory_open(struct gather_memory *memory)
{
	static const char head[] = "gathered from ";
	static const char tail[] = "the end";
	memset(memory, 0, sizeof(*memory));
	memory->page_size = (size_t)sysconf(_SC_PAGESIZE);
	/* Two pages of a one-page file: the second cannot be read (not even
	 * through /proc/PID/mem, which reads PROT_NONE pages), and unlike a
	 * hole no later mapping can take its place. */
	int file = memfd_create("gather-page", MFD_CLOEXEC);
	if (file < 0)
		return -errno;
	uint8_t *pages = MAP_FAILED;
	if (ftruncate(file, (off_t)memory->page_size) == 0)
		pages = mmap(NULL, 2 * memory->page_size, PROT_READ | PROT_WRITE, MAP_SHARED, file,
		             0);
	int error = pages == MAP_FAILED ? -errno : 0;
	close(file);
	if (error)
		return error;
	memory->page = pages;
	memory->big = malloc(BIG_SEGMENT_SIZE);
	memory->expected = malloc(BIG_SEGMENT_SIZE + memory->page_size);
	if (!memory->big || !memory->expected) {
		free(memory->big);
		free(memory->expected);
		munmap(memory->page, 2 * memory->page_size);
		return -ENOMEM;
	}
	uint64_t random = 0x6761746865725f31u;
	abuse_random_fill(&random, memory->big, BIG_SEGMENT_SIZE);
	abuse_random_fill(&random, memory->page + PAGE_DATA_AT, PAGE_DATA_SIZE);

	/* Out of address order, in three kinds of memory, one empty. */
	const struct binderd_gather_segment segments[] = {
	        {address_of(head), sizeof(head) - 1},
	        {address_of(memory->page + PAGE_DATA_AT), PAGE_DATA_SIZE},
	        {address_of(memory->page + PAGE_DATA_AT), 0},
	        {address_of(memory->big), BIG_SEGMENT_SIZE},
	        {address_of(tail), sizeof(tail) - 1},
	};
	memory->good_list = (struct binderd_gather_list *)(memory->page + GOOD_LIST_AT);
	memory->hostile_list = (struct binderd_gather_list *)(memory->page + HOSTILE_LIST_AT);
	memory->oneway_list = (struct binderd_gather_list *)(memory->page + ONEWAY_LIST_AT);
	memory->good_list->count = sizeof(segments) / sizeof(segments[0]);
	for (size_t i = 0; i < memory->good_list->count; i++) {
		memory->good_list->segments[i] = segments[i];
		memcpy(memory->expected + memory->expected_size,
		       (const void *)(uintptr_t)segments[i].address, segments[i].length);
		memory->expected_size += segments[i].length;
		if (segments[i].address == address_of(memory->big))
			continue;
		memory->oneway_list->segments[memory->oneway_list->count++] = segments[i];
		memory->oneway_size += segments[i].length;
	}
	return 0;
}

static void gather_memory_close(struct gather_memory *memory)
{
	free(memory->big);
	free(memory->expected);
	munmap(memory->page, 2 * memory->page_size);
}

/* Gives a received buffer back (plainly: quiet writes are tested apart).
 * 0 or -errno. */
static int give_back(struct raw_abuser *abuser, binder_uintptr_t buffer)
{
	struct bc_stream *stream = malloc(sizeof(*stream));
	if (!stream)
		return -ENOMEM;
	uint64_t consumed = 0;
	bc_reset(stream);
	add_free_buffer(stream, buffer);
	int status = raw_write_only(abuser, stream, &consumed);
	if (status == 0 && consumed != stream->size)
		status = -EIO;
	free(stream);
	return status;
}

/* One gathered echo call. The BR_ code or -errno; a BR_REPLY's buffer is
 * kept (*reply), for the caller to give back. */
static int gather_call(struct raw_abuser *abuser, uint32_t flags, uint64_t list_address,
                       uint64_t data_size, uint64_t offsets, uint64_t offsets_size,
                       struct binder_transaction_data *reply)
{
	struct bc_stream *stream = malloc(sizeof(*stream));
	if (!stream)
		return -ENOMEM;
	bc_reset(stream);
	bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_ECHO, flags, list_address,
	                   data_size, offsets, offsets_size, 0);
	int outcome = call_keeping_reply(abuser, stream, (flags & TF_ONE_WAY) != 0, reply);
	free(stream);
	return outcome;
}

/* The good list, sync and oneway: delivered whole and in order. */
static int expect_gathered(struct abuse_report *report, struct raw_abuser *abuser,
                           const struct gather_memory *memory, const char *when)
{
	struct binder_transaction_data reply;
	int outcome =
	        gather_call(abuser, BINDERD_TF_DIRECT | BINDERD_TF_GATHER,
	                    address_of(memory->good_list), memory->expected_size, 0, 0, &reply);
	EXPECT(report, outcome == (int)BR_REPLY, "gathered call %s: outcome %#x", when,
	       (unsigned)outcome);
	const uint8_t *bytes = reply_bytes(abuser, &reply);
	bool same = bytes && reply.data_size == memory->expected_size &&
	            memcmp(bytes, memory->expected, memory->expected_size) == 0;
	int error = give_back(abuser, reply.data.ptr.buffer);
	EXPECT(report, same,
	       "gathered call %s: a reply of %llu bytes that is not the %zu bytes "
	       "of the segments",
	       when, (unsigned long long)reply.data_size, memory->expected_size);
	EXPECT(report, error == 0, "BC_FREE_BUFFER of the reply %s: %d", when, error);
	outcome = gather_call(abuser, BINDERD_TF_DIRECT | BINDERD_TF_GATHER | TF_ONE_WAY,
	                      address_of(memory->oneway_list), memory->oneway_size, 0, 0, &reply);
	EXPECT(report, outcome == (int)BR_TRANSACTION_COMPLETE,
	       "oneway gathered call %s: outcome %#x", when, (unsigned)outcome);
	return 0;
}

struct hostile_gather {
	const char *what;
	uint32_t flags;
	/* 0: the list below, in the page; in the page: the list below, as
	 * much of it as is readable there; elsewhere: nothing written. */
	uint64_t list_address;
	uint64_t data_size;
	uint64_t offsets_size; /* offsets, if any, at OFFSETS_AT */
	struct binderd_gather_list list;
};

/* An echo call of size bytes, all zeros, from the send area: the
 * service's next buffer of that size most likely reuses this one's memory,
 * so that what binderd would not copy into it reads as zeros. The BR_ code
 * or -errno. */
static int zeros_echo(struct raw_abuser *abuser, size_t size)
{
	struct bc_stream *stream = malloc(sizeof(*stream));
	if (!stream)
		return -ENOMEM;
	memset(abuser->thread.send_area, 0, size);
	bc_reset(stream);
	bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_ECHO, 0, 0, size, 0, 0, 0);
	int outcome = raw_transact(abuser, stream, false);
	free(stream);
	return outcome;
}

/* The call fails (sync and oneway), then the abuser, the good list and
 * other clients still work. */
static int expect_refused(struct abuse_report *report, struct raw_abuser *abuser,
                          struct gather_memory *memory, const struct hostile_gather *call)
{
	uint64_t list_address = call->list_address;
	uint64_t page = address_of(memory->page), unreadable = unreadable_address(memory);
	if (!list_address)
		list_address = address_of(memory->hostile_list);
	if (list_address >= page && list_address < unreadable) {
		size_t room = (size_t)(unreadable - list_address);
		memcpy((void *)(uintptr_t)list_address, &call->list,
		       room < sizeof(call->list) ? room : sizeof(call->list));
	}
	uint64_t offsets = call->offsets_size ? address_of(memory->page + OFFSETS_AT) : 0;
	for (uint32_t oneway = 0; oneway <= TF_ONE_WAY; oneway += TF_ONE_WAY) {
		struct binder_transaction_data reply;
		/* Objects not copied would be read from zeros: offset 0, a
		 * valid object, and a call that works when it must not. */
		if (call->offsets_size) {
			int outcome = zeros_echo(abuser, call->data_size + call->offsets_size);
			EXPECT(report, outcome == (int)BR_REPLY, "zeros echo: %#x",
			       (unsigned)outcome);
		}
		int outcome = gather_call(abuser, call->flags | oneway, list_address,
		                          call->data_size, offsets, call->offsets_size, &reply);
		EXPECT(report, outcome == (int)BR_FAILED_REPLY, "%s (%s): outcome %#x", call->what,
		       oneway ? "oneway" : "sync", (unsigned)outcome);
	}
	if (expect_gathered(report, abuser, memory, call->what) < 0)
		return -1;
	int error = raw_echo_call(abuser);
	EXPECT(report, error == 0, "echo call after %s: %d", call->what, error);
	error = echo_pair_check();
	EXPECT(report, error == 0, "another client after %s: %s", call->what,
	       echo_result_name(error));
	return 0;
}

/* A list of count segments of length bytes each, from the page's data. */
static struct binderd_gather_list small_list(const struct gather_memory *memory, uint32_t count,
                                             uint64_t length)
{
	struct binderd_gather_list list = {.count = count};
	for (uint32_t i = 0; i < BINDERD_MAX_GATHER_SEGMENTS; i++)
		list.segments[i] = (struct binderd_gather_segment){
		        address_of(memory->page + PAGE_DATA_AT), length};
	return list;
}

static int hostile_lists(struct abuse_report *report, struct raw_abuser *abuser,
                         struct gather_memory *memory)
{
	const uint32_t gather = BINDERD_TF_DIRECT | BINDERD_TF_GATHER;
	const uint64_t page = address_of(memory->page);
	const uint64_t unreadable = unreadable_address(memory);
	const struct binderd_gather_list good = *memory->good_list;
	const uint64_t good_size = memory->expected_size;
	struct binderd_gather_list with_reserved = good;
	with_reserved.reserved = 1;
	/* 8 + UINT64_MAX + 9 is SMALL_DATA_SIZE, modulo 2^64. */
	struct binderd_gather_list wrapping = small_list(memory, 3, SMALL_DATA_SIZE / 2);
	wrapping.segments[1].length = UINT64_MAX;
	wrapping.segments[2].length = SMALL_DATA_SIZE / 2 + 1;

	struct hostile_gather calls[] = {
	        {"count 0", gather, 0, 0, 0, small_list(memory, 0, 0)},
	        {"count over the maximum", gather, 0, BINDERD_MAX_GATHER_SEGMENTS, 0,
	         small_list(memory, BINDERD_MAX_GATHER_SEGMENTS + 1, 1)},
	        {"count UINT32_MAX", gather, 0, BINDERD_MAX_GATHER_SEGMENTS, 0,
	         small_list(memory, UINT32_MAX, 1)},
	        {"reserved not 0", gather, 0, good_size, 0, with_reserved},
	        {"lengths short of data_size", gather, 0, good_size + 1, 0, good},
	        {"lengths over data_size", gather, 0, good_size - 1, 0, good},
	        {"a length of UINT64_MAX", gather, 0, SMALL_DATA_SIZE, 0,
	         small_list(memory, 1, UINT64_MAX)},
	        {"lengths that wrap around to data_size", gather, 0, SMALL_DATA_SIZE, 0, wrapping},
	        {"a segment that wraps the address space",
	         gather,
	         0,
	         SMALL_DATA_SIZE,
	         0,
	         {.count = 1, .segments = {{UINT64_MAX - 7, SMALL_DATA_SIZE}}}},
	        {"the list at address 8", gather, 8, good_size, 0, good},
	        {"the list on an unreadable page", gather, unreadable, good_size, 0, good},
	        {"the list at the top of the address space", gather, UINT64_MAX - 63,
	         SMALL_DATA_SIZE, 0, small_list(memory, 1, SMALL_DATA_SIZE)},
	        /* count, reserved and its one segment readable, the rest not */
	        {"the list running into an unreadable page", gather,
	         unreadable - offsetof(struct binderd_gather_list, segments[1]), SMALL_DATA_SIZE, 0,
	         small_list(memory, 1, SMALL_DATA_SIZE)},
	        {"a segment at address 8",
	         gather,
	         0,
	         SMALL_DATA_SIZE,
	         0,
	         {.count = 1, .segments = {{8, SMALL_DATA_SIZE}}}},
	        {"a segment on an unreadable page",
	         gather,
	         0,
	         2 * SMALL_DATA_SIZE,
	         0,
	         {.count = 2,
	          .segments = {{page + PAGE_DATA_AT, SMALL_DATA_SIZE},
	                       {unreadable, SMALL_DATA_SIZE}}}},
	        {"a segment running into an unreadable page",
	         gather,
	         0,
	         SMALL_DATA_SIZE,
	         0,
	         {.count = 1, .segments = {{unreadable - SMALL_DATA_SIZE / 2, SMALL_DATA_SIZE}}}},
	        {"TF_GATHER without TF_DIRECT", BINDERD_TF_GATHER, 0, good_size, 0, good},
	        {"TF_GATHER with objects",
	         gather,
	         0,
	         sizeof(struct flat_binder_object),
	         sizeof(binder_size_t),
	         {.count = 1, .segments = {{page + OBJECT_AT, sizeof(struct flat_binder_object)}}}},
	        {"TF_GATHER with TF_INLINE", gather | BINDERD_TF_INLINE, 0, good_size, 0, good},
	        {"TF_GATHER and TF_INLINE without TF_DIRECT", BINDERD_TF_GATHER | BINDERD_TF_INLINE,
	         0, good_size, 0, good},
	};
	/* A valid object with its offset: only the objects rule refuses it. */
	struct flat_binder_object object = {.hdr.type = BINDER_TYPE_BINDER, .binder = 0x1000};
	memcpy(memory->page + OBJECT_AT, &object, sizeof(object));
	memset(memory->page + OFFSETS_AT, 0, sizeof(binder_size_t));

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (expect_refused(report, abuser, memory, &calls[i]) < 0)
			return -1;
	return 0;
}

/* A probe that names the wrong value: no direct reads, so no gathering. */
static int lying_probe(struct abuse_report *report, const struct gather_memory *memory)
{
	struct raw_abuser abuser;
	int error = open_with_probe(&abuser, gather_probe_word ^ 1);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	uint32_t flags = abuser.process.hello_flags;
	struct binder_transaction_data reply;
	int outcome =
	        gather_call(&abuser, BINDERD_TF_DIRECT | BINDERD_TF_GATHER,
	                    address_of(memory->good_list), memory->expected_size, 0, 0, &reply);
	error = raw_echo_call(&abuser);
	raw_abuser_close(&abuser);
	EXPECT(report, !(flags & BINDERD_HELLO_GATHER_READS), "gather reads on a lying probe");
	EXPECT(report, outcome == (int)BR_FAILED_REPLY, "a gathered call on a lying probe: %#x",
	       (unsigned)outcome);
	EXPECT(report, error == 0, "echo call after: %d", error);
	return 0;
}

/* An honest probe: gathered calls work, and every hostile list fails. */
static int honest_probe(struct abuse_report *report, struct gather_memory *memory)
{
	struct raw_abuser abuser;
	int error = open_with_probe(&abuser, gather_probe_word);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	bool direct = abuser.process.direct_reads;
	bool offered = (abuser.process.hello_flags & BINDERD_HELLO_GATHER_READS) != 0;
	int result = 0;
	/* Without direct reads (no ptrace right, no pidfd) the rest cannot be
	 * exercised here. */
	if (offered != direct)
		result = abuse_fail(report, __FILE__, __LINE__, "gather reads %s, direct reads %s",
		                    offered ? "on" : "off", direct ? "on" : "off");
	else if (direct)
		result = expect_gathered(report, &abuser, memory, "first");
	if (result == 0 && direct)
		result = hostile_lists(report, &abuser, memory);
	raw_abuser_close(&abuser);
	return result;
}

int abuse_gathered_payloads(struct abuse_report *report)
{
	struct gather_memory memory;
	int error = gather_memory_open(&memory);
	EXPECT(report, error == 0, "memory: %s", strerror(-error));
	int result = lying_probe(report, &memory);
	if (result == 0)
		result = honest_probe(report, &memory);
	gather_memory_close(&memory);
	return result;
}

/* ---- quiet writes ---- */

/* Sends a BINDER_WRITE_READ with BINDERD_WR_QUIET and reads nothing. */
static int quiet_write(struct raw_abuser *abuser, const struct bc_stream *stream)
{
	struct binderd_write_read header = {.write_size = stream->size, .flags = BINDERD_WR_QUIET};
	uint8_t payload[sizeof(header) + QUIET_STREAM_MAX];
	if (stream->size > QUIET_STREAM_MAX)
		return -EINVAL;
	memcpy(payload, &header, sizeof(header));
	memcpy(payload + sizeof(header), stream->bytes, stream->size);
	return raw_send_request(abuser->thread.fd, BINDERD_OP_IOCTL, BINDER_WRITE_READ, payload,
	                        sizeof(header) + stream->size, NULL, 0, 0);
}

/* The next message on the channel answers the next request: BINDER_VERSION
 * gets its own RESULT, not one left over from a quiet write (whose payload
 * would not fit struct binder_version). 0 or -errno. */
static int channel_in_step(struct raw_abuser *abuser)
{
	struct binder_version version = {0};
	int status = raw_ioctl(&abuser->thread, BINDER_VERSION, NULL, 0, &version, sizeof(version));
	if (status == 0 && version.protocol_version != BINDER_CURRENT_PROTOCOL_VERSION)
		return -EPROTO;
	return status;
}

/* Quiet write of stream, then the channel is in step and the abuser works. */
static int expect_quiet(struct abuse_report *report, struct raw_abuser *abuser,
                        const struct bc_stream *stream, const char *what)
{
	int error = quiet_write(abuser, stream);
	EXPECT(report, error == 0, "quiet write of %s: %s", what, strerror(-error));
	error = channel_in_step(abuser);
	EXPECT(report, error == 0, "BINDER_VERSION after a quiet write of %s: %d", what, error);
	error = raw_echo_call(abuser);
	EXPECT(report, error == 0, "echo call after a quiet write of %s: %d", what, error);
	return 0;
}

/* A write-only call to a bad handle leaves a return error waiting for the
 * thread (a write stops there until it is read, and a quiet write's caller
 * never sends again): a quiet BC_FREE_BUFFER sent meanwhile is taken all
 * the same (were it dropped, the third reply would not fit the receive
 * area), and the error is read after. */
static int quiet_free_past_an_error(struct abuse_report *report, struct raw_abuser *abuser,
                                    struct bc_stream *stream)
{
	for (int round = 0; round < QUIET_ROUNDS; round++) {
		bc_reset(stream);
		bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_ECHO, 0, 0,
		                   QUIET_REPLY_SIZE, 0, 0, 0);
		struct binder_transaction_data reply;
		int outcome = call_keeping_reply(abuser, stream, false, &reply);
		EXPECT(report, outcome == (int)BR_REPLY,
		       "echo call %d, the frees sent past an error: outcome %#x", round,
		       (unsigned)outcome);
		bc_reset(stream);
		bc_add_transaction(stream, BC_TRANSACTION, BAD_HANDLE, ECHO_CODE_ECHO, 0, 0,
		                   SMALL_DATA_SIZE, 0, 0, 0);
		uint64_t consumed = 0;
		int status = raw_write_only(abuser, stream, &consumed);
		EXPECT(report, status == 0 && consumed == stream->size,
		       "write-only call to a bad handle: status %d, %llu bytes consumed", status,
		       (unsigned long long)consumed);
		bc_reset(stream);
		add_free_buffer(stream, reply.data.ptr.buffer);
		int error = quiet_write(abuser, stream);
		EXPECT(report, error == 0, "quiet free past an error: %s", strerror(-error));
		int got = raw_read_pending(abuser);
		EXPECT(report,
		       got > 0 && br_count(abuser->result->read, (size_t)got, BR_FAILED_REPLY) == 1,
		       "the error left waiting, read after the quiet free: %d", got);
		error = channel_in_step(abuser);
		EXPECT(report, error == 0, "BINDER_VERSION after a quiet free past an error: %d",
		       error);
	}
	return 0;
}

int abuse_quiet_writes(struct abuse_report *report)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct bc_stream *stream = malloc(sizeof(*stream));
	int result = -1;
	if (!stream) {
		abuse_fail(report, __FILE__, __LINE__, "out of memory");
		goto out;
	}
	if (!(abuser.process.hello_flags & BINDERD_HELLO_QUIET_WRITES)) {
		abuse_fail(report, __FILE__, __LINE__, "HELLO does not offer quiet writes");
		goto out;
	}

	/* Every reply given back quietly: were the frees not taken, the
	 * third reply would not fit the receive area. */
	uint64_t random = 0x7175696574;
	for (int round = 0; round < QUIET_ROUNDS; round++) {
		abuse_random_fill(&random, abuser.thread.send_area, QUIET_REPLY_SIZE);
		bc_reset(stream);
		bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_ECHO, 0, 0,
		                   QUIET_REPLY_SIZE, 0, 0, 0);
		struct binder_transaction_data reply;
		int outcome = call_keeping_reply(&abuser, stream, false, &reply);
		if (outcome != (int)BR_REPLY) {
			abuse_fail(report, __FILE__, __LINE__, "echo call %d: outcome %#x", round,
			           (unsigned)outcome);
			goto out;
		}
		const uint8_t *bytes = reply_bytes(&abuser, &reply);
		if (!bytes || reply.data_size != QUIET_REPLY_SIZE ||
		    memcmp(bytes, abuser.thread.send_area, QUIET_REPLY_SIZE) != 0) {
			abuse_fail(report, __FILE__, __LINE__, "echo call %d: wrong reply", round);
			goto out;
		}
		bc_reset(stream);
		add_free_buffer(stream, reply.data.ptr.buffer);
		if (expect_quiet(report, &abuser, stream, "BC_FREE_BUFFER of a reply") < 0)
			goto out;
	}

	if (quiet_free_past_an_error(report, &abuser, stream) < 0)
		goto out;

	/* Frees of what is no buffer, an unknown command, nothing at all. */
	bc_reset(stream);
	add_free_buffer(stream, BOGUS_BUFFER);
	add_free_buffer(stream, (binder_uintptr_t)(uintptr_t)abuser.process.area + 8);
	if (expect_quiet(report, &abuser, stream, "bogus BC_FREE_BUFFERs") < 0)
		goto out;
	bc_reset(stream);
	bc_add_u32(stream, UNKNOWN_COMMAND);
	if (expect_quiet(report, &abuser, stream, "an unknown command") < 0)
		goto out;
	bc_reset(stream);
	if (expect_quiet(report, &abuser, stream, "nothing") < 0)
		goto out;

	/* Quiet, yet asking to read: refused, with a RESULT. */
	bc_reset(stream);
	add_free_buffer(stream, BOGUS_BUFFER);
	error = raw_write_read(&abuser.thread, stream->bytes, stream->size, CALL_READ_SIZE,
	                       BINDERD_WR_QUIET, abuser.result, RAW_WAIT_MS);
	if (error < 0) {
		abuse_fail(report, __FILE__, __LINE__, "quiet write that reads: no answer: %s",
		           strerror(-error));
		goto out;
	}
	if (abuser.result->status != -EINVAL || abuser.result->write_consumed != 0) {
		abuse_fail(report, __FILE__, __LINE__,
		           "quiet write that reads: status %d, %llu bytes consumed",
		           abuser.result->status,
		           (unsigned long long)abuser.result->write_consumed);
		goto out;
	}
	error = channel_in_step(&abuser);
	if (error == 0)
		error = raw_echo_call(&abuser);
	if (error != 0) {
		abuse_fail(report, __FILE__, __LINE__, "after a quiet write that reads: %d", error);
		goto out;
	}
	result = 0;
out:
	free(stream);
	raw_abuser_close(&abuser);
	return result;
}
