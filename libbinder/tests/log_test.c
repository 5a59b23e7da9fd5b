/*
 * log_test.c - libbinder's log hook (<binder/log.h>): a handler sees the
 * message for an event nobody else hears of (a oneway handler's error,
 * provoked between two contexts of this process against a private
 * binderd), and the default handler writes to stderr only at and above
 * the level BINDER_LOG names. Run under tests/with_binderd.sh, one test at
 * a time (the first test is the context manager).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "binder/binder.h"
#include "binder/log.h"
#include "log_internal.h"

#define FAILING_CODE BINDER_FIRST_CALL_TRANSACTION
#define DESCRIPTOR   "test.ILogged"
/* Bound on the wait for the message; never reached when it works. */
#define WAIT_SECONDS 20
#define CAPTURED_MAX 4096

struct captured {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	enum binder_log_level level;
	char message[CAPTURED_MAX];
	int count;
};

static struct captured captured = {
        .lock = PTHREAD_MUTEX_INITIALIZER,
        .changed = PTHREAD_COND_INITIALIZER,
};

static void capture(enum binder_log_level level, const char *message, void *user_data)
{
	struct captured *into = user_data;

	pthread_mutex_lock(&into->lock);
	into->level = level;
	snprintf(into->message, sizeof(into->message), "%s", message);
	into->count++;
	pthread_cond_broadcast(&into->changed);
	pthread_mutex_unlock(&into->lock);
}

static int failing_transact(binder_object *self, uint32_t code, binder_parcel *data,
                            binder_parcel *reply, const struct binder_caller *caller,
                            void *user_data)
{
	(void)self;
	(void)data;
	(void)reply;
	(void)caller;
	(void)user_data;
	return code == FAILING_CODE ? BINDER_BAD_VALUE : BINDER_UNKNOWN_TRANSACTION;
}

Test(log, oneway_handler_error_reaches_the_handler, .timeout = 60)
{
	static const struct binder_local_ops ops = {.transact = failing_transact};
	binder_context *server, *client;
	binder_object *object, *proxy;
	binder_parcel *data = binder_parcel_new();
	struct timespec deadline;
	int waited = 0;

	binder_set_log_handler(capture, &captured);
	/* Two opens: two binder processes, the first one the manager. */
	cr_assert_eq(binder_context_new(NULL, &server), 0);
	cr_assert_eq(binder_object_new_local(server, DESCRIPTOR, &ops, NULL, &object), 0);
	cr_assert_eq(binder_context_become_manager(server, object), 0);
	cr_assert_eq(binder_context_start_thread_pool(server), 0);
	cr_assert_eq(binder_context_new(NULL, &client), 0);
	cr_assert_eq(binder_context_manager(client, &proxy), 0);

	/* The oneway call itself succeeds: the handler's error is dropped. */
	cr_assert_eq(binder_object_transact(proxy, FAILING_CODE, data, NULL, BINDER_FLAG_ONEWAY),
	             0);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_SECONDS;
	pthread_mutex_lock(&captured.lock);
	while (captured.count == 0 && waited == 0)
		waited = pthread_cond_timedwait(&captured.changed, &captured.lock, &deadline);
	cr_assert_eq(captured.count, 1, "no message for the oneway handler's error");
	cr_assert_eq(captured.level, BINDER_LOG_WARN);
	cr_assert(strstr(captured.message, "oneway"), "message: %s", captured.message);
	cr_assert(strstr(captured.message, DESCRIPTOR), "message: %s", captured.message);
	cr_assert(strstr(captured.message, binder_status_to_string(BINDER_BAD_VALUE)),
	          "message: %s", captured.message);
	pthread_mutex_unlock(&captured.lock);

	binder_parcel_free(data);
	binder_object_unref(proxy);
	binder_context_close(client);
	binder_context_unref(client);
	binder_object_unref(object);
	binder_context_close(server);
	binder_context_unref(server);
	binder_set_log_handler(NULL, NULL);
}

/* Runs runtime_log at each level with stderr sent to a file, and returns
 * what the default handler wrote (static buffer). */
static const char *default_handler_output(void)
{
	static char output[CAPTURED_MAX];
	FILE *file = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t length;

	cr_assert_not_null(file);
	cr_assert_geq(saved, 0);
	fflush(stderr);
	cr_assert_geq(dup2(fileno(file), STDERR_FILENO), 0);
	runtime_log(BINDER_LOG_ERROR, "an error %d", 1);
	runtime_log(BINDER_LOG_WARN, "a warning %d", 2);
	runtime_log(BINDER_LOG_INFO, "some info %d", 3);
	runtime_log(BINDER_LOG_DEBUG, "a detail %d", 4);
	fflush(stderr);
	cr_assert_geq(dup2(saved, STDERR_FILENO), 0);
	close(saved);
	rewind(file);
	length = fread(output, 1, sizeof(output) - 1, file);
	output[length] = '\0';
	fclose(file);
	return output;
}

/* Each Criterion test runs in its own process: BINDER_LOG is read afresh. */
Test(log, default_level_is_warn)
{
	const char *output;

	unsetenv(BINDER_LOG_ENV);
	cr_assert_eq(binder_log_default_level(), BINDER_LOG_WARN);
	output = default_handler_output();
	cr_assert_str_eq(output, "libbinder: error: an error 1\nlibbinder: warn: a warning 2\n");
}

Test(log, binder_log_error_keeps_only_errors)
{
	setenv(BINDER_LOG_ENV, "error", 1);
	cr_assert_eq(binder_log_default_level(), BINDER_LOG_ERROR);
	cr_assert_str_eq(default_handler_output(), "libbinder: error: an error 1\n");
}

Test(log, binder_log_debug_shows_everything)
{
	setenv(BINDER_LOG_ENV, "debug", 1);
	cr_assert_str_eq(default_handler_output(),
	                 "libbinder: error: an error 1\nlibbinder: warn: a warning 2\n"
	                 "libbinder: info: some info 3\nlibbinder: debug: a detail 4\n");
}

Test(log, unknown_binder_log_means_warn)
{
	setenv(BINDER_LOG_ENV, "loud", 1);
	cr_assert_eq(binder_log_default_level(), BINDER_LOG_WARN);
}

Test(log, handler_gets_every_level_and_null_restores_the_default)
{
	setenv(BINDER_LOG_ENV, "error", 1);
	binder_set_log_handler(capture, &captured);
	runtime_log(BINDER_LOG_DEBUG, "a detail %d", 4);
	cr_assert_eq(captured.count, 1);
	cr_assert_eq(captured.level, BINDER_LOG_DEBUG);
	cr_assert_str_eq(captured.message, "a detail 4");
	binder_set_log_handler(NULL, NULL);
	cr_assert_str_eq(default_handler_output(), "libbinder: error: an error 1\n");
	cr_assert_eq(captured.count, 1);
}
