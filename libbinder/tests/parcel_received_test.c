/*
 * parcel_received_test.c - parcels over buffers "from the driver"
 * (binder_parcel_adopt_received): the offset rules, release called exactly
 * once, received fds owned and closed; fds written and read (borrowed,
 * owned, duplicated); the raw view and binder_parcel_new_from_raw; objects
 * read only where one was written.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <linux/android/binder.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parcel_internal.h"
#include "parcel_test_util.h"

struct release_record {
	int calls;
	const void *data;
};

static void record_release(void *arg, const void *data)
{
	struct release_record *record = arg;
	record->calls++;
	record->data = data;
}

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void put_flat(uint8_t *buffer, size_t offset, uint32_t type, uint64_t value)
{
	struct flat_binder_object flat;
	memset(&flat, 0, sizeof(flat));
	flat.hdr.type = type;
	if (type == BINDER_TYPE_FD || type == BINDER_TYPE_HANDLE)
		flat.handle = (uint32_t)value;
	else
		flat.binder = value;
	memcpy(buffer + offset, &flat, sizeof(flat));
}

Test(parcel_received, plain_buffer_reads_and_release_once)
{
	const int32_t words[] = {7, -7};
	struct release_record record = {0};
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_adopt_received(parcel, NULL, words, sizeof(words), NULL, 0,
	                                          record_release, &record),
	             BINDER_OK);
	int32_t value;
	cr_assert_eq(binder_parcel_read_int32(parcel, &value), BINDER_OK);
	cr_assert_eq(value, 7);
	cr_assert_eq(binder_parcel_write_int32(parcel, 1), BINDER_INVALID_OPERATION);
	cr_assert_eq(binder_parcel_write_string16(parcel, "x"), BINDER_INVALID_OPERATION);
	cr_assert_eq(binder_parcel_write_object(parcel, NULL), BINDER_INVALID_OPERATION);
	cr_assert_eq(binder_parcel_write_fd(parcel, 0), BINDER_INVALID_OPERATION);
	cr_assert_eq(binder_parcel_write_dup_fd(parcel, 0), BINDER_INVALID_OPERATION);
	cr_assert_eq(binder_parcel_data_size(parcel), sizeof(words));
	cr_assert_eq(binder_parcel_data(parcel), (const uint8_t *)words);
	cr_assert_eq(record.calls, 0);
	binder_parcel_reset(parcel);
	cr_assert_eq(record.calls, 1);
	cr_assert_eq(record.data, words);
	/* Writable again after the reset. */
	cr_assert_eq(binder_parcel_write_int32(parcel, 1), BINDER_OK);
	binder_parcel_free(parcel);
	cr_assert_eq(record.calls, 1);

	/* Freeing a received parcel releases too; so does adopting again. */
	parcel = binder_parcel_new();
	struct release_record first = {0}, second = {0};
	binder_parcel_adopt_received(parcel, NULL, words, sizeof(words), NULL, 0, record_release,
	                             &first);
	binder_parcel_adopt_received(parcel, NULL, words, 4, NULL, 0, record_release, &second);
	cr_assert_eq(first.calls, 1);
	cr_assert_eq(second.calls, 0);
	binder_parcel_free(parcel);
	cr_assert_eq(second.calls, 1);
}

static void expect_refused(const uint8_t *data, size_t size, const binder_size_t *offsets,
                           size_t count, const char *what)
{
	struct release_record record = {0};
	binder_parcel *parcel = binder_parcel_new();
	binder_parcel_write_int32(parcel, 5); /* emptied by the adopt */
	cr_assert_eq(binder_parcel_adopt_received(parcel, NULL, data, size, offsets, count,
	                                          record_release, &record),
	             BINDER_BAD_VALUE, "%s", what);
	cr_assert_eq(record.calls, 1, "%s: release called once", what);
	cr_assert_eq(record.data, data);
	cr_assert_eq(binder_parcel_data_size(parcel), 0, "%s: empty", what);
	cr_assert_eq(binder_parcel_object_count(parcel), 0);
	binder_parcel_free(parcel);
	cr_assert_eq(record.calls, 1, "%s: not released again", what);
}

Test(parcel_received, offsets_are_checked)
{
	uint64_t storage[16] = {0};
	uint8_t *data = (uint8_t *)storage;
	put_flat(data, 0, BINDER_TYPE_HANDLE, 1);
	put_flat(data, 28, BINDER_TYPE_HANDLE, 2);
	put_flat(data, 60, BINDER_TYPE_HANDLE, 3);
	size_t size = 96;

	binder_size_t misaligned[] = {2};
	expect_refused(data, size, misaligned, 1, "misaligned");
	binder_size_t overlapping[] = {0, 20};
	expect_refused(data, size, overlapping, 2, "overlapping");
	binder_size_t descending[] = {28, 0};
	expect_refused(data, size, descending, 2, "descending");
	binder_size_t twice[] = {28, 28};
	expect_refused(data, size, twice, 2, "same offset twice");
	binder_size_t outside[] = {96};
	expect_refused(data, size, outside, 1, "outside");
	binder_size_t straddling[] = {76};
	expect_refused(data, size, straddling, 1, "straddling the end");
	binder_size_t huge[] = {(binder_size_t)-4};
	expect_refused(data, size, huge, 1, "huge offset");
	binder_size_t unknown_type[] = {0, 32}; /* 32: zeros, not a type */
	expect_refused(data, size, unknown_type, 2, "unknown type");
	put_flat(data, 60, BINDER_TYPE_PTR, 0);
	binder_size_t pointer_type[] = {0, 60};
	expect_refused(data, size, pointer_type, 2, "PTR object");
	put_flat(data, 60, BINDER_TYPE_FDA, 0);
	expect_refused(data, size, pointer_type, 2, "FDA object");
	expect_refused(NULL, 8, NULL, 0, "no data");
	expect_refused(data, size, NULL, 1, "no offsets");
	binder_size_t many[5] = {0, 24, 48, 72, 96};
	expect_refused(data, 100, many, 5, "more objects than fit");

	/* The good ones are accepted. */
	binder_size_t good[] = {0, 28};
	struct release_record record = {0};
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_adopt_received(parcel, NULL, data, size, good, 2, record_release,
	                                          &record),
	             BINDER_OK);
	size_t count;
	const binder_size_t *offsets = binder_parcel_offsets(parcel, &count);
	cr_assert_eq(count, 2);
	cr_assert_eq(offsets[0], 0);
	cr_assert_eq(offsets[1], 28);
	cr_assert(!binder_parcel_has_fds(parcel));
	/* No context to resolve handles in: an error, not a crash. */
	struct binder_parcel_object object;
	cr_assert_eq(binder_parcel_object_at(parcel, 0, &object), BINDER_NO_INIT);
	cr_assert_eq(binder_parcel_object_at(parcel, 2, &object), BINDER_BAD_INDEX);
	binder_parcel_free(parcel);
	cr_assert_eq(record.calls, 1);
}

Test(parcel_received, fds_are_owned_and_closed)
{
	int pipe_fds[2];
	cr_assert_eq(pipe(pipe_fds), 0);
	uint64_t storage[8] = {0};
	uint8_t *data = (uint8_t *)storage;
	put_flat(data, 4, BINDER_TYPE_FD, (uint64_t)pipe_fds[0]);
	put_flat(data, 28, BINDER_TYPE_FD, (uint64_t)pipe_fds[1]);
	binder_size_t offsets[] = {4, 28};
	struct release_record record = {0};
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_adopt_received(parcel, NULL, data, 52, offsets, 2,
	                                          record_release, &record),
	             BINDER_OK);
	cr_assert(binder_parcel_has_fds(parcel));
	cr_assert_eq(binder_parcel_set_position(parcel, 4), BINDER_OK);
	int fd = -1, copy = -1;
	cr_assert_eq(binder_parcel_read_fd(parcel, &fd), BINDER_OK);
	cr_assert_eq(fd, pipe_fds[0]);
	cr_assert_eq(binder_parcel_read_dup_fd(parcel, &copy), BINDER_OK);
	cr_assert_neq(copy, pipe_fds[1]);
	cr_assert(fcntl(copy, F_GETFD) & FD_CLOEXEC);
	struct binder_parcel_object object;
	cr_assert_eq(binder_parcel_object_at(parcel, 1, &object), BINDER_OK);
	cr_assert_eq(object.kind, BINDER_PARCEL_OBJECT_FD);
	cr_assert_eq(object.fd, pipe_fds[1]);
	cr_assert_eq(object.offset, 28);
	binder_parcel_free(parcel);
	cr_assert_eq(record.calls, 1);
	cr_assert(!fd_is_open(pipe_fds[0]), "received fds closed with the parcel");
	cr_assert(!fd_is_open(pipe_fds[1]));
	cr_assert(fd_is_open(copy), "the duplicate is the caller's");
	close(copy);
}

Test(parcel_received, fds_closed_when_refused_for_a_type)
{
	int pipe_fds[2];
	cr_assert_eq(pipe(pipe_fds), 0);
	uint64_t storage[8] = {0};
	uint8_t *data = (uint8_t *)storage;
	put_flat(data, 0, BINDER_TYPE_FD, (uint64_t)pipe_fds[0]);
	put_flat(data, 24, BINDER_TYPE_PTR, 0);
	binder_size_t offsets[] = {0, 24};
	expect_refused(data, 48, offsets, 2, "fd then PTR");
	cr_assert(!fd_is_open(pipe_fds[0]));
	cr_assert(fd_is_open(pipe_fds[1]));
	close(pipe_fds[1]);
}

Test(parcel_received, fds_written_borrowed_or_owned)
{
	int pipe_fds[2];
	cr_assert_eq(pipe(pipe_fds), 0);
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_fd(parcel, -1), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_write_dup_fd(parcel, -1), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_write_int32(parcel, 1), BINDER_OK);
	cr_assert_eq(binder_parcel_write_fd(parcel, pipe_fds[0]), BINDER_OK);
	cr_assert_eq(binder_parcel_write_dup_fd(parcel, pipe_fds[1]), BINDER_OK);
	cr_assert_eq(binder_parcel_data_size(parcel), 4 + 24 + 24);
	cr_assert(binder_parcel_has_fds(parcel));
	size_t count;
	const binder_size_t *offsets = binder_parcel_offsets(parcel, &count);
	cr_assert_eq(count, 2);
	cr_assert_eq(offsets[0], 4);
	cr_assert_eq(offsets[1], 28);
	struct flat_binder_object flat;
	memcpy(&flat, binder_parcel_data(parcel) + 4, sizeof(flat));
	cr_assert_eq(flat.hdr.type, BINDER_TYPE_FD);
	cr_assert_eq(flat.flags, 0);
	cr_assert_eq(flat.handle, (uint32_t)pipe_fds[0]);
	cr_assert_eq(flat.cookie, 0, "borrowed");
	memcpy(&flat, binder_parcel_data(parcel) + 28, sizeof(flat));
	int owned = (int)flat.handle;
	cr_assert_neq(owned, pipe_fds[1]);
	cr_assert_eq(flat.cookie, 1, "owned");

	binder_parcel_set_position(parcel, 0);
	int fd;
	cr_assert_eq(binder_parcel_read_fd(parcel, &fd), BINDER_BAD_TYPE, "no fd at 0");
	cr_assert_eq(binder_parcel_position(parcel), 0);
	binder_parcel_set_position(parcel, 4);
	int32_t value;
	cr_assert_eq(binder_parcel_read_int32(parcel, &value), BINDER_BAD_VALUE,
	             "an object's bytes are not plain data");
	cr_assert_eq(binder_parcel_read_fd(parcel, &fd), BINDER_OK);
	cr_assert_eq(fd, pipe_fds[0]);
	binder_object *object = (binder_object *)1;
	cr_assert_eq(binder_parcel_read_object(parcel, &object), BINDER_BAD_TYPE,
	             "an fd is not a binder");
	cr_assert_eq(object, (binder_object *)1);
	cr_assert_eq(binder_parcel_read_fd(parcel, &fd), BINDER_OK);
	cr_assert_eq(fd, owned);
	/* Nothing can be written over an object. */
	binder_parcel_set_position(parcel, 0);
	cr_assert_eq(binder_parcel_write_int64(parcel, 1), BINDER_INVALID_OPERATION);
	cr_assert_eq(binder_parcel_write_int32(parcel, 9), BINDER_OK);

	binder_parcel_free(parcel);
	cr_assert(fd_is_open(pipe_fds[0]), "borrowed fd left open");
	cr_assert(fd_is_open(pipe_fds[1]));
	cr_assert(!fd_is_open(owned), "owned duplicate closed");
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

Test(parcel_received, no_object_where_none_was_written)
{
	binder_parcel *parcel = binder_parcel_new();
	binder_parcel_write_int32(parcel, 1);
	/* Bytes that look like a binder and a handle, written as plain data. */
	uint8_t fake[28] = {0};
	put_flat(fake, 0, BINDER_TYPE_HANDLE, 0);
	binder_parcel_write_raw(parcel, fake, sizeof(fake));
	put_flat(fake, 0, BINDER_TYPE_BINDER, 0x1234);
	binder_parcel_write_raw(parcel, fake, sizeof(fake));
	put_flat(fake, 0, BINDER_TYPE_FD, 0);
	binder_parcel_write_raw(parcel, fake, sizeof(fake));
	for (size_t position = 0; position < binder_parcel_data_size(parcel); position += 4) {
		binder_parcel_set_position(parcel, position);
		binder_object *object = (binder_object *)1;
		int fd = 77;
		cr_assert_eq(binder_parcel_read_object(parcel, &object), BINDER_BAD_TYPE,
		             "position %zu", position);
		cr_assert_eq(object, (binder_object *)1);
		cr_assert_eq(binder_parcel_read_fd(parcel, &fd), BINDER_BAD_TYPE);
		cr_assert_eq(binder_parcel_read_dup_fd(parcel, &fd), BINDER_BAD_TYPE);
		cr_assert_eq(fd, 77);
		cr_assert_eq(binder_parcel_position(parcel), position);
	}
	binder_parcel_free(parcel);
}

Test(parcel_received, null_binder)
{
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_object(parcel, NULL), BINDER_OK);
	cr_assert_eq(binder_parcel_object_count(parcel), 0, "a null binder has no offset");
	cr_assert_eq(binder_parcel_data_size(parcel), 28);
	struct flat_binder_object flat;
	memcpy(&flat, binder_parcel_data(parcel), sizeof(flat));
	cr_assert_eq(flat.hdr.type, BINDER_TYPE_BINDER);
	cr_assert_eq(flat.binder, 0);
	cr_assert_eq(flat.cookie, 0);
	int32_t stability;
	memcpy(&stability, binder_parcel_data(parcel) + 24, 4);
	cr_assert_eq(stability, 0, "null binders are UNDECLARED, as AOSP writes them");
	binder_parcel_set_position(parcel, 0);
	binder_object *object = (binder_object *)1;
	cr_assert_eq(binder_parcel_read_object(parcel, &object), BINDER_OK);
	cr_assert_null(object);
	cr_assert_eq(binder_parcel_position(parcel), 28);
	binder_parcel_free(parcel);

	/* A null binder whose stability is missing or not UNDECLARED. */
	uint8_t bytes[28] = {0};
	put_flat(bytes, 0, BINDER_TYPE_BINDER, 0);
	parcel = parcel_from_bytes(bytes, 24);
	cr_assert_eq(binder_parcel_read_object(parcel, &object), BINDER_BAD_TYPE);
	binder_parcel_free(parcel);
	bytes[24] = 0x0c;
	parcel = parcel_from_bytes(bytes, 28);
	cr_assert_eq(binder_parcel_read_object(parcel, &object), BINDER_BAD_TYPE);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	binder_parcel_free(parcel);
}

Test(parcel_received, raw_view_round_trip_with_fds)
{
	int pipe_fds[2];
	cr_assert_eq(pipe(pipe_fds), 0);
	binder_parcel *parcel = binder_parcel_new();
	binder_parcel_write_string16(parcel, "before");
	binder_parcel_write_fd(parcel, pipe_fds[0]);
	binder_parcel_write_int64(parcel, -5);
	binder_parcel_write_dup_fd(parcel, pipe_fds[1]);
	binder_parcel_write_string8(parcel, "after");
	cr_assert_eq(binder_parcel_object_count(parcel), 2);
	struct binder_parcel_object objects[2];
	for (size_t i = 0; i < 2; i++)
		cr_assert_eq(binder_parcel_object_at(parcel, i, &objects[i]), BINDER_OK);
	cr_assert_eq(objects[0].kind, BINDER_PARCEL_OBJECT_FD);
	cr_assert_eq(objects[0].fd, pipe_fds[0]);
	cr_assert_eq(objects[1].kind, BINDER_PARCEL_OBJECT_FD);

	binder_parcel *copy = NULL;
	cr_assert_eq(binder_parcel_new_from_raw(binder_parcel_data(parcel),
	                                        binder_parcel_data_size(parcel), objects, 2, &copy),
	             BINDER_OK);
	cr_assert_eq(binder_parcel_data_size(copy), binder_parcel_data_size(parcel));
	cr_assert_eq(binder_parcel_position(copy), 0);
	char *text = NULL;
	cr_assert_eq(binder_parcel_read_string16(copy, &text), BINDER_OK);
	cr_assert_str_eq(text, "before");
	free(text);
	int fd;
	cr_assert_eq(binder_parcel_read_fd(copy, &fd), BINDER_OK);
	cr_assert_neq(fd, pipe_fds[0], "duplicated");
	struct stat original, duplicate;
	fstat(pipe_fds[0], &original);
	fstat(fd, &duplicate);
	cr_assert_eq(original.st_ino, duplicate.st_ino);
	int copied_fd = fd;
	int64_t number;
	cr_assert_eq(binder_parcel_read_int64(copy, &number), BINDER_OK);
	cr_assert_eq(number, -5);
	cr_assert_eq(binder_parcel_read_fd(copy, &fd), BINDER_OK);
	const char *text8;
	cr_assert_eq(binder_parcel_read_string8(copy, &text8), BINDER_OK);
	cr_assert_str_eq(text8, "after");
	binder_parcel_free(copy);
	cr_assert(!fd_is_open(copied_fd), "the copy owns its duplicates");
	binder_parcel_free(parcel);
	cr_assert(fd_is_open(pipe_fds[0]));
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

Test(parcel_received, new_from_raw_rules)
{
	uint8_t data[64] = {0};
	struct binder_parcel_object objects[2] = {
	        {.offset = 0, .kind = BINDER_PARCEL_OBJECT_FD, .fd = 0},
	        {.offset = 24, .kind = BINDER_PARCEL_OBJECT_FD, .fd = 0},
	};
	binder_parcel *parcel = NULL;
	objects[1].offset = 20;
	cr_assert_eq(binder_parcel_new_from_raw(data, 64, objects, 2, &parcel), BINDER_BAD_VALUE);
	objects[1].offset = 26;
	cr_assert_eq(binder_parcel_new_from_raw(data, 64, objects, 2, &parcel), BINDER_BAD_VALUE);
	objects[1].offset = 44;
	cr_assert_eq(binder_parcel_new_from_raw(data, 64, objects, 2, &parcel), BINDER_BAD_VALUE);
	objects[1].offset = 40;
	objects[1].fd = -1;
	cr_assert_eq(binder_parcel_new_from_raw(data, 64, objects, 2, &parcel), BINDER_BAD_VALUE);
	objects[1].fd = 0;
	objects[1].kind = 7;
	cr_assert_eq(binder_parcel_new_from_raw(data, 64, objects, 2, &parcel), BINDER_BAD_VALUE);
	objects[1].kind = BINDER_PARCEL_OBJECT_FD;
	objects[0].offset = 24;
	objects[1].offset = 0;
	cr_assert_eq(binder_parcel_new_from_raw(data, 64, objects, 2, &parcel), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_new_from_raw(NULL, 64, NULL, 0, &parcel), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_new_from_raw(data, 64, NULL, 1, &parcel), BINDER_BAD_VALUE);
	cr_assert_null(parcel);
	/* A size that is not a multiple of 4 is kept. */
	cr_assert_eq(binder_parcel_new_from_raw(data, 7, NULL, 0, &parcel), BINDER_OK);
	cr_assert_eq(binder_parcel_data_size(parcel), 7);
	binder_parcel_free(parcel);
	parcel = NULL;
	cr_assert_eq(binder_parcel_new_from_raw(NULL, 0, NULL, 0, &parcel), BINDER_OK);
	cr_assert_eq(binder_parcel_data_size(parcel), 0);
	binder_parcel_free(parcel);
}
