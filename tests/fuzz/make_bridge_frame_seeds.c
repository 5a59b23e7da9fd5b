/*
 * make_bridge_frame_seeds.c - writes the seed corpus of the bridge frame
 * fuzzer (fuzz_bridge_frame.c) and its dictionary. Each seed is a stream
 * of valid frames as a peer sends them (frame_encode: length prefix and
 * body): one seed per frame kind and variant, and one session with every
 * kind in turn. The build runs it, so the seeds follow bridge.proto.
 *
 * usage: fuzz_bridge_frame_seeds CORPUS_DIRECTORY DICTIONARY_FILE
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

#define SEED_MAX_FRAME (1u << 20)

static void die(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	fprintf(stderr, "fuzz_bridge_frame_seeds: ");
	vfprintf(stderr, format, args);
	fprintf(stderr, "\n");
	va_end(args);
	exit(1);
}

/* A seed being written: frames appended one after the other. */
struct seed {
	uint8_t bytes[8192];
	size_t size;
};

static void add(struct seed *seed, const Bridge__Frame *frame)
{
	char reason[256] = "";
	uint8_t *wire = NULL;
	size_t size = 0;
	if (frame_encode(frame, SEED_MAX_FRAME, &wire, &size) != 0)
		die("a %s does not encode", frame_kind_name(frame));
	/* Seeds are valid frames: check, so that a seed never hides a bug. */
	Bridge__Frame *decoded = NULL;
	if (frame_decode(wire + FRAME_HEADER_SIZE, size - FRAME_HEADER_SIZE, SEED_MAX_FRAME,
	                 &decoded, reason, sizeof(reason)) != 0)
		die("a seed %s is refused: %s", frame_kind_name(frame), reason);
	frame_free(decoded);
	if (size > sizeof(seed->bytes) - seed->size)
		die("seed too large");
	memcpy(seed->bytes + seed->size, wire, size);
	seed->size += size;
	free(wire);
}

static void write_seed(const char *directory, const char *name, const struct seed *seed)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", directory, name);
	FILE *file = fopen(path, "wb");
	if (!file || fwrite(seed->bytes, 1, seed->size, file) != seed->size || fclose(file) != 0)
		die("cannot write %s: %s", path, strerror(errno));
}

/* ---- valid frames ---- */

static char *exports[] = {"calculator", "echo.v1", "a/b@c:d-e_f"};

static uint8_t data[96];
static Bridge__BinderObject objects[3];
static Bridge__BinderObject *object_pointers[3];

static void make_payload(void)
{
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	const uint32_t offsets[3] = {0, 24, 56};
	const Bridge__BinderObject__Kind kinds[3] = {BRIDGE__BINDER_OBJECT__KIND__SENDER_NODE,
	                                             BRIDGE__BINDER_OBJECT__KIND__RECEIVER_NODE,
	                                             BRIDGE__BINDER_OBJECT__KIND__NULL_BINDER};
	const uint64_t nodes[3] = {11, 12, 0};
	for (size_t i = 0; i < 3; i++) {
		bridge__binder_object__init(&objects[i]);
		objects[i].offset = offsets[i];
		objects[i].kind = kinds[i];
		objects[i].node_id = nodes[i];
		object_pointers[i] = &objects[i];
	}
}

struct frames {
	Bridge__Hello hello;
	Bridge__Transaction transaction, oneway;
	Bridge__Reply reply, failed_reply;
	Bridge__ImportRequest import_request;
	Bridge__ImportReply import_reply, import_refusal;
	Bridge__Release release;
	Bridge__Death death;
	Bridge__Ping ping;
	Bridge__Pong pong;
	Bridge__Error error;
};

static void make_frames(struct frames *f)
{
	make_payload();
	bridge__hello__init(&f->hello);
	f->hello.version = FRAME_PROTOCOL_VERSION;
	f->hello.node_name = "hosta";
	f->hello.n_exports = 3;
	f->hello.exports = exports;
	f->hello.max_frame_size = 4259840;
	f->hello.max_calls_in_flight = 256;

	bridge__transaction__init(&f->transaction);
	f->transaction.call_id = 7;
	f->transaction.chain_id = 3;
	f->transaction.target_node = 5;
	f->transaction.code = 0x5f434d44;
	f->transaction.data.data = data;
	f->transaction.data.len = sizeof(data);
	f->transaction.n_objects = 3;
	f->transaction.objects = object_pointers;

	bridge__transaction__init(&f->oneway);
	f->oneway.call_id = 8;
	f->oneway.target_node = 1;
	f->oneway.code = 1;
	f->oneway.flags = FRAME_FLAG_ONEWAY;
	f->oneway.data.data = data;
	f->oneway.data.len = 8;

	bridge__reply__init(&f->reply);
	f->reply.call_id = 7;
	f->reply.data.data = data;
	f->reply.data.len = sizeof(data);
	f->reply.n_objects = 3;
	f->reply.objects = object_pointers;

	bridge__reply__init(&f->failed_reply);
	f->failed_reply.call_id = 9;
	f->failed_reply.status = -32;

	bridge__import_request__init(&f->import_request);
	f->import_request.request_id = 1;
	f->import_request.name = "calculator";

	bridge__import_reply__init(&f->import_reply);
	f->import_reply.request_id = 1;
	f->import_reply.node_id = 1;
	f->import_reply.descriptor = "org.example.ICalculator";

	bridge__import_reply__init(&f->import_refusal);
	f->import_refusal.request_id = 2;
	f->import_refusal.status = -1;

	bridge__release__init(&f->release);
	f->release.node_id = 1;
	f->release.count = 2;

	bridge__death__init(&f->death);
	f->death.node_id = 1;

	bridge__ping__init(&f->ping);
	f->ping.nonce = 0x0123456789abcdefull;
	bridge__pong__init(&f->pong);
	f->pong.nonce = 0x0123456789abcdefull;

	bridge__error__init(&f->error);
	f->error.call_id = 7;
	f->error.status = -22;
	f->error.message = "no such node";
}

#define FRAME_OF(field, value_case, body)                                                          \
	({                                                                                         \
		Bridge__Frame frame_ = BRIDGE__FRAME__INIT;                                        \
		frame_.body_case = value_case;                                                     \
		frame_.field = (body);                                                             \
		frame_;                                                                            \
	})

/* The dictionary: field tags (protobuf keys) and a few whole fields. */
static const char *const dictionary[] = {
        "# bridge frame fuzzer: protobuf keys of bridge.proto's fields and a few",
        "# whole fields. Written by make_bridge_frame_seeds.c.",
        "frame_hello=\"\\x0a\"",
        "frame_transaction=\"\\x12\"",
        "frame_reply=\"\\x1a\"",
        "frame_import_request=\"\\x22\"",
        "frame_import_reply=\"\\x2a\"",
        "frame_release=\"\\x32\"",
        "frame_death=\"\\x3a\"",
        "frame_ping=\"\\x42\"",
        "frame_pong=\"\\x4a\"",
        "frame_error=\"\\x52\"",
        "varint_1=\"\\x08\"",
        "varint_2=\"\\x10\"",
        "varint_3=\"\\x18\"",
        "varint_4=\"\\x20\"",
        "varint_5=\"\\x28\"",
        "bytes_2=\"\\x12\"",
        "bytes_3=\"\\x1a\"",
        "bytes_4=\"\\x22\"",
        "bytes_6=\"\\x32\"",
        "objects_7=\"\\x3a\"",
        "object_sender=\"\\x3a\\x04\\x10\\x01\\x18\\x01\"",
        "object_null=\"\\x3a\\x02\\x08\\x18\"",
        "version_1=\"\\x08\\x01\"",
        "max_frame_4096=\"\\x20\\x80\\x20\"",
        "oneway=\"\\x28\\x01\"",
        "status_minus_1=\"\\x10\\x01\"",
        "varint_max=\"\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x01\"",
        "length_4096=\"\\x00\\x00\\x10\\x00\"",
        "name_chars=\"_.-/@:\"",
};

int main(int argc, char **argv)
{
	if (argc != 3)
		die("usage: fuzz_bridge_frame_seeds CORPUS_DIRECTORY DICTIONARY_FILE");
	const char *directory = argv[1];
	struct frames f;
	make_frames(&f);

	const struct {
		const char *name;
		Bridge__Frame frame;
	} singles[] = {
	        {"hello", FRAME_OF(hello, BRIDGE__FRAME__BODY_HELLO, &f.hello)},
	        {"transaction",
	         FRAME_OF(transaction, BRIDGE__FRAME__BODY_TRANSACTION, &f.transaction)},
	        {"transaction_oneway",
	         FRAME_OF(transaction, BRIDGE__FRAME__BODY_TRANSACTION, &f.oneway)},
	        {"reply", FRAME_OF(reply, BRIDGE__FRAME__BODY_REPLY, &f.reply)},
	        {"reply_status", FRAME_OF(reply, BRIDGE__FRAME__BODY_REPLY, &f.failed_reply)},
	        {"import_request",
	         FRAME_OF(import_request, BRIDGE__FRAME__BODY_IMPORT_REQUEST, &f.import_request)},
	        {"import_reply",
	         FRAME_OF(import_reply, BRIDGE__FRAME__BODY_IMPORT_REPLY, &f.import_reply)},
	        {"import_reply_refused",
	         FRAME_OF(import_reply, BRIDGE__FRAME__BODY_IMPORT_REPLY, &f.import_refusal)},
	        {"release", FRAME_OF(release, BRIDGE__FRAME__BODY_RELEASE, &f.release)},
	        {"death", FRAME_OF(death, BRIDGE__FRAME__BODY_DEATH, &f.death)},
	        {"ping", FRAME_OF(ping, BRIDGE__FRAME__BODY_PING, &f.ping)},
	        {"pong", FRAME_OF(pong, BRIDGE__FRAME__BODY_PONG, &f.pong)},
	        {"error", FRAME_OF(error, BRIDGE__FRAME__BODY_ERROR, &f.error)},
	};
	const size_t count = sizeof(singles) / sizeof(singles[0]);

	struct seed session = {.size = 0};
	for (size_t i = 0; i < count; i++) {
		struct seed seed = {.size = 0};
		add(&seed, &singles[i].frame);
		write_seed(directory, singles[i].name, &seed);
		add(&session, &singles[i].frame);
	}
	write_seed(directory, "session", &session);

	FILE *file = fopen(argv[2], "w");
	if (!file)
		die("cannot write %s: %s", argv[2], strerror(errno));
	for (size_t i = 0; i < sizeof(dictionary) / sizeof(dictionary[0]); i++)
		fprintf(file, "%s\n", dictionary[i]);
	if (fclose(file) != 0)
		die("cannot write %s: %s", argv[2], strerror(errno));
	return 0;
}
