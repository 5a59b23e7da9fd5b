/*
 * binderd_ioctl.c - binder ioctls on the binderd backend: each is one
 * request on the calling thread's channel and one RESULT back. On the way,
 * binderd may send fds to install (FD_INSTALL, answered with the numbers
 * they got) and wake-ups for poll() (skipped).
 *
 * BINDER_WRITE_READ sends the caller's unconsumed write bytes, with the
 * transactions' payloads moved into the send area (write_stream.c), and
 * receives the read bytes straight into the caller's read buffer.
 */
#include "binderd_backend.h"

#include <errno.h>
#include <linux/android/binder.h>
#include <linux/ioctl.h>
#include <string.h>
#include <sys/socket.h>

#include "fd_arrays.h"
#include "self_memory.h"
#include "socket_io.h"

/* Largest argument of a binder ioctl other than BINDER_WRITE_READ. */
#define IOCTL_ARGUMENT_MAX 256u

static int answer_fd_install(struct binderd_thread *thread, const struct binderd_message *message,
                             int *fds, unsigned fd_count, int status)
{
	struct binderd_request request = {.op = BINDERD_OP_FD_NUMBERS};
	struct iovec iov[2] = {
	        {.iov_base = &request, .iov_len = sizeof(request)},
	        {.iov_base = fds, .iov_len = 0},
	};

	if (message->payload_size) {
		int discard = binder_socket_discard(thread->fd, message->payload_size);

		if (discard) {
			binderd_close_fds(fds, fd_count);
			return discard;
		}
	}
	if (status || fd_count != message->fd_count) {
		/* Could not take them all (fd limit): take none, binderd
		 * fails the transaction. */
		binderd_close_fds(fds, fd_count);
		fd_count = 0;
	}
	if (fd_count)
		thread->fds_installed = true;
	request.payload_size = fd_count * sizeof(int32_t);
	iov[1].iov_len = request.payload_size;
	return binder_socket_send(thread->fd, iov, 2, NULL, 0);
}

/* Waits for the RESULT of the request just sent; its payload is left
 * unread. 0 or -errno if the channel failed. */
static int await_result(struct binderd_thread *thread, struct binderd_message *result)
{
	int *fds = thread->fds.fds; /* the request's fds are sent already */

	for (;;) {
		unsigned fd_count = 0;
		int status = binderd_receive_header(thread->fd, result, fds,
		                                    BINDERD_MAX_FDS_PER_MESSAGE, &fd_count);

		if (status && status != -EMSGSIZE) {
			binderd_close_fds(fds, fd_count);
			return status;
		}
		if (result->kind == BINDERD_MSG_FD_INSTALL) {
			status = answer_fd_install(thread, result, fds, fd_count, status);
			if (status)
				return status;
			continue;
		}
		binderd_close_fds(fds, fd_count);
		if (status)
			return -EPROTO;
		if (result->kind == BINDERD_MSG_RESULT)
			return 0;
		if (result->kind != BINDERD_MSG_WAKEUP)
			return -EPROTO;
		status = binder_socket_discard(thread->fd, result->payload_size);
		if (status)
			return status;
	}
}

static int send_ioctl(struct binderd_thread *thread, unsigned int cmd, const void *payload,
                      uint32_t payload_size, const int *fds, unsigned fd_count)
{
	struct binderd_request request = {
	        .op = BINDERD_OP_IOCTL,
	        .payload_size = payload_size,
	        .arg = cmd,
	        .fd_count = fd_count,
	};
	struct iovec iov[2] = {
	        {.iov_base = &request, .iov_len = sizeof(request)},
	        {.iov_base = (void *)payload, .iov_len = payload_size},
	};

	/* Polling is disarmed by any ioctl. */
	thread->poll_armed = false;
	return binder_socket_send(thread->fd, iov, payload_size ? 2 : 1, fds, fd_count);
}

/* The ioctls with a small fixed-size argument. */
static int plain_ioctl(struct binderd_thread *thread, unsigned int cmd, void *arg)
{
	uint8_t argument[IOCTL_ARGUMENT_MAX] = {0};
	size_t size = _IOC_SIZE(cmd);
	uint32_t payload_size = 0;
	struct binderd_message result;
	int status;

	if (size > sizeof(argument))
		return -EINVAL;
	if (_IOC_DIR(cmd) & _IOC_WRITE) {
		payload_size = size;
		/* The kernel ignores these arguments (callers pass 0). */
		if (cmd != BINDER_SET_CONTEXT_MGR && cmd != BINDER_THREAD_EXIT &&
		    binder_self_read(argument, (uintptr_t)arg, size))
			return -EFAULT;
	}
	status = send_ioctl(thread, cmd, argument, payload_size, NULL, 0);
	if (!status)
		status = await_result(thread, &result);
	if (status)
		return status;
	if (result.payload_size > sizeof(argument)) {
		status = binder_socket_discard(thread->fd, result.payload_size);
		return status ? status : -EPROTO;
	}
	status = binder_socket_receive(thread->fd, argument, result.payload_size, NULL, 0, NULL);
	if (status)
		return status;
	if (result.status == 0 && (_IOC_DIR(cmd) & _IOC_READ) && result.payload_size &&
	    binder_self_write((uintptr_t)arg, argument,
	                      result.payload_size < size ? result.payload_size : size))
		return -EFAULT;
	return result.status;
}

/* What the scattered read leaves to the stepwise one: the whole answer
 * (nothing was taken), or a RESULT whose header alone was taken. */
#define RECEIVE_STEPWISE         1
#define RECEIVE_STEPWISE_PAYLOAD 2

/*
 * The RESULT of a BINDER_WRITE_READ in one recvmsg, scattered straight to
 * its places: its header, the consumed counts, the read bytes into the
 * caller's buffer. A thread channel that never armed polling carries
 * nothing but answers to its own requests (binderd sends WAKEUPs only
 * after POLL_ARM; after an FD_INSTALL it waits for our numbers), so the
 * read can take all that has arrived without taking part of a later
 * message. Anything else is a protocol error. Returns the result's status
 * or -errno, with *bwr updated; RECEIVE_STEPWISE if nothing was taken
 * (the caller's buffer is not writable: the stepwise read keeps the stream
 * in step around it); or RECEIVE_STEPWISE_PAYLOAD with *result read and
 * nothing after it (its header came in pieces).
 */
static int receive_write_read_scattered(struct binderd_thread *thread,
                                        struct binder_write_read *bwr, uint64_t write_sent,
                                        uint64_t read_room, struct binderd_message *result)
{
	uint8_t *read_at = (uint8_t *)(uintptr_t)(bwr->read_buffer + bwr->read_consumed);
	struct binderd_write_read_result answer;
	int *fds = thread->fds.fds; /* the request's fds are sent already */

	for (;;) {
		struct iovec iov[3] = {
		        {.iov_base = result, .iov_len = sizeof(*result)},
		        {.iov_base = &answer, .iov_len = sizeof(answer)},
		        {.iov_base = read_at, .iov_len = read_room},
		};
		unsigned fd_count = 0;
		size_t received = 0;
		int status = binder_socket_receive_some(thread->fd, iov, read_room ? 3 : 2, fds,
		                                        BINDERD_MAX_FDS_PER_MESSAGE, &fd_count,
		                                        &received);

		if (status == -EFAULT)
			return RECEIVE_STEPWISE;
		if (status && status != -EMSGSIZE) {
			binderd_close_fds(fds, fd_count);
			return status;
		}
		if (received < sizeof(*result)) {
			/* The header came in pieces: take the rest of it. */
			unsigned more = 0;
			int rest = binder_socket_receive(thread->fd, (uint8_t *)result + received,
			                                 sizeof(*result) - received, fds + fd_count,
			                                 BINDERD_MAX_FDS_PER_MESSAGE - fd_count,
			                                 &more);
			fd_count += more;
			if (rest && rest != -EMSGSIZE) {
				binderd_close_fds(fds, fd_count);
				return rest;
			}
			status = status ? status : rest;
			if (result->kind != BINDERD_MSG_FD_INSTALL) {
				binderd_close_fds(fds, fd_count);
				if (status || result->kind != BINDERD_MSG_RESULT)
					return -EPROTO;
				return RECEIVE_STEPWISE_PAYLOAD;
			}
			received = sizeof(*result);
		}
		if (result->kind == BINDERD_MSG_FD_INSTALL) {
			/* binderd sends nothing more until it has our numbers. */
			if (received != sizeof(*result) || result->payload_size) {
				binderd_close_fds(fds, fd_count);
				return -EPROTO;
			}
			status = answer_fd_install(thread, result, fds, fd_count, status);
			if (status)
				return status;
			continue;
		}
		binderd_close_fds(fds, fd_count);
		size_t payload_received = received - sizeof(*result);
		if (result->kind != BINDERD_MSG_RESULT || status ||
		    payload_received > result->payload_size)
			return -EPROTO;
		if (result->payload_size < sizeof(answer)) {
			/* A failed ioctl: a status and no counts. */
			status = binder_socket_discard(thread->fd,
			                               result->payload_size - payload_received);
			if (status)
				return status;
			return result->status ? result->status : -EPROTO;
		}
		if (payload_received < sizeof(answer)) {
			status = binder_socket_receive(
			        thread->fd, (uint8_t *)&answer + payload_received,
			        sizeof(answer) - payload_received, NULL, 0, NULL);
			if (status)
				return status;
			payload_received = sizeof(answer);
		}
		size_t read_received = payload_received - sizeof(answer);
		if (answer.write_consumed > write_sent || answer.read_size > read_room ||
		    result->payload_size - sizeof(answer) != answer.read_size) {
			status = binder_socket_discard(thread->fd,
			                               result->payload_size - payload_received);
			return status ? status : -EPROTO;
		}
		if (read_received < answer.read_size) {
			status = binder_socket_receive(thread->fd, read_at + read_received,
			                               answer.read_size - read_received, NULL, 0,
			                               NULL);
			if (status)
				return status;
		}
		bwr->write_consumed += answer.write_consumed;
		bwr->read_consumed += answer.read_size;
		return result->status;
	}
}

/*
 * Receives the RESULT of a BINDER_WRITE_READ: the consumed counts, then
 * the read bytes into the caller's buffer. Updates *bwr. Returns the
 * result's status, or -errno.
 */
static int receive_write_read(struct binderd_thread *thread, struct binder_write_read *bwr,
                              uint64_t write_sent, uint64_t read_room)
{
	struct binderd_write_read_result answer;
	struct binderd_message result;
	int status;

	status = RECEIVE_STEPWISE;
	if (!thread->ever_polled)
		status = receive_write_read_scattered(thread, bwr, write_sent, read_room, &result);
	if (status == RECEIVE_STEPWISE)
		status = await_result(thread, &result);
	else if (status == RECEIVE_STEPWISE_PAYLOAD)
		status = 0;
	else
		return status;
	if (status)
		return status;
	if (result.payload_size < sizeof(answer)) {
		status = binder_socket_discard(thread->fd, result.payload_size);
		if (status)
			return status;
		return result.status ? result.status : -EPROTO;
	}
	status = binder_socket_receive(thread->fd, &answer, sizeof(answer), NULL, 0, NULL);
	if (status)
		return status;
	if (answer.write_consumed > write_sent || answer.read_size > read_room ||
	    result.payload_size - sizeof(answer) != answer.read_size) {
		status = binder_socket_discard(thread->fd, result.payload_size - sizeof(answer));
		return status ? status : -EPROTO;
	}
	bwr->write_consumed += answer.write_consumed;
	status = binder_socket_receive(thread->fd,
	                               (void *)(uintptr_t)(bwr->read_buffer + bwr->read_consumed),
	                               answer.read_size, NULL, 0, NULL);
	if (status)
		return status;
	bwr->read_consumed += answer.read_size;
	return result.status;
}

/*
 * A request up to this size leaves as one piece of the Unix socket (with
 * its usual send buffer, checked by inline_allowed), so a bad inline
 * pointer fails the whole send with EFAULT and sends nothing.
 */
#define INLINE_REQUEST_MAX (16u << 10)

/* Room the kernel gives one piece of a Unix stream message: half the send
 * buffer, less a small margin (af_unix.c). */
#define UNIX_PIECE_MARGIN 64

static bool inline_allowed(struct binder_device *device, struct binderd_thread *thread)
{
	if (!device->inline_payloads)
		return false;
	if (!thread->inline_checked) {
		int send_buffer = 0;
		socklen_t length = sizeof(send_buffer);

		thread->inline_checked = true;
		thread->inline_ok =
		        getsockopt(thread->fd, SOL_SOCKET, SO_SNDBUF, &send_buffer, &length) == 0 &&
		        send_buffer / 2 - UNIX_PIECE_MARGIN >= (int)INLINE_REQUEST_MAX;
	}
	return thread->inline_ok;
}

/*
 * Reads copy_size bytes of the caller's write stream, prepares it (send
 * area, fds, and with fast_paths direct and inline payloads) and sends the
 * request. *send_size gets the stream bytes sent; *quiet is set if binderd
 * will not answer (BINDERD_WR_QUIET: a whole write of BC_FREE_BUFFERs and
 * no read). 0 or -errno; -EFAULT if the stream, or with fast_paths an
 * inline payload, is not readable (nothing was sent).
 */
static int send_write_read(struct binder_device *device, struct binderd_thread *thread,
                           const struct binder_write_read *bwr, size_t copy_size, bool complete,
                           uint64_t read_room, bool fast_paths, uint32_t extra_flags,
                           bool valid_stream, size_t *send_size, bool *quiet)
{
	const size_t header_size =
	        sizeof(struct binderd_request) + sizeof(struct binderd_write_read);
	struct binder_stream_inline inline_payloads = {0};
	struct binderd_request *request;
	struct binderd_write_read *write_read;
	struct iovec iov[1 + BINDER_INLINE_MAX_PAYLOADS];
	size_t area_needed;
	uint8_t *stream;
	int status;

	status = binderd_thread_reserve_request(thread, header_size + copy_size);
	if (status)
		return status;
	stream = thread->request + header_size;
	if (valid_stream)
		memcpy(stream, (const void *)(uintptr_t)(bwr->write_buffer + bwr->write_consumed),
		       copy_size);
	else if (binder_self_read(stream, bwr->write_buffer + bwr->write_consumed, copy_size))
		return -EFAULT;
	*send_size = binder_write_stream_measure(stream, copy_size, complete, &area_needed);
	/* If the area cannot grow, transactions that do not fit fail. */
	if (area_needed)
		binderd_thread_reserve_send_area(thread, area_needed);
	if (fast_paths && inline_allowed(device, thread) &&
	    header_size + *send_size < INLINE_REQUEST_MAX) {
		inline_payloads.limit = INLINE_REQUEST_MAX - header_size - *send_size;
		if (inline_payloads.limit > BINDERD_MAX_INLINE_SIZE)
			inline_payloads.limit = BINDERD_MAX_INLINE_SIZE;
	}
	*quiet = device->quiet_writes && read_room == 0 && complete && *send_size == copy_size &&
	         binder_write_stream_only_frees(stream, *send_size);
	binder_write_stream_prepare(stream, *send_size, &thread->send_area, &thread->fds,
	                            fast_paths && device->direct_reads,
	                            inline_payloads.limit ? &inline_payloads : NULL);

	request = (struct binderd_request *)thread->request;
	write_read = (struct binderd_write_read *)(request + 1);
	*request = (struct binderd_request){
	        .op = BINDERD_OP_IOCTL,
	        .payload_size = (uint32_t)(sizeof(*write_read) + *send_size + inline_payloads.size),
	        .arg = BINDER_WRITE_READ,
	        .fd_count = thread->fds.count,
	};
	*write_read = (struct binderd_write_read){
	        .write_size = *send_size,
	        .read_size = read_room,
	        .flags = (device->nonblocking ? BINDERD_WR_NONBLOCK : 0) |
	                 (bwr->read_consumed ? BINDERD_WR_READ_CONSUMED : 0) |
	                 (*quiet ? BINDERD_WR_QUIET : 0) | extra_flags,
	        .inline_size = (uint32_t)inline_payloads.size,
	};
	iov[0].iov_base = thread->request;
	iov[0].iov_len = header_size + *send_size;
	memcpy(&iov[1], inline_payloads.payloads, inline_payloads.count * sizeof(iov[0]));
	thread->poll_armed = false;
	thread->fds_installed = false;
	status = binder_socket_send(thread->fd, iov, 1 + (int)inline_payloads.count,
	                            thread->fds.fds, thread->fds.count);
	return status;
}

/* BINDER_WRITE_READ with extra BINDERD_WR_* flags for binderd;
 * valid_stream: the caller vouches that the write buffer is readable
 * (BINDER_WRITE_READ_VALID_BUFFERS), so it is copied without a check. */
static int write_read(struct binder_device *device, struct binderd_thread *thread, void *arg,
                      uint32_t extra_flags, bool valid_stream)
{
	const size_t header_size =
	        sizeof(struct binderd_request) + sizeof(struct binderd_write_read);
	struct binder_write_read *caller = arg, bwr;
	uint64_t write_left = 0, read_room = 0, write_consumed, read_consumed;
	size_t copy_size, send_size = 0;
	bool quiet = false;
	int status;

	/* Cheap guard: a NULL argument is -EFAULT as with the kernel. */
	if ((uintptr_t)arg < 4096)
		return -EFAULT;
	memcpy(&bwr, caller, sizeof(bwr));
	write_consumed = bwr.write_consumed;
	read_consumed = bwr.read_consumed;
	if (bwr.write_consumed < bwr.write_size)
		write_left = bwr.write_size - bwr.write_consumed;
	if (bwr.read_consumed < bwr.read_size)
		read_room = bwr.read_size - bwr.read_consumed;
	if (read_room > BINDERD_MAX_READ_SIZE)
		read_room = BINDERD_MAX_READ_SIZE;
	if (write_left == 0 && read_room == 0)
		return 0;
	copy_size = write_left < BINDERD_MAX_WRITE_SIZE ? write_left : BINDERD_MAX_WRITE_SIZE;

	status = send_write_read(device, thread, &bwr, copy_size, copy_size == write_left,
	                         read_room, true, extra_flags, valid_stream, &send_size, &quiet);
	/* An inline payload's pointer was bad and nothing left: again through
	 * the send area, whose copy notes the bad pointer, so that binderd
	 * fails that transaction as the kernel does (BR_FAILED_REPLY) and the
	 * rest goes through. (Not by direct reads: binderd's read through
	 * /proc/PID/mem would read a PROT_NONE page the caller cannot.) */
	if (status == -EFAULT)
		status = send_write_read(device, thread, &bwr, copy_size, copy_size == write_left,
		                         read_room, false, extra_flags, valid_stream, &send_size,
		                         &quiet);
	if (status)
		return status;
	uint8_t *stream = thread->request + header_size;
	if (quiet)
		bwr.write_consumed += send_size; /* all taken: see BINDERD_WR_QUIET */
	else
		status = receive_write_read(thread, &bwr, send_size, read_room);
	/* Frees first: a buffer freed and reused in this call is noted anew. */
	binder_fd_arrays_close_freed(device, stream, bwr.write_consumed - write_consumed);
	if (thread->fds_installed)
		binder_fd_arrays_note_read(
		        device, (const uint8_t *)(uintptr_t)(bwr.read_buffer + read_consumed),
		        bwr.read_consumed - read_consumed);
	caller->write_consumed = bwr.write_consumed;
	caller->read_consumed = bwr.read_consumed;
	return status;
}

int binderd_ioctl(struct binder_device *device, unsigned int cmd, void *arg)
{
	struct binderd_thread *thread;
	int status;

	/* Not a binder ioctl: the kernel driver says -EINVAL. */
	if (_IOC_TYPE(cmd) != 'b')
		return -EINVAL;
	status = binderd_thread_get(device, &thread);
	if (status)
		return status;
	if (cmd == BINDER_WRITE_READ)
		return write_read(device, thread, arg, 0, false);
	/* After BINDER_THREAD_EXIT binderd starts the thread afresh on the
	 * same channel, as the kernel makes a new binder_thread. */
	return plain_ioctl(thread, cmd, arg);
}

int binderd_write_read(struct binder_device *device, struct binder_write_read *bwr, unsigned hints)
{
	struct binderd_thread *thread;
	int status = binderd_thread_get(device, &thread);
	bool hold = (hints & BINDER_WRITE_READ_HOLD_COMPLETE) && device->hold_complete;

	if (status)
		return status;
	return write_read(device, thread, bwr, hold ? BINDERD_WR_HOLD_COMPLETE : 0,
	                  (hints & BINDER_WRITE_READ_VALID_BUFFERS) != 0);
}
