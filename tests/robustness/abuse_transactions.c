/*
 * abuse_transactions.c - abusive BC_TRANSACTIONs: forged handles, data and
 * offsets outside the send area, object offsets out of bounds, unaligned
 * or overlapping, objects that do not exist or do not fit. Each must end in
 * BR_FAILED_REPLY for the sender (as in the kernel), sync or oneway, while
 * a well-formed control transaction with objects still succeeds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abuses.h"
#include "echo_pair.h"

/* Where the payload and the offsets go in the abuser's send area. */
#define DATA_AT    0
#define OFFSETS_AT 8192

struct wild_call {
	const char *what;
	uint32_t cmd;
	uint32_t handle;
	uint64_t buffer, data_size, offsets, offsets_size, buffers_size;
};

/* Sends the call sync and oneway; both must fail with BR_FAILED_REPLY. */
static int expect_failed(struct abuse_report *report, struct raw_abuser *abuser,
                         struct bc_stream *stream, const struct wild_call *call)
{
	for (int oneway = 0; oneway <= 1; oneway++) {
		bc_reset(stream);
		bc_add_transaction(stream, call->cmd, call->handle, ECHO_CODE_ECHO,
		                   oneway ? TF_ONE_WAY : 0, call->buffer, call->data_size,
		                   call->offsets, call->offsets_size, call->buffers_size);
		int outcome = raw_transact(abuser, stream, oneway);
		EXPECT(report, outcome == (int)BR_FAILED_REPLY, "%s (%s): outcome %#x", call->what,
		       oneway ? "oneway" : "sync", (unsigned)outcome);
	}
	return 0;
}

static int expect_all_failed(struct abuse_report *report, struct raw_abuser *abuser,
                             const struct wild_call *calls, size_t count)
{
	struct bc_stream *stream = malloc(sizeof(*stream));
	EXPECT(report, stream, "out of memory");
	for (size_t i = 0; i < count; i++) {
		if (expect_failed(report, abuser, stream, &calls[i]) < 0) {
			free(stream);
			return -1;
		}
	}
	free(stream);
	return 0;
}

/* Writes data and object offsets into the send area. */
static void stage(struct raw_abuser *abuser, const void *data, size_t data_size,
                  const binder_size_t *offsets, size_t offsets_count)
{
	memcpy(abuser->thread.send_area + DATA_AT, data, data_size);
	memcpy(abuser->thread.send_area + OFFSETS_AT, offsets, offsets_count * sizeof(*offsets));
}

int abuse_forged_handles(struct abuse_report *report)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	memcpy(abuser.thread.send_area, "forged", 6);
	static const uint32_t forged[] = {1, 2, 5, 64, 1000, 0x10000, 0x7fffffff, 0xffffffff};
	for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		struct wild_call call = {
		        "call to a forged handle", BC_TRANSACTION, forged[i], DATA_AT, 6, 0, 0, 0};
		if (expect_all_failed(report, &abuser, &call, 1) < 0)
			return -1;
	}
	/* Forged handles inside the payload, to the real service. */
	static const uint32_t types[] = {BINDER_TYPE_HANDLE, BINDER_TYPE_WEAK_HANDLE};
	for (size_t t = 0; t < 2; t++) {
		for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
			struct flat_binder_object object = {.hdr.type = types[t],
			                                    .handle = forged[i]};
			binder_size_t offset = 0;
			stage(&abuser, &object, sizeof(object), &offset, 1);
			struct wild_call call = {"forged handle object",
			                         BC_TRANSACTION,
			                         0,
			                         DATA_AT,
			                         sizeof(object),
			                         OFFSETS_AT,
			                         sizeof(offset),
			                         0};
			if (expect_all_failed(report, &abuser, &call, 1) < 0)
				return -1;
		}
	}
	error = raw_echo_call(&abuser);
	EXPECT(report, error == 0, "echo call after: %d", error);
	raw_abuser_close(&abuser);
	return 0;
}

int abuse_wild_buffers(struct abuse_report *report)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	uint64_t send = abuser.thread.send_area_size;
	binder_size_t offset = 0;
	struct flat_binder_object object = {.hdr.type = BINDER_TYPE_BINDER, .binder = 0x1000};
	stage(&abuser, &object, sizeof(object), &offset, 1);
	const struct wild_call calls[] = {
	        {"data far outside the send area", BC_TRANSACTION, 0, 1ull << 40, 16, 0, 0, 0},
	        {"data across the end of the send area", BC_TRANSACTION, 0, send - 8, 16, 0, 0, 0},
	        {"data offset overflowing", BC_TRANSACTION, 0, UINT64_MAX - 4, 16, 0, 0, 0},
	        {"data size of 2^40", BC_TRANSACTION, 0, 0, 1ull << 40, 0, 0, 0},
	        {"data size of 2^64-1", BC_TRANSACTION, 0, 0, UINT64_MAX, 0, 0, 0},
	        {"data larger than the send area", BC_TRANSACTION, 0, 0, send + 8, 0, 0, 0},
	        {"offsets outside the send area", BC_TRANSACTION, 0, 0, 24, 1ull << 40, 8, 0},
	        {"offsets across the end", BC_TRANSACTION, 0, 0, 24, send - 4, 8, 0},
	        {"offsets size not a multiple of 8", BC_TRANSACTION, 0, 0, 24, OFFSETS_AT, 7, 0},
	        {"offsets size of 2^40", BC_TRANSACTION, 0, 0, 24, OFFSETS_AT, 1ull << 40, 0},
	        {"offsets size of 2^64-8", BC_TRANSACTION, 0, 0, 24, OFFSETS_AT, UINT64_MAX - 7, 0},
	        {"offsets with no data", BC_TRANSACTION, 0, 0, 0, OFFSETS_AT, 8, 0},
	        {"sg buffers size of 2^40", BC_TRANSACTION_SG, 0, 0, 24, 0, 0, 1ull << 40},
	        {"sg buffers size of 2^64-8", BC_TRANSACTION_SG, 0, 0, 24, 0, 0, UINT64_MAX - 7},
	        {"sg buffers size not aligned", BC_TRANSACTION_SG, 0, 0, 24, 0, 0, 5},
	        {"sg buffers larger than the receive area", BC_TRANSACTION_SG, 0, 0, 24, 0, 0,
	         8ull << 20},
	};
	if (expect_all_failed(report, &abuser, calls, sizeof(calls) / sizeof(calls[0])) < 0)
		return -1;
	raw_abuser_close(&abuser);

	/* A payload larger than the receiver's whole area (1 MiB): no space. */
	struct raw_abuser big;
	error = raw_abuser_open(&big);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	raw_close_thread(&big.thread);
	error = raw_open_thread(&big.process, &big.thread, 4u << 20);
	EXPECT(report, error == 0, "thread with a 4 MiB send area: %s", strerror(-error));
	const struct wild_call too_big = {
	        "2 MiB payload to a 1 MiB area", BC_TRANSACTION, 0, 0, 2u << 20, 0, 0, 0};
	if (expect_all_failed(report, &big, &too_big, 1) < 0)
		return -1;
	error = raw_echo_call(&big);
	EXPECT(report, error == 0, "echo call after: %d", error);
	raw_abuser_close(&big);
	return 0;
}

int abuse_wild_object_offsets(struct abuse_report *report)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	/* Two valid local objects at 0 and 32 in 64 bytes. */
	uint8_t data[64];
	memset(data, 0, sizeof(data));
	struct flat_binder_object object = {.hdr.type = BINDER_TYPE_BINDER};
	object.binder = 0x1000;
	object.cookie = 0x2000;
	memcpy(data, &object, sizeof(object));
	object.binder = 0x3000;
	object.cookie = 0x4000;
	memcpy(data + 32, &object, sizeof(object));

	struct {
		const char *what;
		binder_size_t offsets[2];
		size_t count;
	} cases[] = {
	        {"object offset at the end of the data", {64}, 1},
	        {"object crossing the end of the data", {48}, 1},
	        {"unaligned object offset", {3}, 1},
	        {"unaligned second object", {0, 33}, 2},
	        {"overlapping objects", {0, 8}, 2},
	        {"decreasing offsets", {32, 0}, 2},
	        {"the same object twice", {0, 0}, 2},
	        {"object offset of 2^60", {1ull << 60}, 1},
	        {"object offset of 2^64-4", {UINT64_MAX - 3}, 1},
	};
	struct bc_stream *stream = malloc(sizeof(*stream));
	EXPECT(report, stream, "out of memory");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		stage(&abuser, data, sizeof(data), cases[i].offsets, cases[i].count);
		struct wild_call call = {cases[i].what,
		                         BC_TRANSACTION,
		                         0,
		                         DATA_AT,
		                         sizeof(data),
		                         OFFSETS_AT,
		                         cases[i].count * sizeof(binder_size_t),
		                         0};
		if (expect_failed(report, &abuser, stream, &call) < 0) {
			free(stream);
			return -1;
		}
	}
	/* Control: the same objects at valid offsets go through. */
	binder_size_t valid[2] = {0, 32};
	stage(&abuser, data, sizeof(data), valid, 2);
	bc_reset(stream);
	bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_ECHO, 0, DATA_AT, sizeof(data),
	                   OFFSETS_AT, sizeof(valid), 0);
	int outcome = raw_transact(&abuser, stream, false);
	free(stream);
	EXPECT(report, outcome == (int)BR_REPLY, "valid objects: outcome %#x", (unsigned)outcome);
	raw_abuser_close(&abuser);
	return 0;
}

int abuse_bad_objects(struct abuse_report *report)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct bc_stream *stream = malloc(sizeof(*stream));
	EXPECT(report, stream, "out of memory");
	binder_size_t at_zero = 0;

	/* Object types that do not exist. */
	static const uint32_t bogus_types[] = {0, 1, 0x12345678, 0xffffffff,
	                                       BINDER_TYPE_BINDER + 1};
	for (size_t i = 0; i < sizeof(bogus_types) / sizeof(bogus_types[0]); i++) {
		uint8_t data[64];
		memset(data, 0x5a, sizeof(data));
		memcpy(data, &bogus_types[i], sizeof(uint32_t));
		stage(&abuser, data, sizeof(data), &at_zero, 1);
		struct wild_call call = {"object of a type that does not exist",
		                         BC_TRANSACTION,
		                         0,
		                         DATA_AT,
		                         sizeof(data),
		                         OFFSETS_AT,
		                         sizeof(at_zero),
		                         0};
		if (expect_failed(report, &abuser, stream, &call) < 0)
			goto fail;
	}

	/* A binder object cut short by the end of the data. */
	struct flat_binder_object binder = {.hdr.type = BINDER_TYPE_BINDER, .binder = 0x1000};
	stage(&abuser, &binder, sizeof(binder), &at_zero, 1);
	struct wild_call short_object = {"binder object longer than the data",
	                                 BC_TRANSACTION,
	                                 0,
	                                 DATA_AT,
	                                 16,
	                                 OFFSETS_AT,
	                                 sizeof(at_zero),
	                                 0};
	if (expect_failed(report, &abuser, stream, &short_object) < 0)
		goto fail;

	/* An fd object whose fd was never sent (and a target that takes
	 * none). */
	struct binder_fd_object fd_object = {.hdr.type = BINDER_TYPE_FD, .fd = 0};
	stage(&abuser, &fd_object, sizeof(fd_object), &at_zero, 1);
	struct wild_call fd_call = {"fd object without its fd",
	                            BC_TRANSACTION,
	                            0,
	                            DATA_AT,
	                            sizeof(fd_object),
	                            OFFSETS_AT,
	                            sizeof(at_zero),
	                            0};
	if (expect_failed(report, &abuser, stream, &fd_call) < 0)
		goto fail;

	/* Buffer objects: wild buffer, longer than the sg space, in a plain
	 * transaction, a parent that does not exist or is itself. */
	struct {
		const char *what;
		uint32_t cmd;
		uint64_t buffer, length, buffers_size;
		uint32_t flags;
		uint64_t parent;
	} pointers[] = {
	        {"buffer object outside the send area", BC_TRANSACTION_SG, 1ull << 40, 16, 64, 0,
	         0},
	        {"buffer object longer than the sg space", BC_TRANSACTION_SG, 0, 128, 64, 0, 0},
	        {"buffer object in a plain transaction", BC_TRANSACTION, 0, 16, 0, 0, 0},
	        {"buffer object with a parent that does not exist", BC_TRANSACTION_SG, 0, 16, 64,
	         BINDER_BUFFER_FLAG_HAS_PARENT, 5},
	        {"buffer object that is its own parent", BC_TRANSACTION_SG, 0, 16, 64,
	         BINDER_BUFFER_FLAG_HAS_PARENT, 0},
	        {"buffer object of 2^64-1 bytes", BC_TRANSACTION_SG, 0, UINT64_MAX, 64, 0, 0},
	};
	for (size_t i = 0; i < sizeof(pointers) / sizeof(pointers[0]); i++) {
		struct binder_buffer_object pointer = {
		        .hdr.type = BINDER_TYPE_PTR,
		        .flags = pointers[i].flags,
		        .buffer = pointers[i].buffer,
		        .length = pointers[i].length,
		        .parent = pointers[i].parent,
		};
		stage(&abuser, &pointer, sizeof(pointer), &at_zero, 1);
		struct wild_call call = {pointers[i].what, pointers[i].cmd,         0,
		                         DATA_AT,          sizeof(pointer),         OFFSETS_AT,
		                         sizeof(at_zero),  pointers[i].buffers_size};
		if (expect_failed(report, &abuser, stream, &call) < 0)
			goto fail;
	}

	/* An fd array whose parent does not exist, and one with no parent
	 * buffer before it. */
	struct binder_fd_array_object array = {
	        .hdr.type = BINDER_TYPE_FDA, .num_fds = 2, .parent = 7, .parent_offset = 0};
	stage(&abuser, &array, sizeof(array), &at_zero, 1);
	struct wild_call array_call = {"fd array with a parent that does not exist",
	                               BC_TRANSACTION_SG,
	                               0,
	                               DATA_AT,
	                               sizeof(array),
	                               OFFSETS_AT,
	                               sizeof(at_zero),
	                               64};
	if (expect_failed(report, &abuser, stream, &array_call) < 0)
		goto fail;
	array.num_fds = 1ull << 40;
	array.parent = 0;
	stage(&abuser, &array, sizeof(array), &at_zero, 1);
	array_call.what = "fd array of 2^40 fds that is its own parent";
	if (expect_failed(report, &abuser, stream, &array_call) < 0)
		goto fail;
	free(stream);
	error = raw_echo_call(&abuser);
	EXPECT(report, error == 0, "echo call after: %d", error);
	raw_abuser_close(&abuser);
	return 0;
fail:
	free(stream);
	return -1;
}

int abuse_fds_to_a_target_that_refuses_them(struct abuse_report *report)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct bc_stream *stream = malloc(sizeof(*stream));
	EXPECT(report, stream, "out of memory");
	enum { FDS = 64 };
	int fds[FDS];
	for (int i = 0; i < FDS; i++) {
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		EXPECT(report, fds[i] >= 0, "open /dev/null");
	}
	/* The service's node takes no fds (set as context manager without
	 * FLAT_BINDER_FLAG_ACCEPTS_FDS): the kernel fails the call. */
	for (int round = 0; round < 20; round++) {
		struct binder_fd_object object = {.hdr.type = BINDER_TYPE_FD, .fd = fds[0]};
		binder_size_t at_zero = 0;
		stage(&abuser, &object, sizeof(object), &at_zero, 1);
		bc_reset(stream);
		bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_ECHO,
		                   round % 2 ? TF_ONE_WAY : 0, DATA_AT, sizeof(object), OFFSETS_AT,
		                   sizeof(at_zero), 0);
		int outcome = raw_transact_fds(&abuser, stream, round % 2, fds, 1);
		EXPECT(report, outcome == (int)BR_FAILED_REPLY, "fd to a refusing target: %#x",
		       (unsigned)outcome);
	}
	/* Many fds that no object asks for, with a plain call. */
	for (int round = 0; round < 20; round++) {
		memcpy(abuser.thread.send_area, "fds", 3);
		bc_reset(stream);
		bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_ECHO, 0, 0, 3, 0, 0, 0);
		int outcome = raw_transact_fds(&abuser, stream, false, fds, FDS);
		/* No kernel equivalent: binderd may drop the extra fds or refuse
		 * the call, but must answer (and not keep them: see the memory
		 * test's fd count). */
		EXPECT(report,
		       outcome == (int)BR_REPLY || outcome == (int)BR_FAILED_REPLY ||
		               outcome == -EINVAL,
		       "call with unclaimed fds: %#x", (unsigned)outcome);
	}
	for (int i = 0; i < FDS; i++)
		close(fds[i]);
	free(stream);
	raw_abuser_close(&abuser);
	return 0;
}
