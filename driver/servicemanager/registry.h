/*
 * registry.h - the services servicemanager knows: names to objects, kept
 * sorted by name, at most REGISTRY_MAX_SERVICES. The registry holds a
 * reference on each object. Not thread-safe (one serving thread).
 */
#ifndef SERVICEMANAGER_REGISTRY_H
#define SERVICEMANAGER_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <binder/binder.h>

#include "service_name.h"

#define REGISTRY_MAX_SERVICES 4096

struct service {
	char name[SERVICE_NAME_MAX + 1];
	binder_object *object; /* referenced */
	bool allow_isolated;
	int32_t dump_priority;
	uid_t owner_uid; /* who added it */
	pid_t owner_pid;
};

struct registry {
	struct service *services; /* sorted by name */
	size_t count;
};

void registry_init(struct registry *registry);

/* The service called name, or NULL. Borrowed: valid until the next change. */
const struct service *registry_find(const struct registry *registry, const char *name);

/* How many services uid added (owner_uid), for its quota. */
size_t registry_count_owned(const struct registry *registry, uid_t uid);

/*
 * Adds service (name valid, object not NULL; the registry takes its own
 * reference), replacing one of the same name: then *replaced gets the old
 * object (a reference the caller drops), else NULL.
 * -ENOSPC when full and the name is new; -ENOMEM.
 */
int registry_put(struct registry *registry, const struct service *service,
                 binder_object **replaced);

/* Removes (and logs) every service whose object is object, dropping the
 * registry's references. Returns how many were removed. */
size_t registry_remove_object(struct registry *registry, binder_object *object);

/* Calls visit for each service in name order. */
void registry_for_each(const struct registry *registry,
                       void (*visit)(const struct service *service, void *user), void *user);

/* Drops every service. */
void registry_clear(struct registry *registry);

#endif
