/*
 * abuse_tests.c - one Criterion test per abuse, each run beside the
 * well-behaved pair (see pair_runner.h).
 */
#include <criterion/criterion.h>

#include "pair_runner.h"

#define ABUSE_TEST(suite, name)                                                                    \
	Test(suite, name, .timeout = ABUSE_TEST_TIMEOUT)                                           \
	{                                                                                          \
		run_abuse_beside_pair(#suite "." #name, abuse_##name);                             \
	}

ABUSE_TEST(channel, garbage_on_process_channel)
ABUSE_TEST(channel, hello_then_garbage)
ABUSE_TEST(channel, garbage_on_thread_channel)
ABUSE_TEST(channel, huge_payload_header)
ABUSE_TEST(channel, truncated_requests_then_close)
ABUSE_TEST(channel, fds_announced_not_sent)
ABUSE_TEST(channel, request_while_read_pending)
ABUSE_TEST(channel, wrong_requests)
ABUSE_TEST(channel, bad_send_areas)
ABUSE_TEST(channel, bad_security_contexts)

ABUSE_TEST(commands, unknown_commands)
ABUSE_TEST(commands, truncated_commands)
ABUSE_TEST(commands, free_random_buffers)
ABUSE_TEST(commands, reply_without_transaction)
ABUSE_TEST(commands, refcounts_on_invalid_handles)
ABUSE_TEST(commands, death_notices_on_invalid_handles)
ABUSE_TEST(commands, random_command_streams)

ABUSE_TEST(transactions, direct_reads)
ABUSE_TEST(transactions, gathered_payloads)
ABUSE_TEST(transactions, quiet_writes)
ABUSE_TEST(transactions, held_completes)
ABUSE_TEST(transactions, forged_handles)
ABUSE_TEST(transactions, wild_buffers)
ABUSE_TEST(transactions, wild_object_offsets)
ABUSE_TEST(transactions, bad_objects)
ABUSE_TEST(transactions, fds_to_a_target_that_refuses_them)

ABUSE_TEST(exec, setuid_exec)
ABUSE_TEST(exec, forked_sender_pid)

ABUSE_TEST(lifecycle, callers_that_die_mid_call)
ABUSE_TEST(lifecycle, close_while_reading)

ABUSE_TEST(load, oneway_flood)
ABUSE_TEST(load, never_reads_answers)
ABUSE_TEST(load, never_reads_completions)
ABUSE_TEST(load, many_connections)

ABUSE_TEST(limits, new_thread_not_a_socket)
ABUSE_TEST(limits, silent_connections)
ABUSE_TEST(limits, connection_slots)
ABUSE_TEST(limits, thread_hoard)
ABUSE_TEST(limits, fd_hoard)
ABUSE_TEST(limits, accept_out_of_fds)
ABUSE_TEST(limits, unread_output)
ABUSE_TEST(limits, unread_output_per_uid)
