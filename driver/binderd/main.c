/*
 * main.c - binderd: the userspace binder driver. Parses the command line,
 * listens on a Unix socket (each connection is one open of the device),
 * and runs the libevent loop until SIGTERM or SIGINT. Out of fds, the
 * listener rests for a moment instead of spinning on accept(). Next to the
 * socket: the control socket binderctl reads (control.c), and on request
 * the Prometheus metrics endpoint (binderd_metrics.c).
 */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "binderd.h"
#include "daemon_start.h"
#include "binderd_metrics.h"
#include "metrics_listen.h"
#include "control.h"
#include "log.h"
#include "ratelimit.h"

struct event_base *binderd_event_base;

static struct event *accept_event;
static struct event *accept_resume_event;

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: binderd [--socket PATH] [--log-level LEVEL] [limits]\n"
	        "  --socket PATH          where to listen (default %s)\n"
	        "  --log-level LEVEL      error, warning, info (default) or debug\n"
	        "  --daemon               run in the background: the command returns (0)\n"
	        "                         once binderd listens, or fails with its status\n"
	        "  --help                 this text\n"
	        "  --control-socket PATH  where binderctl reads binderd's state, stats and\n"
	        "                         transaction logs (default: the socket's path\n"
	        "                         + \"%s\"); mode 0660, for root and binderd's uid\n"
	        "  --control-group GROUP  also let this group (name or gid) read it\n"
	        "  --metrics [ADDR:]PORT  serve Prometheus metrics at http://ADDR:PORT/metrics\n"
	        "                         (ADDR: 127.0.0.1 unless given; [IPV6]:PORT too;\n"
	        "                         default: off)\n"
	        "  --manager-uid UIDS     who may become the context manager: uids or user\n"
	        "                         names, comma-separated, repeatable; \"any\": every\n"
	        "                         uid (default: binderd's own uid only)\n"
	        "Limits per uid (root and binderd's own uid are exempt; 0: none):\n"
	        "  --uid-max-procs N      connections (default %u of %u)\n"
	        "  --uid-max-threads N    thread channels (default %u)\n"
	        "  --uid-max-fds N        fds held for its undelivered transactions "
	        "(default %u)\n"
	        "  --uid-max-output BYTES output queued for its unread channels (default %u)\n"
	        "Any connection:\n"
	        "  --hello-timeout SECONDS  closed when it has not said hello by then\n"
	        "                         (default %u; 0: never)\n"
	        "Processes reach binderd by naming its socket in BINDER_DEVICE.\n",
	        BINDERD_DEFAULT_SOCKET, CONTROL_SOCKET_SUFFIX, BINDERD_DEFAULT_UID_MAX_PROCS,
	        BINDERD_MAX_PROCS, BINDERD_DEFAULT_UID_MAX_THREADS, BINDERD_DEFAULT_UID_MAX_FDS,
	        BINDERD_DEFAULT_UID_MAX_OUTPUT, BINDERD_DEFAULT_HELLO_TIMEOUT_SECONDS);
}

/* A whole decimal number up to max: 0, or -EINVAL. */
static int parse_count(const char *text, unsigned long max, unsigned long *value)
{
	char *end;
	errno = 0;
	unsigned long parsed = strtoul(text, &end, 10);
	if (errno || end == text || *end != '\0' || text[0] == '-' || parsed > max)
		return -EINVAL;
	*value = parsed;
	return 0;
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
	if (chmod(path, 0666) < 0)
		log_warning("cannot let every user open %s: %s", path, strerror(errno));
	return fd;
}

static void on_accept_resume(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	if (event_add(accept_event, NULL) < 0)
		log_error("cannot watch the listening socket: no new connections");
}

/* Out of fds or memory: the pending connection stays in the backlog, so
 * the listener would fire again at once. Rest, then try again. */
static void pause_accepting(void)
{
	struct timeval pause = {.tv_usec = (suseconds_t)BINDERD_ACCEPT_PAUSE_MS * 1000};
	event_del(accept_event);
	if (evtimer_add(accept_resume_event, &pause) < 0)
		on_accept_resume(-1, 0, NULL);
}

static void on_accept(evutil_socket_t listener, short events, void *arg)
{
	(void)events;
	(void)arg;
	static struct ratelimit failures;
	for (int i = 0; i < 64; i++) {
		int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			int error = errno;
			if (error == EAGAIN || error == EINTR || error == ECONNABORTED)
				break;
			unsigned long suppressed;
			if (ratelimit_allow(&failures, &suppressed))
				log_warning("accept: %s (%lu more failures not shown)",
				            strerror(error), suppressed);
			if (error == EMFILE || error == ENFILE || error == ENOBUFS ||
			    error == ENOMEM)
				pause_accepting();
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
		if (setrlimit(RLIMIT_NOFILE, &limit) < 0)
			log_warning("cannot raise the fd limit to %llu: %s",
			            (unsigned long long)limit.rlim_max, strerror(errno));
	}
}

int main(int argc, char **argv)
{
	const char *socket_path = BINDERD_DEFAULT_SOCKET;
	const char *control_path = NULL;
	gid_t control_group = 0;
	bool has_control_group = false;
	const char *metrics_text = NULL;
	bool run_as_daemon = false;
	struct metrics_listen metrics_listen;
	char why[128];
	enum {
		OPTION_UID_MAX_PROCS = 256,
		OPTION_UID_MAX_THREADS,
		OPTION_UID_MAX_FDS,
		OPTION_UID_MAX_OUTPUT,
		OPTION_HELLO_TIMEOUT
	};
	static const struct option options[] = {
	        {"socket", required_argument, NULL, 's'},
	        {"log-level", required_argument, NULL, 'l'},
	        {"help", no_argument, NULL, 'h'},
	        {"manager-uid", required_argument, NULL, 'm'},
	        {"uid-max-procs", required_argument, NULL, OPTION_UID_MAX_PROCS},
	        {"uid-max-threads", required_argument, NULL, OPTION_UID_MAX_THREADS},
	        {"uid-max-fds", required_argument, NULL, OPTION_UID_MAX_FDS},
	        {"uid-max-output", required_argument, NULL, OPTION_UID_MAX_OUTPUT},
	        {"hello-timeout", required_argument, NULL, OPTION_HELLO_TIMEOUT},
	        {"control-socket", required_argument, NULL, 'C'},
	        {"control-group", required_argument, NULL, 'G'},
	        {"metrics", required_argument, NULL, 'M'},
	        {"daemon", no_argument, NULL, 'D'},
	        {NULL, 0, NULL, 0},
	};
	int option;
	int option_index = 0;
	while ((option = getopt_long(argc, argv, "s:l:hm:", options, &option_index)) != -1) {
		unsigned long value;
		if (option >= OPTION_UID_MAX_PROCS &&
		    parse_count(optarg, option == OPTION_HELLO_TIMEOUT ? UINT_MAX : SIZE_MAX,
		                &value) < 0) {
			fprintf(stderr, "binderd: --%s wants a number, not '%s'\n",
			        options[option_index].name, optarg);
			usage(stderr);
			return 2;
		}
		switch (option) {
		case OPTION_UID_MAX_PROCS:
			uid_budget_set_limit(UID_PROCS, value);
			break;
		case OPTION_UID_MAX_THREADS:
			uid_budget_set_limit(UID_THREADS, value);
			break;
		case OPTION_UID_MAX_FDS:
			uid_budget_set_limit(UID_FDS_IN_FLIGHT, value);
			break;
		case OPTION_UID_MAX_OUTPUT:
			uid_budget_set_limit(UID_QUEUED_OUTPUT, value);
			break;
		case OPTION_HELLO_TIMEOUT:
			binderd_hello_timeout_seconds = (unsigned)value;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'C':
			control_path = optarg;
			break;
		case 'G':
			if (control_parse_group(optarg, &control_group) < 0) {
				fprintf(stderr, "binderd: --control-group: no group '%s'\n",
				        optarg);
				return 2;
			}
			has_control_group = true;
			break;
		case 'M':
			if (metrics_listen_parse(optarg, &metrics_listen, why, sizeof(why)) < 0) {
				fprintf(stderr, "binderd: --metrics '%s': %s\n", optarg, why);
				return 2;
			}
			metrics_text = optarg;
			break;
		case 'l':
			if (log_set_level(optarg) < 0) {
				fprintf(stderr, "binderd: unknown log level '%s'\n", optarg);
				usage(stderr);
				return 2;
			}
			break;
		case 'm':
			if (context_allow_manager_uids(optarg) < 0) {
				fprintf(stderr,
				        "binderd: --manager-uid: '%s' is not a list of uids\n",
				        optarg);
				return 2;
			}
			break;
		case 'D':
			run_as_daemon = true;
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

	/* Before the event loop exists (an epoll set does not survive a
	 * fork); the parent returns once binderd listens. */
	int ready_fd = -1;
	if (run_as_daemon) {
		int error = daemon_start(&ready_fd);
		if (error) {
			log_error("--daemon: cannot fork: %s", strerror(-error));
			return 1;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	binderd_event_base = event_base_new();
	if (!binderd_event_base) {
		log_error("cannot create the event loop");
		return 1;
	}
	channel_layer_init(binderd_event_base, after_event);
	/* SIGTERM is handled from the moment the socket exists: whoever
	 * sees it may stop binderd at once. */
	struct event *term_event =
	        evsignal_new(binderd_event_base, SIGTERM, on_signal, binderd_event_base);
	struct event *int_event =
	        evsignal_new(binderd_event_base, SIGINT, on_signal, binderd_event_base);
	if (!term_event || !int_event || event_add(term_event, NULL) < 0 ||
	    event_add(int_event, NULL) < 0) {
		log_error("cannot set up the event loop");
		return 1;
	}
	int listener = listen_on(socket_path);
	if (listener < 0) {
		event_free(term_event);
		event_free(int_event);
		event_base_free(binderd_event_base);
		return 1;
	}
	accept_event =
	        event_new(binderd_event_base, listener, EV_READ | EV_PERSIST, on_accept, NULL);
	accept_resume_event = evtimer_new(binderd_event_base, on_accept_resume, NULL);
	if (!accept_event || !accept_resume_event || event_add(accept_event, NULL) < 0) {
		log_error("cannot set up the event loop");
		return 1;
	}
	log_info("listening on %s", socket_path);
	context_log_manager_uids();
	/* Only a control socket asked for by name must exist; the default
	 * one may not fit (a long socket path) and is then left out. */
	char default_control_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool control_required = control_path != NULL;
	if (!control_path) {
		int length = snprintf(default_control_path, sizeof(default_control_path), "%s%s",
		                      socket_path, CONTROL_SOCKET_SUFFIX);
		if (length > 0 && (size_t)length < sizeof(default_control_path))
			control_path = default_control_path;
		else
			log_warning("no control socket: %s%s is too long a path (see "
			            "--control-socket)",
			            socket_path, CONTROL_SOCKET_SUFFIX);
	}
	int status = 0;
	if (control_path &&
	    control_start(binderd_event_base, control_path,
	                  has_control_group ? &control_group : NULL) < 0 &&
	    control_required)
		status = 1;
	if (status == 0 && metrics_text &&
	    binderd_metrics_start(binderd_event_base, &metrics_listen.address,
	                          metrics_listen.length) < 0)
		status = 1;

	if (status == 0 && ready_fd >= 0) {
		static const char ready[] = "ready\n";
		if (write(ready_fd, ready, sizeof(ready) - 1) != (ssize_t)sizeof(ready) - 1)
			log_warning("--daemon: cannot tell the parent: %s", strerror(errno));
	}
	if (ready_fd >= 0)
		close(ready_fd);
	if (status == 0)
		event_base_dispatch(binderd_event_base);

	binderd_metrics_stop();
	control_stop();
	proc_release_all();
	after_event();
	event_free(accept_event);
	event_free(accept_resume_event);
	event_free(term_event);
	event_free(int_event);
	close(listener);
	unlink(socket_path);
	event_base_free(binderd_event_base);
	log_info("stopped");
	return status;
}
