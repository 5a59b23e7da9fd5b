/*
 * test_service_killed.c - a service killed with SIGKILL while a client
 * waits in a call to it: the client's death recipient fires, the pending
 * call fails with BINDER_DEAD_OBJECT, later calls too, and servicemanager
 * forgets the name.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <binder/parcel.h>
#include <binder/service_manager.h>

#include "latch.h"
#include "protocol.h"
#include "spawn.h"
#include "test_support.h"

#define DEATH_WAIT_MS  20000
#define FORGET_WAIT_MS 20000

struct pending_call {
	binder_object *blocker;
	int entered_fd; /* the peer writes a byte here when the call arrives */
	int status;
	struct latch done;
};

static void *call_blocker(void *argument)
{
	struct pending_call *call = argument;
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = binder_parcel_write_interface_token(data, BLOCKER_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_fd(data, call->entered_fd);
	if (status == 0)
		status = binder_object_transact(call->blocker, BLOCKER_BLOCK, data, reply, 0);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	call->status = status;
	latch_raise(&call->done);
	return NULL;
}

static void count_death(binder_object *who, void *cookie)
{
	(void)who;
	latch_raise(cookie);
}

Test(integration, service_killed, .timeout = 120)
{
	pid_t peer = start_peer("blocker", "blocker", NULL);
	binder_context *context = open_test_context();
	binder_object *blocker = get_test_service(context, "blocker");
	struct latch deaths;
	latch_init(&deaths);
	cr_assert_eq(binder_object_link_to_death(blocker, count_death, &deaths), 0);

	/* A call that blocks in the service: wait until it is in there. */
	int entered[2];
	cr_assert_eq(pipe2(entered, O_CLOEXEC), 0);
	struct pending_call call = {.blocker = blocker, .entered_fd = entered[1], .status = 1};
	latch_init(&call.done);
	pthread_t caller;
	cr_assert_eq(pthread_create(&caller, NULL, call_blocker, &call), 0);
	struct pollfd in_call = {.fd = entered[0], .events = POLLIN};
	cr_assert_eq(poll(&in_call, 1, 30000), 1, "the blocking call did not reach the service");

	cr_assert_eq(kill(peer, SIGKILL), 0);
	int wait_status = 0;
	cr_assert_eq(wait_for_exit(peer, 10000, &wait_status), 0);
	cr_assert(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL);

	/* The pending call fails with a dead-object status. */
	cr_assert(latch_wait(&call.done, 1, DEATH_WAIT_MS), "the pending call did not return");
	pthread_join(caller, NULL);
	cr_assert_eq(call.status, BINDER_DEAD_OBJECT, "the pending call returned %s",
	             binder_status_to_string(call.status));

	/* The death recipient fired, once. */
	cr_assert(latch_wait(&deaths, 1, DEATH_WAIT_MS), "no death notification");
	cr_assert_not(binder_object_is_alive(blocker));
	cr_assert_eq(binder_object_ping(blocker), BINDER_DEAD_OBJECT);
	cr_assert_eq(binder_object_unlink_to_death(blocker, count_death, &deaths),
	             BINDER_DEAD_OBJECT);

	/* servicemanager forgets the name. */
	long long deadline = monotonic_ms() + FORGET_WAIT_MS;
	int status;
	for (;;) {
		binder_object *found = NULL;
		status = binder_service_manager_check(context, "blocker", &found);
		binder_object_unref(found);
		if (status != 0 || monotonic_ms() > deadline)
			break;
		struct timespec pause = {.tv_nsec = 20 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
	cr_assert_eq(status, BINDER_NAME_NOT_FOUND, "checkService(blocker) after its death: %s",
	             binder_status_to_string(status));
	cr_assert_eq(latch_count(&deaths), 1);

	close(entered[0]);
	close(entered[1]);
	binder_object_unref(blocker);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
	latch_destroy(&deaths);
	latch_destroy(&call.done);
}
