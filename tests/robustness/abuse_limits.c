/*
 * abuse_limits.c - one local user trying to take binderd away from the
 * others: thread channels that are not sockets, connections that never
 * say hello, every connection slot, thread channel or fd binderd has, and
 * output nobody reads. Most run against a private binderd started with
 * small limits (so that reaching them is cheap) on a socket that an
 * unprivileged user can reach, as uid 65534 when the suite runs as root
 * (without root, those that need another uid say so and pass).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "abuses.h"
#include "binderd_status.h"

/* The unprivileged users the abuses act as. */
#define ABUSER_UID 65534
#define OTHER_UID  65533
/* Bounds on a private binderd's start and stop, and on an abuser child. */
#define PRIVATE_START_MS 10000
#define PRIVATE_STOP_MS  10000
#define CHILD_WAIT_MS    30000
/* A flooded channel that takes nothing for this long is taken as stalled
 * (binderd stopped reading it); a slow binderd only makes the flood
 * shorter, never the outcome different. */
#define STALL_MS 1000
/* More requests than any channel may take before binderd stops reading
 * (its output cap is 2 MiB of answers, 20 bytes each). */
#define FLOOD_MAX_BYTES (16u * 1024u * 1024u)
#define FLOOD_CHUNK     256
/* Floods of one test until a channel is closed. */
#define STALL_ROUNDS 5

struct private_binderd {
	pid_t pid;
	char directory[64];
	char socket[96];
	char log[96];
	char *saved_device;
};

static long long now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void pause_ms(long ms)
{
	struct timespec pause = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&pause, NULL);
}

static bool running_as_root(void)
{
	return geteuid() == 0;
}

/* Waits (bounded) for a child; true when it exited, *status set. */
static bool wait_child(pid_t child, int *status, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	for (;;) {
		pid_t done = waitpid(child, status, WNOHANG);
		if (done == child)
			return true;
		if (done < 0 || now_ms() > deadline)
			return false;
		pause_ms(10);
	}
}

static int private_binderd_stop(struct private_binderd *daemon, struct abuse_report *report);

/*
 * Starts the binderd the suite runs (same executable) with options (NULL
 * terminated) on a socket of its own, with at most fd_limit fds (0: as
 * inherited), and points BINDER_DEVICE at it. 0 or -errno.
 */
static int private_binderd_start(struct private_binderd *daemon, const char *const *options,
                                 rlim_t fd_limit)
{
	memset(daemon, 0, sizeof(*daemon));
	char link[64], executable[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)binderd_pid());
	ssize_t length = readlink(link, executable, sizeof(executable) - 1);
	if (length <= 0)
		return -ESRCH;
	executable[length] = '\0';
	snprintf(daemon->directory, sizeof(daemon->directory), "/tmp/binderd-limits.XXXXXX");
	if (!mkdtemp(daemon->directory))
		return -errno;
	/* Other users reach the socket (binderd makes it 0666). */
	chmod(daemon->directory, 0755);
	snprintf(daemon->socket, sizeof(daemon->socket), "%s/binder.sock", daemon->directory);
	snprintf(daemon->log, sizeof(daemon->log), "%s/binderd.log", daemon->directory);
	const char *argv[32] = {executable, "--socket", daemon->socket, "--log-level", "warning"};
	size_t argc = 5;
	for (size_t i = 0; options && options[i] && argc < 31; i++)
		argv[argc++] = options[i];
	argv[argc] = NULL;
	pid_t child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		int log = open(daemon->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (log < 0 || dup2(log, STDERR_FILENO) < 0)
			_exit(126);
		close_range(3, ~0u, 0);
		if (fd_limit) {
			struct rlimit limit = {fd_limit, fd_limit};
			if (setrlimit(RLIMIT_NOFILE, &limit) < 0)
				_exit(126);
		}
		execv(executable, (char *const *)argv);
		_exit(127);
	}
	daemon->pid = child;
	const char *device = getenv("BINDER_DEVICE");
	daemon->saved_device = device ? strdup(device) : NULL;
	setenv("BINDER_DEVICE", daemon->socket, 1);
	/* The socket exists from bind() on: binderd serves once a hello is
	 * answered (and then handles SIGTERM too). */
	long long deadline = now_ms() + PRIVATE_START_MS;
	for (;;) {
		struct raw_process probe;
		if (raw_open_process(&probe, 0) == 0) {
			raw_close_process(&probe);
			return 0;
		}
		int exit_status;
		if (waitpid(child, &exit_status, WNOHANG) == child || now_ms() > deadline) {
			if (kill(child, 0) == 0) {
				kill(child, SIGKILL);
				waitpid(child, &exit_status, 0);
			}
			daemon->pid = 0;
			struct abuse_report ignored;
			private_binderd_stop(daemon, &ignored);
			return -ECHILD;
		}
		pause_ms(10);
	}
}

/* true when the log holds a sanitizer report. */
static bool log_has_sanitizer_report(const char *path)
{
	FILE *log = fopen(path, "r");
	if (!log)
		return false;
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof(line), log))
		found = strstr(line, "ERROR: AddressSanitizer") ||
		        strstr(line, "ERROR: LeakSanitizer") || strstr(line, "runtime error:");
	fclose(log);
	return found;
}

/* Lines of the private binderd's log that contain text. */
static long log_lines_with(const struct private_binderd *daemon, const char *text)
{
	FILE *log = fopen(daemon->log, "r");
	if (!log)
		return -1;
	char line[512];
	long count = 0;
	while (fgets(line, sizeof(line), log))
		count += strstr(line, text) != NULL;
	fclose(log);
	return count;
}

/* Stops it (SIGTERM) and puts BINDER_DEVICE back. 0, or -1 with the
 * report filled when it did not exit cleanly. */
static int private_binderd_stop(struct private_binderd *daemon, struct abuse_report *report)
{
	int outcome = 0;
	if (daemon->pid > 0) {
		kill(daemon->pid, SIGTERM);
		int status = 0;
		bool exited = wait_child(daemon->pid, &status, PRIVATE_STOP_MS);
		if (!exited) {
			kill(daemon->pid, SIGKILL);
			waitpid(daemon->pid, &status, 0);
			outcome = abuse_fail(report, __FILE__, __LINE__,
			                     "the private binderd did not stop in %d ms",
			                     PRIVATE_STOP_MS);
		} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			outcome = abuse_fail(report, __FILE__, __LINE__,
			                     "the private binderd exited with status %#x", status);
		} else if (log_has_sanitizer_report(daemon->log)) {
			outcome = abuse_fail(report, __FILE__, __LINE__,
			                     "sanitizer report in the private binderd's log");
		}
		daemon->pid = 0;
	}
	if (daemon->saved_device)
		setenv("BINDER_DEVICE", daemon->saved_device, 1);
	free(daemon->saved_device);
	daemon->saved_device = NULL;
	unlink(daemon->log);
	unlink(daemon->socket);
	rmdir(daemon->directory);
	return outcome;
}

/* Runs body as uid in a child (bounded); its report comes back. */
typedef int (*as_user_body)(struct abuse_report *report, void *argument);

static int run_as(uid_t uid, as_user_body body, void *argument, struct abuse_report *report)
{
	int report_pipe[2];
	EXPECT(report, pipe2(report_pipe, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	pid_t child = fork();
	EXPECT(report, child >= 0, "fork: %s", strerror(errno));
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(report_pipe[0]);
		struct abuse_report mine = {.why = ""};
		int outcome;
		if (setgroups(0, NULL) < 0 || setgid(uid) < 0 || setuid(uid) < 0)
			outcome = abuse_fail(&mine, __FILE__, __LINE__, "cannot become uid %u: %s",
			                     (unsigned)uid, strerror(errno));
		else
			outcome = body(&mine, argument);
		if (outcome != 0) {
			ssize_t written = write(report_pipe[1], mine.why, strlen(mine.why));
			(void)written;
		}
		_exit(outcome == 0 ? 0 : 1);
	}
	close(report_pipe[1]);
	int status = 0;
	bool exited = wait_child(child, &status, CHILD_WAIT_MS);
	if (!exited) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
	}
	ssize_t got = read(report_pipe[0], report->why, sizeof(report->why) - 1);
	report->why[got > 0 ? got : 0] = '\0';
	close(report_pipe[0]);
	if (!exited)
		return abuse_fail(report, __FILE__, __LINE__, "the child as uid %u hung",
		                  (unsigned)uid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (!report->why[0])
		abuse_fail(report, __FILE__, __LINE__, "the child as uid %u died (status %#x)",
		           (unsigned)uid, status);
	return -1;
}

static int skip_without_root(const char *what)
{
	fprintf(stderr, "%s: skipped, acting as another user needs root\n", what);
	return 0;
}

/* Runs body as ABUSER_UID against a private binderd with options. */
static int run_against_private(const char *const *options, as_user_body body, void *argument,
                               struct abuse_report *report)
{
	struct private_binderd daemon;
	int error = private_binderd_start(&daemon, options, 0);
	EXPECT(report, error == 0, "private binderd: %s", strerror(-error));
	int outcome = run_as(ABUSER_UID, body, argument, report);
	struct abuse_report stop_report = {.why = ""};
	if (private_binderd_stop(&daemon, &stop_report) < 0 && outcome == 0) {
		*report = stop_report;
		outcome = -1;
	}
	return outcome;
}

/* ---- NEW_THREAD with something that is not a Unix stream socket ---- */

/* The status binderd answers a NEW_THREAD carrying fd with. */
static int new_thread_with(struct raw_process *process, int fd, int32_t *status)
{
	int error = raw_send_request(process->fd, BINDERD_OP_NEW_THREAD, 1, NULL, 0, &fd, 1, 1);
	struct binderd_message message;
	if (!error)
		error = raw_receive(process->fd, &message, NULL, 0, NULL, 0, RAW_WAIT_MS);
	if (!error)
		*status = message.status;
	return error;
}

int abuse_new_thread_not_a_socket(struct abuse_report *report)
{
	struct raw_process process;
	int error = raw_open_process(&process, 0);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	int pipe_ends[2], datagrams[2];
	EXPECT(report, pipe2(pipe_ends, O_CLOEXEC) == 0, "pipe");
	EXPECT(report, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, datagrams) == 0,
	       "socketpair");
	int file = memfd_create("not-a-thread", MFD_CLOEXEC);
	EXPECT(report, file >= 0, "memfd_create: %s", strerror(errno));
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	EXPECT(report, null >= 0, "/dev/null");
	int unconnected = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	EXPECT(report, unconnected >= 0, "socket");
	int to_binderd = raw_connect();
	EXPECT(report, to_binderd >= 0, "connect: %s", strerror(-to_binderd));
	const struct {
		const char *what;
		int fd;
	} wrong[] = {{"a regular file", file},
	             {"/dev/null", null},
	             {"a pipe", pipe_ends[0]},
	             {"a datagram socket", datagrams[0]},
	             {"an unconnected socket", unconnected},
	             {"a connection to binderd", to_binderd}};
	struct binderd_usage before, after;
	bool usage = binderd_usage_read(&before) == 0;
	enum { ROUNDS = 50 };
	for (int round = 0; round < ROUNDS; round++) {
		for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
			int32_t status = 0;
			error = new_thread_with(&process, wrong[i].fd, &status);
			EXPECT(report, error == 0, "NEW_THREAD with %s: %s", wrong[i].what,
			       strerror(-error));
			EXPECT(report, status < 0, "NEW_THREAD with %s accepted (status %d)",
			       wrong[i].what, status);
		}
	}
	/* Refused ones are not kept: a few fds of slack for the pair. */
	if (usage && binderd_usage_read(&after) == 0)
		EXPECT(report, after.fd_count - before.fd_count < ROUNDS,
		       "binderd went from %ld to %ld fds", before.fd_count, after.fd_count);
	/* The process still works: a real thread is welcome. */
	struct raw_thread thread;
	error = raw_open_thread(&process, &thread, 0);
	EXPECT(report, error == 0, "a real thread after the wrong ones: %s", strerror(-error));
	raw_close_thread(&thread);
	close(file);
	close(null);
	close(unconnected);
	close(to_binderd);
	close(pipe_ends[0]);
	close(pipe_ends[1]);
	close(datagrams[0]);
	close(datagrams[1]);
	raw_close_process(&process);
	return 0;
}

/* ---- connections that never say HELLO ---- */

#define HELLO_TIMEOUT_SECONDS 1

int abuse_silent_connections(struct abuse_report *report)
{
	static const char *const options[] = {"--hello-timeout", "1", NULL};
	struct private_binderd daemon;
	int error = private_binderd_start(&daemon, options, 0);
	EXPECT(report, error == 0, "private binderd: %s", strerror(-error));
	int silent = raw_connect();
	struct raw_process talker;
	int talked = raw_open_process(&talker, 0);
	bool closed = silent >= 0 &&
	              raw_wait_closed(silent, HELLO_TIMEOUT_SECONDS * 1000 + 2 * RAW_WAIT_MS);
	/* Past the deadline, the one that said hello is still served. */
	struct raw_thread thread;
	int threaded = talked == 0 ? raw_open_thread(&talker, &thread, 0) : talked;
	if (threaded == 0)
		raw_close_thread(&thread);
	if (talked == 0)
		raw_close_process(&talker);
	if (silent >= 0)
		close(silent);
	if (private_binderd_stop(&daemon, report) < 0)
		return -1;
	EXPECT(report, silent >= 0, "connect: %s", strerror(-silent));
	EXPECT(report, talked == 0, "open: %s", strerror(-talked));
	EXPECT(report, closed, "a connection without hello still open after %d s",
	       HELLO_TIMEOUT_SECONDS + 2 * RAW_WAIT_MS / 1000);
	EXPECT(report, threaded == 0, "a process that said hello lost its channel: %s",
	       strerror(-threaded));
	return 0;
}

/* ---- every connection slot to one uid ---- */

#define SLOTS_PER_UID 32
#define SLOTS_TRIED   (SLOTS_PER_UID + 16)

struct slots {
	int ready_pipe;   /* the holder says how many it got */
	int release_pipe; /* closed when the holder may go */
};

static int hold_slots(struct abuse_report *report, void *argument)
{
	struct slots *slots = argument;
	static struct raw_process processes[SLOTS_TRIED];
	/* Half of them silent: a connection holds a slot from accept on. */
	for (int i = 0; i < SLOTS_TRIED; i++) {
		int error;
		if (i % 2) {
			memset(&processes[i], 0, sizeof(processes[i]));
			processes[i].fd = raw_connect();
			error = processes[i].fd < 0 ? processes[i].fd : 0;
		} else {
			error = raw_open_process(&processes[i], 0);
		}
		if (error != 0)
			processes[i].fd = -1;
	}
	/* Refused silent ones show as closed; count the live ones. */
	int live = 0;
	for (int i = 0; i < SLOTS_TRIED; i++) {
		if (processes[i].fd < 0)
			continue;
		if (i % 2 == 0) {
			live++;
			continue;
		}
		/* A refused connection was closed at accept: a hello gets EOF. */
		int error = raw_send_request(processes[i].fd, BINDERD_OP_HELLO,
		                             BINDERD_PROTOCOL_VERSION, NULL, 0, NULL, 0, 0);
		struct binderd_message message;
		struct binderd_hello_reply hello;
		if (error == 0)
			error = raw_receive(processes[i].fd, &message, &hello, sizeof(hello), NULL,
			                    0, RAW_WAIT_MS);
		if (error == 0 && message.status == 0)
			live++;
	}
	ssize_t written = write(slots->ready_pipe, &live, sizeof(live));
	(void)written;
	char byte;
	struct pollfd release = {slots->release_pipe, POLLIN, 0};
	poll(&release, 1, CHILD_WAIT_MS);
	ssize_t got = read(slots->release_pipe, &byte, 1);
	(void)got;
	for (int i = 0; i < SLOTS_TRIED; i++)
		if (processes[i].fd >= 0)
			raw_close_process(&processes[i]);
	(void)report;
	return 0;
}

static int one_connection(struct abuse_report *report, void *argument)
{
	(void)argument;
	struct raw_process process;
	int error = raw_open_process(&process, 0);
	EXPECT(report, error == 0, "uid %u cannot connect while uid %u holds its share: %s",
	       (unsigned)getuid(), ABUSER_UID, strerror(-error));
	raw_close_process(&process);
	return 0;
}

int abuse_connection_slots(struct abuse_report *report)
{
	if (!running_as_root())
		return skip_without_root("connection slots");
	static const char *const options[] = {"--uid-max-procs", "32", NULL};
	struct private_binderd daemon;
	int error = private_binderd_start(&daemon, options, 0);
	EXPECT(report, error == 0, "private binderd: %s", strerror(-error));
	int ready[2], release[2];
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(release, O_CLOEXEC) < 0) {
		private_binderd_stop(&daemon, report);
		return abuse_fail(report, __FILE__, __LINE__, "pipe: %s", strerror(errno));
	}
	struct slots slots = {ready[1], release[0]};
	pid_t holder = fork();
	if (holder == 0) {
		close(ready[0]);
		close(release[1]);
		struct abuse_report ignored;
		_exit(run_as(ABUSER_UID, hold_slots, &slots, &ignored) == 0 ? 0 : 1);
	}
	close(ready[1]);
	close(release[0]);
	int live = -1;
	struct pollfd ready_poll = {ready[0], POLLIN, 0};
	if (holder > 0 && poll(&ready_poll, 1, CHILD_WAIT_MS) == 1 &&
	    read(ready[0], &live, sizeof(live)) != (ssize_t)sizeof(live))
		live = -1;
	/* Meanwhile another user still gets in. */
	struct abuse_report other = {.why = ""};
	int other_outcome = run_as(OTHER_UID, one_connection, NULL, &other);
	close(release[1]);
	close(ready[0]);
	int status = 0;
	if (holder > 0 && !wait_child(holder, &status, CHILD_WAIT_MS)) {
		kill(holder, SIGKILL);
		waitpid(holder, &status, 0);
	}
	if (private_binderd_stop(&daemon, report) < 0)
		return -1;
	EXPECT(report, holder > 0, "fork: %s", strerror(errno));
	EXPECT(report, live >= 0, "the holder did not report");
	EXPECT(report, live <= SLOTS_PER_UID, "uid %u holds %d connections, its share is %d",
	       ABUSER_UID, live, SLOTS_PER_UID);
	EXPECT(report, live >= SLOTS_PER_UID / 2, "uid %u got only %d connections of %d",
	       ABUSER_UID, live, SLOTS_PER_UID);
	if (other_outcome != 0) {
		*report = other;
		return -1;
	}
	return 0;
}

/* ---- every thread channel to one uid ---- */

#define THREADS_PER_UID 16
#define THREADS_TRIED   12 /* per process, two processes */

static int hoard_threads(struct abuse_report *report, void *argument)
{
	(void)argument;
	static struct raw_process processes[2];
	static struct raw_thread threads[2][THREADS_TRIED];
	int opened = 0, refused = 0;
	for (int p = 0; p < 2; p++) {
		int error = raw_open_process(&processes[p], 0);
		EXPECT(report, error == 0, "open: %s", strerror(-error));
		for (int t = 0; t < THREADS_TRIED; t++) {
			error = raw_open_thread(&processes[p], &threads[p][t], 0);
			if (error == 0)
				opened++;
			else
				refused++;
			EXPECT(report, error == 0 || error == -EMFILE, "thread %d: %s", t,
			       strerror(-error));
		}
	}
	EXPECT(report, opened == THREADS_PER_UID,
	       "uid %u opened %d thread channels (%d refused), its budget is %d",
	       (unsigned)getuid(), opened, refused, THREADS_PER_UID);
	/* A process that goes gives its share back. */
	for (int t = 0; t < THREADS_TRIED; t++)
		raw_close_thread(&threads[0][t]);
	raw_close_process(&processes[0]);
	struct raw_thread again;
	int error = -ETIMEDOUT;
	for (long long deadline = now_ms() + RAW_WAIT_MS; now_ms() < deadline; pause_ms(10)) {
		error = raw_open_thread(&processes[1], &again, 0);
		if (error != -EMFILE)
			break;
	}
	EXPECT(report, error == 0, "no thread channel after another process left: %s",
	       strerror(-error));
	raw_close_thread(&again);
	for (int t = 0; t < THREADS_TRIED; t++)
		raw_close_thread(&threads[1][t]);
	raw_close_process(&processes[1]);
	return 0;
}

int abuse_thread_hoard(struct abuse_report *report)
{
	if (!running_as_root())
		return skip_without_root("thread hoard");
	static const char *const options[] = {"--uid-max-threads", "16", NULL};
	return run_against_private(options, hoard_threads, NULL, report);
}

/* ---- fds held for transactions nobody reads ---- */

#define FDS_PER_UID  256
#define FDS_PER_CALL 50
#define FD_CALLS     20

/* Oneway calls with fds to handle 0, which never reads them. */
static int pile_fds(struct abuse_report *report, void *argument)
{
	(void)argument;
	struct raw_abuser sender;
	int error = raw_abuser_open(&sender);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct binder_fd_object objects[FDS_PER_CALL];
	binder_size_t offsets[FDS_PER_CALL];
	int fds[FDS_PER_CALL];
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	EXPECT(report, null >= 0, "/dev/null");
	for (int i = 0; i < FDS_PER_CALL; i++) {
		objects[i] = (struct binder_fd_object){.hdr.type = BINDER_TYPE_FD, .fd = null};
		offsets[i] = i * sizeof(objects[0]);
		fds[i] = null;
	}
	memcpy(sender.thread.send_area, objects, sizeof(objects));
	memcpy(sender.thread.send_area + sizeof(objects), offsets, sizeof(offsets));
	struct bc_stream *stream = malloc(sizeof(*stream));
	EXPECT(report, stream, "out of memory");
	bc_reset(stream);
	bc_add_transaction(stream, BC_TRANSACTION, 0, 1, TF_ONE_WAY, 0, sizeof(objects),
	                   sizeof(objects), sizeof(offsets), 0);
	int accepted = 0, failed = 0;
	for (int call = 0; call < FD_CALLS; call++) {
		int outcome = raw_transact_fds(&sender, stream, true, fds, FDS_PER_CALL);
		if (outcome == (int)BR_TRANSACTION_COMPLETE)
			accepted += FDS_PER_CALL;
		else if (outcome == (int)BR_FAILED_REPLY)
			failed++;
		else {
			free(stream);
			return abuse_fail(report, __FILE__, __LINE__, "call %d: %#x", call,
			                  (unsigned)outcome);
		}
	}
	free(stream);
	close(null);
	raw_abuser_close(&sender);
	EXPECT(report, accepted <= FDS_PER_UID,
	       "binderd holds %d fds for uid %u's undelivered calls, its budget is %d", accepted,
	       (unsigned)getuid(), FDS_PER_UID);
	EXPECT(report, accepted > 0 && failed > 0, "%d fds accepted, %d calls failed", accepted,
	       failed);
	return 0;
}

int abuse_fd_hoard(struct abuse_report *report)
{
	if (!running_as_root())
		return skip_without_root("fd hoard");
	static const char *const options[] = {"--uid-max-fds", "256", NULL};
	struct private_binderd daemon;
	int error = private_binderd_start(&daemon, options, 0);
	EXPECT(report, error == 0, "private binderd: %s", strerror(-error));
	/* The receiver (root, as binderd): the context manager, taking fds,
	 * never reading. The budget is the sender's. */
	struct raw_abuser receiver;
	error = raw_abuser_open(&receiver);
	int status = -1;
	if (error == 0) {
		struct flat_binder_object manager = {.hdr.type = BINDER_TYPE_BINDER,
		                                     .flags = FLAT_BINDER_FLAG_ACCEPTS_FDS,
		                                     .binder = 0x1000};
		status = raw_ioctl(&receiver.thread, BINDER_SET_CONTEXT_MGR_EXT, &manager,
		                   sizeof(manager), NULL, 0);
	}
	int outcome = error == 0 && status == 0 ? run_as(ABUSER_UID, pile_fds, NULL, report) : -1;
	if (error == 0)
		raw_abuser_close(&receiver);
	struct abuse_report stop_report = {.why = ""};
	int stopped = private_binderd_stop(&daemon, &stop_report);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	EXPECT(report, status == 0, "SET_CONTEXT_MGR_EXT: %d", status);
	if (outcome < 0)
		return -1;
	if (stopped < 0)
		*report = stop_report;
	return stopped;
}

/* ---- accept() out of fds ---- */

/* fds the private binderd may have: enough for a few connections. */
#define SMALL_FD_LIMIT 64
#define PENDING_EXTRA  8

int abuse_accept_out_of_fds(struct abuse_report *report)
{
	struct private_binderd daemon;
	int error = private_binderd_start(&daemon, NULL, SMALL_FD_LIMIT);
	EXPECT(report, error == 0, "private binderd: %s", strerror(-error));
	/* Connect until binderd cannot accept: more than its fd limit. */
	static int fds[SMALL_FD_LIMIT + PENDING_EXTRA];
	int count = 0, connect_error = 0;
	for (; count < SMALL_FD_LIMIT + PENDING_EXTRA; count++) {
		fds[count] = raw_connect();
		if (fds[count] < 0) {
			connect_error = fds[count];
			break;
		}
	}
	/* Out of fds with connections waiting: binderd must rest, not spin
	 * (one warning a second at most, however long it waits). */
	long long started = now_ms();
	pause_ms(2 * STALL_MS);
	long seconds = (long)((now_ms() - started) / 1000) + 1;
	long warnings = log_lines_with(&daemon, "accept:");
	/* Room again: a new connection gets in (bounded). */
	for (int i = 0; i < count; i++)
		close(fds[i]);
	struct raw_process late;
	int late_error = -ETIMEDOUT;
	for (long long deadline = now_ms() + 2 * RAW_WAIT_MS; now_ms() < deadline; pause_ms(10)) {
		late_error = raw_open_process(&late, 0);
		if (late_error == 0)
			break;
	}
	if (late_error == 0)
		raw_close_process(&late);
	if (private_binderd_stop(&daemon, report) < 0)
		return -1;
	EXPECT(report, count > SMALL_FD_LIMIT, "only %d connections made: %s", count,
	       strerror(-connect_error));
	EXPECT(report, warnings >= 0 && warnings <= seconds + 1,
	       "%ld accept warnings in %ld s: binderd spins on accept", warnings, seconds);
	EXPECT(report, late_error == 0, "no connection after fds were freed: %s",
	       strerror(-late_error));
	return 0;
}

/* ---- output nobody reads ---- */

struct flooded {
	int fd;
	size_t bytes_sent;   /* of the request stream */
	size_t answers;      /* complete answers read */
	uint8_t partial[64]; /* an answer read in part */
	size_t partial_length;
	bool closed; /* binderd closed it */
};

static struct binderd_request flood_requests[FLOOD_CHUNK];

/* Sends what the channel takes now. -1 when the flood went too far. */
static int flood_some(struct flooded *channel)
{
	const uint8_t *stream = (const uint8_t *)flood_requests;
	for (;;) {
		size_t at = channel->bytes_sent % sizeof(flood_requests);
		ssize_t sent = send(channel->fd, stream + at, sizeof(flood_requests) - at,
		                    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (sent < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				channel->closed = true;
			return 0;
		}
		channel->bytes_sent += (size_t)sent;
		if (channel->bytes_sent > FLOOD_MAX_BYTES)
			return -1;
	}
}

/* Floods every channel until none takes more for STALL_MS. Returns 0, or
 * -1 when one took FLOOD_MAX_BYTES (binderd never stopped reading). */
static int flood_until_stalled(struct flooded *channels, int count)
{
	for (int i = 0; i < FLOOD_CHUNK; i++)
		flood_requests[i] =
		        (struct binderd_request){.op = BINDERD_OP_IOCTL, .arg = BINDER_VERSION};
	struct pollfd polls[count];
	for (;;) {
		int open_count = 0;
		for (int i = 0; i < count; i++) {
			polls[i] = (struct pollfd){channels[i].closed ? -1 : channels[i].fd,
			                           POLLOUT, 0};
			if (channels[i].closed)
				continue;
			if (flood_some(&channels[i]) < 0)
				return -1;
			open_count += !channels[i].closed;
		}
		if (open_count == 0 || poll(polls, (nfds_t)count, STALL_MS) == 0)
			return 0;
		for (int i = 0; i < count; i++)
			if (polls[i].revents & (POLLHUP | POLLERR))
				channels[i].closed = true;
	}
}

/* Reads answers until every complete request has one (bounded), checking
 * each. 0, -EPIPE when binderd closed the channel, -ETIMEDOUT, -EBADMSG. */
static int read_all_answers(struct flooded *channel)
{
	size_t expected = channel->bytes_sent / sizeof(struct binderd_request);
	uint8_t buffer[16384];
	while (channel->answers < expected) {
		struct pollfd poll_fd = {channel->fd, POLLIN, 0};
		if (poll(&poll_fd, 1, RAW_WAIT_MS) == 0)
			return -ETIMEDOUT;
		ssize_t got = recv(channel->fd, buffer, sizeof(buffer), MSG_DONTWAIT);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (got <= 0)
			return -EPIPE;
		for (ssize_t i = 0; i < got; i++) {
			channel->partial[channel->partial_length++] = buffer[i];
			if (channel->partial_length < sizeof(struct binderd_message))
				continue;
			struct binderd_message message;
			memcpy(&message, channel->partial, sizeof(message));
			if (message.kind != BINDERD_MSG_RESULT || message.status != 0 ||
			    message.payload_size != sizeof(struct binder_version) ||
			    message.fd_count != 0)
				return -EBADMSG;
			if (channel->partial_length == sizeof(message) + message.payload_size) {
				channel->answers++;
				channel->partial_length = 0;
			}
		}
	}
	return 0;
}

static int open_flooded(struct raw_process *process, struct raw_thread *thread,
                        struct flooded *channel)
{
	int error = raw_open_thread(process, thread, 0);
	memset(channel, 0, sizeof(*channel));
	channel->fd = thread->fd;
	return error;
}

int abuse_unread_output(struct abuse_report *report)
{
	/* One thread never reads while it sends: binderd stops reading it
	 * rather than queueing (or dropping it), then serves every request
	 * once the answers are read. */
	struct raw_process process;
	int error = raw_open_process(&process, 0);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct raw_thread thread;
	struct flooded channel;
	error = open_flooded(&process, &thread, &channel);
	EXPECT(report, error == 0, "thread: %s", strerror(-error));
	int flooded = flood_until_stalled(&channel, 1);
	size_t requests = channel.bytes_sent / sizeof(struct binderd_request);
	int drained = flooded == 0 && !channel.closed ? read_all_answers(&channel) : 0;
	raw_close_thread(&thread);
	raw_close_process(&process);
	EXPECT(report, flooded == 0, "binderd took %zu requests and never stopped reading",
	       requests);
	EXPECT(report, !channel.closed,
	       "binderd closed a channel that did not read (after %zu requests) instead of "
	       "no longer reading it",
	       requests);
	EXPECT(report, drained == 0, "%zu answers of %zu requests: %s", channel.answers, requests,
	       strerror(-drained));
	return 0;
}

#define OUTPUT_PER_UID   (256 * 1024)
#define FLOODED_CHANNELS 12

static int flood_many(struct abuse_report *report, void *argument)
{
	(void)argument;
	struct raw_process process;
	int error = raw_open_process(&process, 0);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	static struct raw_thread threads[FLOODED_CHANNELS];
	static struct flooded channels[FLOODED_CHANNELS];
	for (int i = 0; i < FLOODED_CHANNELS; i++) {
		error = open_flooded(&process, &threads[i], &channels[i]);
		EXPECT(report, error == 0, "thread %d: %s", i, strerror(-error));
	}
	/* A channel binderd stopped reading stays stalled; one that only
	 * looked stalled (a busy binderd) takes more in the next round. */
	int flooded = 0, closed = 0, served = 0;
	for (int round = 0; round < STALL_ROUNDS && flooded == 0 && closed == 0; round++) {
		flooded = flood_until_stalled(channels, FLOODED_CHANNELS);
		for (int i = 0; i < FLOODED_CHANNELS; i++)
			closed += channels[i].closed;
	}
	closed = 0;
	for (int i = 0; i < FLOODED_CHANNELS; i++) {
		if (!channels[i].closed && read_all_answers(&channels[i]) == 0)
			served++;
		else
			closed++;
	}
	/* Only the channels over the budget went, not the process. */
	struct raw_thread again;
	int still = raw_open_thread(&process, &again, 0);
	if (still == 0)
		raw_close_thread(&again);
	for (int i = 0; i < FLOODED_CHANNELS; i++)
		raw_close_thread(&threads[i]);
	raw_close_process(&process);
	EXPECT(report, flooded == 0, "binderd never stopped reading a flooded channel");
	EXPECT(report, closed > 0,
	       "%d channels of uid %u hold unread output and none was closed (budget %d bytes)",
	       FLOODED_CHANNELS, (unsigned)getuid(), OUTPUT_PER_UID);
	EXPECT(report, served > 0, "every flooded channel was closed");
	EXPECT(report, still == 0, "the process lost its channel: %s", strerror(-still));
	return 0;
}

int abuse_unread_output_per_uid(struct abuse_report *report)
{
	if (!running_as_root())
		return skip_without_root("unread output per uid");
	static const char *const options[] = {"--uid-max-output", "262144", NULL};
	return run_against_private(options, flood_many, NULL, report);
}
