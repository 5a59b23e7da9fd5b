/*
 * services_test.c - servicemanager through the libbinder client, against
 * a real binderd and servicemanager (tests/with_services.sh, default
 * policy): add / check / get / list, bad arguments, replacing, waiting for
 * a service another process adds later, a killed service leaving the list,
 * and an add refused to an unprivileged uid.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_support.h"

static int ignore_transact(binder_object *self, uint32_t code, binder_parcel *data,
                           binder_parcel *reply, const struct binder_caller *caller,
                           void *user_data)
{
	(void)self;
	(void)code;
	(void)data;
	(void)reply;
	(void)caller;
	(void)user_data;
	return 0;
}

static binder_object *new_object(binder_context *context)
{
	static const struct binder_local_ops ops = {.transact = ignore_transact};
	binder_object *object = NULL;
	cr_assert_eq(binder_object_new_local(context, "test.INothing", &ops, NULL, &object), 0);
	return object;
}

Test(services, add_check_get_list, .timeout = 30)
{
	binder_context *context = test_open_context(true);
	binder_object *object = new_object(context);
	const char *names[] = {"test.zeta", "test.alpha", "test/with@odd-chars_1.0"};
	for (size_t i = 0; i < 3; i++) {
		int status = binder_service_manager_add(context, names[i], object);
		cr_assert_eq(status, 0, "add %s: %s", names[i], binder_status_to_string(status));
	}
	binder_object *found = NULL;
	cr_assert_eq(binder_service_manager_check(context, "test.alpha", &found), 0);
	/* Our own object comes home as itself. */
	cr_assert_eq(found, object);
	binder_object_unref(found);
	found = NULL;
	cr_assert_eq(binder_service_manager_get(context, "test.zeta", 1000, &found), 0);
	cr_assert_eq(found, object);
	binder_object_unref(found);

	char **list = NULL;
	size_t count = 0;
	cr_assert_eq(binder_service_manager_list(context, &list, &count), 0);
	size_t ours = 0;
	for (size_t i = 0; i < count; i++) {
		if (i > 0)
			cr_assert_lt(strcmp(list[i - 1], list[i]), 0, "list not sorted");
		for (size_t j = 0; j < 3; j++)
			ours += strcmp(list[i], names[j]) == 0;
	}
	cr_assert_eq(ours, 3);
	binder_service_manager_free_names(list, count);
	binder_object_unref(object);
	binder_context_unref(context);
}

Test(services, missing_name, .timeout = 30)
{
	binder_context *context = test_open_context(false);
	binder_object *found = NULL;
	cr_assert_eq(binder_service_manager_check(context, "test.nobody", &found),
	             BINDER_NAME_NOT_FOUND);
	cr_assert_eq(binder_service_manager_get(context, "test.nobody", 0, &found),
	             BINDER_NAME_NOT_FOUND);
	cr_assert_eq(binder_service_manager_get(context, "test.nobody", 120, &found),
	             BINDER_NAME_NOT_FOUND);
	cr_assert_null(found);
	binder_context_unref(context);
}

Test(services, bad_arguments, .timeout = 30)
{
	binder_context *context = test_open_context(false);
	binder_object *object = new_object(context);
	char long_name[129];
	memset(long_name, 'a', 128);
	long_name[128] = '\0';
	const char *bad[] = {"", "has space", "semi;colon", "ünïcode", long_name};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(binder_service_manager_add(context, bad[i], object), BINDER_BAD_VALUE,
		             "name %zu accepted", i);
		cr_assert_not(test_list_contains(context, bad[i]));
	}
	/* 127 bytes is the longest name. */
	long_name[127] = '\0';
	cr_assert_eq(binder_service_manager_add(context, long_name, object), 0);
	cr_assert_eq(binder_service_manager_add(context, "test.null", NULL), BINDER_BAD_VALUE);
	cr_assert_not(test_list_contains(context, "test.null"));
	/* get on a name that can never exist does not wait. */
	binder_object *found = NULL;
	cr_assert_eq(binder_service_manager_get(context, "bad name", 60000, &found),
	             BINDER_BAD_VALUE);
	binder_object_unref(object);
	binder_context_unref(context);
}

Test(services, add_again_replaces, .timeout = 30)
{
	binder_context *context = test_open_context(false);
	binder_object *first = new_object(context);
	binder_object *second = new_object(context);
	cr_assert_eq(binder_service_manager_add(context, "test.replaced", first), 0);
	cr_assert_eq(binder_service_manager_add(context, "test.replaced", second), 0);
	binder_object *found = NULL;
	cr_assert_eq(binder_service_manager_check(context, "test.replaced", &found), 0);
	cr_assert_eq(found, second);
	binder_object_unref(found);
	binder_object_unref(first);
	binder_object_unref(second);
	binder_context_unref(context);
}

/* get waits for a service another process adds 200 ms later. */
static void get_waits(bool pool)
{
	binder_context *context = test_open_context(pool);
	const char *name = pool ? "test.late.pool" : "test.late.polling";
	pid_t service_pid = test_spawn_service(name, 200);
	binder_object *found = NULL;
	int status = binder_service_manager_get(context, name, 20000, &found);
	cr_assert_eq(status, 0, "get: %s", binder_status_to_string(status));
	cr_assert_not(binder_object_is_local(found));
	int32_t answer = 0;
	cr_assert_eq(test_echo(found, 41, &answer), 0);
	cr_assert_eq(answer, 42);
	binder_object_unref(found);
	test_kill_service(service_pid);
	binder_context_unref(context);
}

Test(services, get_waits_with_thread_pool, .timeout = 60)
{
	get_waits(true);
}

Test(services, get_waits_without_threads, .timeout = 60)
{
	get_waits(false);
}

Test(services, killed_service_leaves_list, .timeout = 60)
{
	binder_context *context = test_open_context(false);
	pid_t service_pid = test_spawn_service("test.doomed", 0);
	binder_object *found = NULL;
	cr_assert_eq(binder_service_manager_get(context, "test.doomed", 20000, &found), 0);
	cr_assert(test_list_contains(context, "test.doomed"));
	binder_object_unref(found);
	test_kill_service(service_pid);
	/* Bounded wait: 20 s for servicemanager to hear of the death. */
	bool gone = false;
	for (int i = 0; i < 2000 && !gone; i++) {
		gone = !test_list_contains(context, "test.doomed");
		if (!gone)
			test_sleep_ms(10);
	}
	cr_assert(gone, "test.doomed still listed after its process was killed");
	cr_assert_eq(binder_service_manager_check(context, "test.doomed", &found),
	             BINDER_NAME_NOT_FOUND);
	binder_context_unref(context);
}

/* The child of denied_for_unprivileged_uid: as uid 65534, tries to add. */
static int add_as_nobody(void)
{
	if (setgid(65534) != 0 || setuid(65534) != 0)
		return 10;
	binder_context *context = NULL;
	if (binder_context_new(NULL, &context) != 0)
		return 11;
	static const struct binder_local_ops ops = {.transact = ignore_transact};
	binder_object *object = NULL;
	if (binder_object_new_local(context, "test.INothing", &ops, NULL, &object) != 0)
		return 12;
	int status = binder_service_manager_add(context, "test.by_nobody", object);
	binder_object_unref(object);
	binder_context_unref(context);
	return status == BINDER_PERMISSION_DENIED ? 0 : 13;
}

Test(services, denied_for_unprivileged_uid, .timeout = 30)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to become uid 65534");
	/* The list before, from a context closed before the fork. */
	binder_context *context = test_open_context(false);
	char **before = NULL;
	size_t before_count = 0;
	cr_assert_eq(binder_service_manager_list(context, &before, &before_count), 0);
	binder_context_unref(context);

	pid_t child = fork();
	cr_assert_geq(child, 0);
	if (child == 0)
		_exit(add_as_nobody());
	int child_status = 0;
	cr_assert_eq(waitpid(child, &child_status, 0), child);
	cr_assert(WIFEXITED(child_status));
	cr_assert_eq(WEXITSTATUS(child_status), 0,
	             "the unprivileged add was not refused with PERMISSION_DENIED (%d)",
	             WEXITSTATUS(child_status));

	context = test_open_context(false);
	char **after = NULL;
	size_t after_count = 0;
	cr_assert_eq(binder_service_manager_list(context, &after, &after_count), 0);
	/* Nothing appeared (services of earlier tests may have left meanwhile). */
	for (size_t i = 0; i < after_count; i++) {
		bool known = false;
		for (size_t j = 0; j < before_count && !known; j++)
			known = strcmp(after[i], before[j]) == 0;
		cr_assert(known, "'%s' appeared after a denied add", after[i]);
	}
	binder_object *found = NULL;
	cr_assert_eq(binder_service_manager_check(context, "test.by_nobody", &found),
	             BINDER_NAME_NOT_FOUND);
	binder_service_manager_free_names(before, before_count);
	binder_service_manager_free_names(after, after_count);
	binder_context_unref(context);
}
