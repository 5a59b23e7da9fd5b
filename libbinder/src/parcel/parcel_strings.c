/*
 * parcel_strings.c - String8 (UTF-8) and String16 (UTF-16) values and the
 * interface token. A length of -1 is a null string, distinct from the
 * empty string; lengths read from a parcel are checked before use.
 */
#include <stdlib.h>
#include <string.h>

#include "parcel_private.h"
#include "parcel_utf.h"

#define STRICT_MODE_PENALTY_GATHER 0x80000000u
#define WORK_SOURCE_UNSET          (-1)
#define INTERFACE_HEADER_SYSTEM    0x53595354 /* 'SYST' */

int binder_parcel_write_string8(binder_parcel *parcel, const char *utf8)
{
	if (!utf8)
		return binder_parcel_write_int32(parcel, PARCEL_NULL_LENGTH);
	size_t length = strlen(utf8);
	if (length >= INT32_MAX || !parcel_utf8_check(utf8, length, NULL))
		return BINDER_BAD_VALUE;
	uint8_t *where;
	int status = parcel_claim(parcel, sizeof(int32_t) + length + 1, &where);
	if (status != BINDER_OK)
		return status;
	int32_t count = (int32_t)length;
	memcpy(where, &count, sizeof(count));
	memcpy(where + sizeof(count), utf8, length + 1);
	return BINDER_OK;
}

/* Claims the room for a String16 of count units and writes its length and
 * terminator; *units is where the units go. */
static int parcel_claim_string16(binder_parcel *parcel, size_t count, uint8_t **units)
{
	if (count >= INT32_MAX)
		return BINDER_BAD_VALUE;
	uint8_t *where;
	size_t bytes = (count + 1) * sizeof(uint16_t);
	int status = parcel_claim(parcel, sizeof(int32_t) + bytes, &where);
	if (status != BINDER_OK)
		return status;
	int32_t length = (int32_t)count;
	memcpy(where, &length, sizeof(length));
	memset(where + sizeof(length) + count * sizeof(uint16_t), 0, sizeof(uint16_t));
	*units = where + sizeof(length);
	return BINDER_OK;
}

int binder_parcel_write_string16(binder_parcel *parcel, const char *utf8)
{
	if (!utf8)
		return binder_parcel_write_int32(parcel, PARCEL_NULL_LENGTH);
	size_t length = strlen(utf8), count;
	if (!parcel_utf8_check(utf8, length, &count))
		return BINDER_BAD_VALUE;
	uint8_t *units;
	int status = parcel_claim_string16(parcel, count, &units);
	if (status == BINDER_OK)
		parcel_utf8_to_utf16(utf8, length, units);
	return status;
}

int binder_parcel_write_string16_units(binder_parcel *parcel, const uint16_t *units, size_t length)
{
	if (!units)
		return binder_parcel_write_int32(parcel, PARCEL_NULL_LENGTH);
	uint8_t *where;
	int status = parcel_claim_string16(parcel, length, &where);
	if (status == BINDER_OK && length)
		memcpy(where, units, length * sizeof(uint16_t));
	return status;
}

int binder_parcel_read_string8(binder_parcel *parcel, const char **utf8)
{
	int32_t length;
	int status = parcel_peek_int32(parcel, parcel->position, &length);
	if (status != BINDER_OK)
		return status;
	if (length == PARCEL_NULL_LENGTH) {
		parcel->position += sizeof(length);
		*utf8 = NULL;
		return BINDER_OK;
	}
	if (length < 0)
		return BINDER_BAD_VALUE;
	const uint8_t *bytes;
	size_t with_terminator = (size_t)length + 1;
	status = parcel_peek(parcel, parcel->position + sizeof(length), with_terminator, &bytes);
	if (status != BINDER_OK)
		return status;
	/* The terminator where the length says, no NUL before it, UTF-8. */
	if (bytes[length] != 0 || memchr(bytes, 0, (size_t)length) ||
	    !parcel_utf8_check((const char *)bytes, (size_t)length, NULL))
		return BINDER_BAD_VALUE;
	parcel->position += sizeof(length) + ((with_terminator + 3) & ~(size_t)3);
	*utf8 = (const char *)bytes;
	return BINDER_OK;
}

/* Finds the String16 at the position without moving it: *units (NULL for
 * a null string), *count units, *total bytes it takes with its length. */
static int parcel_peek_string16(const binder_parcel *parcel, const uint8_t **units, size_t *count,
                                size_t *total)
{
	int32_t length;
	int status = parcel_peek_int32(parcel, parcel->position, &length);
	if (status != BINDER_OK)
		return status;
	if (length == PARCEL_NULL_LENGTH) {
		*units = NULL;
		*count = 0;
		*total = sizeof(length);
		return BINDER_OK;
	}
	if (length < 0)
		return BINDER_BAD_VALUE;
	/* length + 1 units: no overflow for a length below INT32_MAX where
	 * size_t has 64 bits; checked for narrower size_t. */
	if ((size_t)length >= SIZE_MAX / sizeof(uint16_t) - 8)
		return BINDER_NOT_ENOUGH_DATA;
	size_t bytes = ((size_t)length + 1) * sizeof(uint16_t);
	const uint8_t *where;
	status = parcel_peek(parcel, parcel->position + sizeof(length), bytes, &where);
	if (status != BINDER_OK)
		return status;
	uint16_t terminator;
	memcpy(&terminator, where + (size_t)length * sizeof(uint16_t), sizeof(terminator));
	if (terminator != 0)
		return BINDER_BAD_VALUE;
	*units = where;
	*count = (size_t)length;
	*total = sizeof(length) + ((bytes + 3) & ~(size_t)3);
	return BINDER_OK;
}

int binder_parcel_read_string16_units(binder_parcel *parcel, const uint16_t **units, size_t *length)
{
	const uint8_t *where;
	size_t count, total;
	int status = parcel_peek_string16(parcel, &where, &count, &total);
	if (status != BINDER_OK)
		return status;
	/* Handed out as uint16_t: must be aligned for it. */
	if ((uintptr_t)where % sizeof(uint16_t))
		return BINDER_BAD_VALUE;
	parcel->position += total;
	*units = (const uint16_t *)(const void *)where;
	*length = count;
	return BINDER_OK;
}

int binder_parcel_read_string16(binder_parcel *parcel, char **utf8)
{
	const uint8_t *units;
	size_t count, total;
	int status = parcel_peek_string16(parcel, &units, &count, &total);
	if (status != BINDER_OK)
		return status;
	char *converted = NULL;
	if (units) {
		status = parcel_utf16_to_utf8(units, count, &converted);
		if (status != BINDER_OK)
			return status;
	}
	parcel->position += total;
	*utf8 = converted;
	return BINDER_OK;
}

int binder_parcel_write_interface_token(binder_parcel *parcel, const char *descriptor)
{
	if (!descriptor || !parcel_utf8_check(descriptor, strlen(descriptor), NULL))
		return BINDER_BAD_VALUE;
	size_t position = parcel->position, size = parcel->size;
	int status = binder_parcel_write_uint32(parcel, STRICT_MODE_PENALTY_GATHER);
	if (status == BINDER_OK)
		status = binder_parcel_write_int32(parcel, WORK_SOURCE_UNSET);
	if (status == BINDER_OK)
		status = binder_parcel_write_int32(parcel, INTERFACE_HEADER_SYSTEM);
	if (status == BINDER_OK)
		status = binder_parcel_write_string16(parcel, descriptor);
	if (status != BINDER_OK && !parcel->received) {
		parcel->position = position;
		parcel->size = size;
	}
	return status;
}

/* True if count units equal the UTF-16 form of descriptor. */
static int parcel_units_match(const uint8_t *units, size_t count, const char *descriptor,
                              bool *match)
{
	size_t length = strlen(descriptor), expected;
	if (!parcel_utf8_check(descriptor, length, &expected))
		return BINDER_BAD_VALUE;
	*match = false;
	if (expected != count)
		return BINDER_OK;
	uint8_t *converted = malloc(count ? count * sizeof(uint16_t) : 1);
	if (!converted)
		return BINDER_NO_MEMORY;
	parcel_utf8_to_utf16(descriptor, length, converted);
	*match = memcmp(converted, units, count * sizeof(uint16_t)) == 0;
	free(converted);
	return BINDER_OK;
}

int binder_parcel_enforce_interface(binder_parcel *parcel, const char *descriptor)
{
	if (!descriptor)
		return BINDER_BAD_VALUE;
	size_t start = parcel->position;
	int32_t header[3];
	if (binder_parcel_read_raw(parcel, header, sizeof(header)) != BINDER_OK)
		return BINDER_BAD_TYPE;
	/* header[0]: strict-mode policy, header[1]: work source; unused. */
	if (header[2] != INTERFACE_HEADER_SYSTEM) {
		parcel->position = start;
		return BINDER_BAD_TYPE;
	}
	const uint8_t *units;
	size_t count, total;
	int status = parcel_peek_string16(parcel, &units, &count, &total);
	if (status != BINDER_OK) {
		parcel->position = start;
		return BINDER_BAD_TYPE;
	}
	bool match = false;
	if (units) {
		status = parcel_units_match(units, count, descriptor, &match);
		if (status != BINDER_OK) {
			parcel->position = start;
			return status;
		}
	}
	if (!match) {
		parcel->position = start;
		return BINDER_PERMISSION_DENIED;
	}
	parcel->position += total;
	return BINDER_OK;
}
