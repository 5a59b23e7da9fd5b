/*
 * abuse_lifecycle.c - clients that go away at bad moments: callers that
 * close (the thread, the process) or exit their binder thread while their
 * call is in flight, and threads that close while a read waits. binderd
 * must release what they held without disturbing the service.
 */
#include <errno.h>
#include <string.h>

#include "abuses.h"
#include "echo_pair.h"

static void stage_call(struct raw_abuser *abuser, struct bc_stream *stream)
{
	memcpy(abuser->thread.send_area, "doomed", 6);
	bc_reset(stream);
	bc_add_transaction(stream, BC_TRANSACTION, 0, ECHO_CODE_ECHO, 0, 0, 6, 0, 0, 0);
}

int abuse_callers_that_die_mid_call(struct abuse_report *report)
{
	static struct bc_stream stream;
	for (int i = 0; i < 300; i++) {
		struct raw_abuser abuser;
		int error = raw_abuser_open(&abuser);
		EXPECT(report, error == 0, "open: %s", strerror(-error));
		stage_call(&abuser, &stream);
		uint64_t consumed = 0;
		int status = raw_write_only(&abuser, &stream, &consumed);
		EXPECT(report, status == 0 && consumed == stream.size, "call %d: status %d", i,
		       status);
		switch (i % 3) {
		case 0: /* the process goes, its thread channel still open */
			raw_close_process(&abuser.process);
			raw_abuser_close(&abuser);
			break;
		case 1: { /* the thread goes, the process calls again */
			raw_close_thread(&abuser.thread);
			error = raw_open_thread(&abuser.process, &abuser.thread, 4096);
			EXPECT(report, error == 0, "new thread: %s", strerror(-error));
			error = raw_echo_call(&abuser);
			EXPECT(report, error == 0, "call from a new thread: %#x", (unsigned)error);
			raw_abuser_close(&abuser);
			break;
		}
		default: { /* BINDER_THREAD_EXIT in the call, then a call */
			status = raw_ioctl(&abuser.thread, BINDER_THREAD_EXIT, NULL, 0, NULL, 0);
			EXPECT(report, status == 0, "BINDER_THREAD_EXIT: %d", status);
			error = raw_echo_call(&abuser);
			EXPECT(report, error == 0, "call after BINDER_THREAD_EXIT: %#x",
			       (unsigned)error);
			raw_abuser_close(&abuser);
			break;
		}
		}
	}
	return 0;
}

int abuse_close_while_reading(struct abuse_report *report)
{
	static const uint32_t enter_looper = BC_ENTER_LOOPER;
	for (int i = 0; i < 100; i++) {
		struct raw_abuser abuser;
		int error = raw_abuser_open(&abuser);
		EXPECT(report, error == 0, "open: %s", strerror(-error));
		/* A first read returns at once; the second one waits, as a
		 * looper (for process work) or not. */
		error = raw_read_pending(&abuser);
		EXPECT(report, error >= 0, "read: %s", strerror(-error));
		struct binderd_write_read write_read = {.read_size = 256};
		if (i % 2)
			write_read.write_size = sizeof(enter_looper);
		struct {
			struct binderd_write_read header;
			uint32_t cmd;
		} __attribute__((packed)) payload = {write_read, enter_looper};
		error = raw_send_request(abuser.thread.fd, BINDERD_OP_IOCTL, BINDER_WRITE_READ,
		                         &payload, sizeof(write_read) + write_read.write_size, NULL,
		                         0, 0);
		EXPECT(report, error == 0, "send: %s", strerror(-error));
		switch (i % 4) {
		case 0:
		case 1: /* the thread goes while reading; the process calls */
			raw_close_thread(&abuser.thread);
			error = raw_open_thread(&abuser.process, &abuser.thread, 4096);
			EXPECT(report, error == 0, "new thread: %s", strerror(-error));
			error = raw_echo_call(&abuser);
			EXPECT(report, error == 0, "call after: %#x", (unsigned)error);
			break;
		default: /* the process goes while its thread reads */
			raw_close_process(&abuser.process);
			EXPECT(report, raw_wait_closed(abuser.thread.fd, RAW_WAIT_MS),
			       "a thread channel outlived its process");
			break;
		}
		raw_abuser_close(&abuser);
	}
	return 0;
}
