/*
 * protocol_test.c - servicemanager's IServiceManager interface spoken by
 * hand: the manager object's descriptor, isDeclared, notifications
 * (registerForNotifications / onRegistration / unregister), and malformed
 * transactions (no token, another token, truncated arguments, trailing
 * data, unknown codes), after each of which servicemanager keeps serving.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_support.h"

#define CALLBACK_DESCRIPTOR "android.os.IServiceCallback"

static binder_object *manager_of(binder_context *context)
{
	binder_object *manager = NULL;
	cr_assert_eq(binder_context_manager(context, &manager), 0);
	return manager;
}

/* A parcel that starts with the IServiceManager token. */
static binder_parcel *call_data(void)
{
	binder_parcel *data = binder_parcel_new();
	cr_assert_not_null(data);
	cr_assert_eq(binder_parcel_write_interface_token(data, BINDER_SERVICE_MANAGER_DESCRIPTOR),
	             0);
	return data;
}

/* Transacts and returns the status; *exception gets the reply's AIDL
 * exception code when the transaction succeeded. */
static int call(binder_object *manager, uint32_t code, binder_parcel *data, int32_t *exception,
                binder_parcel *reply)
{
	binder_parcel *answer = reply ? reply : binder_parcel_new();
	int status = binder_object_transact(manager, code, data, answer, 0);
	if (status == 0)
		cr_assert_eq(binder_parcel_read_exception(answer, exception, NULL, NULL), 0);
	if (!reply)
		binder_parcel_free(answer);
	binder_parcel_free(data);
	return status;
}

/* servicemanager still answers. */
static void assert_still_serving(binder_context *context)
{
	char **names = NULL;
	size_t count = 0;
	cr_assert_eq(binder_service_manager_list(context, &names, &count), 0);
	binder_service_manager_free_names(names, count);
}

Test(protocol, manager_descriptor_and_ping, .timeout = 30)
{
	binder_context *context = test_open_context(false);
	binder_object *manager = manager_of(context);
	cr_assert_eq(binder_object_ping(manager), 0);
	char *descriptor = NULL;
	cr_assert_eq(binder_object_descriptor(manager, &descriptor), 0);
	cr_assert_str_eq(descriptor, "android.os.IServiceManager");
	free(descriptor);
	binder_object_unref(manager);
	binder_context_unref(context);
}

Test(protocol, is_declared_is_false, .timeout = 30)
{
	binder_context *context = test_open_context(false);
	binder_object *manager = manager_of(context);
	binder_parcel *data = call_data();
	cr_assert_eq(binder_parcel_write_string16(data, "anything"), 0);
	binder_parcel *reply = binder_parcel_new();
	int32_t exception = 1;
	cr_assert_eq(call(manager, BINDER_SERVICE_MANAGER_IS_DECLARED, data, &exception, reply), 0);
	cr_assert_eq(exception, 0);
	bool declared = true;
	cr_assert_eq(binder_parcel_read_bool(reply, &declared), 0);
	cr_assert_not(declared);
	binder_parcel_free(reply);
	binder_object_unref(manager);
	binder_context_unref(context);
}

Test(protocol, malformed_transactions, .timeout = 30)
{
	binder_context *context = test_open_context(false);
	binder_object *manager = manager_of(context);
	int32_t exception = 0;

	/* No interface token at all. */
	binder_parcel *data = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_string16(data, "test.x"), 0);
	cr_assert_neq(call(manager, BINDER_SERVICE_MANAGER_CHECK_SERVICE, data, &exception, NULL),
	              0);
	assert_still_serving(context);

	/* An empty parcel. */
	cr_assert_neq(call(manager, BINDER_SERVICE_MANAGER_ADD_SERVICE, binder_parcel_new(),
	                   &exception, NULL),
	              0);
	assert_still_serving(context);

	/* Another interface's token. */
	data = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_interface_token(data, "android.os.INotServiceManager"), 0);
	cr_assert_eq(binder_parcel_write_string16(data, "test.x"), 0);
	cr_assert_eq(call(manager, BINDER_SERVICE_MANAGER_CHECK_SERVICE, data, &exception, NULL),
	             BINDER_PERMISSION_DENIED);
	assert_still_serving(context);

	/* The token and nothing else. */
	for (uint32_t code = BINDER_SERVICE_MANAGER_GET_SERVICE;
	     code <= BINDER_SERVICE_MANAGER_IS_DECLARED; code++) {
		cr_assert_eq(call(manager, code, call_data(), &exception, NULL),
		             BINDER_NOT_ENOUGH_DATA, "code %u", code);
		assert_still_serving(context);
	}

	/* addService cut after the name; then after the binder. */
	data = call_data();
	cr_assert_eq(binder_parcel_write_string16(data, "test.truncated"), 0);
	cr_assert_neq(call(manager, BINDER_SERVICE_MANAGER_ADD_SERVICE, data, &exception, NULL), 0);
	data = call_data();
	cr_assert_eq(binder_parcel_write_string16(data, "test.truncated"), 0);
	cr_assert_eq(binder_parcel_write_object(data, manager), 0);
	cr_assert_neq(call(manager, BINDER_SERVICE_MANAGER_ADD_SERVICE, data, &exception, NULL), 0);
	cr_assert_not(test_list_contains(context, "test.truncated"));

	/* A name that is not a string: a length far past the end. */
	data = call_data();
	cr_assert_eq(binder_parcel_write_int32(data, 0x7fffffff), 0);
	cr_assert_neq(call(manager, BINDER_SERVICE_MANAGER_CHECK_SERVICE, data, &exception, NULL),
	              0);
	/* A null name. */
	data = call_data();
	cr_assert_eq(binder_parcel_write_string16(data, NULL), 0);
	cr_assert_eq(call(manager, BINDER_SERVICE_MANAGER_CHECK_SERVICE, data, &exception, NULL),
	             BINDER_UNEXPECTED_NULL);
	/* A binder where a name should be. */
	data = call_data();
	cr_assert_eq(binder_parcel_write_object(data, manager), 0);
	cr_assert_neq(call(manager, BINDER_SERVICE_MANAGER_CHECK_SERVICE, data, &exception, NULL),
	              0);
	assert_still_serving(context);

	/* Trailing data after the arguments: EX_BAD_PARCELABLE. */
	data = call_data();
	cr_assert_eq(binder_parcel_write_string16(data, "test.x"), 0);
	cr_assert_eq(binder_parcel_write_int32(data, 7), 0);
	cr_assert_eq(call(manager, BINDER_SERVICE_MANAGER_CHECK_SERVICE, data, &exception, NULL),
	             0);
	cr_assert_eq(exception, BINDER_EX_BAD_PARCELABLE);

	/* Unknown codes. */
	cr_assert_eq(call(manager, 8, call_data(), &exception, NULL), BINDER_UNKNOWN_TRANSACTION);
	cr_assert_eq(call(manager, 0x00ffffff, call_data(), &exception, NULL),
	             BINDER_UNKNOWN_TRANSACTION);
	assert_still_serving(context);

	/* A oneway call with garbage is dropped without harm. */
	data = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_int32(data, -1), 0);
	cr_assert_eq(binder_object_transact(manager, BINDER_SERVICE_MANAGER_ADD_SERVICE, data, NULL,
	                                    BINDER_FLAG_ONEWAY),
	             0);
	binder_parcel_free(data);
	assert_still_serving(context);

	binder_object_unref(manager);
	binder_context_unref(context);
}

/* A local IServiceCallback that records onRegistration calls. */
struct recorder {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int calls;
	char name[128];
	bool binder_was_null;
	bool all_oneway;
};

static int record_transact(binder_object *self, uint32_t code, binder_parcel *data,
                           binder_parcel *reply, const struct binder_caller *caller,
                           void *user_data)
{
	(void)self;
	(void)reply;
	struct recorder *recorder = user_data;
	if (code != 1)
		return BINDER_UNKNOWN_TRANSACTION;
	int status = binder_parcel_enforce_interface(data, CALLBACK_DESCRIPTOR);
	char *name = NULL;
	binder_object *object = NULL;
	if (status == 0)
		status = binder_parcel_read_string16(data, &name);
	if (status == 0)
		status = binder_parcel_read_object(data, &object);
	pthread_mutex_lock(&recorder->lock);
	if (status == 0 && name) {
		recorder->calls++;
		snprintf(recorder->name, sizeof(recorder->name), "%s", name);
		recorder->binder_was_null = object == NULL;
		recorder->all_oneway &= (caller->flags & BINDER_FLAG_ONEWAY) != 0;
	}
	pthread_cond_broadcast(&recorder->changed);
	pthread_mutex_unlock(&recorder->lock);
	binder_object_unref(object);
	free(name);
	return status;
}

/* Waits (at most 20 s) until the recorder has seen calls calls. */
static bool wait_for_calls(struct recorder *recorder, int calls)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 20;
	pthread_mutex_lock(&recorder->lock);
	while (recorder->calls < calls) {
		if (pthread_cond_timedwait(&recorder->changed, &recorder->lock, &until) != 0)
			break;
	}
	bool reached = recorder->calls >= calls;
	pthread_mutex_unlock(&recorder->lock);
	return reached;
}

static int registration_call(binder_object *manager, uint32_t code, const char *name,
                             binder_object *callback, int32_t *exception)
{
	binder_parcel *data = call_data();
	cr_assert_eq(binder_parcel_write_string16(data, name), 0);
	cr_assert_eq(binder_parcel_write_object(data, callback), 0);
	return call(manager, code, data, exception, NULL);
}

Test(protocol, notifications, .timeout = 60)
{
	binder_context *context = test_open_context(true);
	binder_object *manager = manager_of(context);
	struct recorder recorder = {.lock = PTHREAD_MUTEX_INITIALIZER,
	                            .changed = PTHREAD_COND_INITIALIZER,
	                            .all_oneway = true};
	static const struct binder_local_ops ops = {.transact = record_transact};
	binder_object *callback = NULL;
	cr_assert_eq(
	        binder_object_new_local(context, CALLBACK_DESCRIPTOR, &ops, &recorder, &callback),
	        0);
	int32_t exception = 1;

	/* Registered before the service exists: told when it is added. */
	cr_assert_eq(registration_call(manager, BINDER_SERVICE_MANAGER_REGISTER_FOR_NOTIFICATIONS,
	                               "test.notified", callback, &exception),
	             0);
	cr_assert_eq(exception, 0);
	pid_t service_pid = test_spawn_service("test.notified", 0);
	cr_assert(wait_for_calls(&recorder, 1), "no onRegistration after the add");
	cr_assert_str_eq(recorder.name, "test.notified");
	cr_assert_not(recorder.binder_was_null);

	/* Registered while it exists: told at once. */
	cr_assert_eq(registration_call(manager, BINDER_SERVICE_MANAGER_REGISTER_FOR_NOTIFICATIONS,
	                               "test.notified", callback, &exception),
	             0);
	cr_assert_eq(exception, 0);
	cr_assert(wait_for_calls(&recorder, 2), "no onRegistration for a present service");
	cr_assert(recorder.all_oneway, "onRegistration was not oneway");

	/* Unregister both registrations; a third is an error. */
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(registration_call(manager,
		                               BINDER_SERVICE_MANAGER_UNREGISTER_FOR_NOTIFICATIONS,
		                               "test.notified", callback, &exception),
		             0);
		cr_assert_eq(exception, 0);
	}
	cr_assert_eq(registration_call(manager, BINDER_SERVICE_MANAGER_UNREGISTER_FOR_NOTIFICATIONS,
	                               "test.notified", callback, &exception),
	             0);
	cr_assert_eq(exception, BINDER_EX_ILLEGAL_STATE);

	/* Bad arguments. */
	cr_assert_eq(registration_call(manager, BINDER_SERVICE_MANAGER_REGISTER_FOR_NOTIFICATIONS,
	                               "bad name", callback, &exception),
	             0);
	cr_assert_eq(exception, BINDER_EX_ILLEGAL_ARGUMENT);
	cr_assert_eq(registration_call(manager, BINDER_SERVICE_MANAGER_REGISTER_FOR_NOTIFICATIONS,
	                               "test.x", NULL, &exception),
	             0);
	cr_assert_eq(exception, BINDER_EX_NULL_POINTER);

	test_kill_service(service_pid);
	binder_object_unref(callback);
	binder_object_unref(manager);
	binder_context_unref(context);
}
