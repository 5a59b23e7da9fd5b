/*
 * interface_token_test.c - interface tokens bound to objects, against a
 * private binderd: a local object made with ops.enforce_interface has
 * libbinder refuse (BINDER_BAD_TYPE) a user call whose token is missing or
 * names another interface before its handler runs, in the same process
 * and from another one; binder_parcel_new_request starts a request with
 * the token; objects without the flag still get the data as sent. Run
 * under tests/with_binderd.sh, one test at a time.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "binder/binder.h"

#define DESCRIPTOR       "test.IToken"
#define OTHER_DESCRIPTOR "test.IOther"
/* How long the child serving the object may live, in seconds. */
#define CHILD_LIFETIME_S 60
/* An Android generation other than the default, to see the request take
 * its target's. */
#define OTHER_ANDROID 12

enum {
	CODE_ECHO = BINDER_FIRST_CALL_TRANSACTION, /* (int32) -> int32 */
	CODE_CALLS_SEEN,                           /* -> the calls the handler saw */
	CODE_TOKEN_POSITION,                       /* -> where data was when it ran */
};

/* What the handler saw, in the process that runs it. */
static atomic_int calls_seen;
static atomic_size_t position_seen;

static int token_transact(binder_object *self, uint32_t code, binder_parcel *data,
                          binder_parcel *reply, const struct binder_caller *caller, void *user_data)
{
	int32_t value;
	(void)self;
	(void)caller;
	(void)user_data;

	switch (code) {
	case CODE_ECHO:
		atomic_fetch_add(&calls_seen, 1);
		atomic_store(&position_seen, binder_parcel_position(data));
		if (binder_parcel_read_int32(data, &value))
			return BINDER_BAD_VALUE;
		return binder_parcel_write_int32(reply, value);
	case CODE_CALLS_SEEN:
		return binder_parcel_write_int32(reply, atomic_load(&calls_seen));
	case CODE_TOKEN_POSITION:
		return binder_parcel_write_uint64(reply, atomic_load(&position_seen));
	default:
		return BINDER_UNKNOWN_TRANSACTION;
	}
}

static const struct binder_local_ops enforcing_ops = {
        .transact = token_transact,
        .enforce_interface = true,
};
static const struct binder_local_ops plain_ops = {.transact = token_transact};

static void reset_seen(void)
{
	atomic_store(&calls_seen, 0);
	atomic_store(&position_seen, 0);
}

/* Calls object's CODE_ECHO with data; the echoed value in *echoed. */
static int call_echo(binder_object *object, binder_parcel *data, int32_t *echoed)
{
	binder_parcel *reply = NULL;
	int status = binder_parcel_create(&reply);

	if (status == 0)
		status = binder_object_transact(object, CODE_ECHO, data, reply, 0);
	if (status == 0)
		status = binder_parcel_read_int32(reply, echoed);
	binder_parcel_free(reply);
	return status;
}

/* A CODE_ECHO request for object: the token of descriptor (none if NULL),
 * then value. */
static binder_parcel *echo_request(binder_object *object, const char *descriptor, int32_t value)
{
	binder_parcel *data = NULL;

	if (descriptor)
		cr_assert_eq(binder_parcel_new_request(object, descriptor, &data), 0);
	else
		cr_assert_eq(binder_parcel_create(&data), 0);
	cr_assert_eq(binder_parcel_write_int32(data, value), 0);
	return data;
}

/* The int32 a call without arguments answers (the token is written when
 * descriptor is not NULL). */
static int32_t call_for_int32(binder_object *object, const char *descriptor, uint32_t code)
{
	binder_parcel *data = NULL, *reply = NULL;
	int32_t value = -1;

	cr_assert_eq(binder_parcel_new_request(object, descriptor, &data), 0);
	cr_assert_eq(binder_parcel_create(&reply), 0);
	cr_assert_eq(binder_object_transact(object, code, data, reply, 0), 0);
	cr_assert_eq(binder_parcel_read_int32(reply, &value), 0);
	binder_parcel_free(reply);
	binder_parcel_free(data);
	return value;
}

Test(interface_token, local_call_checked_before_the_handler, .timeout = 30)
{
	binder_context *context;
	binder_object *object;
	binder_parcel *data;
	int32_t echoed = 0;

	reset_seen();
	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_object_new_local(context, DESCRIPTOR, &enforcing_ops, NULL, &object),
	             0);

	/* Another interface's token, and no token at all: refused, unseen. */
	data = echo_request(object, OTHER_DESCRIPTOR, 1);
	cr_assert_eq(call_echo(object, data, &echoed), BINDER_BAD_TYPE);
	binder_parcel_free(data);
	data = echo_request(object, NULL, 2);
	cr_assert_eq(call_echo(object, data, &echoed), BINDER_BAD_TYPE);
	binder_parcel_free(data);
	cr_assert_eq(binder_object_transact(object, CODE_ECHO, NULL, NULL, 0), BINDER_BAD_TYPE);
	cr_assert_eq(atomic_load(&calls_seen), 0, "the handler saw a refused call");

	/* The right token: the handler runs, with data after the token. */
	data = echo_request(object, DESCRIPTOR, 41);
	cr_assert_eq(call_echo(object, data, &echoed), 0);
	cr_assert_eq(echoed, 41);
	cr_assert_eq(atomic_load(&calls_seen), 1);
	cr_assert_eq(atomic_load(&position_seen), binder_parcel_data_size(data) - sizeof(int32_t));
	binder_parcel_free(data);

	/* Codes libbinder answers itself need no token. */
	cr_assert_eq(binder_object_ping(object), 0);
	char *descriptor = NULL;
	cr_assert_eq(binder_object_descriptor(object, &descriptor), 0);
	cr_assert_str_eq(descriptor, DESCRIPTOR);
	free(descriptor);

	binder_object_unref(object);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
}

Test(interface_token, objects_without_the_flag_get_the_token, .timeout = 30)
{
	binder_context *context;
	binder_object *object;
	binder_parcel *data;
	int32_t echoed = 0;

	reset_seen();
	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_object_new_local(context, DESCRIPTOR, &plain_ops, NULL, &object), 0);
	/* No check: the handler runs at the start of the data, token and all,
	 * and checks it by hand if it wants. */
	data = echo_request(object, NULL, 5);
	cr_assert_eq(call_echo(object, data, &echoed), 0);
	cr_assert_eq(echoed, 5);
	cr_assert_eq(atomic_load(&position_seen), 0);
	binder_parcel_free(data);
	data = echo_request(object, OTHER_DESCRIPTOR, 6);
	binder_parcel_set_position(data, 0);
	cr_assert_eq(binder_parcel_enforce_interface(data, DESCRIPTOR), BINDER_PERMISSION_DENIED);
	cr_assert_eq(call_echo(object, data, &echoed), 0,
	             "the handler reads the token's first word");
	cr_assert_eq(atomic_load(&calls_seen), 2);
	cr_assert_eq(atomic_load(&position_seen), 0);
	binder_parcel_free(data);

	binder_object_unref(object);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
}

Test(interface_token, request_helper_writes_the_token, .timeout = 30)
{
	struct binder_context_options options;
	binder_context *context;
	binder_object *object;
	binder_parcel *request = NULL, *by_hand = NULL;

	binder_context_options_init(&options);
	options.android = OTHER_ANDROID;
	cr_assert_eq(binder_context_new(&options, &context), 0);
	cr_assert_eq(binder_object_new_local(context, DESCRIPTOR, &plain_ops, NULL, &object), 0);

	cr_assert_eq(binder_parcel_new_request(object, DESCRIPTOR, &request), 0);
	cr_assert_eq(binder_parcel_create(&by_hand), 0);
	cr_assert_eq(binder_parcel_write_interface_token(by_hand, DESCRIPTOR), 0);
	cr_assert_eq(binder_parcel_data_size(request), binder_parcel_data_size(by_hand));
	cr_assert(memcmp(binder_parcel_data(request), binder_parcel_data(by_hand),
	                 binder_parcel_data_size(by_hand)) == 0);
	cr_assert_eq(binder_parcel_position(request), binder_parcel_data_size(request),
	             "arguments go after the token");
	cr_assert_eq(binder_parcel_android(request), OTHER_ANDROID, "the target's generation");
	binder_parcel_set_position(request, 0);
	cr_assert_eq(binder_parcel_enforce_interface(request, DESCRIPTOR), 0);
	binder_parcel_free(request);
	binder_parcel_free(by_hand);

	request = (binder_parcel *)&options;
	cr_assert_eq(binder_parcel_new_request(NULL, DESCRIPTOR, &request), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_new_request(object, NULL, &request), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_new_request(object, "\xff", &request), BINDER_BAD_VALUE);
	cr_assert_eq(binder_parcel_new_request(object, DESCRIPTOR, NULL), BINDER_BAD_VALUE);
	cr_assert(request == (binder_parcel *)&options, "out is left alone on failure");

	binder_object_unref(object);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
}

/* Forks a child that serves an enforcing object as the context manager;
 * returns its pid once it is the manager. */
static pid_t start_enforcing_manager(void)
{
	int ready[2];
	char byte = 0;
	pid_t pid;

	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		binder_context *context;
		binder_object *object;

		close(ready[0]);
		alarm(CHILD_LIFETIME_S);
		if (binder_context_new(NULL, &context) ||
		    binder_object_new_local(context, DESCRIPTOR, &enforcing_ops, NULL, &object) ||
		    binder_context_become_manager(context, object))
			_exit(2);
		byte = 1;
		if (write(ready[1], &byte, 1) != 1)
			_exit(3);
		binder_context_join_thread_pool(context);
		_exit(0);
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &byte, 1), 1, "the child did not become the manager");
	close(ready[0]);
	return pid;
}

Test(interface_token, remote_call_checked_before_the_handler, .timeout = 30)
{
	pid_t pid = start_enforcing_manager();
	binder_context *context;
	binder_object *manager;
	binder_parcel *data;
	int32_t echoed = 0;
	int status;

	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_manager(context, &manager), 0);

	data = echo_request(manager, OTHER_DESCRIPTOR, 1);
	cr_assert_eq(call_echo(manager, data, &echoed), BINDER_BAD_TYPE);
	binder_parcel_free(data);
	data = echo_request(manager, NULL, 2);
	cr_assert_eq(call_echo(manager, data, &echoed), BINDER_BAD_TYPE);
	binder_parcel_free(data);
	cr_assert_eq(call_for_int32(manager, DESCRIPTOR, CODE_CALLS_SEEN), 0,
	             "the handler saw a refused call");

	data = echo_request(manager, DESCRIPTOR, 77);
	cr_assert_eq(call_echo(manager, data, &echoed), 0);
	cr_assert_eq(echoed, 77);
	binder_parcel_free(data);
	cr_assert_eq(call_for_int32(manager, DESCRIPTOR, CODE_CALLS_SEEN), 1);

	binder_object_unref(manager);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}
