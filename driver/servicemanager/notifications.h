/*
 * notifications.h - registrations for notifications (IServiceCallback
 * objects waiting for a name), at most NOTIFICATIONS_MAX, each with the
 * uid that made it (for its quota). Each holds a reference on its
 * callback. Not thread-safe (one serving thread).
 */
#ifndef SERVICEMANAGER_NOTIFICATIONS_H
#define SERVICEMANAGER_NOTIFICATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <binder/binder.h>

#include "service_name.h"

#define NOTIFICATIONS_MAX 4096

/* IServiceCallback: oneway void onRegistration(String name, IBinder binder). */
#define SERVICE_CALLBACK_DESCRIPTOR      "android.os.IServiceCallback"
#define SERVICE_CALLBACK_ON_REGISTRATION 1u

struct notification {
	char name[SERVICE_NAME_MAX + 1];
	binder_object *callback; /* referenced */
	uid_t owner_uid;         /* who registered it */
};

struct notifications {
	struct notification *entries;
	size_t count;
};

void notifications_init(struct notifications *notifications);

/* Registers callback for name (valid) on behalf of owner_uid. -ENOSPC
 * when full, -ENOMEM. */
int notifications_add(struct notifications *notifications, const char *name,
                      binder_object *callback, uid_t owner_uid);

/* How many registrations uid made (owner_uid), for its quota. */
size_t notifications_count_owned(const struct notifications *notifications, uid_t uid);

/* Unregisters callback for name; false if it was not registered. The
 * reference is dropped. */
bool notifications_remove(struct notifications *notifications, const char *name,
                          binder_object *callback);

/* Drops every registration of callback (its process died); returns how
 * many there were. */
size_t notifications_remove_callback(struct notifications *notifications, binder_object *callback);

/* The callbacks registered for name: *callbacks (malloc'ed) holds *count
 * new references, to drop with notifications_free_callbacks. */
int notifications_for_name(const struct notifications *notifications, const char *name,
                           binder_object ***callbacks, size_t *count);
void notifications_free_callbacks(binder_object **callbacks, size_t count);

/* Tells callback that name is now object (oneway onRegistration). */
int notifications_send(binder_object *callback, const char *name, binder_object *object);

void notifications_clear(struct notifications *notifications);

#endif
