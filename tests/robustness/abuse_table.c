/*
 * abuse_table.c - every abuse of the suite, in the order the memory test
 * runs them.
 */
#include <stddef.h>

#include "abuses.h"

const struct abuse abuse_table[] = {
        {"garbage on the process channel", abuse_garbage_on_process_channel},
        {"hello then garbage", abuse_hello_then_garbage},
        {"garbage on a thread channel", abuse_garbage_on_thread_channel},
        {"header announcing a huge payload", abuse_huge_payload_header},
        {"truncated requests then close", abuse_truncated_requests_then_close},
        {"fds announced and not sent", abuse_fds_announced_not_sent},
        {"request while a read is pending", abuse_request_while_read_pending},
        {"wrong requests", abuse_wrong_requests},
        {"bad send areas", abuse_bad_send_areas},
        {"bad security contexts", abuse_bad_security_contexts},
        {"unknown commands", abuse_unknown_commands},
        {"truncated commands", abuse_truncated_commands},
        {"BC_FREE_BUFFER of random addresses", abuse_free_random_buffers},
        {"BC_REPLY without a transaction", abuse_reply_without_transaction},
        {"direct reads: lying probe, PTR object, a channel used by another process",
         abuse_direct_reads},
        {"gathered payloads: hostile segment lists, a lying probe", abuse_gathered_payloads},
        {"quiet writes: frees without a RESULT, bogus ones, quiet reads", abuse_quiet_writes},
        {"held completes: held until the next call, dead callers, deaths", abuse_held_completes},
        {"refcounts on invalid handles", abuse_refcounts_on_invalid_handles},
        {"death notices on invalid handles", abuse_death_notices_on_invalid_handles},
        {"random command streams", abuse_random_command_streams},
        {"forged handles", abuse_forged_handles},
        {"wild buffers and offsets", abuse_wild_buffers},
        {"wild object offsets", abuse_wild_object_offsets},
        {"bad objects", abuse_bad_objects},
        {"fds to a target that refuses them", abuse_fds_to_a_target_that_refuses_them},
        {"exec of a setuid program with the channels kept", abuse_setuid_exec},
        {"sender_pid after the sender's parent is reaped", abuse_forked_sender_pid},
        {"callers that die mid-call", abuse_callers_that_die_mid_call},
        {"close while reading", abuse_close_while_reading},
        {"flood of 100,000 oneway calls", abuse_oneway_flood},
        {"never reads its answers", abuse_never_reads_answers},
        {"never reads its completions", abuse_never_reads_completions},
        {"2,000 connections", abuse_many_connections},
        {"NEW_THREAD with what is not a Unix stream socket", abuse_new_thread_not_a_socket},
        {"connections that never say hello", abuse_silent_connections},
        {"every connection slot to one uid", abuse_connection_slots},
        {"every thread channel to one uid", abuse_thread_hoard},
        {"fds held for one uid's undelivered calls", abuse_fd_hoard},
        {"accept out of fds", abuse_accept_out_of_fds},
        {"a thread that never reads its output", abuse_unread_output},
        {"unread output of one uid's threads", abuse_unread_output_per_uid},
        {NULL, NULL},
};
