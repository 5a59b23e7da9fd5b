/*
 * service_manager_client.c - add, check and list: the immediate calls of
 * the servicemanager client (binder/service_manager.h). Each builds the
 * IServiceManager transaction of the context's Android generation and
 * reads its reply.
 */
#include <stdlib.h>
#include <string.h>

#include "binder/service_manager.h"
#include "service_manager_call.h"

/* The length AOSP writes for a null array. */
#define NULL_ARRAY_LENGTH (-1)

int binder_service_manager_add(binder_context *context, const char *name, binder_object *service)
{
	if (!context || !name)
		return BINDER_BAD_VALUE;
	binder_parcel *data = service_manager_call_data(context);
	if (!data)
		return BINDER_NO_MEMORY;
	/* addService(String name, IBinder service, boolean allowIsolated,
	 * int dumpPriority), with AOSP's defaults for the last two. */
	int status = binder_parcel_write_string16(data, name);
	if (status == 0)
		status = binder_parcel_write_object(data, service);
	if (status == 0)
		status = binder_parcel_write_bool(data, false);
	if (status == 0)
		status = binder_parcel_write_int32(data, BINDER_DUMP_FLAG_PRIORITY_DEFAULT);
	binder_parcel *reply = NULL;
	if (status == 0)
		status = service_manager_call(context, BINDER_SERVICE_MANAGER_METHOD_ADD_SERVICE,
		                              data, &reply);
	binder_parcel_free(reply);
	binder_parcel_free(data);
	return status;
}

int binder_service_manager_check(binder_context *context, const char *name, binder_object **out)
{
	if (!context || !name || !out)
		return BINDER_BAD_VALUE;
	binder_parcel *data = service_manager_call_data(context);
	if (!data)
		return BINDER_NO_MEMORY;
	/* checkService(String name) -> @nullable IBinder */
	int status = binder_parcel_write_string16(data, name);
	binder_parcel *reply = NULL;
	if (status == 0)
		status = service_manager_call(context, BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE,
		                              data, &reply);
	binder_object *object = NULL;
	if (status == 0)
		status = service_manager_read_service(reply, binder_context_android(context),
		                                      BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE,
		                                      &object);
	if (status == 0 && !object)
		status = BINDER_NAME_NOT_FOUND;
	if (status == 0)
		*out = object;
	binder_parcel_free(reply);
	binder_parcel_free(data);
	return status;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads listServices' String[] into a sorted array of malloc'ed names. */
static int read_names(binder_parcel *reply, char ***names, size_t *count)
{
	int32_t length;
	int status = binder_parcel_read_int32(reply, &length);
	if (status)
		return status;
	if (length == NULL_ARRAY_LENGTH) /* a null array: no names */
		length = 0;
	else if (length < 0)
		return BINDER_BAD_VALUE;
	/* Each String16 takes at least 4 bytes: a hostile count cannot make
	 * us allocate more than the reply holds. */
	if ((size_t)length > binder_parcel_data_available(reply) / 4)
		return BINDER_BAD_VALUE;
	char **list = calloc(length ? (size_t)length : 1, sizeof(*list));
	if (!list)
		return BINDER_NO_MEMORY;
	size_t filled = 0;
	for (; filled < (size_t)length; filled++) {
		status = binder_parcel_read_string16(reply, &list[filled]);
		if (status == 0 && !list[filled])
			status = BINDER_UNEXPECTED_NULL;
		if (status)
			break;
	}
	if (status) {
		binder_service_manager_free_names(list, filled);
		return status;
	}
	qsort(list, filled, sizeof(*list), compare_names);
	*names = list;
	*count = filled;
	return 0;
}

int binder_service_manager_list(binder_context *context, char ***names, size_t *count)
{
	if (!context || !names || !count)
		return BINDER_BAD_VALUE;
	binder_parcel *data = service_manager_call_data(context);
	if (!data)
		return BINDER_NO_MEMORY;
	/* listServices(int dumpPriority) -> String[] */
	int status = binder_parcel_write_int32(data, BINDER_DUMP_FLAG_PRIORITY_ALL);
	binder_parcel *reply = NULL;
	if (status == 0)
		status = service_manager_call(context, BINDER_SERVICE_MANAGER_METHOD_LIST_SERVICES,
		                              data, &reply);
	if (status == 0)
		status = read_names(reply, names, count);
	binder_parcel_free(reply);
	binder_parcel_free(data);
	return status;
}

void binder_service_manager_free_names(char **names, size_t count)
{
	if (!names)
		return;
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}
