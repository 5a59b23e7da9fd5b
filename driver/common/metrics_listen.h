/*
 * metrics_listen.h - where a daemon serves its Prometheus metrics
 * (binderd's --metrics; servicemanager's --metrics or [metrics] listen in
 * its policy file): the address syntax bridged's `[bridge] metrics` uses.
 * A bare port means 127.0.0.1:PORT (never
 * every interface unless the address says so); else IPV4:PORT or
 * [IPV6]:PORT, numeric. Port 0 asks the system for a free port (the one it
 * chose is logged when the server starts).
 */
#ifndef BINDER_METRICS_LISTEN_H
#define BINDER_METRICS_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

/* Longest address text accepted ("[v6]:port" fits). */
#define METRICS_LISTEN_MAX_TEXT 63

struct metrics_listen {
	struct sockaddr_storage address;
	socklen_t length;
	char text[METRICS_LISTEN_MAX_TEXT + 1]; /* as given (a bare port expanded) */
};

/* Parses text into *out. 0, or -EINVAL with a one-line reason (without the
 * text itself) in error. */
int metrics_listen_parse(const char *text, struct metrics_listen *out, char *error,
                         size_t error_size);

/* "ADDR:PORT" or "[ADDR]:PORT" of an IPv4 or IPv6 socket address. */
void metrics_listen_format(const struct sockaddr_storage *address, char *text, size_t size);

#endif
