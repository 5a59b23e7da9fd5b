/*
 * socket_protocol.h - the messages that carry the binder "device" between a
 * process (libbinder's device layer) and binderd over a Unix stream socket.
 *
 * This header is shared by binderd (the server) and libbinder's binderd
 * backend (the client), through the CMake INTERFACE target
 * binderd_socket_protocol. Nothing here is public API. Both sides may be
 * built apart, so every wire struct's size and field offsets are pinned
 * at the end of this file.
 *
 * Model
 * -----
 * - "Opening the device" is connect() to binderd's socket. That connection
 *   is the PROCESS channel: its credentials (SO_PEERCRED) are the process's
 *   identity, and its closing is the process's death (like the last close
 *   of a binder fd in the kernel). Each connection is its own binder
 *   process, even when one program connects twice.
 * - Every thread that issues ioctls has its own THREAD channel: one end of a
 *   socketpair that the process hands to binderd over its process channel
 *   (BINDERD_OP_NEW_THREAD with SCM_RIGHTS). Only the holder of a process
 *   channel can add threads to it, so no process can attach to another.
 * - The receive area (the binder mmap) is a memfd that binderd creates,
 *   maps read-write itself, seals against growing, shrinking and any future
 *   writable mapping, and hands over; the process maps it read-only.
 *   binderd reports buffer addresses in the process's own address space
 *   (the address the process says it mapped the area at), so BR_TRANSACTION
 *   and BR_REPLY carry pointers the process can use as with the kernel.
 * - Payloads travel through a per-thread SEND area: a memfd that the
 *   process creates, seals against shrinking, and hands to binderd (which
 *   maps it read-only). In the write stream of BINDER_WRITE_READ, the
 *   data.ptr.buffer and data.ptr.offsets fields of BC_TRANSACTION /
 *   BC_REPLY (and the buffer field of BINDER_TYPE_PTR objects inside the
 *   data) are byte offsets into the send area instead of pointers. binderd
 *   copies each payload once, from the send area straight into the
 *   receiver's area, and validates only that copy.
 * - File descriptors in a transaction (BINDER_TYPE_FD objects and the
 *   entries of BINDER_TYPE_FDA arrays, in the order they appear) travel as
 *   SCM_RIGHTS with the BINDERD_OP_IOCTL request. Before binderd returns a
 *   BR_TRANSACTION / BR_REPLY that carries fds, it sends them to the
 *   receiving thread in a BINDERD_MSG_FD_INSTALL message; the thread answers
 *   with BINDERD_OP_FD_NUMBERS giving the fd numbers it received, and
 *   binderd writes those numbers into the buffer (which the receiver cannot
 *   write) before sending the result.
 *
 * Framing
 * -------
 * Process -> binderd: struct binderd_request, then payload_size bytes.
 * binderd -> process: struct binderd_message, then payload_size bytes.
 * File descriptors ride on the first byte of their header (SCM_RIGHTS).
 * All integers are in host byte order (the socket never leaves the host).
 */
#ifndef BINDERD_SOCKET_PROTOCOL_H
#define BINDERD_SOCKET_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

/* Bumped whenever a message changes shape. */
#define BINDERD_PROTOCOL_VERSION 1u

/* Where binderd listens unless told otherwise (--socket / BINDER_DEVICE). */
#define BINDERD_DEFAULT_SOCKET "/run/binderd/binder.sock"

/* Largest receive area, as the kernel's binder mmap (4 MiB). */
#define BINDERD_MAX_AREA_SIZE (4u << 20)

/* Largest send area a thread may hand over. */
#define BINDERD_MAX_SEND_AREA_SIZE (16u << 20) /* 16 MiB */

/* Largest write stream accepted in one BINDER_WRITE_READ. */
#define BINDERD_MAX_WRITE_SIZE (256u << 10) /* 256 KiB */

/* Largest read buffer served in one BINDER_WRITE_READ. */
#define BINDERD_MAX_READ_SIZE (256u << 10) /* 256 KiB */

/* Largest payload of a request on a process channel: a header announcing
 * more closes the channel. */
#define BINDERD_MAX_PROCESS_PAYLOAD 4096u

/* Longest label of BINDERD_OP_SET_SECURITY_CONTEXT, in bytes. */
#define BINDERD_MAX_SECURITY_CONTEXT_SIZE 255u

/* Most fds carried by one request or one FD_INSTALL message. */
#define BINDERD_MAX_FDS_PER_MESSAGE 250u

enum binderd_op {
	/* process channel, first message: arg = BINDERD_PROTOCOL_VERSION;
	 * payload: nothing, or struct binderd_hello (asks for direct reads).
	 * Answer payload: struct binderd_hello_reply. */
	BINDERD_OP_HELLO = 1,
	/* process channel: map the receive area. arg = size in bytes.
	 * payload: uint64_t address where the process will map it.
	 * Answer: status, one fd (the memfd) on success. */
	BINDERD_OP_MMAP = 2,
	/* process channel: one fd attached, a new thread channel.
	 * arg = the thread's id (informational, for logs). */
	BINDERD_OP_NEW_THREAD = 3,
	/* thread channel: an ioctl. arg = the ioctl command; payload = the
	 * ioctl argument (for BINDER_WRITE_READ: struct binderd_write_read,
	 * then the unconsumed write bytes). Answer payload: the ioctl's output
	 * (for BINDER_WRITE_READ: struct binderd_write_read_result, then the
	 * read bytes). */
	BINDERD_OP_IOCTL = 4,
	/* thread channel: one fd attached, a sealed memfd that becomes this
	 * thread's send area (replacing the previous one). No answer is sent
	 * on success; an error closes the thread channel. */
	BINDERD_OP_SEND_AREA = 5,
	/* thread channel: answer to BINDERD_MSG_FD_INSTALL; payload: int32_t
	 * fd numbers, one per fd received, in order. */
	BINDERD_OP_FD_NUMBERS = 6,
	/* thread channel: the thread waits with poll(); binderd sends a
	 * BINDERD_MSG_WAKEUP when it has work, until the next ioctl. */
	BINDERD_OP_POLL_ARM = 7,
	/* process channel: replaces the process's security context, the
	 * label that its later transactions carry to nodes that asked for it
	 * (FLAT_BINDER_FLAG_TXN_SECURITY_CTX; SO_PEERSEC at connect until
	 * then), for a process that speaks for others (a bridge). arg = 0;
	 * payload = the label: 1 to BINDERD_MAX_SECURITY_CONTEXT_SIZE bytes of
	 * printable ASCII (0x20-0x7e), no NUL; no fds. Answer: status: -EINVAL
	 * for a bad request (the process carries on), else -EPERM unless the
	 * process is trusted (its euid, SO_PEERCRED, is 0 or binderd's own);
	 * nothing changes on an error. Transactions sent before keep their
	 * label. */
	BINDERD_OP_SET_SECURITY_CONTEXT = 8,
	/* process channel: one of the process's own nodes dies, as all of
	 * them would if the process died (binder_node_release in the
	 * kernel), while the process lives on: the holders of references to
	 * it get their death notifications, calls to it fail with
	 * BR_DEAD_REPLY, oneway calls queued for it are dropped, and binderd
	 * sends its owner no more reference commands for it (whatever
	 * BR_INCREFS / BR_ACQUIRE it sent are forgotten, as at the owner's
	 * death). For a process that stands for objects elsewhere (a bridge)
	 * whose remote object died. arg = the node's ptr; payload = its
	 * cookie (uint64_t); no fds. Answer: status: 0, -ENOENT if the
	 * process has no such node (or the cookie differs), -EINVAL for a
	 * bad request or the context manager's node. Sending the same
	 * ptr/cookie later makes a new node. Offered in HELLO's answer
	 * (BINDERD_HELLO_KILL_NODE). */
	BINDERD_OP_KILL_NODE = 9,
};

enum binderd_message_kind {
	/* The answer to a request. status = 0 or -errno. */
	BINDERD_MSG_RESULT = 1,
	/* fd_count fds attached: answer with BINDERD_OP_FD_NUMBERS. */
	BINDERD_MSG_FD_INSTALL = 2,
	/* The polling thread has work; carries nothing. May arrive at any
	 * time on a thread channel that armed polling: skip it. */
	BINDERD_MSG_WAKEUP = 3,
};

struct binderd_request {
	uint32_t op;           /* enum binderd_op */
	uint32_t payload_size; /* bytes that follow this header */
	uint64_t arg;          /* op-specific */
	uint32_t fd_count;     /* fds attached (SCM_RIGHTS) */
	uint32_t reserved;     /* zero */
};

struct binderd_message {
	uint32_t kind;         /* enum binderd_message_kind */
	int32_t status;        /* 0 or -errno, for BINDERD_MSG_RESULT */
	uint32_t payload_size; /* bytes that follow this header */
	uint32_t fd_count;     /* fds attached (SCM_RIGHTS) */
};

/*
 * Direct reads: where binderd may read a process's memory, a
 * transaction's data and offsets are copied once, straight from the
 * sender's memory into the receiver's area, with no send area in between:
 * the one copy the kernel driver makes. The process proves the reads work
 * by naming a 64-bit value in its memory in HELLO; binderd reads it back.
 * binderd reads as the process's own user would with ptrace (its euid and
 * egid at connect, without binderd's privileges; so a set-user-ID image
 * or an undumpable one cannot be read), and only from the address space
 * the process had at HELLO (binderd keeps /proc/PID/mem open from then,
 * which the kernel binds to that address space): an exec ends the grant,
 * and the process's later direct transactions fail
 * (binderd/direct_reads.c). It
 * needs the kernel to name the peer by pidfd (Linux 6.5). Thread channels
 * of such a process carry SO_PASSCRED credentials, and a request sent by
 * any other process closes the channel, so no process can make binderd
 * read another's memory.
 * A transaction sent this way has BINDERD_TF_DIRECT in its flags and real
 * pointers in data.ptr.buffer / data.ptr.offsets; it carries no
 * BINDER_TYPE_PTR object (those still go through the send area). binderd
 * clears the flag before delivery.
 */
struct binderd_hello {
	uint64_t probe_address;
	uint64_t probe_value;
};

#define BINDERD_HELLO_DIRECT_READS 1u
#define BINDERD_TF_DIRECT          0x80000000u

/*
 * Inline payloads: a small transaction without objects may carry its data
 * in the BINDER_WRITE_READ request itself, after the write stream
 * (struct binderd_write_read.inline_size bytes). It has BINDERD_TF_INLINE
 * in its flags, and data.ptr.buffer is the byte offset of its data among
 * those inline bytes (offsets_size is 0). The process's sendmsg copies the
 * data from its own memory, so neither side makes a system call for it.
 * binderd offers it in HELLO's answer (BINDERD_HELLO_INLINE_PAYLOADS) and
 * clears the flag before delivery. A transaction with both TF flags fails.
 */
#define BINDERD_HELLO_INLINE_PAYLOADS 2u
#define BINDERD_TF_INLINE             0x40000000u
/* Most inline bytes in one request. */
#define BINDERD_MAX_INLINE_SIZE (16u << 10) /* 16 KiB */

/*
 * Gathered payloads: with direct reads, a transaction without objects may
 * have its data in several places of the sender's memory (a parcel whose
 * large byte array stays in the caller's buffer). It has BINDERD_TF_DIRECT
 * and BINDERD_TF_GATHER in its flags, offsets_size 0, and data.ptr.buffer
 * is the address of a struct binderd_gather_list in the sender's memory;
 * binderd reads the whole struct (all BINDERD_MAX_GATHER_SEGMENTS entries,
 * used or not), then copies the first count segments, in order, one after
 * the other into the receiver's buffer. The lengths must add up to
 * data_size exactly; count is 1 to BINDERD_MAX_GATHER_SEGMENTS and
 * reserved is 0. Anything else fails the transaction (BR_FAILED_REPLY).
 * binderd offers it in HELLO's answer (BINDERD_HELLO_GATHER_READS, only
 * with direct reads) and clears the flag before delivery.
 */
#define BINDERD_HELLO_GATHER_READS  4u
#define BINDERD_TF_GATHER           0x20000000u
#define BINDERD_MAX_GATHER_SEGMENTS 8u
/* Every flag of a transaction that is binderd's own, never delivered. */
#define BINDERD_TF_PRIVATE (BINDERD_TF_DIRECT | BINDERD_TF_INLINE | BINDERD_TF_GATHER)

struct binderd_gather_segment {
	uint64_t address; /* in the sender's memory */
	uint64_t length;
};

struct binderd_gather_list {
	uint32_t count;
	uint32_t reserved;
	struct binderd_gather_segment segments[BINDERD_MAX_GATHER_SEGMENTS];
};

struct binderd_hello_reply {
	uint32_t protocol_version;
	int32_t pid;    /* the process's pid as binderd sees it */
	uint32_t flags; /* BINDERD_HELLO_* */
	uint32_t reserved;
};

/* BINDER_WRITE_READ request payload header, followed by write_size bytes
 * (the part of the caller's write buffer not consumed yet), then
 * inline_size bytes of inline payloads (BINDERD_TF_INLINE). */
struct binderd_write_read {
	uint64_t write_size;  /* bytes of write stream that follow */
	uint64_t read_size;   /* room left in the caller's read buffer */
	uint32_t flags;       /* BINDERD_WR_NONBLOCK */
	uint32_t inline_size; /* then this many bytes of inline payloads */
};

#define BINDERD_WR_NONBLOCK 1u
/* The caller's read_consumed was not zero: no BR_NOOP goes first (the
 * kernel puts BR_NOOP only at the start of an empty read buffer). */
#define BINDERD_WR_READ_CONSUMED 2u
/* Quiet writes: a write-only request (read_size 0) whose answer the
 * process does not wait for; binderd sends no RESULT and logs a failure
 * instead. libbinder sends this way a write of nothing but BC_FREE_BUFFER
 * commands, which the kernel driver never fails (it only logs a bad
 * one), so that giving a buffer back costs no round trip. Offered in
 * HELLO's answer (BINDERD_HELLO_QUIET_WRITES); with read_size not 0 the
 * request fails (-EINVAL), with a RESULT. */
#define BINDERD_WR_QUIET           4u
#define BINDERD_HELLO_QUIET_WRITES 8u
/* Held completes: a blocking read that finds only BR_TRANSACTION_COMPLETE
 * (after BR_NOOP) keeps it in the read and goes on waiting for work, as
 * the thread would after reading it; the read ends with the complete and
 * the next work together (or when the thread is told to return). libbinder
 * asks this for the read that follows a reply when its next step is to
 * wait again (a pool thread, a caller waiting for its own reply): the
 * replier then makes one round trip per call instead of two. Offered in
 * HELLO's answer (BINDERD_HELLO_HOLD_COMPLETE); ignored with
 * BINDERD_WR_NONBLOCK. */
#define BINDERD_WR_HOLD_COMPLETE    8u
#define BINDERD_HELLO_HOLD_COMPLETE 16u
/* BINDERD_OP_KILL_NODE is understood. */
#define BINDERD_HELLO_KILL_NODE 32u

/* BINDER_WRITE_READ answer payload header, followed by read_size bytes. */
struct binderd_write_read_result {
	uint64_t write_consumed; /* of the bytes sent */
	uint64_t read_size;      /* bytes that follow */
};

/* The layout on the wire: any change here is a protocol change (bump
 * BINDERD_PROTOCOL_VERSION), never a side effect of a compiler or field
 * order. */
#define BINDERD_WIRE_FIELD(type, field, offset)                                                    \
	_Static_assert(offsetof(struct type, field) == (offset), #type "." #field " moved")
#define BINDERD_WIRE_SIZE(type, size)                                                              \
	_Static_assert(sizeof(struct type) == (size), "struct " #type " changed size")

BINDERD_WIRE_SIZE(binderd_request, 24);
BINDERD_WIRE_FIELD(binderd_request, op, 0);
BINDERD_WIRE_FIELD(binderd_request, payload_size, 4);
BINDERD_WIRE_FIELD(binderd_request, arg, 8);
BINDERD_WIRE_FIELD(binderd_request, fd_count, 16);
BINDERD_WIRE_FIELD(binderd_request, reserved, 20);

BINDERD_WIRE_SIZE(binderd_message, 16);
BINDERD_WIRE_FIELD(binderd_message, kind, 0);
BINDERD_WIRE_FIELD(binderd_message, status, 4);
BINDERD_WIRE_FIELD(binderd_message, payload_size, 8);
BINDERD_WIRE_FIELD(binderd_message, fd_count, 12);

BINDERD_WIRE_SIZE(binderd_hello, 16);
BINDERD_WIRE_FIELD(binderd_hello, probe_address, 0);
BINDERD_WIRE_FIELD(binderd_hello, probe_value, 8);

BINDERD_WIRE_SIZE(binderd_hello_reply, 16);
BINDERD_WIRE_FIELD(binderd_hello_reply, protocol_version, 0);
BINDERD_WIRE_FIELD(binderd_hello_reply, pid, 4);
BINDERD_WIRE_FIELD(binderd_hello_reply, flags, 8);
BINDERD_WIRE_FIELD(binderd_hello_reply, reserved, 12);

BINDERD_WIRE_SIZE(binderd_gather_segment, 16);
BINDERD_WIRE_FIELD(binderd_gather_segment, address, 0);
BINDERD_WIRE_FIELD(binderd_gather_segment, length, 8);

BINDERD_WIRE_SIZE(binderd_gather_list, 8 + 16 * BINDERD_MAX_GATHER_SEGMENTS);
BINDERD_WIRE_FIELD(binderd_gather_list, count, 0);
BINDERD_WIRE_FIELD(binderd_gather_list, reserved, 4);
BINDERD_WIRE_FIELD(binderd_gather_list, segments, 8);

BINDERD_WIRE_SIZE(binderd_write_read, 24);
BINDERD_WIRE_FIELD(binderd_write_read, write_size, 0);
BINDERD_WIRE_FIELD(binderd_write_read, read_size, 8);
BINDERD_WIRE_FIELD(binderd_write_read, flags, 16);
BINDERD_WIRE_FIELD(binderd_write_read, inline_size, 20);

BINDERD_WIRE_SIZE(binderd_write_read_result, 16);
BINDERD_WIRE_FIELD(binderd_write_read_result, write_consumed, 0);
BINDERD_WIRE_FIELD(binderd_write_read_result, read_size, 8);

#undef BINDERD_WIRE_FIELD
#undef BINDERD_WIRE_SIZE

#endif
