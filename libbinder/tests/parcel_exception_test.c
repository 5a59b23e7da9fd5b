/*
 * parcel_exception_test.c - AIDL's status header (write, read, AOSP's
 * bytes, Java's reply header and stack trace skipped, hostile sizes) and
 * binder_status_to_string.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parcel_test_util.h"

Test(parcel_exception, none)
{
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_no_exception(parcel), BINDER_OK);
	const uint8_t expected[] = {0, 0, 0, 0};
	assert_parcel_bytes(parcel, expected, sizeof(expected));
	binder_parcel_set_position(parcel, 0);
	int32_t exception = 5, error = 5;
	char *message = (char *)1;
	cr_assert_eq(binder_parcel_read_exception(parcel, &exception, &message, &error), BINDER_OK);
	cr_assert_eq(exception, BINDER_EX_NONE);
	cr_assert_null(message);
	cr_assert_eq(error, 0);
	binder_parcel_free(parcel);
}

Test(parcel_exception, service_specific_bytes_and_round_trip)
{
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_exception(parcel, BINDER_EX_SERVICE_SPECIFIC, "no", -42),
	             BINDER_OK);
	const uint8_t expected[] = {
	        0xf8, 0xff, 0xff, 0xff,                             /* -8 */
	        2,    0,    0,    0,    'n', 0, 'o', 0, 0, 0, 0, 0, /* "no" */
	        0,    0,    0,    0,                                /* no remote stack trace */
	        0xd6, 0xff, 0xff, 0xff,                             /* -42 */
	};
	assert_parcel_bytes(parcel, expected, sizeof(expected));
	binder_parcel_set_position(parcel, 0);
	int32_t exception, error;
	char *message = NULL;
	cr_assert_eq(binder_parcel_read_exception(parcel, &exception, &message, &error), BINDER_OK);
	cr_assert_eq(exception, BINDER_EX_SERVICE_SPECIFIC);
	cr_assert_str_eq(message, "no");
	cr_assert_eq(error, -42);
	cr_assert_eq(binder_parcel_data_available(parcel), 0);
	free(message);
	binder_parcel_free(parcel);
}

Test(parcel_exception, other_exceptions)
{
	const int32_t codes[] = {BINDER_EX_SECURITY,
	                         BINDER_EX_BAD_PARCELABLE,
	                         BINDER_EX_ILLEGAL_ARGUMENT,
	                         BINDER_EX_NULL_POINTER,
	                         BINDER_EX_ILLEGAL_STATE,
	                         BINDER_EX_NETWORK_MAIN_THREAD,
	                         BINDER_EX_UNSUPPORTED_OPERATION,
	                         BINDER_EX_PARCELABLE};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		binder_parcel *parcel = binder_parcel_new();
		cr_assert_eq(binder_parcel_write_exception(parcel, codes[i], "why \xe2\x82\xac", 9),
		             BINDER_OK);
		binder_parcel_write_int32(parcel, 1234); /* what follows the header */
		binder_parcel_set_position(parcel, 0);
		int32_t exception, error = 7;
		char *message = NULL;
		cr_assert_eq(binder_parcel_read_exception(parcel, &exception, &message, &error),
		             BINDER_OK);
		cr_assert_eq(exception, codes[i]);
		cr_assert_str_eq(message, "why \xe2\x82\xac");
		cr_assert_eq(error, 0, "service error only for EX_SERVICE_SPECIFIC");
		free(message);
		int32_t after;
		cr_assert_eq(binder_parcel_read_int32(parcel, &after), BINDER_OK);
		cr_assert_eq(after, 1234);
		binder_parcel_free(parcel);
	}
}

Test(parcel_exception, no_message_and_optional_outputs)
{
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_exception(parcel, BINDER_EX_ILLEGAL_STATE, NULL, 0),
	             BINDER_OK);
	cr_assert_eq(binder_parcel_write_exception(parcel, BINDER_EX_TRANSACTION_FAILED, "x", 0),
	             BINDER_BAD_VALUE);
	binder_parcel_set_position(parcel, 0);
	int32_t exception;
	char *message = (char *)1;
	cr_assert_eq(binder_parcel_read_exception(parcel, &exception, &message, NULL), BINDER_OK);
	cr_assert_eq(exception, BINDER_EX_ILLEGAL_STATE);
	cr_assert_null(message);
	binder_parcel_set_position(parcel, 0);
	cr_assert_eq(binder_parcel_read_exception(parcel, &exception, NULL, NULL), BINDER_OK);
	cr_assert_eq(binder_parcel_data_available(parcel), 0);
	binder_parcel_free(parcel);
}

/* Java's Parcel.writeNoException with a StrictMode reply header: -128,
 * then a block sized by its first int32. */
Test(parcel_exception, java_reply_header_is_skipped)
{
	const int32_t words[] = {-128, 12, 0x11111111, 0x22222222, 77};
	binder_parcel *parcel = parcel_from_bytes(words, sizeof(words));
	int32_t exception, value;
	cr_assert_eq(binder_parcel_read_exception(parcel, &exception, NULL, NULL), BINDER_OK);
	cr_assert_eq(exception, BINDER_EX_NONE);
	cr_assert_eq(binder_parcel_read_int32(parcel, &value), BINDER_OK);
	cr_assert_eq(value, 77);
	binder_parcel_free(parcel);
}

Test(parcel_exception, java_stack_trace_is_skipped)
{
	binder_parcel *parcel = binder_parcel_new();
	binder_parcel_write_int32(parcel, BINDER_EX_SERVICE_SPECIFIC);
	binder_parcel_write_string16(parcel, "m");
	binder_parcel_write_int32(parcel, 16); /* stack trace block: size + 12 bytes */
	binder_parcel_write_raw(parcel, "stack trace!", 12);
	binder_parcel_write_int32(parcel, 5);
	binder_parcel_set_position(parcel, 0);
	int32_t exception, error;
	char *message = NULL;
	cr_assert_eq(binder_parcel_read_exception(parcel, &exception, &message, &error), BINDER_OK);
	cr_assert_eq(error, 5);
	cr_assert_str_eq(message, "m");
	free(message);
	binder_parcel_free(parcel);
}

Test(parcel_exception, hostile_block_sizes)
{
	const int32_t sizes[] = {-1, 1, 3, 1000, INT32_MIN, INT32_MAX};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const int32_t reply_header[] = {-128, sizes[i], 0};
		binder_parcel *parcel = parcel_from_bytes(reply_header, sizeof(reply_header));
		int32_t exception = 99;
		cr_assert_eq(binder_parcel_read_exception(parcel, &exception, NULL, NULL),
		             BINDER_BAD_VALUE, "size %d", sizes[i]);
		cr_assert_eq(exception, 99);
		cr_assert_eq(binder_parcel_position(parcel), 0);
		binder_parcel_free(parcel);

		parcel = binder_parcel_new();
		binder_parcel_write_int32(parcel, BINDER_EX_SECURITY);
		binder_parcel_write_string16(parcel, "m");
		binder_parcel_write_int32(parcel, sizes[i]);
		binder_parcel_set_position(parcel, 0);
		char *message = NULL;
		cr_assert_eq(binder_parcel_read_exception(parcel, &exception, &message, NULL),
		             BINDER_BAD_VALUE);
		cr_assert_null(message);
		cr_assert_eq(binder_parcel_position(parcel), 0);
		binder_parcel_free(parcel);
	}
}

Test(status, every_value_has_a_text)
{
	const int statuses[] = {
	        BINDER_OK,
	        BINDER_UNKNOWN_ERROR,
	        BINDER_NO_MEMORY,
	        BINDER_INVALID_OPERATION,
	        BINDER_BAD_VALUE,
	        BINDER_BAD_TYPE,
	        BINDER_NAME_NOT_FOUND,
	        BINDER_PERMISSION_DENIED,
	        BINDER_NO_INIT,
	        BINDER_ALREADY_EXISTS,
	        BINDER_DEAD_OBJECT,
	        BINDER_FAILED_TRANSACTION,
	        BINDER_BAD_INDEX,
	        BINDER_NOT_ENOUGH_DATA,
	        BINDER_WOULD_BLOCK,
	        BINDER_TIMED_OUT,
	        BINDER_UNKNOWN_TRANSACTION,
	        BINDER_FDS_NOT_ALLOWED,
	        BINDER_UNEXPECTED_NULL,
	};
	size_t count = sizeof(statuses) / sizeof(statuses[0]);
	for (size_t i = 0; i < count; i++) {
		const char *text = binder_status_to_string(statuses[i]);
		cr_assert_not_null(text);
		cr_assert_str_neq(text, "unknown status", "status %d", statuses[i]);
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(text, binder_status_to_string(statuses[j]));
	}
	cr_assert_str_eq(binder_status_to_string(BINDER_OK), "OK");
	cr_assert_str_eq(binder_status_to_string(BINDER_DEAD_OBJECT), "dead object");
	cr_assert_str_eq(binder_status_to_string(-ECONNREFUSED), "Connection refused");
	cr_assert_str_eq(binder_status_to_string(12345), "unknown status");
	cr_assert_str_eq(binder_status_to_string(-100000), "unknown status");
	cr_assert_str_eq(binder_status_to_string(INT32_MIN + 3), "unknown status");
}
