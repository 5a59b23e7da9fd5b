/*
 * binder/service_manager.h - the servicemanager client: names to objects.
 *
 * servicemanager is the context manager (handle 0). It speaks AOSP's
 * android.os.IServiceManager AIDL interface of the context's Android
 * generation (11 to 16, binder_context_options.android; 14 by default):
 * these functions build those transactions, so they also work against
 * Android's own servicemanager, and Android clients work against ours.
 *
 * Thread-safety: as binder/binder.h. Ownership: objects returned through
 * `out` are new references (binder_object_unref); name lists are freed
 * with binder_service_manager_free_names.
 *
 * Errors: 0, or BINDER_NAME_NOT_FOUND (no such service),
 * BINDER_PERMISSION_DENIED (the policy refused: EX_SECURITY),
 * BINDER_BAD_VALUE (EX_ILLEGAL_ARGUMENT: bad name, null object),
 * BINDER_TIMED_OUT, BINDER_DEAD_OBJECT (no servicemanager), or another
 * transaction status.
 */
#ifndef BINDER_SERVICE_MANAGER_H
#define BINDER_SERVICE_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binder/binder.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BINDER_SERVICE_MANAGER_DESCRIPTOR "android.os.IServiceManager"

/* IServiceManager transaction codes of Android 11 to 14 (AIDL order);
 * binder_service_manager_code gives every generation's. */
enum binder_service_manager_code {
	BINDER_SERVICE_MANAGER_GET_SERVICE = 1,
	BINDER_SERVICE_MANAGER_CHECK_SERVICE = 2,
	BINDER_SERVICE_MANAGER_ADD_SERVICE = 3,
	BINDER_SERVICE_MANAGER_LIST_SERVICES = 4,
	BINDER_SERVICE_MANAGER_REGISTER_FOR_NOTIFICATIONS = 5,
	BINDER_SERVICE_MANAGER_UNREGISTER_FOR_NOTIFICATIONS = 6,
	BINDER_SERVICE_MANAGER_IS_DECLARED = 7,
};

/*
 * IServiceManager methods by name: their codes depend on the Android
 * generation (binder_context_options.android). Android 11 to 14 number
 * them as above; Android 15 adds getService2 as code 2 (and its
 * checkService returns the Service union), which moves the rest by one;
 * Android 16 adds checkService2 after checkService, which moves them by
 * one more. The functions below use the codes of their context's
 * generation.
 */
enum binder_service_manager_method {
	BINDER_SERVICE_MANAGER_METHOD_GET_SERVICE,
	BINDER_SERVICE_MANAGER_METHOD_GET_SERVICE2,
	BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE,
	BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE2,
	BINDER_SERVICE_MANAGER_METHOD_ADD_SERVICE,
	BINDER_SERVICE_MANAGER_METHOD_LIST_SERVICES,
	BINDER_SERVICE_MANAGER_METHOD_REGISTER_FOR_NOTIFICATIONS,
	BINDER_SERVICE_MANAGER_METHOD_UNREGISTER_FOR_NOTIFICATIONS,
	BINDER_SERVICE_MANAGER_METHOD_IS_DECLARED,
	BINDER_SERVICE_MANAGER_METHOD_COUNT
};

/* The transaction code of method in android's IServiceManager; 0 if that
 * generation has no such method or is not supported. */
BINDER_API uint32_t binder_service_manager_code(uint32_t android,
                                                enum binder_service_manager_method method);

/*
 * Whether method answers with AIDL's `union Service` rather than a
 * nullable IBinder: getService2 and checkService2, and Android 15's
 * checkService. On the wire, after the status header: int32 1 (not
 * null), int32 tag 0, then Android 15: the binder; Android 16: a
 * ServiceWithMetadata parcelable (int32 1, int32 size in bytes from the
 * size field on, the binder, boolean isLazyService).
 */
BINDER_API bool binder_service_manager_returns_service(uint32_t android,
                                                       enum binder_service_manager_method method);

/* dumpPriority flags of addService / listServices. */
#define BINDER_DUMP_FLAG_PRIORITY_CRITICAL 0x1
#define BINDER_DUMP_FLAG_PRIORITY_HIGH     0x2
#define BINDER_DUMP_FLAG_PRIORITY_NORMAL   0x4
#define BINDER_DUMP_FLAG_PRIORITY_DEFAULT  0x8
#define BINDER_DUMP_FLAG_PRIORITY_ALL      0xf

/* How long binder_service_manager_get waits by default, in ms. */
#define BINDER_SERVICE_MANAGER_DEFAULT_WAIT_MS 5000

/* Registers service (a local object of context, or a proxy) under name.
 * Names: 1 to 127 bytes of [A-Za-z0-9_.\-/@]. */
BINDER_API int binder_service_manager_add(binder_context *context, const char *name,
                                          binder_object *service);

/* The service called name, now: BINDER_NAME_NOT_FOUND if there is none. */
BINDER_API int binder_service_manager_check(binder_context *context, const char *name,
                                            binder_object **out);

/* The service called name, waiting up to timeout_ms for it to be added
 * (negative: BINDER_SERVICE_MANAGER_DEFAULT_WAIT_MS). BINDER_NAME_NOT_FOUND
 * if it did not appear in time. */
BINDER_API int binder_service_manager_get(binder_context *context, const char *name, int timeout_ms,
                                          binder_object **out);

/* The names of all services, sorted: *names is an array of *count
 * malloc'ed strings, freed with binder_service_manager_free_names. */
BINDER_API int binder_service_manager_list(binder_context *context, char ***names, size_t *count);
BINDER_API void binder_service_manager_free_names(char **names, size_t count);

#ifdef __cplusplus
}
#endif

#endif
