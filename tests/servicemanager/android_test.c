/*
 * android_test.c - one Android generation's wire, end to end: run by
 * tests/with_services.sh against a servicemanager started with --android
 * $TEST_ANDROID (android_servicemanager.sh), a client whose contexts speak
 * that generation lists, adds, checks, gets and calls a service (an echo
 * object passing ints and binders across binderd); the stability word is
 * the generation's own; and clients of another generation fail clearly
 * (an error status, nothing registered), never silently.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

#define ECHO_ADD_ONE     1u /* int32 -> int32 + 1 */
#define ECHO_BINDER      2u /* IBinder -> the same IBinder */
#define STABILITY_SYSTEM 0x0c
#define GET_WAIT_MS      5000
#define MISSING_WAIT_MS  100
#define FLAT_BINDER_SIZE 24 /* sizeof(struct flat_binder_object) */

static uint32_t tested_android(void)
{
	const char *text = getenv("TEST_ANDROID");
	cr_assert(text, "TEST_ANDROID is not set");
	uint32_t android = (uint32_t)strtoul(text, NULL, 10);
	cr_assert(binder_android_is_supported(android), "TEST_ANDROID=%s", text);
	return android;
}

static binder_context *open_android(uint32_t android)
{
	struct binder_context_options options;
	binder_context_options_init(&options);
	options.android = android;
	binder_context *context = NULL;
	int status = binder_context_new(&options, &context);
	cr_assert_eq(status, 0, "binder_context_new: %s", binder_status_to_string(status));
	cr_assert_eq(binder_context_android(context), android);
	status = binder_context_start_thread_pool(context);
	cr_assert_eq(status, 0, "start_thread_pool: %s", binder_status_to_string(status));
	return context;
}

static int echo_transact(binder_object *self, uint32_t code, binder_parcel *data,
                         binder_parcel *reply, const struct binder_caller *caller, void *user_data)
{
	(void)self;
	(void)caller;
	(void)user_data;
	if (code == ECHO_ADD_ONE) {
		int32_t value;
		int status = binder_parcel_read_int32(data, &value);
		return status ? status : binder_parcel_write_int32(reply, value + 1);
	}
	if (code == ECHO_BINDER) {
		binder_object *object = NULL;
		int status = binder_parcel_read_object(data, &object);
		if (status == 0)
			status = binder_parcel_write_object(reply, object);
		binder_object_unref(object);
		return status;
	}
	return BINDER_UNKNOWN_TRANSACTION;
}

static int ignore_transact(binder_object *self, uint32_t code, binder_parcel *data,
                           binder_parcel *reply, const struct binder_caller *caller,
                           void *user_data)
{
	(void)self, (void)code, (void)data, (void)reply, (void)caller, (void)user_data;
	return 0;
}

static binder_object *new_local(binder_context *context, binder_transact_handler handler)
{
	const struct binder_local_ops ops = {.transact = handler};
	binder_object *object = NULL;
	cr_assert_eq(binder_object_new_local(context, "test.IEcho", &ops, NULL, &object), 0);
	return object;
}

/* Sends one of context's objects through the service and back. */
static void assert_binder_round_trip(binder_context *context, binder_object *service)
{
	binder_object *mine = new_local(context, ignore_transact);
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_object(data, mine), 0);
	int status = binder_object_transact(service, ECHO_BINDER, data, reply, 0);
	cr_assert_eq(status, 0, "echo binder: %s", binder_status_to_string(status));
	binder_object *back = NULL;
	status = binder_parcel_read_object(reply, &back);
	cr_assert_eq(status, 0, "read back: %s", binder_status_to_string(status));
	cr_assert_eq(back, mine, "our own object comes home as itself");
	binder_object_unref(back);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	binder_object_unref(mine);
}

Test(android, lists_adds_gets_calls, .timeout = 60)
{
	uint32_t android = tested_android();
	binder_context *server = open_android(android);
	binder_context *client = open_android(android);
	binder_object *echo = new_local(server, echo_transact);
	char name[64];
	snprintf(name, sizeof(name), "test.android%u.echo", (unsigned)android);

	int status = binder_service_manager_add(server, name, echo);
	cr_assert_eq(status, 0, "add: %s", binder_status_to_string(status));
	cr_assert(test_list_contains(client, name));

	binder_object *checked = NULL;
	status = binder_service_manager_check(client, name, &checked);
	cr_assert_eq(status, 0, "check: %s", binder_status_to_string(status));
	cr_assert_not(binder_object_is_local(checked));
	binder_object *got = NULL;
	status = binder_service_manager_get(client, name, GET_WAIT_MS, &got);
	cr_assert_eq(status, 0, "get: %s", binder_status_to_string(status));
	cr_assert_eq(got, checked, "the same handle");

	int32_t answer = 0;
	status = test_echo(got, 41, &answer);
	cr_assert_eq(status, 0, "call: %s", binder_status_to_string(status));
	cr_assert_eq(answer, 42);
	assert_binder_round_trip(client, got);

	/* A missing name: the null binder (or Service) of this generation,
	 * and the notification calls of get's wait. */
	binder_object *missing = NULL;
	cr_assert_eq(binder_service_manager_check(client, "test.missing", &missing),
	             BINDER_NAME_NOT_FOUND);
	cr_assert_eq(binder_service_manager_get(client, "test.missing", MISSING_WAIT_MS, &missing),
	             BINDER_NAME_NOT_FOUND);

	binder_object_unref(got);
	binder_object_unref(checked);
	binder_object_unref(echo);
	binder_context_unref(client);
	binder_context_unref(server);
}

/* The int32 written after a binder in a parcel of this generation (a
 * null binder after a binder speaks the binder's generation; one set with
 * binder_parcel_set_android its own). */
Test(android, stability_word, .timeout = 30)
{
	uint32_t android = tested_android();
	binder_context *context = open_android(android);
	binder_object *object = new_local(context, ignore_transact);
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_object(parcel, object), 0);
	cr_assert_eq(binder_parcel_write_object(parcel, NULL), 0);
	const uint8_t *bytes = binder_parcel_data(parcel);
	const uint8_t *word = bytes + FLAT_BINDER_SIZE;
	const uint8_t *null_word = bytes + 2 * FLAT_BINDER_SIZE + 4;
	if (android == 12) {
		const uint8_t category[4] = {1, 0, 0, STABILITY_SYSTEM};
		const uint8_t null_category[4] = {1, 0, 0, 0};
		cr_assert_arr_eq(word, category, 4);
		cr_assert_arr_eq(null_word, null_category, 4);
	} else {
		const uint8_t level[4] = {STABILITY_SYSTEM, 0, 0, 0};
		const uint8_t none[4] = {0, 0, 0, 0};
		cr_assert_arr_eq(word, level, 4);
		cr_assert_arr_eq(null_word, none, 4);
	}
	binder_parcel *null_only = binder_parcel_new();
	cr_assert_eq(binder_parcel_set_android(null_only, android), 0);
	cr_assert_eq(binder_parcel_write_object(null_only, NULL), 0);
	cr_assert_arr_eq(binder_parcel_data(null_only) + FLAT_BINDER_SIZE, null_word, 4);
	cr_assert_eq(binder_parcel_set_android(null_only, BINDER_ANDROID_NEWEST + 1),
	             BINDER_BAD_VALUE);
	binder_parcel_free(null_only);
	binder_parcel_free(parcel);
	binder_object_unref(object);
	binder_context_unref(context);
}

/* A generation whose stability word differs from android's: 12 against
 * the others, 14 against 12 (for 15 and 16 the codes differ too). */
static uint32_t other_stability(uint32_t android)
{
	return android == 12 ? 14 : 12;
}

/* A generation whose method codes differ from android's. */
static uint32_t other_codes(uint32_t android)
{
	return android <= 14 ? 16 : 14;
}

Test(android, other_stability_fails_clearly, .timeout = 60)
{
	uint32_t android = tested_android();
	binder_context *matching = open_android(android);
	binder_context *other = open_android(other_stability(android));
	binder_object *object = new_local(matching, ignore_transact);
	cr_assert_eq(binder_service_manager_add(matching, "test.stability.there", object), 0);

	binder_object *foreign = new_local(other, ignore_transact);
	/* Same codes: the stability word alone makes the call fail. */
	bool same_codes = android <= 14;
	int status = binder_service_manager_add(other, "test.stability.foreign", foreign);
	cr_assert(same_codes ? status == BINDER_BAD_TYPE : status != 0, "add: %s",
	          binder_status_to_string(status));
	cr_assert_not(test_list_contains(matching, "test.stability.foreign"));

	binder_object *found = NULL;
	status = binder_service_manager_check(other, "test.stability.there", &found);
	cr_assert(same_codes ? status == BINDER_BAD_TYPE : status != 0, "check: %s",
	          binder_status_to_string(status));
	cr_assert_null(found);

	binder_object_unref(foreign);
	binder_object_unref(object);
	binder_context_unref(other);
	binder_context_unref(matching);
}

Test(android, other_codes_fail_clearly, .timeout = 60)
{
	uint32_t android = tested_android();
	binder_context *matching = open_android(android);
	binder_context *other = open_android(other_codes(android));
	binder_object *object = new_local(matching, ignore_transact);
	cr_assert_eq(binder_service_manager_add(matching, "test.codes.there", object), 0);

	binder_object *foreign = new_local(other, ignore_transact);
	int status = binder_service_manager_add(other, "test.codes.foreign", foreign);
	cr_assert_neq(status, 0, "add by a client of Android %u succeeded",
	              (unsigned)other_codes(android));
	cr_assert_not(test_list_contains(matching, "test.codes.foreign"));

	binder_object *found = NULL;
	status = binder_service_manager_check(other, "test.codes.there", &found);
	cr_assert_neq(status, 0, "check by a client of Android %u succeeded",
	              (unsigned)other_codes(android));
	cr_assert_null(found);

	char **names = NULL;
	size_t count = 0;
	status = binder_service_manager_list(other, &names, &count);
	cr_assert_neq(status, 0, "list by a client of Android %u succeeded",
	              (unsigned)other_codes(android));
	cr_assert_null(names);

	binder_object_unref(foreign);
	binder_object_unref(object);
	binder_context_unref(other);
	binder_context_unref(matching);
}

Test(android, unsupported_generation_refused, .timeout = 30)
{
	struct binder_context_options options;
	binder_context_options_init(&options);
	cr_assert_eq(options.android, 0);
	options.android = BINDER_ANDROID_OLDEST - 1;
	binder_context *context = NULL;
	cr_assert_eq(binder_context_new(&options, &context), BINDER_BAD_VALUE);
	options.android = BINDER_ANDROID_NEWEST + 1;
	cr_assert_eq(binder_context_new(&options, &context), BINDER_BAD_VALUE);
	cr_assert_null(context);
	cr_assert_eq(binder_service_manager_code(BINDER_ANDROID_NEWEST + 1,
	                                         BINDER_SERVICE_MANAGER_METHOD_ADD_SERVICE),
	             0);
}

/* AOSP's IServiceManager.aidl numbers, per generation (11 to 16), written
 * here by hand so that the library's table is checked against them. */
static const uint32_t aosp_check_service[] = {2, 2, 2, 2, 3, 3};
static const uint32_t aosp_add_service[] = {3, 3, 3, 3, 4, 5};
static const uint32_t aosp_list_services[] = {4, 4, 4, 4, 5, 6};

Test(android, raw_list_with_aosp_code, .timeout = 30)
{
	uint32_t android = tested_android();
	size_t index = android - BINDER_ANDROID_OLDEST;
	cr_assert_eq(
	        binder_service_manager_code(android, BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE),
	        aosp_check_service[index]);
	cr_assert_eq(
	        binder_service_manager_code(android, BINDER_SERVICE_MANAGER_METHOD_ADD_SERVICE),
	        aosp_add_service[index]);
	cr_assert_eq(
	        binder_service_manager_code(android, BINDER_SERVICE_MANAGER_METHOD_LIST_SERVICES),
	        aosp_list_services[index]);

	binder_context *context = open_android(android);
	binder_object *echo = new_local(context, ignore_transact);
	cr_assert_eq(binder_service_manager_add(context, "test.raw.listed", echo), 0);
	binder_object *manager = NULL;
	cr_assert_eq(binder_context_manager(context, &manager), 0);
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_interface_token(data, BINDER_SERVICE_MANAGER_DESCRIPTOR),
	             0);
	cr_assert_eq(binder_parcel_write_int32(data, BINDER_DUMP_FLAG_PRIORITY_ALL), 0);
	int status = binder_object_transact(manager, aosp_list_services[index], data, reply, 0);
	cr_assert_eq(status, 0, "listServices: %s", binder_status_to_string(status));
	int32_t exception = -1, count = 0;
	cr_assert_eq(binder_parcel_read_exception(reply, &exception, NULL, NULL), 0);
	cr_assert_eq(exception, BINDER_EX_NONE);
	cr_assert_eq(binder_parcel_read_int32(reply, &count), 0);
	bool found = false;
	for (int32_t i = 0; i < count; i++) {
		char *name = NULL;
		cr_assert_eq(binder_parcel_read_string16(reply, &name), 0);
		found |= name && strcmp(name, "test.raw.listed") == 0;
		free(name);
	}
	cr_assert(found);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	binder_object_unref(manager);
	binder_object_unref(echo);
	binder_context_unref(context);
}

/* getService2 (Android 15 and 16): Service { binder } in 15, Service {
 * ServiceWithMetadata { service, isLazyService } } in 16, decoded here by
 * hand. */
Test(android, raw_get_service2, .timeout = 30)
{
	uint32_t android = tested_android();
	uint32_t code =
	        binder_service_manager_code(android, BINDER_SERVICE_MANAGER_METHOD_GET_SERVICE2);
	if (android < 15) {
		cr_assert_eq(code, 0);
		return;
	}
	cr_assert_eq(code, 2);
	binder_context *server = open_android(android);
	binder_context *client = open_android(android);
	binder_object *echo = new_local(server, echo_transact);
	cr_assert_eq(binder_service_manager_add(server, "test.raw.service2", echo), 0);
	binder_object *manager = NULL;
	cr_assert_eq(binder_context_manager(client, &manager), 0);
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_interface_token(data, BINDER_SERVICE_MANAGER_DESCRIPTOR),
	             0);
	cr_assert_eq(binder_parcel_write_string16(data, "test.raw.service2"), 0);
	int status = binder_object_transact(manager, code, data, reply, 0);
	cr_assert_eq(status, 0, "getService2: %s", binder_status_to_string(status));
	int32_t exception = -1, not_null = 0, tag = -1;
	cr_assert_eq(binder_parcel_read_exception(reply, &exception, NULL, NULL), 0);
	cr_assert_eq(exception, BINDER_EX_NONE);
	cr_assert_eq(binder_parcel_read_int32(reply, &not_null), 0);
	cr_assert_eq(not_null, 1);
	cr_assert_eq(binder_parcel_read_int32(reply, &tag), 0);
	cr_assert_eq(tag, 0);
	if (android >= 16) {
		int32_t size = 0;
		cr_assert_eq(binder_parcel_read_int32(reply, &not_null), 0);
		cr_assert_eq(not_null, 1);
		cr_assert_eq(binder_parcel_read_int32(reply, &size), 0);
		/* size, the binder and its stability, isLazyService. */
		cr_assert_eq(size, 4 + FLAT_BINDER_SIZE + 4 + 4);
	}
	binder_object *service = NULL;
	cr_assert_eq(binder_parcel_read_object(reply, &service), 0);
	int32_t answer = 0;
	cr_assert_eq(test_echo(service, 1, &answer), 0);
	cr_assert_eq(answer, 2);
	if (android >= 16) {
		bool lazy = true;
		cr_assert_eq(binder_parcel_read_bool(reply, &lazy), 0);
		cr_assert_not(lazy);
	}
	cr_assert_eq(binder_parcel_data_available(reply), 0);
	binder_object_unref(service);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	binder_object_unref(manager);
	binder_object_unref(echo);
	binder_context_unref(client);
	binder_context_unref(server);
}
