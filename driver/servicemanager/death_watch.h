/*
 * death_watch.h - the proxies servicemanager watches for death (services
 * and notification callbacks), each linked once however many names or
 * registrations use it. The watch holds a reference on each object.
 *
 * Not thread-safe: servicemanager serves on one thread. The functions call
 * into libbinder (link / unlink) only when the table is consistent, so a
 * death delivered meanwhile on the same thread finds it whole.
 */
#ifndef SERVICEMANAGER_DEATH_WATCH_H
#define SERVICEMANAGER_DEATH_WATCH_H

#include <stddef.h>

#include <binder/binder.h>

struct death_watch_entry {
	binder_object *object; /* referenced */
	unsigned uses;
	bool linked; /* false for local objects, which never die alone */
};

struct death_watch {
	struct death_watch_entry *entries;
	size_t count;
	binder_death_handler handler;
	void *cookie;
};

void death_watch_init(struct death_watch *watch, binder_death_handler handler, void *cookie);

/* One more use of object; links to its death on the first. Errors: those
 * of binder_object_link_to_death (BINDER_DEAD_OBJECT, ...), -ENOMEM. */
int death_watch_acquire(struct death_watch *watch, binder_object *object);

/* One use less; unlinks and drops the reference on the last. */
void death_watch_release(struct death_watch *watch, binder_object *object);

/* object died: forgets it, whatever its uses (the link is spent). */
void death_watch_forget(struct death_watch *watch, binder_object *object);

/* Drops every entry without unlinking (the context is closed). */
void death_watch_clear(struct death_watch *watch);

#endif
