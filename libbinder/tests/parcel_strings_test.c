/*
 * parcel_strings_test.c - String8 and String16 in parcels: null versus
 * empty, non-BMP characters as surrogate pairs, strict UTF-8 on writing,
 * malformed UTF-16, missing terminators and embedded NULs on reading.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "parcel_test_util.h"

static const char *const samples[] = {
        "",
        "a",
        "android.os.IServiceManager",
        "caf\xc3\xa9",              /* U+00E9 */
        "\xe2\x82\xac 100",         /* U+20AC */
        "\xf0\x9f\x98\x80 smile",   /* U+1F600: a surrogate pair */
        "\xf4\x8f\xbf\xbf",         /* U+10FFFF, the last code point */
        "\xef\xbf\xbf\xee\x80\x80", /* U+FFFF, U+E000 */
};

Test(parcel_strings, string16_round_trip)
{
	binder_parcel *parcel = binder_parcel_new();
	size_t count = sizeof(samples) / sizeof(samples[0]);
	for (size_t i = 0; i < count; i++)
		cr_assert_eq(binder_parcel_write_string16(parcel, samples[i]), BINDER_OK);
	cr_assert_eq(binder_parcel_write_string16(parcel, NULL), BINDER_OK);
	binder_parcel_set_position(parcel, 0);
	for (size_t i = 0; i < count; i++) {
		char *read = NULL;
		cr_assert_eq(binder_parcel_read_string16(parcel, &read), BINDER_OK);
		cr_assert_not_null(read, "empty is not null");
		cr_assert_str_eq(read, samples[i]);
		free(read);
	}
	char *read = (char *)1;
	cr_assert_eq(binder_parcel_read_string16(parcel, &read), BINDER_OK);
	cr_assert_null(read);
	cr_assert_eq(binder_parcel_data_available(parcel), 0);
	binder_parcel_free(parcel);
}

Test(parcel_strings, string16_units_of_a_pair)
{
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_string16(parcel, "\xf0\x9f\x98\x80x"), BINDER_OK);
	const uint8_t expected[] = {3, 0, 0, 0, 0x3d, 0xd8, 0x00, 0xde, 'x', 0, 0, 0};
	assert_parcel_bytes(parcel, expected, sizeof(expected));
	binder_parcel_set_position(parcel, 0);
	const uint16_t *units;
	size_t length;
	cr_assert_eq(binder_parcel_read_string16_units(parcel, &units, &length), BINDER_OK);
	cr_assert_eq(length, 3);
	cr_assert_eq(units[0], 0xd83d);
	cr_assert_eq(units[1], 0xde00);
	cr_assert_eq(units[2], 'x');
	cr_assert_eq(units[3], 0);
	binder_parcel_free(parcel);
}

Test(parcel_strings, string16_units_round_trip)
{
	const uint16_t units[] = {0xdc00, 0x0041, 0xd800}; /* unpaired: kept as units */
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_string16_units(parcel, units, 3), BINDER_OK);
	cr_assert_eq(binder_parcel_write_string16_units(parcel, units, 0), BINDER_OK);
	cr_assert_eq(binder_parcel_write_string16_units(parcel, NULL, 3), BINDER_OK);
	binder_parcel_set_position(parcel, 0);
	const uint16_t *read;
	size_t length;
	cr_assert_eq(binder_parcel_read_string16_units(parcel, &read, &length), BINDER_OK);
	cr_assert_eq(length, 3);
	cr_assert(memcmp(read, units, sizeof(units)) == 0);
	cr_assert_eq(binder_parcel_read_string16_units(parcel, &read, &length), BINDER_OK);
	cr_assert_not_null(read);
	cr_assert_eq(length, 0);
	cr_assert_eq(binder_parcel_read_string16_units(parcel, &read, &length), BINDER_OK);
	cr_assert_null(read);
	cr_assert_eq(length, 0);
	/* The unpaired surrogates do not convert to UTF-8. */
	binder_parcel_set_position(parcel, 0);
	char *utf8 = NULL;
	cr_assert_eq(binder_parcel_read_string16(parcel, &utf8), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	binder_parcel_free(parcel);
}

Test(parcel_strings, malformed_utf16)
{
	const uint16_t cases[][3] = {
	        {0xd800, 'a', 0},    /* high surrogate without low */
	        {0xdc00, 'a', 0},    /* low surrogate alone */
	        {'a', 0xd83d, 0},    /* high surrogate at the end */
	        {'a', 0x0000, 'b'},  /* embedded 0 unit */
	        {0xd83d, 0xd83d, 0}, /* two highs */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t length = cases[i][2] ? 3 : 2;
		binder_parcel *parcel = binder_parcel_new();
		cr_assert_eq(binder_parcel_write_string16_units(parcel, cases[i], length),
		             BINDER_OK);
		binder_parcel_set_position(parcel, 0);
		char *utf8 = NULL;
		cr_assert_eq(binder_parcel_read_string16(parcel, &utf8), BINDER_BAD_VALUE,
		             "case %zu", i);
		cr_assert_null(utf8);
		cr_assert_eq(binder_parcel_position(parcel), 0);
		binder_parcel_free(parcel);
	}
}

Test(parcel_strings, missing_terminators)
{
	/* String16 of 2 units whose terminator unit is not 0. */
	const uint8_t string16[] = {2, 0, 0, 0, 'a', 0, 'b', 0, 'c', 0, 0, 0};
	binder_parcel *parcel = parcel_from_bytes(string16, sizeof(string16));
	char *utf8 = NULL;
	cr_assert_eq(binder_parcel_read_string16(parcel, &utf8), BINDER_BAD_VALUE);
	const uint16_t *units;
	size_t length;
	cr_assert_eq(binder_parcel_read_string16_units(parcel, &units, &length), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	binder_parcel_free(parcel);
	/* String8 of 3 bytes whose terminator byte is not 0. */
	const uint8_t string8[] = {3, 0, 0, 0, 'a', 'b', 'c', 'd'};
	parcel = parcel_from_bytes(string8, sizeof(string8));
	const char *text = NULL;
	cr_assert_eq(binder_parcel_read_string8(parcel, &text), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	binder_parcel_free(parcel);
	/* String8 with a NUL inside, or not UTF-8. */
	const uint8_t embedded[] = {3, 0, 0, 0, 'a', 0, 'c', 0};
	parcel = parcel_from_bytes(embedded, sizeof(embedded));
	cr_assert_eq(binder_parcel_read_string8(parcel, &text), BINDER_BAD_VALUE);
	binder_parcel_free(parcel);
	const uint8_t latin1[] = {3, 0, 0, 0, 'a', 0xe9, 'c', 0};
	parcel = parcel_from_bytes(latin1, sizeof(latin1));
	cr_assert_eq(binder_parcel_read_string8(parcel, &text), BINDER_BAD_VALUE);
	binder_parcel_free(parcel);
}

Test(parcel_strings, string8_round_trip)
{
	binder_parcel *parcel = binder_parcel_new();
	size_t count = sizeof(samples) / sizeof(samples[0]);
	for (size_t i = 0; i < count; i++)
		cr_assert_eq(binder_parcel_write_string8(parcel, samples[i]), BINDER_OK);
	cr_assert_eq(binder_parcel_write_string8(parcel, NULL), BINDER_OK);
	binder_parcel_set_position(parcel, 0);
	for (size_t i = 0; i < count; i++) {
		const char *read = NULL;
		cr_assert_eq(binder_parcel_read_string8(parcel, &read), BINDER_OK);
		cr_assert_not_null(read);
		cr_assert_str_eq(read, samples[i]);
	}
	const char *read = "x";
	cr_assert_eq(binder_parcel_read_string8(parcel, &read), BINDER_OK);
	cr_assert_null(read);
	binder_parcel_free(parcel);
}

Test(parcel_strings, invalid_utf8_is_refused)
{
	const char *const invalid[] = {
	        "\xc0\xaf",         /* overlong '/' */
	        "\xc1\xbf",         /* overlong */
	        "\xe0\x80\xaf",     /* overlong, 3 bytes */
	        "\xf0\x80\x80\xaf", /* overlong, 4 bytes */
	        "\xed\xa0\x80",     /* U+D800, a surrogate */
	        "\xed\xbf\xbf",     /* U+DFFF */
	        "\xf4\x90\x80\x80", /* U+110000 */
	        "\xf5\x80\x80\x80", /* lead byte F5 */
	        "\xff",             /* never in UTF-8 */
	        "\x80",             /* lone continuation */
	        "abc\xe2\x82",      /* truncated sequence */
	        "\xe2\x28\xa1",     /* bad continuation */
	        "\xf0\x9f\x98",     /* truncated 4-byte sequence */
	};
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		binder_parcel *parcel = binder_parcel_new();
		cr_assert_eq(binder_parcel_write_string16(parcel, invalid[i]), BINDER_BAD_VALUE,
		             "case %zu", i);
		cr_assert_eq(binder_parcel_write_string8(parcel, invalid[i]), BINDER_BAD_VALUE,
		             "case %zu", i);
		cr_assert_eq(binder_parcel_write_interface_token(parcel, invalid[i]),
		             BINDER_BAD_VALUE);
		cr_assert_eq(binder_parcel_data_size(parcel), 0, "nothing written");
		binder_parcel_free(parcel);
	}
}
