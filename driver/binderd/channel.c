/*
 * channel.c - framing of binderd's Unix stream connections: requests in
 * (with their SCM_RIGHTS fds), messages out (queued when the peer is slow).
 *
 * Output goes straight to the socket when nothing is queued. What the
 * socket does not take is queued in one buffer that grows geometrically
 * and drops its sent prefix; queued bytes count against the channel's cap
 * and its uid's budget. Above CHANNEL_OUTPUT_HIGH_WATER queued bytes the
 * channel's requests are not read (nor those already read dispatched)
 * until the peer has read it down to CHANNEL_OUTPUT_LOW_WATER.
 */
#include "channel.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bug_on.h"
#include "log.h"
#include "ratelimit.h"

/* Smallest output buffer, and the largest one kept once drained. */
#define OUTPUT_MIN_CAPACITY  4096u
#define OUTPUT_KEEP_CAPACITY (64u << 10)

/* Set once by channel_layer_init. */
static struct event_base *channel_base;
static void (*channel_after_event)(void);

static void channel_on_readable(evutil_socket_t fd, short events, void *arg);

void channel_layer_init(struct event_base *base, void (*after_event)(void))
{
	channel_base = base;
	channel_after_event = after_event;
}

static void run_after_event(void)
{
	if (channel_after_event)
		channel_after_event();
}

static void channel_on_writable(evutil_socket_t fd, short events, void *arg);
static void dispatch(struct channel *channel);

int channel_open(struct channel *channel, int fd, size_t max_payload,
                 const struct channel_handlers *handlers, void *owner)
{
	memset(channel, 0, sizeof(*channel));
	channel->fd = fd;
	channel->owner = owner;
	channel->handlers = handlers;
	channel->max_payload = max_payload;
	int error = 0;
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		error = -errno;
	channel->input_capacity = 4096;
	channel->input = malloc(channel->input_capacity);
	channel->read_event =
	        event_new(channel_base, fd, EV_READ | EV_PERSIST, channel_on_readable, channel);
	channel->write_event =
	        event_new(channel_base, fd, EV_WRITE | EV_PERSIST, channel_on_writable, channel);
	if (!error && (!channel->input || !channel->read_event || !channel->write_event))
		error = -ENOMEM;
	/* epoll refuses what it cannot watch (a regular file, say). */
	if (!error && event_add(channel->read_event, NULL) < 0)
		error = -EINVAL;
	if (error) {
		channel->fd = -1; /* the caller keeps it */
		channel_close(channel);
	}
	return error;
}

int channel_account_to(struct channel *channel, uid_t uid, enum uid_resource slot)
{
	if (channel->accounted || channel->closed)
		return -EINVAL;
	int error = uid_budget_charge(uid, slot, 1);
	if (error)
		return error;
	size_t queued = channel->output_length - channel->output_sent;
	error = uid_budget_charge(uid, UID_QUEUED_OUTPUT, queued);
	if (error) {
		uid_budget_release(uid, slot, 1);
		return error;
	}
	channel->accounted = true;
	channel->uid = uid;
	channel->slot = slot;
	channel->output_charged = queued;
	return 0;
}

static void channel_on_deadline(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	struct channel *channel = arg;
	channel_fail(channel, channel->deadline_why);
	run_after_event();
}

int channel_set_deadline(struct channel *channel, unsigned seconds, const char *why)
{
	if (channel->closed)
		return -EPIPE;
	if (!channel->deadline_event) {
		channel->deadline_event = evtimer_new(channel_base, channel_on_deadline, channel);
		if (!channel->deadline_event)
			return -ENOMEM;
	}
	channel->deadline_why = why;
	struct timeval after = {.tv_sec = (time_t)seconds};
	if (evtimer_add(channel->deadline_event, &after) < 0) {
		channel_clear_deadline(channel);
		return -ENOMEM;
	}
	return 0;
}

void channel_clear_deadline(struct channel *channel)
{
	if (channel->deadline_event)
		event_free(channel->deadline_event);
	channel->deadline_event = NULL;
}

static void close_fds(int *fds, size_t count)
{
	for (size_t i = 0; i < count; i++)
		close(fds[i]);
}

static struct channel *pending_closes;

static void forget_pending_close(struct channel *channel)
{
	if (!channel->close_pending)
		return;
	for (struct channel **link = &pending_closes; *link; link = &(*link)->next_pending) {
		if (*link == channel) {
			*link = channel->next_pending;
			break;
		}
	}
	channel->close_pending = false;
}

void channel_run_pending_closes(void)
{
	while (pending_closes) {
		struct channel *channel = pending_closes;
		pending_closes = channel->next_pending;
		channel->close_pending = false;
		channel->handlers->on_close(channel->owner);
	}
}

void channel_close(struct channel *channel)
{
	forget_pending_close(channel);
	if (channel->closed)
		return;
	channel->closed = true;
	if (channel->read_event)
		event_free(channel->read_event);
	if (channel->write_event)
		event_free(channel->write_event);
	channel->read_event = channel->write_event = NULL;
	channel_clear_deadline(channel);
	channel_unwatch_sender(channel);
	if (channel->accounted) {
		uid_budget_release(channel->uid, channel->slot, 1);
		uid_budget_release(channel->uid, UID_QUEUED_OUTPUT, channel->output_charged);
		channel->accounted = false;
		channel->output_charged = 0;
	}
	if (channel->fd >= 0)
		close(channel->fd);
	channel->fd = -1;
	close_fds(channel->queued_fds, channel->queued_fd_count);
	channel->queued_fd_count = 0;
	close_fds(channel->output_fds, channel->output_fd_count);
	channel->output_fd_count = 0;
	free(channel->input);
	channel->input = NULL;
	free(channel->output);
	channel->output = NULL;
	channel->output_length = channel->output_sent = channel->output_capacity = 0;
}

/* Warnings a peer can cause by the thousand go out at a bounded rate. */
static void warn_closing(const char *why, const char *detail)
{
	static struct ratelimit limit;
	unsigned long suppressed;
	if (!ratelimit_allow(&limit, &suppressed))
		return;
	if (suppressed)
		log_warning("closing a channel: %s%s%s (and %lu more channels closed)", why,
		            detail ? ": " : "", detail ? detail : "", suppressed);
	else
		log_warning("closing a channel: %s%s%s", why, detail ? ": " : "",
		            detail ? detail : "");
}

/* An I/O error: a peer that went away is ordinary, anything else is
 * worth a warning. */
static void channel_broken(struct channel *channel, int error, const char *what)
{
	if (channel->closed)
		return;
	if (error == EPIPE || error == ECONNRESET)
		log_debug("channel closed by its peer (%s)", what);
	else
		warn_closing(what, strerror(error));
	channel_close(channel);
	channel->close_pending = true;
	channel->next_pending = pending_closes;
	pending_closes = channel;
}

void channel_fail(struct channel *channel, const char *why)
{
	if (channel->closed)
		return;
	warn_closing(why, NULL);
	channel_close(channel);
	channel->close_pending = true;
	channel->next_pending = pending_closes;
	pending_closes = channel;
}

int channel_require_sender(struct channel *channel, pid_t pid)
{
	int on = 1;
	if (setsockopt(channel->fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0)
		return -errno;
	channel->only_sender = pid;
	return 0;
}

int channel_watch_sender(struct channel *channel, pid_t pid, void (*seen)(void *context),
                         void *context)
{
	if (channel->closed || pid <= 0)
		return -EINVAL;
	/* With SO_PASSCRED one read never joins data of two senders. */
	int on = 1;
	if (setsockopt(channel->fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0)
		return -errno;
	int queued = 0;
	if (ioctl(channel->fd, SIOCINQ, &queued) < 0 || queued < 0)
		return -errno;
	channel->watched_sender = pid;
	channel->watched_queued = (size_t)queued;
	channel->sender_seen = seen;
	channel->sender_seen_context = context;
	return 0;
}

void channel_unwatch_sender(struct channel *channel)
{
	channel->watched_sender = 0;
	channel->watched_queued = 0;
	channel->sender_seen = NULL;
	channel->sender_seen_context = NULL;
}

/* After a read of size bytes that sender sent: tells the watcher when it
 * is the watched process, and the data is newer than the watch. */
static void note_sender(struct channel *channel, pid_t sender, size_t size)
{
	if (!channel->sender_seen)
		return;
	bool seen = sender == channel->watched_sender && size > channel->watched_queued;
	channel->watched_queued -= size < channel->watched_queued ? size : channel->watched_queued;
	if (!seen)
		return;
	void (*tell)(void *) = channel->sender_seen;
	void *context = channel->sender_seen_context;
	channel_unwatch_sender(channel);
	tell(context);
}

/* Takes the fds that arrived with a recvmsg into the queue; *sender is
 * the sender's pid when the kernel attached credentials, else 0. */
static int take_fds(struct channel *channel, struct msghdr *message, pid_t *sender)
{
	int result = 0;
	bool credentials_seen = false;
	*sender = 0;
	for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(message); cmsg;
	     cmsg = CMSG_NXTHDR(message, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_CREDENTIALS) {
			struct ucred credentials;
			memcpy(&credentials, CMSG_DATA(cmsg), sizeof(credentials));
			credentials_seen = true;
			*sender = credentials.pid;
			if (channel->only_sender && credentials.pid != channel->only_sender)
				result = -EPERM;
			continue;
		}
		if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int fds[BINDERD_MAX_FDS_PER_MESSAGE * 2];
		if (count > sizeof(fds) / sizeof(fds[0]))
			count = sizeof(fds) / sizeof(fds[0]);
		memcpy(fds, CMSG_DATA(cmsg), count * sizeof(int));
		for (size_t i = 0; i < count; i++) {
			if (channel->queued_fd_count < CHANNEL_MAX_QUEUED_FDS)
				channel->queued_fds[channel->queued_fd_count++] = fds[i];
			else {
				close(fds[i]);
				result = -EMFILE;
			}
		}
	}
	if (message->msg_flags & MSG_CTRUNC)
		result = -EMFILE;
	if (channel->only_sender && !credentials_seen)
		result = -EPERM;
	return result;
}

static bool header_valid(const struct channel *channel, const struct binderd_request *request)
{
	return request->op >= BINDERD_OP_HELLO && request->op <= BINDERD_OP_KILL_NODE &&
	       request->payload_size <= channel->max_payload &&
	       request->fd_count <= BINDERD_MAX_FDS_PER_MESSAGE && request->reserved == 0;
}

/* Makes the input buffer large enough for the whole request whose header
 * is at its start. 0 or -ENOMEM. A header that is not valid is left for
 * dispatch to refuse: its payload_size may claim up to 4 GiB, and
 * dispatch may have stopped (reading paused) before looking at it. */
static int grow_input(struct channel *channel)
{
	if (channel->input_length < sizeof(struct binderd_request))
		return 0;
	struct binderd_request request;
	memcpy(&request, channel->input, sizeof(request));
	if (!header_valid(channel, &request))
		return 0;
	size_t total = sizeof(request) + request.payload_size;
	if (total <= channel->input_capacity)
		return 0;
	uint8_t *bigger = realloc(channel->input, total);
	if (!bigger)
		return -ENOMEM;
	channel->input = bigger;
	channel->input_capacity = total;
	return 0;
}

/* Hands every complete request in the input buffer to the owner. */
static void dispatch(struct channel *channel)
{
	size_t position = 0;
	channel->dispatching = true;
	while (!channel->closed && !channel->reading_paused &&
	       channel->input_length - position >= sizeof(struct binderd_request)) {
		struct binderd_request request;
		memcpy(&request, channel->input + position, sizeof(request));
		if (!header_valid(channel, &request)) {
			channel->dispatching = false;
			channel_fail(channel, "malformed request header");
			return;
		}
		size_t total = sizeof(request) + request.payload_size;
		if (channel->input_length - position < total)
			break; /* the buffer grows for it below */
		if (request.fd_count > channel->queued_fd_count) {
			channel->dispatching = false;
			channel_fail(channel, "request announces fds it did not send");
			return;
		}
		int fds[BINDERD_MAX_FDS_PER_MESSAGE];
		memcpy(fds, channel->queued_fds, request.fd_count * sizeof(int));
		channel->queued_fd_count -= request.fd_count;
		memmove(channel->queued_fds, channel->queued_fds + request.fd_count,
		        channel->queued_fd_count * sizeof(int));
		position += total;
		channel->handlers->on_request(channel->owner, &request,
		                              channel->input + position - request.payload_size, fds,
		                              request.fd_count);
	}
	channel->dispatching = false;
	if (channel->closed)
		return;
	if (position > 0) {
		memmove(channel->input, channel->input + position,
		        channel->input_length - position);
		channel->input_length -= position;
	}
	if (grow_input(channel) < 0)
		channel_fail(channel, "out of memory");
}

static void channel_on_readable(evutil_socket_t fd, short events, void *arg)
{
	(void)events;
	struct channel *channel = arg;
	union {
		char buffer[CMSG_SPACE(sizeof(int) * BINDERD_MAX_FDS_PER_MESSAGE * 2) +
		            CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {channel->input + channel->input_length,
	                    channel->input_capacity - channel->input_length};
	struct msghdr message = {.msg_iov = &iov,
	                         .msg_iovlen = 1,
	                         .msg_control = control.buffer,
	                         .msg_controllen = sizeof(control.buffer)};
	ssize_t got = recvmsg(fd, &message, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (got < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		channel_broken(channel, errno, "receive");
		run_after_event();
		return;
	}
	pid_t sender;
	int taken = take_fds(channel, &message, &sender);
	if (taken == -EPERM && got > 0) {
		channel_fail(channel, "a request from another process");
		run_after_event();
		return;
	}
	if (taken < 0 && got > 0) {
		channel_fail(channel, "too many fds");
		run_after_event();
		return;
	}
	if (got == 0) {
		channel_close(channel);
		channel->handlers->on_close(channel->owner);
		run_after_event();
		return;
	}
	channel->input_length += (size_t)got;
	note_sender(channel, sender, (size_t)got);
	dispatch(channel);
	run_after_event();
}

/* Puts fds on a message as SCM_RIGHTS; control has room for them. */
static void attach_fds(struct msghdr *message, char *control, const int *fds, size_t count)
{
	message->msg_control = control;
	message->msg_controllen = CMSG_SPACE(sizeof(int) * count);
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(message);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int) * count);
	memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * count);
}

static size_t output_queued(const struct channel *channel)
{
	return channel->output_length - channel->output_sent;
}

/* Gives the uid back what it was charged beyond the bytes queued now. */
static void release_output_charge(struct channel *channel)
{
	size_t queued = output_queued(channel);
	if (!channel->accounted || channel->output_charged <= queued)
		return;
	uid_budget_release(channel->uid, UID_QUEUED_OUTPUT, channel->output_charged - queued);
	channel->output_charged = queued;
}

/* Makes room for size more queued bytes: 0, -ENOBUFS over the channel's
 * cap, -EDQUOT over its uid's budget, -ENOMEM. */
static int reserve_output(struct channel *channel, size_t size)
{
	size_t queued = output_queued(channel);
	if (size > CHANNEL_MAX_OUTPUT - queued)
		return -ENOBUFS;
	if (channel->accounted && queued + size > channel->output_charged) {
		if (uid_budget_charge(channel->uid, UID_QUEUED_OUTPUT,
		                      queued + size - channel->output_charged) < 0)
			return -EDQUOT;
		channel->output_charged = queued + size;
	}
	if (channel->output_length + size <= channel->output_capacity)
		return 0;
	/* Drop the sent prefix in place when it is at least as large as what
	 * moves (so each byte moves at most once per byte sent), or into a
	 * buffer twice as large. */
	if (queued + size <= channel->output_capacity && channel->output_sent >= queued) {
		memmove(channel->output, channel->output + channel->output_sent, queued);
	} else {
		size_t capacity = channel->output_capacity * 2;
		if (capacity < OUTPUT_MIN_CAPACITY)
			capacity = OUTPUT_MIN_CAPACITY;
		if (capacity < queued + size)
			capacity = queued + size;
		uint8_t *bigger = malloc(capacity);
		if (!bigger)
			return -ENOMEM;
		if (queued)
			memcpy(bigger, channel->output + channel->output_sent, queued);
		free(channel->output);
		channel->output = bigger;
		channel->output_capacity = capacity;
	}
	if (channel->output_fd_count > 0)
		channel->output_fd_position -= channel->output_sent;
	channel->output_length = queued;
	channel->output_sent = 0;
	return 0;
}

static void pause_reading(struct channel *channel)
{
	if (channel->reading_paused || output_queued(channel) <= CHANNEL_OUTPUT_HIGH_WATER)
		return;
	channel->reading_paused = true;
	event_del(channel->read_event);
	log_debug("channel %d: peer does not read, %zu bytes queued: reading paused", channel->fd,
	          output_queued(channel));
}

/* The peer caught up: requests already read go first, then the socket. */
static void resume_reading(struct channel *channel)
{
	channel->reading_paused = false;
	log_debug("channel %d: reading resumed", channel->fd);
	dispatch(channel);
	if (channel->closed || channel->reading_paused)
		return;
	if (event_add(channel->read_event, NULL) < 0)
		channel_fail(channel, "cannot watch the channel");
}

/* Why reserve_output failed, for the log. */
static const char *output_error(int error)
{
	switch (error) {
	case -ENOBUFS:
		return "peer does not read its messages";
	case -EDQUOT:
		return "its uid's queued output is over budget";
	default:
		return "out of memory";
	}
}

/* Queues bytes (behind what is queued; room reserved). */
static void append_output(struct channel *channel, const void *bytes, size_t size)
{
	memcpy(channel->output + channel->output_length, bytes, size);
	channel->output_length += size;
}

/* Sends what is queued. Returns 0, or -errno on a broken connection. */
static int flush(struct channel *channel)
{
	while (channel->output_sent < channel->output_length) {
		size_t end = channel->output_length;
		bool attach = channel->output_fd_count > 0 &&
		              channel->output_sent == channel->output_fd_position;
		if (channel->output_fd_count > 0 &&
		    channel->output_sent < channel->output_fd_position)
			end = channel->output_fd_position;
		struct iovec iov = {channel->output + channel->output_sent,
		                    end - channel->output_sent};
		union {
			char buffer[CMSG_SPACE(sizeof(int) * BINDERD_MAX_FDS_PER_MESSAGE)];
			struct cmsghdr align;
		} control;
		struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1};
		if (attach)
			attach_fds(&message, control.buffer, channel->output_fds,
			           channel->output_fd_count);
		ssize_t sent = sendmsg(channel->fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		if (attach) {
			close_fds(channel->output_fds, channel->output_fd_count);
			channel->output_fd_count = 0;
		}
		channel->output_sent += (size_t)sent;
	}
	if (channel->output_sent == channel->output_length) {
		channel->output_sent = channel->output_length = 0;
		if (channel->output_capacity > OUTPUT_KEEP_CAPACITY) {
			free(channel->output);
			channel->output = NULL;
			channel->output_capacity = 0;
		}
		event_del(channel->write_event);
	} else if (event_add(channel->write_event, NULL) < 0) {
		return -EIO;
	}
	release_output_charge(channel);
	return 0;
}

static void channel_on_writable(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	struct channel *channel = arg;
	int error = flush(channel);
	if (error < 0)
		channel_broken(channel, -error, "send");
	else if (channel->reading_paused && output_queued(channel) <= CHANNEL_OUTPUT_LOW_WATER)
		resume_reading(channel);
	run_after_event();
}

/* Keeps dups of a message's fds until its first byte goes out. */
static int hold_output_fds(struct channel *channel, const int *fds, size_t fd_count)
{
	for (size_t i = 0; i < fd_count; i++) {
		channel->output_fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 0);
		if (channel->output_fds[i] < 0) {
			close_fds(channel->output_fds, i);
			return -EMFILE;
		}
	}
	channel->output_fd_count = fd_count;
	channel->output_fd_position = channel->output_length;
	return 0;
}

/* A message's parts: its header, then at most this many payload parts. */
#define MESSAGE_MAX_PAYLOAD_PARTS 7

/* Fast path, with nothing queued: straight to the socket. Returns the
 * bytes the socket took (fds go with the first one), or -EPIPE when the
 * connection broke. */
static ssize_t send_now(struct channel *channel, struct iovec *iov, int iov_count, const int *fds,
                        size_t fd_count)
{
	union {
		char buffer[CMSG_SPACE(sizeof(int) * BINDERD_MAX_FDS_PER_MESSAGE)];
		struct cmsghdr align;
	} control;
	struct msghdr message = {.msg_iov = iov, .msg_iovlen = (size_t)iov_count};
	if (fd_count > 0)
		attach_fds(&message, control.buffer, fds, fd_count);
	ssize_t sent;
	do
		sent = sendmsg(channel->fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (sent < 0 && errno == EINTR);
	if (sent >= 0)
		return sent;
	if (errno == EAGAIN)
		return 0;
	channel_broken(channel, errno, "send");
	return -EPIPE;
}

/* Queues what the socket did not take (skip bytes of iov went out), with
 * the fds if they did not go out yet; the socket gets watched. Returns 0,
 * or -EPIPE / -ENOBUFS as channel_send, the channel failed. */
static int queue_output(struct channel *channel, const struct iovec *iov, int iov_count,
                        size_t skip, const int *fds, size_t fd_count, bool was_empty)
{
	size_t total = 0;
	for (int i = 0; i < iov_count; i++)
		total += iov[i].iov_len;
	int error = reserve_output(channel, total - skip);
	if (error == 0 && fd_count > 0 && hold_output_fds(channel, fds, fd_count) < 0) {
		channel_fail(channel, "out of fds");
		return -EPIPE;
	}
	if (error < 0) {
		channel_fail(channel, output_error(error));
		return error == -ENOMEM ? -EPIPE : -ENOBUFS;
	}
	for (int i = 0; i < iov_count; i++) {
		size_t length = iov[i].iov_len;
		if (skip >= length) {
			skip -= length;
			continue;
		}
		append_output(channel, (const uint8_t *)iov[i].iov_base + skip, length - skip);
		skip = 0;
	}
	/* Something queued before has the socket watched already. */
	if (was_empty && event_add(channel->write_event, NULL) < 0) {
		channel_fail(channel, "cannot watch the channel");
		return -EPIPE;
	}
	pause_reading(channel);
	return 0;
}

int channel_send(struct channel *channel, uint32_t kind, int32_t status,
                 const struct iovec *payload, int payload_count, const int *fds, size_t fd_count)
{
	if (channel->closed)
		return -EPIPE;
	if (payload_count > MESSAGE_MAX_PAYLOAD_PARTS)
		return -EINVAL;
	if (BINDER_BUG_ON(fd_count > BINDERD_MAX_FDS_PER_MESSAGE))
		return -EINVAL;
	struct binderd_message header = {
	        .kind = kind, .status = status, .fd_count = (uint32_t)fd_count};
	struct iovec iov[MESSAGE_MAX_PAYLOAD_PARTS + 1] = {{&header, sizeof(header)}};
	size_t payload_size = 0;
	for (int i = 0; i < payload_count; i++) {
		payload_size += payload[i].iov_len;
		iov[i + 1] = payload[i];
	}
	header.payload_size = (uint32_t)payload_size;
	int iov_count = payload_count + 1;

	size_t skip = 0; /* bytes the socket took already */
	bool was_empty = channel->output_length == 0;
	if (was_empty) {
		ssize_t sent = send_now(channel, iov, iov_count, fds, fd_count);
		if (sent < 0)
			return (int)sent;
		if ((size_t)sent == sizeof(header) + payload_size)
			return 0;
		/* Queue the rest. fds went out with the first byte if any did. */
		skip = (size_t)sent;
		if (skip > 0)
			fd_count = 0;
	} else if (fd_count > 0 && channel->output_fd_count > 0) {
		/* Only one message's fds can wait at a time. */
		channel_fail(channel, output_error(-ENOBUFS));
		return -ENOBUFS;
	}
	return queue_output(channel, iov, iov_count, skip, fds, fd_count, was_empty);
}
