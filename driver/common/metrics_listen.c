/* metrics_listen.c - parsing and printing the metrics listen address (see
 * metrics_listen.h). */
#include "metrics_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PORT_MAX        65535
#define PORT_MAX_DIGITS 5
/* Where a bare port listens. */
#define METRICS_LISTEN_DEFAULT_HOST "127.0.0.1"

static bool all_digits(const char *text)
{
	return text[0] != '\0' && strspn(text, "0123456789") == strlen(text);
}

/* A decimal port 0..65535. */
static int parse_port(const char *text, in_port_t *port)
{
	if (!all_digits(text) || strlen(text) > PORT_MAX_DIGITS)
		return -EINVAL;
	unsigned long value = strtoul(text, NULL, 10);
	if (value > PORT_MAX)
		return -EINVAL;
	*port = htons((in_port_t)value);
	return 0;
}

int metrics_listen_parse(const char *text, struct metrics_listen *out, char *error,
                         size_t error_size)
{
	struct metrics_listen parsed;
	memset(&parsed, 0, sizeof(parsed));
	if (all_digits(text)) {
		if (strlen(text) > PORT_MAX_DIGITS)
			goto bad_port;
		snprintf(parsed.text, sizeof(parsed.text), "%s:%s", METRICS_LISTEN_DEFAULT_HOST,
		         text);
	} else {
		if (strlen(text) > METRICS_LISTEN_MAX_TEXT)
			goto bad_address;
		snprintf(parsed.text, sizeof(parsed.text), "%s", text);
	}

	char host[METRICS_LISTEN_MAX_TEXT + 1];
	const char *port;
	if (parsed.text[0] == '[') {
		const char *close = strchr(parsed.text, ']');
		if (!close || close[1] != ':')
			goto bad_address;
		size_t length = (size_t)(close - parsed.text - 1);
		memcpy(host, parsed.text + 1, length);
		host[length] = '\0';
		port = close + 2;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&parsed.address;
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			goto bad_address;
		in6->sin6_family = AF_INET6;
		if (parse_port(port, &in6->sin6_port) != 0)
			goto bad_port;
		parsed.length = sizeof(*in6);
	} else {
		const char *colon = strrchr(parsed.text, ':');
		if (!colon)
			goto bad_address;
		size_t length = (size_t)(colon - parsed.text);
		memcpy(host, parsed.text, length);
		host[length] = '\0';
		port = colon + 1;
		struct sockaddr_in *in = (struct sockaddr_in *)&parsed.address;
		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			goto bad_address;
		in->sin_family = AF_INET;
		if (parse_port(port, &in->sin_port) != 0)
			goto bad_port;
		parsed.length = sizeof(*in);
	}
	*out = parsed;
	return 0;

bad_port:
	snprintf(error, error_size, "bad port (0..%d)", PORT_MAX);
	return -EINVAL;
bad_address:
	snprintf(error, error_size,
	         "bad address (expected PORT, IPV4:PORT or [IPV6]:PORT, numeric)");
	return -EINVAL;
}

void metrics_listen_format(const struct sockaddr_storage *address, char *text, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";
	if (address->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)address;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(text, size, "[%s]:%u", host, (unsigned)ntohs(in6->sin6_port));
	} else {
		const struct sockaddr_in *in = (const struct sockaddr_in *)address;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(text, size, "%s:%u", host, (unsigned)ntohs(in->sin_port));
	}
}
