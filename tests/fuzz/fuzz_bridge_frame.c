/*
 * fuzz_bridge_frame.c - libFuzzer target for bridged's frame codec
 * (bridged/frame.c): the input is what a peer sends on the link, a stream
 * of frames. Repeatedly: a 4-byte length read with frame_read_length (limit
 * FUZZ_MAX_FRAME), then that many bytes of body decoded with frame_decode.
 * The stream ends at a refused length or a short body, where the link
 * would drop the connection; a refused body is skipped.
 *
 * Checks, besides the sanitizers': a refusal is -EBADMSG with a one-line
 * reason; a frame that decodes re-encodes with frame_encode, the re-encoded
 * frame decodes again, and encoding that gives the same bytes (encoding is
 * a fixed point); a body one byte above the limit is refused for its size.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

#define FUZZ_MAX_FRAME (1u << 20)

__attribute__((format(printf, 1, 2), noreturn)) static void fail(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	fprintf(stderr, "fuzz_bridge_frame: ");
	vfprintf(stderr, format, args);
	fprintf(stderr, "\n");
	va_end(args);
	abort();
}

static void check_reason(const char *reason, int err)
{
	if (reason[0] == '\0' || strchr(reason, '\n'))
		fail("refusal %d with a reason that is empty or not one line: \"%s\"", err, reason);
}

/* Encodes frame; it must work. Returns the encoding (prefix included). */
static uint8_t *encode(const Bridge__Frame *frame, size_t *size)
{
	uint8_t *wire = NULL;
	int err = frame_encode(frame, FUZZ_MAX_FRAME, &wire, size);
	if (err)
		fail("a decoded %s does not encode: %d", frame_kind_name(frame), err);
	uint32_t body_size = 0;
	if (frame_read_length(wire, FUZZ_MAX_FRAME, &body_size) != 0 ||
	    (size_t)body_size + FRAME_HEADER_SIZE != *size)
		fail("the prefix of an encoded %s is not its body size", frame_kind_name(frame));
	return wire;
}

/* A decoded frame: encode it, decode that, encode again: the same bytes. */
static void check_reencoding(const Bridge__Frame *frame)
{
	size_t size = 0;
	uint8_t *wire = encode(frame, &size);

	char reason[256] = "";
	Bridge__Frame *again = NULL;
	int err = frame_decode(wire + FRAME_HEADER_SIZE, size - FRAME_HEADER_SIZE, FUZZ_MAX_FRAME,
	                       &again, reason, sizeof(reason));
	if (err)
		fail("a re-encoded %s does not decode: %d, %s", frame_kind_name(frame), err,
		     reason);
	if (again->body_case != frame->body_case)
		fail("a re-encoded %s decodes as %s", frame_kind_name(frame),
		     frame_kind_name(again));

	size_t again_size = 0;
	uint8_t *again_wire = encode(again, &again_size);
	if (again_size != size || memcmp(again_wire, wire, size) != 0)
		fail("a %s encodes differently after a round trip (%zu, then %zu bytes)",
		     frame_kind_name(frame), size, again_size);
	free(again_wire);
	frame_free(again);
	free(wire);
}

static void decode_body(const uint8_t *body, size_t size)
{
	char reason[256] = "";
	Bridge__Frame *const untouched = (Bridge__Frame *)(uintptr_t)0x5a5a;
	Bridge__Frame *frame = untouched;

	/* One byte above the limit: refused for its size, before unpacking. */
	int err = frame_decode(body, size, (uint32_t)size - 1, &frame, reason, sizeof(reason));
	if (err != -EMSGSIZE || frame != untouched)
		fail("a body of %zu bytes above a limit of %zu: %d", size, size - 1, err);
	check_reason(reason, err);

	reason[0] = '\0';
	err = frame_decode(body, size, FUZZ_MAX_FRAME, &frame, reason, sizeof(reason));
	if (err) {
		if (err != -EBADMSG || frame != untouched)
			fail("refused with %d (and *out %s)", err,
			     frame == untouched ? "untouched" : "written");
		check_reason(reason, err);
		return;
	}
	if (frame == untouched || frame->body_case == BRIDGE__FRAME__BODY__NOT_SET)
		fail("decoded without a frame body");
	check_reencoding(frame);
	frame_free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0;
	while (size - at >= FRAME_HEADER_SIZE) {
		uint32_t body_size = 0;
		if (frame_read_length(data + at, FUZZ_MAX_FRAME, &body_size) != 0)
			break;
		at += FRAME_HEADER_SIZE;
		if (body_size > size - at)
			break;
		/* A copy of exactly the body, so that ASan sees any read past it. */
		uint8_t *body = malloc(body_size);
		if (!body)
			fail("out of memory");
		memcpy(body, data + at, body_size);
		decode_body(body, body_size);
		free(body);
		at += body_size;
	}
	return 0;
}
