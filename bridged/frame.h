/*
 * frame.h - the bridge's frames on the wire (proto/bridge.proto): a 4-byte
 * big-endian length, then a packed bridge.Frame. Decoding checks in one
 * place everything a peer controls before anything acts on it (as AOSP's
 * RpcState does): sizes, the frame kind, names, ids, object offsets.
 *
 * Thread-safety: no shared state; any thread.
 * Ownership: frame_decode returns a frame the caller frees with
 * frame_free; frame_encode returns a malloc'ed buffer the caller frees.
 */
#ifndef BRIDGED_FRAME_H
#define BRIDGED_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "bridge.pb-c.h"

#define FRAME_HEADER_SIZE      4
#define FRAME_PROTOCOL_VERSION 1
/* The size of a struct flat_binder_object, which each object replaces. */
#define FRAME_OBJECT_SIZE 24
/* Bounds on strings a peer sends. */
#define FRAME_MAX_NAME       127
#define FRAME_MAX_DESCRIPTOR 1024
#define FRAME_MAX_MESSAGE    1024
#define FRAME_MAX_EXPORTS    256
/* TF_ONE_WAY: the only transaction flag that crosses the link. */
#define FRAME_FLAG_ONEWAY 0x01u
/* The smallest max_frame_size a Hello may announce. */
#define FRAME_MIN_MAX_FRAME_SIZE 4096
/*
 * The most memory frame_decode lets protobuf-c allocate while it unpacks a
 * body of size bytes (a body that needs more does not unpack): the counts
 * of repeated and unknown fields come from the peer, and a body of empty
 * objects would otherwise cost ~50 bytes per byte. The densest valid
 * frames (a transaction of adjacent objects) need about 5 bytes per byte.
 */
#define FRAME_DECODE_MEMORY(size) (8 * (size_t)(size) + 65536)

/* Whether name is a valid node or service name: 1..127 bytes of
 * [A-Za-z0-9_.-/@:]. */
int frame_name_is_valid(const char *name);

/*
 * Reads the length prefix in header (FRAME_HEADER_SIZE bytes). Returns 0
 * and the body size, or -EMSGSIZE when it is 0 or above max_frame_size.
 */
int frame_read_length(const uint8_t *header, uint32_t max_frame_size, uint32_t *body_size);

/*
 * Encodes frame with its length prefix into a new buffer (*out, *size).
 * Errors: -ENOMEM; -EMSGSIZE when the body exceeds max_frame_size (or
 * is empty: a frame without a body, which frame_read_length refuses).
 */
int frame_encode(const Bridge__Frame *frame, uint32_t max_frame_size, uint8_t **out, size_t *size);

/*
 * Decodes a frame body (without its prefix) and checks it. On success
 * *out is the frame. On failure returns -EBADMSG (does not unpack, or
 * breaks a rule below) or -EMSGSIZE (size above max_frame_size), writes
 * a one-line reason into error (error_size bytes) and *out is untouched.
 * Rules: a body is set; names pass frame_name_is_valid; strings within
 * their bounds; Hello: version FRAME_PROTOCOL_VERSION, at most
 * FRAME_MAX_EXPORTS exports, max_frame_size >= 4096, max_calls_in_flight
 * >= 1; Transaction: call_id != 0, target_node != 0, flags within
 * FRAME_FLAG_ONEWAY, chain_id 0 for oneway; Transaction and Reply
 * objects: offsets 4-aligned, increasing, not overlapping, each with
 * FRAME_OBJECT_SIZE bytes inside data, kind known, node_id 0 exactly for
 * NULL_BINDER; Reply: call_id != 0, status <= 0, no data or objects with
 * a non-zero status; ImportRequest: request_id != 0; ImportReply:
 * request_id != 0, status <= 0, node_id != 0 and a descriptor exactly
 * when status is 0; Release: node_id != 0, count >= 1; Death: node_id
 * != 0; Error: status < 0.
 */
int frame_decode(const uint8_t *body, size_t size, uint32_t max_frame_size, Bridge__Frame **out,
                 char *error, size_t error_size);
void frame_free(Bridge__Frame *frame);

/* The frame kind's name ("transaction", ...), for logs. */
const char *frame_kind_name(const Bridge__Frame *frame);

#endif
