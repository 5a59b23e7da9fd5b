/* peer_common.c - what integration_peer's roles share: signals, opening a
 * context, serving one object until SIGTERM (see peer.h). */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>

#include <binder/service_manager.h>

#include "peer.h"

static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
}

void peer_block_stop_signals(void)
{
	sigset_t set;
	stop_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void peer_wait_for_stop(void)
{
	sigset_t set;
	stop_signals(&set);
	int signal_number;
	sigwait(&set, &signal_number);
}

void peer_log(const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	fprintf(stderr, "integration_peer: ");
	vfprintf(stderr, format, arguments);
	fprintf(stderr, "\n");
	va_end(arguments);
}

int peer_open_context(size_t area_size, binder_context **out)
{
	struct binder_context_options options;
	binder_context_options_init(&options);
	if (area_size != 0)
		options.area_size = area_size;
	binder_context *context;
	int status = binder_context_new(&options, &context);
	if (status != 0) {
		peer_log("cannot open the device: %s", binder_status_to_string(status));
		return status;
	}
	status = binder_context_start_thread_pool(context);
	if (status != 0) {
		peer_log("cannot start the thread pool: %s", binder_status_to_string(status));
		binder_context_unref(context);
		return status;
	}
	*out = context;
	return 0;
}

int peer_serve(const struct peer_service *service)
{
	binder_context *context;
	int status = peer_open_context(service->area_size, &context);
	if (status != 0)
		return status;
	const struct binder_local_ops ops = {.transact = service->transact};
	binder_object *object = NULL;
	status = binder_object_new_local(context, service->descriptor, &ops, service->user_data,
	                                 &object);
	if (status == 0)
		status = binder_service_manager_add(context, service->name, object);
	if (status == 0)
		peer_wait_for_stop();
	else
		peer_log("cannot serve %s: %s", service->name, binder_status_to_string(status));
	int close_status = binder_context_close(context);
	if (close_status != 0)
		peer_log("closing the context: %s", binder_status_to_string(close_status));
	binder_object_unref(object);
	binder_context_unref(context);
	return status == 0 ? close_status : status;
}
