/*
 * binderd_backend.h - the binderd backend's per-thread channel and the
 * helpers its files share: process channel requests (binderd_client.c),
 * thread channels (binderd_thread.c) and ioctls (binderd_ioctl.c).
 */
#ifndef BINDER_BINDERD_BACKEND_H
#define BINDER_BINDERD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device_internal.h"
#include "binderd/socket_protocol.h"
#include "send_area.h"
#include "socket_io.h"
#include "write_stream.h"

/* One thread's channel to binderd for one device. Used only by its thread,
 * except that closing the device releases it. */
struct binderd_thread {
	/* The device's generation; stays after the device is closed, so a
	 * stale channel never matches a newer device at the same address. */
	uint64_t generation;
	/* NULL once the device is closed (the thread then frees this). */
	struct binder_device *device;
	struct binderd_thread *device_next;
	struct binderd_thread **device_previous;
	/* The next channel of the same thread (thread-local list). */
	struct binderd_thread *thread_next;
	int fd;
	/* binderd was asked for a BINDERD_MSG_WAKEUP and no ioctl since. */
	bool poll_armed;
	/* POLL_ARM was ever sent on this channel: binderd may then send a
	 * WAKEUP at any time, and results are read a piece at a time. */
	bool ever_polled;
	/* Whether a request with inline payloads always leaves in one piece
	 * on this channel (its send buffer), once known. */
	bool inline_checked;
	bool inline_ok;
	/* fds were installed during the current ioctl. */
	bool fds_installed;
	struct binder_send_area send_area;
	/* Outgoing request: header, struct binderd_write_read, stream. */
	uint8_t *request;
	size_t request_capacity;
	struct binder_stream_fds fds;
};

/* The calling thread's channel to device, made on first use. 0 or -errno. */
int binderd_thread_get(struct binder_device *device, struct binderd_thread **thread);

/* Releases every thread channel of device (device close). In a forked
 * child (own false) it only closes the fds the child inherited. */
void binderd_thread_close_all(struct binder_device *device, bool own);

/* Makes the thread's send area hold at least needed bytes. 0 or -errno. */
int binderd_thread_reserve_send_area(struct binderd_thread *thread, size_t needed);

/* Makes thread->request hold at least size bytes. 0 or -ENOMEM. */
int binderd_thread_reserve_request(struct binderd_thread *thread, size_t size);

/* Hands a new thread channel end to binderd on the process channel. */
int binderd_process_add_thread(struct binder_device *device, int channel_end);

/*
 * Reads one message header from socket, with up to max_fds fds (more are
 * closed and give -EMSGSIZE). 0 or -errno.
 */
int binderd_receive_header(int socket, struct binderd_message *message, int *fds, unsigned max_fds,
                           unsigned *fd_count);

/* Closes count fds. */
void binderd_close_fds(const int *fds, unsigned count);

#endif
