/* test_support.c - helpers shared by the integration tests (see
 * test_support.h). */
#include "test_support.h"

#include <criterion/criterion.h>
#include <sys/wait.h>

#include <binder/service_manager.h>

#include "spawn.h"

const char *const integration_peer_path = INTEGRATION_PEER_PATH;
const char *const calculator_service_path = CALCULATOR_SERVICE_PATH;
const char *const calculator_client_path = CALCULATOR_CLIENT_PATH;
const char *const callback_service_path = CALLBACK_SERVICE_PATH;
const char *const callback_client_path = CALLBACK_CLIENT_PATH;

/* How long a program has to stop after SIGTERM, in ms. */
#define STOP_WAIT_MS 20000

binder_context *open_test_context(void)
{
	binder_context *context = NULL;
	int status = binder_context_new(NULL, &context);
	cr_assert_eq(status, 0, "binder_context_new: %s", binder_status_to_string(status));
	status = binder_context_start_thread_pool(context);
	cr_assert_eq(status, 0, "start_thread_pool: %s", binder_status_to_string(status));
	return context;
}

binder_object *get_test_service(binder_context *context, const char *name)
{
	binder_object *service = NULL;
	int status = binder_service_manager_get(context, name, SERVICE_WAIT_MS, &service);
	cr_assert_eq(status, 0, "getService(%s): %s", name, binder_status_to_string(status));
	cr_assert_not_null(service);
	return service;
}

pid_t start_peer(const char *role, const char *argument, const char *second_argument)
{
	char *argv[] = {(char *)integration_peer_path, (char *)role, (char *)argument,
	                (char *)second_argument, NULL};
	pid_t pid = spawn_program(argv, -1, -1);
	cr_assert_gt(pid, 0, "cannot start integration_peer %s", role);
	return pid;
}

pid_t start_program(const char *path, const char *argument)
{
	char *argv[] = {(char *)path, (char *)argument, NULL};
	pid_t pid = spawn_program(argv, -1, -1);
	cr_assert_gt(pid, 0, "cannot start %s", path);
	return pid;
}

void stop_and_expect_clean_exit(pid_t pid, const char *what)
{
	int wait_status = 0;
	int status = stop_program(pid, STOP_WAIT_MS, &wait_status);
	cr_assert_eq(status, 0, "%s did not stop within %d ms of SIGTERM", what, STOP_WAIT_MS);
	cr_assert(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0,
	          "%s did not exit cleanly (wait status 0x%x)", what, wait_status);
}
