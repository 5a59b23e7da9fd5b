/*
 * quota_test.c - servicemanager's per-uid quotas (issue 9, item 6), with
 * quota_test.ini: every uid may add "quota.*", each up to QUOTA_LIMIT
 * names and QUOTA_LIMIT notification registrations. uid 65534 fills its
 * quota of each and is refused the next one (EX_ILLEGAL_STATE, which the
 * client sees as BINDER_INVALID_OPERATION); while it holds them, another
 * uid and root (no quota) still get theirs; once its process is gone, its
 * entries are gone and its quota is free again.
 *
 * Each uid's work runs in a child process that drops to that uid, reports
 * a result byte on a pipe, and keeps its context (its entries) until the
 * test closes the release pipe.
 */
#include <criterion/criterion.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_support.h"

/* quota_test.ini's names_per_uid and notifications_per_uid. */
#define QUOTA_LIMIT 8
#define NOBODY_UID  65534
#define OTHER_UID   65533
/* Longest wait for a child's result or for servicemanager to see a death. */
#define WAIT_MS 20000

#define CALLBACK_DESCRIPTOR "android.os.IServiceCallback"

/* A child's result bytes. */
enum child_result {
	CHILD_OK = 0,
	CHILD_CANNOT_DROP_PRIVILEGES,
	CHILD_CANNOT_OPEN,
	CHILD_CANNOT_MAKE_OBJECT,
	CHILD_REFUSED_WITHIN_QUOTA,
	CHILD_ACCEPTED_OVER_QUOTA,
	CHILD_WRONG_REFUSAL,
	CHILD_REPLACE_REFUSED,
};

static const char *result_names[] = {
        "ok",
        "cannot drop privileges",
        "cannot open the device",
        "cannot make a local object",
        "refused within its quota",
        "accepted over its quota",
        "refused with another status than the quota's",
        "refused to replace its own name",
};

/* What a child does as its uid: returns an enum child_result. */
typedef int (*child_work)(binder_context *context, binder_object *object, const char *prefix,
                          int count, bool expect_refusal);

struct child {
	pid_t pid;
	int result_fd;  /* the child writes its result byte here */
	int release_fd; /* closing it lets the child exit */
};

static int ignore_transact(binder_object *self, uint32_t code, binder_parcel *data,
                           binder_parcel *reply, const struct binder_caller *caller,
                           void *user_data)
{
	(void)self;
	(void)code;
	(void)data;
	(void)reply;
	(void)caller;
	(void)user_data;
	return 0;
}

/* In the child: becomes uid (0: stays root), runs work, reports, waits
 * for the release. Never returns. */
static void child_main(uid_t uid, child_work work, const char *prefix, int count,
                       bool expect_refusal, int result_fd, int release_fd)
{
	unsigned char result = CHILD_OK;
	binder_context *context = NULL;
	binder_object *object = NULL;
	if (uid != 0 && (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 ||
	                 setresuid(uid, uid, uid) != 0))
		result = CHILD_CANNOT_DROP_PRIVILEGES;
	else if (binder_context_new(NULL, &context) != 0)
		result = CHILD_CANNOT_OPEN;
	else if (binder_object_new_local(
	                 context, "test.INothing",
	                 &(const struct binder_local_ops){.transact = ignore_transact}, NULL,
	                 &object) != 0)
		result = CHILD_CANNOT_MAKE_OBJECT;
	else
		result = (unsigned char)work(context, object, prefix, count, expect_refusal);
	if (write(result_fd, &result, 1) != 1)
		_exit(100);
	/* Keep the entries until the test is done with them (EOF). */
	char byte;
	while (read(release_fd, &byte, 1) > 0)
		;
	binder_object_unref(object);
	binder_context_unref(context);
	_exit(0);
}

/* Starts a child that runs work as uid. */
static struct child start_child(uid_t uid, child_work work, const char *prefix, int count,
                                bool expect_refusal)
{
	int result_pipe[2], release_pipe[2];
	cr_assert_eq(pipe(result_pipe), 0);
	cr_assert_eq(pipe(release_pipe), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(result_pipe[0]);
		close(release_pipe[1]);
		child_main(uid, work, prefix, count, expect_refusal, result_pipe[1],
		           release_pipe[0]);
	}
	close(result_pipe[1]);
	close(release_pipe[0]);
	return (struct child){
	        .pid = pid, .result_fd = result_pipe[0], .release_fd = release_pipe[1]};
}

/* The child's result byte, or -1 if none came within WAIT_MS. */
static int child_result(struct child *child)
{
	struct pollfd ready = {.fd = child->result_fd, .events = POLLIN};
	unsigned char result;
	if (poll(&ready, 1, WAIT_MS) != 1 || read(child->result_fd, &result, 1) != 1)
		return -1;
	return result;
}

static const char *result_name(int result)
{
	if (result < 0)
		return "no result (the child died or hangs)";
	if ((size_t)result < sizeof(result_names) / sizeof(result_names[0]))
		return result_names[result];
	return "unknown result";
}

/* Starts a child that runs work as uid, and asserts that it succeeded. */
static struct child run_as(uid_t uid, child_work work, const char *prefix, int count,
                           bool expect_refusal)
{
	struct child child = start_child(uid, work, prefix, count, expect_refusal);
	int result = child_result(&child);
	cr_assert_eq(result, CHILD_OK, "uid %u, %s: %s", (unsigned)uid, prefix,
	             result_name(result));
	return child;
}

/* Lets the child exit and reaps it. */
static void release(struct child *child)
{
	close(child->release_fd);
	close(child->result_fd);
	int status = 0;
	cr_assert_eq(waitpid(child->pid, &status, 0), child->pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
}

/* Adds prefix.0 .. prefix.(count-1); with expect_refusal, then one more,
 * which must be refused for the quota, and replaces prefix.0 (a name it
 * already holds does not count again). */
static int add_names(binder_context *context, binder_object *object, const char *prefix, int count,
                     bool expect_refusal)
{
	char name[64];
	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s.%d", prefix, i);
		if (binder_service_manager_add(context, name, object) != 0)
			return CHILD_REFUSED_WITHIN_QUOTA;
	}
	if (!expect_refusal)
		return CHILD_OK;
	snprintf(name, sizeof(name), "%s.%d", prefix, count);
	int status = binder_service_manager_add(context, name, object);
	if (status == 0)
		return CHILD_ACCEPTED_OVER_QUOTA;
	if (status != BINDER_INVALID_OPERATION)
		return CHILD_WRONG_REFUSAL;
	/* Refused again (logged at debug level this time). */
	if (binder_service_manager_add(context, name, object) != BINDER_INVALID_OPERATION)
		return CHILD_WRONG_REFUSAL;
	snprintf(name, sizeof(name), "%s.0", prefix);
	if (binder_service_manager_add(context, name, object) != 0)
		return CHILD_REPLACE_REFUSED;
	return CHILD_OK;
}

/* registerForNotifications(name, callback): the reply's AIDL exception,
 * or a negative status. */
static int register_callback(binder_context *context, const char *name, binder_object *callback)
{
	binder_object *manager = NULL;
	int status = binder_context_manager(context, &manager);
	if (status)
		return status;
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	status = binder_parcel_write_interface_token(data, BINDER_SERVICE_MANAGER_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_string16(data, name);
	if (status == 0)
		status = binder_parcel_write_object(data, callback);
	if (status == 0)
		status = binder_object_transact(
		        manager, BINDER_SERVICE_MANAGER_REGISTER_FOR_NOTIFICATIONS, data, reply, 0);
	int32_t exception = 0;
	if (status == 0)
		status = binder_parcel_read_exception(reply, &exception, NULL, NULL);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	binder_object_unref(manager);
	return status ? status : exception;
}

/* Registers object as a callback for prefix.0 .. prefix.(count-1); with
 * expect_refusal, then once more, which must be refused. */
static int register_callbacks(binder_context *context, binder_object *object, const char *prefix,
                              int count, bool expect_refusal)
{
	char name[64];
	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s.%d", prefix, i);
		if (register_callback(context, name, object) != BINDER_EX_NONE)
			return CHILD_REFUSED_WITHIN_QUOTA;
	}
	if (!expect_refusal)
		return CHILD_OK;
	snprintf(name, sizeof(name), "%s.%d", prefix, count);
	int result = register_callback(context, name, object);
	if (result == BINDER_EX_NONE)
		return CHILD_ACCEPTED_OVER_QUOTA;
	if (result != BINDER_EX_ILLEGAL_STATE)
		return CHILD_WRONG_REFUSAL;
	return CHILD_OK;
}

/* Waits (bounded) until name has left servicemanager's list. */
static void wait_until_gone(const char *name)
{
	binder_context *context = test_open_context(false);
	bool gone = false;
	for (int waited = 0; waited < WAIT_MS && !gone; waited += 10) {
		gone = !test_list_contains(context, name);
		if (!gone)
			test_sleep_ms(10);
	}
	binder_context_unref(context);
	cr_assert(gone, "'%s' still listed after its process exited", name);
}

static void skip_unless_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to become uids %d and %d", NOBODY_UID, OTHER_UID);
}

Test(quota, names_per_uid, .timeout = 120)
{
	skip_unless_root();
	/* uid 65534 fills its quota and is refused the next name. */
	struct child nobody = run_as(NOBODY_UID, add_names, "quota.nobody", QUOTA_LIMIT, true);
	/* Meanwhile another uid, and root past the quota, still add. */
	struct child other = run_as(OTHER_UID, add_names, "quota.other", QUOTA_LIMIT, true);
	struct child root = run_as(0, add_names, "quota.root", QUOTA_LIMIT + 4, false);
	release(&root);
	release(&other);
	release(&nobody);
	/* Its names leave with its process, and its quota with them. */
	char last[64];
	snprintf(last, sizeof(last), "quota.nobody.%d", QUOTA_LIMIT - 1);
	wait_until_gone(last);
	struct child again = run_as(NOBODY_UID, add_names, "quota.nobody", QUOTA_LIMIT, true);
	release(&again);
}

Test(quota, notifications_per_uid, .timeout = 120)
{
	skip_unless_root();
	struct child nobody =
	        run_as(NOBODY_UID, register_callbacks, "quota.watched", QUOTA_LIMIT, true);
	struct child other =
	        run_as(OTHER_UID, register_callbacks, "quota.watched", QUOTA_LIMIT, true);
	struct child root = run_as(0, register_callbacks, "quota.watched", QUOTA_LIMIT + 4, false);
	release(&root);
	release(&other);
	release(&nobody);
	/* servicemanager drops a dead process's registrations when it hears
	 * of the death; a new process of the uid gets its quota back. The
	 * death notice has no reply to wait for: retry for a bounded time. */
	int result = -1;
	for (int waited = 0; waited < WAIT_MS && result != CHILD_OK; waited += 50) {
		struct child again = start_child(NOBODY_UID, register_callbacks, "quota.watched",
		                                 QUOTA_LIMIT, true);
		result = child_result(&again);
		release(&again);
		if (result != CHILD_OK)
			test_sleep_ms(50);
	}
	cr_assert_eq(result, CHILD_OK, "uid %d did not get its notification quota back: %s",
	             NOBODY_UID, result_name(result));
}
