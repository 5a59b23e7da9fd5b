/*
 * control.h - binderd's control socket: a Unix socket next to the main one
 * (mode 0660) on which root, binderd's own uid and the members of an
 * optional control group read binderd's debug views (debug.h). One request
 * line per connection, "VIEW [json]\n"; the answer is the rendered view,
 * or one line starting "error: ", then binderd closes the connection.
 * Everyone else gets "error: permission denied". Runs on binderd's event
 * loop: nothing blocks, every wait and every queue is bounded.
 */
#ifndef BINDERD_CONTROL_H
#define BINDERD_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct event_base;

/* The suffix the default control socket adds to binderd's socket path. */
#define CONTROL_SOCKET_SUFFIX ".control"
/* Longest request line (without its newline). */
#define CONTROL_MAX_REQUEST 128u
/* Seconds a client has to send its request, and a slow reader to take
 * each part of the answer. */
#define CONTROL_REQUEST_TIMEOUT_SECONDS 5
#define CONTROL_WRITE_TIMEOUT_SECONDS   10
/* Control connections at once; more are refused. */
#define CONTROL_MAX_CONNECTIONS 8u

/* Parses a group name or a numeric gid into *gid. 0, or -EINVAL. */
int control_parse_group(const char *text, gid_t *gid);

/* Listens on path (a stale socket there is replaced, a live one is an
 * error) and serves requests on base. group: the control group, or NULL.
 * 0, or a negative errno code (the reason is logged). */
int control_start(struct event_base *base, const char *path, const gid_t *group);
/* Closes every control connection and the socket, and unlinks it. Safe to
 * call when control_start failed or was not called. */
void control_stop(void);

#endif
