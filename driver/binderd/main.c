/*
 * main.c - binderd: the userspace binder driver. Parses the command line,
 * listens on a Unix socket (each connection is one open of the device),
 * and runs the libevent loop until SIGTERM or SIGINT.
 */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "binderd.h"
#include "log.h"

struct event_base *binderd_event_base;

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: binderd [--socket PATH] [--log-level LEVEL]\n"
	        "  --socket PATH      where to listen (default %s)\n"
	        "  --log-level LEVEL  error, warning, info (default) or debug\n"
	        "  --help             this text\n"
	        "Processes reach binderd by naming its socket in BINDER_DEVICE.\n",
	        BINDERD_DEFAULT_SOCKET);
}

/* Makes the directory that holds the socket, if it is missing. */
static void make_parent_directory(const char *path)
{
	char directory[sizeof(((struct sockaddr_un *)0)->sun_path)];
	snprintf(directory, sizeof(directory), "%s", path);
	char *slash = strrchr(directory, '/');
	if (!slash || slash == directory)
		return;
	*slash = '\0';
	if (mkdir(directory, 0755) < 0 && errno != EEXIST)
		log_warning("cannot create %s: %s", directory, strerror(errno));
}

static int listen_on(const char *path)
{
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(address.sun_path)) {
		log_error("socket path too long: %s", path);
		return -1;
	}
	strcpy(address.sun_path, path);
	make_parent_directory(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		log_error("socket: %s", strerror(errno));
		return -1;
	}
	struct stat status;
	if (lstat(path, &status) == 0) {
		if (!S_ISSOCK(status.st_mode)) {
			log_error("%s exists and is not a socket", path);
			close(fd);
			return -1;
		}
		/* A live binderd answers; a stale socket does not. */
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 &&
		    connect(probe, (struct sockaddr *)&address, sizeof(address)) == 0) {
			close(probe);
			log_error("another binderd is listening on %s", path);
			close(fd);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	mode_t old_mask = umask(0);
	int bound = bind(fd, (struct sockaddr *)&address, sizeof(address));
	umask(old_mask);
	if (bound < 0 || listen(fd, 128) < 0) {
		log_error("cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* Any local user may open the device. */
	chmod(path, 0666);
	return fd;
}

static void on_accept(evutil_socket_t listener, short events, void *arg)
{
	(void)events;
	(void)arg;
	for (int i = 0; i < 64; i++) {
		int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warning("accept: %s", strerror(errno));
			break;
		}
		proc_accept(fd);
	}
	after_event();
}

static void on_signal(evutil_socket_t signal_number, short events, void *arg)
{
	(void)events;
	log_info("signal %d: shutting down", (int)signal_number);
	event_base_loopexit(arg, NULL);
}

static void raise_fd_limit(void)
{
	struct rlimit limit;
	if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
		limit.rlim_cur = limit.rlim_max;
		setrlimit(RLIMIT_NOFILE, &limit);
	}
}

int main(int argc, char **argv)
{
	const char *socket_path = BINDERD_DEFAULT_SOCKET;
	static const struct option options[] = {
	        {"socket", required_argument, NULL, 's'},
	        {"log-level", required_argument, NULL, 'l'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int option;
	while ((option = getopt_long(argc, argv, "s:l:h", options, NULL)) != -1) {
		switch (option) {
		case 's':
			socket_path = optarg;
			break;
		case 'l':
			if (log_set_level(optarg) < 0) {
				fprintf(stderr, "binderd: unknown log level '%s'\n", optarg);
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "binderd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	binderd_event_base = event_base_new();
	if (!binderd_event_base) {
		log_error("cannot create the event loop");
		return 1;
	}
	int listener = listen_on(socket_path);
	if (listener < 0) {
		event_base_free(binderd_event_base);
		return 1;
	}
	struct event *accept_event =
	        event_new(binderd_event_base, listener, EV_READ | EV_PERSIST, on_accept, NULL);
	struct event *term_event =
	        evsignal_new(binderd_event_base, SIGTERM, on_signal, binderd_event_base);
	struct event *int_event =
	        evsignal_new(binderd_event_base, SIGINT, on_signal, binderd_event_base);
	event_add(accept_event, NULL);
	event_add(term_event, NULL);
	event_add(int_event, NULL);
	log_info("listening on %s", socket_path);

	event_base_dispatch(binderd_event_base);

	proc_release_all();
	after_event();
	event_free(accept_event);
	event_free(term_event);
	event_free(int_event);
	close(listener);
	unlink(socket_path);
	event_base_free(binderd_event_base);
	log_info("stopped");
	return 0;
}
