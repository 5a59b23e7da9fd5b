/*
 * parcel_test.c - parcels without binder objects: every value type round
 * trips (edge values included), the wire bytes are AOSP's, every read on
 * a truncated parcel fails without moving, hostile lengths are refused.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parcel_test_util.h"

Test(parcel, empty)
{
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_not_null(parcel);
	cr_assert_eq(binder_parcel_data_size(parcel), 0);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	cr_assert_eq(binder_parcel_data_available(parcel), 0);
	cr_assert_null(binder_parcel_data(parcel));
	cr_assert_eq(binder_parcel_object_count(parcel), 0);
	int32_t value;
	cr_assert_eq(binder_parcel_read_int32(parcel, &value), BINDER_NOT_ENOUGH_DATA);
	binder_parcel_free(parcel);
	binder_parcel_free(NULL);
}

Test(parcel, numbers_round_trip)
{
	binder_parcel *parcel = binder_parcel_new();
	const int32_t ints[] = {0, 1, -1, INT32_MIN, INT32_MAX};
	const int64_t longs[] = {0, -1, INT64_MIN, INT64_MAX};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		cr_assert_eq(binder_parcel_write_int32(parcel, ints[i]), BINDER_OK);
	cr_assert_eq(binder_parcel_write_uint32(parcel, UINT32_MAX), BINDER_OK);
	for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]); i++)
		cr_assert_eq(binder_parcel_write_int64(parcel, longs[i]), BINDER_OK);
	cr_assert_eq(binder_parcel_write_uint64(parcel, UINT64_MAX), BINDER_OK);
	uint32_t nan_bits = 0x7fc00001; /* a NaN with payload */
	float nan_float;
	memcpy(&nan_float, &nan_bits, sizeof(nan_float));
	uint64_t nan_double_bits = 0xfff8000000000123ull;
	double nan_double;
	memcpy(&nan_double, &nan_double_bits, sizeof(nan_double));
	cr_assert_eq(binder_parcel_write_float(parcel, nan_float), BINDER_OK);
	cr_assert_eq(binder_parcel_write_float(parcel, -0.0f), BINDER_OK);
	cr_assert_eq(binder_parcel_write_double(parcel, nan_double), BINDER_OK);
	cr_assert_eq(binder_parcel_write_double(parcel, INFINITY), BINDER_OK);
	cr_assert_eq(binder_parcel_write_bool(parcel, true), BINDER_OK);
	cr_assert_eq(binder_parcel_write_bool(parcel, false), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte(parcel, INT8_MIN), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte(parcel, INT8_MAX), BINDER_OK);
	cr_assert_eq(binder_parcel_data_size(parcel),
	             5 * 4 + 4 + 4 * 8 + 8 + 4 + 4 + 8 + 8 + 4 * 4);
	cr_assert_eq(binder_parcel_position(parcel), binder_parcel_data_size(parcel));

	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		int32_t value;
		cr_assert_eq(binder_parcel_read_int32(parcel, &value), BINDER_OK);
		cr_assert_eq(value, ints[i]);
	}
	uint32_t unsigned32;
	cr_assert_eq(binder_parcel_read_uint32(parcel, &unsigned32), BINDER_OK);
	cr_assert_eq(unsigned32, UINT32_MAX);
	for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
		int64_t value;
		cr_assert_eq(binder_parcel_read_int64(parcel, &value), BINDER_OK);
		cr_assert_eq(value, longs[i]);
	}
	uint64_t unsigned64;
	cr_assert_eq(binder_parcel_read_uint64(parcel, &unsigned64), BINDER_OK);
	cr_assert_eq(unsigned64, UINT64_MAX);
	float float_value;
	cr_assert_eq(binder_parcel_read_float(parcel, &float_value), BINDER_OK);
	cr_assert(memcmp(&float_value, &nan_bits, 4) == 0, "NaN bits kept");
	cr_assert_eq(binder_parcel_read_float(parcel, &float_value), BINDER_OK);
	cr_assert(float_value == 0.0f && signbit(float_value));
	double double_value;
	cr_assert_eq(binder_parcel_read_double(parcel, &double_value), BINDER_OK);
	cr_assert(memcmp(&double_value, &nan_double_bits, 8) == 0, "NaN bits kept");
	cr_assert_eq(binder_parcel_read_double(parcel, &double_value), BINDER_OK);
	cr_assert(isinf(double_value) && double_value > 0);
	bool flag;
	cr_assert_eq(binder_parcel_read_bool(parcel, &flag), BINDER_OK);
	cr_assert(flag);
	cr_assert_eq(binder_parcel_read_bool(parcel, &flag), BINDER_OK);
	cr_assert(!flag);
	int8_t byte;
	cr_assert_eq(binder_parcel_read_byte(parcel, &byte), BINDER_OK);
	cr_assert_eq(byte, INT8_MIN);
	cr_assert_eq(binder_parcel_read_byte(parcel, &byte), BINDER_OK);
	cr_assert_eq(byte, INT8_MAX);
	cr_assert_eq(binder_parcel_data_available(parcel), 0);
	cr_assert_eq(binder_parcel_read_byte(parcel, &byte), BINDER_NOT_ENOUGH_DATA);
	binder_parcel_free(parcel);
}

Test(parcel, wire_bytes_of_values)
{
	binder_parcel *parcel = binder_parcel_new();
	binder_parcel_write_int32(parcel, -2);
	binder_parcel_write_int64(parcel, 0x0102030405060708ll);
	binder_parcel_write_bool(parcel, true);
	binder_parcel_write_byte(parcel, -1);
	binder_parcel_write_float(parcel, 1.0f);
	binder_parcel_write_double(parcel, -2.0);
	binder_parcel_write_raw(parcel, "abcde", 5);
	const uint8_t expected[] = {
	        0xfe, 0xff, 0xff, 0xff,                         /* int32 -2 */
	        0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* int64 */
	        0x01, 0x00, 0x00, 0x00,                         /* bool */
	        0xff, 0xff, 0xff, 0xff,                         /* byte -1 as int32 */
	        0x00, 0x00, 0x80, 0x3f,                         /* 1.0f */
	        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, /* -2.0 */
	        'a',  'b',  'c',  'd',  'e',  0,    0,    0,    /* raw, zero padded */
	};
	assert_parcel_bytes(parcel, expected, sizeof(expected));
	binder_parcel_free(parcel);
}

Test(parcel, wire_bytes_of_strings_and_arrays)
{
	binder_parcel *parcel = binder_parcel_new();
	binder_parcel_write_string16(parcel, "hi");
	binder_parcel_write_string16(parcel, NULL);
	binder_parcel_write_string16(parcel, "");
	binder_parcel_write_string8(parcel, "abc");
	binder_parcel_write_string8(parcel, "abcd");
	binder_parcel_write_string8(parcel, NULL);
	binder_parcel_write_byte_array(parcel, "\x01\x02\x03", 3);
	binder_parcel_write_byte_array(parcel, NULL, 7);
	binder_parcel_write_byte_array(parcel, "", 0);
	const uint8_t expected[] = {
	        2,    0,    0,    0,    'h', 0,   'i', 0,   0, 0, 0, 0, /* String16 "hi" */
	        0xff, 0xff, 0xff, 0xff,                                 /* null String16 */
	        0,    0,    0,    0,    0,   0,   0,   0,               /* "" + 0 unit */
	        3,    0,    0,    0,    'a', 'b', 'c', 0,               /* String8 "abc" */
	        4,    0,    0,    0,    'a', 'b', 'c', 'd', 0, 0, 0, 0,
	        0xff, 0xff, 0xff, 0xff,                   /* null String8 */
	        3,    0,    0,    0,    1,   2,   3,   0, /* byte array */
	        0xff, 0xff, 0xff, 0xff,                   /* null array */
	        0,    0,    0,    0,                      /* empty array */
	};
	assert_parcel_bytes(parcel, expected, sizeof(expected));
	binder_parcel_free(parcel);
}

/* The token IServiceManager calls start with, as AOSP writes it. */
Test(parcel, wire_bytes_of_interface_token)
{
	const char *descriptor = "android.os.IServiceManager";
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_interface_token(parcel, descriptor), BINDER_OK);
	uint8_t expected[72] = {
	        0x00, 0x00, 0x00, 0x80, /* strict mode: PENALTY_GATHER */
	        0xff, 0xff, 0xff, 0xff, /* work source: unset */
	        'T',  'S',  'Y',  'S',  /* 'SYST' little-endian */
	        26,   0,    0,    0,    /* 26 UTF-16 units */
	};
	for (size_t i = 0; i < 26; i++)
		expected[16 + 2 * i] = (uint8_t)descriptor[i];
	/* then a 0 unit and 2 bytes of padding: zeros already */
	assert_parcel_bytes(parcel, expected, sizeof(expected));

	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_enforce_interface(parcel, "android.os.IOther"),
	             BINDER_PERMISSION_DENIED);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	cr_assert_eq(binder_parcel_enforce_interface(parcel, "android.os.IServiceManage"),
	             BINDER_PERMISSION_DENIED);
	cr_assert_eq(binder_parcel_enforce_interface(parcel, descriptor), BINDER_OK);
	cr_assert_eq(binder_parcel_position(parcel), 72);
	binder_parcel_free(parcel);
}

Test(parcel, enforce_interface_without_token)
{
	binder_parcel *parcel = binder_parcel_new();
	binder_parcel_write_int32(parcel, 0);
	binder_parcel_write_int32(parcel, -1);
	binder_parcel_write_int32(parcel, 0x56454e44); /* 'VNDR': not ours */
	binder_parcel_write_string16(parcel, "a.b");
	binder_parcel_set_position(parcel, 0);
	cr_assert_eq(binder_parcel_enforce_interface(parcel, "a.b"), BINDER_BAD_TYPE);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	binder_parcel_free(parcel);

	parcel = binder_parcel_new();
	binder_parcel_write_int32(parcel, 0);
	cr_assert_eq(binder_parcel_set_position(parcel, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_enforce_interface(parcel, "a.b"), BINDER_BAD_TYPE);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	binder_parcel_free(parcel);

	/* A null descriptor in the token is another descriptor. */
	parcel = binder_parcel_new();
	binder_parcel_write_interface_token(parcel, "a.b");
	binder_parcel_set_position(parcel, 12);
	binder_parcel_write_string16(parcel, NULL);
	binder_parcel_set_position(parcel, 0);
	cr_assert_eq(binder_parcel_enforce_interface(parcel, "a.b"), BINDER_PERMISSION_DENIED);
	binder_parcel_free(parcel);
}

Test(parcel, byte_arrays)
{
	binder_parcel *parcel = binder_parcel_new();
	uint8_t bytes[9];
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(0xf0 + i);
	cr_assert_eq(binder_parcel_write_byte_array(parcel, bytes, sizeof(bytes)), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte_array(parcel, NULL, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte_array(parcel, bytes, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_write_byte_array(parcel, bytes, (size_t)INT32_MAX + 1),
	             BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_data_size(parcel), 4 + 12 + 4 + 4);
	binder_parcel_set_position(parcel, 0);
	const void *read;
	size_t length;
	cr_assert_eq(binder_parcel_read_byte_array(parcel, &read, &length), BINDER_OK);
	cr_assert_eq(length, 9);
	cr_assert(memcmp(read, bytes, 9) == 0);
	cr_assert_eq(binder_parcel_read_byte_array(parcel, &read, &length), BINDER_OK);
	cr_assert_null(read);
	cr_assert_eq(length, 0);
	cr_assert_eq(binder_parcel_read_byte_array(parcel, &read, &length), BINDER_OK);
	cr_assert_not_null(read);
	cr_assert_eq(length, 0);
	binder_parcel_free(parcel);
}

Test(parcel, raw_round_trip)
{
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_raw(parcel, "xyz", 3), BINDER_OK);
	cr_assert_eq(binder_parcel_write_int32(parcel, 42), BINDER_OK);
	cr_assert_eq(binder_parcel_write_raw(parcel, NULL, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_write_raw(parcel, NULL, 4), BINDER_BAD_VALUE);
	binder_parcel_set_position(parcel, 0);
	char text[3];
	int32_t value;
	cr_assert_eq(binder_parcel_read_raw(parcel, text, 3), BINDER_OK);
	cr_assert(memcmp(text, "xyz", 3) == 0);
	cr_assert_eq(binder_parcel_position(parcel), 4);
	cr_assert_eq(binder_parcel_read_int32(parcel, &value), BINDER_OK);
	cr_assert_eq(value, 42);
	binder_parcel_free(parcel);
}

Test(parcel, positions)
{
	binder_parcel *parcel = binder_parcel_new();
	binder_parcel_write_int32(parcel, 1);
	binder_parcel_write_int32(parcel, 2);
	cr_assert_eq(binder_parcel_set_position(parcel, 9), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_position(parcel), 8);
	cr_assert_eq(binder_parcel_set_position(parcel, 8), BINDER_OK);
	cr_assert_eq(binder_parcel_set_position(parcel, 4), BINDER_OK);
	cr_assert_eq(binder_parcel_data_available(parcel), 4);
	/* A write in the middle overwrites; the size stays. */
	cr_assert_eq(binder_parcel_write_int32(parcel, 7), BINDER_OK);
	cr_assert_eq(binder_parcel_data_size(parcel), 8);
	binder_parcel_set_position(parcel, 4);
	int32_t value;
	binder_parcel_read_int32(parcel, &value);
	cr_assert_eq(value, 7);
	binder_parcel_reset(parcel);
	cr_assert_eq(binder_parcel_data_size(parcel), 0);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	cr_assert_eq(binder_parcel_write_int32(parcel, 3), BINDER_OK);
	binder_parcel_free(parcel);
}

Test(parcel, bool_and_byte_out_of_range)
{
	const int32_t values[] = {2, -1, INT32_MIN};
	for (size_t i = 0; i < 3; i++) {
		binder_parcel *parcel = parcel_from_bytes(&values[i], 4);
		bool flag = true;
		cr_assert_eq(binder_parcel_read_bool(parcel, &flag), BINDER_BAD_VALUE);
		cr_assert(flag, "out untouched");
		cr_assert_eq(binder_parcel_position(parcel), 0);
		binder_parcel_free(parcel);
	}
	const int32_t bytes[] = {128, -129, 255};
	for (size_t i = 0; i < 3; i++) {
		binder_parcel *parcel = parcel_from_bytes(&bytes[i], 4);
		int8_t byte = 5;
		cr_assert_eq(binder_parcel_read_byte(parcel, &byte), BINDER_BAD_VALUE);
		cr_assert_eq(byte, 5);
		cr_assert_eq(binder_parcel_position(parcel), 0);
		binder_parcel_free(parcel);
	}
}

/* Reads one value of a kind from parcel; the status. */
typedef int (*read_one_fn)(binder_parcel *parcel);

static int read_int32(binder_parcel *parcel)
{
	int32_t out = 0x5a5a5a5a;
	int status = binder_parcel_read_int32(parcel, &out);
	if (status != BINDER_OK)
		cr_assert_eq(out, 0x5a5a5a5a);
	return status;
}
static int read_int64(binder_parcel *parcel)
{
	int64_t out = 77;
	int status = binder_parcel_read_int64(parcel, &out);
	if (status != BINDER_OK)
		cr_assert_eq(out, 77);
	return status;
}
static int read_uint64(binder_parcel *parcel)
{
	uint64_t out;
	return binder_parcel_read_uint64(parcel, &out);
}
static int read_uint32(binder_parcel *parcel)
{
	uint32_t out;
	return binder_parcel_read_uint32(parcel, &out);
}
static int read_float(binder_parcel *parcel)
{
	float out;
	return binder_parcel_read_float(parcel, &out);
}
static int read_double(binder_parcel *parcel)
{
	double out;
	return binder_parcel_read_double(parcel, &out);
}
static int read_bool(binder_parcel *parcel)
{
	bool out;
	return binder_parcel_read_bool(parcel, &out);
}
static int read_byte(binder_parcel *parcel)
{
	int8_t out;
	return binder_parcel_read_byte(parcel, &out);
}
static int read_raw5(binder_parcel *parcel)
{
	char out[5];
	return binder_parcel_read_raw(parcel, out, 5);
}
static int read_byte_array(binder_parcel *parcel)
{
	const void *bytes = (const void *)1;
	size_t length = 99;
	int status = binder_parcel_read_byte_array(parcel, &bytes, &length);
	if (status != BINDER_OK)
		cr_assert(bytes == (const void *)1 && length == 99);
	return status;
}
static int read_string8(binder_parcel *parcel)
{
	const char *out = "untouched";
	int status = binder_parcel_read_string8(parcel, &out);
	if (status != BINDER_OK)
		cr_assert_str_eq(out, "untouched");
	return status;
}
static int read_string16(binder_parcel *parcel)
{
	char *out = NULL;
	int status = binder_parcel_read_string16(parcel, &out);
	free(out);
	return status;
}
static int read_string16_units(binder_parcel *parcel)
{
	const uint16_t *units;
	size_t length;
	return binder_parcel_read_string16_units(parcel, &units, &length);
}
static int read_token(binder_parcel *parcel)
{
	return binder_parcel_enforce_interface(parcel, "a.b.IFoo");
}
static int read_exception(binder_parcel *parcel)
{
	int32_t exception, error;
	char *message = NULL;
	int status = binder_parcel_read_exception(parcel, &exception, &message, &error);
	free(message);
	return status;
}

/* Writes one value of the same kind. */
static void write_values(binder_parcel *parcel, size_t kind)
{
	switch (kind) {
	case 0:
		binder_parcel_write_int32(parcel, 1);
		break;
	case 1:
		binder_parcel_write_int64(parcel, 1);
		break;
	case 2:
		binder_parcel_write_uint64(parcel, 1);
		break;
	case 3:
		binder_parcel_write_uint32(parcel, 1);
		break;
	case 4:
		binder_parcel_write_float(parcel, 1);
		break;
	case 5:
		binder_parcel_write_double(parcel, 1);
		break;
	case 6:
		binder_parcel_write_bool(parcel, true);
		break;
	case 7:
		binder_parcel_write_byte(parcel, 1);
		break;
	case 8:
		binder_parcel_write_raw(parcel, "12345", 5);
		break;
	case 9:
		binder_parcel_write_byte_array(parcel, "123456", 6);
		break;
	case 10:
		binder_parcel_write_string8(parcel, "hello");
		break;
	case 11:
	case 12:
		binder_parcel_write_string16(parcel, "h\xf0\x9f\x98\x80llo");
		break;
	case 13:
		binder_parcel_write_interface_token(parcel, "a.b.IFoo");
		break;
	case 14:
		binder_parcel_write_exception(parcel, BINDER_EX_SERVICE_SPECIFIC, "boom", 3);
		break;
	}
}

Test(parcel, truncated_reads_fail_without_moving)
{
	const read_one_fn readers[] = {
	        read_int32,   read_int64,    read_uint64,         read_uint32, read_float,
	        read_double,  read_bool,     read_byte,           read_raw5,   read_byte_array,
	        read_string8, read_string16, read_string16_units, read_token,  read_exception,
	};
	for (size_t kind = 0; kind < sizeof(readers) / sizeof(readers[0]); kind++) {
		binder_parcel *whole = binder_parcel_new();
		write_values(whole, kind);
		size_t size = binder_parcel_data_size(whole);
		cr_assert_gt(size, 0);
		/* The whole value reads; every shorter prefix fails in place. */
		binder_parcel *parcel = parcel_from_bytes(binder_parcel_data(whole), size);
		cr_assert_eq(readers[kind](parcel), BINDER_OK, "kind %zu", kind);
		cr_assert_eq(binder_parcel_position(parcel), size, "kind %zu", kind);
		binder_parcel_free(parcel);
		for (size_t cut = 0; cut < size; cut++) {
			parcel = parcel_from_bytes(binder_parcel_data(whole), cut);
			int status = readers[kind](parcel);
			cr_assert_neq(status, BINDER_OK, "kind %zu cut %zu", kind, cut);
			cr_assert_eq(binder_parcel_position(parcel), 0, "kind %zu cut %zu", kind,
			             cut);
			binder_parcel_free(parcel);
		}
		binder_parcel_free(whole);
	}
}

Test(parcel, hostile_lengths)
{
	const int32_t lengths[] = {-2, INT32_MIN, INT32_MAX, INT32_MAX - 1, 0x40000000, 9};
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		uint8_t data[12] = {0};
		memcpy(data, &lengths[i], 4);
		const read_one_fn readers[] = {read_byte_array, read_string8, read_string16,
		                               read_string16_units};
		for (size_t r = 0; r < 4; r++) {
			binder_parcel *parcel = parcel_from_bytes(data, sizeof(data));
			int status = readers[r](parcel);
			cr_assert(status == BINDER_BAD_VALUE || status == BINDER_NOT_ENOUGH_DATA,
			          "length %d reader %zu: %d", lengths[i], r, status);
			cr_assert_eq(binder_parcel_position(parcel), 0);
			binder_parcel_free(parcel);
		}
	}
}

Test(parcel, huge_writes_fail)
{
	binder_parcel *parcel = binder_parcel_new();
	static const char small[1];
	/* Refused before the bytes are touched. */
	cr_assert_eq(binder_parcel_write_raw(parcel, small, SIZE_MAX), BINDER_NO_MEMORY);
	cr_assert_eq(binder_parcel_write_raw(parcel, small, SIZE_MAX - 2), BINDER_NO_MEMORY);
	cr_assert_eq(binder_parcel_write_raw(parcel, small, (size_t)INT32_MAX + 10),
	             BINDER_NO_MEMORY);
	cr_assert_eq(binder_parcel_data_size(parcel), 0);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	cr_assert_eq(binder_parcel_write_string16_units(parcel, (const uint16_t *)small,
	                                                (size_t)INT32_MAX),
	             BINDER_BAD_VALUE);
	/* Growth is capped (64 MiB): a parcel can grow to the cap, not past. */
	size_t chunk = 1024 * 1024;
	char *block = calloc(1, chunk);
	size_t written = 0;
	int status = BINDER_OK;
	while (status == BINDER_OK && written <= 128 * chunk) {
		status = binder_parcel_write_raw(parcel, block, chunk);
		if (status == BINDER_OK)
			written += chunk;
	}
	cr_assert_eq(status, BINDER_NO_MEMORY);
	cr_assert_eq(written, 64 * chunk);
	cr_assert_eq(binder_parcel_data_size(parcel), 64 * chunk);
	free(block);
	binder_parcel_free(parcel);
}
