/*
 * test_denied_add.c - an add that the servicemanager policy refuses. Runs
 * under tests/with_services.sh --policy deny_policy.ini, which lets nobody
 * add names under "denied." and anybody add any other name: the denied add
 * gets BINDER_PERMISSION_DENIED and changes nothing, an allowed one works.
 */
#include <criterion/criterion.h>
#include <string.h>

#include <binder/service_manager.h>

#include "nest_object.h"
#include "test_support.h"

static bool listed(binder_context *context, const char *name)
{
	char **names = NULL;
	size_t count = 0;
	int status = binder_service_manager_list(context, &names, &count);
	cr_assert_eq(status, 0, "listServices: %s", binder_status_to_string(status));
	bool found = false;
	for (size_t i = 0; i < count; i++)
		found = found || strcmp(names[i], name) == 0;
	binder_service_manager_free_names(names, count);
	return found;
}

Test(integration, denied_add, .timeout = 60)
{
	binder_context *context = open_test_context();
	/* Any local object will do as the service. */
	binder_object *service = NULL;
	cr_assert_eq(nest_object_new(context, &service), 0);

	int status = binder_service_manager_add(context, "denied.service", service);
	cr_assert_eq(status, BINDER_PERMISSION_DENIED, "the denied add returned %s",
	             binder_status_to_string(status));
	binder_object *found = NULL;
	cr_assert_eq(binder_service_manager_check(context, "denied.service", &found),
	             BINDER_NAME_NOT_FOUND);
	cr_assert_null(found);
	cr_assert_not(listed(context, "denied.service"));

	/* The same object under an allowed name. */
	status = binder_service_manager_add(context, "allowed.service", service);
	cr_assert_eq(status, 0, "the allowed add returned %s", binder_status_to_string(status));
	cr_assert_eq(binder_service_manager_check(context, "allowed.service", &found), 0);
	cr_assert_not_null(found);
	/* Our own object comes back as itself. */
	cr_assert_eq(found, service);
	binder_object_unref(found);
	cr_assert(listed(context, "allowed.service"));
	cr_assert_not(listed(context, "denied.service"));

	binder_object_unref(service);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
}
