/*
 * calculator_client.c - the client half of the calculator example.
 *
 *     calculator_client add 2 3      prints "2 + 3 = 5"
 *     calculator_client sub 7 10     prints "7 - 10 = -3"
 *
 * It asks servicemanager for "calculator" (waiting a few seconds for it to
 * appear), calls ICalculate.add or .sub on it (see calculator.h) and prints
 * the result. A client needs no thread pool: it only makes calls, and the
 * calling thread waits for each reply. Exit status: 0 when the call
 * worked, 1 otherwise, 2 for bad usage.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <binder/binder.h>
#include <binder/device.h>
#include <binder/parcel.h>
#include <binder/service_manager.h>

#include "calculator.h"

#define PROGRAM "calculator_client"

/* A servicemanager call that fails with BINDER_DEAD_OBJECT found nobody
 * serving handle 0 on the device: servicemanager is not running there. */
static void print_no_context_manager(void)
{
	fprintf(stderr, "%s: no context manager on %s (is servicemanager running?)\n", PROGRAM,
	        binder_device_default_path());
}

static int usage(void)
{
	fprintf(stderr, "usage: calculator_client add|sub A B   (A and B are ints)\n");
	return 2;
}

/* Reads a decimal int from text; false unless it is all digits and fits. */
static bool parse_int32(const char *text, int32_t *out)
{
	char *end;
	errno = 0;
	long value = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value < INT32_MIN || value > INT32_MAX)
		return false;
	*out = (int32_t)value;
	return true;
}

/*
 * One ICalculate call: what an AIDL-generated proxy method does. Returns
 * 0 and *result, or a transaction status (the call did not go through),
 * or 1 when the service answered with an exception (printed).
 */
static int call_calculator(binder_object *calculator, uint32_t code, int32_t a, int32_t b,
                           int32_t *result)
{
	/* The request: a parcel that starts with the interface token, then
	 * the arguments in order. */
	binder_parcel *data = NULL, *reply = NULL;
	int status = binder_parcel_new_request(calculator, CALCULATOR_DESCRIPTOR, &data);
	if (status == 0)
		status = binder_parcel_create(&reply);
	if (status == 0)
		status = binder_parcel_write_int32(data, a);
	if (status == 0)
		status = binder_parcel_write_int32(data, b);

	/* Send it and wait for the reply (flags 0: a two-way call). */
	if (status == 0)
		status = binder_object_transact(calculator, code, data, reply, 0);

	/* The reply: the exception header, then the return value. */
	int32_t exception = BINDER_EX_NONE;
	char *message = NULL;
	if (status == 0)
		status = binder_parcel_read_exception(reply, &exception, &message, NULL);
	if (status == 0 && exception != BINDER_EX_NONE) {
		fprintf(stderr, "calculator_client: the service answered with exception %d: %s\n",
		        exception, message != NULL ? message : "(no message)");
		status = 1;
	}
	if (status == 0)
		status = binder_parcel_read_int32(reply, result);

	free(message);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return usage();
	uint32_t code;
	const char *sign;
	if (strcmp(argv[1], "add") == 0) {
		code = CALCULATOR_ADD;
		sign = "+";
	} else if (strcmp(argv[1], "sub") == 0) {
		code = CALCULATOR_SUB;
		sign = "-";
	} else {
		return usage();
	}
	int32_t a, b;
	if (!parse_int32(argv[2], &a) || !parse_int32(argv[3], &b))
		return usage();

	binder_context *context;
	int status = binder_context_new(NULL, &context);
	if (status != 0) {
		fprintf(stderr, "calculator_client: cannot open the binder device: %s\n",
		        binder_status_to_string(status));
		return 1;
	}

	/* Find the service by name; -1: wait the default time for it. The
	 * result is a proxy: calls on it go to the service's process. */
	binder_object *calculator = NULL;
	status = binder_service_manager_get(context, CALCULATOR_SERVICE_NAME, -1, &calculator);
	if (status == BINDER_DEAD_OBJECT) {
		print_no_context_manager();
	} else if (status != 0) {
		fprintf(stderr, "calculator_client: no service \"%s\": %s\n",
		        CALCULATOR_SERVICE_NAME, binder_status_to_string(status));
	} else {
		int32_t result;
		status = call_calculator(calculator, code, a, b, &result);
		if (status == 0)
			printf("%d %s %d = %d\n", a, sign, b, result);
		else if (status != 1)
			fprintf(stderr, "calculator_client: the call failed: %s\n",
			        binder_status_to_string(status));
	}

	/* Drop the proxy (its reference on the service goes with it), then
	 * the context. */
	binder_object_unref(calculator);
	binder_context_unref(context);
	return status == 0 ? 0 : 1;
}
