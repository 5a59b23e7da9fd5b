/*
 * binderctl - prints what binderd shows of itself on its control socket,
 * in the layout of the kernel's binder debugfs files: state, stats,
 * transactions, transaction_log, failed_transaction_log (or --json for
 * scripts). Sends one request line "VIEW [json]", copies the answer to
 * stdout; an answer starting "error: " goes to stderr and exits 1. Every
 * wait is bounded by --timeout.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "binderd/socket_protocol.h"

/* As binderd's control.h: the control socket is binderd's socket path
 * with this suffix, unless binderd was told --control-socket. */
#define CONTROL_SOCKET_SUFFIX ".control"
/* Where libbinder's users name binderd's socket (binder/device.h). */
#define BINDER_DEVICE_ENV "BINDER_DEVICE"
/* binderd's longest request line. */
#define CONTROL_MAX_REQUEST 128
#define ERROR_PREFIX        "error: "
#define ERROR_PREFIX_LENGTH (sizeof(ERROR_PREFIX) - 1)
/* An error answer is one line: no more is kept of it. */
#define ERROR_MAX_TEXT        1024
#define DEFAULT_TIMEOUT_SECS  30
#define MAX_TIMEOUT_SECS      3600
#define READ_CHUNK            65536
#define MILLISECONDS_PER_SEC  1000
#define NANOSECONDS_PER_MILLI 1000000

#define EXIT_USAGE 2

static const char *const views[] = {
        "state", "stats",  "transactions", "transaction_log", "failed_transaction_log",
        "log",   "failed",
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: binderctl [--socket PATH | --control PATH] [--json] [--timeout SECONDS] "
	        "VIEW\n"
	        "Prints binderd's view of itself, as the kernel's binder debugfs files:\n"
	        "  state                   every process, thread, node, ref, buffer and\n"
	        "                          pending transaction\n"
	        "  stats                   counts per command, return and object kind\n"
	        "  transactions            the transactions in flight\n"
	        "  transaction_log, log    the last transactions\n"
	        "  failed_transaction_log, failed\n"
	        "                          the last failed transactions, with the reason\n"
	        "Options:\n"
	        "  --socket PATH    binderd's socket (default $%s, else %s);\n"
	        "                   the control socket is PATH%s\n"
	        "  --control PATH   binderd's control socket, if it was moved\n"
	        "                   (binderd --control-socket)\n"
	        "  --json           one JSON document instead of the text layout\n"
	        "  --timeout SECS   give up after this long (default %d)\n"
	        "  --help           this text\n"
	        "Only root, binderd's own user and its --control-group may read it.\n"
	        "Exit status: 0, 1 when binderd answered an error or cannot be reached, 2 "
	        "for bad usage.\n",
	        BINDER_DEVICE_ENV, BINDERD_DEFAULT_SOCKET, CONTROL_SOCKET_SUFFIX,
	        DEFAULT_TIMEOUT_SECS);
}

static bool known_view(const char *name)
{
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		if (strcmp(name, views[i]) == 0)
			return true;
	return false;
}

static long long now_milliseconds(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * MILLISECONDS_PER_SEC + now.tv_nsec / NANOSECONDS_PER_MILLI;
}

/* Waits until fd is ready for events or the deadline passed: 1, 0 on
 * timeout, or -errno. */
static int wait_for(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_milliseconds();
		if (left <= 0)
			return 0;
		struct pollfd poll_fd = {.fd = fd, .events = events};
		int ready = poll(&poll_fd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		return ready < 0 ? -errno : ready;
	}
}

static int connect_control(const char *path, int timeout_seconds)
{
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(address.sun_path)) {
		fprintf(stderr, "binderctl: control socket path too long: %s\n", path);
		return -1;
	}
	strcpy(address.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "binderctl: socket: %s\n", strerror(errno));
		return -1;
	}
	/* A full backlog makes connect wait: bounded by the send timeout. */
	struct timeval timeout = {.tv_sec = timeout_seconds};
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout)) < 0) {
		fprintf(stderr, "binderctl: cannot bound the wait to connect: %s\n",
		        strerror(errno));
		close(fd);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
		fprintf(stderr,
		        "binderctl: cannot connect to binderd's control socket %s: %s (is "
		        "binderd running? are you root or in its control group?)\n",
		        path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Writes all of text to stdout. false when stdout is gone. */
static bool copy_out(const char *text, size_t length)
{
	return fwrite(text, 1, length, stdout) == length;
}

/* Reads the answer to its end: copied to stdout, or (an error answer) to
 * stderr. The exit status. */
static int read_answer(int fd, long long deadline)
{
	static char chunk[READ_CHUNK];
	char head[ERROR_MAX_TEXT + 1];
	size_t head_length = 0;
	bool decided = false, is_error = false, any = false, closed_cleanly = false;
	for (;;) {
		int ready = wait_for(fd, POLLIN, deadline);
		if (ready <= 0) {
			fprintf(stderr, "binderctl: %s while reading binderd's answer\n",
			        ready == 0 ? "timed out" : strerror(-ready));
			return EXIT_FAILURE;
		}
		ssize_t got = recv(fd, chunk, sizeof(chunk), MSG_DONTWAIT);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		/* binderd closes once it has written; a reset after data is
		 * the same end. */
		bool end = got == 0 || (got < 0 && errno == ECONNRESET && any);
		closed_cleanly = got == 0;
		if (got < 0 && !end) {
			fprintf(stderr, "binderctl: reading binderd's answer: %s\n",
			        strerror(errno));
			return EXIT_FAILURE;
		}
		size_t length = got > 0 ? (size_t)got : 0;
		any = any || length > 0;
		if (!decided) {
			size_t take = length < ERROR_MAX_TEXT - head_length
			                      ? length
			                      : ERROR_MAX_TEXT - head_length;
			memcpy(head + head_length, chunk, take);
			head_length += take;
			if (head_length >= ERROR_PREFIX_LENGTH || end) {
				decided = true;
				is_error = head_length >= ERROR_PREFIX_LENGTH &&
				           memcmp(head, ERROR_PREFIX, ERROR_PREFIX_LENGTH) == 0;
				if (!is_error && !copy_out(head, head_length))
					return EXIT_FAILURE;
			}
			if (decided && !is_error && take < length &&
			    !copy_out(chunk + take, length - take))
				return EXIT_FAILURE;
		} else if (is_error) {
			size_t take = length < ERROR_MAX_TEXT - head_length
			                      ? length
			                      : ERROR_MAX_TEXT - head_length;
			memcpy(head + head_length, chunk, take);
			head_length += take;
		} else if (!copy_out(chunk, length)) {
			return EXIT_FAILURE;
		}
		if (end)
			break;
	}
	/* An empty view (a log with nothing in it, as the kernel's empty
	 * debugfs file) is a clean close with no bytes; binderd answers
	 * every error with a line. */
	if (!any && closed_cleanly)
		return EXIT_SUCCESS;
	if (!any) {
		fprintf(stderr, "binderctl: binderd closed the control connection without an "
		                "answer\n");
		return EXIT_FAILURE;
	}
	if (is_error) {
		head[head_length] = '\0';
		char *newline = strchr(head, '\n');
		if (newline)
			*newline = '\0';
		fprintf(stderr, "binderctl: %s\n", head);
		return EXIT_FAILURE;
	}
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int send_request(int fd, const char *request, long long deadline)
{
	size_t sent = 0, length = strlen(request);
	while (sent < length) {
		int ready = wait_for(fd, POLLOUT, deadline);
		if (ready <= 0)
			return ready == 0 ? -ETIMEDOUT : ready;
		ssize_t wrote =
		        send(fd, request + sent, length - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (wrote < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (wrote < 0)
			return -errno;
		sent += (size_t)wrote;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	        {"socket", required_argument, NULL, 's'}, {"control", required_argument, NULL, 'c'},
	        {"json", no_argument, NULL, 'j'},         {"timeout", required_argument, NULL, 't'},
	        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	const char *socket_path = NULL, *control_path = NULL;
	bool json = false;
	int timeout_seconds = DEFAULT_TIMEOUT_SECS;
	int option;
	while ((option = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (option) {
		case 's':
			socket_path = optarg;
			break;
		case 'c':
			control_path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 't': {
			char *end;
			long value = strtol(optarg, &end, 10);
			if (end == optarg || *end || value < 1 || value > MAX_TIMEOUT_SECS) {
				fprintf(stderr, "binderctl: --timeout wants 1..%d seconds\n",
				        MAX_TIMEOUT_SECS);
				return EXIT_USAGE;
			}
			timeout_seconds = (int)value;
			break;
		}
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !known_view(argv[optind])) {
		if (optind < argc && !known_view(argv[optind]))
			fprintf(stderr, "binderctl: unknown view '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (socket_path && control_path) {
		fprintf(stderr, "binderctl: --socket and --control: give one\n");
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	char derived[sizeof(((struct sockaddr_un *)0)->sun_path) + sizeof(CONTROL_SOCKET_SUFFIX)];
	if (!control_path) {
		const char *device = getenv(BINDER_DEVICE_ENV);
		if (!socket_path)
			socket_path = device && *device ? device : BINDERD_DEFAULT_SOCKET;
		snprintf(derived, sizeof(derived), "%.*s%s",
		         (int)sizeof(((struct sockaddr_un *)0)->sun_path), socket_path,
		         CONTROL_SOCKET_SUFFIX);
		control_path = derived;
	}
	char request[CONTROL_MAX_REQUEST + 2];
	snprintf(request, sizeof(request), "%s%s\n", argv[optind], json ? " json" : "");

	long long deadline = now_milliseconds() + (long long)timeout_seconds * MILLISECONDS_PER_SEC;
	int fd = connect_control(control_path, timeout_seconds);
	if (fd < 0)
		return EXIT_FAILURE;
	/* A refused client may find the connection closed before it could
	 * send: binderd's answer is still there to read. */
	int sent = send_request(fd, request, deadline);
	if (sent == -ETIMEDOUT) {
		fprintf(stderr, "binderctl: timed out sending the request to %s\n", control_path);
		close(fd);
		return EXIT_FAILURE;
	}
	int status = read_answer(fd, deadline);
	close(fd);
	return status;
}
