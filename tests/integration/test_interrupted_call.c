/*
 * test_interrupted_call.c - closing a context while one of its threads
 * waits in a call: the call must not return before binderd has taken its
 * request. binderd reads a large payload straight from the caller's memory
 * (direct reads) when it handles the request; a caller that went on
 * earlier could change that memory first, and the service would get other
 * bytes than were sent (bridge_link_cut saw a garbled status that way).
 *
 * binderd is stopped (SIGSTOP) with the call in its socket; the context is
 * closed meanwhile; the caller must still be waiting when binderd goes on
 * (SIGCONT), and the service must never see the bytes the caller writes
 * over its payload once its call has returned.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <binder/parcel.h>
#include <binder/service_manager.h>

#include "latch.h"
#include "test_support.h"

#define SERVICE_NAME "integration.interrupted"
#define CALL_CODE    1
/* Above what travels inside the request (16 KiB): read from our memory. */
#define PAYLOAD_SIZE     (96 * 1024)
#define SENT_BYTE        0x11
#define OVERWRITTEN_BYTE 0x22
#define WAIT_MS          20000
/* How long the caller must keep waiting while binderd is stopped. Well
 * under the device layer's grace for a stopped binderd (5 s). */
#define STILL_WAITING_MS 1000

static atomic_int seen_sent, seen_overwritten;

static int serve(binder_object *self, uint32_t code, binder_parcel *data, binder_parcel *reply,
                 const struct binder_caller *caller, void *user_data)
{
	const void *bytes = NULL;
	size_t length = 0;
	(void)self;
	(void)reply;
	(void)caller;
	(void)user_data;
	if (code != CALL_CODE || binder_parcel_read_byte_array(data, &bytes, &length) != 0 ||
	    length != PAYLOAD_SIZE)
		return 0;
	const unsigned char *first = bytes;
	if (first[0] == OVERWRITTEN_BYTE || first[length - 1] == OVERWRITTEN_BYTE)
		atomic_fetch_add(&seen_overwritten, 1);
	else
		atomic_fetch_add(&seen_sent, 1);
	return 0;
}

struct caller {
	binder_object *target;
	binder_parcel *request;
	unsigned char *payload;
	struct latch warmed_up, go;
	atomic_int returned;
	atomic_long thread_id;
	int status;
};

static int call(struct caller *caller)
{
	binder_parcel *reply = binder_parcel_new();
	int status = binder_object_transact(caller->target, CALL_CODE, caller->request, reply, 0);
	binder_parcel_free(reply);
	return status;
}

static void *caller_thread(void *argument)
{
	struct caller *caller = argument;
	atomic_store(&caller->thread_id, (long)syscall(SYS_gettid));
	/* A first call makes this thread's channel while binderd runs. */
	int warm_up = call(caller);
	latch_raise(&caller->warmed_up);
	if (warm_up != 0) {
		caller->status = warm_up;
		return NULL;
	}
	latch_wait(&caller->go, 1, WAIT_MS);
	caller->status = call(caller);
	/* Returned: the payload is ours again. */
	memset(caller->payload, OVERWRITTEN_BYTE, PAYLOAD_SIZE);
	atomic_store(&caller->returned, 1);
	return NULL;
}

static void *closer_thread(void *context)
{
	binder_context_close(context);
	return NULL;
}

/* The thread waits in poll() or ppoll(): it has sent its request. */
static bool waiting_in_poll(long thread_id)
{
	char path[64], text[64] = "";
	snprintf(path, sizeof(path), "/proc/self/task/%ld/syscall", thread_id);
	FILE *file = fopen(path, "r");
	if (!file)
		return false;
	bool read = fgets(text, sizeof(text), file) != NULL;
	fclose(file);
	long number = read ? strtol(text, NULL, 10) : -1;
#ifdef SYS_poll
	if (number == SYS_poll)
		return true;
#endif
	return number == SYS_ppoll;
}

static long long now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec * 1000LL + now.tv_nsec / 1000000;
}

static void pause_ms(long milliseconds)
{
	struct timespec pause = {.tv_sec = milliseconds / 1000,
	                         .tv_nsec = (milliseconds % 1000) * 1000000L};
	nanosleep(&pause, NULL);
}

Test(integration, interrupted_call_keeps_its_payload, .timeout = 120)
{
	const char *binderd_text = getenv("BINDERD_PID");
	cr_assert(binderd_text, "BINDERD_PID is not set (run under tests/with_services.sh)");
	pid_t binderd = (pid_t)atoi(binderd_text);

	/* The service: one thread, so that its calls run in order. */
	struct binder_context_options options;
	binder_context_options_init(&options);
	options.max_threads = 0;
	binder_context *service_context = NULL;
	cr_assert_eq(binder_context_new(&options, &service_context), 0);
	static const struct binder_local_ops ops = {.transact = serve};
	binder_object *service = NULL;
	cr_assert_eq(binder_object_new_local(service_context, "integration.IInterrupted", &ops,
	                                     NULL, &service),
	             0);
	cr_assert_eq(binder_service_manager_add(service_context, SERVICE_NAME, service), 0);
	cr_assert_eq(binder_context_start_thread_pool(service_context), 0);

	binder_context *client_context = NULL;
	cr_assert_eq(binder_context_new(NULL, &client_context), 0);
	struct caller caller = {.status = 1};
	cr_assert_eq(binder_service_manager_get(client_context, SERVICE_NAME, SERVICE_WAIT_MS,
	                                        &caller.target),
	             0);
	caller.request = binder_parcel_new();
	void *room = NULL;
	cr_assert_eq(binder_parcel_write_byte_array_in_place(caller.request, PAYLOAD_SIZE, &room),
	             0);
	caller.payload = room;
	memset(caller.payload, SENT_BYTE, PAYLOAD_SIZE);
	latch_init(&caller.warmed_up);
	latch_init(&caller.go);

	pthread_t caller_id, closer_id;
	cr_assert_eq(pthread_create(&caller_id, NULL, caller_thread, &caller), 0);
	cr_assert(latch_wait(&caller.warmed_up, 1, WAIT_MS), "the first call did not return");
	cr_assert_eq(caller.status, 1, "the first call failed: %d", caller.status);

	/* binderd stopped; the call goes out and waits in its socket. */
	cr_assert_eq(kill(binderd, SIGSTOP), 0);
	latch_raise(&caller.go);
	long long deadline = now_ms() + WAIT_MS;
	while (!waiting_in_poll(atomic_load(&caller.thread_id)) && now_ms() < deadline)
		pause_ms(10);
	bool sent = waiting_in_poll(atomic_load(&caller.thread_id));
	bool closer_started = false;
	if (sent)
		closer_started =
		        pthread_create(&closer_id, NULL, closer_thread, client_context) == 0;
	deadline = now_ms() + STILL_WAITING_MS;
	while (!atomic_load(&caller.returned) && now_ms() < deadline)
		pause_ms(10);
	bool returned_while_stopped = atomic_load(&caller.returned);
	kill(binderd, SIGCONT);

	cr_assert(sent, "the call never waited for binderd");
	cr_assert(closer_started);
	pthread_join(closer_id, NULL);
	pthread_join(caller_id, NULL);
	cr_expect(!returned_while_stopped,
	          "the call returned while binderd was stopped, before it took the request");
	cr_expect_neq(caller.status, 0, "a call of a closed context succeeded");

	/* Whatever the service got of that call, it has it before a later
	 * call of another context is answered (one service thread). */
	binder_context *check_context = NULL;
	cr_assert_eq(binder_context_new(NULL, &check_context), 0);
	binder_object *again = NULL;
	cr_assert_eq(
	        binder_service_manager_get(check_context, SERVICE_NAME, SERVICE_WAIT_MS, &again),
	        0);
	binder_parcel *small = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	cr_assert_eq(binder_object_transact(again, CALL_CODE + 1, small, reply, 0), 0);
	cr_expect_eq(atomic_load(&seen_overwritten), 0,
	             "the service got bytes the caller wrote after its call returned");
	cr_expect_geq(atomic_load(&seen_sent), 1, "the warm-up call never arrived");

	binder_parcel_free(small);
	binder_parcel_free(reply);
	binder_object_unref(again);
	binder_context_close(check_context);
	binder_context_unref(check_context);
	binder_parcel_free(caller.request);
	binder_object_unref(caller.target);
	binder_context_unref(client_context);
	binder_object_unref(service);
	binder_context_close(service_context);
	binder_context_unref(service_context);
	latch_destroy(&caller.warmed_up);
	latch_destroy(&caller.go);
}
