/* death_watch.c - one death link per watched proxy, counted by uses (see
 * death_watch.h). */
#include "death_watch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void death_watch_init(struct death_watch *watch, binder_death_handler handler, void *cookie)
{
	memset(watch, 0, sizeof(*watch));
	watch->handler = handler;
	watch->cookie = cookie;
}

static struct death_watch_entry *find(struct death_watch *watch, binder_object *object)
{
	for (size_t i = 0; i < watch->count; i++) {
		if (watch->entries[i].object == object)
			return &watch->entries[i];
	}
	return NULL;
}

static void remove_entry(struct death_watch *watch, struct death_watch_entry *entry)
{
	size_t index = (size_t)(entry - watch->entries);
	watch->entries[index] = watch->entries[watch->count - 1];
	watch->count--;
}

int death_watch_acquire(struct death_watch *watch, binder_object *object)
{
	struct death_watch_entry *entry = find(watch, object);
	if (entry) {
		entry->uses++;
		return 0;
	}
	bool linked = false;
	if (!binder_object_is_local(object)) {
		int status = binder_object_link_to_death(object, watch->handler, watch->cookie);
		if (status)
			return status;
		linked = true;
	}
	/* Grown after the link, which may have run a death that changed it. */
	struct death_watch_entry *entries =
	        realloc(watch->entries, (watch->count + 1) * sizeof(*watch->entries));
	if (!entries) {
		if (linked)
			binder_object_unlink_to_death(object, watch->handler, watch->cookie);
		return -ENOMEM;
	}
	watch->entries = entries;
	watch->entries[watch->count++] = (struct death_watch_entry){
	        .object = binder_object_ref(object), .uses = 1, .linked = linked};
	return 0;
}

void death_watch_release(struct death_watch *watch, binder_object *object)
{
	struct death_watch_entry *entry = find(watch, object);
	if (!entry || --entry->uses > 0)
		return;
	bool linked = entry->linked;
	remove_entry(watch, entry);
	if (linked)
		binder_object_unlink_to_death(object, watch->handler, watch->cookie);
	binder_object_unref(object);
}

void death_watch_forget(struct death_watch *watch, binder_object *object)
{
	struct death_watch_entry *entry = find(watch, object);
	if (!entry)
		return;
	remove_entry(watch, entry);
	binder_object_unref(object);
}

void death_watch_clear(struct death_watch *watch)
{
	for (size_t i = 0; i < watch->count; i++)
		binder_object_unref(watch->entries[i].object);
	free(watch->entries);
	watch->entries = NULL;
	watch->count = 0;
}
