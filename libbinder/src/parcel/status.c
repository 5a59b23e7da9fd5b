/*
 * status.c - binder_status_to_string: a short description of each status
 * of binder/status.h, strerror's text for other negative errno values.
 */
#include <string.h>

#include "binder/status.h"

const char *binder_status_to_string(int status)
{
	switch (status) {
	case BINDER_OK:
		return "OK";
	case BINDER_UNKNOWN_ERROR:
		return "unknown error";
	case BINDER_NO_MEMORY:
		return "out of memory";
	case BINDER_INVALID_OPERATION:
		return "invalid operation";
	case BINDER_BAD_VALUE:
		return "bad value";
	case BINDER_BAD_TYPE:
		return "bad type";
	case BINDER_NAME_NOT_FOUND:
		return "name not found";
	case BINDER_PERMISSION_DENIED:
		return "permission denied";
	case BINDER_NO_INIT:
		return "not initialized";
	case BINDER_ALREADY_EXISTS:
		return "already exists";
	case BINDER_DEAD_OBJECT:
		return "dead object";
	case BINDER_FAILED_TRANSACTION:
		return "failed transaction";
	case BINDER_BAD_INDEX:
		return "bad index";
	case BINDER_NOT_ENOUGH_DATA:
		return "not enough data";
	case BINDER_WOULD_BLOCK:
		return "would block";
	case BINDER_TIMED_OUT:
		return "timed out";
	case BINDER_UNKNOWN_TRANSACTION:
		return "unknown transaction";
	case BINDER_FDS_NOT_ALLOWED:
		return "file descriptors not allowed";
	case BINDER_UNEXPECTED_NULL:
		return "unexpected null";
	case BINDER_POSITIVE_STATUS:
		return "positive status";
	}
	if (status < 0 && status > -4096) {
		/* Static text (glibc), unlike strerror for unknown numbers. */
		const char *text = strerrordesc_np(-status);
		if (text)
			return text;
	}
	return "unknown status";
}
