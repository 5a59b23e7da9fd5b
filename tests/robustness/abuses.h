/*
 * abuses.h - the abusive clients of the robustness suite. Each abuse is a
 * plain function that misbehaves towards binderd in one way and checks
 * that it got the error (or the disconnection) it deserves; it leaves no
 * connection open. The tests run each one next to the well-behaved pair,
 * and the memory test runs all of them in a loop.
 */
#ifndef ROBUSTNESS_ABUSES_H
#define ROBUSTNESS_ABUSES_H

#include <linux/android/binder.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raw_client.h"

/* Why an abuse did not get the answer it should have. */
struct abuse_report {
	char why[512];
};

typedef int (*abuse_function)(struct abuse_report *report);

struct abuse {
	const char *name;
	abuse_function run;
};

/* Every abuse, NULL-terminated (abuse_table.c). */
extern const struct abuse abuse_table[];

/* Fills the report ("file:line: message") and returns -1. */
int abuse_fail(struct abuse_report *report, const char *file, int line, const char *format, ...)
        __attribute__((format(printf, 4, 5)));
/* The same, naming the failed expression. */
int abuse_fail_expected(struct abuse_report *report, const char *file, int line,
                        const char *expression, const char *format, ...)
        __attribute__((format(printf, 5, 6)));

#define EXPECT(report, condition, ...)                                                             \
	do {                                                                                       \
		if (!(condition))                                                                  \
			return abuse_fail_expected(report, __FILE__, __LINE__, #condition,         \
			                           __VA_ARGS__);                                   \
	} while (0)

/* A raw binder process with one thread (area 128 KiB, send area 64 KiB). */
struct raw_abuser {
	struct raw_process process;
	struct raw_thread thread;
	struct raw_write_read *result; /* scratch for raw_write_read */
	binder_uintptr_t last_reply;   /* the last BR_REPLY buffer (freed) */
};

int raw_abuser_open(struct raw_abuser *abuser);
void raw_abuser_close(struct raw_abuser *abuser);

/* Command-stream builder. */
struct bc_stream {
	size_t size;
	uint8_t bytes[BINDERD_MAX_WRITE_SIZE];
};

void bc_reset(struct bc_stream *stream);
void bc_add(struct bc_stream *stream, const void *bytes, size_t size);
void bc_add_u32(struct bc_stream *stream, uint32_t value);
/* BC_TRANSACTION / BC_REPLY (-_SG with buffers_size) whose buffer and
 * offsets are send-area offsets. */
void bc_add_transaction(struct bc_stream *stream, uint32_t cmd, uint32_t handle, uint32_t code,
                        uint32_t flags, uint64_t buffer, uint64_t data_size, uint64_t offsets,
                        uint64_t offsets_size, uint64_t buffers_size);

/*
 * Writes a stream that ends with one transaction (or reply) and reads until
 * its outcome: BR_REPLY (whose buffer it frees), BR_FAILED_REPLY,
 * BR_DEAD_REPLY, or for a oneway call BR_TRANSACTION_COMPLETE. Returns the
 * BR_ code, or -errno (an ioctl error, -ETIMEDOUT).
 */
int raw_transact(struct raw_abuser *abuser, const struct bc_stream *stream, bool oneway);

/* The same with fds attached to the write. */
int raw_transact_fds(struct raw_abuser *abuser, const struct bc_stream *stream, bool oneway,
                     const int *fds, size_t fd_count);

/* A valid echo call from the abuser to handle 0: the abuser still works.
 * 0 or as raw_transact. */
int raw_echo_call(struct raw_abuser *abuser);

int abuse_direct_reads(struct abuse_report *report);

/* Writes a stream without reading; returns the ioctl status, or -errno;
 * *consumed gets write_consumed. */
int raw_write_only(struct raw_abuser *abuser, const struct bc_stream *stream, uint64_t *consumed);

/* Non-blocking read: the BR_ codes waiting for the abuser. Returns bytes
 * read into abuser->result->read (0 when nothing is waiting), or -errno. */
int raw_read_pending(struct raw_abuser *abuser);

/* Deterministic pseudo-random bytes. */
uint64_t abuse_random(uint64_t *state);
void abuse_random_fill(uint64_t *state, void *bytes, size_t size);

/* ---- the abuses ---- */

/* Socket framing (abuse_channel.c). */
int abuse_garbage_on_process_channel(struct abuse_report *report);
int abuse_hello_then_garbage(struct abuse_report *report);
int abuse_huge_payload_header(struct abuse_report *report);
int abuse_truncated_requests_then_close(struct abuse_report *report);
int abuse_fds_announced_not_sent(struct abuse_report *report);
int abuse_request_while_read_pending(struct abuse_report *report);
int abuse_wrong_requests(struct abuse_report *report);
int abuse_bad_send_areas(struct abuse_report *report);
int abuse_garbage_on_thread_channel(struct abuse_report *report);
int abuse_bad_security_contexts(struct abuse_report *report);
int abuse_kill_node_requests(struct abuse_report *report);

/* The BC_ stream (abuse_commands.c). */
int abuse_unknown_commands(struct abuse_report *report);
int abuse_truncated_commands(struct abuse_report *report);
int abuse_free_random_buffers(struct abuse_report *report);
int abuse_reply_without_transaction(struct abuse_report *report);
int abuse_refcounts_on_invalid_handles(struct abuse_report *report);
int abuse_death_notices_on_invalid_handles(struct abuse_report *report);
int abuse_random_command_streams(struct abuse_report *report);

/* Transactions (abuse_transactions.c). */
int abuse_forged_handles(struct abuse_report *report);
int abuse_wild_buffers(struct abuse_report *report);
int abuse_wild_object_offsets(struct abuse_report *report);
int abuse_bad_objects(struct abuse_report *report);
int abuse_fds_to_a_target_that_refuses_them(struct abuse_report *report);

/* Gathered payloads and quiet writes (abuse_gathered_payloads.c). */
int abuse_gathered_payloads(struct abuse_report *report);
int abuse_quiet_writes(struct abuse_report *report);

/* Held completes (abuse_held_completes.c). */
int abuse_held_completes(struct abuse_report *report);

/* Going away at bad moments (abuse_lifecycle.c). */
int abuse_callers_that_die_mid_call(struct abuse_report *report);
int abuse_close_while_reading(struct abuse_report *report);

/* A hostile local user: exec of a setuid program, pid of a dead parent
 * (abuse_exec.c). */
int abuse_setuid_exec(struct abuse_report *report);
int abuse_forked_sender_pid(struct abuse_report *report);

/* Floods and hoarders (abuse_flood.c, abuse_connections.c). */
int abuse_oneway_flood(struct abuse_report *report);
int abuse_never_reads_answers(struct abuse_report *report);
int abuse_never_reads_completions(struct abuse_report *report);
int abuse_many_connections(struct abuse_report *report);

/* One user against the others' share (abuse_limits.c). */
int abuse_new_thread_not_a_socket(struct abuse_report *report);
int abuse_silent_connections(struct abuse_report *report);
int abuse_connection_slots(struct abuse_report *report);
int abuse_thread_hoard(struct abuse_report *report);
int abuse_fd_hoard(struct abuse_report *report);
int abuse_accept_out_of_fds(struct abuse_report *report);
int abuse_unread_output(struct abuse_report *report);
int abuse_unread_output_per_uid(struct abuse_report *report);

#endif
