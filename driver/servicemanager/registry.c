/* registry.c - the sorted table of services (see registry.h). */
#include "registry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void registry_init(struct registry *registry)
{
	memset(registry, 0, sizeof(*registry));
}

/* Binary search: the index of name, or where it would go (*found false). */
static size_t locate(const struct registry *registry, const char *name, bool *found)
{
	size_t low = 0, high = registry->count;
	while (low < high) {
		size_t middle = low + (high - low) / 2;
		int order = strcmp(registry->services[middle].name, name);
		if (order == 0) {
			*found = true;
			return middle;
		}
		if (order < 0)
			low = middle + 1;
		else
			high = middle;
	}
	*found = false;
	return low;
}

const struct service *registry_find(const struct registry *registry, const char *name)
{
	bool found;
	size_t index = locate(registry, name, &found);
	return found ? &registry->services[index] : NULL;
}

size_t registry_count_owned(const struct registry *registry, uid_t uid)
{
	size_t owned = 0;
	for (size_t i = 0; i < registry->count; i++)
		owned += registry->services[i].owner_uid == uid;
	return owned;
}

int registry_put(struct registry *registry, const struct service *service, binder_object **replaced)
{
	bool found;
	size_t index = locate(registry, service->name, &found);
	*replaced = NULL;
	if (found) {
		*replaced = registry->services[index].object;
	} else {
		if (registry->count >= REGISTRY_MAX_SERVICES)
			return -ENOSPC;
		struct service *services = realloc(
		        registry->services, (registry->count + 1) * sizeof(*registry->services));
		if (!services)
			return -ENOMEM;
		registry->services = services;
		memmove(&services[index + 1], &services[index],
		        (registry->count - index) * sizeof(*services));
		registry->count++;
	}
	registry->services[index] = *service;
	binder_object_ref(service->object);
	return 0;
}

size_t registry_remove_object(struct registry *registry, binder_object *object)
{
	size_t kept = 0, removed = 0;
	for (size_t i = 0; i < registry->count; i++) {
		struct service *service = &registry->services[i];
		if (service->object == object) {
			log_info("service '%s' died: removed", service->name);
			removed++;
			continue;
		}
		registry->services[kept++] = *service;
	}
	registry->count = kept;
	/* Released once the table is whole again. */
	for (size_t i = 0; i < removed; i++)
		binder_object_unref(object);
	return removed;
}

void registry_for_each(const struct registry *registry,
                       void (*visit)(const struct service *service, void *user), void *user)
{
	for (size_t i = 0; i < registry->count; i++)
		visit(&registry->services[i], user);
}

void registry_clear(struct registry *registry)
{
	for (size_t i = 0; i < registry->count; i++)
		binder_object_unref(registry->services[i].object);
	free(registry->services);
	registry->services = NULL;
	registry->count = 0;
}
