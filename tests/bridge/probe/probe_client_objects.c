/*
 * probe_client_objects.c - the probe client's commands about objects
 * passed in calls: pass (many, or too big to send), nest (a chain of calls
 * back and forth) and home (an object that must come back as itself).
 * probe_client.c describes each.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <binder/binder.h>
#include <binder/parcel.h>
#include <binder/service_manager.h>

#include "calculator.h"
#include "probe.h"
#include "probe_nest.h"
#include "probe_client.h"

/* ---- pass ---- */

static int take_once(binder_object *service, binder_object *object, int32_t call_back,
                     const void *padding, size_t padding_size, int32_t *result)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = data && reply ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, PROBE_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_object(data, object);
	if (status == 0)
		status = binder_parcel_write_int32(data, call_back);
	/* After the arguments: bytes TAKE does not read. */
	if (status == 0 && padding_size)
		status = binder_parcel_write_raw(data, padding, padding_size);
	if (status == 0)
		status = transact_bounded(service, PROBE_TAKE, data, reply);
	if (status == 0)
		status = binder_parcel_read_int32(reply, result);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

int command_pass(binder_context *context, int argc, char **argv)
{
	long count, padding_size = 0, hold_seconds = 0;
	bool call_back = false, same = false;
	if (argc < 2 || !parse_number(argv[1], 1, MAX_COUNT, &count))
		return usage();
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--call-back") == 0)
			call_back = true;
		else if (strcmp(argv[i], "--same") == 0)
			same = true;
		else if (strcmp(argv[i], "--padding") == 0 && i + 1 < argc &&
		         parse_number(argv[i + 1], 0, MAX_PASS_PADDING, &padding_size))
			i++;
		else if (strcmp(argv[i], "--hold") == 0 && i + 1 < argc &&
		         parse_number(argv[i + 1], 1, MAX_HOLD_SECONDS, &hold_seconds))
			i++;
		else
			return usage();
	}
	uint8_t *padding = padding_size ? calloc(1, (size_t)padding_size) : NULL;
	if (padding_size && !padding) {
		fprintf(stderr, "pass: out of memory\n");
		return 1;
	}
	/* Static: handlers may run until the context is closed. */
	static struct probe_object state = {.tag = 1};
	binder_object *service = NULL, *object = NULL;
	long ok = 0, failed = 0;
	int status = binder_context_start_thread_pool(context);
	if (status == 0)
		status = lookup(context, argv[0], &service);
	if (status != 0) {
		fprintf(stderr, "pass: no service %s: %s\n", argv[0],
		        binder_status_to_string(status));
		return 1;
	}
	for (long i = 1; i <= count; i++) {
		/* call_back x: 1..PASS_PROGRESS_EVERY, never 0 (no call back). */
		int32_t x = call_back ? (int32_t)(i % PASS_PROGRESS_EVERY) + 1 : 0, result = -1;
		if (!object)
			status = binder_object_new_local(context, PROBE_OBJECT_DESCRIPTOR,
			                                 &object_ops, &state, &object);
		if (status == 0)
			status = take_once(service, object, x, padding, (size_t)padding_size,
			                   &result);
		if (status == 0 && result != (call_back ? x + 1 : 0))
			status = BINDER_BAD_VALUE;
		if (status == 0) {
			ok++;
		} else if (++failed <= PASS_MAX_FAILURE_LINES) {
			printf("call %ld: failed: %s\n", i, binder_status_to_string(status));
		}
		if (!same) {
			binder_object_unref(object);
			object = NULL;
		}
		if (i % PASS_PROGRESS_EVERY == 0) {
			printf("pass: %ld calls done, %ld failed\n", i, failed);
			fflush(stdout);
		}
		status = 0;
	}
	binder_object_unref(object);
	binder_object_unref(service);
	free(padding);
	printf("summary: %ld ok, %ld failed of %ld calls\n", ok, failed, count);
	if (hold_seconds) {
		/* Alive, with every object let go: what still holds them shows. */
		printf("pass: holding\n");
		fflush(stdout);
		sleep((unsigned)hold_seconds);
	}
	binder_context_close(context);
	return ok == count ? 0 : 1;
}

/* ---- nest ---- */

/* A chain of CALLS calls back and forth between this process (the main
 * thread, waiting in the first) and the service NAME: every call after the
 * first must run on the thread that waits in the chain on each side, as
 * binder runs a call that comes back during a call. */
int command_nest(binder_context *context, int argc, char **argv)
{
	long calls;
	if (argc != 2 || !parse_number(argv[1], 1, MAX_NEST_CALLS, &calls))
		return usage();
	static struct probe_object state = {.tag = 1};
	binder_object *service = NULL, *object = NULL;
	int32_t hops = -1, on_waiting_thread = 0;
	int status = binder_context_start_thread_pool(context);
	if (status == 0)
		status = lookup(context, argv[0], &service);
	if (status != 0) {
		fprintf(stderr, "nest: no service %s: %s\n", argv[0],
		        binder_status_to_string(status));
		return 1;
	}
	status = binder_object_new_local(context, PROBE_OBJECT_DESCRIPTOR, &object_ops, &state,
	                                 &object);
	if (status == 0) {
		alarm(call_timeout_s);
		status = probe_nest_call(service, object, PROBE_DESCRIPTOR, PROBE_NEST,
		                         (int32_t)calls - 1, (int32_t)calls, &hops,
		                         &on_waiting_thread);
		alarm(0);
	}
	binder_object_unref(object);
	binder_object_unref(service);
	if (status != 0) {
		printf("nest: %ld calls: failed: %s\n", calls, binder_status_to_string(status));
		return 1;
	}
	printf("nest: %ld calls: %d made, %s\n", calls, (int)hops + 1,
	       on_waiting_thread ? "each on the thread waiting in the chain"
	                         : "some on a thread not waiting in the chain");
	return hops + 1 == calls && on_waiting_thread ? 0 : 1;
}

/* ---- home ---- */

/* A call of the probe service with no argument or one object. */
int probe_call(binder_object *service, uint32_t code, binder_object *object, binder_parcel *reply)
{
	binder_parcel *data = binder_parcel_new();
	int status = data ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, PROBE_DESCRIPTOR);
	if (status == 0 && object)
		status = binder_parcel_write_object(data, object);
	if (status == 0)
		status = transact_bounded(service, code, data, reply);
	binder_parcel_free(data);
	return status;
}

/* ECHO(x) on an IBridgeProbeObject: *result and *tag. */
int echo_once(binder_object *object, int32_t x, int32_t *result, int32_t *tag)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = data && reply ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, PROBE_OBJECT_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_int32(data, x);
	if (status == 0)
		status = transact_bounded(object, PROBE_OBJECT_ECHO, data, reply);
	if (status == 0)
		status = binder_parcel_read_int32(reply, result);
	if (status == 0)
		status = binder_parcel_read_int32(reply, tag);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

/* An object going home (A -> B -> A) must arrive as the original object,
 * never as a proxy for a proxy. */
int command_home(binder_context *context, int argc, char **argv)
{
	long tag;
	if (argc != 2 || !parse_number(argv[1], INT32_MIN, INT32_MAX, &tag))
		return usage();
	static struct probe_object state;
	state.tag = (int32_t)tag;
	binder_object *object = NULL, *service = NULL, *back = NULL;
	binder_parcel *reply = binder_parcel_new();
	int32_t result = 0, echo_tag = 0;
	/* A proxy that came back would need threads here to be called. */
	int status = reply ? binder_context_start_thread_pool(context) : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_object_new_local(context, PROBE_OBJECT_DESCRIPTOR, &object_ops,
		                                 &state, &object);
	if (status == 0)
		status = lookup(context, argv[0], &service);
	if (status == 0)
		status = probe_call(service, PROBE_KEEP, object, reply);
	if (status == 0)
		status = probe_call(service, PROBE_RETURN_KEPT, NULL, reply);
	if (status == 0)
		status = binder_parcel_read_object(reply, &back);
	if (status == 0 && !back)
		status = BINDER_BAD_VALUE;
	if (status == 0)
		status = echo_once(back, 1, &result, &echo_tag);
	binder_parcel_free(reply);
	binder_object_unref(service);
	int exit_status = status == 0 && back == object ? 0 : 1;
	if (status != 0)
		printf("home: failed: %s\n", binder_status_to_string(status));
	else if (back == object)
		printf("home: came back as itself, echo tag %d\n", echo_tag);
	else if (binder_object_is_local(back))
		printf("home: came back as another local object, echo tag %d\n", echo_tag);
	else
		printf("home: came back as a proxy (handle %d), echo tag %d\n",
		       binder_object_handle(back), echo_tag);
	if (status == 0 && (result != 2 || echo_tag != state.tag)) {
		printf("home: echo(1) gave %d from tag %d, expected 2 from tag %d\n", result,
		       echo_tag, state.tag);
		exit_status = 1;
	}
	binder_object_unref(back);
	binder_context_close(context);
	binder_object_unref(object);
	return exit_status;
}
