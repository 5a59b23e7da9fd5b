/* service_manager_call.c - the transaction and status-header part of every
 * servicemanager client call (see service_manager_call.h). */
#include "service_manager_call.h"

binder_parcel *service_manager_call_data(const char *descriptor)
{
	binder_parcel *data = binder_parcel_new();
	if (data && binder_parcel_write_interface_token(data, descriptor) != 0) {
		binder_parcel_free(data);
		return NULL;
	}
	return data;
}

int service_manager_exception_status(int32_t exception)
{
	switch (exception) {
	case BINDER_EX_NONE:
		return 0;
	case BINDER_EX_SECURITY:
		return BINDER_PERMISSION_DENIED;
	case BINDER_EX_ILLEGAL_ARGUMENT:
	case BINDER_EX_BAD_PARCELABLE:
		return BINDER_BAD_VALUE;
	case BINDER_EX_NULL_POINTER:
		return BINDER_UNEXPECTED_NULL;
	case BINDER_EX_ILLEGAL_STATE:
	case BINDER_EX_UNSUPPORTED_OPERATION:
		return BINDER_INVALID_OPERATION;
	case BINDER_EX_TRANSACTION_FAILED:
		return BINDER_FAILED_TRANSACTION;
	default:
		return BINDER_UNKNOWN_ERROR;
	}
}

int service_manager_call(binder_context *context, uint32_t code, binder_parcel *data,
                         binder_parcel **reply)
{
	*reply = NULL;
	binder_object *manager = NULL;
	int status = binder_context_get_manager(context, &manager);
	if (status)
		return status;
	binder_parcel *answer = binder_parcel_new();
	if (!answer) {
		binder_object_unref(manager);
		return BINDER_NO_MEMORY;
	}
	status = binder_object_transact(manager, code, data, answer, 0);
	binder_object_unref(manager);
	int32_t exception = 0;
	if (status == 0)
		status = binder_parcel_read_exception(answer, &exception, NULL, NULL);
	if (status == 0)
		status = service_manager_exception_status(exception);
	if (status) {
		binder_parcel_free(answer);
		return status;
	}
	*reply = answer;
	return 0;
}
