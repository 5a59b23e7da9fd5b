/*
 * parcel_test_util.h - helpers shared by the parcel tests: a parcel made
 * from given bytes, and the bytes of a parcel compared with expected ones.
 */
#ifndef PARCEL_TEST_UTIL_H
#define PARCEL_TEST_UTIL_H

#include <criterion/criterion.h>
#include <string.h>

#include "binder/parcel.h"
#include "binder/status.h"

/* A parcel holding exactly size bytes of data (no objects), position 0. */
static inline binder_parcel *parcel_from_bytes(const void *data, size_t size)
{
	binder_parcel *parcel = NULL;
	cr_assert_eq(binder_parcel_new_from_raw(data, size, NULL, 0, &parcel), BINDER_OK);
	return parcel;
}

static inline void assert_parcel_bytes(const binder_parcel *parcel, const void *expected,
                                       size_t size)
{
	cr_assert_eq(binder_parcel_data_size(parcel), size, "size %zu, expected %zu",
	             binder_parcel_data_size(parcel), size);
	cr_assert(memcmp(binder_parcel_data(parcel), expected, size) == 0, "bytes differ");
}

#endif
