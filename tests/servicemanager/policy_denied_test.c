/*
 * policy_denied_test.c - servicemanager with a policy file
 * (policy_test.ini: "allowed.*" for every uid, everything else only for
 * uid 4242, which the test is not): allowed names are added, others get
 * BINDER_PERMISSION_DENIED and change nothing.
 */
#include <criterion/criterion.h>
#include <string.h>
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

Test(policy, denied_add_changes_nothing, .timeout = 30)
{
	cr_assert_neq(geteuid(), 4242, "the test must not run as uid 4242");
	binder_context *context = test_open_context(false);
	static const struct binder_local_ops ops = {.transact = ignore_transact};
	binder_object *object = NULL;
	cr_assert_eq(binder_object_new_local(context, "test.INothing", &ops, NULL, &object), 0);

	cr_assert_eq(binder_service_manager_add(context, "allowed.one", object), 0);
	char **before = NULL;
	size_t before_count = 0;
	cr_assert_eq(binder_service_manager_list(context, &before, &before_count), 0);

	int status = binder_service_manager_add(context, "denied.one", object);
	cr_assert_eq(status, BINDER_PERMISSION_DENIED, "add: %s", binder_status_to_string(status));
	/* Denied even with a name that is not valid, and a null service:
	 * the policy is checked first. */
	cr_assert_eq(binder_service_manager_add(context, "not valid", NULL),
	             BINDER_PERMISSION_DENIED);
	/* Replacing an allowed name is allowed. */
	cr_assert_eq(binder_service_manager_add(context, "allowed.one", object), 0);

	char **after = NULL;
	size_t after_count = 0;
	cr_assert_eq(binder_service_manager_list(context, &after, &after_count), 0);
	cr_assert_eq(after_count, before_count);
	for (size_t i = 0; i < after_count; i++)
		cr_assert_str_eq(after[i], before[i]);
	binder_object *found = NULL;
	cr_assert_eq(binder_service_manager_check(context, "denied.one", &found),
	             BINDER_NAME_NOT_FOUND);
	/* Everyone may still look things up. */
	cr_assert_eq(binder_service_manager_check(context, "allowed.one", &found), 0);
	binder_object_unref(found);

	binder_service_manager_free_names(before, before_count);
	binder_service_manager_free_names(after, after_count);
	binder_object_unref(object);
	binder_context_unref(context);
}
