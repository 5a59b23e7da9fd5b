/*
 * write_stream.h - prepares the write part of BINDER_WRITE_READ for binderd:
 * copies each transaction's payload (data, offsets and, for the _SG
 * commands, the BINDER_TYPE_PTR buffers) into the thread's send area,
 * rewrites the pointers to send-area offsets, and collects the fds that
 * travel with the request.
 *
 * The rewritten stream keeps every command at its size and place, so
 * binderd's write_consumed counts bytes of the caller's own stream.
 *
 * Rewritten fields (all in the copies; the caller's memory is only read):
 *  - binder_transaction_data.data.ptr.buffer / .offsets: send-area offsets;
 *  - binder_buffer_object.buffer: send-area offset of its copied buffer;
 *  - binder_fd_object.fd and the fds of a BINDER_TYPE_FDA array: index of
 *    that fd among the fds attached to the request.
 * A field whose memory could not be read (wild pointer), that does not fit
 * the send area, or a transaction with a bad fd, gets
 * BINDER_SEND_AREA_BAD_OFFSET so that binderd fails the transaction
 * (BR_FAILED_REPLY, as the kernel does); such a transaction attaches no
 * fds. Objects that are malformed are left for binderd to reject.
 */
#ifndef BINDER_WRITE_STREAM_H
#define BINDER_WRITE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/uio.h>

#include "binderd/socket_protocol.h"
#include "send_area.h"

/* An offset past any send area. */
#define BINDER_SEND_AREA_BAD_OFFSET UINT64_MAX

struct binder_stream_fds {
	unsigned count;
	int fds[BINDERD_MAX_FDS_PER_MESSAGE];
};

/* Most transactions whose payload one request carries inline. */
#define BINDER_INLINE_MAX_PAYLOADS 6u

/*
 * The payloads that travel inside the request (BINDERD_TF_INLINE): the
 * caller's own memory, which sendmsg copies (a bad pointer fails the whole
 * send with EFAULT, and nothing is sent). Set limit (at most
 * BINDERD_MAX_INLINE_SIZE) and count = size = 0 before preparing.
 */
struct binder_stream_inline {
	unsigned count;
	uint64_t size;
	uint64_t limit;
	struct iovec payloads[BINDER_INLINE_MAX_PAYLOADS];
};

/*
 * Walks size bytes of commands. Returns how many bytes to send: all of them
 * if complete (the stream is all the caller gave), else only the commands
 * that are whole. *area_needed gets the send-area bytes those commands'
 * transactions need (transactions that could never fit do not count).
 */
size_t binder_write_stream_measure(const uint8_t *stream, size_t size, bool complete,
                                   size_t *area_needed);

/*
 * Copies the payloads of the transactions in stream (size bytes, as
 * measured) into area from offset 0 on, rewrites the fields listed above
 * in stream and in the area, and stores the fds to attach in fds.
 */
void binder_write_stream_prepare(uint8_t *stream, size_t size, const struct binder_send_area *area,
                                 struct binder_stream_fds *fds, bool direct_reads,
                                 struct binder_stream_inline *inline_payloads);

/*
 * With direct_reads (binderd reads our memory itself), a transaction whose
 * objects are all binders and handles (no fd, fd array or PTR buffer, at
 * most BINDER_DIRECT_MAX_OBJECTS of them) keeps its own pointers and gets
 * BINDERD_TF_DIRECT: its payload is then copied once, by binderd, straight
 * into the receiver's area. Any other transaction goes through the send
 * area as described above.
 *
 * A gathered transaction (BINDERD_TF_GATHER: data.ptr.buffer names a
 * struct binderd_gather_list, see <binderd/socket_protocol.h>) never goes
 * inline. With direct_reads and no objects it keeps its list and gets
 * BINDERD_TF_DIRECT, and binderd gathers it; otherwise its segments are
 * copied one after the other into the send area and the flag is cleared
 * (a malformed list or an unreadable segment fails the transaction).
 *
 * With inline_payloads (not NULL), a BC_TRANSACTION or BC_REPLY without
 * objects whose data fits what is left of the limit (and a free slot) goes
 * inline instead: BINDERD_TF_INLINE, data.ptr.buffer its offset among the
 * inline bytes, and its data pointer and size in inline_payloads, in
 * order. Nothing of it is read here.
 */
#define BINDER_DIRECT_MAX_OBJECTS 64u

/* True if stream (size bytes, not empty) is nothing but whole
 * BC_FREE_BUFFER commands: a write binderd may take quietly
 * (BINDERD_WR_QUIET), as the kernel never fails one. */
bool binder_write_stream_only_frees(const uint8_t *stream, size_t size);

#endif
