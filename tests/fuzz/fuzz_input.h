/*
 * fuzz_input.h - the layout of one input of the binderd write-stream fuzzer,
 * shared by the fuzz target (fuzz_write_stream.c) and the seed generator
 * (make_seeds.c). All integers are little-endian.
 *
 *   u8  setup        SETUP_* bits below
 *   u8  manager      flags of the context manager's object (MANAGER_*),
 *                    and SMALL_SOCKET_BUFFERS
 *   u8  area         receive area size code (see fuzz_area_size)
 *   u16 send_size    then send_size bytes: the send area of every thread
 *                    (transaction data, offsets arrays and scatter-gather
 *                    buffers are byte offsets into it); 0: no send area
 *   operations, until the input ends; each starts with
 *   u8  op           bits 0-2: OP_* kind; bits 3-7: thread index (modulo the
 *                    number of threads created so far)
 *
 * OP_WRITE_READ (kinds 0-2) then: u8 WR_* flags, u16 length, length bytes
 *   of write stream (BC_* commands), sent as BINDER_WRITE_READ.
 * OP_ACKNOWLEDGE: BC_INCREFS_DONE / BC_ACQUIRE_DONE for the BR_INCREFS /
 *   BR_ACQUIRE the thread's process read, BC_DEAD_BINDER_DONE for its
 *   BR_DEAD_BINDERs.
 * OP_FREE_BUFFER then: u8 index: BC_FREE_BUFFER on one of the buffers the
 *   thread's process received (by index, modulo their number).
 * OP_CONTROL then: u8 CONTROL_* in bits 0-2, argument in bits 3-7.
 * OP_CLOSE_THREAD: closes the thread's channel.
 * OP_CLOSE_PROCESS: closes the process channel of the thread's process.
 */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include <stddef.h>

#define SETUP_THREE_PROCESSES 0x01u
#define SETUP_MANAGER_SHIFT   1 /* 2 bits: which process is the manager */
#define SETUP_MANAGER_EXT     0x08u
#define SETUP_THREADS_SHIFT   4     /* 2 bits: threads per process minus one */
#define SETUP_BAD_FD_NUMBERS  0x40u /* answer FD_INSTALL with bad numbers */
#define SETUP_NO_MANAGER      0x80u

#define MANAGER_ACCEPTS_FDS  0x01u
#define MANAGER_SECURITY_CTX 0x02u
/* bits 2-6: the manager object's priority; bit 7 is a harness option: */
#define SMALL_SOCKET_BUFFERS 0x80u /* binderd's ends send in small pieces */

enum fuzz_op_kind {
	OP_WRITE_READ = 0, /* 0, 1 and 2: the common case */
	OP_ACKNOWLEDGE = 3,
	OP_FREE_BUFFER = 4,
	OP_CONTROL = 5,
	OP_CLOSE_THREAD = 6,
	OP_CLOSE_PROCESS = 7,
};

#define OP_KIND(op)           ((op)&7u)
#define OP_THREAD(op)         ((op) >> 3)
#define MAKE_OP(kind, thread) ((unsigned)(kind) | ((unsigned)(thread) << 3))

#define WR_BLOCKING       0x01u /* the read waits for work */
#define WR_FD_COUNT_SHIFT 1     /* 2 bits: fds attached to the request */
#define WR_READ_SHIFT     3     /* 2 bits: read size code, fuzz_read_size */
#define WR_READ_CONSUMED  0x20u /* BINDERD_WR_READ_CONSUMED */
#define WR_FORCE          0x40u /* send even while an answer is awaited */

enum fuzz_control {
	CONTROL_VERSION = 0,
	CONTROL_SET_MAX_THREADS = 1, /* argument: the count */
	CONTROL_THREAD_EXIT = 2,
	CONTROL_POLL_ARM = 3,
	CONTROL_NEW_THREAD = 4,
	CONTROL_SET_CONTEXT_MGR = 5,
	CONTROL_BAD_HEADER = 6,     /* a request binderd must refuse (bad_header) */
	CONTROL_BAD_WRITE_READ = 7, /* write_size not matching the payload */
};

/* Most threads one input creates, all processes together (the op's
 * thread index has 5 bits). */
#define FUZZ_MAX_THREADS 32u

static inline size_t fuzz_read_size(unsigned code)
{
	static const size_t sizes[4] = {0, 256, 32, 16384};
	return sizes[code & 3u];
}

/* Receive area sizes from 256 bytes to just over binderd's 4 MiB cap. */
static inline size_t fuzz_area_size(unsigned code)
{
	if (code >= 250)
		return 4u * 1024u * 1024u + 4096u;
	return 256u * (code + 1u);
}

#endif
