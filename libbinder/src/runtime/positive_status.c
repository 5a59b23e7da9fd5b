/*
 * positive_status.c - what binder_object_transact returns for a positive
 * status (a status-only reply, or a local handler's return): Android
 * counts any non-zero status as a failure, so it becomes
 * BINDER_POSITIVE_STATUS and the status itself is kept, per thread, for
 * binder_last_positive_status().
 */
#include "runtime.h"

/* Written only when a call returns BINDER_POSITIVE_STATUS, so nested
 * calls made while a call waits cannot leave a stale value behind it. */
static _Thread_local int32_t last_positive_status;

int32_t binder_last_positive_status(void)
{
	return last_positive_status;
}

int positive_status_as_error(int status)
{
	if (status <= 0)
		return status;
	last_positive_status = status;
	return BINDER_POSITIVE_STATUS;
}
