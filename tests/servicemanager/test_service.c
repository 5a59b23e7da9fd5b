/*
 * test_service.c - a service process for the servicemanager tests:
 *   servicemanager_test_service NAME [DELAY_MS]
 * waits DELAY_MS, opens the default binder device, adds a local object
 * ("test.IEcho": code 1 answers its int32 argument plus one) under NAME,
 * prints "added" (or the failure) on stdout, and serves until it is
 * killed, its parent dies, or the device goes away.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>

#include <binder/binder.h>
#include <binder/service_manager.h>

static int echo_transact(binder_object *self, uint32_t code, binder_parcel *data,
                         binder_parcel *reply, const struct binder_caller *caller, void *user_data)
{
	(void)self;
	(void)caller;
	(void)user_data;
	if (code != 1)
		return BINDER_UNKNOWN_TRANSACTION;
	int32_t value;
	int status = binder_parcel_read_int32(data, &value);
	if (status == 0)
		status = binder_parcel_write_int32(reply, value + 1);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: servicemanager_test_service NAME [DELAY_MS]\n");
		return 2;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	long delay_ms = argc == 3 ? strtol(argv[2], NULL, 10) : 0;
	if (delay_ms > 0) {
		struct timespec pause = {.tv_sec = delay_ms / 1000,
		                         .tv_nsec = (delay_ms % 1000) * 1000000};
		nanosleep(&pause, NULL);
	}
	binder_context *context;
	int status = binder_context_new(NULL, &context);
	if (status) {
		printf("open: %s\n", binder_status_to_string(status));
		return 1;
	}
	static const struct binder_local_ops ops = {.transact = echo_transact};
	binder_object *service;
	status = binder_object_new_local(context, "test.IEcho", &ops, NULL, &service);
	if (status == 0)
		status = binder_service_manager_add(context, argv[1], service);
	if (status) {
		printf("add: %s\n", binder_status_to_string(status));
		fflush(stdout);
		binder_context_unref(context);
		return 1;
	}
	printf("added\n");
	fflush(stdout);
	status = binder_context_join_thread_pool(context);
	binder_object_unref(service);
	binder_context_unref(context);
	return status ? 1 : 0;
}
