/*
 * peer_calculator_client.c - integration_peer's "calculator_client" role:
 * one of the many clients that call the calculator at once. Waits until
 * fd 3 (the start line, a pipe) reads end-of-file, then opens its own
 * context and checks the answers of a series of add and sub calls.
 * Exit status 0 when every answer was right.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <binder/service_manager.h>

#include "calculator.h"
#include "calculator_call.h"
#include "peer.h"

#define START_WAIT_MS   60000
#define SERVICE_WAIT_MS 30000
#define CALLS           10

/* Waits for the writers of fd 3 to close it (bounded). */
static bool wait_for_start(void)
{
	struct pollfd start = {.fd = 3, .events = POLLIN};
	int ready;
	do {
		ready = poll(&start, 1, START_WAIT_MS);
	} while (ready < 0 && errno == EINTR);
	char byte;
	return ready == 1 && read(3, &byte, 1) == 0;
}

static int check_calls(binder_object *calculator, int32_t index)
{
	for (int32_t i = 0; i < CALLS; i++) {
		int32_t exception = -1, sum = 0, difference = 0;
		int status =
		        calculator_call(calculator, CALCULATOR_ADD, index, i, &exception, &sum);
		if (status == 0 && exception == BINDER_EX_NONE)
			status = calculator_call(calculator, CALCULATOR_SUB, index, 3 * i,
			                         &exception, &difference);
		if (status != 0 || exception != BINDER_EX_NONE) {
			peer_log("calculator_client %d: call %d: %s, exception %d", index, i,
			         binder_status_to_string(status), exception);
			return status != 0 ? status : BINDER_BAD_VALUE;
		}
		if (sum != index + i || difference != index - 3 * i) {
			peer_log("calculator_client %d: call %d: wrong answers %d and %d", index, i,
			         sum, difference);
			return BINDER_BAD_VALUE;
		}
	}
	return 0;
}

int peer_run_calculator_client(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	int32_t index = (int32_t)strtol(argv[1], NULL, 10);
	if (!wait_for_start()) {
		peer_log("calculator_client %d: no start signal", index);
		return 1;
	}
	close(3);
	binder_context *context;
	int status = binder_context_new(NULL, &context);
	if (status != 0) {
		peer_log("calculator_client %d: open: %s", index, binder_status_to_string(status));
		return status;
	}
	binder_object *calculator = NULL;
	status = binder_service_manager_get(context, argv[0], SERVICE_WAIT_MS, &calculator);
	if (status == 0)
		status = check_calls(calculator, index);
	else
		peer_log("calculator_client %d: get %s: %s", index, argv[0],
		         binder_status_to_string(status));
	binder_object_unref(calculator);
	binder_context_unref(context);
	return status;
}
