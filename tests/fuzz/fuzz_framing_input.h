/*
 * fuzz_framing_input.h - the layout of one input of the socket-framing
 * fuzzer (fuzz_framing.c), shared with its seed generator
 * (make_framing_seeds.c). All integers are little-endian.
 *
 *   u8  setup        FRAMING_* bits below
 *   chunks, until the input ends; each is
 *   u8  how          bits 0-1: channel (0: the process channel, 1-3: a
 *                    thread channel, by index modulo their number);
 *                    bits 2-4: fds attached (framing_fd_count); bit 5: the
 *                    last byte goes out of band (MSG_OOB); bits 6-7: after
 *                    the chunk, CHUNK_SHUTDOWN shuts the channel's write
 *                    side down, CHUNK_CLOSE closes it, other values nothing
 *   u8  fd_kind      bits 0-1: FD_KIND_* of the fds attached; bits 2-3:
 *                    how many past BINDERD_MAX_FDS_PER_MESSAGE when the
 *                    count code says many
 *   u16 length       then length raw bytes, sent as one sendmsg
 *
 * binderd's loop runs after every chunk. A socket attached as an fd
 * (FD_KIND_SOCKET) becomes a thread channel of ours: later chunks may
 * write on it, once binderd took it (a NEW_THREAD request).
 */
#ifndef FUZZ_FRAMING_INPUT_H
#define FUZZ_FRAMING_INPUT_H

#include <stddef.h>

#define FRAMING_THREADS_MASK  0x03u /* thread channels made at the start */
#define FRAMING_RAW_START     0x04u /* no hello, area or thread by the harness */
#define FRAMING_DIRECT_READS  0x08u /* the harness's hello offers direct reads */
#define FRAMING_SMALL_BUFFERS 0x10u /* binderd's ends send in small pieces */

#define CHUNK_CHANNEL_MASK 0x03u
#define CHUNK_FDS_SHIFT    2
#define CHUNK_OOB          0x20u
#define CHUNK_AFTER_MASK   0xc0u
#define CHUNK_SHUTDOWN     0x80u
#define CHUNK_CLOSE        0xc0u
#define MAKE_CHUNK(channel, fd_code)                                                               \
	((unsigned)(channel) | ((unsigned)(fd_code) << CHUNK_FDS_SHIFT))

enum framing_fd_kind {
	FD_KIND_NULL = 0,   /* /dev/null */
	FD_KIND_SOCKET = 1, /* one end of a new socketpair (a thread channel) */
	FD_KIND_MEMFD = 2,  /* a sealed memfd (a send area) */
	FD_KIND_EVENTFD = 3,
};

#define FD_KIND_MASK   0x03u
#define FD_EXTRA_SHIFT 2
#define FD_COUNT_MANY  7u   /* the count code for many fds */
#define FD_MANY_BASE   250u /* BINDERD_MAX_FDS_PER_MESSAGE */

/* Codes 0-6: none, one (three times as likely), two, three, four; code 7:
 * BINDERD_MAX_FDS_PER_MESSAGE plus the extra of the fd_kind byte (0-3: up
 * to the kernel's SCM_MAX_FD). */
static inline size_t framing_fd_count(unsigned code, unsigned fd_kind)
{
	static const size_t counts[FD_COUNT_MANY] = {0, 1, 1, 1, 2, 3, 4};
	if ((code & 7u) == FD_COUNT_MANY)
		return FD_MANY_BASE + ((fd_kind >> FD_EXTRA_SHIFT) & 3u);
	return counts[code & 7u];
}

#endif
