/*
 * protocol.h - the interfaces the integration tests and their peer program
 * (integration_peer) speak: descriptors, transaction codes and the layout
 * of each call. The calculator's are in examples/calculator/calculator.h.
 */
#ifndef INTEGRATION_PROTOCOL_H
#define INTEGRATION_PROTOCOL_H

#include <binder/binder.h>

/* Every reply starts with the AIDL exception header (0 = none). */

/*
 * INest: nested calls around a ring of three processes.
 * NEST request: token, int32 depth (0..NEST_MAX_DEPTH), int32 index of the
 * receiver in the ring (0..2), int32 ring size (3), the ring's 3 objects.
 * The receiver checks that ring[index] is its own local object (an object
 * that came home), and unless depth is 0 calls NEST on ring[index + 1]
 * with depth - 1. Reply: int32 count, then count records of (int32 pid,
 * int32 tid, int32 came_home), the receiver's first, then the inner ones.
 */
#define NEST_DESCRIPTOR "integration.INest"
#define NEST_CALL       BINDER_FIRST_CALL_TRANSACTION
#define NEST_RING_SIZE  3
#define NEST_MAX_DEPTH  32

/*
 * ISequence: oneway calls in order.
 * SEQUENCE_RECORD (oneway) request: token, int32 sequence number. The
 * receiver expects 0, 1, 2, ... and remembers the first one out of order.
 * SEQUENCE_REPORT request: token, int32 expected count, int32 wait ms
 * (waits up to that long for the count to reach the expected one).
 * Reply: int32 count, int32 first index out of order (-1: none), int32
 * calls that were not flagged oneway.
 */
#define SEQUENCE_DESCRIPTOR "integration.ISequence"
#define SEQUENCE_RECORD     BINDER_FIRST_CALL_TRANSACTION
#define SEQUENCE_REPORT     (BINDER_FIRST_CALL_TRANSACTION + 1)

/*
 * IBlocker: a call that does not return until its process dies.
 * BLOCKER_BLOCK request: token, fd. The receiver writes one byte to the fd
 * (so the caller knows the call arrived), then sleeps (bounded:
 * BLOCKER_SLEEP_SECONDS) and returns.
 */
#define BLOCKER_DESCRIPTOR    "integration.IBlocker"
#define BLOCKER_BLOCK         BINDER_FIRST_CALL_TRANSACTION
#define BLOCKER_SLEEP_SECONDS 60

/*
 * IFiles: file descriptors in calls.
 * FILES_WRITE request: token, fd, String8 text; the receiver writes text to
 * the fd. Reply: int32 bytes written.
 * FILES_READ request: token, fd; the receiver reads the file from offset 0
 * (pread, up to FILES_MAX_READ bytes). Reply: String8 contents.
 * FILES_MAKE request: token, String8 text; the receiver makes a memfd
 * holding text. Reply: the fd.
 */
#define FILES_DESCRIPTOR "integration.IFiles"
#define FILES_WRITE      BINDER_FIRST_CALL_TRANSACTION
#define FILES_READ       (BINDER_FIRST_CALL_TRANSACTION + 1)
#define FILES_MAKE       (BINDER_FIRST_CALL_TRANSACTION + 2)
#define FILES_MAX_READ   4096

/*
 * ITwoContexts: objects of a process that holds two binder contexts.
 * TWO_CONTEXTS_ECHO request: token, int32 value. Reply: int32 value + 1.
 * TWO_CONTEXTS_CLOSE_FIRST (only the second context's object) request:
 * token. The receiver closes its first context. Reply: int32 the status
 * binder_context_close returned.
 */
#define TWO_CONTEXTS_DESCRIPTOR  "integration.ITwoContexts"
#define TWO_CONTEXTS_ECHO        BINDER_FIRST_CALL_TRANSACTION
#define TWO_CONTEXTS_CLOSE_FIRST (BINDER_FIRST_CALL_TRANSACTION + 1)

#endif
