/*
 * abuse_flood.c - clients that pile work on binderd: a flood of 100,000
 * oneway calls to a service that holds its oneway queue (the calls must
 * fail with BR_FAILED_REPLY once the service's async space is full, never
 * hang, never grow binderd without bound), and clients that never read
 * what binderd sends them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abuses.h"
#include "binderd_status.h"
#include "echo_pair.h"

#define FLOOD_CALLS           100000
#define FLOOD_CALLS_SANITIZED 20000
#define FLOOD_BATCH           1024
/* The flood fails if binderd takes no call for this long (not a bound
 * on the whole flood, which depends on the machine's speed). */
#define FLOOD_SECONDS 30
/* How much binderd may grow while the flood is queued: the async space
 * of the service (half its 1 MiB area) bounds what is in flight. */
#define FLOOD_GROWTH_LIMIT_KIB (32 * 1024)
#define ONEWAY_CALL_SIZE       (sizeof(uint32_t) + sizeof(struct binder_transaction_data))

/* Tries (10 ms apart) while waiting for earlier oneway calls to drain. */
#define QUIET_ATTEMPTS 1000

static void pause_ms(long ms)
{
	struct timespec pause = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&pause, NULL);
}

static long long now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int service_command(uint32_t code)
{
	struct echo_client client;
	int result = echo_client_open(&client);
	if (result == 0) {
		result = echo_client_call(&client, code);
		echo_client_close(&client);
	}
	return result;
}

struct flood_outcome {
	long completed, failed;
	struct binderd_usage before, during;
};

/* Floods the held service with calls oneway calls. */
static int flood(struct abuse_report *report, long calls, struct flood_outcome *outcome)
{
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	memcpy(abuser.thread.send_area, "flood!!!", 8);
	struct bc_stream *stream = malloc(sizeof(*stream));
	EXPECT(report, stream, "out of memory");
	bc_reset(stream);
	for (int i = 0; i < FLOOD_BATCH; i++)
		bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_SINK, TF_ONE_WAY, 0, 8, 0,
		                   0, 0);

	long sent = 0, completed = 0, failed = 0;
	size_t batch = FLOOD_BATCH;
	long long deadline = now_ms() + FLOOD_SECONDS * 1000;
	while (sent < calls) {
		if (now_ms() > deadline) {
			free(stream);
			return abuse_fail(report, __FILE__, __LINE__,
			                  "flood stalled: no call taken in %d s: %ld sent, "
			                  "%ld completed, %ld failed",
			                  FLOOD_SECONDS, sent, completed, failed);
		}
		if ((long)batch > calls - sent)
			batch = (size_t)(calls - sent);
		size_t size = batch * ONEWAY_CALL_SIZE;
		error = raw_write_read(&abuser.thread, stream->bytes, size, batch * 8 + 256, 0,
		                       abuser.result, RAW_WAIT_MS);
		if (error < 0 || abuser.result->status < 0)
			free(stream);
		EXPECT(report, error == 0, "flood call %ld: no answer: %s", sent, strerror(-error));
		EXPECT(report, abuser.result->status == 0, "flood call %ld: ioctl error %d", sent,
		       abuser.result->status);
		uint64_t consumed = abuser.result->write_consumed;
		EXPECT(report, consumed % ONEWAY_CALL_SIZE == 0 && consumed <= size,
		       "write_consumed %llu of %zu", (unsigned long long)consumed, size);
		sent += (long)(consumed / ONEWAY_CALL_SIZE);
		if (consumed > 0)
			deadline = now_ms() + FLOOD_SECONDS * 1000;
		int complete = br_count(abuser.result->read, abuser.result->read_size,
		                        BR_TRANSACTION_COMPLETE);
		int failure =
		        br_count(abuser.result->read, abuser.result->read_size, BR_FAILED_REPLY);
		EXPECT(report, complete >= 0 && failure >= 0, "unparsable read");
		completed += complete;
		failed += failure;
		/* A full queue fails one call per write, as in the kernel. */
		batch = failure ? 1 : (batch * 2 > FLOOD_BATCH ? FLOOD_BATCH : batch * 2);
	}
	free(stream);
	error = binderd_usage_read(&outcome->during);
	EXPECT(report, error == 0, "binderd usage: %s", strerror(-error));
	/* Every call has exactly one outcome. Only what is read counts:
	 * drain what the last write left. */
	for (int i = 0; i < 8 && completed + failed < sent; i++) {
		int got = raw_read_pending(&abuser);
		EXPECT(report, got >= 0, "read: %s", strerror(-got));
		completed += br_count(abuser.result->read, (size_t)got, BR_TRANSACTION_COMPLETE);
		failed += br_count(abuser.result->read, (size_t)got, BR_FAILED_REPLY);
	}
	raw_abuser_close(&abuser);
	outcome->completed = completed;
	outcome->failed = failed;
	return 0;
}

/* Waits (bounded) until the oneway calls queued to the service so far
 * (by earlier abusers) are delivered: sends a mark behind them and waits
 * for the service to count it. */
static int wait_for_quiet_queue(struct abuse_report *report)
{
	struct echo_client client;
	int result = echo_client_open(&client);
	EXPECT(report, result == 0, "open: %s", strerror(-result));
	uint32_t before = 0, now = 0;
	result = echo_client_call_value(&client, ECHO_CODE_MARKS, &before);
	EXPECT(report, result == 0, "MARKS: %s", echo_result_name(result));
	struct raw_abuser marker;
	int error = raw_abuser_open(&marker);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	struct bc_stream *stream = malloc(sizeof(*stream));
	EXPECT(report, stream, "out of memory");
	bc_reset(stream);
	bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_MARK, TF_ONE_WAY, 0, 0, 0, 0, 0);
	int outcome = 0;
	/* A full async space refuses the mark: retry while it drains. */
	for (int attempt = 0; attempt < QUIET_ATTEMPTS; attempt++) {
		outcome = raw_transact(&marker, stream, true);
		if (outcome != (int)BR_FAILED_REPLY)
			break;
		pause_ms(10);
	}
	free(stream);
	raw_abuser_close(&marker);
	EXPECT(report, outcome == (int)BR_TRANSACTION_COMPLETE, "mark: %#x", (unsigned)outcome);
	for (int attempt = 0; attempt < QUIET_ATTEMPTS; attempt++) {
		result = echo_client_call_value(&client, ECHO_CODE_MARKS, &now);
		if (result != 0 || now != before)
			break;
		pause_ms(10);
	}
	echo_client_close(&client);
	EXPECT(report, result == 0 && now != before, "the service never saw the mark: %s",
	       echo_result_name(result));
	return 0;
}

int abuse_oneway_flood(struct abuse_report *report)
{
	if (wait_for_quiet_queue(report) < 0)
		return -1;
	/* Under AddressSanitizer binderd is several times slower, and every
	 * failed call costs one BINDER_WRITE_READ: a smaller flood still
	 * fills the queue and covers every path. */
	long calls = binderd_sanitized() ? FLOOD_CALLS_SANITIZED : FLOOD_CALLS;
	struct flood_outcome outcome = {0};
	int error = binderd_usage_read(&outcome.before);
	EXPECT(report, error == 0, "binderd usage: %s", strerror(-error));
	int result = service_command(ECHO_CODE_HOLD);
	EXPECT(report, result == 0, "HOLD: %s", echo_result_name(result));
	int flooded = flood(report, calls, &outcome);
	/* Whatever happened, the service lets its queue go. */
	result = service_command(ECHO_CODE_DRAIN);
	if (flooded < 0)
		return flooded;
	EXPECT(report, result == 0, "DRAIN: %s", echo_result_name(result));
	fprintf(stderr,
	        "oneway flood: %ld calls completed, %ld failed; binderd VmRSS %ld KiB before, "
	        "%ld KiB with the service's queue full\n",
	        outcome.completed, outcome.failed, outcome.before.rss_kib, outcome.during.rss_kib);
	EXPECT(report, outcome.completed + outcome.failed == calls,
	       "%ld calls: %ld completed + %ld failed", calls, outcome.completed, outcome.failed);
	EXPECT(report, outcome.failed > 0, "no call failed although the service holds its queue");
	EXPECT(report, outcome.completed > 0, "no oneway call was accepted at all");
	EXPECT(report, outcome.during.rss_kib - outcome.before.rss_kib < FLOOD_GROWTH_LIMIT_KIB,
	       "binderd grew from %ld KiB to %ld KiB during the flood", outcome.before.rss_kib,
	       outcome.during.rss_kib);
	return 0;
}

int abuse_never_reads_answers(struct abuse_report *report)
{
	/* Thread channel: ioctls pipelined, answers never read. */
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	enum { CHUNK = 256, CHUNKS = 1000 };
	static struct binderd_request requests[CHUNK];
	for (int i = 0; i < CHUNK; i++)
		requests[i] =
		        (struct binderd_request){.op = BINDERD_OP_IOCTL, .arg = BINDER_VERSION};
	for (int chunk = 0; chunk < CHUNKS && error == 0; chunk++)
		error = raw_send_bytes(abuser.thread.fd, requests, sizeof(requests));
	/* binderd either closed the channel (-EPIPE) or stopped reading it
	 * (-ETIMEDOUT): never does it buffer without bound. */
	EXPECT(report, error == -EPIPE || error == -ETIMEDOUT, "%d ioctls sent and never read: %s",
	       CHUNK * CHUNKS, error ? strerror(-error) : "all accepted");
	raw_abuser_close(&abuser);

	/* Process channel: failing MMAP requests whose answers stay unread. */
	struct raw_process process;
	error = raw_open_process(&process, 64 * 1024);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	static struct {
		struct binderd_request header;
		uint64_t address;
	} __attribute__((packed)) mmaps[CHUNK];
	for (int i = 0; i < CHUNK; i++) {
		mmaps[i].header = (struct binderd_request){
		        .op = BINDERD_OP_MMAP, .payload_size = sizeof(uint64_t), .arg = 4096};
		mmaps[i].address = 0x10000;
	}
	for (int chunk = 0; chunk < CHUNKS && error == 0; chunk++)
		error = raw_send_bytes(process.fd, mmaps, sizeof(mmaps));
	EXPECT(report, error == -EPIPE || error == -ETIMEDOUT, "%d mmaps sent and never read: %s",
	       CHUNK * CHUNKS, error ? strerror(-error) : "all accepted");
	raw_close_process(&process);
	return 0;
}

int abuse_never_reads_completions(struct abuse_report *report)
{
	/* Oneway calls whose BR_TRANSACTION_COMPLETEs pile up unread; then
	 * the process goes away with them. */
	struct raw_abuser abuser;
	int error = raw_abuser_open(&abuser);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	memcpy(abuser.thread.send_area, "unread", 6);
	struct bc_stream *stream = malloc(sizeof(*stream));
	EXPECT(report, stream, "out of memory");
	bc_reset(stream);
	for (int i = 0; i < FLOOD_BATCH; i++)
		bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_SINK, TF_ONE_WAY, 0, 6, 0,
		                   0, 0);
	long sent = 0;
	for (int round = 0; round < 20; round++) {
		uint64_t consumed = 0;
		int status = raw_write_only(&abuser, stream, &consumed);
		if (status != 0)
			free(stream);
		EXPECT(report, status == 0, "write %d: %d", round, status);
		sent += (long)(consumed / ONEWAY_CALL_SIZE);
		if (consumed < stream->size)
			break; /* an error waits to be read: no more is taken */
	}
	free(stream);
	EXPECT(report, sent > 0, "no call taken");
	raw_abuser_close(&abuser);
	return 0;
}
