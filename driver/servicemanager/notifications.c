/* notifications.c - IServiceCallback registrations and the oneway
 * onRegistration call (see notifications.h). */
#include "notifications.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void notifications_init(struct notifications *notifications)
{
	memset(notifications, 0, sizeof(*notifications));
}

int notifications_add(struct notifications *notifications, const char *name,
                      binder_object *callback, uid_t owner_uid)
{
	if (notifications->count >= NOTIFICATIONS_MAX)
		return -ENOSPC;
	struct notification *entries =
	        realloc(notifications->entries, (notifications->count + 1) * sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	notifications->entries = entries;
	struct notification *entry = &entries[notifications->count++];
	snprintf(entry->name, sizeof(entry->name), "%s", name);
	entry->callback = binder_object_ref(callback);
	entry->owner_uid = owner_uid;
	return 0;
}

size_t notifications_count_owned(const struct notifications *notifications, uid_t uid)
{
	size_t owned = 0;
	for (size_t i = 0; i < notifications->count; i++)
		owned += notifications->entries[i].owner_uid == uid;
	return owned;
}

bool notifications_remove(struct notifications *notifications, const char *name,
                          binder_object *callback)
{
	for (size_t i = 0; i < notifications->count; i++) {
		struct notification *entry = &notifications->entries[i];
		if (entry->callback != callback || strcmp(entry->name, name) != 0)
			continue;
		memmove(entry, entry + 1, (notifications->count - i - 1) * sizeof(*entry));
		notifications->count--;
		binder_object_unref(callback);
		return true;
	}
	return false;
}

size_t notifications_remove_callback(struct notifications *notifications, binder_object *callback)
{
	size_t kept = 0, removed = 0;
	for (size_t i = 0; i < notifications->count; i++) {
		if (notifications->entries[i].callback == callback) {
			removed++;
			continue;
		}
		notifications->entries[kept++] = notifications->entries[i];
	}
	notifications->count = kept;
	for (size_t i = 0; i < removed; i++)
		binder_object_unref(callback);
	return removed;
}

int notifications_for_name(const struct notifications *notifications, const char *name,
                           binder_object ***callbacks, size_t *count)
{
	*callbacks = NULL;
	*count = 0;
	size_t matching = 0;
	for (size_t i = 0; i < notifications->count; i++)
		matching += strcmp(notifications->entries[i].name, name) == 0;
	if (matching == 0)
		return 0;
	binder_object **list = calloc(matching, sizeof(*list));
	if (!list)
		return -ENOMEM;
	size_t filled = 0;
	for (size_t i = 0; i < notifications->count; i++) {
		if (strcmp(notifications->entries[i].name, name) == 0)
			list[filled++] = binder_object_ref(notifications->entries[i].callback);
	}
	*callbacks = list;
	*count = filled;
	return 0;
}

void notifications_free_callbacks(binder_object **callbacks, size_t count)
{
	for (size_t i = 0; i < count; i++)
		binder_object_unref(callbacks[i]);
	free(callbacks);
}

int notifications_send(binder_object *callback, const char *name, binder_object *object)
{
	binder_parcel *data = binder_parcel_new();
	if (!data)
		return -ENOMEM;
	int status = binder_parcel_write_interface_token(data, SERVICE_CALLBACK_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_string16(data, name);
	if (status == 0)
		status = binder_parcel_write_object(data, object);
	if (status == 0)
		status = binder_object_transact(callback, SERVICE_CALLBACK_ON_REGISTRATION, data,
		                                NULL, BINDER_FLAG_ONEWAY);
	binder_parcel_free(data);
	return status;
}

void notifications_clear(struct notifications *notifications)
{
	for (size_t i = 0; i < notifications->count; i++)
		binder_object_unref(notifications->entries[i].callback);
	free(notifications->entries);
	notifications->entries = NULL;
	notifications->count = 0;
}
