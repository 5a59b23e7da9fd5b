/*
 * fd_arrays.h - the kernel closes the fds of a BINDER_TYPE_FDA array in the
 * receiving process when the receiver frees the buffer (unlike single
 * BINDER_TYPE_FD fds, which the receiver owns). binderd cannot close fds
 * in another process, so the binderd backend does it: it notes the fd
 * arrays of each buffer it received fds for, and closes them when the
 * caller's write stream frees that buffer with BC_FREE_BUFFER.
 */
#ifndef BINDER_FD_ARRAYS_H
#define BINDER_FD_ARRAYS_H

#include <stddef.h>
#include <stdint.h>

#include "device_internal.h"

/*
 * After a read during which fds were installed: read (size bytes of BR_*
 * commands, in memory just written) ends with the transaction they came
 * with; notes the fds of its fd arrays.
 */
void binder_fd_arrays_note_read(struct binder_device *device, const uint8_t *read, size_t size);

/* Before stream (size bytes of BC_* commands) is sent: closes the fd
 * arrays of the buffers it frees. Cheap when there are none. */
void binder_fd_arrays_close_freed(struct binder_device *device, const uint8_t *stream, size_t size);

/* Forgets every noted buffer without closing anything (device close). */
void binder_fd_arrays_forget(struct binder_device *device);

#endif
