/*
 * service_manager_call.h - one IServiceManager call from the client: a
 * parcel that starts with the interface token, the transaction to handle 0,
 * and the reply's AIDL status header turned into a status. Private to
 * libbinder's servicemanager client.
 */
#ifndef BINDER_SERVICE_MANAGER_CALL_H
#define BINDER_SERVICE_MANAGER_CALL_H

#include <stdint.h>

#include "binder/binder.h"
#include "binder/parcel.h"

/* A new parcel holding the token of descriptor; NULL when out of memory. */
binder_parcel *service_manager_call_data(const char *descriptor);

/*
 * Sends data to context's manager with code and waits for the reply. On 0,
 * *reply (the caller frees it) is positioned after the status header.
 * Errors: the transaction's status, BINDER_NO_MEMORY, or the exception's
 * status (service_manager_exception_status).
 */
int service_manager_call(binder_context *context, uint32_t code, binder_parcel *data,
                         binder_parcel **reply);

/* The status a client sees for an AIDL exception: EX_SECURITY ->
 * BINDER_PERMISSION_DENIED, EX_ILLEGAL_ARGUMENT -> BINDER_BAD_VALUE, ... */
int service_manager_exception_status(int32_t exception);

#endif
