/*
 * service_manager_codes.c - IServiceManager's transaction codes in each
 * Android generation (frameworks/native/libs/binder/aidl/android/os/
 * IServiceManager.aidl: AIDL numbers methods from 1 in the order written),
 * and which methods answer with the Service union.
 */
#include "binder/service_manager.h"

#define GENERATIONS (BINDER_ANDROID_NEWEST - BINDER_ANDROID_OLDEST + 1)
/* The one generation whose checkService answers with the Service union. */
#define CHECK_SERVICE_UNION_ANDROID 15

/* Android 11 to 14: the first seven methods kept their places. */
#define CODES_ANDROID_11_TO_14                                                                     \
	{                                                                                          \
		[BINDER_SERVICE_MANAGER_METHOD_GET_SERVICE] = 1,                                   \
		[BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE] = 2,                                 \
		[BINDER_SERVICE_MANAGER_METHOD_ADD_SERVICE] = 3,                                   \
		[BINDER_SERVICE_MANAGER_METHOD_LIST_SERVICES] = 4,                                 \
		[BINDER_SERVICE_MANAGER_METHOD_REGISTER_FOR_NOTIFICATIONS] = 5,                    \
		[BINDER_SERVICE_MANAGER_METHOD_UNREGISTER_FOR_NOTIFICATIONS] = 6,                  \
		[BINDER_SERVICE_MANAGER_METHOD_IS_DECLARED] = 7,                                   \
	}

static const uint32_t codes[GENERATIONS][BINDER_SERVICE_MANAGER_METHOD_COUNT] = {
        CODES_ANDROID_11_TO_14,
        CODES_ANDROID_11_TO_14,
        CODES_ANDROID_11_TO_14,
        CODES_ANDROID_11_TO_14,
        /* Android 15: getService2 after getService. */
        {
                [BINDER_SERVICE_MANAGER_METHOD_GET_SERVICE] = 1,
                [BINDER_SERVICE_MANAGER_METHOD_GET_SERVICE2] = 2,
                [BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE] = 3,
                [BINDER_SERVICE_MANAGER_METHOD_ADD_SERVICE] = 4,
                [BINDER_SERVICE_MANAGER_METHOD_LIST_SERVICES] = 5,
                [BINDER_SERVICE_MANAGER_METHOD_REGISTER_FOR_NOTIFICATIONS] = 6,
                [BINDER_SERVICE_MANAGER_METHOD_UNREGISTER_FOR_NOTIFICATIONS] = 7,
                [BINDER_SERVICE_MANAGER_METHOD_IS_DECLARED] = 8,
        },
        /* Android 16: checkService2 after checkService. */
        {
                [BINDER_SERVICE_MANAGER_METHOD_GET_SERVICE] = 1,
                [BINDER_SERVICE_MANAGER_METHOD_GET_SERVICE2] = 2,
                [BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE] = 3,
                [BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE2] = 4,
                [BINDER_SERVICE_MANAGER_METHOD_ADD_SERVICE] = 5,
                [BINDER_SERVICE_MANAGER_METHOD_LIST_SERVICES] = 6,
                [BINDER_SERVICE_MANAGER_METHOD_REGISTER_FOR_NOTIFICATIONS] = 7,
                [BINDER_SERVICE_MANAGER_METHOD_UNREGISTER_FOR_NOTIFICATIONS] = 8,
                [BINDER_SERVICE_MANAGER_METHOD_IS_DECLARED] = 9,
        },
};

uint32_t binder_service_manager_code(uint32_t android, enum binder_service_manager_method method)
{
	if (!binder_android_is_supported(android) ||
	    (unsigned)method >= BINDER_SERVICE_MANAGER_METHOD_COUNT)
		return 0;
	return codes[android - BINDER_ANDROID_OLDEST][method];
}

bool binder_service_manager_returns_service(uint32_t android,
                                            enum binder_service_manager_method method)
{
	if (binder_service_manager_code(android, method) == 0)
		return false;
	return method == BINDER_SERVICE_MANAGER_METHOD_GET_SERVICE2 ||
	       method == BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE2 ||
	       (method == BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE &&
	        android == CHECK_SERVICE_UNION_ANDROID);
}
