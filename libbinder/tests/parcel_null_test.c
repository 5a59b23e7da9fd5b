/*
 * parcel_null_test.c - null and empty arrays and strings, in every reader
 * that has them: a length of -1 on the wire (AOSP's null) reads as a NULL
 * pointer with a length of 0, an empty value as a non-NULL pointer with a
 * length of 0, whichever reader it is; and the status form of
 * binder_parcel_new.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "parcel_test_util.h"

/* AOSP's null length. */
#define WIRE_NULL_LENGTH (-1)

/* Where a reader that fails to set its outputs would leave them. */
static const char untouched_mark[] = "untouched";
#define UNTOUCHED   ((const void *)untouched_mark)
#define UNSET_COUNT ((size_t)12345)

/* A parcel holding one int32 length and nothing after it. */
static binder_parcel *parcel_with_length(int32_t length)
{
	return parcel_from_bytes(&length, sizeof(length));
}

Test(parcel_null, wire_null_reads_as_null_pointer_and_zero_length)
{
	binder_parcel *parcel;

	/* Byte array. */
	parcel = parcel_with_length(WIRE_NULL_LENGTH);
	const void *bytes = UNTOUCHED;
	size_t length = UNSET_COUNT;
	cr_assert_eq(binder_parcel_read_byte_array(parcel, &bytes, &length), BINDER_OK);
	cr_assert_null(bytes);
	cr_assert_eq(length, 0);
	cr_assert_eq(binder_parcel_data_available(parcel), 0);
	binder_parcel_free(parcel);

	/* String16 as units. */
	parcel = parcel_with_length(WIRE_NULL_LENGTH);
	const uint16_t *units = UNTOUCHED;
	length = UNSET_COUNT;
	cr_assert_eq(binder_parcel_read_string16_units(parcel, &units, &length), BINDER_OK);
	cr_assert_null(units);
	cr_assert_eq(length, 0);
	cr_assert_eq(binder_parcel_data_available(parcel), 0);
	binder_parcel_free(parcel);

	/* String16 as UTF-8. */
	parcel = parcel_with_length(WIRE_NULL_LENGTH);
	char *text = (char *)untouched_mark;
	cr_assert_eq(binder_parcel_read_string16(parcel, &text), BINDER_OK);
	cr_assert_null(text);
	cr_assert_eq(binder_parcel_data_available(parcel), 0);
	binder_parcel_free(parcel);

	/* String8. */
	parcel = parcel_with_length(WIRE_NULL_LENGTH);
	const char *utf8 = untouched_mark;
	cr_assert_eq(binder_parcel_read_string8(parcel, &utf8), BINDER_OK);
	cr_assert_null(utf8);
	cr_assert_eq(binder_parcel_data_available(parcel), 0);
	binder_parcel_free(parcel);
}

Test(parcel_null, writers_write_null_as_minus_one)
{
	binder_parcel *parcel = NULL;
	cr_assert_eq(binder_parcel_create(&parcel), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte_array(parcel, NULL, 7), BINDER_OK);
	cr_assert_eq(binder_parcel_write_string16_units(parcel, NULL, 7), BINDER_OK);
	cr_assert_eq(binder_parcel_write_string16(parcel, NULL), BINDER_OK);
	cr_assert_eq(binder_parcel_write_string8(parcel, NULL), BINDER_OK);
	const int32_t expected[] = {WIRE_NULL_LENGTH, WIRE_NULL_LENGTH, WIRE_NULL_LENGTH,
	                            WIRE_NULL_LENGTH};
	assert_parcel_bytes(parcel, expected, sizeof(expected));
	binder_parcel_free(parcel);
}

Test(parcel_null, empty_reads_as_non_null_pointer_and_zero_length)
{
	binder_parcel *parcel = NULL;
	cr_assert_eq(binder_parcel_create(&parcel), BINDER_OK);
	static const uint8_t no_bytes[1];
	static const uint16_t no_units[1];
	cr_assert_eq(binder_parcel_write_byte_array(parcel, no_bytes, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_write_string16_units(parcel, no_units, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_write_string16(parcel, ""), BINDER_OK);
	cr_assert_eq(binder_parcel_write_string8(parcel, ""), BINDER_OK);
	binder_parcel_set_position(parcel, 0);

	const void *bytes = NULL;
	size_t length = UNSET_COUNT;
	cr_assert_eq(binder_parcel_read_byte_array(parcel, &bytes, &length), BINDER_OK);
	cr_assert_not_null(bytes);
	cr_assert_eq(length, 0);
	const uint16_t *units = NULL;
	length = UNSET_COUNT;
	cr_assert_eq(binder_parcel_read_string16_units(parcel, &units, &length), BINDER_OK);
	cr_assert_not_null(units);
	cr_assert_eq(length, 0);
	char *text = NULL;
	cr_assert_eq(binder_parcel_read_string16(parcel, &text), BINDER_OK);
	cr_assert_str_eq(text, "");
	free(text);
	const char *utf8 = NULL;
	cr_assert_eq(binder_parcel_read_string8(parcel, &utf8), BINDER_OK);
	cr_assert_str_eq(utf8, "");
	cr_assert_eq(binder_parcel_data_available(parcel), 0);
	binder_parcel_free(parcel);
}

Test(parcel_null, null_exception_message_and_binder)
{
	binder_parcel *parcel = NULL;
	cr_assert_eq(binder_parcel_create(&parcel), BINDER_OK);
	cr_assert_eq(binder_parcel_write_exception(parcel, BINDER_EX_ILLEGAL_STATE, NULL, 0),
	             BINDER_OK);
	cr_assert_eq(binder_parcel_write_object(parcel, NULL), BINDER_OK);
	binder_parcel_set_position(parcel, 0);
	int32_t exception = 0;
	char *message = (char *)untouched_mark;
	cr_assert_eq(binder_parcel_read_exception(parcel, &exception, &message, NULL), BINDER_OK);
	cr_assert_eq(exception, BINDER_EX_ILLEGAL_STATE);
	cr_assert_null(message);
	binder_object *object = (binder_object *)untouched_mark;
	cr_assert_eq(binder_parcel_read_object(parcel, &object), BINDER_OK);
	cr_assert_null(object);
	binder_parcel_free(parcel);
}

Test(parcel_null, lengths_below_minus_one_are_refused)
{
	binder_parcel *parcel = parcel_with_length(WIRE_NULL_LENGTH - 1);
	const void *bytes = UNTOUCHED;
	size_t length = UNSET_COUNT;
	cr_assert_eq(binder_parcel_read_byte_array(parcel, &bytes, &length), BINDER_BAD_VALUE);
	cr_assert(bytes == UNTOUCHED && length == UNSET_COUNT);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	binder_parcel_free(parcel);
}

Test(parcel_null, create_is_the_status_form_of_new)
{
	binder_parcel *parcel = NULL;
	cr_assert_eq(binder_parcel_create(&parcel), BINDER_OK);
	cr_assert_not_null(parcel);
	cr_assert_eq(binder_parcel_data_size(parcel), 0);
	binder_parcel_free(parcel);
	cr_assert_eq(binder_parcel_create(NULL), BINDER_BAD_VALUE);
}
