/*
 * test_calculator.c - service and client in separate processes: the
 * calculator example's service program, called from this process and by
 * the example's client program.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <binder/service_manager.h>

#include "calculator.h"
#include "calculator_call.h"
#include "spawn.h"
#include "test_support.h"

/* Runs calculator_client OPERATION A B and checks what it prints. */
static void expect_client_output(const char *operation, const char *a, const char *b,
                                 const char *expected)
{
	char *argv[] = {(char *)calculator_client_path, (char *)operation, (char *)a, (char *)b,
	                NULL};
	char output[256];
	int wait_status = 0;
	int status = run_program(argv, output, sizeof(output), 30000, &wait_status);
	cr_assert_eq(status, 0, "calculator_client did not finish");
	cr_assert(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0,
	          "calculator_client failed (wait status 0x%x), printed \"%s\"", wait_status,
	          output);
	cr_assert_str_eq(output, expected);
}

Test(integration, calculator_separate_processes, .timeout = 90)
{
	pid_t service = start_program(calculator_service_path, CALCULATOR_SERVICE_NAME);
	binder_context *context = open_test_context();
	binder_object *calculator = get_test_service(context, CALCULATOR_SERVICE_NAME);

	/* A proxy for an object of another process. */
	cr_assert_not(binder_object_is_local(calculator));
	cr_assert(binder_object_is_alive(calculator));
	cr_assert_eq(binder_object_ping(calculator), 0);
	char *descriptor = NULL;
	cr_assert_eq(binder_object_descriptor(calculator, &descriptor), 0);
	cr_assert_str_eq(descriptor, CALCULATOR_DESCRIPTOR);
	free(descriptor);

	int32_t exception = -1, result = 0;
	cr_assert_eq(calculator_call(calculator, CALCULATOR_ADD, 2, 3, &exception, &result), 0);
	cr_assert_eq(exception, BINDER_EX_NONE);
	cr_assert_eq(result, 5);
	cr_assert_eq(calculator_call(calculator, CALCULATOR_SUB, 7, 10, &exception, &result), 0);
	cr_assert_eq(exception, BINDER_EX_NONE);
	cr_assert_eq(result, -3);
	/* An overflow comes back as an exception in the reply. */
	cr_assert_eq(calculator_call(calculator, CALCULATOR_ADD, INT32_MAX, 1, &exception, &result),
	             0);
	cr_assert_eq(exception, BINDER_EX_ILLEGAL_ARGUMENT);
	/* A code the service does not know. */
	binder_parcel *data = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_interface_token(data, CALCULATOR_DESCRIPTOR), 0);
	cr_assert_eq(binder_object_transact(calculator, CALCULATOR_SUB + 1, data, NULL, 0),
	             BINDER_UNKNOWN_TRANSACTION);
	binder_parcel_free(data);

	/* The example's client program, a third process. */
	expect_client_output("add", "2", "3", "2 + 3 = 5\n");
	expect_client_output("sub", "7", "10", "7 - 10 = -3\n");

	binder_object_unref(calculator);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
	stop_and_expect_clean_exit(service, "calculator_service");
}
