/*
 * test_two_contexts.c - a process with two binder contexts closes one of
 * them: the objects of that context die for their holders (death notices,
 * dead-object calls, servicemanager forgets them), while the objects of the
 * other context keep working. The two contexts are in integration_peer
 * (two_contexts role); this process holds proxies for both objects.
 */
#include <criterion/criterion.h>
#include <time.h>

#include <binder/parcel.h>
#include <binder/service_manager.h>

#include "latch.h"
#include "protocol.h"
#include "spawn.h"
#include "test_support.h"

#define DEATH_WAIT_MS 20000

/* TWO_CONTEXTS_ECHO or _CLOSE_FIRST; returns the status, *result the int. */
static int call_two_contexts(binder_object *object, uint32_t code, int32_t value, int32_t *result)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = binder_parcel_write_interface_token(data, TWO_CONTEXTS_DESCRIPTOR);
	if (status == 0 && code == TWO_CONTEXTS_ECHO)
		status = binder_parcel_write_int32(data, value);
	if (status == 0)
		status = binder_object_transact(object, code, data, reply, 0);
	int32_t exception = -1;
	if (status == 0)
		status = binder_parcel_read_exception(reply, &exception, NULL, NULL);
	if (status == 0 && exception != BINDER_EX_NONE)
		status = BINDER_BAD_VALUE;
	if (status == 0)
		status = binder_parcel_read_int32(reply, result);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

static void count_death(binder_object *who, void *cookie)
{
	(void)who;
	latch_raise(cookie);
}

/* Polls checkService(name) until it fails (bounded); returns its status. */
static int check_until_gone(binder_context *context, const char *name)
{
	long long deadline = monotonic_ms() + DEATH_WAIT_MS;
	for (;;) {
		binder_object *found = NULL;
		int status = binder_service_manager_check(context, name, &found);
		binder_object_unref(found);
		if (status != 0 || monotonic_ms() > deadline)
			return status;
		struct timespec pause = {.tv_nsec = 20 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
}

Test(integration, close_one_of_two_contexts, .timeout = 90)
{
	pid_t peer = start_peer("two_contexts", "context.first", "context.second");
	binder_context *context = open_test_context();
	binder_object *first = get_test_service(context, "context.first");
	binder_object *second = get_test_service(context, "context.second");
	struct latch first_deaths, second_deaths;
	latch_init(&first_deaths);
	latch_init(&second_deaths);
	cr_assert_eq(binder_object_link_to_death(first, count_death, &first_deaths), 0);
	cr_assert_eq(binder_object_link_to_death(second, count_death, &second_deaths), 0);

	int32_t result = 0;
	cr_assert_eq(call_two_contexts(first, TWO_CONTEXTS_ECHO, 1, &result), 0);
	cr_assert_eq(result, 2);
	cr_assert_eq(call_two_contexts(second, TWO_CONTEXTS_ECHO, 10, &result), 0);
	cr_assert_eq(result, 11);

	/* The peer closes its first context. */
	int status = call_two_contexts(second, TWO_CONTEXTS_CLOSE_FIRST, 0, &result);
	cr_assert_eq(status, 0, "close_first: %s", binder_status_to_string(status));
	cr_assert_eq(result, 0, "the peer's binder_context_close returned %s",
	             binder_status_to_string(result));

	/* Its object died for us... */
	cr_assert(latch_wait(&first_deaths, 1, DEATH_WAIT_MS), "no death notice for the first");
	cr_assert_not(binder_object_is_alive(first));
	cr_assert_eq(call_two_contexts(first, TWO_CONTEXTS_ECHO, 1, &result), BINDER_DEAD_OBJECT);
	cr_assert_eq(check_until_gone(context, "context.first"), BINDER_NAME_NOT_FOUND);

	/* ...and the other context's object lives on, in the same process. */
	cr_assert(binder_object_is_alive(second));
	cr_assert_eq(binder_object_ping(second), 0);
	cr_assert_eq(call_two_contexts(second, TWO_CONTEXTS_ECHO, 20, &result), 0);
	cr_assert_eq(result, 21);
	binder_object *found = NULL;
	cr_assert_eq(binder_service_manager_check(context, "context.second", &found), 0);
	binder_object_unref(found);
	cr_assert_eq(latch_count(&second_deaths), 0, "the second object was reported dead");
	cr_assert_eq(latch_count(&first_deaths), 1);

	/* When the process stops, the second one dies too. */
	stop_and_expect_clean_exit(peer, "two_contexts peer");
	cr_assert(latch_wait(&second_deaths, 1, DEATH_WAIT_MS), "no death notice for the second");

	binder_object_unref(first);
	binder_object_unref(second);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
	latch_destroy(&first_deaths);
	latch_destroy(&second_deaths);
}
