/*
 * interface_token.c - interface tokens bound to objects, so that callers
 * and handlers need not write and check them by hand: the request helper
 * (a parcel that starts with the token of the target's interface) and the
 * check libbinder makes before the handler of a local object that asked
 * for it (binder_local_ops.enforce_interface), as libbinder_ndk's
 * ABBinder::onTransact does.
 */
#include "runtime.h"

#include "log_internal.h"

int binder_parcel_new_request(binder_object *target, const char *descriptor, binder_parcel **out)
{
	binder_parcel *parcel;
	int status;

	if (!target || !descriptor || !out)
		return BINDER_BAD_VALUE;
	status = binder_parcel_create(&parcel);
	if (status)
		return status;
	/* The target's generation, which the receiver expects. */
	status = binder_parcel_set_android(parcel, binder_context_android(target->context));
	if (status == 0)
		status = binder_parcel_write_interface_token(parcel, descriptor);
	if (status) {
		binder_parcel_free(parcel);
		return status;
	}
	*out = parcel;
	return 0;
}

static bool is_user_code(uint32_t code)
{
	return code >= BINDER_FIRST_CALL_TRANSACTION && code <= BINDER_LAST_CALL_TRANSACTION;
}

int interface_token_enforce(binder_object *object, uint32_t code, binder_parcel *data)
{
	int status;

	if (!object->ops.enforce_interface || !is_user_code(code))
		return 0;
	status = binder_parcel_enforce_interface(data, object->descriptor);
	if (status == 0)
		return 0;
	/* A token for another interface, or none: AOSP's checkInterface
	 * fails both, and the stubs answer BAD_TYPE. */
	runtime_log(BINDER_LOG_WARN,
	            "transaction %#x to %s refused: its interface token is missing or names "
	            "another interface",
	            code, object->descriptor);
	return BINDER_BAD_TYPE;
}
