/*
 * whoami_service.c - a test service for bridged's caller identity: it asks
 * for its callers' security contexts and answers code 1 with what the
 * driver told it of the caller: a String16 security context ("" when
 * none) and an int32 euid. Serves "whoami" (or argv[1]) until SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "binder/binder.h"
#include "binder/service_manager.h"

static int whoami_transact(binder_object *self, uint32_t code, binder_parcel *data,
                           binder_parcel *reply, const struct binder_caller *caller,
                           void *user_data)
{
	(void)self;
	(void)data;
	(void)user_data;
	if (code != 1)
		return BINDER_UNKNOWN_TRANSACTION;
	int status = binder_parcel_write_string16(
	        reply, caller->security_context ? caller->security_context : "");
	if (status == 0)
		status = binder_parcel_write_int32(reply, (int32_t)caller->euid);
	return status;
}

int main(int argc, char **argv)
{
	static const struct binder_local_ops ops = {.transact = whoami_transact};
	const char *name = argc > 1 ? argv[1] : "whoami";
	binder_context *context;
	binder_object *object;
	sigset_t signals;
	int signal_number;

	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	if (binder_context_new(NULL, &context) != 0 ||
	    binder_object_new_local(context, "IWhoAmI", &ops, NULL, &object) != 0 ||
	    binder_object_request_security_context(object) != 0 ||
	    binder_context_start_thread_pool(context) != 0 ||
	    binder_service_manager_add(context, name, object) != 0) {
		fprintf(stderr, "whoami_service: cannot serve %s\n", name);
		return 1;
	}
	fprintf(stderr, "whoami_service: \"%s\" is ready\n", name);
	sigwait(&signals, &signal_number);
	binder_context_close(context);
	binder_object_unref(object);
	binder_context_unref(context);
	return 0;
}
