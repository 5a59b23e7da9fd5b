/*
 * parcel_values.c - numbers, booleans, bytes, raw bytes and byte arrays:
 * each value little-endian in a multiple of 4 bytes (AOSP's Parcel).
 */
#include <string.h>

#include "parcel_private.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "parcels are little-endian; this code copies values as they are in memory"
#endif

static int parcel_write_bytes(binder_parcel *parcel, const void *bytes, size_t length)
{
	uint8_t *where;
	int status = parcel_claim(parcel, length, &where);
	if (status == BINDER_OK && length)
		memcpy(where, bytes, length);
	return status;
}

static int parcel_read_bytes(binder_parcel *parcel, void *out, size_t length)
{
	const uint8_t *bytes;
	int status = parcel_take(parcel, length, &bytes);
	if (status == BINDER_OK && length)
		memcpy(out, bytes, length);
	return status;
}

int binder_parcel_write_int32(binder_parcel *parcel, int32_t value)
{
	return parcel_write_bytes(parcel, &value, sizeof(value));
}

int binder_parcel_write_uint32(binder_parcel *parcel, uint32_t value)
{
	return parcel_write_bytes(parcel, &value, sizeof(value));
}

int binder_parcel_write_int64(binder_parcel *parcel, int64_t value)
{
	return parcel_write_bytes(parcel, &value, sizeof(value));
}

int binder_parcel_write_uint64(binder_parcel *parcel, uint64_t value)
{
	return parcel_write_bytes(parcel, &value, sizeof(value));
}

int binder_parcel_write_float(binder_parcel *parcel, float value)
{
	return parcel_write_bytes(parcel, &value, sizeof(value));
}

int binder_parcel_write_double(binder_parcel *parcel, double value)
{
	return parcel_write_bytes(parcel, &value, sizeof(value));
}

int binder_parcel_write_bool(binder_parcel *parcel, bool value)
{
	return binder_parcel_write_int32(parcel, value ? 1 : 0);
}

int binder_parcel_write_byte(binder_parcel *parcel, int8_t value)
{
	return binder_parcel_write_int32(parcel, value);
}

int binder_parcel_write_raw(binder_parcel *parcel, const void *bytes, size_t length)
{
	if (!bytes && length)
		return BINDER_BAD_VALUE;
	return parcel_write_bytes(parcel, bytes, length);
}

int binder_parcel_write_byte_array(binder_parcel *parcel, const void *bytes, size_t length)
{
	if (!bytes)
		return binder_parcel_write_int32(parcel, PARCEL_NULL_LENGTH);
	void *where;
	int status = binder_parcel_write_byte_array_in_place(parcel, length, &where);
	if (status == BINDER_OK && length)
		memcpy(where, bytes, length);
	return status;
}

int binder_parcel_read_int32(binder_parcel *parcel, int32_t *out)
{
	return parcel_read_bytes(parcel, out, sizeof(*out));
}

int binder_parcel_read_uint32(binder_parcel *parcel, uint32_t *out)
{
	return parcel_read_bytes(parcel, out, sizeof(*out));
}

int binder_parcel_read_int64(binder_parcel *parcel, int64_t *out)
{
	return parcel_read_bytes(parcel, out, sizeof(*out));
}

int binder_parcel_read_uint64(binder_parcel *parcel, uint64_t *out)
{
	return parcel_read_bytes(parcel, out, sizeof(*out));
}

int binder_parcel_read_float(binder_parcel *parcel, float *out)
{
	return parcel_read_bytes(parcel, out, sizeof(*out));
}

int binder_parcel_read_double(binder_parcel *parcel, double *out)
{
	return parcel_read_bytes(parcel, out, sizeof(*out));
}

int binder_parcel_read_bool(binder_parcel *parcel, bool *out)
{
	int32_t value;
	int status = parcel_peek_int32(parcel, parcel->position, &value);
	if (status != BINDER_OK)
		return status;
	if (value != 0 && value != 1)
		return BINDER_BAD_VALUE;
	parcel->position += sizeof(value);
	*out = value == 1;
	return BINDER_OK;
}

int binder_parcel_read_byte(binder_parcel *parcel, int8_t *out)
{
	int32_t value;
	int status = parcel_peek_int32(parcel, parcel->position, &value);
	if (status != BINDER_OK)
		return status;
	if (value < INT8_MIN || value > INT8_MAX)
		return BINDER_BAD_VALUE;
	parcel->position += sizeof(value);
	*out = (int8_t)value;
	return BINDER_OK;
}

int binder_parcel_read_raw(binder_parcel *parcel, void *bytes, size_t length)
{
	if (!bytes && length)
		return BINDER_BAD_VALUE;
	return parcel_read_bytes(parcel, bytes, length);
}

int binder_parcel_read_byte_array(binder_parcel *parcel, const void **bytes, size_t *length)
{
	int32_t count;
	int status = parcel_peek_int32(parcel, parcel->position, &count);
	if (status != BINDER_OK)
		return status;
	if (count == PARCEL_NULL_LENGTH) {
		parcel->position += sizeof(count);
		*bytes = NULL;
		*length = 0;
		return BINDER_OK;
	}
	if (count < 0)
		return BINDER_BAD_VALUE;
	const uint8_t *where;
	status = parcel_peek(parcel, parcel->position + sizeof(count), (size_t)count, &where);
	if (status != BINDER_OK)
		return status;
	parcel->position += sizeof(count) + (((size_t)count + 3) & ~(size_t)3);
	*bytes = where;
	*length = (size_t)count;
	return BINDER_OK;
}
