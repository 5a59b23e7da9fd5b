/*
 * frame.c - the bridge's frames on the wire (frame.h, proto/bridge.proto):
 * the 4-byte big-endian length prefix, packing with protobuf-c, and the one
 * place where a frame a peer sent is checked before anything acts on it.
 *
 * Like AOSP's RpcState (processTransactInternal, validateParcel), the
 * decoder bounds everything the peer controls before it costs anything:
 * the body size against max_frame_size before unpacking; the memory
 * protobuf-c may allocate while unpacking (FRAME_DECODE_MEMORY: its counts
 * of repeated fields and unknown fields come from the peer, and a body of
 * empty objects would cost ~50 bytes of memory per byte); then, per frame
 * kind, every rule of frame_decode's comment, one function per kind.
 *
 * What protobuf-c gives us and we never trust: proto3 strings are "" when
 * absent (NULL is taken as "" too); enums are plain ints that may hold any
 * value; a oneof holds at most one body but may hold none (a kind newer
 * than this file unpacks as an unknown field).
 */
#include "frame.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a check writes why it refused a frame (frame_decode's error). */
struct reason {
	char *text;
	size_t size;
};

/* Writes the reason and returns -EBADMSG. */
static int refuse(struct reason *reason, const char *format, ...)
        __attribute__((format(printf, 2, 3)));

static int refuse(struct reason *reason, const char *format, ...)
{
	if (reason->text && reason->size > 0) {
		va_list args;
		va_start(args, format);
		vsnprintf(reason->text, reason->size, format, args);
		va_end(args);
	}
	return -EBADMSG;
}

/* ---- names and strings ---- */

static bool name_byte_is_valid(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("_.-/@:", c) != NULL);
}

int frame_name_is_valid(const char *name)
{
	if (!name || name[0] == '\0')
		return 0;
	for (size_t i = 0; name[i] != '\0'; i++) {
		if (i == FRAME_MAX_NAME || !name_byte_is_valid(name[i]))
			return 0;
	}
	return 1;
}

/* what: the field, for the reason ("hello: export 3"). */
static int check_name(struct reason *reason, const char *what, const char *name)
{
	if (frame_name_is_valid(name))
		return 0;
	if (!name || name[0] == '\0')
		return refuse(reason, "%s: empty name", what);
	size_t length = strnlen(name, FRAME_MAX_NAME + 1);
	if (length > FRAME_MAX_NAME)
		return refuse(reason, "%s: name longer than %d bytes", what, FRAME_MAX_NAME);
	size_t i = 0;
	while (name_byte_is_valid(name[i]))
		i++;
	return refuse(reason, "%s: name has byte 0x%02x at %zu, outside [A-Za-z0-9_.-/@:]", what,
	              (unsigned char)name[i], i);
}

static size_t string_length(const char *string, size_t max)
{
	return string ? strnlen(string, max + 1) : 0;
}

static int check_string(struct reason *reason, const char *what, const char *string, size_t max)
{
	if (string_length(string, max) > max)
		return refuse(reason, "%s longer than %zu bytes", what, max);
	return 0;
}

/* ---- objects (Transaction and Reply) ---- */

/*
 * Each object stands for a struct flat_binder_object in data: 4-aligned,
 * in increasing order without overlap, wholly inside data, with a known
 * kind and a node id exactly when it is not a null binder.
 */
static int check_objects(struct reason *reason, const char *kind, const ProtobufCBinaryData *data,
                         size_t count, Bridge__BinderObject *const *objects)
{
	uint64_t free_from = 0; /* where the previous object ends */
	for (size_t i = 0; i < count; i++) {
		const Bridge__BinderObject *object = objects[i];
		if (!object)
			return refuse(reason, "%s: object %zu is missing", kind, i);
		uint32_t offset = object->offset;
		if (offset % 4 != 0)
			return refuse(reason,
			              "%s: object %zu at offset %" PRIu32 " is not 4-aligned", kind,
			              i, offset);
		if (i > 0 && offset < objects[i - 1]->offset)
			return refuse(reason,
			              "%s: object %zu at offset %" PRIu32
			              " comes before the previous one",
			              kind, i, offset);
		if (offset < free_from)
			return refuse(reason,
			              "%s: object %zu at offset %" PRIu32
			              " overlaps the previous one",
			              kind, i, offset);
		if ((uint64_t)offset + FRAME_OBJECT_SIZE > data->len)
			return refuse(reason,
			              "%s: object %zu at offset %" PRIu32
			              " does not fit in %zu bytes of data",
			              kind, i, offset, data->len);
		switch ((int)object->kind) {
		case BRIDGE__BINDER_OBJECT__KIND__NULL_BINDER:
			if (object->node_id != 0)
				return refuse(
				        reason,
				        "%s: object %zu is a null binder with node id %" PRIu64,
				        kind, i, object->node_id);
			break;
		case BRIDGE__BINDER_OBJECT__KIND__SENDER_NODE:
		case BRIDGE__BINDER_OBJECT__KIND__RECEIVER_NODE:
			if (object->node_id == 0)
				return refuse(reason, "%s: object %zu has node id 0", kind, i);
			break;
		default:
			return refuse(reason, "%s: object %zu has unknown kind %d", kind, i,
			              (int)object->kind);
		}
		free_from = (uint64_t)offset + FRAME_OBJECT_SIZE;
	}
	return 0;
}

/* ---- one check per frame kind ---- */

static int check_hello(struct reason *reason, const Bridge__Hello *hello)
{
	if (hello->version != FRAME_PROTOCOL_VERSION)
		return refuse(reason, "hello: protocol version %" PRIu32 ", not %d", hello->version,
		              FRAME_PROTOCOL_VERSION);
	int err = check_name(reason, "hello: node_name", hello->node_name);
	if (err)
		return err;
	if (hello->n_exports > FRAME_MAX_EXPORTS)
		return refuse(reason, "hello: %zu exports, more than %d", hello->n_exports,
		              FRAME_MAX_EXPORTS);
	for (size_t i = 0; i < hello->n_exports; i++) {
		char what[48];
		snprintf(what, sizeof(what), "hello: export %zu", i);
		err = check_name(reason, what, hello->exports[i]);
		if (err)
			return err;
	}
	if (hello->max_frame_size < FRAME_MIN_MAX_FRAME_SIZE)
		return refuse(reason, "hello: max_frame_size %" PRIu32 ", below %d",
		              hello->max_frame_size, FRAME_MIN_MAX_FRAME_SIZE);
	if (hello->max_calls_in_flight < 1)
		return refuse(reason, "hello: max_calls_in_flight 0");
	return 0;
}

static int check_transaction(struct reason *reason, const Bridge__Transaction *transaction)
{
	uint64_t call = transaction->call_id;
	if (call == 0)
		return refuse(reason, "transaction: call id 0");
	if (transaction->target_node == 0)
		return refuse(reason, "transaction: call %" PRIu64 " targets node 0", call);
	if (transaction->flags & ~FRAME_FLAG_ONEWAY)
		return refuse(reason, "transaction: call %" PRIu64 " has unknown flags 0x%" PRIx32,
		              call, transaction->flags & ~FRAME_FLAG_ONEWAY);
	if ((transaction->flags & FRAME_FLAG_ONEWAY) && transaction->chain_id != 0)
		return refuse(reason, "transaction: oneway call %" PRIu64 " has chain id %" PRIu64,
		              call, transaction->chain_id);
	if (!(transaction->flags & FRAME_FLAG_ONEWAY) && transaction->chain_id == 0)
		return refuse(reason, "transaction: two-way call %" PRIu64 " has chain id 0", call);
	return check_objects(reason, "transaction", &transaction->data, transaction->n_objects,
	                     transaction->objects);
}

static int check_reply(struct reason *reason, const Bridge__Reply *reply)
{
	if (reply->call_id == 0)
		return refuse(reason, "reply: call id 0");
	if (reply->status != 0 && (reply->data.len > 0 || reply->n_objects > 0))
		return refuse(reason,
		              "reply: call %" PRIu64 " has status %" PRId32
		              " and %zu bytes of data, %zu objects",
		              reply->call_id, reply->status, reply->data.len, reply->n_objects);
	return check_objects(reason, "reply", &reply->data, reply->n_objects, reply->objects);
}

static int check_import_request(struct reason *reason, const Bridge__ImportRequest *request)
{
	if (request->request_id == 0)
		return refuse(reason, "import_request: request id 0");
	return check_name(reason, "import_request: name", request->name);
}

static int check_import_reply(struct reason *reason, const Bridge__ImportReply *reply)
{
	uint64_t request = reply->request_id;
	if (request == 0)
		return refuse(reason, "import_reply: request id 0");
	if (reply->status > 0)
		return refuse(reason,
		              "import_reply: request %" PRIu64 " has positive status %" PRId32,
		              request, reply->status);
	int err = check_string(reason, "import_reply: descriptor", reply->descriptor,
	                       FRAME_MAX_DESCRIPTOR);
	if (err)
		return err;
	bool has_descriptor = reply->descriptor && reply->descriptor[0] != '\0';
	if (reply->status == 0 && reply->node_id == 0)
		return refuse(reason, "import_reply: request %" PRIu64 " succeeds with node id 0",
		              request);
	if (reply->status == 0 && !has_descriptor)
		return refuse(reason,
		              "import_reply: request %" PRIu64 " succeeds without descriptor",
		              request);
	if (reply->status != 0 && reply->node_id != 0)
		return refuse(reason,
		              "import_reply: request %" PRIu64 " fails (status %" PRId32
		              ") with node id %" PRIu64,
		              request, reply->status, reply->node_id);
	if (reply->status != 0 && has_descriptor)
		return refuse(reason,
		              "import_reply: request %" PRIu64 " fails (status %" PRId32
		              ") with a descriptor",
		              request, reply->status);
	return 0;
}

static int check_release(struct reason *reason, const Bridge__Release *release)
{
	if (release->node_id == 0)
		return refuse(reason, "release: node id 0");
	if (release->count == 0)
		return refuse(reason, "release: node %" PRIu64 " count 0", release->node_id);
	return 0;
}

static int check_death(struct reason *reason, const Bridge__Death *death)
{
	if (death->node_id == 0)
		return refuse(reason, "death: node id 0");
	return 0;
}

static int check_error(struct reason *reason, const Bridge__Error *error)
{
	if (error->status >= 0)
		return refuse(reason,
		              "error: call %" PRIu64 " has status %" PRId32 ", not negative",
		              error->call_id, error->status);
	return check_string(reason, "error: message", error->message, FRAME_MAX_MESSAGE);
}

static int check_frame(struct reason *reason, const Bridge__Frame *frame)
{
	/* The body's union holds only pointers: hello reads whichever is set. */
	if (frame->body_case == BRIDGE__FRAME__BODY__NOT_SET || !frame->hello)
		return refuse(reason, "no body (or a kind unknown to protocol version %d)",
		              FRAME_PROTOCOL_VERSION);
	switch (frame->body_case) {
	case BRIDGE__FRAME__BODY_HELLO:
		return check_hello(reason, frame->hello);
	case BRIDGE__FRAME__BODY_TRANSACTION:
		return check_transaction(reason, frame->transaction);
	case BRIDGE__FRAME__BODY_REPLY:
		return check_reply(reason, frame->reply);
	case BRIDGE__FRAME__BODY_IMPORT_REQUEST:
		return check_import_request(reason, frame->import_request);
	case BRIDGE__FRAME__BODY_IMPORT_REPLY:
		return check_import_reply(reason, frame->import_reply);
	case BRIDGE__FRAME__BODY_RELEASE:
		return check_release(reason, frame->release);
	case BRIDGE__FRAME__BODY_DEATH:
		return check_death(reason, frame->death);
	case BRIDGE__FRAME__BODY_PING:
	case BRIDGE__FRAME__BODY_PONG:
		return 0;
	case BRIDGE__FRAME__BODY_ERROR:
		return check_error(reason, frame->error);
	default:
		return refuse(reason, "unknown body case %d", (int)frame->body_case);
	}
}

/* ---- field numbers protobuf forbids ---- */

/*
 * protobuf-c keeps the fields it does not know as unknown fields, and it
 * takes field numbers that protobuf forbids there: 0 (written in two or
 * more bytes) and those above 2^29 - 1. A body with one is not protobuf;
 * protobuf-c would even pack a field 0 back into one byte that it then
 * refuses to unpack.
 */
#define FIELD_NUMBER_MAX 536870911u

static bool has_bad_field_number_in(const ProtobufCMessage *message)
{
	for (size_t i = 0; i < message->n_unknown_fields; i++) {
		uint32_t number = message->unknown_fields[i].tag;
		if (number == 0 || number > FIELD_NUMBER_MAX)
			return true;
	}
	return false;
}

/* The frame, its body and the objects in it: every message it holds. */
static bool has_bad_field_number(const Bridge__Frame *frame)
{
	if (has_bad_field_number_in(&frame->base))
		return true;
	if (frame->body_case == BRIDGE__FRAME__BODY__NOT_SET || !frame->hello)
		return false;
	/* The body's union holds only pointers to messages. */
	if (has_bad_field_number_in((const ProtobufCMessage *)frame->hello))
		return true;
	size_t count = 0;
	Bridge__BinderObject *const *objects = NULL;
	if (frame->body_case == BRIDGE__FRAME__BODY_TRANSACTION) {
		count = frame->transaction->n_objects;
		objects = frame->transaction->objects;
	} else if (frame->body_case == BRIDGE__FRAME__BODY_REPLY) {
		count = frame->reply->n_objects;
		objects = frame->reply->objects;
	}
	for (size_t i = 0; i < count; i++) {
		if (objects[i] && has_bad_field_number_in(&objects[i]->base))
			return true;
	}
	return false;
}

/* ---- unpacking within a memory budget ---- */

/*
 * protobuf-c's allocator for one unpack: plain malloc and free (so that
 * frame_free can free with the default allocator), refusing once the
 * allocations add up to the budget. Each allocation is charged its size
 * plus malloc's overhead; frees are not credited, which bounds the work as
 * well as the peak.
 */
struct budget {
	size_t left;
	bool exceeded;
};

#define MALLOC_OVERHEAD 16

static void *budget_alloc(void *data, size_t size)
{
	struct budget *budget = data;
	if (size > SIZE_MAX - MALLOC_OVERHEAD || size + MALLOC_OVERHEAD > budget->left) {
		budget->exceeded = true;
		return NULL;
	}
	budget->left -= size + MALLOC_OVERHEAD;
	return malloc(size);
}

static void budget_free(void *data, void *pointer)
{
	(void)data;
	free(pointer);
}

int frame_decode(const uint8_t *body, size_t size, uint32_t max_frame_size, Bridge__Frame **out,
                 char *error, size_t error_size)
{
	struct reason reason = {error, error_size};
	if (size > max_frame_size) {
		refuse(&reason, "frame of %zu bytes, above the limit of %" PRIu32, size,
		       max_frame_size);
		return -EMSGSIZE;
	}

	struct budget budget = {FRAME_DECODE_MEMORY(size), false};
	ProtobufCAllocator allocator = {budget_alloc, budget_free, &budget};
	Bridge__Frame *frame = bridge__frame__unpack(&allocator, size, body);
	if (!frame) {
		if (budget.exceeded)
			return refuse(&reason,
			              "frame of %zu bytes needs more than %zu bytes to unpack",
			              size, FRAME_DECODE_MEMORY(size));
		return refuse(&reason, "frame of %zu bytes does not unpack", size);
	}

	int err;
	if (has_bad_field_number(frame))
		err = refuse(&reason,
		             "frame of %zu bytes does not unpack: field number 0 or above 2^29 - 1",
		             size);
	else
		err = check_frame(&reason, frame);
	if (err) {
		frame_free(frame);
		return err;
	}
	*out = frame;
	return 0;
}

void frame_free(Bridge__Frame *frame)
{
	if (frame)
		bridge__frame__free_unpacked(frame, NULL);
}

/* ---- the length prefix and encoding ---- */

int frame_read_length(const uint8_t *header, uint32_t max_frame_size, uint32_t *body_size)
{
	uint32_t size = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 |
	                (uint32_t)header[2] << 8 | (uint32_t)header[3];
	if (size == 0 || size > max_frame_size)
		return -EMSGSIZE;
	*body_size = size;
	return 0;
}

int frame_encode(const Bridge__Frame *frame, uint32_t max_frame_size, uint8_t **out, size_t *size)
{
	size_t body = bridge__frame__get_packed_size(frame);
	if (body == 0 || body > max_frame_size)
		return -EMSGSIZE;
	uint8_t *buffer = malloc(FRAME_HEADER_SIZE + body);
	if (!buffer)
		return -ENOMEM;
	buffer[0] = (uint8_t)(body >> 24);
	buffer[1] = (uint8_t)(body >> 16);
	buffer[2] = (uint8_t)(body >> 8);
	buffer[3] = (uint8_t)body;
	bridge__frame__pack(frame, buffer + FRAME_HEADER_SIZE);
	*out = buffer;
	*size = FRAME_HEADER_SIZE + body;
	return 0;
}

const char *frame_kind_name(const Bridge__Frame *frame)
{
	if (!frame)
		return "none";
	switch (frame->body_case) {
	case BRIDGE__FRAME__BODY__NOT_SET:
		return "none";
	case BRIDGE__FRAME__BODY_HELLO:
		return "hello";
	case BRIDGE__FRAME__BODY_TRANSACTION:
		return "transaction";
	case BRIDGE__FRAME__BODY_REPLY:
		return "reply";
	case BRIDGE__FRAME__BODY_IMPORT_REQUEST:
		return "import_request";
	case BRIDGE__FRAME__BODY_IMPORT_REPLY:
		return "import_reply";
	case BRIDGE__FRAME__BODY_RELEASE:
		return "release";
	case BRIDGE__FRAME__BODY_DEATH:
		return "death";
	case BRIDGE__FRAME__BODY_PING:
		return "ping";
	case BRIDGE__FRAME__BODY_PONG:
		return "pong";
	case BRIDGE__FRAME__BODY_ERROR:
		return "error";
	default:
		return "unknown";
	}
}
