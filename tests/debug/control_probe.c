/*
 * control_probe.c - the control socket's own rules, for debug_test.sh's
 * "protocol" mode: control_probe CONTROL_PATH
 *   - with MAX_CONNECTIONS idle connections open, one more is refused
 *     ("error: too many control connections");
 *   - an idle connection is closed by binderd (its request timeout), within
 *     a bounded wait;
 *   - a request longer than the limit, a bad view and a bad option are
 *     answered with one "error: " line;
 *   - a request split in small writes is served.
 * Prints one line per failed check; exits 0 when all pass, 1 if not.
 * Every read waits at most WAIT_SECONDS.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* As binderd's control.h. */
#define MAX_CONNECTIONS 8
#define MAX_REQUEST     128
/* binderd's request timeout is 5 s: wait well past it, still bounded. */
#define WAIT_SECONDS     30
#define MILLISECONDS     1000
#define ANSWER_MAX       65536
#define LONG_REQUEST     (MAX_REQUEST + 64)
#define SPLIT_PAUSE_USEC 10000

static const char *control_path;
static int failures;

static int connect_control(void)
{
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	snprintf(address.sun_path, sizeof(address.sun_path), "%s", control_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
		perror("control_probe: connect");
		exit(1);
	}
	return fd;
}

/* Everything the peer sends until it closes (a reset after data counts as
 * the end); NUL-terminated into answer. false on timeout. */
static bool read_to_end(int fd, char *answer, size_t size)
{
	size_t length = 0;
	for (;;) {
		struct pollfd poll_fd = {.fd = fd, .events = POLLIN};
		if (poll(&poll_fd, 1, WAIT_SECONDS * MILLISECONDS) <= 0)
			return false;
		ssize_t got = recv(fd, answer + length, size - 1 - length, 0);
		if (got <= 0 || length + (size_t)got >= size - 1) {
			if (got > 0)
				length += (size_t)got;
			break;
		}
		length += (size_t)got;
	}
	answer[length] = '\0';
	return true;
}

static void expect(bool ok, const char *what, const char *answer)
{
	if (!ok) {
		printf("FAIL: %s (got '%s')\n", what, answer);
		failures++;
	}
}

/* Sends request on a new connection; the answer in answer. */
static void ask(const char *request, char *answer, size_t size)
{
	int fd = connect_control();
	ssize_t ignored = send(fd, request, strlen(request), MSG_NOSIGNAL);
	(void)ignored;
	if (!read_to_end(fd, answer, size))
		snprintf(answer, size, "(timed out)");
	close(fd);
}

int main(int argc, char **argv)
{
	static char answer[ANSWER_MAX];
	if (argc != 2) {
		fprintf(stderr, "usage: control_probe CONTROL_PATH\n");
		return 2;
	}
	control_path = argv[1];

	int idle[MAX_CONNECTIONS];
	for (int i = 0; i < MAX_CONNECTIONS; i++)
		idle[i] = connect_control();
	/* Connections are accepted in the order they were made: binderd
	 * serves the first MAX_CONNECTIONS and refuses this one. */
	ask("state\n", answer, sizeof(answer));
	expect(strcmp(answer, "error: too many control connections, try again\n") == 0,
	       "connection beyond the limit refused", answer);
	/* The idle ones are closed by binderd's request timeout. */
	expect(read_to_end(idle[0], answer, sizeof(answer)) && answer[0] == '\0',
	       "an idle connection is closed without an answer", answer);
	for (int i = 0; i < MAX_CONNECTIONS; i++)
		close(idle[i]);

	char long_request[LONG_REQUEST + 2];
	memset(long_request, 's', LONG_REQUEST);
	strcpy(long_request + LONG_REQUEST, "\n");
	ask(long_request, answer, sizeof(answer));
	expect(strcmp(answer, "error: request too long\n") == 0, "a long request", answer);
	ask("no_such_view\n", answer, sizeof(answer));
	expect(strncmp(answer, "error: bad request", strlen("error: bad request")) == 0,
	       "an unknown view", answer);
	ask("state xml\n", answer, sizeof(answer));
	expect(strncmp(answer, "error: bad request", strlen("error: bad request")) == 0,
	       "an unknown option", answer);
	ask("stats\n", answer, sizeof(answer));
	expect(strncmp(answer, "binder stats:", strlen("binder stats:")) == 0, "stats", answer);

	/* One byte per write: binderd waits for the whole line. */
	int fd = connect_control();
	for (const char *c = "state json\n"; *c; c++) {
		if (send(fd, c, 1, MSG_NOSIGNAL) != 1)
			break;
		usleep(SPLIT_PAUSE_USEC);
	}
	if (!read_to_end(fd, answer, sizeof(answer)))
		snprintf(answer, sizeof(answer), "(timed out)");
	close(fd);
	expect(answer[0] == '{', "a request in pieces", answer);

	if (failures == 0)
		printf("control_probe: all checks passed\n");
	return failures ? 1 : 0;
}
