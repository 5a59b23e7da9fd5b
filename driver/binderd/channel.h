/*
 * channel.h - one Unix stream connection between binderd and a process
 * (its process channel or one of its thread channels): non-blocking input
 * framed into requests with their SCM_RIGHTS fds, and output messages that
 * are queued (boundedly) when the peer does not read fast enough. A
 * channel whose peer leaves too much output unread is not read either
 * (backpressure) until the peer catches up; what it queues counts against
 * its uid's budget.
 */
#ifndef BINDERD_CHANNEL_H
#define BINDERD_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "binderd/socket_protocol.h"
#include "binderd_limits.h"
#include "uid_budget.h"

struct event;
struct event_base;

/* Where the channel layer runs: every channel's events and timers are
 * added to base, and after_event (NULL: none) is called after each event
 * a channel handled, for the owner's deferred work (binderd: wakeups,
 * closes, frees). Called once, before the first channel_open; the base
 * must outlive every channel. */
void channel_layer_init(struct event_base *base, void (*after_event)(void));

#define CHANNEL_MAX_QUEUED_FDS ((size_t)BINDERD_MAX_FDS_PER_MESSAGE * 2u)

struct channel;

struct channel_handlers {
	/* One complete request. fds are owned by the handler: it closes or
	 * keeps them (fd_count of them). */
	void (*on_request)(void *owner, const struct binderd_request *request,
	                   const uint8_t *payload, int *fds, size_t fd_count);
	/* The peer closed, or broke the protocol. Called once. */
	void (*on_close)(void *owner);
};

struct channel {
	int fd;
	void *owner;
	const struct channel_handlers *handlers;
	struct event *read_event;
	struct event *write_event;
	size_t max_payload;
	uint8_t *input;
	size_t input_length;
	size_t input_capacity;
	int queued_fds[CHANNEL_MAX_QUEUED_FDS];
	size_t queued_fd_count;
	/* output[output_sent, output_length) is queued, unsent */
	uint8_t *output;
	size_t output_length;
	size_t output_capacity;
	size_t output_sent;
	int output_fds[BINDERD_MAX_FDS_PER_MESSAGE]; /* ours, dup'ed */
	size_t output_fd_count;
	size_t output_fd_position; /* where in output they attach */
	bool closed;
	bool dispatching;
	bool close_pending;  /* on_close still to be called */
	pid_t only_sender;   /* with SO_PASSCRED: the one pid that may send */
	bool reading_paused; /* backpressure: read_event is off */
	/* the uid it counts against (channel_account_to) */
	bool accounted;
	uid_t uid;
	enum uid_resource slot;
	size_t output_charged;        /* unsent bytes charged to the uid */
	struct event *deadline_event; /* channel_set_deadline, or NULL */
	const char *deadline_why;
	struct channel *next_pending;
	/* channel_watch_sender: who, the bytes queued before it, and whom to tell */
	pid_t watched_sender;
	size_t watched_queued;
	void (*sender_seen)(void *context);
	void *sender_seen_context;
};

/* Takes ownership of fd (made non-blocking) and starts reading. On an
 * error (-errno) the caller keeps fd. */
int channel_open(struct channel *channel, int fd, size_t max_payload,
                 const struct channel_handlers *handlers, void *owner);
/* Counts the channel as one of uid's slot (UID_PROCS or UID_THREADS) and
 * its queued output against uid's budget, until it closes. 0, or -EDQUOT
 * when uid has no slot left (the channel is then not counted), -ENOMEM. */
int channel_account_to(struct channel *channel, uid_t uid, enum uid_resource slot);
/* Fails the channel (why) unless channel_clear_deadline is called within
 * seconds. 0 or -ENOMEM. */
int channel_set_deadline(struct channel *channel, unsigned seconds, const char *why);
void channel_clear_deadline(struct channel *channel);
/* Stops reading, closes fd and every fd still held, frees buffers. Safe to
 * call twice and from inside a handler. Does not call on_close. */
void channel_close(struct channel *channel);
/* Accepts requests only from the process pid (its tgid), checked on the
 * credentials the kernel attaches to each message (SO_PASSCRED). */
int channel_require_sender(struct channel *channel, pid_t pid);
/* Calls seen(context) once, on the first data that the process pid (its
 * tgid, from the credentials the kernel attaches: SO_PASSCRED) sent after
 * this call; what was queued before does not count. Until the channel
 * closes or channel_unwatch_sender. 0 or -errno. */
int channel_watch_sender(struct channel *channel, pid_t pid, void (*seen)(void *context),
                         void *context);
void channel_unwatch_sender(struct channel *channel);
/* Sends a message with up to BINDERD_MAX_FDS_PER_MESSAGE fds (the caller
 * keeps its fds: they are duplicated by the kernel on send). A message
 * that cannot go out at once is queued; -EPIPE when the channel is
 * closed, -ENOBUFS when the peer let too much pile up (CHANNEL_MAX_OUTPUT
 * unsent, or its uid's budget; the channel is then closed and on_close
 * called later). Above CHANNEL_OUTPUT_HIGH_WATER unsent bytes the channel
 * stops handing requests to its owner until the peer has read enough. */
int channel_send(struct channel *channel, uint32_t kind, int32_t status,
                 const struct iovec *payload, int payload_count, const int *fds, size_t fd_count);
/* Protocol error or broken peer: logs, closes, and calls on_close from
 * channel_run_pending_closes(), never from inside the caller. */
void channel_fail(struct channel *channel, const char *why);
/* Calls on_close for channels that failed; run after each event. */
void channel_run_pending_closes(void);

#endif
