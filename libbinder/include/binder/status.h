/*
 * binder/status.h - status codes of the libbinder API.
 *
 * Every function of the API that can fail returns an int status: 0
 * (BINDER_OK) on success, a negative value on failure. The values are
 * those of AOSP's libbinder (utils/Errors.h): most are negative errno
 * values, a few that have no errno are near INT32_MIN. A handler that
 * returns one of them from a transaction makes the caller see the same
 * value, as on Android.
 *
 * Thread-safety: everything here is pure but binder_last_positive_status,
 * which is per thread.
 */
#ifndef BINDER_STATUS_H
#define BINDER_STATUS_H

#include <errno.h>
#include <stdint.h>

#include "binder/export.h"

#ifdef __cplusplus
extern "C" {
#endif

enum binder_status {
	BINDER_OK = 0,
	BINDER_UNKNOWN_ERROR = INT32_MIN,
	BINDER_NO_MEMORY = -ENOMEM,
	BINDER_INVALID_OPERATION = -ENOSYS,
	BINDER_BAD_VALUE = -EINVAL,
	BINDER_BAD_TYPE = INT32_MIN + 1,
	BINDER_NAME_NOT_FOUND = -ENOENT,
	BINDER_PERMISSION_DENIED = -EPERM,
	BINDER_NO_INIT = -ENODEV,
	BINDER_ALREADY_EXISTS = -EEXIST,
	/* The object's process is gone (BR_DEAD_REPLY, or a dead proxy). */
	BINDER_DEAD_OBJECT = -EPIPE,
	/* The driver refused the transaction (BR_FAILED_REPLY): bad object,
	 * full receive area, ... */
	BINDER_FAILED_TRANSACTION = INT32_MIN + 2,
	BINDER_BAD_INDEX = -EOVERFLOW,
	/* A read past the end of a parcel. */
	BINDER_NOT_ENOUGH_DATA = -ENODATA,
	BINDER_WOULD_BLOCK = -EWOULDBLOCK,
	BINDER_TIMED_OUT = -ETIMEDOUT,
	/* The object does not know the transaction code. */
	BINDER_UNKNOWN_TRANSACTION = -EBADMSG,
	BINDER_FDS_NOT_ALLOWED = INT32_MIN + 7,
	BINDER_UNEXPECTED_NULL = INT32_MIN + 8,
	/* The reply was a status (TF_STATUS_CODE, or a local handler's
	 * return) that is positive. Android counts any non-zero status as a
	 * failure; libbinder keeps the API's "negative is an error" rule by
	 * returning this instead, and binder_last_positive_status() gives
	 * the status itself. Not an AOSP value (AOSP returns the status). */
	BINDER_POSITIVE_STATUS = INT32_MIN + 64,
};

/*
 * A short English description of status ("OK", "dead object", ...), for
 * logs and messages. Any int is accepted: an unknown negative errno gets
 * strerror's text, anything else "unknown status". The string is static.
 */
BINDER_API const char *binder_status_to_string(int status);

/*
 * The positive status behind the last BINDER_POSITIVE_STATUS that a
 * binder_object_transact (or a call built on it) returned on the calling
 * thread: read it right after that call. 0 if the thread never got one.
 * Thread-local, so safe from any thread; unlike the rest of this header
 * it is not pure.
 */
BINDER_API int32_t binder_last_positive_status(void);

#ifdef __cplusplus
}
#endif

#endif
