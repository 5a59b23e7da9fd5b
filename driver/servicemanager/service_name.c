/* service_name.c - checks service names (see service_name.h). */
#include "service_name.h"

#include <string.h>

bool service_name_is_valid(const char *name)
{
	size_t length = strnlen(name, SERVICE_NAME_MAX + 1);
	if (length == 0 || length > SERVICE_NAME_MAX)
		return false;
	for (size_t i = 0; i < length; i++) {
		char c = name[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			continue;
		if (c == '_' || c == '-' || c == '.' || c == '/' || c == '@')
			continue;
		return false;
	}
	return true;
}
