/*
 * parcel_borrowed_test.c - byte arrays a parcel borrows
 * (binder_parcel_write_byte_array_borrowed): the bytes are taken when
 * they are needed, not when written; small arrays, a fourth one and
 * writes not at the end are copied at once; reads and overwrites take the
 * bytes in first; and the payload a transaction describes (a gather list
 * of the parcel's own bytes and the caller's, or the bytes copied in when
 * the device cannot gather or the parcel has objects); and a raw parcel
 * that borrows its whole data (binder_parcel_assign_raw_borrowed).
 */
#include <criterion/criterion.h>
#include <linux/android/binder.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "binderd/socket_protocol.h"
#include "parcel_internal.h"
#include "parcel_test_util.h"

/* Large enough to be borrowed (the minimum is 4 KiB); odd, for padding. */
#define BORROWED_SIZE 5001
#define SMALL_SIZE    100

static uint8_t *filled(size_t size, uint8_t value)
{
	uint8_t *bytes = malloc(size);
	cr_assert_not_null(bytes);
	memset(bytes, value, size);
	return bytes;
}

/* Reads int32 marker, then a byte array of size bytes all equal to value. */
static void expect_array(binder_parcel *parcel, int32_t marker, size_t size, uint8_t value)
{
	int32_t read_marker = 0;
	const uint8_t *bytes = NULL;
	size_t length = 0;

	cr_assert_eq(binder_parcel_read_int32(parcel, &read_marker), BINDER_OK);
	cr_assert_eq(read_marker, marker);
	cr_assert_eq(binder_parcel_read_byte_array(parcel, (const void **)&bytes, &length),
	             BINDER_OK);
	cr_assert_eq(length, size);
	for (size_t i = 0; i < size; i++)
		cr_assert_eq(bytes[i], value, "byte %zu of array %d: %#x, not %#x", i, marker,
		             bytes[i], value);
}

Test(parcel_borrowed, bytes_are_taken_when_read_not_when_written)
{
	binder_parcel *parcel = binder_parcel_new();
	uint8_t *large = filled(BORROWED_SIZE, 'a'), *small = filled(SMALL_SIZE, 's');

	cr_assert_eq(binder_parcel_write_int32(parcel, 1), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte_array_borrowed(parcel, large, BORROWED_SIZE),
	             BINDER_OK);
	cr_assert_eq(binder_parcel_write_int32(parcel, 2), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte_array_borrowed(parcel, small, SMALL_SIZE), BINDER_OK);
	cr_assert_eq(binder_parcel_data_size(parcel),
	             4 + 4 + ((BORROWED_SIZE + 3) & ~3) + 4 + 4 + SMALL_SIZE);
	/* Changed after the write: the borrowed array sees it, the small
	 * one was copied. */
	memset(large, 'b', BORROWED_SIZE);
	memset(small, 't', SMALL_SIZE);
	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	/* Taken in now: later changes do not show. */
	memset(large, 'c', BORROWED_SIZE);
	expect_array(parcel, 1, BORROWED_SIZE, 'b');
	expect_array(parcel, 2, SMALL_SIZE, 's');
	binder_parcel_free(parcel);
	free(large);
	free(small);
}

Test(parcel_borrowed, same_bytes_as_a_copied_array)
{
	binder_parcel *borrowed = binder_parcel_new(), *copied = binder_parcel_new();
	uint8_t *large = filled(BORROWED_SIZE, 0x5a);

	cr_assert_eq(binder_parcel_write_byte_array_borrowed(borrowed, large, BORROWED_SIZE),
	             BINDER_OK);
	cr_assert_eq(binder_parcel_write_int32(borrowed, -1), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte_array(copied, large, BORROWED_SIZE), BINDER_OK);
	cr_assert_eq(binder_parcel_write_int32(copied, -1), BINDER_OK);
	assert_parcel_bytes(borrowed, binder_parcel_data(copied), binder_parcel_data_size(copied));
	binder_parcel_free(borrowed);
	binder_parcel_free(copied);
	free(large);
}

Test(parcel_borrowed, null_array_and_errors)
{
	binder_parcel *parcel = binder_parcel_new();
	const void *bytes = &bytes;
	size_t length = 7;

	cr_assert_eq(binder_parcel_write_byte_array_borrowed(NULL, "x", 1), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_write_byte_array_borrowed(parcel, "x", (size_t)INT32_MAX + 1),
	             BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_data_size(parcel), 0);
	cr_assert_eq(binder_parcel_write_byte_array_borrowed(parcel, NULL, 12345), BINDER_OK);
	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_read_byte_array(parcel, &bytes, &length), BINDER_OK);
	cr_assert_null(bytes);
	cr_assert_eq(length, 0);
	binder_parcel_free(parcel);
}

Test(parcel_borrowed, fourth_array_and_writes_in_the_middle_are_copied)
{
	binder_parcel *parcel = binder_parcel_new();
	uint8_t *arrays[4];

	for (int i = 0; i < 4; i++) {
		arrays[i] = filled(BORROWED_SIZE, (uint8_t)('a' + i));
		cr_assert_eq(binder_parcel_write_int32(parcel, i), BINDER_OK);
		cr_assert_eq(
		        binder_parcel_write_byte_array_borrowed(parcel, arrays[i], BORROWED_SIZE),
		        BINDER_OK);
	}
	for (int i = 0; i < 4; i++)
		memset(arrays[i], 'A' + i, BORROWED_SIZE);
	/* An overwrite of the first marker takes every borrowed array in. */
	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_write_int32(parcel, 0), BINDER_OK);
	for (int i = 0; i < 4; i++)
		memset(arrays[i], 'z', BORROWED_SIZE);
	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	expect_array(parcel, 0, BORROWED_SIZE, 'A');
	expect_array(parcel, 1, BORROWED_SIZE, 'B');
	expect_array(parcel, 2, BORROWED_SIZE, 'C');
	expect_array(parcel, 3, BORROWED_SIZE, 'd'); /* the fourth: copied at once */
	/* Not at the end: copied at once. */
	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_write_int32(parcel, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte_array_borrowed(parcel, arrays[0], BORROWED_SIZE),
	             BINDER_OK);
	memset(arrays[0], 'y', BORROWED_SIZE);
	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	expect_array(parcel, 0, BORROWED_SIZE, 'z');
	binder_parcel_free(parcel);
	for (int i = 0; i < 4; i++)
		free(arrays[i]);
}

Test(parcel_borrowed, describe_gives_a_gather_list_of_both_memories)
{
	binder_parcel *parcel = binder_parcel_new();
	uint8_t *large = filled(BORROWED_SIZE, 'g');
	struct binder_transaction_data transaction = {0};

	cr_assert_eq(binder_parcel_write_int32(parcel, 7), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte_array_borrowed(parcel, large, BORROWED_SIZE),
	             BINDER_OK);
	cr_assert_eq(binder_parcel_write_int32(parcel, 8), BINDER_OK);
	size_t size = binder_parcel_data_size(parcel);
	binder_parcel_describe(parcel, true, &transaction);

	cr_assert(transaction.flags & BINDERD_TF_GATHER);
	cr_assert_eq(transaction.data_size, size);
	cr_assert_eq(transaction.offsets_size, 0);
	const struct binderd_gather_list *list =
	        (const struct binderd_gather_list *)(uintptr_t)transaction.data.ptr.buffer;
	cr_assert_eq(list->count, 3);
	cr_assert_eq(list->reserved, 0);
	/* int32 7 and the length; the caller's bytes; padding and int32 8. */
	cr_assert_eq(list->segments[0].length, 8);
	cr_assert_eq(list->segments[1].address, (uintptr_t)large);
	cr_assert_eq(list->segments[1].length, BORROWED_SIZE);
	cr_assert_eq(list->segments[2].length, 3 + 4);
	cr_assert_eq(list->segments[2].address, list->segments[0].address + 8 + BORROWED_SIZE);
	const uint8_t *tail = (const uint8_t *)(uintptr_t)list->segments[2].address;
	const uint8_t expected_tail[7] = {0, 0, 0, 8, 0, 0, 0};
	cr_assert_eq(memcmp(tail, expected_tail, sizeof(expected_tail)), 0);
	binder_parcel_free(parcel);
	free(large);
}

Test(parcel_borrowed, describe_without_gather_copies_the_bytes_in)
{
	binder_parcel *parcel = binder_parcel_new(), *copied = binder_parcel_new();
	uint8_t *large = filled(BORROWED_SIZE, 'k');
	struct binder_transaction_data transaction = {0};

	cr_assert_eq(binder_parcel_write_byte_array_borrowed(parcel, large, BORROWED_SIZE),
	             BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte_array(copied, large, BORROWED_SIZE), BINDER_OK);
	binder_parcel_describe(parcel, false, &transaction);
	memset(large, 'x', BORROWED_SIZE);
	cr_assert_eq(transaction.flags & BINDERD_TF_GATHER, 0);
	cr_assert_eq(transaction.data_size, binder_parcel_data_size(copied));
	cr_assert_eq(memcmp((const void *)(uintptr_t)transaction.data.ptr.buffer,
	                    binder_parcel_data(copied), transaction.data_size),
	             0);
	binder_parcel_free(parcel);
	binder_parcel_free(copied);
	free(large);
}

Test(parcel_borrowed, reset_lets_go_of_the_bytes)
{
	binder_parcel *parcel = binder_parcel_new();
	uint8_t *large = filled(BORROWED_SIZE, 'r');

	cr_assert_eq(binder_parcel_write_byte_array_borrowed(parcel, large, BORROWED_SIZE),
	             BINDER_OK);
	free(large);
	/* Nothing reads the freed bytes (ASan would tell). */
	binder_parcel_reset(parcel);
	cr_assert_eq(binder_parcel_data_size(parcel), 0);
	cr_assert_eq(binder_parcel_write_int32(parcel, 5), BINDER_OK);
	binder_parcel_free(parcel);
}

/* ---- binder_parcel_assign_raw_borrowed ---- */

#define RAW_SIZE 8192 /* a multiple of 4, above the borrowing minimum */

Test(parcel_borrowed, raw_assign_borrows_the_whole_data)
{
	binder_parcel *parcel = binder_parcel_new();
	uint8_t *data = filled(RAW_SIZE, 'w');
	struct binder_transaction_data transaction = {0};

	cr_assert_eq(binder_parcel_assign_raw_borrowed(parcel, data, RAW_SIZE, NULL, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_data_size(parcel), RAW_SIZE);
	cr_assert_eq(binder_parcel_object_count(parcel), 0);
	binder_parcel_describe(parcel, true, &transaction);
	cr_assert(transaction.flags & BINDERD_TF_GATHER);
	cr_assert_eq(transaction.data_size, RAW_SIZE);
	const struct binderd_gather_list *list =
	        (const struct binderd_gather_list *)(uintptr_t)transaction.data.ptr.buffer;
	cr_assert_eq(list->count, 1);
	cr_assert_eq(list->segments[0].address, (uintptr_t)data);
	cr_assert_eq(list->segments[0].length, RAW_SIZE);
	binder_parcel_free(parcel);
	free(data);
}

Test(parcel_borrowed, raw_assign_borrowed_is_taken_in_when_read)
{
	binder_parcel *parcel = binder_parcel_new();
	uint8_t *data = filled(RAW_SIZE, 'q');
	int32_t first = 0;

	data[0] = 7, data[1] = data[2] = data[3] = 0;
	cr_assert_eq(binder_parcel_assign_raw_borrowed(parcel, data, RAW_SIZE, NULL, 0), BINDER_OK);
	/* The bytes are the caller's until the parcel needs them. */
	data[4] = 'Q';
	const uint8_t *own = binder_parcel_data(parcel);
	cr_assert_neq(own, data);
	cr_assert_eq(memcmp(own, data, RAW_SIZE), 0);
	memset(data, 'x', RAW_SIZE);
	cr_assert_eq(binder_parcel_read_int32(parcel, &first), BINDER_OK);
	cr_assert_eq(first, 7);
	cr_assert_eq(own[4], 'Q');
	cr_assert_eq(own[RAW_SIZE - 1], 'q');
	binder_parcel_free(parcel);
	free(data);
}

Test(parcel_borrowed, raw_assign_borrowed_copies_what_it_cannot_borrow)
{
	uint8_t *data = filled(RAW_SIZE + 1, 'c');
	struct binder_transaction_data transaction;
	size_t sizes[] = {SMALL_SIZE, RAW_SIZE - 2, RAW_SIZE};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		binder_parcel *parcel = binder_parcel_new();
		cr_assert_eq(binder_parcel_assign_raw_borrowed(parcel, data, sizes[i], NULL, 0),
		             BINDER_OK);
		memset(&transaction, 0, sizeof(transaction));
		/* Under 4 KiB or unaligned: copied at once; a device that cannot
		 * gather (the kernel's): copied in when described. */
		binder_parcel_describe(parcel, i != 2, &transaction);
		cr_assert_eq(transaction.flags & BINDERD_TF_GATHER, 0, "size %zu", sizes[i]);
		cr_assert_eq(transaction.data_size, sizes[i]);
		const uint8_t *bytes = (const uint8_t *)(uintptr_t)transaction.data.ptr.buffer;
		cr_assert_neq(bytes, data);
		cr_assert_eq(memcmp(bytes, data, sizes[i]), 0, "size %zu", sizes[i]);
		binder_parcel_free(parcel);
	}
	free(data);
}

Test(parcel_borrowed, raw_assign_borrowed_errors_and_reset)
{
	binder_parcel *parcel = binder_parcel_new();
	uint8_t *data = filled(RAW_SIZE, 'e');

	cr_assert_eq(binder_parcel_assign_raw_borrowed(NULL, data, RAW_SIZE, NULL, 0),
	             BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_assign_raw_borrowed(parcel, NULL, RAW_SIZE, NULL, 0),
	             BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_data_size(parcel), 0);
	cr_assert_eq(binder_parcel_assign_raw_borrowed(parcel, data, RAW_SIZE, NULL, 0), BINDER_OK);
	free(data);
	/* Nothing reads the freed bytes (ASan would tell). */
	binder_parcel_reset(parcel);
	cr_assert_eq(binder_parcel_data_size(parcel), 0);
	cr_assert_eq(binder_parcel_write_int32(parcel, 3), BINDER_OK);
	binder_parcel_free(parcel);
}
