/*
 * object_internal.h - what the parcel code needs from the runtime (binder
 * objects and contexts): turning an object into a flat_binder_object for
 * the driver, and a received flat_binder_object back into an object.
 * Private to libbinder.
 */
#ifndef BINDER_OBJECT_INTERNAL_H
#define BINDER_OBJECT_INTERNAL_H

#include <linux/android/binder.h>

#include "binder/binder.h"

/*
 * Fills *flat for sending object to the driver: BINDER_TYPE_BINDER (binder
 * and cookie identify the local object) for a local object,
 * BINDER_TYPE_HANDLE for a proxy; flags as AOSP sets them
 * (FLAT_BINDER_FLAG_ACCEPTS_FDS). object NULL: a null binder
 * (BINDER_TYPE_BINDER, binder 0, cookie 0). Does not touch refcounts: the
 * parcel holds its own reference on object while the flat copy exists.
 */
void binder_object_flatten(const binder_object *object, struct flat_binder_object *flat);

/*
 * The object a flat_binder_object received on context stands for:
 * BINDER_TYPE_BINDER / WEAK_BINDER must name one of context's live local
 * objects (looked up, never trusted), BINDER_TYPE_HANDLE / WEAK_HANDLE
 * gives the context's proxy for that handle (made if needed). A null
 * binder gives *out NULL. On success *out is a new reference.
 * Errors: BINDER_BAD_TYPE (not a binder type), BINDER_BAD_VALUE (unknown
 * local object), BINDER_NO_MEMORY, BINDER_DEAD_OBJECT (context closed).
 */
int binder_context_object_from_flat(binder_context *context, const struct flat_binder_object *flat,
                                    binder_object **out);

#endif
