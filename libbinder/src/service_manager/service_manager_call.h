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
#include "binder/service_manager.h"

/* A new parcel of context's Android generation holding the
 * IServiceManager token; NULL when out of memory. */
binder_parcel *service_manager_call_data(binder_context *context);

/*
 * Sends data to context's manager as method (the code of the context's
 * generation) and waits for the reply. On 0,
 * *reply (the caller frees it) is positioned after the status header.
 * Errors: the transaction's status, BINDER_NO_MEMORY, or the exception's
 * status (service_manager_exception_status).
 */
int service_manager_call(binder_context *context, enum binder_service_manager_method method,
                         binder_parcel *data, binder_parcel **reply);

/* Reads method's answer, a @nullable IBinder or (see
 * binder_service_manager_returns_service) a Service union, into *object
 * (a reference, NULL for none). */
int service_manager_read_service(binder_parcel *reply, uint32_t android,
                                 enum binder_service_manager_method method, binder_object **object);

/* The status a client sees for an AIDL exception: EX_SECURITY ->
 * BINDER_PERMISSION_DENIED, EX_ILLEGAL_ARGUMENT -> BINDER_BAD_VALUE, ... */
int service_manager_exception_status(int32_t exception);

#endif
