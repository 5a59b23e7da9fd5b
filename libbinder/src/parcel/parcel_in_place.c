/*
 * parcel_in_place.c - writes whose bytes the caller puts in place: the
 * parcel makes room (and writes a byte array's length) and hands back
 * where the bytes go, so that a large payload is produced straight into
 * the buffer the transaction sends, with no copy in between (AOSP's
 * Parcel::writeInplace).
 */
#include <string.h>

#include "parcel_private.h"

int binder_parcel_write_in_place(binder_parcel *parcel, size_t length, void **bytes)
{
	if (!parcel || !bytes)
		return BINDER_BAD_VALUE;
	uint8_t *where;
	int status = parcel_claim(parcel, length, &where);
	if (status == BINDER_OK)
		*bytes = where;
	return status;
}

int binder_parcel_write_byte_array_in_place(binder_parcel *parcel, size_t length, void **bytes)
{
	if (!parcel || !bytes || length > INT32_MAX)
		return BINDER_BAD_VALUE;
	/* The length and the room in one claim: all or nothing. */
	uint8_t *where;
	int status = parcel_claim(parcel, sizeof(int32_t) + length, &where);
	if (status != BINDER_OK)
		return status;
	int32_t count = (int32_t)length;
	memcpy(where, &count, sizeof(count));
	*bytes = where + sizeof(count);
	return BINDER_OK;
}
