/*
 * abuse_held_completes.c - abuse of held completes (BINDERD_WR_HOLD_COMPLETE,
 * see <binderd/socket_protocol.h>): a blocking read that finds only
 * BR_TRANSACTION_COMPLETE keeps it and waits on for work. A raw service (the
 * context manager of a private binderd) replies with a held read: nothing
 * comes back while nothing happens, and the next call then arrives with the
 * complete, in one answer. A nonblocking held read, a reply to a dead
 * caller, a death notification, a new thread's first read and a thread that
 * is neither a looper nor in a call end as they should, every channel stays
 * in step, and binderd keeps serving others.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "abuses.h"
#include "binderd_status.h"
#include "echo_pair.h"

/* A held read must not answer while nothing happens: nothing can make it
 * answer in that state, so this bounds a check, it is not a timing. */
#define HOLD_QUIET_MS   300
#define HELD_READ_SIZE  4096
#define HELD_STREAM_MAX 256
/* Round trips before a wait for a call or a reply gives up. */
#define HELD_ROUNDS 16
/* Commands of one read that are looked at. */
#define HELD_MAX_COMMANDS 16
/* The private binderd: bounded start and stop. */
#define HELD_START_MS 10000
#define HELD_STOP_MS  10000
#define HELD_PAUSE_MS 10
/* Where things go in a send area. */
#define DATA_AT    0
#define OFFSETS_AT 64
/* What the callers and the service say. */
#define CALL_CODE    1
#define ONEWAY_SIZE  8
#define BAD_HANDLE   0x7fffu
#define CALLER_NODE  0x2000u
#define DEATH_COOKIE 0xd1e5u

/* ---- a private binderd, whose context manager is a raw service ---- */

struct held_binderd {
	pid_t pid;
	char directory[64];
	char socket[96];
	char *saved_device;
};

static long long held_now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void held_pause(void)
{
	struct timespec pause = {0, HELD_PAUSE_MS * 1000000L};
	nanosleep(&pause, NULL);
}

static void held_binderd_restore(struct held_binderd *daemon)
{
	if (daemon->saved_device)
		setenv("BINDER_DEVICE", daemon->saved_device, 1);
	else
		unsetenv("BINDER_DEVICE");
	free(daemon->saved_device);
	daemon->saved_device = NULL;
	unlink(daemon->socket);
	rmdir(daemon->directory);
}

/* Stops it (SIGTERM, SIGKILL after a bound) and points BINDER_DEVICE back.
 * 0 when it exited cleanly (with a sanitizer: no report), else -EIO. */
static int held_binderd_stop(struct held_binderd *daemon)
{
	int status = 0;
	bool exited = false;
	kill(daemon->pid, SIGTERM);
	long long deadline = held_now_ms() + HELD_STOP_MS;
	while (!exited && held_now_ms() < deadline) {
		exited = waitpid(daemon->pid, &status, WNOHANG) == daemon->pid;
		if (!exited)
			held_pause();
	}
	if (!exited) {
		kill(daemon->pid, SIGKILL);
		waitpid(daemon->pid, &status, 0);
	}
	held_binderd_restore(daemon);
	return exited && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/* Starts the binderd under test (the same executable) on a socket of its
 * own and points BINDER_DEVICE at it. 0 or -errno. */
static int held_binderd_start(struct held_binderd *daemon)
{
	memset(daemon, 0, sizeof(*daemon));
	char link[64], executable[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)binderd_pid());
	ssize_t length = readlink(link, executable, sizeof(executable) - 1);
	if (length <= 0)
		return -ESRCH;
	executable[length] = '\0';
	snprintf(daemon->directory, sizeof(daemon->directory), "/tmp/binderd-held.XXXXXX");
	if (!mkdtemp(daemon->directory))
		return -errno;
	snprintf(daemon->socket, sizeof(daemon->socket), "%s/binder.sock", daemon->directory);
	pid_t child = fork();
	if (child < 0) {
		int error = -errno;
		rmdir(daemon->directory);
		return error;
	}
	if (child == 0) {
		close_range(3, ~0u, 0);
		execl(executable, executable, "--socket", daemon->socket, "--log-level", "error",
		      (char *)NULL);
		_exit(127);
	}
	daemon->pid = child;
	const char *device = getenv("BINDER_DEVICE");
	daemon->saved_device = device ? strdup(device) : NULL;
	setenv("BINDER_DEVICE", daemon->socket, 1);
	/* Serving once a hello is answered. */
	long long deadline = held_now_ms() + HELD_START_MS;
	for (;;) {
		struct raw_process probe;
		if (raw_open_process(&probe, 0) == 0) {
			raw_close_process(&probe);
			return 0;
		}
		if (waitpid(child, NULL, WNOHANG) == child || held_now_ms() > deadline) {
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
			held_binderd_restore(daemon);
			return -ECHILD;
		}
		held_pause();
	}
}

/* ---- BINDER_WRITE_READ in two halves, and what a read says ---- */

/* Sends stream (may be NULL) with a read of HELD_READ_SIZE and flags
 * (BINDERD_WR_*), not waiting for the answer. 0 or -errno. */
static int start_write_read(struct raw_thread *thread, const struct bc_stream *stream,
                            uint32_t flags)
{
	size_t size = stream ? stream->size : 0;
	struct binderd_write_read header = {
	        .write_size = size, .read_size = HELD_READ_SIZE, .flags = flags};
	uint8_t payload[sizeof(header) + HELD_STREAM_MAX];
	if (size > HELD_STREAM_MAX)
		return -EINVAL;
	memcpy(payload, &header, sizeof(header));
	if (size)
		memcpy(payload + sizeof(header), stream->bytes, size);
	return raw_send_request(thread->fd, BINDERD_OP_IOCTL, BINDER_WRITE_READ, payload,
	                        sizeof(header) + size, NULL, 0, 0);
}

/* The answer to the request start_write_read sent, if it comes within
 * timeout_ms: 0 (result filled in), -ETIMEDOUT, or another -errno. */
static int finish_write_read(struct raw_thread *thread, struct raw_write_read *result,
                             int timeout_ms)
{
	struct {
		struct binderd_write_read_result header;
		uint8_t read[HELD_READ_SIZE];
	} answer;
	struct binderd_message message;
	int error = raw_receive(thread->fd, &message, &answer, sizeof(answer), NULL, 0, timeout_ms);
	if (error < 0)
		return error;
	if (message.kind != BINDERD_MSG_RESULT || message.payload_size < sizeof(answer.header))
		return -EBADMSG;
	size_t got = message.payload_size - sizeof(answer.header);
	if (answer.header.read_size != got)
		return -EBADMSG;
	result->status = message.status;
	result->write_consumed = answer.header.write_consumed;
	result->read_size = got;
	memcpy(result->read, answer.read, got);
	return 0;
}

/* The BR_ commands of one read, in order. */
struct br_list {
	size_t count;
	uint32_t cmds[HELD_MAX_COMMANDS];
	struct binder_transaction_data txn; /* the last BR_TRANSACTION/BR_REPLY's */
	binder_uintptr_t cookie;            /* the last BR_DEAD_BINDER's */
	char text[HELD_MAX_COMMANDS * 12];  /* the commands, for messages */
};

/* 0, or -EBADMSG if the read does not parse (or is too long to look at). */
static int parse_read(const struct raw_write_read *result, struct br_list *list)
{
	memset(list, 0, sizeof(*list));
	size_t position = 0, used = 0;
	while (result->read_size - position >= sizeof(uint32_t)) {
		uint32_t cmd;
		memcpy(&cmd, result->read + position, sizeof(cmd));
		position += sizeof(cmd);
		int argument = br_argument_size(cmd);
		if (argument < 0 || result->read_size - position < (size_t)argument ||
		    list->count == HELD_MAX_COMMANDS)
			return -EBADMSG;
		if (cmd == BR_TRANSACTION || cmd == BR_REPLY)
			memcpy(&list->txn, result->read + position, sizeof(list->txn));
		if (cmd == BR_DEAD_BINDER)
			memcpy(&list->cookie, result->read + position, sizeof(list->cookie));
		position += (size_t)argument;
		list->cmds[list->count++] = cmd;
		used += (size_t)snprintf(list->text + used, sizeof(list->text) - used, " %#x", cmd);
	}
	return position == result->read_size ? 0 : -EBADMSG;
}

/* The read is exactly the expected commands, in order. */
static bool read_is(const struct br_list *list, const uint32_t *expected, size_t count)
{
	if (list->count != count)
		return false;
	for (size_t i = 0; i < count; i++)
		if (list->cmds[i] != expected[i])
			return false;
	return true;
}

static bool read_has(const struct br_list *list, uint32_t cmd)
{
	for (size_t i = 0; i < list->count; i++)
		if (list->cmds[i] == cmd)
			return true;
	return false;
}

/* A request that gets its own answer: the channel is in step. 0 or -errno. */
static int in_step(struct raw_thread *thread)
{
	struct binder_version version = {0};
	int status = raw_ioctl(thread, BINDER_VERSION, NULL, 0, &version, sizeof(version));
	if (status == 0 && version.protocol_version != BINDER_CURRENT_PROTOCOL_VERSION)
		return -EPROTO;
	return status;
}

/* ---- the raw service and its callers ---- */

/* The context manager, a looper. 0 or -errno. */
static int service_open(struct raw_abuser *service)
{
	int error = raw_abuser_open(service);
	if (error)
		return error;
	int zero = 0;
	error = raw_ioctl(&service->thread, BINDER_SET_CONTEXT_MGR, &zero, sizeof(zero), NULL, 0);
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_u32(&stream, BC_ENTER_LOOPER);
	uint64_t consumed = 0;
	if (!error)
		error = raw_write_only(service, &stream, &consumed);
	if (!error && consumed != stream.size)
		error = -EIO;
	if (error)
		raw_abuser_close(service);
	return error;
}

/* Reads until a call comes (it must have been sent). 0 or -errno. */
static int service_receive(struct raw_abuser *service, struct binder_transaction_data *txn)
{
	for (int round = 0; round < HELD_ROUNDS; round++) {
		int error = raw_write_read(&service->thread, NULL, 0, HELD_READ_SIZE, 0,
		                           service->result, RAW_WAIT_MS);
		if (error)
			return error;
		if (service->result->status)
			return service->result->status;
		struct br_list list;
		if (parse_read(service->result, &list) < 0)
			return -EBADMSG;
		if (read_has(&list, BR_TRANSACTION)) {
			*txn = list.txn;
			return 0;
		}
	}
	return -ENOMSG;
}

/* Gives the call's buffer back and replies to it (a few bytes). */
static void stage_reply(struct raw_abuser *service, struct bc_stream *stream,
                        const struct binder_transaction_data *txn)
{
	static const char reply[] = "reply";
	memcpy(service->thread.send_area + DATA_AT, reply, sizeof(reply));
	binder_uintptr_t buffer = txn->data.ptr.buffer;
	bc_reset(stream);
	bc_add_u32(stream, BC_FREE_BUFFER);
	bc_add(stream, &buffer, sizeof(buffer));
	bc_add_transaction(stream, BC_REPLY, 0, 0, 0, DATA_AT, sizeof(reply), 0, 0, 0);
}

/* Replies with a plain blocking read: the complete comes at once. */
static int service_reply_plainly(struct raw_abuser *service,
                                 const struct binder_transaction_data *txn)
{
	struct bc_stream stream;
	stage_reply(service, &stream, txn);
	int error = start_write_read(&service->thread, &stream, 0);
	if (!error)
		error = finish_write_read(&service->thread, service->result, RAW_WAIT_MS);
	if (!error)
		error = service->result->status;
	struct br_list list;
	if (!error &&
	    (parse_read(service->result, &list) < 0 || !read_has(&list, BR_TRANSACTION_COMPLETE)))
		error = -EPROTO;
	return error;
}

/* Sends a call to handle 0 (with a node of its own if with_node), with a
 * blocking read, not waiting for the answer. 0 or -errno. */
static int caller_start(struct raw_abuser *caller, bool with_node)
{
	static const char words[] = "call";
	struct bc_stream stream;
	bc_reset(&stream);
	if (with_node) {
		struct flat_binder_object node = {.hdr.type = BINDER_TYPE_BINDER,
		                                  .binder = CALLER_NODE};
		binder_size_t offset = 0;
		memcpy(caller->thread.send_area + DATA_AT, &node, sizeof(node));
		memcpy(caller->thread.send_area + OFFSETS_AT, &offset, sizeof(offset));
		bc_add_transaction(&stream, BC_TRANSACTION, 0, CALL_CODE, 0, DATA_AT, sizeof(node),
		                   OFFSETS_AT, sizeof(offset), 0);
	} else {
		memcpy(caller->thread.send_area + DATA_AT, words, sizeof(words));
		bc_add_transaction(&stream, BC_TRANSACTION, 0, CALL_CODE, 0, DATA_AT, sizeof(words),
		                   0, 0, 0);
	}
	return start_write_read(&caller->thread, &stream, 0);
}

/* Waits for the answer to the call caller_start sent (the first read
 * within RAW_WAIT_MS) and gives the reply's buffer back. 0, the BR_ code
 * of a failure, or -errno. */
static int caller_finish(struct raw_abuser *caller)
{
	int error = finish_write_read(&caller->thread, caller->result, RAW_WAIT_MS);
	for (int round = 0; !error && round < HELD_ROUNDS; round++) {
		struct br_list list;
		if (caller->result->status)
			return caller->result->status;
		if (parse_read(caller->result, &list) < 0)
			return -EBADMSG;
		if (read_has(&list, BR_FAILED_REPLY) || read_has(&list, BR_DEAD_REPLY))
			return (int)list.cmds[list.count - 1];
		if (read_has(&list, BR_REPLY)) {
			struct bc_stream stream;
			binder_uintptr_t buffer = list.txn.data.ptr.buffer;
			uint64_t consumed = 0;
			bc_reset(&stream);
			bc_add_u32(&stream, BC_FREE_BUFFER);
			bc_add(&stream, &buffer, sizeof(buffer));
			error = raw_write_only(caller, &stream, &consumed);
			return error ? error : consumed == stream.size ? 0 : -EIO;
		}
		error = raw_write_read(&caller->thread, NULL, 0, HELD_READ_SIZE, 0, caller->result,
		                       RAW_WAIT_MS);
	}
	return error ? error : -ENOMSG;
}

/* ---- the cases against the raw service ---- */

/* Held until the next call, which comes with the complete. */
static int held_until_next_call(struct abuse_report *report, struct raw_abuser *service,
                                struct raw_abuser *caller)
{
	struct binder_transaction_data txn;
	int error = caller_start(caller, false);
	EXPECT(report, error == 0, "first call: %s", strerror(-error));
	error = service_receive(service, &txn);
	EXPECT(report, error == 0, "the service's first call: %d", error);
	struct bc_stream stream;
	stage_reply(service, &stream, &txn);
	error = start_write_read(&service->thread, &stream, BINDERD_WR_HOLD_COMPLETE);
	EXPECT(report, error == 0, "reply with a held read: %s", strerror(-error));
	error = caller_finish(caller);
	EXPECT(report, error == 0, "the caller's first reply, the replier's read held: %#x",
	       (unsigned)error);
	error = finish_write_read(&service->thread, service->result, HOLD_QUIET_MS);
	EXPECT(report, error == -ETIMEDOUT,
	       "a held read answered with nothing but its complete to give: %d (status %d)", error,
	       service->result->status);

	error = caller_start(caller, false);
	EXPECT(report, error == 0, "second call: %s", strerror(-error));
	error = finish_write_read(&service->thread, service->result, RAW_WAIT_MS);
	EXPECT(report, error == 0, "the held read after a second call: %s", strerror(-error));
	struct br_list list;
	static const uint32_t expected[] = {BR_NOOP, BR_TRANSACTION_COMPLETE, BR_TRANSACTION};
	EXPECT(report, service->result->status == 0 && parse_read(service->result, &list) == 0,
	       "the held read: status %d", service->result->status);
	EXPECT(report, read_is(&list, expected, sizeof(expected) / sizeof(expected[0])),
	       "the held read: %s, not BR_NOOP, BR_TRANSACTION_COMPLETE, BR_TRANSACTION",
	       list.text);
	EXPECT(report, service->result->write_consumed == stream.size,
	       "the held read: %llu bytes consumed of %zu",
	       (unsigned long long)service->result->write_consumed, stream.size);
	error = service_reply_plainly(service, &list.txn);
	EXPECT(report, error == 0, "reply to the second call: %d", error);
	error = caller_finish(caller);
	EXPECT(report, error == 0, "the caller's second reply: %#x", (unsigned)error);
	return 0;
}

/* Nonblocking, a held read gives its complete at once. */
static int nonblocking_hold(struct abuse_report *report, struct raw_abuser *service,
                            struct raw_abuser *caller)
{
	struct binder_transaction_data txn;
	int error = caller_start(caller, false);
	EXPECT(report, error == 0, "call: %s", strerror(-error));
	error = service_receive(service, &txn);
	EXPECT(report, error == 0, "the service's call: %d", error);
	struct bc_stream stream;
	stage_reply(service, &stream, &txn);
	error = start_write_read(&service->thread, &stream,
	                         BINDERD_WR_HOLD_COMPLETE | BINDERD_WR_NONBLOCK);
	if (!error)
		error = finish_write_read(&service->thread, service->result, RAW_WAIT_MS);
	EXPECT(report, error == 0, "a nonblocking held read: %s", strerror(-error));
	struct br_list list;
	static const uint32_t expected[] = {BR_NOOP, BR_TRANSACTION_COMPLETE};
	EXPECT(report,
	       service->result->status == 0 && parse_read(service->result, &list) == 0 &&
	               read_is(&list, expected, 2),
	       "a nonblocking held read: status %d,%s", service->result->status, list.text);
	error = caller_finish(caller);
	EXPECT(report, error == 0, "the caller's reply: %#x", (unsigned)error);
	return 0;
}

/* A reply to a caller that died: the held read ends at once, as the
 * kernel's with the failed reply's BR_TRANSACTION_COMPLETE (the caller
 * would get the BR_DEAD_REPLY). */
static int reply_to_the_dead(struct abuse_report *report, struct raw_abuser *service,
                             struct raw_abuser *caller)
{
	struct binder_transaction_data txn;
	int error = caller_start(caller, false);
	EXPECT(report, error == 0, "call: %s", strerror(-error));
	error = service_receive(service, &txn);
	EXPECT(report, error == 0, "the service's call: %d", error);
	raw_close_process(&caller->process);
	EXPECT(report, raw_wait_closed(caller->thread.fd, RAW_WAIT_MS),
	       "the caller's thread outlived its process");
	struct bc_stream stream;
	stage_reply(service, &stream, &txn);
	error = start_write_read(&service->thread, &stream, BINDERD_WR_HOLD_COMPLETE);
	if (!error)
		error = finish_write_read(&service->thread, service->result, RAW_WAIT_MS);
	EXPECT(report, error == 0, "a held read after a reply to the dead: %s", strerror(-error));
	struct br_list list;
	static const uint32_t expected[] = {BR_NOOP, BR_TRANSACTION_COMPLETE};
	EXPECT(report,
	       service->result->status == 0 && parse_read(service->result, &list) == 0 &&
	               read_is(&list, expected, 2),
	       "a held read after a reply to the dead: status %d,%s", service->result->status,
	       list.text);
	return 0;
}

/* A death notification that becomes work ends the held read, after the
 * complete. */
static int death_ends_hold(struct abuse_report *report, struct raw_abuser *service,
                           struct raw_abuser *caller)
{
	struct binder_transaction_data txn;
	int error = caller_start(caller, true);
	EXPECT(report, error == 0, "call: %s", strerror(-error));
	error = service_receive(service, &txn);
	EXPECT(report, error == 0, "the service's call: %d", error);
	struct flat_binder_object node;
	binder_size_t offset;
	EXPECT(report, txn.data_size == sizeof(node) && txn.offsets_size == sizeof(offset),
	       "a call of %llu bytes, %llu of offsets", (unsigned long long)txn.data_size,
	       (unsigned long long)txn.offsets_size);
	memcpy(&offset, (const void *)(uintptr_t)txn.data.ptr.offsets, sizeof(offset));
	EXPECT(report, offset == 0, "object at %llu", (unsigned long long)offset);
	memcpy(&node, (const void *)(uintptr_t)txn.data.ptr.buffer, sizeof(node));
	EXPECT(report, node.hdr.type == BINDER_TYPE_HANDLE, "object of type %#x",
	       (unsigned)node.hdr.type);

	/* Keep the handle past the buffer, watch its node, reply held. */
	struct bc_stream stream, reply;
	uint32_t handle = node.handle;
	binder_uintptr_t cookie = DEATH_COOKIE;
	bc_reset(&stream);
	bc_add_u32(&stream, BC_INCREFS);
	bc_add(&stream, &handle, sizeof(handle));
	bc_add_u32(&stream, BC_REQUEST_DEATH_NOTIFICATION);
	bc_add(&stream, &handle, sizeof(handle));
	bc_add(&stream, &cookie, sizeof(cookie));
	stage_reply(service, &reply, &txn);
	bc_add(&stream, reply.bytes, reply.size);
	error = start_write_read(&service->thread, &stream, BINDERD_WR_HOLD_COMPLETE);
	EXPECT(report, error == 0, "reply with a held read: %s", strerror(-error));
	error = caller_finish(caller);
	EXPECT(report, error == 0, "the caller's reply: %#x", (unsigned)error);
	error = finish_write_read(&service->thread, service->result, HOLD_QUIET_MS);
	EXPECT(report, error == -ETIMEDOUT, "a held read answered before the death: %d", error);

	raw_close_process(&caller->process);
	error = finish_write_read(&service->thread, service->result, RAW_WAIT_MS);
	EXPECT(report, error == 0, "the held read after the death: %s", strerror(-error));
	struct br_list list;
	static const uint32_t expected[] = {BR_NOOP, BR_TRANSACTION_COMPLETE, BR_DEAD_BINDER};
	EXPECT(report,
	       service->result->status == 0 && parse_read(service->result, &list) == 0 &&
	               read_is(&list, expected, 3) && list.cookie == cookie,
	       "the held read after the death: status %d,%s", service->result->status, list.text);

	/* Done with the death and the handle. */
	bc_reset(&stream);
	bc_add_u32(&stream, BC_DEAD_BINDER_DONE);
	bc_add(&stream, &cookie, sizeof(cookie));
	bc_add_u32(&stream, BC_DECREFS);
	bc_add(&stream, &handle, sizeof(handle));
	uint64_t consumed = 0;
	error = raw_write_only(service, &stream, &consumed);
	EXPECT(report, error == 0 && consumed == stream.size,
	       "BC_DEAD_BINDER_DONE: %d, %llu bytes consumed", error, (unsigned long long)consumed);
	return 0;
}

typedef int (*held_case)(struct abuse_report *report, struct raw_abuser *service,
                         struct raw_abuser *caller);

/* One case with a new caller; then the service's channel is in step and a
 * new caller is served. */
static int run_with_caller(struct abuse_report *report, struct raw_abuser *service, held_case run,
                           const char *what)
{
	struct raw_abuser caller;
	int error = raw_abuser_open(&caller);
	EXPECT(report, error == 0, "%s: caller open: %s", what, strerror(-error));
	int result = run(report, service, &caller);
	raw_abuser_close(&caller);
	if (result < 0)
		return result;
	error = in_step(&service->thread);
	EXPECT(report, error == 0, "%s: the service's channel: %d", what, error);
	error = raw_abuser_open(&caller);
	EXPECT(report, error == 0, "%s: next caller open: %s", what, strerror(-error));
	error = caller_start(&caller, false);
	struct binder_transaction_data txn;
	if (!error)
		error = service_receive(service, &txn);
	if (!error)
		error = service_reply_plainly(service, &txn);
	if (!error)
		error = caller_finish(&caller);
	if (!error)
		error = in_step(&caller.thread);
	raw_abuser_close(&caller);
	EXPECT(report, error == 0, "%s: a call after: %d", what, error);
	return 0;
}

static int service_cases(struct abuse_report *report)
{
	struct raw_abuser service;
	int error = service_open(&service);
	EXPECT(report, error == 0, "service: %s", strerror(-error));
	static const struct {
		held_case run;
		const char *what;
	} cases[] = {
	        {held_until_next_call, "held until the next call"},
	        {nonblocking_hold, "a nonblocking held read"},
	        {reply_to_the_dead, "a reply to a dead caller"},
	        {death_ends_hold, "a death notification"},
	};
	int result = 0;
	if (!(service.process.hello_flags & BINDERD_HELLO_HOLD_COMPLETE))
		result = abuse_fail(report, __FILE__, __LINE__,
		                    "HELLO does not offer held completes (flags %#x)",
		                    service.process.hello_flags);
	for (size_t i = 0; result == 0 && i < sizeof(cases) / sizeof(cases[0]); i++)
		result = run_with_caller(report, &service, cases[i].run, cases[i].what);
	raw_abuser_close(&service);
	return result;
}

/* ---- the cases against the echo service ---- */

static void add_oneway_sink(struct bc_stream *stream)
{
	bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_SINK, TF_ONE_WAY, DATA_AT,
	                   ONEWAY_SIZE, 0, 0, 0);
}

/* A new thread's first read is told to return: a held read ends at once
 * with its complete. */
static int new_thread_returns(struct abuse_report *report, struct raw_abuser *abuser)
{
	struct bc_stream stream;
	bc_reset(&stream);
	add_oneway_sink(&stream);
	int error = start_write_read(&abuser->thread, &stream, BINDERD_WR_HOLD_COMPLETE);
	if (!error)
		error = finish_write_read(&abuser->thread, abuser->result, RAW_WAIT_MS);
	EXPECT(report, error == 0, "a new thread's first held read: %s", strerror(-error));
	struct br_list list;
	static const uint32_t expected[] = {BR_NOOP, BR_TRANSACTION_COMPLETE};
	EXPECT(report,
	       abuser->result->status == 0 && parse_read(abuser->result, &list) == 0 &&
	               read_is(&list, expected, 2),
	       "a new thread's first held read: status %d,%s", abuser->result->status, list.text);
	return 0;
}

/* Neither a looper nor in a call: a failed call after the complete ends
 * the held read; a complete alone is held (the thread would wait for its
 * own work) until the thread goes. */
static int not_a_looper(struct abuse_report *report, struct raw_abuser *abuser)
{
	int error = in_step(&abuser->thread);
	EXPECT(report, error == 0, "BINDER_VERSION: %d", error);
	struct bc_stream stream;
	bc_reset(&stream);
	add_oneway_sink(&stream);
	bc_add_transaction(&stream, BC_TRANSACTION, BAD_HANDLE, CALL_CODE, 0, DATA_AT, ONEWAY_SIZE,
	                   0, 0, 0);
	error = start_write_read(&abuser->thread, &stream, BINDERD_WR_HOLD_COMPLETE);
	if (!error)
		error = finish_write_read(&abuser->thread, abuser->result, RAW_WAIT_MS);
	EXPECT(report, error == 0, "a held read after a failed call: %s", strerror(-error));
	struct br_list list;
	static const uint32_t failed[] = {BR_NOOP, BR_TRANSACTION_COMPLETE, BR_FAILED_REPLY};
	EXPECT(report,
	       abuser->result->status == 0 && parse_read(abuser->result, &list) == 0 &&
	               read_is(&list, failed, 3),
	       "a held read after a failed call: status %d,%s", abuser->result->status, list.text);

	bc_reset(&stream);
	add_oneway_sink(&stream);
	error = start_write_read(&abuser->thread, &stream, BINDERD_WR_HOLD_COMPLETE);
	EXPECT(report, error == 0, "a held read: %s", strerror(-error));
	error = finish_write_read(&abuser->thread, abuser->result, HOLD_QUIET_MS);
	EXPECT(report, error == -ETIMEDOUT, "a held read with nothing to wait for answered: %d",
	       error);
	raw_close_thread(&abuser->thread);
	error = raw_open_thread(&abuser->process, &abuser->thread, HELD_READ_SIZE);
	EXPECT(report, error == 0, "new thread: %s", strerror(-error));
	error = raw_echo_call(abuser);
	EXPECT(report, error == 0, "call after a thread went while held: %#x", (unsigned)error);
	return 0;
}

static int echo_cases(struct abuse_report *report)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	int result = 0;
	if (!(abuser.process.hello_flags & BINDERD_HELLO_HOLD_COMPLETE))
		result = abuse_fail(report, __FILE__, __LINE__,
		                    "HELLO does not offer held completes (flags %#x)",
		                    abuser.process.hello_flags);
	if (result == 0)
		result = new_thread_returns(report, &abuser);
	if (result == 0)
		result = not_a_looper(report, &abuser);
	if (result == 0 && (error = in_step(&abuser.thread)) != 0)
		result = abuse_fail(report, __FILE__, __LINE__, "channel after: %d", error);
	raw_abuser_close(&abuser);
	return result;
}

int abuse_held_completes(struct abuse_report *report)
{
	int result = echo_cases(report);
	if (result < 0)
		return result;
	struct held_binderd daemon;
	int error = held_binderd_start(&daemon);
	EXPECT(report, error == 0, "private binderd: %s", strerror(-error));
	result = service_cases(report);
	int stopped = held_binderd_stop(&daemon);
	if (result < 0)
		return result;
	EXPECT(report, stopped == 0, "the private binderd did not exit cleanly");
	error = echo_pair_check();
	EXPECT(report, error == 0, "another client after held completes: %s",
	       echo_result_name(error));
	return 0;
}
