/*
 * fuzz_common.h - what every binderd fuzz target shares: reading its input
 * (a cursor), setting up binderd's loop in the fuzzer process, and the
 * check that an input left nothing behind in binderd.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *data;
	size_t size;
	size_t at;
};

bool take_u8(struct cursor *cursor, uint8_t *value);
/* Little-endian; what is missing reads as zero. */
uint16_t take_u16(struct cursor *cursor);
/* Up to *size bytes: a truncated input still gives what it has. */
const uint8_t *take_bytes(struct cursor *cursor, size_t *size);

/* /dev/null, opened by fuzz_setup: what BINDER_TYPE_FD objects carry. */
extern int fuzz_null_fd;

/* For LLVMFuzzerInitialize: ignores SIGPIPE, reads FUZZ_BINDERD_TRACE,
 * makes binderd's event base and opens fuzz_null_fd. */
void fuzz_setup(void);
size_t count_open_fds(void);
/* After an input, once every channel is closed: releases what binderd
 * still holds and fails unless nothing is left (no process, node, wakeup,
 * event, or fd beyond the fds_before open before the input). */
void fuzz_release_and_check_clean(size_t fds_before);

#endif
