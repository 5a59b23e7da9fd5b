/*
 * test_nested.c - nested calls across three processes: this process (A)
 * and two peers (B, C) each hold an INest object (nest_object.h). A calls
 * B, B calls C, C calls A, A calls B... nine levels deep, each call
 * carrying the three objects of the ring. Binder must run each call that
 * comes back to a process on the thread of that process that waits in the
 * call going out (the transaction stack), and each process's own object
 * must come home as the local object itself.
 */
#include <criterion/criterion.h>
#include <unistd.h>

#include "nest_object.h"
#include "test_support.h"

/* Calls in the chain: B, C, A, B, C, A, B, C, A. */
#define NEST_TEST_DEPTH 8

Test(integration, nested_calls_three_processes, .timeout = 90)
{
	pid_t peer_b = start_peer("nest", "nest.b", NULL);
	pid_t peer_c = start_peer("nest", "nest.c", NULL);
	binder_context *context = open_test_context();

	binder_object *ring[NEST_RING_SIZE];
	cr_assert_eq(nest_object_new(context, &ring[0]), 0);
	ring[1] = get_test_service(context, "nest.b");
	ring[2] = get_test_service(context, "nest.c");

	struct nest_record records[NEST_MAX_DEPTH + 1];
	size_t count = 0;
	int status = nest_call(ring, 1, NEST_TEST_DEPTH, records, NEST_MAX_DEPTH + 1, &count);
	cr_assert_eq(status, 0, "nested call: %s", binder_status_to_string(status));
	cr_assert_eq(count, NEST_TEST_DEPTH + 1);

	const pid_t ring_pids[NEST_RING_SIZE] = {getpid(), peer_b, peer_c};
	int32_t ring_tids[NEST_RING_SIZE] = {gettid(), 0, 0};
	for (size_t level = 0; level < count; level++) {
		size_t member = (level + 1) % NEST_RING_SIZE;
		cr_assert_eq(records[level].pid, ring_pids[member],
		             "level %zu ran in pid %d, not in ring member %zu (pid %d)", level,
		             records[level].pid, member, ring_pids[member]);
		cr_assert_eq(records[level].came_home, 1,
		             "level %zu: the process's own object did not come home as itself",
		             level);
		if (ring_tids[member] == 0)
			ring_tids[member] = records[level].tid;
		cr_assert_eq(records[level].tid, ring_tids[member],
		             "level %zu ran on thread %d of pid %d, not on the thread %d waiting "
		             "in the outgoing call",
		             level, records[level].tid, records[level].pid, ring_tids[member]);
	}

	for (int i = 0; i < NEST_RING_SIZE; i++)
		binder_object_unref(ring[i]);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
	stop_and_expect_clean_exit(peer_b, "nest peer B");
	stop_and_expect_clean_exit(peer_c, "nest peer C");
}
