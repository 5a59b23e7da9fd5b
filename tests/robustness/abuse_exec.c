/*
 * abuse_exec.c - a hostile local user (nobody, uid 65534) against what
 * binderd believes of a process: that its memory stays the memory that
 * granted direct reads, and that its pid names the process that sends.
 *
 *  - setuid_exec: a process with direct reads queues a direct call one
 *    byte short on its thread channel, keeps its process channel, makes the
 *    thread channel stderr and execs a set-user-ID-root program
 *    (setuid_helper.c) whose first byte of stderr completes the call, with
 *    a payload that exists only in that program's memory. binderd must not
 *    read it: the call fails (BR_FAILED_REPLY) instead of going out. The
 *    same with HELLO completed by the program, its probe naming the
 *    program's secret (no direct reads may be granted), and with the
 *    program run plain, as the attacker's own user (an exec ends the grant
 *    all the same).
 *  - forked_sender_pid: a process without direct reads calls, forks and
 *    exits; once it is reaped its child calls through the same channels.
 *    sender_pid must be the sender's or 0, never the dead parent's pid,
 *    which anyone may hold by now. This one needs a receiver of its own,
 *    so it runs a private binderd (the one under test, found from
 *    $BINDERD_PID) and is its context manager; twice, the second time as
 *    on a kernel without SO_PEERPIDFD (Linux < 6.5: the test switch
 *    BINDERD_TEST_NO_PEERPIDFD=1, see driver/binderd/peer_pidfd.c).
 *
 * Both need root to set up (a set-user-ID program, another uid) and pass
 * with a note on stderr without it. Each runs in a child process of its
 * own, bounded by an alarm.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "abuses.h"
#include "echo_pair.h"
#include "setuid_helper.h"

#define ATTACKER_UID           65534
#define ISOLATED_ALARM_SECONDS 60
/* A served call waits this long for its caller (bounded, not a timing). */
#define SERVE_WAIT_MS 20000
#define HELPER_NAME   "abuse_setuid_helper"

/* What the observer of the setuid attack saw (one byte on a pipe). */
enum verdict {
	VERDICT_REFUSED = 'R',     /* BR_FAILED_REPLY: binderd would not read */
	VERDICT_LEAKED = 'L',      /* the call went out with the helper's secret */
	VERDICT_OTHER_REPLY = 'O', /* BR_REPLY with something else in it */
	VERDICT_NO_GRANT = 'N',    /* the attacker got no direct reads at all */
	VERDICT_NOTHING = 'T',     /* no outcome on the thread channel */
};

/* Calls of the forked-sender test. */
enum { FIRST_CALL = 1, SECOND_CALL = 2 };

/* Runs body in a child process, bounded by an alarm; its failure comes
 * back through a pipe. */
static int run_isolated(struct abuse_report *report, int (*body)(struct abuse_report *))
{
	int pipe_fds[2];
	EXPECT(report, pipe2(pipe_fds, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	pid_t child = fork();
	EXPECT(report, child >= 0, "fork: %s", strerror(errno));
	if (child == 0) {
		close(pipe_fds[0]);
		alarm(ISOLATED_ALARM_SECONDS);
		struct abuse_report mine = {.why = ""};
		int result = body(&mine);
		if (result != 0 && write(pipe_fds[1], mine.why, strlen(mine.why)) < 0)
			_exit(2);
		_exit(result == 0 ? 0 : 1);
	}
	close(pipe_fds[1]);
	char why[sizeof(report->why)] = "";
	size_t length = 0;
	ssize_t got;
	while (length < sizeof(why) - 1 &&
	       (got = read(pipe_fds[0], why + length, sizeof(why) - 1 - length)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		length += (size_t)got;
	}
	why[length] = '\0';
	close(pipe_fds[0]);
	int status = 0;
	EXPECT(report, waitpid(child, &status, 0) == child, "waitpid: %s", strerror(errno));
	EXPECT(report, WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s (child status %#x)",
	       length ? why : "no message", status);
	return 0;
}

/* Becomes nobody, as a process of its own (dumpable, as after a login). */
static int become_attacker(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(ATTACKER_UID, ATTACKER_UID, ATTACKER_UID) < 0 ||
	    setresuid(ATTACKER_UID, ATTACKER_UID, ATTACKER_UID) < 0)
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/* Lets every user reach the socket at path (search right on its
 * directory); *old_mode gets the directory's mode to put back. */
static int open_socket_directory(const char *path, char *directory, size_t size, mode_t *old_mode)
{
	snprintf(directory, size, "%s", path);
	char *slash = strrchr(directory, '/');
	if (!slash || slash == directory)
		return -EINVAL;
	*slash = '\0';
	struct stat status;
	if (stat(directory, &status) < 0)
		return -errno;
	*old_mode = status.st_mode & 07777;
	if (chmod(directory, *old_mode | 0111) < 0)
		return -errno;
	return 0;
}

/* The directory this test program runs from. */
static int program_directory(char *directory, size_t size)
{
	char path[PATH_MAX];
	ssize_t length = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (length < 0)
		return -errno;
	path[length] = '\0';
	snprintf(directory, size, "%s", dirname(path));
	return 0;
}

static int copy_file(const char *from, int to)
{
	int source = open(from, O_RDONLY | O_CLOEXEC);
	if (source < 0)
		return -errno;
	char chunk[16384];
	ssize_t got;
	int error = 0;
	while ((got = read(source, chunk, sizeof(chunk))) > 0) {
		if (write(to, chunk, (size_t)got) != got) {
			error = -EIO;
			break;
		}
	}
	if (got < 0)
		error = -errno;
	close(source);
	return error;
}

/* A fresh directory everyone may enter, on a file system that honours
 * set-user-ID bits. */
static int make_helper_directory(char *directory, size_t size)
{
	char built[PATH_MAX];
	int error = program_directory(built, sizeof(built));
	if (error)
		return error;
	struct statvfs file_system;
	const char *parent = "/tmp";
	if (statvfs(parent, &file_system) == 0 && (file_system.f_flag & ST_NOSUID))
		parent = built;
	int length = snprintf(directory, size, "%s/abuse-exec.XXXXXX", parent);
	if (length < 0 || (size_t)length >= size)
		return -ENAMETOOLONG;
	if (!mkdtemp(directory))
		return -errno;
	return chmod(directory, 0755) < 0 ? -errno : 0;
}

/* Copies the helper built next to this program into directory as name,
 * owned by root with mode (04755: set-user-ID root). */
static int install_helper(const char *directory, const char *name, mode_t mode, char *path,
                          size_t size)
{
	char built[PATH_MAX];
	int error = program_directory(built, sizeof(built));
	if (error)
		return error;
	snprintf(path, size, "%s/%s", directory, name);
	int to = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (to < 0)
		return -errno;
	char source[PATH_MAX + sizeof(HELPER_NAME) + 1];
	snprintf(source, sizeof(source), "%s/%s", built, HELPER_NAME);
	error = copy_file(source, to);
	if (!error && (fchown(to, 0, 0) < 0 || fchmod(to, mode) < 0))
		error = -errno;
	close(to);
	return error;
}

/* BINDER_WRITE_READ with one direct two-way echo call of data_size bytes
 * at the helper's secret address, as the bytes of a thread-channel
 * request. The last byte (of data.ptr.offsets, zero) is the helper's
 * first byte of stderr. */
static size_t setuid_exec_request(uint8_t *bytes, size_t capacity, size_t data_size)
{
	struct bc_stream *stream = malloc(sizeof(*stream));
	if (!stream)
		return 0;
	bc_reset(stream);
	bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_ECHO, BINDERD_TF_DIRECT,
	                   SETUID_HELPER_SECRET_ADDRESS, data_size, 0, 0, 0);
	struct binderd_write_read header = {.write_size = stream->size, .read_size = 4096};
	struct binderd_request request = {
	        .op = BINDERD_OP_IOCTL,
	        .payload_size = (uint32_t)(sizeof(header) + stream->size),
	        .arg = BINDER_WRITE_READ,
	};
	size_t size = sizeof(request) + sizeof(header) + stream->size;
	if (size > capacity) {
		free(stream);
		return 0;
	}
	memcpy(bytes, &request, sizeof(request));
	memcpy(bytes + sizeof(request), &header, sizeof(header));
	memcpy(bytes + sizeof(request) + sizeof(header), stream->bytes, stream->size);
	free(stream);
	return size;
}

/* The observer: reads the answer binderd sends on the thread channel (it
 * only reads: a request from another pid would close the channel). */
static enum verdict observe_answer(int thread_fd, size_t data_size)
{
	struct {
		struct binderd_write_read_result header;
		uint8_t read[4096];
	} answer;
	struct binderd_message message;
	if (raw_receive(thread_fd, &message, &answer, sizeof(answer), NULL, 0, SERVE_WAIT_MS) !=
	            0 ||
	    message.status != 0 || message.payload_size < sizeof(answer.header))
		return VERDICT_NOTHING;
	size_t size = message.payload_size - sizeof(answer.header), position = 0;
	while (position + sizeof(uint32_t) <= size) {
		uint32_t cmd;
		memcpy(&cmd, answer.read + position, sizeof(cmd));
		position += sizeof(cmd);
		int argument = br_argument_size(cmd);
		if (argument < 0 || size - position < (size_t)argument)
			return VERDICT_NOTHING;
		if (cmd == BR_FAILED_REPLY || cmd == BR_DEAD_REPLY)
			return VERDICT_REFUSED;
		/* The call went out: binderd took its payload from the only
		 * address space where it exists, the helper's. (Its reply
		 * comes with a later read, which only the helper could ask.) */
		if (cmd == BR_TRANSACTION_COMPLETE)
			return VERDICT_LEAKED;
		if (cmd == BR_REPLY) {
			struct binder_transaction_data reply;
			memcpy(&reply, answer.read + position, sizeof(reply));
			/* The area is mapped here as in the attacker (fork). */
			const char *data = (const char *)(uintptr_t)reply.data.ptr.buffer;
			if (reply.data_size == data_size &&
			    memcmp(data, SETUID_HELPER_SECRET, sizeof(SETUID_HELPER_SECRET)) == 0)
				return VERDICT_LEAKED;
			return VERDICT_OTHER_REPLY;
		}
		position += (size_t)argument;
	}
	return VERDICT_NOTHING;
}

static void send_verdict(int fd, enum verdict verdict)
{
	char byte = (char)verdict;
	if (write(fd, &byte, 1) != 1)
		_exit(2);
}

/* What the helper's first byte of stderr completes. */
enum attack_kind {
	ATTACK_CALL,       /* a direct call queued on a thread channel with direct reads */
	ATTACK_LARGE_CALL, /* the same, of all SETUID_HELPER_SECRET_SIZE bytes */
	ATTACK_HELLO,      /* HELLO, whose probe names the helper's secret */
};

static size_t attack_data_size(enum attack_kind kind)
{
	return kind == ATTACK_LARGE_CALL ? SETUID_HELPER_SECRET_SIZE : sizeof(SETUID_HELPER_SECRET);
}

/* HELLO whose probe names the last 8 bytes of the helper's secret (the
 * last of them its NUL, the last byte of the request): a grant means
 * binderd read them from the helper. */
static size_t hello_request(uint8_t *bytes, size_t capacity)
{
	static const char secret[] = SETUID_HELPER_SECRET;
	struct binderd_hello hello = {.probe_address = SETUID_HELPER_SECRET_ADDRESS +
	                                               sizeof(secret) - sizeof(uint64_t)};
	memcpy(&hello.probe_value, secret + sizeof(secret) - sizeof(uint64_t), sizeof(uint64_t));
	struct binderd_request request = {.op = BINDERD_OP_HELLO,
	                                  .payload_size = sizeof(hello),
	                                  .arg = BINDERD_PROTOCOL_VERSION};
	if (sizeof(request) + sizeof(hello) > capacity)
		return 0;
	memcpy(bytes, &request, sizeof(request));
	memcpy(bytes + sizeof(request), &hello, sizeof(hello));
	return sizeof(request) + sizeof(hello);
}

/* The observer of a HELLO the helper completed: reads its answer. */
static enum verdict observe_hello(int process_fd)
{
	struct binderd_message message;
	struct binderd_hello_reply reply;
	if (raw_receive(process_fd, &message, &reply, sizeof(reply), NULL, 0, SERVE_WAIT_MS) != 0 ||
	    message.status != 0 || message.payload_size != sizeof(reply))
		return VERDICT_NOTHING;
	return reply.flags & BINDERD_HELLO_DIRECT_READS ? VERDICT_LEAKED : VERDICT_REFUSED;
}

/* Queues a direct call one byte short on a connection with direct reads;
 * *stderr_fd gets its thread channel, *keep_fd its process channel. */
static int queue_call(struct raw_abuser *abuser, size_t data_size, int verdict_fd, int *stderr_fd,
                      int *keep_fd)
{
	static volatile uint64_t probe_word = 0x5e7e1dc0ffee0001u;
	struct binderd_hello hello = {.probe_address = (uint64_t)(uintptr_t)&probe_word,
	                              .probe_value = probe_word};
	raw_hello_probe = &hello;
	int error = raw_abuser_open(abuser);
	raw_hello_probe = NULL;
	if (error)
		return 11;
	if (!abuser->process.direct_reads) {
		send_verdict(verdict_fd, VERDICT_NO_GRANT);
		return -1;
	}
	uint8_t request[512];
	size_t size = setuid_exec_request(request, sizeof(request), data_size);
	if (size == 0 || raw_send_bytes(abuser->thread.fd, request, size - 1) != 0)
		return 12;
	*stderr_fd = abuser->thread.fd;
	*keep_fd = abuser->process.fd;
	return 0;
}

/* Queues HELLO one byte short on a new connection (stderr and kept). */
static int queue_hello(int *stderr_fd, int *keep_fd)
{
	int fd = raw_connect();
	if (fd < 0)
		return 11;
	uint8_t request[128];
	size_t size = hello_request(request, sizeof(request));
	if (size == 0 || raw_send_bytes(fd, request, size - 1) != 0)
		return 12;
	*stderr_fd = *keep_fd = fd;
	return 0;
}

/* The attacker: becomes nobody, queues a request one byte short, leaves an
 * observer behind and execs the helper with that channel as stderr (and
 * its process channel kept). Does not return unless the exec failed. */
static int attack(const char *helper, bool plain, enum attack_kind kind, int verdict_fd)
{
	if (become_attacker() < 0)
		return 10;
	/* The secret's address means nothing here: only the helper has it. */
	if (msync((void *)(uintptr_t)SETUID_HELPER_SECRET_ADDRESS, 1, MS_ASYNC) == 0 ||
	    errno != ENOMEM)
		return 18;
	struct raw_abuser abuser;
	int stderr_fd = -1, keep_fd = -1;
	int error = kind == ATTACK_HELLO ? queue_hello(&stderr_fd, &keep_fd)
	                                 : queue_call(&abuser, attack_data_size(kind), verdict_fd,
	                                              &stderr_fd, &keep_fd);
	if (error)
		return error < 0 ? 0 : error;
	int release[2];
	if (pipe(release) < 0)
		return 13;
	pid_t observer = fork();
	if (observer < 0)
		return 14;
	if (observer == 0) {
		close(release[0]);
		send_verdict(verdict_fd,
		             kind == ATTACK_HELLO
		                     ? observe_hello(stderr_fd)
		                     : observe_answer(stderr_fd, attack_data_size(kind)));
		/* Let the helper go; it keeps its memory until then. */
		if (write(release[1], "", 1) != 1)
			_exit(2);
		_exit(0);
	}
	close(verdict_fd);
	close(release[1]);
	int flags = fcntl(keep_fd, F_GETFD);
	if (flags < 0 || fcntl(keep_fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
		return 15;
	if (dup2(release[0], STDIN_FILENO) < 0 || dup2(stderr_fd, STDERR_FILENO) < 0)
		return 16;
	execl(helper, helper, plain ? SETUID_HELPER_PLAIN : NULL, (char *)NULL);
	return 17;
}

/* One attack with helper; *verdict and *status (the helper's exit) set. */
static int exec_attack(struct abuse_report *report, const char *helper, bool plain,
                       enum attack_kind kind, char *verdict, int *status)
{
	int verdict_pipe[2];
	EXPECT(report, pipe2(verdict_pipe, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	pid_t attacker = fork();
	EXPECT(report, attacker >= 0, "fork: %s", strerror(errno));
	if (attacker == 0) {
		close(verdict_pipe[0]);
		_exit(attack(helper, plain, kind, verdict_pipe[1]));
	}
	close(verdict_pipe[1]);
	*verdict = VERDICT_NOTHING;
	ssize_t got;
	do
		got = read(verdict_pipe[0], verdict, 1);
	while (got < 0 && errno == EINTR);
	close(verdict_pipe[0]);
	*status = 0;
	EXPECT(report, waitpid(attacker, status, 0) == attacker, "waitpid: %s", strerror(errno));
	return 0;
}

static int setuid_exec_attacks(struct abuse_report *report, const char *directory)
{
	char helper[PATH_MAX + sizeof(HELPER_NAME) + 1];
	char verdict;
	int status;

	/* A set-user-ID-root program: its user is not the process's. */
	int error = install_helper(directory, HELPER_NAME, 04755, helper, sizeof(helper));
	EXPECT(report, error == 0, "installing the setuid helper: %s", strerror(-error));
	if (exec_attack(report, helper, false, ATTACK_CALL, &verdict, &status))
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == SETUID_HELPER_NOT_ROOT) {
		fprintf(stderr, "setuid_exec: the set-user-ID bit did not take here: skipped\n");
		return 0;
	}
	if (verdict == VERDICT_NO_GRANT) {
		fprintf(stderr, "setuid_exec: binderd grants no direct reads here: skipped\n");
		return 0;
	}
	EXPECT(report, verdict != VERDICT_LEAKED,
	       "binderd read the setuid program's memory: the call went out with a "
	       "payload only that program had");
	EXPECT(report, verdict == VERDICT_REFUSED, "outcome '%c' (attacker/helper status %#x)",
	       verdict, status);
	EXPECT(report, WIFEXITED(status) && WEXITSTATUS(status) == 0, "helper status %#x", status);

	/* A call large enough that binderd reads it with process_vm_readv
	 * (as the process's user, which may not read the setuid program). */
	if (exec_attack(report, helper, false, ATTACK_LARGE_CALL, &verdict, &status))
		return -1;
	EXPECT(report, verdict != VERDICT_LEAKED,
	       "binderd read the setuid program's memory for a large call");
	EXPECT(report, verdict == VERDICT_REFUSED, "large: outcome '%c' (status %#x)", verdict,
	       status);
	EXPECT(report, WIFEXITED(status) && WEXITSTATUS(status) == 0, "helper status %#x", status);

	/* The same program completes HELLO: its user is not the one that
	 * connected, and the probe must not read its memory. */
	if (exec_attack(report, helper, false, ATTACK_HELLO, &verdict, &status))
		return -1;
	EXPECT(report, verdict != VERDICT_LEAKED,
	       "binderd granted direct reads on a probe of the setuid program's memory");
	EXPECT(report, verdict == VERDICT_REFUSED, "hello: outcome '%c' (status %#x)", verdict,
	       status);
	EXPECT(report, WIFEXITED(status) && WEXITSTATUS(status) == 0, "helper status %#x", status);

	/* A plain program of the same user: the grant ended with the exec
	 * all the same, for the new image is not the one that granted. */
	error = install_helper(directory, "abuse_plain_helper", 0755, helper, sizeof(helper));
	EXPECT(report, error == 0, "installing the plain helper: %s", strerror(-error));
	if (exec_attack(report, helper, true, ATTACK_CALL, &verdict, &status))
		return -1;
	EXPECT(report, verdict != VERDICT_LEAKED,
	       "binderd read the memory of a program exec'd after the grant");
	EXPECT(report, verdict == VERDICT_REFUSED, "plain: outcome '%c' (status %#x)", verdict,
	       status);
	EXPECT(report, WIFEXITED(status) && WEXITSTATUS(status) == 0, "plain helper status %#x",
	       status);
	if (exec_attack(report, helper, true, ATTACK_LARGE_CALL, &verdict, &status))
		return -1;
	EXPECT(report, verdict != VERDICT_LEAKED,
	       "binderd read a program exec'd after the grant for a large call");
	EXPECT(report, verdict == VERDICT_REFUSED, "plain, large: outcome '%c' (status %#x)",
	       verdict, status);
	EXPECT(report, WIFEXITED(status) && WEXITSTATUS(status) == 0, "plain helper status %#x",
	       status);
	return 0;
}

static int setuid_exec_body(struct abuse_report *report)
{
	if (geteuid() != 0) {
		fprintf(stderr, "setuid_exec: needs root to install a setuid program: skipped\n");
		return 0;
	}
	char directory[PATH_MAX];
	int error = make_helper_directory(directory, sizeof(directory));
	EXPECT(report, error == 0, "helper directory: %s", strerror(-error));
	char socket_directory[PATH_MAX];
	mode_t old_mode = 0;
	const char *device = getenv("BINDER_DEVICE");
	error = open_socket_directory(device ? device : "", socket_directory,
	                              sizeof(socket_directory), &old_mode);
	EXPECT(report, error == 0, "socket directory: %s", strerror(-error));
	int result = setuid_exec_attacks(report, directory);
	chmod(socket_directory, old_mode);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/%s", directory, HELPER_NAME);
	unlink(path);
	snprintf(path, sizeof(path), "%s/abuse_plain_helper", directory);
	unlink(path);
	rmdir(directory);
	return result;
}

int abuse_setuid_exec(struct abuse_report *report)
{
	return run_isolated(report, setuid_exec_body);
}

/* ---- sender_pid after the sender's parent is gone ---- */

/* One two-way call to handle 0 whose data is the caller's pid. Returns
 * the outcome as raw_transact. */
static int call_with_pid(struct raw_abuser *abuser, uint32_t code)
{
	pid_t self = getpid();
	memcpy(abuser->thread.send_area, &self, sizeof(self));
	struct bc_stream *stream = malloc(sizeof(*stream));
	if (!stream)
		return -ENOMEM;
	bc_reset(stream);
	bc_add_transaction(stream, BC_TRANSACTION, 0, code, 0, 0, sizeof(self), 0, 0, 0);
	int outcome = raw_transact(abuser, stream, false);
	free(stream);
	return outcome;
}

/* The first process: connects (no direct reads), calls, forks a child
 * that calls once told to, and exits. */
static int connect_call_fork_exit(int go_fd)
{
	if (become_attacker() < 0)
		return 10;
	struct raw_abuser abuser;
	if (raw_abuser_open(&abuser) != 0)
		return 11;
	if (call_with_pid(&abuser, FIRST_CALL) != (int)BR_REPLY)
		return 12;
	pid_t child = fork();
	if (child < 0)
		return 13;
	if (child == 0) {
		char byte;
		if (read(go_fd, &byte, 1) != 1)
			_exit(20);
		_exit(call_with_pid(&abuser, SECOND_CALL) == (int)BR_REPLY ? 0 : 21);
	}
	return 0;
}

struct served_call {
	uint32_t code;
	pid_t sender_pid;
	pid_t caller_says; /* the pid in the data */
};

/* Most reads before a call shows up (completions of earlier replies come
 * first). */
#define SERVE_ROUNDS 8

/* Answers a call with an empty reply, freeing its buffer. */
static int reply_to(struct raw_abuser *manager, const struct binder_transaction_data *txn)
{
	struct bc_stream *stream = malloc(sizeof(*stream));
	if (!stream)
		return -ENOMEM;
	bc_reset(stream);
	bc_add_u32(stream, BC_FREE_BUFFER);
	bc_add(stream, &txn->data.ptr.buffer, sizeof(txn->data.ptr.buffer));
	bc_add_transaction(stream, BC_REPLY, 0, 0, 0, 0, 0, 0, 0, 0);
	uint64_t consumed = 0;
	int error = raw_write_only(manager, stream, &consumed);
	if (!error && consumed != stream->size)
		error = -EIO;
	free(stream);
	return error;
}

/* Looks for a call in what one read brought: 1 when found (*txn set). */
static int find_call(const struct raw_write_read *result, struct binder_transaction_data *txn)
{
	size_t position = 0;
	while (position + sizeof(uint32_t) <= result->read_size) {
		uint32_t cmd;
		memcpy(&cmd, result->read + position, sizeof(cmd));
		position += sizeof(cmd);
		int argument = br_argument_size(cmd);
		if (argument < 0 || result->read_size - position < (size_t)argument)
			return -EBADMSG;
		if (cmd == BR_TRANSACTION) {
			memcpy(txn, result->read + position, sizeof(*txn));
			return 1;
		}
		position += (size_t)argument;
	}
	return 0;
}

/* Waits for one call to the manager, answers it with an empty reply. */
static int serve_one(struct raw_abuser *manager, struct served_call *call, bool enter_looper)
{
	uint32_t enter = BC_ENTER_LOOPER;
	for (int round = 0; round < SERVE_ROUNDS; round++) {
		size_t write_size = enter_looper && round == 0 ? sizeof(enter) : 0;
		int error = raw_write_read(&manager->thread, &enter, write_size, 4096, 0,
		                           manager->result, SERVE_WAIT_MS);
		if (error)
			return error;
		if (manager->result->status)
			return manager->result->status;
		struct binder_transaction_data txn;
		int found = find_call(manager->result, &txn);
		if (found < 0)
			return found;
		if (!found)
			continue;
		call->code = txn.code;
		call->sender_pid = txn.sender_pid;
		call->caller_says = 0;
		if (txn.data_size == sizeof(pid_t))
			memcpy(&call->caller_says, (const void *)(uintptr_t)txn.data.ptr.buffer,
			       sizeof(pid_t));
		return reply_to(manager, &txn);
	}
	return -ENOMSG;
}

/* Starts the binderd under test on a private socket in directory, as on
 * a kernel without SO_PEERPIDFD if no_peer_pidfd. */
static pid_t start_private_binderd(const char *directory, char *socket_path, size_t size,
                                   bool no_peer_pidfd)
{
	const char *daemon_pid = getenv("BINDERD_PID");
	if (!daemon_pid)
		return -ENOENT;
	char link[64], program[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/%s/exe", daemon_pid);
	ssize_t length = readlink(link, program, sizeof(program) - 1);
	if (length < 0)
		return -errno;
	program[length] = '\0';
	snprintf(socket_path, size, "%s/binder.sock", directory);
	pid_t daemon = fork();
	if (daemon < 0)
		return -errno;
	if (daemon == 0) {
		if (no_peer_pidfd)
			setenv("BINDERD_TEST_NO_PEERPIDFD", "1", 1);
		else
			unsetenv("BINDERD_TEST_NO_PEERPIDFD");
		execl(program, program, "--socket", socket_path, "--log-level", "error",
		      (char *)NULL);
		_exit(127);
	}
	/* Bounded wait for the socket (the daemon may be slow to start). */
	for (int attempt = 0; attempt < 400; attempt++) {
		struct stat status;
		if (stat(socket_path, &status) == 0 && S_ISSOCK(status.st_mode))
			return daemon;
		if (waitpid(daemon, NULL, WNOHANG) == daemon)
			return -ECHILD;
		usleep(50 * 1000);
	}
	kill(daemon, SIGKILL);
	waitpid(daemon, NULL, 0);
	return -ETIMEDOUT;
}

static int stop_private_binderd(pid_t daemon)
{
	kill(daemon, SIGTERM);
	int status = 0;
	if (waitpid(daemon, &status, 0) != daemon)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int forked_sender_pid_calls(struct abuse_report *report)
{
	struct raw_abuser manager;
	int error = raw_abuser_open(&manager);
	EXPECT(report, error == 0, "manager open: %s", strerror(-error));
	int zero = 0;
	error = raw_ioctl(&manager.thread, BINDER_SET_CONTEXT_MGR, &zero, sizeof(zero), NULL, 0);
	EXPECT(report, error == 0, "BINDER_SET_CONTEXT_MGR: %s", strerror(-error));
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

	int go[2];
	EXPECT(report, pipe2(go, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	pid_t first = fork();
	EXPECT(report, first >= 0, "fork: %s", strerror(errno));
	if (first == 0) {
		close(go[1]);
		_exit(connect_call_fork_exit(go[0]));
	}
	close(go[0]);

	struct served_call call;
	error = serve_one(&manager, &call, true);
	EXPECT(report, error == 0, "serving the first call: %s", strerror(-error));
	EXPECT(report, call.code == FIRST_CALL && call.caller_says == first,
	       "first call %u from %d", call.code, call.caller_says);
	EXPECT(report, call.sender_pid == first, "first call: sender_pid %d, caller %d",
	       call.sender_pid, first);

	int status = 0;
	EXPECT(report, waitpid(first, &status, 0) == first, "waitpid: %s", strerror(errno));
	EXPECT(report, WIFEXITED(status) && WEXITSTATUS(status) == 0, "first process status %#x",
	       status);
	/* The first process is reaped: its pid is free for anyone to take.
	 * Its child calls through the connection it left behind. */
	EXPECT(report, write(go[1], "", 1) == 1, "go: %s", strerror(errno));
	close(go[1]);
	error = serve_one(&manager, &call, false);
	EXPECT(report, error == 0, "serving the second call: %s", strerror(-error));
	EXPECT(report, call.code == SECOND_CALL, "second call code %u", call.code);
	EXPECT(report, call.sender_pid != first,
	       "the child's call carries its dead parent's pid %d as its sender", first);
	EXPECT(report, call.sender_pid == 0 || call.sender_pid == call.caller_says,
	       "second call: sender_pid %d, neither 0 nor the caller %d", call.sender_pid,
	       call.caller_says);
	/* The child is ours to reap (subreaper): its call got its reply. */
	EXPECT(report, waitpid(call.caller_says, &status, 0) == call.caller_says, "waitpid: %s",
	       strerror(errno));
	EXPECT(report, WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child's status %#x",
	       status);
	raw_abuser_close(&manager);
	return 0;
}

/* One round against a private binderd: as the kernel runs it, or as on
 * a kernel without SO_PEERPIDFD. */
static int forked_sender_pid_round(struct abuse_report *report, bool no_peer_pidfd)
{
	char directory[] = "/tmp/abuse-pid.XXXXXX";
	EXPECT(report, mkdtemp(directory) != NULL, "mkdtemp: %s", strerror(errno));
	EXPECT(report, chmod(directory, 0755) == 0, "chmod: %s", strerror(errno));
	char socket_path[sizeof(directory) + 32];
	pid_t daemon =
	        start_private_binderd(directory, socket_path, sizeof(socket_path), no_peer_pidfd);
	if (daemon == -ENOENT) {
		rmdir(directory);
		fprintf(stderr, "forked_sender_pid: no $BINDERD_PID: skipped\n");
		return 0;
	}
	EXPECT(report, daemon > 0, "starting a private binderd: %s", strerror((int)-daemon));
	setenv("BINDER_DEVICE", socket_path, 1);
	int result = forked_sender_pid_calls(report);
	int stopped = stop_private_binderd(daemon);
	unlink(socket_path);
	rmdir(directory);
	if (result != 0)
		return result;
	EXPECT(report, stopped == 0, "the private binderd did not exit cleanly");
	return 0;
}

static int forked_sender_pid_body(struct abuse_report *report)
{
	if (geteuid() != 0) {
		fprintf(stderr, "forked_sender_pid: needs root to change users: skipped\n");
		return 0;
	}
	int result = forked_sender_pid_round(report, false);
	if (result != 0)
		return result;
	fprintf(stderr, "forked_sender_pid: again as on a kernel without SO_PEERPIDFD\n");
	return forked_sender_pid_round(report, true);
}

int abuse_forked_sender_pid(struct abuse_report *report)
{
	return run_isolated(report, forked_sender_pid_body);
}
