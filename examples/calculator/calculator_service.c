/*
 * calculator_service.c - the service half of the calculator example.
 *
 * It makes one local binder object that implements ICalculate (see
 * calculator.h), registers it with servicemanager as "calculator" (or the
 * name given as the only argument), lets libbinder's thread pool answer
 * the calls, and exits cleanly on SIGTERM or SIGINT.
 *
 *     calculator_service [NAME]
 *
 * The device comes from $BINDER_DEVICE (binderd's socket), as for every
 * libbinder program. Messages go to stderr.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <binder/binder.h>
#include <binder/device.h>
#include <binder/parcel.h>
#include <binder/service_manager.h>

#include "calculator.h"

#define PROGRAM "calculator_service"

/* A servicemanager call that fails with BINDER_DEAD_OBJECT found nobody
 * serving handle 0 on the device: servicemanager is not running there. */
static void print_no_context_manager(void)
{
	fprintf(stderr, "%s: no context manager on %s (is servicemanager running?)\n", PROGRAM,
	        binder_device_default_path());
}

/*
 * add and sub: read the two arguments, compute, and write the reply as an
 * AIDL stub does: the exception header first, then the result. A result
 * that does not fit in an int is reported to the client as an
 * IllegalArgumentException (the call itself still succeeds: the exception
 * travels in the reply).
 */
static int calculate(uint32_t code, binder_parcel *data, binder_parcel *reply)
{
	int32_t a, b, result;
	int status = binder_parcel_read_int32(data, &a);
	if (status == 0)
		status = binder_parcel_read_int32(data, &b);
	if (status != 0)
		return status; /* a malformed call: the caller gets this status */

	bool overflow = code == CALCULATOR_ADD ? __builtin_add_overflow(a, b, &result)
	                                       : __builtin_sub_overflow(a, b, &result);
	if (overflow)
		return binder_parcel_write_exception(reply, BINDER_EX_ILLEGAL_ARGUMENT,
		                                     "the result does not fit in an int", 0);

	status = binder_parcel_write_no_exception(reply);
	if (status == 0)
		status = binder_parcel_write_int32(reply, result);
	return status;
}

/*
 * The transact handler: libbinder calls it on one of its binder threads
 * for every transaction sent to our object. data is the request, whose
 * interface token libbinder has already checked (the object is made with
 * ops.enforce_interface: a call meant for another interface is refused
 * with BINDER_BAD_TYPE before we run), read position on the first
 * argument; reply is empty and is sent back when we return. Returning a
 * non-zero status makes the caller's transact return it.
 */
static int calculator_transact(binder_object *self, uint32_t code, binder_parcel *data,
                               binder_parcel *reply, const struct binder_caller *caller,
                               void *user_data)
{
	(void)self;
	(void)user_data;
	(void)caller; /* caller->pid and caller->euid say who called */

	if (code != CALCULATOR_ADD && code != CALCULATOR_SUB)
		return BINDER_UNKNOWN_TRANSACTION;
	return calculate(code, data, reply);
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : CALCULATOR_SERVICE_NAME;
	if (argc > 2) {
		fprintf(stderr, "usage: calculator_service [NAME]\n");
		return 2;
	}

	/*
	 * Block SIGTERM and SIGINT before any thread exists: libbinder's pool
	 * threads inherit the mask, so the signals stay pending until the main
	 * thread takes them with sigwait() below, and shuts down in order.
	 */
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

	/* One context = one open of the binder device. NULL: the defaults. */
	binder_context *context;
	int status = binder_context_new(NULL, &context);
	if (status != 0) {
		fprintf(stderr, "calculator_service: error: cannot open the binder device: %s\n",
		        binder_status_to_string(status));
		return 1;
	}

	/* Our object: its descriptor (answered to INTERFACE_TRANSACTION, and
	 * checked against the token of every call: enforce_interface) and its
	 * handler. It lives as long as we or anybody else holds it. */
	const struct binder_local_ops calculator_ops = {
	        .transact = calculator_transact,
	        .enforce_interface = true,
	};
	binder_object *calculator = NULL;
	status = binder_object_new_local(context, CALCULATOR_DESCRIPTOR, &calculator_ops, NULL,
	                                 &calculator);

	/* Threads to answer calls: libbinder starts one now and more (up to
	 * max_threads, 15 by default) when all are busy. Start them before
	 * registering: a client may call as soon as the name is known. */
	if (status == 0)
		status = binder_context_start_thread_pool(context);

	/* Publish the object under its name; servicemanager keeps a reference
	 * and forgets the name when this process dies. */
	if (status == 0) {
		status = binder_service_manager_add(context, name, calculator);
		if (status == BINDER_DEAD_OBJECT)
			print_no_context_manager();
		else if (status != 0)
			fprintf(stderr, "calculator_service: error: cannot add \"%s\": %s\n", name,
			        binder_status_to_string(status));
	} else {
		fprintf(stderr, "calculator_service: error: %s\n", binder_status_to_string(status));
	}

	if (status == 0) {
		fprintf(stderr, "calculator_service: info: \"%s\" is ready\n", name);
		int signal_number;
		sigwait(&stop_signals, &signal_number);
		fprintf(stderr, "calculator_service: info: signal %d, stopping\n", signal_number);
	}

	/* Close the context: the pool threads leave, our object dies for its
	 * holders (servicemanager drops the name). Then drop our references. */
	binder_context_close(context);
	binder_object_unref(calculator);
	binder_context_unref(context);
	return status == 0 ? 0 : 1;
}
