/*
 * probe.h - the interfaces of bridged's probe programs (probe_service.c,
 * probe_client.c), made for the end-to-end tests in tests/bridge/e2e:
 * objects that travel across one or two links, are kept, called and die.
 *
 * IBridgeProbe (probe_service):
 *   KEEP(object)       keeps object (replacing the one kept before) and
 *                      links to its death; with --forward TARGET, passes
 *                      object on to TARGET's KEEP instead (a relay).
 *                      reply: int32 0
 *   CALL_KEPT(int32 x) calls the kept object's ECHO(x).
 *                      reply: int32 ECHO's result, int32 its tag
 *   KEPT_STATE()       reply: int32 a probe_kept_state
 *   TAKE(object, int32 call_back)
 *                      drops object at once, or first calls its ECHO(x)
 *                      when call_back is not 0 (x = call_back).
 *                      reply: int32 ECHO's result (0 without call_back)
 *   COUNT()            reply: int32 how many COUNT calls the service has
 *                      answered, this one included (1, 2, 3, ...): a
 *                      call lost or run twice shows as a gap or a repeat
 *   NEST(object, int32 depth, int32 top)
 *                      a chain of top calls back and forth (probe_nest.h):
 *                      when depth > 0, calls object's NEST(self, depth - 1,
 *                      top). reply: int32 the calls made from here on,
 *                      int32 1 if each call after the chain's first ran on
 *                      a thread waiting in the chain, else 0
 *   RETURN_KEPT()      reply: the kept object (BINDER_NAME_NOT_FOUND when
 *                      none is kept): an object given by a client of
 *                      another host goes home in the reply
 *   SEQUENCE(int32 n)  oneway: counts the call as received, and as out of
 *                      order when n is not above every n received before
 *                      (a gap, a lost call, shows in the count received)
 *   SEQUENCE_STATE()   reply: int32 SEQUENCE calls received, int32 those
 *                      out of order, int32 the highest n received (0
 *                      before the first): a sender goes on from there
 *
 * IBridgeProbeObject (made by probe_client):
 *   ECHO(int32 x)      reply: int32 x + 1, int32 the object's tag
 *   NEST(...)          as the service's NEST, calling the service back
 *
 * Every request starts with the interface token. A status other than 0
 * is the answer of a call that failed (a binder status).
 */
#ifndef TESTS_BRIDGE_PROBE_H
#define TESTS_BRIDGE_PROBE_H

#include <binder/binder.h>

#define PROBE_DESCRIPTOR        "IBridgeProbe"
#define PROBE_OBJECT_DESCRIPTOR "IBridgeProbeObject"

enum probe_code {
	PROBE_KEEP = BINDER_FIRST_CALL_TRANSACTION,
	PROBE_CALL_KEPT = BINDER_FIRST_CALL_TRANSACTION + 1,
	PROBE_KEPT_STATE = BINDER_FIRST_CALL_TRANSACTION + 2,
	PROBE_TAKE = BINDER_FIRST_CALL_TRANSACTION + 3,
	PROBE_COUNT = BINDER_FIRST_CALL_TRANSACTION + 4,
	PROBE_NEST = BINDER_FIRST_CALL_TRANSACTION + 5,
	PROBE_RETURN_KEPT = BINDER_FIRST_CALL_TRANSACTION + 6,
	PROBE_SEQUENCE = BINDER_FIRST_CALL_TRANSACTION + 7, /* oneway */
	PROBE_SEQUENCE_STATE = BINDER_FIRST_CALL_TRANSACTION + 8,
};

enum probe_object_code {
	PROBE_OBJECT_ECHO = BINDER_FIRST_CALL_TRANSACTION,
	PROBE_OBJECT_NEST = BINDER_FIRST_CALL_TRANSACTION + 1,
};

/* What KEPT_STATE answers. */
enum probe_kept_state {
	PROBE_KEPT_NONE = 0,
	PROBE_KEPT_ALIVE = 1, /* kept; no death notification yet */
	PROBE_KEPT_DEAD = 2,  /* kept, and its death notification came */
};

#endif
