/*
 * debug_record_test.c - unit tests of binderd's debug records and views
 * (driver/binderd/debug_record.c, debug_views.c, debug_state_view.c),
 * Criterion, no binderd process: the transaction log rings keep the last
 * DEBUG_LOG_ENTRIES entries, oldest first, across wrap-around; a failure
 * goes to both logs with its reason; the BC/BR counts and totals; view
 * names; and the views render (text in the kernel's layout, JSON as one
 * document) with no processes and with one hand-made process.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binderd.h"
#include "debug.h"
#include "debug_record.h"

/* binderd's event loop lives in main.c, which the tests do not link. */
struct event_base *binderd_event_base;

#define TEST_PID       4242
#define TARGET_PID     4343
#define FIRST_ID       1000u
#define WRAPPED_COUNT  (DEBUG_LOG_ENTRIES + 8u)
#define TEST_CODE      0x5f504e47u
#define TEST_DATA_SIZE 24u

static struct proc test_proc = {.pid = TEST_PID};
static struct thread test_thread = {.proc = &test_proc, .debug_id = 7};

static void begin(uint64_t debug_id, bool reply, uint32_t flags)
{
	struct binder_transaction_data tr = {
	        .target = {.handle = 1},
	        .code = TEST_CODE,
	        .flags = flags,
	        .data_size = TEST_DATA_SIZE,
	        .offsets_size = 8,
	};
	debug_log_begin(&test_thread, &tr, reply, debug_id);
}

/* The view as a NUL-terminated string (the caller frees it). */
static char *render(enum debug_view view, bool json)
{
	struct evbuffer *buffer = evbuffer_new();
	cr_assert_not_null(buffer);
	cr_assert_eq(debug_render(view, json, buffer), 0);
	size_t length = evbuffer_get_length(buffer);
	char *text = calloc(1, length + 1);
	cr_assert_not_null(text);
	evbuffer_remove(buffer, text, length);
	evbuffer_free(buffer);
	return text;
}

Test(debug_log, keeps_every_entry_until_full)
{
	for (uint64_t i = 0; i < 3; i++) {
		begin(FIRST_ID + i, false, 0);
		debug_log_done(FIRST_ID + i);
	}
	struct debug_log_entry entries[DEBUG_LOG_ENTRIES];
	cr_assert_eq(debug_log_read(DEBUG_LOG_TRANSACTIONS, entries), 3);
	cr_assert_eq(entries[0].debug_id, FIRST_ID);
	cr_assert_eq(entries[2].debug_id, FIRST_ID + 2);
	cr_assert_eq(entries[0].from_proc, TEST_PID);
	cr_assert_eq(entries[0].from_thread, 7);
	cr_assert_eq(entries[0].code, TEST_CODE);
	cr_assert_eq(entries[0].debug_id_done, FIRST_ID);
	cr_assert_eq(debug_log_read(DEBUG_LOG_FAILED, entries), 0);
}

Test(debug_log, wraps_around_keeping_the_newest_last)
{
	for (uint64_t i = 0; i < WRAPPED_COUNT; i++) {
		begin(FIRST_ID + i, false, 0);
		debug_log_done(FIRST_ID + i);
	}
	struct debug_log_entry entries[DEBUG_LOG_ENTRIES];
	size_t count = debug_log_read(DEBUG_LOG_TRANSACTIONS, entries);
	cr_assert_eq(count, DEBUG_LOG_ENTRIES);
	uint64_t oldest = FIRST_ID + WRAPPED_COUNT - DEBUG_LOG_ENTRIES;
	for (size_t i = 0; i < count; i++)
		cr_assert_eq(entries[i].debug_id, oldest + i, "entry %zu is %llu", i,
		             (unsigned long long)entries[i].debug_id);
}

Test(debug_log, failure_goes_to_both_logs_with_its_reason)
{
	begin(FIRST_ID, false, TF_ONE_WAY);
	debug_log_done(FIRST_ID);
	begin(FIRST_ID + 1, false, 0);
	debug_log_failed(FIRST_ID + 1, BR_FAILED_REPLY, -EINVAL, 123, "invalid handle");
	begin(FIRST_ID + 2, true, 0);
	debug_log_failed(FIRST_ID + 2, BR_DEAD_REPLY, 0, 45, "target dead");

	struct debug_log_entry entries[DEBUG_LOG_ENTRIES];
	cr_assert_eq(debug_log_read(DEBUG_LOG_TRANSACTIONS, entries), 3);
	cr_assert_eq(entries[0].call_type, DEBUG_CALL_ONEWAY);
	cr_assert_eq(entries[1].return_error, BR_FAILED_REPLY);
	cr_assert_eq(entries[2].call_type, DEBUG_CALL_REPLY);

	cr_assert_eq(debug_log_read(DEBUG_LOG_FAILED, entries), 2);
	cr_assert_eq(entries[0].debug_id, FIRST_ID + 1);
	cr_assert_eq(entries[0].return_error, BR_FAILED_REPLY);
	cr_assert_eq(entries[0].return_error_param, -EINVAL);
	cr_assert_eq(entries[0].return_error_line, 123);
	cr_assert_str_eq(entries[0].reason, "invalid handle");
	cr_assert_eq(entries[0].debug_id_done, FIRST_ID + 1);
	cr_assert_eq(entries[1].return_error, BR_DEAD_REPLY);

	struct debug_totals totals;
	debug_totals_get(&totals);
	cr_assert_eq(totals.transactions, 3);
	cr_assert_eq(totals.oneway_transactions, 1);
	cr_assert_eq(totals.replies, 1);
	cr_assert_eq(totals.failed_transactions, 2);
	cr_assert_eq(totals.bytes, TEST_DATA_SIZE + 8);
}

Test(debug_log, failed_ring_wraps_too)
{
	for (uint64_t i = 0; i < WRAPPED_COUNT; i++) {
		begin(FIRST_ID + i, false, 0);
		debug_log_failed(FIRST_ID + i, BR_FAILED_REPLY, -ENOSPC, 1,
		                 "no space in target's buffer");
	}
	struct debug_log_entry entries[DEBUG_LOG_ENTRIES];
	cr_assert_eq(debug_log_read(DEBUG_LOG_FAILED, entries), DEBUG_LOG_ENTRIES);
	cr_assert_eq(entries[0].debug_id, FIRST_ID + WRAPPED_COUNT - DEBUG_LOG_ENTRIES);
	cr_assert_eq(entries[DEBUG_LOG_ENTRIES - 1].debug_id, FIRST_ID + WRAPPED_COUNT - 1);
}

Test(debug_log, target_fills_the_entry)
{
	struct proc target = {.pid = TARGET_PID};
	struct thread target_thread = {.proc = &target, .debug_id = 9};
	struct node node = {.debug_id = 11, .proc = &target};
	begin(FIRST_ID, false, 0);
	debug_log_target(FIRST_ID, &target, &target_thread, &node);
	struct debug_log_entry entries[DEBUG_LOG_ENTRIES];
	cr_assert_eq(debug_log_read(DEBUG_LOG_TRANSACTIONS, entries), 1);
	cr_assert_eq(entries[0].to_proc, TARGET_PID);
	cr_assert_eq(entries[0].to_thread, 9);
	cr_assert_eq(entries[0].to_node, 11);
	cr_assert_eq(entries[0].debug_id_done, 0);
}

Test(debug_log, text_layout_is_the_kernels_with_code_and_reason)
{
	begin(FIRST_ID, false, 0);
	debug_log_failed(FIRST_ID, BR_FAILED_REPLY, -EINVAL, 77, "invalid handle");
	begin(FIRST_ID + 1, false, 0);
	char *text = render(DEBUG_VIEW_FAILED_TRANSACTION_LOG, false);
	cr_assert_str_eq(text, "1000: call  from 4242:7 to 0:0 context binder node 0 handle 1 "
	                       "size 24:8 ret 29201/-22 l=77 code 5f504e47 flags 0 "
	                       "error BR_FAILED_REPLY reason \"invalid handle\"\n");
	free(text);
	text = render(DEBUG_VIEW_TRANSACTION_LOG, false);
	cr_assert(strstr(text, "1001: call  from 4242:7") != NULL, "%s", text);
	cr_assert(strstr(text, " (incomplete)\n") != NULL, "%s", text);
	free(text);
	text = render(DEBUG_VIEW_FAILED_TRANSACTION_LOG, true);
	cr_assert(strncmp(text, "{\"view\":\"failed_transaction_log\",\"entries\":[{", 45) == 0,
	          "%s", text);
	cr_assert(strstr(text, "\"return_error_name\":\"BR_FAILED_REPLY\"") != NULL, "%s", text);
	cr_assert(strstr(text, "\"reason\":\"invalid handle\"") != NULL, "%s", text);
	free(text);
}

Test(debug_stats, counts_commands_and_returns)
{
	debug_count_command(&test_proc, BC_TRANSACTION);
	debug_count_command(&test_proc, BC_TRANSACTION);
	debug_count_command(NULL, BC_FREE_BUFFER);
	debug_count_command(&test_proc, _IOW('c', 200, int)); /* no such command */
	debug_count_return(&test_proc, BR_NOOP);              /* not counted */
	debug_count_return(&test_proc, BR_TRANSACTION_SEC_CTX);
	const struct debug_command_stats *stats = debug_global_stats();
	cr_assert_eq(stats->bc[_IOC_NR(BC_TRANSACTION)], 2);
	cr_assert_eq(stats->bc[_IOC_NR(BC_FREE_BUFFER)], 1);
	cr_assert_eq(stats->br[_IOC_NR(BR_NOOP)], 0);
	cr_assert_eq(stats->br[_IOC_NR(BR_TRANSACTION)], 1);
	cr_assert_eq(test_proc.stats.bc[_IOC_NR(BC_TRANSACTION)], 2);
	cr_assert_eq(test_proc.stats.bc[_IOC_NR(BC_FREE_BUFFER)], 0);
	char *text = render(DEBUG_VIEW_STATS, false);
	cr_assert_str_eq(text, "binder stats:\n"
	                       "BC_TRANSACTION: 2\n"
	                       "BC_FREE_BUFFER: 1\n"
	                       "BR_TRANSACTION: 1\n");
	free(text);
}

Test(debug_views, names_round_trip)
{
	for (unsigned i = 0; i < DEBUG_VIEW_COUNT; i++) {
		enum debug_view view;
		const char *name = debug_view_name((enum debug_view)i);
		cr_assert_not_null(name);
		cr_assert_eq(debug_view_from_name(name, &view), 0);
		cr_assert_eq(view, (enum debug_view)i);
	}
	enum debug_view view;
	cr_assert_eq(debug_view_from_name("log", &view), 0);
	cr_assert_eq(view, DEBUG_VIEW_TRANSACTION_LOG);
	cr_assert_eq(debug_view_from_name("failed", &view), 0);
	cr_assert_eq(view, DEBUG_VIEW_FAILED_TRANSACTION_LOG);
	cr_assert_str_eq(debug_view_name(DEBUG_VIEW_FAILED_TRANSACTION_LOG),
	                 "failed_transaction_log");
	const char *wrong[] = {"", "State", "logs", "state ", "transaction", "fail"};
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
		cr_assert_eq(debug_view_from_name(wrong[i], &view), -EINVAL, "%s", wrong[i]);
	cr_assert_eq(debug_view_from_name(NULL, &view), -EINVAL);
	cr_assert_null(debug_view_name(DEBUG_VIEW_COUNT));
}

Test(debug_views, render_with_no_processes)
{
	const char *headers[DEBUG_VIEW_COUNT] = {
	        [DEBUG_VIEW_STATE] = "binder state:\n",
	        [DEBUG_VIEW_STATS] = "binder stats:\n",
	        [DEBUG_VIEW_TRANSACTIONS] = "binder transactions:\n",
	        [DEBUG_VIEW_TRANSACTION_LOG] = "",
	        [DEBUG_VIEW_FAILED_TRANSACTION_LOG] = "",
	};
	for (unsigned i = 0; i < DEBUG_VIEW_COUNT; i++) {
		char *text = render((enum debug_view)i, false);
		cr_assert_str_eq(text, headers[i]);
		free(text);
		char *json = render((enum debug_view)i, true);
		size_t length = strlen(json);
		cr_assert(length > 2 && json[0] == '{' && json[length - 2] == '}' &&
		                  json[length - 1] == '\n',
		          "%s", json);
		free(json);
	}
	struct evbuffer *buffer = evbuffer_new();
	cr_assert_eq(debug_render(DEBUG_VIEW_COUNT, false, buffer), -EINVAL);
	evbuffer_free(buffer);
}

/* One proc with a thread waiting in a call, a node another proc holds a
 * ref on, and the calling proc's ref: the questions the views answer. */
Test(debug_views, state_shows_holders_and_stuck_calls)
{
	struct proc *server = calloc(1, sizeof(*server));
	struct proc *client = calloc(1, sizeof(*client));
	cr_assert(server && client);
	server->pid = TARGET_PID;
	client->pid = TEST_PID;
	struct proc *procs[] = {server, client};
	for (size_t i = 0; i < 2; i++) {
		TAILQ_INIT(&procs[i]->threads);
		TAILQ_INIT(&procs[i]->waiting_threads);
		work_list_init(&procs[i]->todo);
		work_list_init(&procs[i]->delivered_death);
		procs[i]->area.memfd = -1;
		TAILQ_INSERT_TAIL(&binderd_device.procs, procs[i], entry);
		binderd_device.proc_count++;
	}
	struct node *node = node_new(server, 0x1000, 0x2000, 0);
	cr_assert_not_null(node);
	node->has_weak_ref = true; /* as if the owner had taken BR_INCREFS */
	struct ref *ref = NULL;
	cr_assert_eq(ref_inc_for_node(client, node, false, NULL, &ref), 0);

	struct thread *caller = calloc(1, sizeof(*caller));
	cr_assert_not_null(caller);
	caller->proc = client;
	caller->debug_id = 77;
	caller->looper = LOOPER_ENTERED;
	work_list_init(&caller->todo);
	TAILQ_INSERT_TAIL(&client->threads, caller, entry);
	client->thread_count = 1;
	struct txn call = {
	        .debug_id = 99,
	        .from = caller,
	        .to_proc = server,
	        .code = 3,
	        .need_reply = true,
	        .work = {.type = WORK_TRANSACTION},
	};
	caller->transaction_stack = &call;
	work_enqueue(&server->todo, &call.work);

	char *text = render(DEBUG_VIEW_STATE, false);
	char expected_node[128];
	snprintf(expected_node, sizeof(expected_node),
	         "  node %llu: u0000000000001000 c0000000000002000 hs 0 hw 1 ls 0 lw 0 is 0 "
	         "iw 1 tr 0 proc %d\n",
	         (unsigned long long)node->debug_id, TEST_PID);
	cr_assert(strstr(text, expected_node) != NULL, "%s", text);
	cr_assert(strstr(text, "  thread 77: l 02 need_return 0 tr 0\n"
	                       "    outgoing transaction 99: 0000000000000000 from 4242:77 to "
	                       "4343:0 code 3 flags 0 pri 0 r1\n") != NULL,
	          "%s", text);
	cr_assert(strstr(text, "  pending transaction 99: 0000000000000000 from 4242:77 to "
	                       "4343:0 code 3 flags 0 pri 0 r1 buffer free\n") != NULL,
	          "%s", text);
	char expected_ref[128];
	snprintf(expected_ref, sizeof(expected_ref),
	         "  ref %llu: desc 1 node %llu s 0 w 1 d 0000000000000000\n",
	         (unsigned long long)ref->debug_id, (unsigned long long)node->debug_id);
	cr_assert(strstr(text, expected_ref) != NULL, "%s", text);
	free(text);

	text = render(DEBUG_VIEW_TRANSACTIONS, false);
	cr_assert(strstr(text, "proc 4343\n") != NULL, "%s", text);
	cr_assert(strstr(text, "  ref ") == NULL, "%s", text);
	free(text);

	char *json = render(DEBUG_VIEW_STATE, true);
	cr_assert(strstr(json, "\"holders\":[{\"pid\":4242,\"handle\":1,") != NULL, "%s", json);
	cr_assert(strstr(json, "\"role\":\"outgoing\",\"debug_id\":99") != NULL, "%s", json);
	free(json);

	struct debug_census census;
	debug_census_take(&census);
	cr_assert_eq(census.procs, 2);
	cr_assert_eq(census.threads, 1);
	cr_assert_eq(census.nodes, 1);
	cr_assert_eq(census.refs, 1);
}

/* Refs print by handle, as the kernel's refs_by_desc tree, whatever order
 * they were made in; and printing reorders nothing. */
Test(debug_views, refs_print_by_handle)
{
	struct proc *owner = calloc(1, sizeof(*owner));
	struct proc *holder = calloc(1, sizeof(*holder));
	cr_assert(owner && holder);
	owner->pid = TARGET_PID;
	holder->pid = TEST_PID;
	struct proc *procs[] = {owner, holder};
	for (size_t i = 0; i < 2; i++) {
		TAILQ_INIT(&procs[i]->threads);
		TAILQ_INIT(&procs[i]->waiting_threads);
		work_list_init(&procs[i]->todo);
		work_list_init(&procs[i]->delivered_death);
		procs[i]->area.memfd = -1;
		TAILQ_INSERT_TAIL(&binderd_device.procs, procs[i], entry);
		binderd_device.proc_count++;
	}
	struct node *nodes[3];
	for (size_t i = 0; i < 3; i++) {
		nodes[i] = node_new(owner, 0x1000 * (i + 1), 0, 0);
		cr_assert_not_null(nodes[i]);
		nodes[i]->has_weak_ref = true;
	}
	struct ref *first, *second, *third;
	cr_assert_eq(ref_inc_for_node(holder, nodes[0], false, NULL, &first), 0);
	cr_assert_eq(ref_inc_for_node(holder, nodes[1], false, NULL, &second), 0);
	cr_assert_eq(second->desc, 2);
	cr_assert(ref_dec(first, false)); /* handle 1 is free again */
	cr_assert_eq(ref_inc_for_node(holder, nodes[2], false, NULL, &third), 0);
	cr_assert_eq(third->desc, 1); /* made last, printed first */
	char *text = render(DEBUG_VIEW_STATE, false);
	const char *desc1 = strstr(text, "desc 1 ");
	const char *desc2 = strstr(text, "desc 2 ");
	cr_assert(desc1 && desc2 && desc1 < desc2, "%s", text);
	free(text);
	cr_assert_eq(holder->refs_by_desc, second, "rendering reordered the refs");
}
