/*
 * probe_nest.c - NEST for both probe programs (probe_nest.h). Each thread
 * knows whether it waits in a chain's call; a call of the chain other
 * than its first that arrives on a thread that does not wait is what
 * binder never does (the kernel gives it to the thread whose transaction
 * stack it comes back to), and the reply says so.
 */
#include "probe_nest.h"

#include <stdbool.h>

/* This thread waits for the reply to a NEST it made. */
static __thread bool waiting_in_chain;

int probe_nest_call(binder_object *target, binder_object *self, const char *descriptor,
                    uint32_t code, int32_t depth, int32_t top, int32_t *hops,
                    int32_t *on_waiting_thread)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = data && reply ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, descriptor);
	if (status == 0)
		status = binder_parcel_write_object(data, self);
	if (status == 0)
		status = binder_parcel_write_int32(data, depth);
	if (status == 0)
		status = binder_parcel_write_int32(data, top);
	if (status == 0) {
		bool was_waiting = waiting_in_chain;
		waiting_in_chain = true;
		status = binder_object_transact(target, code, data, reply, 0);
		waiting_in_chain = was_waiting;
	}
	if (status == 0)
		status = binder_parcel_read_int32(reply, hops);
	if (status == 0)
		status = binder_parcel_read_int32(reply, on_waiting_thread);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

int probe_nest_answer(binder_object *self, binder_parcel *data, binder_parcel *reply,
                      const char *other_descriptor, uint32_t other_code)
{
	binder_object *other = NULL;
	int32_t depth = 0, top = 0, hops = 0, on_waiting_thread = 1;
	int status = binder_parcel_read_object(data, &other);
	if (status == 0)
		status = binder_parcel_read_int32(data, &depth);
	if (status == 0)
		status = binder_parcel_read_int32(data, &top);
	if (status == 0 && (!other || depth < 0 || depth >= top))
		status = BINDER_BAD_VALUE;
	/* The first call of the chain (depth top - 1) may run anywhere. */
	if (status == 0 && depth < top - 1 && !waiting_in_chain)
		on_waiting_thread = 0;
	if (status == 0 && depth > 0) {
		int32_t further = 1;
		status = probe_nest_call(other, self, other_descriptor, other_code, depth - 1, top,
		                         &hops, &further);
		hops++;
		if (!further)
			on_waiting_thread = 0;
	}
	binder_object_unref(other);
	if (status == 0)
		status = binder_parcel_write_int32(reply, hops);
	if (status == 0)
		status = binder_parcel_write_int32(reply, on_waiting_thread);
	return status;
}
