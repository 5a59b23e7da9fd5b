/* service_manager_call.c - the transaction and status-header part of every
 * servicemanager client call (see service_manager_call.h). */
#include "service_manager_call.h"

/* AIDL's marker before a non-null parcelable or union. */
#define AIDL_NOT_NULL 1
/* Service's first member: the binder (15), ServiceWithMetadata (16). */
#define SERVICE_TAG_BINDER 0
/* Android 16 wraps the binder in ServiceWithMetadata. */
#define SERVICE_WITH_METADATA_ANDROID 16

binder_parcel *service_manager_call_data(binder_context *context)
{
	binder_parcel *data = binder_parcel_new();
	if (data &&
	    (binder_parcel_set_android(data, binder_context_android(context)) != 0 ||
	     binder_parcel_write_interface_token(data, BINDER_SERVICE_MANAGER_DESCRIPTOR) != 0)) {
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

int service_manager_call(binder_context *context, enum binder_service_manager_method method,
                         binder_parcel *data, binder_parcel **reply)
{
	*reply = NULL;
	uint32_t code = binder_service_manager_code(binder_context_android(context), method);
	if (code == 0)
		return BINDER_INVALID_OPERATION;
	binder_object *manager = NULL;
	int status = binder_context_manager(context, &manager);
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

/* ServiceWithMetadata { @nullable IBinder service; boolean isLazyService; }
 * as a union member: the not-null marker, the size, the fields. */
static int read_service_with_metadata(binder_parcel *reply, binder_object **object)
{
	int32_t not_null = 0, size = 0;
	int status = binder_parcel_read_int32(reply, &not_null);
	if (status == 0 && not_null != AIDL_NOT_NULL)
		status = BINDER_UNEXPECTED_NULL;
	size_t start = binder_parcel_position(reply);
	if (status == 0)
		status = binder_parcel_read_int32(reply, &size);
	if (status == 0 && (size < (int32_t)sizeof(int32_t) ||
	                    (size_t)size - sizeof(int32_t) > binder_parcel_data_available(reply)))
		status = BINDER_BAD_VALUE;
	if (status == 0)
		status = binder_parcel_read_object(reply, object);
	/* The binder lies inside the parcelable, which may have grown
	 * fields: skip to its end. */
	size_t end = start + (size_t)size;
	if (status == 0 &&
	    (binder_parcel_position(reply) > end || binder_parcel_set_position(reply, end) != 0)) {
		binder_object_unref(*object);
		*object = NULL;
		status = BINDER_BAD_VALUE;
	}
	return status;
}

int service_manager_read_service(binder_parcel *reply, uint32_t android,
                                 enum binder_service_manager_method method, binder_object **object)
{
	*object = NULL;
	if (!binder_service_manager_returns_service(android, method))
		return binder_parcel_read_object(reply, object);
	int32_t not_null = 0, tag = 0;
	int status = binder_parcel_read_int32(reply, &not_null);
	if (status == 0 && not_null != AIDL_NOT_NULL)
		status = BINDER_UNEXPECTED_NULL;
	if (status == 0)
		status = binder_parcel_read_int32(reply, &tag);
	if (status == 0 && tag != SERVICE_TAG_BINDER)
		status = BINDER_BAD_VALUE; /* an accessor: not served here */
	if (status)
		return status;
	if (android >= SERVICE_WITH_METADATA_ANDROID)
		return read_service_with_metadata(reply, object);
	return binder_parcel_read_object(reply, object);
}
