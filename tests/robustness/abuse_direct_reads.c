/*
 * abuse_direct_reads.c - abuse of binderd's direct reads (it copies a
 * transaction's payload straight from the sender's memory when HELLO proved
 * it may): a lying probe gets no direct reads and its direct transactions
 * fail; a direct transaction with a PTR object fails; and a thread channel
 * used by another process (a forked child) is closed, so no process can
 * make binderd read another's memory.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "abuses.h"
#include "echo_pair.h"

static volatile uint64_t probe_word = 0x5eed0f00dcafe123u;

static int open_with_probe(struct raw_abuser *abuser, uint64_t claimed_value)
{
	struct binderd_hello hello = {
	        .probe_address = (uint64_t)(uintptr_t)&probe_word,
	        .probe_value = claimed_value,
	};
	raw_hello_probe = &hello;
	int error = raw_abuser_open(abuser);
	raw_hello_probe = NULL;
	return error;
}

/* A direct echo call: data straight from our memory, no send area. */
static int direct_call(struct raw_abuser *abuser, const void *data, size_t size,
                       const binder_size_t *offsets, size_t offsets_size)
{
	struct bc_stream *stream = malloc(sizeof(*stream));
	if (!stream)
		return -ENOMEM;
	bc_reset(stream);
	bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_ECHO, BINDERD_TF_DIRECT,
	                   (uint64_t)(uintptr_t)data, size, (uint64_t)(uintptr_t)offsets,
	                   offsets_size, 0);
	int outcome = raw_transact(abuser, stream, false);
	free(stream);
	return outcome;
}

int abuse_direct_reads(struct abuse_report *report)
{
	static const char message[] = "straight from the sender's memory";
	struct raw_abuser abuser;

	/* A probe that names the wrong value: no direct reads. */
	int error = open_with_probe(&abuser, probe_word ^ 1);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	EXPECT(report, !abuser.process.direct_reads, "direct reads granted on a lying probe");
	int outcome = direct_call(&abuser, message, sizeof(message), NULL, 0);
	EXPECT(report, outcome == (int)BR_FAILED_REPLY, "direct call without the right: %d",
	       outcome);
	error = raw_echo_call(&abuser);
	EXPECT(report, error == 0, "echo call after: %d", error);
	raw_abuser_close(&abuser);

	/* An honest probe: direct reads, and a direct call works. */
	error = open_with_probe(&abuser, probe_word);
	EXPECT(report, error == 0, "open: %s", strerror(-error));
	if (!abuser.process.direct_reads) {
		/* binderd may not read us (no ptrace right, no pidfd): the rest
		 * cannot be exercised here. */
		raw_abuser_close(&abuser);
		return 0;
	}
	outcome = direct_call(&abuser, message, sizeof(message), NULL, 0);
	EXPECT(report, outcome == (int)BR_REPLY, "direct call: %d", outcome);
	/* A wild pointer read directly: a failed call, not a crash. */
	outcome = direct_call(&abuser, (const void *)(uintptr_t)0x10, 64, NULL, 0);
	EXPECT(report, outcome == (int)BR_FAILED_REPLY, "direct call from a wild pointer: %d",
	       outcome);
	/* A PTR object cannot go direct (its buffer would be a pointer). */
	struct {
		struct binder_buffer_object object;
	} with_ptr = {.object = {.hdr.type = BINDER_TYPE_PTR,
	                         .buffer = (uint64_t)(uintptr_t)message,
	                         .length = sizeof(message)}};
	static const binder_size_t offsets[] = {0};
	outcome = direct_call(&abuser, &with_ptr, sizeof(with_ptr), offsets, sizeof(offsets));
	EXPECT(report, outcome == (int)BR_FAILED_REPLY, "direct call with a PTR object: %d",
	       outcome);
	error = raw_echo_call(&abuser);
	EXPECT(report, error == 0, "echo call after: %d", error);

	/* Another process (a forked child) writes on our thread channel:
	 * binderd must close it rather than read the child's (or our)
	 * memory on its behalf. */
	pid_t child = fork();
	EXPECT(report, child >= 0, "fork: %s", strerror(errno));
	if (child == 0) {
		alarm(10);
		struct bc_stream *stream = malloc(sizeof(*stream));
		if (!stream)
			_exit(2);
		bc_reset(stream);
		bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_ECHO, BINDERD_TF_DIRECT,
		                   (uint64_t)(uintptr_t)message, sizeof(message), 0, 0, 0);
		struct binderd_write_read request = {.write_size = stream->size};
		uint8_t bytes[sizeof(request) + 256];
		memcpy(bytes, &request, sizeof(request));
		memcpy(bytes + sizeof(request), stream->bytes, stream->size);
		int sent = raw_send_request(abuser.thread.fd, BINDERD_OP_IOCTL, BINDER_WRITE_READ,
		                            bytes, sizeof(request) + stream->size, NULL, 0, 0);
		_exit(sent == 0 ? 0 : 1);
	}
	int status = 0;
	EXPECT(report, waitpid(child, &status, 0) == child, "waitpid: %s", strerror(errno));
	EXPECT(report, WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	EXPECT(report, raw_wait_closed(abuser.thread.fd, RAW_WAIT_MS),
	       "binderd kept a thread channel another process wrote on");
	raw_abuser_close(&abuser);
	return 0;
}
