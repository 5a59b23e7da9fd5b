/*
 * socket_io.h - whole-message reads and writes on binderd's stream sockets,
 * with file descriptors passed as SCM_RIGHTS.
 */
#ifndef BINDER_SOCKET_IO_H
#define BINDER_SOCKET_IO_H

#include <stddef.h>
#include <sys/uio.h>

/*
 * Writes all of the iov_count buffers, with fd_count fds attached to the
 * first byte. Retries on EINTR and short writes; never raises SIGPIPE.
 * Returns 0, -ENOTCONN if the peer is gone, or -errno.
 */
int binder_socket_send(int socket, const struct iovec *iov, int iov_count, const int *fds,
                       unsigned fd_count);

/*
 * Reads exactly size bytes into buffer. fds arriving with the data (close
 * on exec) are stored in fds (room for max_fds) and counted in *fd_count;
 * fds beyond max_fds are closed and the return value is -EMSGSIZE after
 * the whole read. fds may be NULL when none are expected (any that arrive
 * are closed). Returns 0, -ENOTCONN at end of stream, -EFAULT if buffer is
 * not writable (the rest of the size bytes are then read and dropped, so
 * the stream stays in step), or -errno.
 */
int binder_socket_receive(int socket, void *buffer, size_t size, int *fds, unsigned max_fds,
                          unsigned *fd_count);

/*
 * Waits (in poll) for data, then one recvmsg: scatters what
 * has arrived (up to the iov's total) over iov and sets *received. fds as
 * binder_socket_receive. Returns 0, -ENOTCONN at end of stream, -EFAULT if
 * a buffer is not writable (then nothing was consumed: the data is still
 * there to read), -EMSGSIZE (fds dropped, *received set), or -errno.
 * The caller must know that the stream holds nothing beyond the message it
 * expects, or handle what follows it.
 */
int binder_socket_receive_some(int socket, const struct iovec *iov, int iov_count, int *fds,
                               unsigned max_fds, unsigned *fd_count, size_t *received);

/* Reads and drops size bytes. 0 or -errno. */
int binder_socket_discard(int socket, size_t size);

#endif
