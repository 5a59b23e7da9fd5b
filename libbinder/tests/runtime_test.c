/*
 * runtime_test.c - the runtime (contexts, local objects, proxies, thread
 * pool, death, polling, security contexts) end to end against a private
 * binderd: a forked child serves an object as the context manager, the
 * test process calls it. Run under tests/with_binderd.sh, one test at a time.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "binder/binder.h"
#include "binder/device.h"

enum {
	CODE_ADD = BINDER_FIRST_CALL_TRANSACTION,
	CODE_CALL_BACK, /* (callback, depth): calls callback(depth - 1) */
	CODE_GET_PID,
	CODE_HOLD,            /* keeps the object passed */
	CODE_GET_HELD,        /* returns it */
	CODE_DEAD_STATUS,     /* a handler that answers BINDER_DEAD_OBJECT */
	CODE_POSITIVE_STATUS, /* a handler that answers POSITIVE_STATUS */
	CODE_ECHO_BORROWED,   /* (count, arrays..., [object]): echoes them borrowed */
};

/* A positive transaction status: a failure on Android all the same. */
#define POSITIVE_STATUS 7

static binder_object *held;
/* Set by the handler when the driver gave it the caller's security context. */
static bool saw_security_context;

/* CODE_ECHO_BORROWED: reads count byte arrays and, if has_object, an
 * object; answers each array's index and the array borrowed from the
 * data parcel, then the object (its presence makes libbinder copy the
 * borrowed bytes in), then END_MARK. */
#define END_MARK 0x7e57
static int echo_borrowed(binder_parcel *data, binder_parcel *reply)
{
	int32_t count, has_object;
	int status = binder_parcel_read_int32(data, &count);

	if (status == 0)
		status = binder_parcel_read_int32(data, &has_object);
	if (status == 0 && (count < 0 || count > 8))
		status = BINDER_BAD_VALUE;
	for (int32_t i = 0; status == 0 && i < count; i++) {
		const void *bytes;
		size_t length;

		status = binder_parcel_read_byte_array(data, &bytes, &length);
		if (status == 0)
			status = binder_parcel_write_int32(reply, i);
		if (status == 0)
			status = binder_parcel_write_byte_array_borrowed(reply, bytes, length);
	}
	if (status == 0 && has_object) {
		binder_object *object = NULL;

		status = binder_parcel_read_object(data, &object);
		if (status == 0)
			status = binder_parcel_write_object(reply, object);
		binder_object_unref(object);
	}
	return status ? status : binder_parcel_write_int32(reply, END_MARK);
}

static int service_transact(binder_object *self, uint32_t code, binder_parcel *data,
                            binder_parcel *reply, const struct binder_caller *caller,
                            void *user_data)
{
	int32_t a, b;
	binder_object *callback;
	(void)self;
	(void)user_data;

	if (caller->security_context)
		saw_security_context = true;

	switch (code) {
	case CODE_ADD:
		if (binder_parcel_read_int32(data, &a) || binder_parcel_read_int32(data, &b))
			return BINDER_BAD_VALUE;
		return binder_parcel_write_int32(reply, a + b);
	case CODE_CALL_BACK: {
		binder_parcel *out = binder_parcel_new(), *in = binder_parcel_new();
		int status = binder_parcel_read_object(data, &callback);

		if (status == 0)
			status = binder_parcel_read_int32(data, &a);
		if (status == 0) {
			binder_parcel_write_object(out, self);
			binder_parcel_write_int32(out, a - 1);
			status =
			        a > 0 ? binder_object_transact(callback, CODE_CALL_BACK, out, in, 0)
			              : 0;
			if (status == 0 && a > 0)
				status = binder_parcel_read_int32(in, &b);
			else
				b = 0;
			if (status == 0)
				status = binder_parcel_write_int32(reply, b + 1);
		}
		binder_object_unref(callback);
		binder_parcel_free(out);
		binder_parcel_free(in);
		return status;
	}
	case CODE_GET_PID:
		return binder_parcel_write_int32(reply, getpid());
	case CODE_HOLD: {
		binder_object *object = NULL;
		int status = binder_parcel_read_object(data, &object);

		if (status)
			return status;
		binder_object_unref(held);
		held = object;
		return 0;
	}
	case CODE_GET_HELD:
		return binder_parcel_write_object(reply, held);
	case CODE_DEAD_STATUS:
		return BINDER_DEAD_OBJECT;
	case CODE_POSITIVE_STATUS:
		return POSITIVE_STATUS;
	case CODE_ECHO_BORROWED:
		return echo_borrowed(data, reply);
	default:
		return BINDER_UNKNOWN_TRANSACTION;
	}
}

static const struct binder_local_ops service_ops = {.transact = service_transact};

/* Forks a child that serves an object as context manager; returns its pid
 * once it is the manager. */
static pid_t start_manager_child(void)
{
	int ready[2];
	char byte;
	pid_t pid;

	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		binder_context *context;
		binder_object *object;

		close(ready[0]);
		alarm(60);
		if (binder_context_new(NULL, &context) ||
		    binder_object_new_local(context, "test.IService", &service_ops, NULL,
		                            &object) ||
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

static void stop_child(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

Test(runtime, call_add_and_descriptor, .timeout = 30)
{
	pid_t pid = start_manager_child();
	binder_context *context;
	binder_object *manager;
	binder_parcel *data = binder_parcel_new(), *reply = binder_parcel_new();
	char *descriptor = NULL;
	int32_t sum = 0;

	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_manager(context, &manager), 0);
	cr_assert_eq(binder_object_ping(manager), 0);
	cr_assert_eq(binder_object_descriptor(manager, &descriptor), 0);
	cr_assert_str_eq(descriptor, "test.IService");
	free(descriptor);
	for (int i = 0; i < 100; i++) {
		binder_parcel_reset(data);
		binder_parcel_write_int32(data, i);
		binder_parcel_write_int32(data, 3);
		cr_assert_eq(binder_object_transact(manager, CODE_ADD, data, reply, 0), 0);
		cr_assert_eq(binder_parcel_read_int32(reply, &sum), 0);
		cr_assert_eq(sum, i + 3);
	}
	cr_assert_eq(binder_object_transact(manager, 999, data, reply, 0),
	             BINDER_UNKNOWN_TRANSACTION);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	binder_object_unref(manager);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
	stop_child(pid);
}

Test(runtime, nested_callbacks_on_the_waiting_thread, .timeout = 30)
{
	pid_t pid = start_manager_child();
	binder_context *context;
	binder_object *manager, *callback;
	binder_parcel *data = binder_parcel_new(), *reply = binder_parcel_new();
	int32_t depth = 0;

	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_manager(context, &manager), 0);
	cr_assert_eq(
	        binder_object_new_local(context, "test.ICallback", &service_ops, NULL, &callback),
	        0);
	/* No pool: the nested calls can only run on this waiting thread. */
	binder_parcel_write_object(data, callback);
	binder_parcel_write_int32(data, 9);
	cr_assert_eq(binder_object_transact(manager, CODE_CALL_BACK, data, reply, 0), 0);
	cr_assert_eq(binder_parcel_read_int32(reply, &depth), 0);
	cr_assert_eq(depth, 10);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	binder_object_unref(callback);
	binder_object_unref(manager);
	binder_context_close(context);
	binder_context_unref(context);
	stop_child(pid);
}

static atomic_int deaths;

static void on_death(binder_object *who, void *cookie)
{
	(void)who;
	(void)cookie;
	atomic_fetch_add(&deaths, 1);
}

Test(runtime, death_recipient_fires_and_calls_fail, .timeout = 30)
{
	pid_t pid = start_manager_child();
	binder_context *context;
	binder_object *manager;
	int waited;

	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_start_thread_pool(context), 0);
	cr_assert_eq(binder_context_manager(context, &manager), 0);
	cr_assert_eq(binder_object_ping(manager), 0);
	cr_assert_eq(binder_object_link_to_death(manager, on_death, NULL), 0);
	cr_assert_eq(binder_object_link_to_death(manager, on_death, NULL), BINDER_ALREADY_EXISTS);
	stop_child(pid);
	for (waited = 0; waited < 1000 && atomic_load(&deaths) == 0; waited++)
		usleep(10000);
	cr_assert_eq(atomic_load(&deaths), 1, "the death recipient did not fire");
	cr_assert_not(binder_object_is_alive(manager));
	cr_assert_eq(binder_object_ping(manager), BINDER_DEAD_OBJECT);
	binder_object_unref(manager);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
}

Test(runtime, polling_serves_incoming_calls, .timeout = 30)
{
	/* The service polls instead of joining a pool. */
	int ready[2];
	char byte;
	pid_t pid;
	binder_context *context;
	binder_object *manager;
	binder_parcel *data = binder_parcel_new(), *reply = binder_parcel_new();
	int32_t sum;

	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	if (pid == 0) {
		binder_context *service_context;
		binder_object *object;
		int fd;

		alarm(60);
		if (binder_context_new(NULL, &service_context) ||
		    binder_object_new_local(service_context, "test.IService", &service_ops, NULL,
		                            &object) ||
		    binder_context_become_manager(service_context, object))
			_exit(2);
		byte = 1;
		if (write(ready[1], &byte, 1) != 1)
			_exit(3);
		for (;;) {
			struct pollfd entry = {.events = POLLIN};

			if (binder_context_poll_fd(service_context, &fd))
				_exit(4);
			entry.fd = fd;
			if (poll(&entry, 1, -1) < 0)
				_exit(5);
			if (binder_context_handle_polled_work(service_context))
				_exit(6);
		}
	}
	cr_assert_eq(read(ready[0], &byte, 1), 1);
	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_manager(context, &manager), 0);
	for (int i = 0; i < 50; i++) {
		binder_parcel_reset(data);
		binder_parcel_write_int32(data, i);
		binder_parcel_write_int32(data, i);
		cr_assert_eq(binder_object_transact(manager, CODE_ADD, data, reply, 0), 0);
		cr_assert_eq(binder_parcel_read_int32(reply, &sum), 0);
		cr_assert_eq(sum, 2 * i);
	}
	binder_parcel_free(data);
	binder_parcel_free(reply);
	binder_object_unref(manager);
	binder_context_close(context);
	binder_context_unref(context);
	stop_child(pid);
}

/* Gives object (of the owner context) to the child (CODE_HOLD through the
 * owner's manager proxy) and gets it back in the holder context
 * (CODE_GET_HELD): returns the holder's proxy, alive and pinged. */
static binder_object *pass_to_holder(binder_object *owner_manager, binder_object *holder_manager,
                                     binder_object *object)
{
	binder_parcel *data = binder_parcel_new(), *reply = binder_parcel_new();
	binder_object *proxy = NULL;

	cr_assert_eq(binder_parcel_write_object(data, object), 0);
	cr_assert_eq(binder_object_transact(owner_manager, CODE_HOLD, data, reply, 0), 0);
	binder_parcel_reset(data);
	cr_assert_eq(binder_object_transact(holder_manager, CODE_GET_HELD, data, reply, 0), 0);
	cr_assert_eq(binder_parcel_read_object(reply, &proxy), 0);
	cr_assert_not_null(proxy);
	cr_assert_eq(binder_object_ping(proxy), 0);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return proxy;
}

Test(runtime, closing_one_context_kills_only_its_objects, .timeout = 30)
{
	/* Two contexts in one process. An object of the first reaches the
	 * second through the child (HOLD, then GET_HELD); closing the first
	 * context kills that object for the second, which keeps working. */
	pid_t pid = start_manager_child();
	binder_context *owner, *holder;
	binder_object *owner_manager, *holder_manager, *object, *proxy = NULL;
	int waited;

	atomic_store(&deaths, 0);
	cr_assert_eq(binder_context_new(NULL, &owner), 0);
	cr_assert_eq(binder_context_new(NULL, &holder), 0);
	cr_assert_eq(binder_context_start_thread_pool(owner), 0);
	cr_assert_eq(binder_context_start_thread_pool(holder), 0);
	cr_assert_eq(binder_object_new_local(owner, "test.IService", &service_ops, NULL, &object),
	             0);
	cr_assert_eq(binder_context_manager(owner, &owner_manager), 0);
	cr_assert_eq(binder_context_manager(holder, &holder_manager), 0);
	proxy = pass_to_holder(owner_manager, holder_manager, object);
	cr_assert_not(binder_object_is_local(proxy), "another context's object must be a proxy");
	cr_assert_eq(binder_object_context(proxy), holder);
	cr_assert_eq(binder_object_link_to_death(proxy, on_death, NULL), 0);

	binder_object_unref(owner_manager);
	cr_assert_eq(binder_context_close(owner), 0);
	for (waited = 0; waited < 1000 && atomic_load(&deaths) == 0; waited++)
		usleep(10000);
	cr_assert_eq(atomic_load(&deaths), 1, "the holder was not told of the death");
	cr_assert_eq(binder_object_ping(proxy), BINDER_DEAD_OBJECT);
	/* The holder context and the child are fine. */
	cr_assert_eq(binder_object_ping(holder_manager), 0);

	binder_object_unref(proxy);
	binder_object_unref(object);
	binder_object_unref(holder_manager);
	cr_assert_eq(binder_context_close(holder), 0);
	binder_context_unref(owner);
	binder_context_unref(holder);
	stop_child(pid);
}

static atomic_int killed_destroyed;

static void count_killed_destroy(void *user_data)
{
	(void)user_data;
	atomic_fetch_add(&killed_destroyed, 1);
}

static enum binder_device_backend default_backend(void)
{
	binder_device *device;
	enum binder_device_backend backend;

	cr_assert_eq(binder_device_open(NULL, 0, &device), 0);
	backend = binder_device_backend(device);
	binder_device_close(device);
	return backend;
}

Test(runtime, killing_one_object_kills_it_for_its_holders, .timeout = 30)
{
	/* An object of the owner context reaches the holder context through
	 * the child, as in the test above; binder_object_kill then makes it
	 * die for the holder (and the child) while the owner context works
	 * on, and the object is freed once its owner lets it go. */
	pid_t pid = start_manager_child();
	binder_context *owner, *holder;
	binder_object *owner_manager, *holder_manager, *object, *proxy = NULL;
	struct binder_local_ops ops = {.transact = service_transact,
	                               .destroy = count_killed_destroy};
	int waited;

	atomic_store(&deaths, 0);
	atomic_store(&killed_destroyed, 0);
	cr_assert_eq(binder_context_new(NULL, &owner), 0);
	cr_assert_eq(binder_context_new(NULL, &holder), 0);
	cr_assert_eq(binder_context_start_thread_pool(owner), 0);
	cr_assert_eq(binder_context_start_thread_pool(holder), 0);
	cr_assert_eq(binder_object_new_local(owner, "test.IService", &ops, NULL, &object), 0);
	cr_assert_eq(binder_context_manager(owner, &owner_manager), 0);
	cr_assert_eq(binder_context_manager(holder, &holder_manager), 0);
	proxy = pass_to_holder(owner_manager, holder_manager, object);
	cr_assert_eq(binder_object_link_to_death(proxy, on_death, NULL), 0);
	cr_assert_eq(binder_object_kill(proxy), BINDER_INVALID_OPERATION);

	int status = binder_object_kill(object);
	if (default_backend() == BINDER_BACKEND_KERNEL) {
		/* The kernel has no such operation: nothing changed. */
		cr_assert_eq(status, BINDER_INVALID_OPERATION);
		cr_assert_eq(binder_object_ping(proxy), 0);
	} else {
		cr_assert_eq(status, BINDER_OK, "kill: %s", binder_status_to_string(status));
		for (waited = 0; waited < 1000 && atomic_load(&deaths) == 0; waited++)
			usleep(10000);
		cr_assert_eq(atomic_load(&deaths), 1, "the holder was not told of the death");
		cr_assert_eq(binder_object_ping(proxy), BINDER_DEAD_OBJECT);
		cr_assert_eq(binder_object_kill(object), BINDER_OK, "a second kill");
		/* Both contexts and the child work on. */
		cr_assert_eq(binder_object_ping(owner_manager), 0);
		cr_assert_eq(binder_object_ping(holder_manager), 0);
		/* The driver's references are forgotten: the last local one
		 * frees the object. */
		binder_object_unref(object);
		object = NULL;
		cr_assert_eq(atomic_load(&killed_destroyed), 1, "the killed object was not freed");
	}

	binder_object_unref(proxy);
	binder_object_unref(object);
	binder_object_unref(owner_manager);
	binder_object_unref(holder_manager);
	cr_assert_eq(binder_context_close(owner), 0);
	cr_assert_eq(binder_context_close(holder), 0);
	binder_context_unref(owner);
	binder_context_unref(holder);
	stop_child(pid);
}

Test(runtime, security_context_when_requested, .timeout = 30)
{
	/* The child calls our callback back; only a callback that asked for
	 * it sees the caller's security context. */
	pid_t pid = start_manager_child();
	binder_context *context;
	binder_object *manager, *plain, *secure;
	binder_parcel *data = binder_parcel_new(), *reply = binder_parcel_new();
	const char *device = binder_device_default_path();
	struct stat device_status;
	int status;

	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_manager(context, &manager), 0);
	cr_assert_eq(binder_object_new_local(context, "test.ICallback", &service_ops, NULL, &plain),
	             0);
	cr_assert_eq(
	        binder_object_new_local(context, "test.ICallback", &service_ops, NULL, &secure), 0);
	cr_assert_eq(binder_object_request_security_context(secure), 0);
	cr_assert_eq(binder_object_request_security_context(manager), BINDER_INVALID_OPERATION);

	saw_security_context = false;
	binder_parcel_write_object(data, plain);
	binder_parcel_write_int32(data, 1);
	cr_assert_eq(binder_object_transact(manager, CODE_CALL_BACK, data, reply, 0), 0);
	cr_assert_not(saw_security_context, "a context nobody asked for");

	binder_parcel_reset(data);
	binder_parcel_write_object(data, secure);
	binder_parcel_write_int32(data, 1);
	status = binder_object_transact(manager, CODE_CALL_BACK, data, reply, 0);
	if (stat(device, &device_status) == 0 && S_ISCHR(device_status.st_mode) && status != 0) {
		/* The kernel fails the call when no security module labels
		 * the caller (the qemu guest has none). */
		cr_assert_eq(status, BINDER_FAILED_TRANSACTION, "%s",
		             binder_status_to_string(status));
	} else {
		cr_assert_eq(status, 0, "%s", binder_status_to_string(status));
		cr_assert(saw_security_context, "the handler got no security context");
	}
	binder_parcel_free(data);
	binder_parcel_free(reply);
	binder_object_unref(plain);
	binder_object_unref(secure);
	binder_object_unref(manager);
	binder_context_close(context);
	binder_context_unref(context);
	stop_child(pid);
}

/* ---- binder_context_set_security_context ---- */

enum { CODE_GET_LABEL = BINDER_FIRST_CALL_TRANSACTION };

/* The longest label binderd takes. */
#define BINDER_LABEL_MAX 255

/* Answers the security context the caller carries (a null string when the
 * driver gave none). */
static int label_transact(binder_object *self, uint32_t code, binder_parcel *data,
                          binder_parcel *reply, const struct binder_caller *caller, void *user_data)
{
	(void)self;
	(void)data;
	(void)user_data;
	if (code != CODE_GET_LABEL)
		return BINDER_UNKNOWN_TRANSACTION;
	return binder_parcel_write_string8(reply, caller->security_context);
}

static const struct binder_local_ops label_ops = {.transact = label_transact};

struct label_answer {
	int status;
	bool none; /* the handler got no security context */
	char label[BINDER_LABEL_MAX + 1];
};

/* Asks the label service (the manager) which label our call carried. */
static struct label_answer call_get_label(binder_object *service)
{
	struct label_answer answer = {0};
	binder_parcel *reply = binder_parcel_new();
	const char *label = NULL;

	answer.status = binder_object_transact(service, CODE_GET_LABEL, NULL, reply, 0);
	if (answer.status == 0)
		answer.status = binder_parcel_read_string8(reply, &label);
	if (answer.status == 0 && label)
		snprintf(answer.label, sizeof(answer.label), "%s", label);
	answer.none = answer.status == 0 && !label;
	binder_parcel_free(reply);
	return answer;
}

static struct label_answer thread_answer;

static void *get_label_thread(void *service)
{
	thread_answer = call_get_label(service);
	return NULL;
}

/* What the unprivileged child saw. */
struct unprivileged_report {
	int stage; /* how far it got: 4 when it did everything */
	int set_status;
	struct label_answer before, after;
};

/* In a child: becomes uid/gid 65534, opens its own context once told the
 * manager is there, and tries to set a label. */
static void unprivileged_child(int go, int report_fd)
{
	struct unprivileged_report report = {0};
	binder_context *context;
	binder_object *service;
	char byte;

	alarm(30);
	if (read(go, &byte, 1) != 1)
		_exit(2);
	if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
	    setresuid(65534, 65534, 65534) != 0)
		goto done;
	report.stage = 1;
	if (binder_context_new(NULL, &context) != 0)
		goto done;
	report.stage = 2;
	if (binder_context_manager(context, &service) != 0)
		goto done;
	report.stage = 3;
	report.before = call_get_label(service);
	report.set_status = binder_context_set_security_context(context, "bridge:evil");
	report.after = call_get_label(service);
	report.stage = 4;
	binder_object_unref(service);
	binder_context_close(context);
	binder_context_unref(context);
done:
	if (write(report_fd, &report, sizeof(report)) != (ssize_t)sizeof(report))
		_exit(3);
	_exit(0);
}

Test(runtime, security_context_set_by_a_trusted_process, .timeout = 60)
{
	const char *device = binder_device_default_path();
	static const char *const bad_labels[] = {
	        "",        "bridge:\x01", "bridge:host\n", "tab\there",
	        "del\x7f", "caf\xc3\xa9", "\x1b[0m",
	};
	char too_long[BINDER_LABEL_MAX + 2], longest[BINDER_LABEL_MAX + 1];
	struct stat device_status, directory_status;
	binder_context *service_context, *context, *other;
	binder_object *label_service, *service, *other_service;
	pthread_t thread;
	struct label_answer answer, original;
	struct unprivileged_report report;
	int go[2], report_pipe[2];
	char directory[4096];
	pid_t child = -1;
	bool binderd;

	cr_assert_eq(stat(device, &device_status), 0);
	binderd = S_ISSOCK(device_status.st_mode);
	/* Forked before any thread starts here; told to go once the service
	 * is the manager. binderd runs as root: only a root test can make a
	 * process binderd does not trust. */
	if (binderd && geteuid() == 0) {
		cr_assert_eq(pipe(go), 0);
		cr_assert_eq(pipe(report_pipe), 0);
		child = fork();
		cr_assert_geq(child, 0);
		if (child == 0) {
			close(go[1]);
			close(report_pipe[0]);
			unprivileged_child(go[0], report_pipe[1]);
		}
		close(go[0]);
		close(report_pipe[1]);
	}

	cr_assert_eq(binder_context_new(NULL, &service_context), 0);
	cr_assert_eq(binder_object_new_local(service_context, "test.ILabel", &label_ops, NULL,
	                                     &label_service),
	             0);
	cr_assert_eq(binder_object_request_security_context(label_service), 0);
	cr_assert_eq(binder_context_become_manager(service_context, label_service), 0);
	cr_assert_eq(binder_context_start_thread_pool(service_context), 0);

	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_manager(context, &service), 0);

	/* Bad labels: refused here, on either driver, and nothing changes. */
	memset(too_long, 'a', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	cr_assert_eq(binder_context_set_security_context(context, NULL), BINDER_BAD_VALUE);
	cr_assert_eq(binder_context_set_security_context(NULL, "bridge:hosta"), BINDER_BAD_VALUE);
	cr_assert_eq(binder_context_set_security_context(context, too_long), BINDER_BAD_VALUE);
	for (size_t i = 0; i < sizeof(bad_labels) / sizeof(bad_labels[0]); i++)
		cr_assert_eq(binder_context_set_security_context(context, bad_labels[i]),
		             BINDER_BAD_VALUE, "label %zu accepted", i);

	if (!binderd) {
		/* The kernel takes labels from the security module. */
		cr_assert_eq(binder_context_set_security_context(context, "bridge:hosta"),
		             BINDER_INVALID_OPERATION);
		goto out;
	}

	original = call_get_label(service);
	cr_assert_eq(original.status, 0, "%s", binder_status_to_string(original.status));
	cr_assert_not(original.none, "binderd gave no security context");

	cr_assert_eq(binder_context_set_security_context(context, "bridge:hosta"), 0);
	answer = call_get_label(service);
	cr_assert_eq(answer.status, 0, "%s", binder_status_to_string(answer.status));
	cr_assert_str_eq(answer.label, "bridge:hosta");
	/* The label is the context's: another of its threads carries it. */
	cr_assert_eq(pthread_create(&thread, NULL, get_label_thread, service), 0);
	cr_assert_eq(pthread_join(thread, NULL), 0);
	cr_assert_eq(thread_answer.status, 0, "%s", binder_status_to_string(thread_answer.status));
	cr_assert_str_eq(thread_answer.label, "bridge:hosta");
	/* Another context of the same program keeps its own label. */
	cr_assert_eq(binder_context_new(NULL, &other), 0);
	cr_assert_eq(binder_context_manager(other, &other_service), 0);
	answer = call_get_label(other_service);
	cr_assert_eq(answer.status, 0, "%s", binder_status_to_string(answer.status));
	cr_assert_str_eq(answer.label, original.label);
	binder_object_unref(other_service);
	binder_context_close(other);
	binder_context_unref(other);

	/* The longest label goes through whole; a bad one changes nothing. */
	memset(longest, 'x', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	cr_assert_eq(binder_context_set_security_context(context, longest), 0);
	answer = call_get_label(service);
	cr_assert_str_eq(answer.label, longest);
	cr_assert_eq(binder_context_set_security_context(context, "bridge:\x01"), BINDER_BAD_VALUE);
	answer = call_get_label(service);
	cr_assert_str_eq(answer.label, longest);
	cr_assert_eq(binder_context_set_security_context(context, "bridge:hosta"), 0);
	cr_assert_str_eq(call_get_label(service).label, "bridge:hosta");

	if (child > 0) {
		/* The child's socket lives in with_binderd.sh's private 0700
		 * directory: let uid 65534 through to it for the test. */
		const char *slash = strrchr(device, '/');
		bool opened = false;

		cr_assert_not_null(slash);
		snprintf(directory, sizeof(directory), "%.*s", (int)(slash - device), device);
		if (directory[0] == '\0')
			snprintf(directory, sizeof(directory), "/");
		cr_assert_eq(stat(directory, &directory_status), 0);
		if (!(directory_status.st_mode & S_IXOTH)) {
			cr_assert_eq(chmod(directory, (directory_status.st_mode & 07777) | S_IXOTH),
			             0);
			opened = true;
		}
		cr_assert_eq(write(go[1], "g", 1), 1);
		memset(&report, 0, sizeof(report));
		ssize_t got = read(report_pipe[0], &report, sizeof(report));
		if (opened)
			chmod(directory, directory_status.st_mode & 07777);
		close(go[1]);
		close(report_pipe[0]);
		waitpid(child, NULL, 0);
		child = -1;
		cr_assert_eq(got, (ssize_t)sizeof(report), "the unprivileged child did not report");
		cr_assert_eq(report.stage, 4, "the unprivileged child stopped at stage %d",
		             report.stage);
		cr_assert_eq(report.before.status, 0, "%s",
		             binder_status_to_string(report.before.status));
		cr_assert_eq(report.set_status, BINDER_PERMISSION_DENIED, "%s",
		             binder_status_to_string(report.set_status));
		cr_assert_eq(report.after.status, 0, "%s",
		             binder_status_to_string(report.after.status));
		cr_assert_not(report.after.none);
		cr_assert_str_eq(report.after.label, report.before.label,
		                 "a refused label changed the context");
		cr_assert_str_neq(report.after.label, "bridge:evil");
	}

out:
	if (child > 0) {
		close(go[1]);
		close(report_pipe[0]);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	binder_object_unref(service);
	binder_context_close(context);
	binder_context_unref(context);
	binder_object_unref(label_service);
	binder_context_close(service_context);
	binder_context_unref(service_context);
}

static int call_add(binder_object *target, int32_t a, int32_t b, binder_parcel *reply)
{
	binder_parcel *data = binder_parcel_new();
	int status;

	binder_parcel_write_int32(data, a);
	binder_parcel_write_int32(data, b);
	status = binder_object_transact(target, CODE_ADD, data, reply, 0);
	binder_parcel_free(data);
	return status;
}

Test(runtime, reply_readable_after_close, .timeout = 30)
{
	pid_t pid = start_manager_child();
	binder_context *context;
	binder_object *manager;
	binder_parcel *reply = binder_parcel_new();
	int32_t sum = 0;

	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_manager(context, &manager), 0);
	cr_assert_eq(call_add(manager, 4000, 242, reply), 0);
	cr_assert_eq(binder_context_close(context), 0);
	cr_assert_eq(binder_parcel_read_int32(reply, &sum), 0);
	cr_assert_eq(sum, 4242);
	cr_assert_eq(binder_object_ping(manager), BINDER_DEAD_OBJECT);
	binder_parcel_free(reply);
	binder_object_unref(manager);
	binder_context_unref(context);
	stop_child(pid);
}

/* Arrays of the borrowed-echo test: large ones that are borrowed (one of
 * an odd size, for the padding), one under the borrowing minimum (4 KiB)
 * and a fourth large one past the three a parcel borrows: those two are
 * copied when written. */
#define BORROWED_ARRAYS 5
static const size_t borrowed_sizes[BORROWED_ARRAYS] = {65536, 100003, 1000, 20480, 8192};
static const bool borrowed_copied_at_once[BORROWED_ARRAYS] = {false, false, true, false, true};

/* Sends the arrays borrowed from buffers, changes every buffer after the
 * write and before the call, and checks the echo: a borrowed array goes
 * out as it is at the call, one copied at once as it was written. */
static void echo_borrowed_arrays(binder_object *manager, bool with_object)
{
	binder_parcel *data = binder_parcel_new(), *reply = binder_parcel_new();
	uint8_t *buffers[BORROWED_ARRAYS];

	cr_assert_eq(binder_parcel_write_int32(data, BORROWED_ARRAYS), 0);
	cr_assert_eq(binder_parcel_write_int32(data, with_object), 0);
	for (int i = 0; i < BORROWED_ARRAYS; i++) {
		buffers[i] = malloc(borrowed_sizes[i]);
		cr_assert_not_null(buffers[i]);
		memset(buffers[i], 'a' + i, borrowed_sizes[i]);
		cr_assert_eq(binder_parcel_write_byte_array_borrowed(data, buffers[i],
		                                                     borrowed_sizes[i]),
		             0);
	}
	if (with_object)
		cr_assert_eq(binder_parcel_write_object(data, manager), 0);
	for (int i = 0; i < BORROWED_ARRAYS; i++)
		memset(buffers[i] + borrowed_sizes[i] / 2, 'A' + i,
		       borrowed_sizes[i] - borrowed_sizes[i] / 2);

	cr_assert_eq(binder_object_transact(manager, CODE_ECHO_BORROWED, data, reply, 0), 0);
	for (int i = 0; i < BORROWED_ARRAYS; i++) {
		const uint8_t *echoed;
		size_t length, half = borrowed_sizes[i] / 2;
		int32_t index = -1;

		cr_assert_eq(binder_parcel_read_int32(reply, &index), 0);
		cr_assert_eq(index, i);
		cr_assert_eq(binder_parcel_read_byte_array(reply, (const void **)&echoed, &length),
		             0);
		cr_assert_eq(length, borrowed_sizes[i]);
		for (size_t at = 0; at < length; at++) {
			uint8_t expected =
			        at >= half && !borrowed_copied_at_once[i] ? 'A' + i : 'a' + i;
			cr_assert_eq(echoed[at], expected, "array %d byte %zu: %#x, not %#x", i, at,
			             echoed[at], expected);
		}
	}
	if (with_object) {
		binder_object *object = NULL;

		cr_assert_eq(binder_parcel_read_object(reply, &object), 0);
		cr_assert_eq(object, manager);
		binder_object_unref(object);
	}
	int32_t end = 0;
	cr_assert_eq(binder_parcel_read_int32(reply, &end), 0);
	cr_assert_eq(end, END_MARK);
	cr_assert_eq(binder_parcel_data_available(reply), 0);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	for (int i = 0; i < BORROWED_ARRAYS; i++)
		free(buffers[i]);
}

Test(runtime, borrowed_byte_arrays_both_ways, .timeout = 30)
{
	pid_t pid = start_manager_child();
	binder_context *context;
	binder_object *manager;

	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_manager(context, &manager), 0);
	for (int round = 0; round < 20; round++)
		echo_borrowed_arrays(manager, round % 2 == 1);
	binder_object_unref(manager);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
	stop_child(pid);
}

Test(runtime, polling_thread_may_close, .timeout = 30)
{
	binder_context *context;
	int fd = -1;

	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_poll_fd(context, &fd), 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
}

static atomic_int unlinked_deaths;
static atomic_int sentinel_deaths;

static void on_unlinked_death(binder_object *who, void *cookie)
{
	(void)who;
	(void)cookie;
	atomic_fetch_add(&unlinked_deaths, 1);
}

static void on_sentinel_death(binder_object *who, void *cookie)
{
	(void)who;
	(void)cookie;
	atomic_fetch_add(&sentinel_deaths, 1);
}

Test(runtime, unlink_after_a_dead_object_status, .timeout = 30)
{
	/* A handler's BINDER_DEAD_OBJECT status is not a death: the proxy
	 * stays alive and can be unlinked; the real death then does not call
	 * the unlinked recipient. A sentinel linked after the unlink shows
	 * that the death has been delivered: recipients are called in the
	 * order they were linked, so once the sentinel has run, a recipient
	 * still (wrongly) linked before it has been called too. */
	pid_t pid = start_manager_child();
	binder_context *context;
	binder_object *manager;

	atomic_store(&unlinked_deaths, 0);
	atomic_store(&sentinel_deaths, 0);
	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_start_thread_pool(context), 0);
	cr_assert_eq(binder_context_manager(context, &manager), 0);
	cr_assert_eq(binder_object_link_to_death(manager, on_unlinked_death, NULL), 0);
	cr_assert_eq(binder_object_transact(manager, CODE_DEAD_STATUS, NULL, NULL, 0),
	             BINDER_DEAD_OBJECT);
	cr_assert(binder_object_is_alive(manager));
	cr_assert_eq(binder_object_ping(manager), 0);
	cr_assert_eq(binder_object_unlink_to_death(manager, on_unlinked_death, NULL), 0);
	cr_assert_eq(binder_object_link_to_death(manager, on_sentinel_death, NULL), 0);
	stop_child(pid);
	for (int waited = 0; waited < 1000 && atomic_load(&sentinel_deaths) == 0; waited++)
		usleep(10000);
	cr_assert_eq(atomic_load(&sentinel_deaths), 1, "the death was not delivered");
	cr_assert_eq(atomic_load(&unlinked_deaths), 0, "an unlinked recipient was called");
	binder_object_unref(manager);
	binder_context_close(context);
	binder_context_unref(context);
}

Test(runtime, positive_status_is_an_error, .timeout = 30)
{
	/* The child replies with a status-only reply (TF_STATUS_CODE) of 7:
	 * a failure, whose status stays readable. A local object's handler
	 * returning the same is reported the same way. */
	pid_t pid = start_manager_child();
	binder_context *context;
	binder_object *manager, *local;
	binder_parcel *reply = binder_parcel_new();

	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_manager(context, &manager), 0);
	cr_assert_eq(binder_object_transact(manager, CODE_POSITIVE_STATUS, NULL, reply, 0),
	             BINDER_POSITIVE_STATUS);
	cr_assert_eq(binder_last_positive_status(), POSITIVE_STATUS);
	cr_assert_eq(binder_parcel_data_size(reply), 0);
	cr_assert_str_eq(binder_status_to_string(BINDER_POSITIVE_STATUS), "positive status");
	/* Other statuses are unchanged; the object is alive. */
	cr_assert_eq(binder_object_transact(manager, CODE_DEAD_STATUS, NULL, reply, 0),
	             BINDER_DEAD_OBJECT);
	cr_assert_eq(binder_object_ping(manager), 0);

	cr_assert_eq(binder_object_new_local(context, "test.ILocal", &service_ops, NULL, &local),
	             0);
	cr_assert_eq(binder_object_transact(local, CODE_POSITIVE_STATUS, NULL, reply, 0),
	             BINDER_POSITIVE_STATUS);
	cr_assert_eq(binder_last_positive_status(), POSITIVE_STATUS);

	binder_parcel_free(reply);
	binder_object_unref(local);
	binder_object_unref(manager);
	binder_context_close(context);
	binder_context_unref(context);
	stop_child(pid);
}

static atomic_int destroyed;

static void count_destroy(void *user_data)
{
	(void)user_data;
	atomic_fetch_add(&destroyed, 1);
}

static int count_threads(void)
{
	DIR *tasks = opendir("/proc/self/task");
	struct dirent *entry;
	int count = 0;

	cr_assert_not_null(tasks);
	while ((entry = readdir(tasks)))
		if (entry->d_name[0] != '.')
			count++;
	closedir(tasks);
	return count;
}

Test(runtime, context_closes_when_the_library_drops_the_last_reference, .timeout = 30)
{
	/* The user lets go of everything while the child still holds our
	 * object; when the child drops it, a pool thread frees the object
	 * and with it the context's last reference: the context closes and
	 * its threads end. */
	pid_t pid = start_manager_child();
	struct binder_local_ops ops = {.transact = service_transact, .destroy = count_destroy};
	binder_context *context, *other;
	binder_object *manager, *object;
	binder_parcel *data = binder_parcel_new();
	int baseline = count_threads(), waited;

	atomic_store(&destroyed, 0);
	cr_assert_eq(binder_context_new(NULL, &context), 0);
	cr_assert_eq(binder_context_start_thread_pool(context), 0);
	cr_assert_eq(binder_context_manager(context, &manager), 0);
	cr_assert_eq(binder_object_new_local(context, "test.IHeld", &ops, NULL, &object), 0);
	binder_parcel_write_object(data, object);
	cr_assert_eq(binder_object_transact(manager, CODE_HOLD, data, NULL, 0), 0);
	binder_parcel_free(data);
	binder_object_unref(object);
	binder_object_unref(manager);
	binder_context_unref(context);
	cr_assert_gt(count_threads(), baseline, "the pool is gone too early");
	cr_assert_eq(atomic_load(&destroyed), 0);

	/* Another context tells the child to drop it (holds null instead). */
	cr_assert_eq(binder_context_new(NULL, &other), 0);
	cr_assert_eq(binder_context_manager(other, &manager), 0);
	data = binder_parcel_new();
	binder_parcel_write_object(data, NULL);
	cr_assert_eq(binder_object_transact(manager, CODE_HOLD, data, NULL, 0), 0);
	binder_parcel_free(data);
	for (waited = 0;
	     waited < 2000 && (atomic_load(&destroyed) == 0 || count_threads() > baseline);
	     waited++)
		usleep(10000);
	cr_assert_eq(atomic_load(&destroyed), 1, "the object was not freed");
	cr_assert_eq(count_threads(), baseline, "the context's threads did not end");
	binder_object_unref(manager);
	binder_context_close(other);
	binder_context_unref(other);
	stop_child(pid);
}
