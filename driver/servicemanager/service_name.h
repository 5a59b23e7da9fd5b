/* service_name.h - what a service name may be: 1 to 127 bytes of
 * [A-Za-z0-9_.-/@] (AOSP's rule, plus '@'). */
#ifndef SERVICEMANAGER_SERVICE_NAME_H
#define SERVICEMANAGER_SERVICE_NAME_H

#include <stdbool.h>

#define SERVICE_NAME_MAX 127

bool service_name_is_valid(const char *name);

#endif
