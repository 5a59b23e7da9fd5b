/*
 * parcel_exception.c - AIDL's status header at the start of a reply
 * (android::binder::Status in AOSP): the exception code, and for an
 * exception its message, the remote stack trace header (skipped on
 * reading) and the service-specific error code or parcelable header.
 */
#include <stdlib.h>

#include "parcel_private.h"

/* Java's fat reply header (StrictMode violations): skipped, then no
 * exception. */
#define BINDER_EX_HAS_REPLY_HEADER (-128)

int binder_parcel_write_exception(binder_parcel *parcel, int32_t exception, const char *message,
                                  int32_t service_error)
{
	/* AOSP never writes EX_TRANSACTION_FAILED (a transaction failure is
	 * a status), and Java's reply header is not an exception. */
	if (exception == BINDER_EX_TRANSACTION_FAILED || exception == BINDER_EX_HAS_REPLY_HEADER)
		return BINDER_BAD_VALUE;
	size_t position = parcel->position, size = parcel->size;
	int status = binder_parcel_write_int32(parcel, exception);
	if (status != BINDER_OK || exception == BINDER_EX_NONE)
		return status;
	/* AOSP's C++ readers refuse a null message: none is written empty. */
	status = binder_parcel_write_string16(parcel, message ? message : "");
	if (status == BINDER_OK)
		status = binder_parcel_write_int32(parcel, 0); /* no remote stack trace */
	if (status == BINDER_OK && exception == BINDER_EX_SERVICE_SPECIFIC)
		status = binder_parcel_write_int32(parcel, service_error);
	else if (status == BINDER_OK && exception == BINDER_EX_PARCELABLE)
		status = binder_parcel_write_int32(parcel, 0); /* no parcelable, as AOSP */
	if (status != BINDER_OK && !parcel->received) {
		parcel->position = position;
		parcel->size = size;
	}
	return status;
}

int binder_parcel_write_no_exception(binder_parcel *parcel)
{
	return binder_parcel_write_exception(parcel, BINDER_EX_NONE, NULL, 0);
}

/* Skips a block that starts with its own int32 size (which counts the
 * size field itself); a size of 0 skips just the field. */
static int parcel_skip_sized_block(binder_parcel *parcel)
{
	size_t start = parcel->position;
	size_t available = binder_parcel_data_available(parcel);
	int32_t block_size;
	int status = binder_parcel_read_int32(parcel, &block_size);
	if (status != BINDER_OK)
		return status;
	if (block_size == 0)
		return BINDER_OK;
	if (block_size < (int32_t)sizeof(block_size) || (size_t)block_size > available)
		return BINDER_BAD_VALUE;
	parcel->position = start + (size_t)block_size;
	return BINDER_OK;
}

static int parcel_read_exception_body(binder_parcel *parcel, int32_t *exception, char **message,
                                      int32_t *service_error)
{
	int status = binder_parcel_read_int32(parcel, exception);
	if (status != BINDER_OK)
		return status;
	if (*exception == BINDER_EX_HAS_REPLY_HEADER) {
		status = parcel_skip_sized_block(parcel);
		if (status != BINDER_OK)
			return status;
		*exception = BINDER_EX_NONE;
	}
	if (*exception == BINDER_EX_NONE)
		return BINDER_OK;
	status = binder_parcel_read_string16(parcel, message);
	if (status != BINDER_OK)
		return status;
	status = parcel_skip_sized_block(parcel); /* the remote stack trace */
	if (status == BINDER_OK && *exception == BINDER_EX_SERVICE_SPECIFIC)
		status = binder_parcel_read_int32(parcel, service_error);
	else if (status == BINDER_OK && *exception == BINDER_EX_PARCELABLE)
		status = parcel_skip_sized_block(parcel);
	return status;
}

int binder_parcel_read_exception(binder_parcel *parcel, int32_t *exception, char **message,
                                 int32_t *service_error)
{
	size_t start = parcel->position;
	int32_t code = BINDER_EX_NONE, error = 0;
	char *text = NULL;
	int status = parcel_read_exception_body(parcel, &code, &text, &error);
	if (status != BINDER_OK) {
		free(text);
		parcel->position = start;
		return status;
	}
	/* An empty message is no message. */
	if (text && !text[0]) {
		free(text);
		text = NULL;
	}
	*exception = code;
	if (message)
		*message = text;
	else
		free(text);
	if (service_error)
		*service_error = error;
	return BINDER_OK;
}
