/*
 * probe_nest.h - NEST, the nested call that both probe programs answer
 * (probe.h): a chain of calls that goes back and forth between a probe
 * service and a probe object, so that the tests can see where binder runs
 * a call that comes back during a call.
 */
#ifndef TESTS_BRIDGE_PROBE_NEST_H
#define TESTS_BRIDGE_PROBE_NEST_H

#include <binder/binder.h>

/* Calls target's NEST (target's interface is descriptor, the code code)
 * with self as the object to call back, depth and top. The calling thread
 * counts as waiting in the chain during the call. *hops and
 * *on_waiting_thread: NEST's reply. 0 or a binder status. */
int probe_nest_call(binder_object *target, binder_object *self, const char *descriptor,
                    uint32_t code, int32_t depth, int32_t top, int32_t *hops,
                    int32_t *on_waiting_thread);

/* Answers a NEST made of data (after the interface token): when depth is
 * above 0, calls the object it was given back (its interface is
 * other_descriptor, NEST's code there other_code) with depth - 1. The
 * reply: the hops made from here on, and 1 if every call of the chain
 * after the first ran on a thread that was waiting in the chain (0 if
 * one did not). */
int probe_nest_answer(binder_object *self, binder_parcel *data, binder_parcel *reply,
                      const char *other_descriptor, uint32_t other_code);

#endif
