/*
 * binder/device.h - the binder device layer: open / mmap / ioctl / poll /
 * close on a binder device, whatever backs it.
 *
 * Two backends, chosen at run time from the path:
 *  - a character device (e.g. /dev/binder): the Linux kernel driver, used
 *    through open/mmap/ioctl/poll as usual;
 *  - a Unix socket: binderd, the userspace driver, reached through the
 *    protocol in <binderd/socket_protocol.h>.
 * Callers speak the kernel UAPI (<linux/android/binder.h>) in both cases:
 * BINDER_WRITE_READ with BC_* / BR_* streams, flat_binder_object, ... with
 * real pointers into the caller's memory, exactly as with the kernel.
 *
 * Ownership: binder_device_open() returns a device the caller owns and
 * releases with binder_device_close(). Closing is the "last close" of the
 * kernel: the binder process ends, its nodes die, its refs are dropped.
 *
 * Thread-safety: a device may be used from many threads at once; each
 * thread is its own binder thread (as in the kernel, where the thread is
 * the calling task). open/close are not to race with other calls on the
 * same device.
 *
 * Errors: functions return 0 (or a non-negative value) on success and a
 * negative errno value on failure, never -1 with errno.
 */
#ifndef BINDER_DEVICE_H
#define BINDER_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "binder/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct binder_device binder_device;

enum binder_device_backend {
	BINDER_BACKEND_KERNEL = 1,
	BINDER_BACKEND_BINDERD = 2,
};

/* Environment variable naming the device for every program. */
#define BINDER_DEVICE_ENV "BINDER_DEVICE"

/*
 * The device path to use when the caller names none: $BINDER_DEVICE if set
 * and not empty; else /dev/binder if it is a character device; else
 * binderd's default socket. The returned string is static or from the
 * environment: do not free it.
 */
BINDER_API const char *binder_device_default_path(void);

/*
 * Opens the device at path (NULL: binder_device_default_path()). Picks the
 * backend from what the path is: -ENODEV if it is neither a character
 * device nor a socket. flags: 0 or O_NONBLOCK (then BINDER_WRITE_READ with
 * a read part returns -EAGAIN instead of waiting). On success *out is set.
 */
BINDER_API int binder_device_open(const char *path, int flags, binder_device **out);

/* Which backend the device uses. */
BINDER_API enum binder_device_backend binder_device_backend(const binder_device *device);

/*
 * Maps the receive area (the binder mmap), read-only, of size bytes
 * (at most 4 MiB are used, like the kernel). Once per device: -EBUSY the
 * second time. On success *addr is where it is mapped; the mapping lives
 * until binder_device_close().
 */
BINDER_API int binder_device_mmap(binder_device *device, size_t size, void **addr);

/*
 * Issues a binder ioctl (BINDER_WRITE_READ, BINDER_VERSION,
 * BINDER_SET_MAX_THREADS, BINDER_SET_CONTEXT_MGR, BINDER_SET_CONTEXT_MGR_EXT,
 * BINDER_THREAD_EXIT, ...) as the calling thread. arg points to the
 * command's argument, which is read and written as the kernel does.
 * Like the kernel, only the low 32 bits of cmd count (it is an unsigned
 * int there), so a request passed as a sign-extended int works too.
 * Returns 0 or -errno (e.g. -EAGAIN, -EINVAL, -EBUSY, -EPERM, -ENOTCONN
 * when binderd went away).
 */
BINDER_API int binder_device_ioctl(binder_device *device, unsigned long cmd, void *arg);

struct binder_write_read; /* <linux/android/binder.h> */

/* Hints for binder_device_write_read. */
enum {
	/*
	 * The caller's next step after a read that brings only
	 * BR_TRANSACTION_COMPLETE (after BR_NOOP) is to read again and wait:
	 * a looper that just replied, with everything it had to send after
	 * the reply (its BC_FREE_BUFFER, reference commands) already in this
	 * write. binderd may then keep the complete and return it together
	 * with the next work, which saves the caller a round trip; the read
	 * still ends at once with any other work or error. Ignored by the
	 * kernel driver and with a nonblocking device (O_NONBLOCK).
	 */
	BINDER_WRITE_READ_HOLD_COMPLETE = 1u,
	/*
	 * The caller vouches that the write buffer (write_buffer, write_size)
	 * is readable memory. Under binderd the commands are then copied
	 * with memcpy; without the hint each write is copied with a checked
	 * copy (one more system call) so that a bad address gives -EFAULT as
	 * the kernel's would. With the hint a bad address is the caller's
	 * bug: it may crash the process. Ignored by the kernel driver.
	 */
	BINDER_WRITE_READ_VALID_BUFFERS = 2u,
};

/*
 * BINDER_WRITE_READ with hints (BINDER_WRITE_READ_* above, or-ed) that
 * do not change its results for a caller that keeps their terms, only
 * what they cost: as binder_device_ioctl(device, BINDER_WRITE_READ, bwr)
 * otherwise. -EINVAL for an unknown hint.
 */
BINDER_API int binder_device_write_read(binder_device *device, struct binder_write_read *bwr,
                                        unsigned hints);

/*
 * A file descriptor the calling thread can poll (POLLIN) for binder work,
 * for programs with their own event loop. It becomes readable when the
 * thread (or its process, for a thread that entered the looper) has work;
 * then call BINDER_WRITE_READ. Call again before each poll: the fd may be
 * per thread. Owned by the device: do not close it. Returns fd or -errno.
 */
BINDER_API int binder_device_poll_fd(binder_device *device);

/*
 * Replaces the security context (label) that the process's later
 * transactions carry to objects that asked for it
 * (FLAT_BINDER_FLAG_TXN_SECURITY_CTX: BR_TRANSACTION_SEC_CTX), which
 * binderd otherwise takes from the process's socket (SO_PEERSEC) when the
 * device is opened: for a process that calls on behalf of others, such as
 * a bridge. The label applies to the whole device (every thread), from the
 * next transaction on; transactions sent before keep the label they had.
 * label: 1 to 255 bytes of printable ASCII (' ' to '~'), NUL-terminated.
 *
 * binderd only. binderd allows it when the process's euid (when it opened
 * the device) is 0 or binderd's own.
 * Returns 0; -EINVAL for a bad label; -EPERM when binderd refuses (the
 * label stays as it was); -EOPNOTSUPP on the kernel driver, which takes
 * labels from the security module; -ENOTCONN / -EPIPE when binderd went
 * away. Serialised with the device's other process-wide requests; safe to
 * call from any thread.
 */
BINDER_API int binder_device_set_security_context(binder_device *device, const char *label);

/*
 * Makes one of this process's own nodes (the ptr and cookie it sent in a
 * flat_binder_object) die while the process lives on, as all of them
 * would if it died: the processes that hold references to it get their
 * death notifications (BR_DEAD_BINDER), their calls to it fail
 * (BR_DEAD_REPLY) and oneway calls queued for it are dropped. The driver
 * sends no more reference commands (BR_INCREFS, BR_ACQUIRE, BR_RELEASE,
 * BR_DECREFS) for it and forgets those it sent, as at the process's
 * death; some may still be on their way in a read. For a process that
 * stands for objects that live elsewhere (a bridge) when one of them
 * dies. Sending the same ptr and cookie again later makes a new node.
 *
 * binderd only. Returns 0; -ENOENT if the process has no such node (or
 * the cookie differs); -EINVAL for the context manager's node;
 * -EOPNOTSUPP on the kernel driver (which has no such operation) or an
 * older binderd; -ENOTCONN / -EPIPE when binderd went away. Serialised
 * with the device's other process-wide requests; safe from any thread.
 */
BINDER_API int binder_device_kill_node(binder_device *device, uint64_t ptr, uint64_t cookie);

/*
 * Closes the device and unmaps its area. The device must not be in use by
 * another thread. NULL is allowed.
 */
BINDER_API void binder_device_close(binder_device *device);

#ifdef __cplusplus
}
#endif

#endif
