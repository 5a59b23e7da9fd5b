/*
 * control.c - binderd's control socket (control.h): accepts a connection,
 * checks who is on the other end (SO_PEERCRED, SO_PEERGROUPS), reads one
 * request line, renders the debug view it names (debug.h) into the
 * connection's output and closes it once that is written. Each connection
 * is a bufferevent on binderd's loop, with a timeout on the request and
 * on every write; their number is capped.
 */
#include "control.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "binderd_limits.h"
#include "debug.h"
#include "log.h"
#include "ratelimit.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux 4.13 */
#endif

/* The control socket's mode: its owner and group only. */
#define CONTROL_SOCKET_MODE 0660
/* Until its group is set, the socket is its owner's only (mode 0600). */
#define CONTROL_SOCKET_BIRTH_UMASK 0177
/* Connections the kernel may queue before binderd accepts them. */
#define CONTROL_LISTEN_BACKLOG 16
/* Connections taken per wakeup of the listener. */
#define CONTROL_ACCEPT_BATCH 16
/* Supplementary groups read without allocating; more are allocated up to
 * the kernel's NGROUPS_MAX. */
#define CONTROL_INLINE_GROUPS 64
/* Unread input dropped before closing: at most this many chunks. */
#define CONTROL_DRAIN_CHUNK  4096
#define CONTROL_DRAIN_CHUNKS 16
/* The word after the view that asks for JSON. */
#define CONTROL_JSON_WORD "json"

struct control_connection {
	LIST_ENTRY(control_connection) entry;
	struct bufferevent *events;
};

static LIST_HEAD(, control_connection) connections = LIST_HEAD_INITIALIZER(connections);
static size_t connection_count;
static struct event_base *control_base;
static struct event *accept_event;
static struct event *accept_resume_event;
static int listener_fd = -1;
static char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static bool has_group;
static gid_t control_group;

int control_parse_group(const char *text, gid_t *gid)
{
	if (!text || !*text)
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long number = strtoul(text, &end, 10);
	if (*end == '\0' && text[0] != '-' && !errno && number < (gid_t)-1) {
		*gid = (gid_t)number;
		return 0;
	}
	struct group *entry = getgrnam(text);
	if (!entry)
		return -EINVAL;
	*gid = entry->gr_gid;
	return 0;
}

/* Reads and drops what the client sent that binderd did not read (a
 * bounded amount): closing a Unix socket with unread input resets it, and
 * the client could lose the answer it has not read yet. */
static void drain_input(int fd)
{
	char scratch[CONTROL_DRAIN_CHUNK];
	for (int i = 0; i < CONTROL_DRAIN_CHUNKS; i++)
		if (recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT) <= 0)
			break;
}

/* ---- who may read ---- */

/* Whether the peer of fd has the control group among its supplementary
 * groups. */
static bool peer_in_group(int fd)
{
	gid_t inline_groups[CONTROL_INLINE_GROUPS];
	gid_t *groups = inline_groups;
	socklen_t length = sizeof(inline_groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &length) < 0) {
		if (errno != ERANGE || length > NGROUPS_MAX * sizeof(gid_t))
			return false;
		groups = malloc(length);
		if (!groups || getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &length) < 0) {
			free(groups);
			return false;
		}
	}
	bool found = false;
	for (size_t i = 0; i < length / sizeof(gid_t) && !found; i++)
		found = groups[i] == control_group;
	if (groups != inline_groups)
		free(groups);
	return found;
}

/* Root, binderd's own uid, or a member of the control group. */
static bool peer_allowed(int fd, struct ucred *credentials)
{
	socklen_t length = sizeof(*credentials);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, credentials, &length) < 0 ||
	    length != sizeof(*credentials))
		return false;
	if (credentials->uid == 0 || credentials->uid == geteuid())
		return true;
	if (!has_group)
		return false;
	return credentials->gid == control_group || peer_in_group(fd);
}

/* One short line on a fresh non-blocking socket: it fits the socket's
 * buffer, and if it does not the peer loses nothing it may read. */
static void refuse(int fd, const char *line)
{
	ssize_t ignored = send(fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)ignored;
	drain_input(fd);
	close(fd);
}

/* ---- one connection ---- */

static void connection_free(struct control_connection *connection)
{
	LIST_REMOVE(connection, entry);
	connection_count--;
	bufferevent_free(connection->events);
	free(connection);
}

static void on_event(struct bufferevent *events, short what, void *arg)
{
	(void)events;
	struct control_connection *connection = arg;
	if (what & BEV_EVENT_TIMEOUT)
		log_debug("control: a client was too slow (%s)",
		          what & BEV_EVENT_READING ? "request" : "answer");
	connection_free(connection);
}

/* The answer is written: done (see drain_input). */
static void on_written(struct bufferevent *events, void *arg)
{
	drain_input(bufferevent_getfd(events));
	connection_free(arg);
}

/* Stops reading and closes the connection once out is written. */
static void finish(struct control_connection *connection)
{
	bufferevent_disable(connection->events, EV_READ);
	bufferevent_setcb(connection->events, NULL, on_written, on_event, connection);
	if (evbuffer_get_length(bufferevent_get_output(connection->events)) == 0)
		connection_free(connection);
}

static void answer_error(struct control_connection *connection, const char *message)
{
	struct evbuffer *out = bufferevent_get_output(connection->events);
	evbuffer_drain(out, evbuffer_get_length(out));
	if (evbuffer_add_printf(out, "error: %s\n", message) < 0) {
		connection_free(connection);
		return;
	}
	finish(connection);
}

/* "VIEW" or "VIEW json": 0, or -EINVAL. */
static int parse_request(char *line, enum debug_view *view, bool *json)
{
	char *save = NULL;
	char *name = strtok_r(line, " \t", &save);
	char *option = strtok_r(NULL, " \t", &save);
	if (!name || strtok_r(NULL, " \t", &save))
		return -EINVAL;
	*json = false;
	if (option) {
		if (strcmp(option, CONTROL_JSON_WORD) != 0)
			return -EINVAL;
		*json = true;
	}
	return debug_view_from_name(name, view);
}

static void handle_request(struct control_connection *connection, char *line)
{
	size_t length = strlen(line);
	if (length && line[length - 1] == '\r')
		line[--length] = '\0';
	enum debug_view view;
	bool json;
	if (parse_request(line, &view, &json) < 0) {
		answer_error(connection,
		             "bad request: want VIEW [json], VIEW one of state, stats, "
		             "transactions, transaction_log (log), failed_transaction_log "
		             "(failed)");
		return;
	}
	struct evbuffer *out = bufferevent_get_output(connection->events);
	if (debug_render(view, json, out) < 0) {
		answer_error(connection, "out of memory");
		return;
	}
	log_debug("control: sent %s%s", debug_view_name(view), json ? " (json)" : "");
	finish(connection);
}

static void on_request(struct bufferevent *events, void *arg)
{
	struct control_connection *connection = arg;
	struct evbuffer *in = bufferevent_get_input(events);
	size_t length;
	char *line = evbuffer_readln(in, &length, EVBUFFER_EOL_LF);
	if (!line) {
		if (evbuffer_get_length(in) > CONTROL_MAX_REQUEST)
			answer_error(connection, "request too long");
		return;
	}
	if (length > CONTROL_MAX_REQUEST)
		answer_error(connection, "request too long");
	else if (memchr(line, '\0', length))
		answer_error(connection, "bad request: a NUL byte");
	else
		handle_request(connection, line);
	free(line);
}

static void serve(int fd)
{
	struct control_connection *connection = calloc(1, sizeof(*connection));
	struct bufferevent *events =
	        connection ? bufferevent_socket_new(control_base, fd, BEV_OPT_CLOSE_ON_FREE) : NULL;
	if (!events) {
		free(connection);
		refuse(fd, "error: out of memory\n");
		return;
	}
	connection->events = events;
	LIST_INSERT_HEAD(&connections, connection, entry);
	connection_count++;
	struct timeval request_timeout = {.tv_sec = CONTROL_REQUEST_TIMEOUT_SECONDS};
	struct timeval write_timeout = {.tv_sec = CONTROL_WRITE_TIMEOUT_SECONDS};
	bufferevent_set_timeouts(events, &request_timeout, &write_timeout);
	/* Read no more than one request (and its line end) at a time. */
	bufferevent_setwatermark(events, EV_READ, 0, CONTROL_MAX_REQUEST + 2);
	bufferevent_setcb(events, on_request, NULL, on_event, connection);
	if (bufferevent_enable(events, EV_READ) < 0)
		connection_free(connection);
}

/* ---- the listener ---- */

static void on_accept_resume(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (event_add(accept_event, NULL) < 0)
		log_error("control: cannot watch the control socket");
}

static void on_accept(evutil_socket_t listener, short what, void *arg)
{
	(void)what;
	(void)arg;
	static struct ratelimit failures, refusals;
	unsigned long suppressed;
	for (int i = 0; i < CONTROL_ACCEPT_BATCH; i++) {
		int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			int error = errno;
			if (error == EAGAIN || error == EINTR || error == ECONNABORTED)
				return;
			if (ratelimit_allow(&failures, &suppressed))
				log_warning("control: accept: %s (%lu more failures not shown)",
				            strerror(error), suppressed);
			/* Out of fds or memory: rest instead of spinning. */
			struct timeval pause = {.tv_usec = (suseconds_t)BINDERD_ACCEPT_PAUSE_MS *
			                                   1000};
			event_del(accept_event);
			if (evtimer_add(accept_resume_event, &pause) < 0)
				on_accept_resume(-1, 0, NULL);
			return;
		}
		struct ucred credentials = {.pid = 0};
		if (!peer_allowed(fd, &credentials)) {
			if (ratelimit_allow(&refusals, &suppressed))
				log_warning("control: refused uid %u (pid %d): not root, binderd's "
				            "uid or in the control group (%lu more refusals not "
				            "shown)",
				            (unsigned)credentials.uid, (int)credentials.pid,
				            suppressed);
			refuse(fd, "error: permission denied\n");
			continue;
		}
		if (connection_count >= CONTROL_MAX_CONNECTIONS) {
			refuse(fd, "error: too many control connections, try again\n");
			continue;
		}
		serve(fd);
	}
}

/* Replaces a stale socket at address; -EADDRINUSE when a live one
 * answers, -EEXIST when something else is there. */
static int clear_stale_socket(const struct sockaddr_un *address)
{
	struct stat status;
	if (lstat(address->sun_path, &status) < 0)
		return 0;
	if (!S_ISSOCK(status.st_mode))
		return -EEXIST;
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 && connect(probe, (const struct sockaddr *)address, sizeof(*address)) == 0) {
		close(probe);
		return -EADDRINUSE;
	}
	if (probe >= 0)
		close(probe);
	unlink(address->sun_path);
	return 0;
}

/* A listening socket at path, mode 0660, group control_group if set (else
 * binderd's egid). */
static int listen_at(const char *path)
{
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(address.sun_path))
		return -ENAMETOOLONG;
	strcpy(address.sun_path, path);
	int status = clear_stale_socket(&address);
	if (status < 0)
		return status;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Born 0600: nobody else may connect before the group is set. */
	mode_t old_mask = umask(CONTROL_SOCKET_BIRTH_UMASK);
	int bound = bind(fd, (struct sockaddr *)&address, sizeof(address));
	umask(old_mask);
	if (bound < 0) {
		status = -errno;
		close(fd);
		return status;
	}
	/* The group: the control group, else binderd's own (not the
	 * directory's, should it be setgid). */
	gid_t group = has_group ? control_group : getegid();
	if (chown(path, (uid_t)-1, group) < 0 || chmod(path, CONTROL_SOCKET_MODE) < 0 ||
	    listen(fd, CONTROL_LISTEN_BACKLOG) < 0) {
		status = -errno;
		unlink(path);
		close(fd);
		return status;
	}
	return fd;
}

int control_start(struct event_base *base, const char *path, const gid_t *group)
{
	control_base = base;
	has_group = group != NULL;
	if (group)
		control_group = *group;
	int fd = listen_at(path);
	if (fd < 0) {
		log_error("cannot listen on the control socket %s: %s", path, strerror(-fd));
		return fd;
	}
	listener_fd = fd;
	snprintf(socket_path, sizeof(socket_path), "%s", path);
	accept_event = event_new(base, fd, EV_READ | EV_PERSIST, on_accept, NULL);
	accept_resume_event = evtimer_new(base, on_accept_resume, NULL);
	if (!accept_event || !accept_resume_event || event_add(accept_event, NULL) < 0) {
		log_error("cannot watch the control socket %s", path);
		control_stop();
		return -ENOMEM;
	}
	if (has_group)
		log_info("control socket on %s (root, uid %u and group %u)", path,
		         (unsigned)geteuid(), (unsigned)control_group);
	else
		log_info("control socket on %s (root and uid %u)", path, (unsigned)geteuid());
	return 0;
}

void control_stop(void)
{
	while (!LIST_EMPTY(&connections))
		connection_free(LIST_FIRST(&connections));
	if (accept_event)
		event_free(accept_event);
	if (accept_resume_event)
		event_free(accept_resume_event);
	accept_event = NULL;
	accept_resume_event = NULL;
	if (listener_fd >= 0) {
		close(listener_fd);
		unlink(socket_path);
	}
	listener_fd = -1;
}
