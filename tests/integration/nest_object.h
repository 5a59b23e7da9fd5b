/*
 * nest_object.h - the INest object (protocol.h) that the nested-calls test
 * puts in each of its three processes: a call on it goes on to the next
 * process of the ring until the depth runs out, and the reply records on
 * which process and thread each level ran.
 */
#ifndef INTEGRATION_NEST_OBJECT_H
#define INTEGRATION_NEST_OBJECT_H

#include <stddef.h>
#include <stdint.h>

#include <binder/binder.h>

#include "protocol.h"

struct nest_record {
	int32_t pid;
	int32_t tid;
	int32_t came_home; /* 1: the ring's entry for this process was its own local object */
};

/* A new INest local object of context. */
int nest_object_new(binder_context *context, binder_object **out);

/*
 * Calls NEST on ring[index] with depth and the whole ring. On success
 * fills records (at most capacity) and *count. Returns the transaction
 * status, or BINDER_BAD_VALUE for a reply that does not fit.
 */
int nest_call(binder_object *const ring[NEST_RING_SIZE], int32_t index, int32_t depth,
              struct nest_record *records, size_t capacity, size_t *count);

#endif
