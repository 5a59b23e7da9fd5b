/*
 * context_dump_test.c - binder_context_dump against a private binderd: one
 * context serves a local object as the context manager, a second context
 * of the same process holds a proxy to it with a death link; each dump
 * shows what that context holds (the local object with the driver's
 * references, the proxy with its death link, the thread pool), and the
 * refusals. Run under tests/with_binderd.sh, one test at a time.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binder/binder.h"

/* Bounded polls: POLL_ROUNDS of POLL_INTERVAL_US. */
#define POLL_ROUNDS      1000
#define POLL_INTERVAL_US 10000

/* The manager object's only call: keep the object passed (CODE_HOLD). */
#define CODE_HOLD BINDER_FIRST_CALL_TRANSACTION

static binder_object *held; /* in the owner context */

static int serve(binder_object *self, uint32_t code, binder_parcel *data, binder_parcel *reply,
                 const struct binder_caller *caller, void *user_data)
{
	(void)self, (void)reply, (void)caller, (void)user_data;
	if (code != CODE_HOLD)
		return BINDER_UNKNOWN_TRANSACTION;
	binder_object *object = NULL;
	int status = binder_parcel_read_object(data, &object);
	if (status == 0) {
		binder_object_unref(held);
		held = object;
	}
	return status;
}

static const struct binder_local_ops ops = {.transact = serve};

static void on_death(binder_object *proxy, void *cookie)
{
	(void)proxy, (void)cookie;
}

/* The dump of context as one string (malloc'ed). */
static char *dump(binder_context *context)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	cr_assert_not_null(out);
	cr_assert_eq(binder_context_dump(context, out), 0);
	cr_assert_eq(fclose(out), 0);
	return text;
}

static bool has_line(const char *text, const char *line)
{
	size_t length = strlen(line);
	for (const char *at = strstr(text, line); at; at = strstr(at + 1, line))
		if ((at == text || at[-1] == '\n') && (at[length] == '\n' || at[length] == '\0'))
			return true;
	return false;
}

/* The dump of context once it has text (the driver's BR_INCREFS and
 * BR_ACQUIRE, or BR_RELEASE and BR_DECREFS, reach a pool thread in their
 * own time; a pool thread that just replied may still hold its call's
 * objects a moment), or the last one after a bounded wait. */
static char *dump_once(binder_context *context, const char *text_wanted)
{
	for (int round = 0; round < POLL_ROUNDS; round++) {
		char *text = dump(context);
		if (strstr(text, text_wanted))
			return text;
		free(text);
		usleep(POLL_INTERVAL_US);
	}
	return dump(context);
}

Test(context_dump, shows_locals_proxies_death_links_and_threads, .timeout = 30)
{
	binder_context *owner, *holder;
	binder_object *service, *kept, *sent, *manager;
	char expected[256];
	char *text;

	cr_assert_eq(binder_context_new(NULL, &owner), 0);
	cr_assert_eq(binder_context_new(NULL, &holder), 0);
	cr_assert_eq(binder_context_start_thread_pool(owner), 0);
	cr_assert_eq(binder_context_start_thread_pool(holder), 0);
	cr_assert_eq(binder_object_new_local(owner, "test.IDump", &ops, NULL, &service), 0);
	cr_assert_eq(binder_object_new_local(owner, "test.IKept", &ops, NULL, &kept), 0);
	cr_assert_eq(binder_context_become_manager(owner, service), 0);
	cr_assert_eq(binder_context_manager(holder, &manager), 0);
	cr_assert_eq(binder_object_link_to_death(manager, on_death, NULL), 0);
	/* The holder sends an object of its own: the owner keeps a proxy. */
	cr_assert_eq(binder_object_new_local(holder, "test.ISent", &ops, NULL, &sent), 0);
	binder_parcel *data = binder_parcel_new(), *reply = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_object(data, sent), 0);
	cr_assert_eq(binder_object_transact(manager, CODE_HOLD, data, reply, 0), 0);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	cr_assert_not_null(held);

	/* The owner: two locals (the manager, one nobody was given), the
	 * proxy it keeps, its pool. */
	snprintf(expected, sizeof(expected),
	         "    proxy handle %d: refs 1, driver referenced yes, alive, death links 0, "
	         "death notification none\n",
	         binder_object_handle(held));
	text = dump_once(owner, expected);
	cr_assert_not_null(strstr(text, expected), "no line '%s' in:\n%s", expected, text);
	cr_assert_eq(strncmp(text, "context ", strlen("context ")), 0, "%s", text);
	cr_assert_not_null(strstr(text, ", open\n"), "%s", text);
	cr_assert_not_null(strstr(text, "pool started yes\n"), "%s", text);
	cr_assert(has_line(text, "  locals: 2"), "%s", text);
	/* This process's references: the test's and the manager's. */
	snprintf(expected, sizeof(expected), "    local %#llx: descriptor \"test.IDump\", refs 2, ",
	         (unsigned long long)(uintptr_t)service);
	free(text);
	text = dump_once(owner, expected);
	cr_assert_not_null(strstr(text, expected), "no '%s' in:\n%s", expected, text);
	cr_assert_not_null(strstr(text, ", context manager\n"), "%s", text);
	snprintf(expected, sizeof(expected),
	         "    local %#llx: descriptor \"test.IKept\", refs 1, driver strong 0 weak 0",
	         (unsigned long long)(uintptr_t)kept);
	cr_assert(has_line(text, expected), "no line '%s' in:\n%s", expected, text);
	cr_assert(has_line(text, "  proxies: 1"), "%s", text);
	free(text);

	/* The holder: its sent object, which the driver holds for the owner,
	 * and the manager's proxy with its death link. */
	snprintf(expected, sizeof(expected),
	         "    local %#llx: descriptor \"test.ISent\", refs 1, driver strong 1 weak 1",
	         (unsigned long long)(uintptr_t)sent);
	text = dump_once(holder, expected);
	cr_assert(has_line(text, expected), "no line '%s' in:\n%s", expected, text);
	cr_assert(has_line(text, "  proxies: 1"), "%s", text);
	cr_assert(has_line(text, "    proxy handle 0: refs 1, driver referenced yes, alive, "
	                         "death links 1, death notification requested"),
	          "%s", text);
	free(text);

	/* The owner lets go: the driver's references on the sent object go. */
	binder_object_unref(held);
	held = NULL;
	snprintf(expected, sizeof(expected),
	         "    local %#llx: descriptor \"test.ISent\", refs 1, driver strong 0 weak 0",
	         (unsigned long long)(uintptr_t)sent);
	text = dump_once(holder, expected);
	cr_assert(has_line(text, expected), "no line '%s' in:\n%s", expected, text);
	free(text);
	text = dump(owner);
	cr_assert(has_line(text, "  proxies: 0"), "the released proxy is still listed:\n%s", text);
	free(text);

	cr_assert_eq(binder_object_unlink_to_death(manager, on_death, NULL), 0);
	binder_object_unref(manager);
	binder_object_unref(sent);
	binder_object_unref(kept);
	binder_object_unref(service);
	cr_assert_eq(binder_context_close(holder), 0);
	cr_assert_eq(binder_context_close(owner), 0);
	text = dump(owner);
	cr_assert_not_null(strstr(text, ", closed\n"), "%s", text);
	free(text);
	binder_context_unref(holder);
	binder_context_unref(owner);
}

Test(context_dump, refuses_null_and_reports_a_failed_write, .timeout = 30)
{
	binder_context *context;
	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_dump(NULL, stdout), BINDER_BAD_VALUE);
	cr_assert_eq(binder_context_dump(context, NULL), BINDER_BAD_VALUE);
	/* A stream that takes nothing: /dev/full. */
	FILE *full = fopen("/dev/full", "w");
	cr_assert_not_null(full);
	setvbuf(full, NULL, _IONBF, 0);
	cr_assert_eq(binder_context_dump(context, full), -EIO);
	fclose(full);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
}
