/*
 * frame_test.c - bridged's frame codec (bridged/frame.c): the length
 * prefix, round trips of every frame kind, and each rule frame_decode
 * enforces, one test per rule: the frame is valid but for the one thing
 * the test breaks, and the refusal must name that thing (a frame refused
 * for another reason fails the test). Each group also checks that the
 * valid frame it starts from passes.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

#define MAX_FRAME (1u << 20)

/* ---- helpers ---- */

static uint8_t *pack_body(const Bridge__Frame *frame, size_t *size)
{
	*size = bridge__frame__get_packed_size(frame);
	uint8_t *body = malloc(*size + 1);
	cr_assert_not_null(body);
	cr_assert_eq(bridge__frame__pack(frame, body), *size);
	return body;
}

/* Decodes frame's packed body; it must pass. The caller frees the result. */
static Bridge__Frame *expect_valid(const Bridge__Frame *frame)
{
	size_t size;
	uint8_t *body = pack_body(frame, &size);
	char error[256] = "";
	Bridge__Frame *out = NULL;
	int err = frame_decode(body, size, MAX_FRAME, &out, error, sizeof(error));
	cr_assert_eq(err, 0, "a valid %s is refused: %d, %s", frame_kind_name(frame), err, error);
	cr_assert_not_null(out);
	cr_assert_eq(out->body_case, frame->body_case);
	free(body);
	return out;
}

static void expect_valid_and_free(const Bridge__Frame *frame)
{
	frame_free(expect_valid(frame));
}

/* The body must be refused with -EBADMSG, for a reason containing reason. */
static void expect_refused_body(const uint8_t *body, size_t size, const char *reason)
{
	char error[256];
	memset(error, 'x', sizeof(error));
	error[sizeof(error) - 1] = '\0';
	Bridge__Frame *const untouched = (Bridge__Frame *)(uintptr_t)0x5a5a;
	Bridge__Frame *out = untouched;
	int err = frame_decode(body, size, MAX_FRAME, &out, error, sizeof(error));
	if (err == 0)
		frame_free(out);
	cr_assert_eq(err, -EBADMSG, "accepted (%d) where \"%s\" was expected", err, reason);
	cr_assert_eq(out, untouched, "*out written on failure");
	cr_assert_not_null(strstr(error, reason), "refused for \"%s\", not \"%s\"", error, reason);
	cr_assert_null(strchr(error, '\n'), "the reason is not one line: %s", error);
}

static void expect_refused(const Bridge__Frame *frame, const char *reason)
{
	size_t size;
	uint8_t *body = pack_body(frame, &size);
	expect_refused_body(body, size, reason);
	free(body);
}

static size_t put_varint(uint8_t *at, uint64_t value)
{
	size_t n = 0;
	while (value >= 0x80) {
		at[n++] = (uint8_t)(value | 0x80);
		value >>= 7;
	}
	at[n++] = (uint8_t)value;
	return n;
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	cr_assert_not_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* ---- valid frames of every kind ---- */

static char *valid_exports[] = {"calculator", "echo.v1", "a/b@c:d-e_f"};

static Bridge__Hello valid_hello(void)
{
	Bridge__Hello hello = BRIDGE__HELLO__INIT;
	hello.version = FRAME_PROTOCOL_VERSION;
	hello.node_name = "hosta";
	hello.n_exports = 3;
	hello.exports = valid_exports;
	hello.max_frame_size = 4259840;
	hello.max_calls_in_flight = 256;
	return hello;
}

/*
 * A payload of 96 bytes with three objects: the sender's node 11 at 0, the
 * receiver's node 12 at 24, a null binder at 56.
 */
struct payload {
	uint8_t data[96];
	Bridge__BinderObject objects[3];
	Bridge__BinderObject *pointers[3];
};

static void valid_payload(struct payload *payload)
{
	static const struct {
		uint32_t offset;
		Bridge__BinderObject__Kind kind;
		uint64_t node;
	} objects[3] = {
	        {0, BRIDGE__BINDER_OBJECT__KIND__SENDER_NODE, 11},
	        {24, BRIDGE__BINDER_OBJECT__KIND__RECEIVER_NODE, 12},
	        {56, BRIDGE__BINDER_OBJECT__KIND__NULL_BINDER, 0},
	};
	for (size_t i = 0; i < sizeof(payload->data); i++)
		payload->data[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < 3; i++) {
		bridge__binder_object__init(&payload->objects[i]);
		payload->objects[i].offset = objects[i].offset;
		payload->objects[i].kind = objects[i].kind;
		payload->objects[i].node_id = objects[i].node;
		payload->pointers[i] = &payload->objects[i];
	}
}

static Bridge__Transaction valid_transaction(struct payload *payload)
{
	valid_payload(payload);
	Bridge__Transaction transaction = BRIDGE__TRANSACTION__INIT;
	transaction.call_id = 7;
	transaction.chain_id = 3;
	transaction.target_node = 5;
	transaction.code = 0x5f434d44;
	transaction.flags = 0;
	transaction.data.data = payload->data;
	transaction.data.len = sizeof(payload->data);
	transaction.n_objects = 3;
	transaction.objects = payload->pointers;
	return transaction;
}

static Bridge__Reply valid_reply(struct payload *payload)
{
	valid_payload(payload);
	Bridge__Reply reply = BRIDGE__REPLY__INIT;
	reply.call_id = 7;
	reply.status = 0;
	reply.data.data = payload->data;
	reply.data.len = sizeof(payload->data);
	reply.n_objects = 3;
	reply.objects = payload->pointers;
	return reply;
}

static Bridge__ImportRequest valid_import_request(void)
{
	Bridge__ImportRequest request = BRIDGE__IMPORT_REQUEST__INIT;
	request.request_id = 9;
	request.name = "calculator";
	return request;
}

static Bridge__ImportReply valid_import_reply(void)
{
	Bridge__ImportReply reply = BRIDGE__IMPORT_REPLY__INIT;
	reply.request_id = 9;
	reply.status = 0;
	reply.node_id = 1;
	reply.descriptor = "org.example.ICalculator";
	return reply;
}

static Bridge__Release valid_release(void)
{
	Bridge__Release release = BRIDGE__RELEASE__INIT;
	release.node_id = 4;
	release.count = 2;
	return release;
}

static Bridge__Error valid_error(void)
{
	Bridge__Error error = BRIDGE__ERROR__INIT;
	error.call_id = 7;
	error.status = -22;
	error.message = "no such node";
	return error;
}

/* A frame with the given body (a GNU statement expression, as gnu11 allows). */
#define FRAME_OF(field, value_case, body)                                                          \
	({                                                                                         \
		Bridge__Frame frame_ = BRIDGE__FRAME__INIT;                                        \
		frame_.body_case = value_case;                                                     \
		frame_.field = (body);                                                             \
		frame_;                                                                            \
	})
#define HELLO(h)          FRAME_OF(hello, BRIDGE__FRAME__BODY_HELLO, h)
#define TRANSACTION(t)    FRAME_OF(transaction, BRIDGE__FRAME__BODY_TRANSACTION, t)
#define REPLY(r)          FRAME_OF(reply, BRIDGE__FRAME__BODY_REPLY, r)
#define IMPORT_REQUEST(r) FRAME_OF(import_request, BRIDGE__FRAME__BODY_IMPORT_REQUEST, r)
#define IMPORT_REPLY(r)   FRAME_OF(import_reply, BRIDGE__FRAME__BODY_IMPORT_REPLY, r)
#define RELEASE(r)        FRAME_OF(release, BRIDGE__FRAME__BODY_RELEASE, r)
#define DEATH(d)          FRAME_OF(death, BRIDGE__FRAME__BODY_DEATH, d)
#define PING(p)           FRAME_OF(ping, BRIDGE__FRAME__BODY_PING, p)
#define PONG(p)           FRAME_OF(pong, BRIDGE__FRAME__BODY_PONG, p)
#define ERROR_FRAME(e)    FRAME_OF(error, BRIDGE__FRAME__BODY_ERROR, e)

/* ---- the length prefix ---- */

Test(frame_length, big_endian)
{
	const uint8_t header[FRAME_HEADER_SIZE] = {0x01, 0x02, 0x03, 0x04};
	uint32_t size = 0;
	cr_assert_eq(frame_read_length(header, UINT32_MAX, &size), 0);
	cr_assert_eq(size, 0x01020304u);

	const uint8_t small[FRAME_HEADER_SIZE] = {0x00, 0x00, 0x10, 0x01};
	cr_assert_eq(frame_read_length(small, MAX_FRAME, &size), 0);
	cr_assert_eq(size, 0x1001u);

	const uint8_t high[FRAME_HEADER_SIZE] = {0xff, 0xff, 0xff, 0xff};
	cr_assert_eq(frame_read_length(high, UINT32_MAX, &size), 0);
	cr_assert_eq(size, UINT32_MAX);
}

Test(frame_length, zero_is_refused)
{
	const uint8_t header[FRAME_HEADER_SIZE] = {0, 0, 0, 0};
	uint32_t size = 1234;
	cr_assert_eq(frame_read_length(header, MAX_FRAME, &size), -EMSGSIZE);
	cr_assert_eq(size, 1234, "body_size written on failure");
}

Test(frame_length, exactly_max_and_one_above)
{
	const uint32_t max = 0x00012345;
	const uint8_t at_max[FRAME_HEADER_SIZE] = {0x00, 0x01, 0x23, 0x45};
	const uint8_t above[FRAME_HEADER_SIZE] = {0x00, 0x01, 0x23, 0x46};
	/* Little-endian reading would take these for 0x45230100. */
	uint32_t size = 0;
	cr_assert_eq(frame_read_length(at_max, max, &size), 0);
	cr_assert_eq(size, max);
	size = 99;
	cr_assert_eq(frame_read_length(above, max, &size), -EMSGSIZE);
	cr_assert_eq(size, 99);
	cr_assert_eq(frame_read_length(at_max, max - 1, &size), -EMSGSIZE);
}

Test(frame_encode, prefix_is_the_big_endian_body_size)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	uint8_t *out = NULL;
	size_t size = 0;
	cr_assert_eq(frame_encode(&frame, MAX_FRAME, &out, &size), 0);
	size_t body = bridge__frame__get_packed_size(&frame);
	cr_assert_eq(size, FRAME_HEADER_SIZE + body);
	cr_assert_eq(out[0], (uint8_t)(body >> 24));
	cr_assert_eq(out[1], (uint8_t)(body >> 16));
	cr_assert_eq(out[2], (uint8_t)(body >> 8));
	cr_assert_eq(out[3], (uint8_t)body);
	uint32_t read = 0;
	cr_assert_eq(frame_read_length(out, MAX_FRAME, &read), 0);
	cr_assert_eq(read, body);
	free(out);
}

Test(frame_encode, body_of_exactly_max)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	uint32_t body = (uint32_t)bridge__frame__get_packed_size(&frame);
	uint8_t *out = NULL;
	size_t size = 0;
	cr_assert_eq(frame_encode(&frame, body, &out, &size), 0);
	cr_assert_eq(size, FRAME_HEADER_SIZE + body);
	free(out);

	out = (uint8_t *)(uintptr_t)0x5a5a;
	cr_assert_eq(frame_encode(&frame, body - 1, &out, &size), -EMSGSIZE);
	cr_assert_eq(out, (uint8_t *)(uintptr_t)0x5a5a, "*out written on failure");
}

Test(frame_encode, empty_frame_is_refused)
{
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	uint8_t *out = NULL;
	size_t size = 0;
	cr_assert_eq(frame_encode(&frame, MAX_FRAME, &out, &size), -EMSGSIZE);
}

Test(frame_decode, size_exactly_max_and_one_above)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	size_t size;
	uint8_t *body = pack_body(&frame, &size);
	char error[128] = "";
	Bridge__Frame *out = NULL;
	cr_assert_eq(frame_decode(body, size, (uint32_t)size, &out, error, sizeof(error)), 0, "%s",
	             error);
	frame_free(out);

	out = NULL;
	cr_assert_eq(frame_decode(body, size, (uint32_t)size - 1, &out, error, sizeof(error)),
	             -EMSGSIZE);
	cr_assert_null(out);
	cr_assert_not_null(strstr(error, "above the limit"), "%s", error);
	free(body);
}

Test(frame_decode, size_is_checked_before_unpacking)
{
	/* Garbage above the limit is refused for its size, not its bytes. */
	uint8_t garbage[64];
	memset(garbage, 0xff, sizeof(garbage));
	Bridge__Frame *out = NULL;
	cr_assert_eq(frame_decode(garbage, sizeof(garbage), 63, &out, NULL, 0), -EMSGSIZE);
	cr_assert_null(out);
}

/* ---- round trips ---- */

/* Encodes frame, reads the prefix, decodes the body, and re-encodes the
 * result: the bytes must be the same. Returns the decoded frame. */
static Bridge__Frame *round_trip(const Bridge__Frame *frame)
{
	uint8_t *wire = NULL;
	size_t size = 0;
	cr_assert_eq(frame_encode(frame, MAX_FRAME, &wire, &size), 0);
	uint32_t body_size = 0;
	cr_assert_eq(frame_read_length(wire, MAX_FRAME, &body_size), 0);
	cr_assert_eq(FRAME_HEADER_SIZE + body_size, size);

	char error[256] = "";
	Bridge__Frame *decoded = NULL;
	int err = frame_decode(wire + FRAME_HEADER_SIZE, body_size, MAX_FRAME, &decoded, error,
	                       sizeof(error));
	cr_assert_eq(err, 0, "%s: %s", frame_kind_name(frame), error);
	cr_assert_eq(decoded->body_case, frame->body_case);
	cr_assert_str_eq(frame_kind_name(decoded), frame_kind_name(frame));

	uint8_t *again = NULL;
	size_t again_size = 0;
	cr_assert_eq(frame_encode(decoded, MAX_FRAME, &again, &again_size), 0);
	cr_assert_eq(again_size, size);
	cr_assert_eq(memcmp(again, wire, size), 0);
	free(again);
	free(wire);
	return decoded;
}

static void assert_payload(const ProtobufCBinaryData *data, size_t n_objects,
                           Bridge__BinderObject *const *objects)
{
	struct payload expected;
	valid_payload(&expected);
	cr_assert_eq(data->len, sizeof(expected.data));
	cr_assert_eq(memcmp(data->data, expected.data, data->len), 0);
	cr_assert_eq(n_objects, 3);
	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(objects[i]->offset, expected.objects[i].offset);
		cr_assert_eq(objects[i]->kind, expected.objects[i].kind);
		cr_assert_eq(objects[i]->node_id, expected.objects[i].node_id);
	}
}

Test(frame_round_trip, hello)
{
	Bridge__Hello hello = valid_hello();
	Bridge__Frame frame = HELLO(&hello);
	Bridge__Frame *decoded = round_trip(&frame);
	const Bridge__Hello *h = decoded->hello;
	cr_assert_eq(h->version, FRAME_PROTOCOL_VERSION);
	cr_assert_str_eq(h->node_name, "hosta");
	cr_assert_eq(h->n_exports, 3);
	for (size_t i = 0; i < 3; i++)
		cr_assert_str_eq(h->exports[i], valid_exports[i]);
	cr_assert_eq(h->max_frame_size, 4259840);
	cr_assert_eq(h->max_calls_in_flight, 256);
	frame_free(decoded);
}

Test(frame_round_trip, transaction)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	Bridge__Frame *decoded = round_trip(&frame);
	const Bridge__Transaction *t = decoded->transaction;
	cr_assert_eq(t->call_id, 7);
	cr_assert_eq(t->chain_id, 3);
	cr_assert_eq(t->target_node, 5);
	cr_assert_eq(t->code, 0x5f434d44);
	cr_assert_eq(t->flags, 0);
	assert_payload(&t->data, t->n_objects, t->objects);
	frame_free(decoded);
}

Test(frame_round_trip, oneway_transaction_without_data)
{
	Bridge__Transaction transaction = BRIDGE__TRANSACTION__INIT;
	transaction.call_id = UINT64_MAX;
	transaction.target_node = UINT64_MAX;
	transaction.code = UINT32_MAX;
	transaction.flags = FRAME_FLAG_ONEWAY;
	Bridge__Frame frame = TRANSACTION(&transaction);
	Bridge__Frame *decoded = round_trip(&frame);
	const Bridge__Transaction *t = decoded->transaction;
	cr_assert_eq(t->call_id, UINT64_MAX);
	cr_assert_eq(t->chain_id, 0);
	cr_assert_eq(t->target_node, UINT64_MAX);
	cr_assert_eq(t->code, UINT32_MAX);
	cr_assert_eq(t->flags, FRAME_FLAG_ONEWAY);
	cr_assert_eq(t->data.len, 0);
	cr_assert_eq(t->n_objects, 0);
	frame_free(decoded);
}

Test(frame_round_trip, reply)
{
	struct payload payload;
	Bridge__Reply reply = valid_reply(&payload);
	Bridge__Frame frame = REPLY(&reply);
	Bridge__Frame *decoded = round_trip(&frame);
	cr_assert_eq(decoded->reply->call_id, 7);
	cr_assert_eq(decoded->reply->status, 0);
	assert_payload(&decoded->reply->data, decoded->reply->n_objects, decoded->reply->objects);
	frame_free(decoded);
}

Test(frame_round_trip, reply_with_status)
{
	Bridge__Reply reply = BRIDGE__REPLY__INIT;
	reply.call_id = 8;
	reply.status = INT32_MIN;
	Bridge__Frame frame = REPLY(&reply);
	Bridge__Frame *decoded = round_trip(&frame);
	cr_assert_eq(decoded->reply->call_id, 8);
	cr_assert_eq(decoded->reply->status, INT32_MIN);
	frame_free(decoded);
}

Test(frame_round_trip, import_request)
{
	Bridge__ImportRequest request = valid_import_request();
	Bridge__Frame frame = IMPORT_REQUEST(&request);
	Bridge__Frame *decoded = round_trip(&frame);
	cr_assert_eq(decoded->import_request->request_id, 9);
	cr_assert_str_eq(decoded->import_request->name, "calculator");
	frame_free(decoded);
}

Test(frame_round_trip, import_reply)
{
	Bridge__ImportReply reply = valid_import_reply();
	Bridge__Frame frame = IMPORT_REPLY(&reply);
	Bridge__Frame *decoded = round_trip(&frame);
	cr_assert_eq(decoded->import_reply->request_id, 9);
	cr_assert_eq(decoded->import_reply->status, 0);
	cr_assert_eq(decoded->import_reply->node_id, 1);
	cr_assert_str_eq(decoded->import_reply->descriptor, "org.example.ICalculator");
	frame_free(decoded);
}

Test(frame_round_trip, import_reply_refusal)
{
	Bridge__ImportReply reply = BRIDGE__IMPORT_REPLY__INIT;
	reply.request_id = 10;
	reply.status = -2147483646; /* BINDER_NAME_NOT_FOUND-like: any negative */
	Bridge__Frame frame = IMPORT_REPLY(&reply);
	Bridge__Frame *decoded = round_trip(&frame);
	cr_assert_eq(decoded->import_reply->status, -2147483646);
	cr_assert_eq(decoded->import_reply->node_id, 0);
	cr_assert_str_eq(decoded->import_reply->descriptor, "");
	frame_free(decoded);
}

Test(frame_round_trip, release)
{
	Bridge__Release release = valid_release();
	Bridge__Frame frame = RELEASE(&release);
	Bridge__Frame *decoded = round_trip(&frame);
	cr_assert_eq(decoded->release->node_id, 4);
	cr_assert_eq(decoded->release->count, 2);
	frame_free(decoded);
}

Test(frame_round_trip, death)
{
	Bridge__Death death = BRIDGE__DEATH__INIT;
	death.node_id = 77;
	Bridge__Frame frame = DEATH(&death);
	Bridge__Frame *decoded = round_trip(&frame);
	cr_assert_eq(decoded->death->node_id, 77);
	frame_free(decoded);
}

Test(frame_round_trip, ping_and_pong)
{
	Bridge__Ping ping = BRIDGE__PING__INIT;
	ping.nonce = 0x0123456789abcdefull;
	Bridge__Frame frame = PING(&ping);
	Bridge__Frame *decoded = round_trip(&frame);
	cr_assert_eq(decoded->ping->nonce, 0x0123456789abcdefull);
	frame_free(decoded);

	Bridge__Pong pong = BRIDGE__PONG__INIT; /* nonce 0: an empty message */
	frame = PONG(&pong);
	decoded = round_trip(&frame);
	cr_assert_eq(decoded->pong->nonce, 0);
	frame_free(decoded);
}

Test(frame_round_trip, error)
{
	Bridge__Error error = valid_error();
	Bridge__Frame frame = ERROR_FRAME(&error);
	Bridge__Frame *decoded = round_trip(&frame);
	cr_assert_eq(decoded->error->call_id, 7);
	cr_assert_eq(decoded->error->status, -22);
	cr_assert_str_eq(decoded->error->message, "no such node");
	frame_free(decoded);
}

Test(frame_kind_name, every_kind)
{
	static const char *const names[] = {
	        "none",    "hello", "transaction", "reply", "import_request", "import_reply",
	        "release", "death", "ping",        "pong",  "error",
	};
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	for (int i = 0; i <= BRIDGE__FRAME__BODY_ERROR; i++) {
		frame.body_case = (Bridge__Frame__BodyCase)i;
		cr_assert_str_eq(frame_kind_name(&frame), names[i]);
	}
	frame.body_case = (Bridge__Frame__BodyCase)42;
	cr_assert_str_eq(frame_kind_name(&frame), "unknown");
	cr_assert_str_eq(frame_kind_name(NULL), "none");
}

/* ---- bodies that do not unpack ---- */

Test(frame_unpack, every_truncation_is_refused)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	size_t size;
	uint8_t *body = pack_body(&frame, &size);
	for (size_t cut = 1; cut < size; cut++) {
		/* A copy of exactly cut bytes, so that ASan sees any read past it. */
		uint8_t *prefix = malloc(cut);
		memcpy(prefix, body, cut);
		expect_refused_body(prefix, cut, "does not unpack");
		free(prefix);
	}
	free(body);
}

Test(frame_unpack, garbage)
{
	const uint8_t all_ones[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	                            0xff, 0xff, 0xff, 0xff, 0xff};
	expect_refused_body(all_ones, sizeof(all_ones), "does not unpack");
	const uint8_t wire_type_7[] = {0x0f, 0x00};
	expect_refused_body(wire_type_7, sizeof(wire_type_7), "does not unpack");
	const uint8_t hello_as_varint[] = {0x08, 0x01};
	expect_refused_body(hello_as_varint, sizeof(hello_as_varint), "does not unpack");
	const uint8_t length_past_end[] = {0x12, 0x7f, 0x08, 0x01};
	expect_refused_body(length_past_end, sizeof(length_past_end), "does not unpack");
	const uint8_t unterminated_varint[] = {0x42, 0x03, 0x08, 0x80, 0x80};
	expect_refused_body(unterminated_varint, sizeof(unterminated_varint), "does not unpack");
}

Test(frame_unpack, no_body)
{
	expect_refused_body((const uint8_t *)"", 0, "no body");
	/* A kind from a later protocol version: field 11, unknown here. */
	const uint8_t unknown_kind[] = {0x5a, 0x02, 0x08, 0x01};
	expect_refused_body(unknown_kind, sizeof(unknown_kind), "no body");
}

Test(frame_unpack, forbidden_field_numbers)
{
	/* protobuf-c takes these as unknown fields; protobuf forbids them. */
	const uint8_t zero_in_frame[] = {0x42, 0x02, 0x08, 0x01, 0x80, 0x00, 0x01};
	expect_refused_body(zero_in_frame, sizeof(zero_in_frame), "field number 0");
	const uint8_t zero_in_body[] = {0x42, 0x05, 0x08, 0x01, 0x80, 0x00, 0x01};
	expect_refused_body(zero_in_body, sizeof(zero_in_body), "field number 0");
	/* Transaction 1 in chain 1 to node 1, 24 bytes of data, a null binder
	 * with a field 0. */
	uint8_t zero_in_object[64] = {0x12, 0, 0x08, 0x01, 0x10, 0x01, 0x18, 0x01, 0x32, 24};
	size_t size = 10 + 24;
	const uint8_t object[] = {0x3a, 0x03, 0x80, 0x00, 0x01};
	memcpy(zero_in_object + size, object, sizeof(object));
	size += sizeof(object);
	zero_in_object[1] = (uint8_t)(size - 2);
	expect_refused_body(zero_in_object, size, "field number 0");
	zero_in_object[size - 3] = 0x78; /* field 15 = 129 instead: fine */
	zero_in_object[size - 2] = 0x81;
	zero_in_object[size - 1] = 0x01;
	Bridge__Frame *out = NULL;
	char error[256] = "";
	cr_assert_eq(frame_decode(zero_in_object, size, MAX_FRAME, &out, error, sizeof(error)), 0,
	             "%s", error);
	frame_free(out);
	/* Field 2^29, a varint. */
	const uint8_t too_high[] = {0x42, 0x08, 0x08, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x01};
	expect_refused_body(too_high, sizeof(too_high), "above 2^29 - 1");
}

Test(frame_unpack, unknown_fields_are_ignored)
{
	/* A ping with field 2 (a varint) and field 536870911 (bytes). */
	const uint8_t ping[] = {0x42, 0x0b, 0x08, 0x05, 0x10, 0x07, 0xfa,
	                        0xff, 0xff, 0xff, 0x0f, 0x01, 0xaa};
	Bridge__Frame *out = NULL;
	char error[256] = "";
	cr_assert_eq(frame_decode(ping, sizeof(ping), MAX_FRAME, &out, error, sizeof(error)), 0,
	             "%s", error);
	cr_assert_eq(out->ping->nonce, 5);
	frame_free(out);
}

Test(frame_unpack, memory_is_bounded)
{
	/* A transaction of 100000 empty objects (2 bytes each on the wire). */
	const size_t count = 100000;
	uint8_t *body = malloc(16 + 2 * count);
	size_t size = 0;
	body[size++] = 0x12;
	size += put_varint(body + size, 2 * count);
	for (size_t i = 0; i < count; i++) {
		body[size++] = 0x3a;
		body[size++] = 0x00;
	}
	expect_refused_body(body, size, "bytes to unpack");
	free(body);
}

/* As many objects as the data holds, of kind, with node ids node. */
static void decode_densest_transaction(Bridge__BinderObject__Kind kind, uint64_t node)
{
	const size_t count = 20000;
	uint8_t *data = calloc(count, FRAME_OBJECT_SIZE);
	Bridge__BinderObject *objects = calloc(count, sizeof(*objects));
	Bridge__BinderObject **pointers = calloc(count, sizeof(*pointers));
	for (size_t i = 0; i < count; i++) {
		bridge__binder_object__init(&objects[i]);
		objects[i].offset = (uint32_t)(i * FRAME_OBJECT_SIZE);
		objects[i].kind = kind;
		objects[i].node_id = node;
		pointers[i] = &objects[i];
	}
	Bridge__Transaction transaction = BRIDGE__TRANSACTION__INIT;
	transaction.call_id = 1;
	transaction.chain_id = 1;
	transaction.target_node = 1;
	transaction.data.data = data;
	transaction.data.len = count * FRAME_OBJECT_SIZE;
	transaction.n_objects = count;
	transaction.objects = pointers;
	Bridge__Frame frame = TRANSACTION(&transaction);
	Bridge__Frame *decoded = expect_valid(&frame);
	cr_assert_eq(decoded->transaction->n_objects, count);
	frame_free(decoded);
	free(pointers);
	free(objects);
	free(data);
}

Test(frame_unpack, densest_valid_transactions_fit_the_memory_bound)
{
	/* Null binders cost the least on the wire, so the most per byte. */
	decode_densest_transaction(BRIDGE__BINDER_OBJECT__KIND__NULL_BINDER, 0);
	decode_densest_transaction(BRIDGE__BINDER_OBJECT__KIND__SENDER_NODE, 1);
	decode_densest_transaction(BRIDGE__BINDER_OBJECT__KIND__RECEIVER_NODE, UINT64_MAX);
}

Test(frame_unpack, error_text_is_bounded_and_optional)
{
	const uint8_t empty[1] = {0};
	char error[8];
	memset(error, 'x', sizeof(error));
	Bridge__Frame *out = NULL;
	cr_assert_eq(frame_decode(empty, 0, MAX_FRAME, &out, error, sizeof(error)), -EBADMSG);
	cr_assert_eq(error[sizeof(error) - 1], '\0');
	cr_assert_eq(strlen(error), sizeof(error) - 1);
	cr_assert_eq(frame_decode(empty, 0, MAX_FRAME, &out, NULL, 0), -EBADMSG);
	cr_assert_null(out);
}

/* ---- names ---- */

Test(frame_names, valid_and_invalid)
{
	cr_assert(frame_name_is_valid("a"));
	cr_assert(frame_name_is_valid("ABCXYZabcxyz0189_.-/@:"));
	char *longest = repeat('n', FRAME_MAX_NAME);
	cr_assert(frame_name_is_valid(longest));
	free(longest);

	cr_assert_not(frame_name_is_valid(NULL));
	cr_assert_not(frame_name_is_valid(""));
	char *too_long = repeat('n', FRAME_MAX_NAME + 1);
	cr_assert_not(frame_name_is_valid(too_long));
	free(too_long);
	const char *bad[] = {
	        "a b",         "a\n",   "tab\t",  "semi;colon", "q?", "\xc3\xa9t\xc3\xa9",
	        "back\\slash", "star*", "comma,", "\x7f"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(frame_name_is_valid(bad[i]), "\"%s\" passes", bad[i]);
}

/* ---- Hello ---- */

Test(frame_hello, valid)
{
	Bridge__Hello hello = valid_hello();
	Bridge__Frame frame = HELLO(&hello);
	expect_valid_and_free(&frame);
	hello.n_exports = 0;
	hello.max_frame_size = FRAME_MIN_MAX_FRAME_SIZE;
	hello.max_calls_in_flight = 1;
	expect_valid_and_free(&frame);
}

Test(frame_hello, bad_version)
{
	Bridge__Hello hello = valid_hello();
	Bridge__Frame frame = HELLO(&hello);
	hello.version = 0;
	expect_refused(&frame, "hello: protocol version 0");
	hello.version = FRAME_PROTOCOL_VERSION + 1;
	expect_refused(&frame, "hello: protocol version 2");
	hello.version = UINT32_MAX;
	expect_refused(&frame, "protocol version 4294967295");
}

Test(frame_hello, bad_node_name)
{
	Bridge__Hello hello = valid_hello();
	Bridge__Frame frame = HELLO(&hello);
	hello.node_name = "";
	expect_refused(&frame, "hello: node_name: empty name");
	hello.node_name = "host a";
	expect_refused(&frame, "hello: node_name: name has byte 0x20 at 4");
	hello.node_name = "host\nERROR forged";
	expect_refused(&frame, "byte 0x0a at 4");
	char *too_long = repeat('h', FRAME_MAX_NAME + 1);
	hello.node_name = too_long;
	expect_refused(&frame, "hello: node_name: name longer than 127 bytes");
	free(too_long);
	char *huge = repeat('h', 100000);
	hello.node_name = huge;
	expect_refused(&frame, "name longer than 127 bytes");
	free(huge);
}

Test(frame_hello, too_many_exports)
{
	char **exports = calloc(FRAME_MAX_EXPORTS + 1, sizeof(*exports));
	for (size_t i = 0; i <= FRAME_MAX_EXPORTS; i++)
		exports[i] = "service";
	Bridge__Hello hello = valid_hello();
	Bridge__Frame frame = HELLO(&hello);
	hello.exports = exports;
	hello.n_exports = FRAME_MAX_EXPORTS;
	expect_valid_and_free(&frame);
	hello.n_exports = FRAME_MAX_EXPORTS + 1;
	expect_refused(&frame, "hello: 257 exports, more than 256");
	free(exports);
}

Test(frame_hello, bad_export_name)
{
	char *exports[] = {"good", "", "also_good"};
	Bridge__Hello hello = valid_hello();
	Bridge__Frame frame = HELLO(&hello);
	hello.exports = exports;
	hello.n_exports = 3;
	expect_refused(&frame, "hello: export 1: empty name");
	exports[1] = "bad!";
	expect_refused(&frame, "hello: export 1: name has byte 0x21 at 3");
	char *too_long = repeat('e', FRAME_MAX_NAME + 1);
	exports[1] = "good";
	exports[2] = too_long;
	expect_refused(&frame, "hello: export 2: name longer than 127");
	free(too_long);
}

Test(frame_hello, small_max_frame_size)
{
	Bridge__Hello hello = valid_hello();
	Bridge__Frame frame = HELLO(&hello);
	hello.max_frame_size = FRAME_MIN_MAX_FRAME_SIZE - 1;
	expect_refused(&frame, "hello: max_frame_size 4095, below 4096");
	hello.max_frame_size = 0;
	expect_refused(&frame, "hello: max_frame_size 0");
}

Test(frame_hello, no_calls_in_flight)
{
	Bridge__Hello hello = valid_hello();
	Bridge__Frame frame = HELLO(&hello);
	hello.max_calls_in_flight = 0;
	expect_refused(&frame, "hello: max_calls_in_flight 0");
}

/* ---- Transaction ---- */

Test(frame_transaction, valid)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	expect_valid_and_free(&frame);
	transaction.flags = FRAME_FLAG_ONEWAY;
	transaction.chain_id = 0;
	expect_valid_and_free(&frame);
	transaction.n_objects = 0;
	expect_valid_and_free(&frame);
}

Test(frame_transaction, call_id_zero)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	transaction.call_id = 0;
	expect_refused(&frame, "transaction: call id 0");
}

Test(frame_transaction, target_node_zero)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	transaction.target_node = 0;
	expect_refused(&frame, "transaction: call 7 targets node 0");
}

Test(frame_transaction, unknown_flags)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	transaction.flags = 0x10; /* TF_ACCEPT_FDS: does not cross the link */
	expect_refused(&frame, "transaction: call 7 has unknown flags 0x10");
	transaction.flags = FRAME_FLAG_ONEWAY | 0x80000000u;
	transaction.chain_id = 0;
	expect_refused(&frame, "unknown flags 0x80000000");
}

Test(frame_transaction, oneway_with_chain_id)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	transaction.flags = FRAME_FLAG_ONEWAY;
	transaction.chain_id = 3;
	expect_refused(&frame, "transaction: oneway call 7 has chain id 3");
}

Test(frame_transaction, two_way_without_chain_id)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	transaction.chain_id = 0;
	expect_refused(&frame, "transaction: two-way call 7 has chain id 0");
}

/* ---- objects, in a Transaction and in a Reply ---- */

Test(frame_objects, offset_unaligned)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	payload.objects[1].offset = 26;
	expect_refused(&frame, "transaction: object 1 at offset 26 is not 4-aligned");
	payload.objects[1].offset = 25;
	expect_refused(&frame, "object 1 at offset 25 is not 4-aligned");
}

Test(frame_objects, offset_out_of_bounds)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	payload.objects[2].offset = 96; /* just past the data */
	expect_refused(&frame,
	               "transaction: object 2 at offset 96 does not fit in 96 bytes of data");
	payload.objects[2].offset = 0xfffffffc; /* offset + 24 wraps in 32 bits */
	expect_refused(&frame, "object 2 at offset 4294967292 does not fit in 96 bytes");
}

Test(frame_objects, straddling_the_end)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	payload.objects[2].offset = 72; /* ends exactly at the end: fine */
	expect_valid_and_free(&frame);
	payload.objects[2].offset = 76;
	expect_refused(&frame, "object 2 at offset 76 does not fit in 96 bytes of data");
	transaction.data.len = 95;
	payload.objects[2].offset = 68; /* 68 + 24 = 92 fits in 95 */
	expect_valid_and_free(&frame);
	payload.objects[2].offset = 72;
	expect_refused(&frame, "object 2 at offset 72 does not fit in 95 bytes of data");
}

Test(frame_objects, object_without_data)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	transaction.data.len = 0;
	transaction.data.data = NULL;
	expect_refused(&frame, "object 0 at offset 0 does not fit in 0 bytes of data");
}

Test(frame_objects, overlapping)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	payload.objects[1].offset = 20;
	expect_refused(&frame, "transaction: object 1 at offset 20 overlaps the previous one");
	payload.objects[1].offset = 0; /* the same object twice */
	expect_refused(&frame, "object 1 at offset 0 overlaps the previous one");
	payload.objects[1].offset = 24;
	payload.objects[2].offset = 44;
	expect_refused(&frame, "object 2 at offset 44 overlaps the previous one");
	payload.objects[2].offset = 48; /* adjacent: fine */
	expect_valid_and_free(&frame);
}

Test(frame_objects, decreasing)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	payload.objects[0].offset = 48;
	payload.objects[1].offset = 0;
	expect_refused(&frame, "transaction: object 1 at offset 0 comes before the previous one");
	payload.objects[0].offset = 0;
	payload.objects[1].offset = 56;
	payload.objects[2].offset = 24;
	expect_refused(&frame, "object 2 at offset 24 comes before the previous one");
}

Test(frame_objects, unknown_kind)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	payload.objects[1].kind = (Bridge__BinderObject__Kind)3;
	expect_refused(&frame, "transaction: object 1 has unknown kind 3");
	payload.objects[1].kind = (Bridge__BinderObject__Kind)4;
	expect_refused(&frame, "transaction: object 1 has unknown kind 4");
	payload.objects[1].kind = (Bridge__BinderObject__Kind)-1;
	expect_refused(&frame, "object 1 has unknown kind -1");
	payload.objects[1].kind = (Bridge__BinderObject__Kind)INT32_MIN;
	expect_refused(&frame, "object 1 has unknown kind -2147483648");
	payload.objects[1].kind = (Bridge__BinderObject__Kind)INT32_MAX;
	expect_refused(&frame, "object 1 has unknown kind 2147483647");
}

Test(frame_objects, null_binder_with_id)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	payload.objects[2].node_id = 9;
	expect_refused(&frame, "transaction: object 2 is a null binder with node id 9");
}

Test(frame_objects, node_id_zero)
{
	struct payload payload;
	Bridge__Transaction transaction = valid_transaction(&payload);
	Bridge__Frame frame = TRANSACTION(&transaction);
	payload.objects[0].node_id = 0;
	expect_refused(&frame, "transaction: object 0 has node id 0");
	payload.objects[0].node_id = 11;
	payload.objects[1].node_id = 0;
	expect_refused(&frame, "transaction: object 1 has node id 0");
}

Test(frame_objects, checked_in_replies_too)
{
	struct payload payload;
	Bridge__Reply reply = valid_reply(&payload);
	Bridge__Frame frame = REPLY(&reply);
	expect_valid_and_free(&frame);
	payload.objects[1].offset = 20;
	expect_refused(&frame, "reply: object 1 at offset 20 overlaps the previous one");
	payload.objects[1].offset = 24;
	payload.objects[2].offset = 2;
	expect_refused(&frame, "reply: object 2 at offset 2 is not 4-aligned");
	payload.objects[2].offset = 80;
	expect_refused(&frame, "reply: object 2 at offset 80 does not fit");
	payload.objects[2].offset = 56;
	payload.objects[2].kind = (Bridge__BinderObject__Kind)7;
	expect_refused(&frame, "reply: object 2 has unknown kind 7");
	payload.objects[2].kind = BRIDGE__BINDER_OBJECT__KIND__NULL_BINDER;
	payload.objects[2].node_id = 1;
	expect_refused(&frame, "reply: object 2 is a null binder with node id 1");
	payload.objects[2].kind = BRIDGE__BINDER_OBJECT__KIND__RECEIVER_NODE;
	payload.objects[2].node_id = 0;
	expect_refused(&frame, "reply: object 2 has node id 0");
}

/* ---- Reply ---- */

Test(frame_reply, call_id_zero)
{
	struct payload payload;
	Bridge__Reply reply = valid_reply(&payload);
	Bridge__Frame frame = REPLY(&reply);
	reply.call_id = 0;
	expect_refused(&frame, "reply: call id 0");
}

/* A service's positive status (its own code, as AOSP passes it on)
 * crosses as it is, with no data, like any other status. */
Test(frame_reply, positive_status)
{
	Bridge__Reply reply = BRIDGE__REPLY__INIT;
	Bridge__Frame frame = REPLY(&reply);
	reply.call_id = 7;
	reply.status = 1;
	expect_valid_and_free(&frame);
	reply.status = INT32_MAX;
	expect_valid_and_free(&frame);
	struct payload payload;
	reply = valid_reply(&payload);
	reply.status = 42;
	expect_refused(&frame, "reply: call 7 has status 42 and");
}

Test(frame_reply, status_with_data_or_objects)
{
	struct payload payload;
	Bridge__Reply reply = valid_reply(&payload);
	Bridge__Frame frame = REPLY(&reply);
	reply.status = -32;
	expect_refused(&frame, "reply: call 7 has status -32 and 96 bytes of data, 3 objects");
	reply.n_objects = 0;
	expect_refused(&frame, "has status -32 and 96 bytes of data, 0 objects");
	reply.n_objects = 1;
	reply.data.len = 0;
	reply.data.data = NULL;
	expect_refused(&frame, "has status -32 and 0 bytes of data, 1 objects");
	reply.n_objects = 0;
	expect_valid_and_free(&frame);
}

/* ---- ImportRequest ---- */

Test(frame_import_request, valid)
{
	Bridge__ImportRequest request = valid_import_request();
	Bridge__Frame frame = IMPORT_REQUEST(&request);
	expect_valid_and_free(&frame);
}

Test(frame_import_request, request_id_zero)
{
	Bridge__ImportRequest request = valid_import_request();
	Bridge__Frame frame = IMPORT_REQUEST(&request);
	request.request_id = 0;
	expect_refused(&frame, "import_request: request id 0");
}

Test(frame_import_request, bad_name)
{
	Bridge__ImportRequest request = valid_import_request();
	Bridge__Frame frame = IMPORT_REQUEST(&request);
	request.name = "";
	expect_refused(&frame, "import_request: name: empty name");
	request.name = "../../etc/passwd\x01";
	expect_refused(&frame, "import_request: name: name has byte 0x01 at 16");
	char *too_long = repeat('s', FRAME_MAX_NAME + 1);
	request.name = too_long;
	expect_refused(&frame, "import_request: name: name longer than 127 bytes");
	free(too_long);
}

/* ---- ImportReply ---- */

Test(frame_import_reply, valid)
{
	Bridge__ImportReply reply = valid_import_reply();
	Bridge__Frame frame = IMPORT_REPLY(&reply);
	expect_valid_and_free(&frame);
	char *longest = repeat('d', FRAME_MAX_DESCRIPTOR);
	reply.descriptor = longest;
	expect_valid_and_free(&frame);
	free(longest);
	reply.status = -1;
	reply.node_id = 0;
	reply.descriptor = "";
	expect_valid_and_free(&frame);
}

Test(frame_import_reply, request_id_zero)
{
	Bridge__ImportReply reply = valid_import_reply();
	Bridge__Frame frame = IMPORT_REPLY(&reply);
	reply.request_id = 0;
	expect_refused(&frame, "import_reply: request id 0");
}

Test(frame_import_reply, positive_status)
{
	Bridge__ImportReply reply = valid_import_reply();
	Bridge__Frame frame = IMPORT_REPLY(&reply);
	reply.status = 3;
	expect_refused(&frame, "import_reply: request 9 has positive status 3");
}

Test(frame_import_reply, success_without_descriptor)
{
	Bridge__ImportReply reply = valid_import_reply();
	Bridge__Frame frame = IMPORT_REPLY(&reply);
	reply.descriptor = "";
	expect_refused(&frame, "import_reply: request 9 succeeds without descriptor");
}

Test(frame_import_reply, success_with_node_id_zero)
{
	Bridge__ImportReply reply = valid_import_reply();
	Bridge__Frame frame = IMPORT_REPLY(&reply);
	reply.node_id = 0;
	expect_refused(&frame, "import_reply: request 9 succeeds with node id 0");
}

Test(frame_import_reply, failure_with_node_or_descriptor)
{
	Bridge__ImportReply reply = valid_import_reply();
	Bridge__Frame frame = IMPORT_REPLY(&reply);
	reply.status = -1;
	reply.descriptor = "";
	expect_refused(&frame, "import_reply: request 9 fails (status -1) with node id 1");
	reply.node_id = 0;
	reply.descriptor = "org.example.ICalculator";
	expect_refused(&frame, "import_reply: request 9 fails (status -1) with a descriptor");
}

Test(frame_import_reply, descriptor_too_long)
{
	Bridge__ImportReply reply = valid_import_reply();
	Bridge__Frame frame = IMPORT_REPLY(&reply);
	char *too_long = repeat('d', FRAME_MAX_DESCRIPTOR + 1);
	reply.descriptor = too_long;
	expect_refused(&frame, "import_reply: descriptor longer than 1024 bytes");
	reply.status = -1;
	reply.node_id = 0;
	expect_refused(&frame, "import_reply: descriptor longer than 1024 bytes");
	free(too_long);
}

/* ---- Release, Death, Error ---- */

Test(frame_release, valid)
{
	Bridge__Release release = valid_release();
	Bridge__Frame frame = RELEASE(&release);
	expect_valid_and_free(&frame);
}

Test(frame_release, node_id_zero)
{
	Bridge__Release release = valid_release();
	Bridge__Frame frame = RELEASE(&release);
	release.node_id = 0;
	expect_refused(&frame, "release: node id 0");
}

Test(frame_release, count_zero)
{
	Bridge__Release release = valid_release();
	Bridge__Frame frame = RELEASE(&release);
	release.count = 0;
	expect_refused(&frame, "release: node 4 count 0");
}

Test(frame_death, node_id_zero)
{
	Bridge__Death death = BRIDGE__DEATH__INIT;
	Bridge__Frame frame = DEATH(&death);
	expect_refused(&frame, "death: node id 0");
	death.node_id = 1;
	expect_valid_and_free(&frame);
}

Test(frame_error, valid)
{
	Bridge__Error error = valid_error();
	Bridge__Frame frame = ERROR_FRAME(&error);
	expect_valid_and_free(&frame);
	char *longest = repeat('m', FRAME_MAX_MESSAGE);
	error.message = longest;
	error.call_id = 0;
	expect_valid_and_free(&frame);
	free(longest);
}

Test(frame_error, status_not_negative)
{
	Bridge__Error error = valid_error();
	Bridge__Frame frame = ERROR_FRAME(&error);
	error.status = 0;
	expect_refused(&frame, "error: call 7 has status 0, not negative");
	error.status = 5;
	expect_refused(&frame, "error: call 7 has status 5, not negative");
}

Test(frame_error, message_too_long)
{
	Bridge__Error error = valid_error();
	Bridge__Frame frame = ERROR_FRAME(&error);
	char *too_long = repeat('m', FRAME_MAX_MESSAGE + 1);
	error.message = too_long;
	expect_refused(&frame, "error: message longer than 1024 bytes");
	free(too_long);
}
