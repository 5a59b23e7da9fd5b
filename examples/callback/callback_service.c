/*
 * callback_service.c - the service half of the callback example: IWorker,
 * registered as "worker", calls back the IListener its client passes (see
 * callback_interfaces.h).
 *
 *     callback_service [NAME]
 *
 * Unlike the calculator, this service runs its own event loop instead of a
 * thread pool: one thread polls the binder context's fd next to a signalfd
 * for SIGTERM and SIGINT, and handles binder work when there is some. This
 * is how a program that already has a poll/epoll/libevent loop serves
 * binder calls without extra threads.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <binder/binder.h>
#include <binder/device.h>
#include <binder/parcel.h>
#include <binder/service_manager.h>

#include "callback_interfaces.h"

#define PROGRAM "callback_service"

/* A servicemanager call that fails with BINDER_DEAD_OBJECT found nobody
 * serving handle 0 on the device: servicemanager is not running there. */
static void print_no_context_manager(void)
{
	fprintf(stderr, "%s: no context manager on %s (is servicemanager running?)\n", PROGRAM,
	        binder_device_default_path());
}

/*
 * listener.onProgress(step, total): a two-way call on the client's object.
 * Returns 0 and *keep_going, or the status of the failed call (for
 * example BINDER_DEAD_OBJECT when the client died meanwhile).
 */
static int call_on_progress(binder_object *listener, int32_t step, int32_t total, bool *keep_going)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = data != NULL && reply != NULL ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, LISTENER_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_int32(data, step);
	if (status == 0)
		status = binder_parcel_write_int32(data, total);
	if (status == 0)
		status = binder_object_transact(listener, LISTENER_ON_PROGRESS, data, reply, 0);
	int32_t exception = BINDER_EX_NONE;
	if (status == 0)
		status = binder_parcel_read_exception(reply, &exception, NULL, NULL);
	if (status == 0 && exception != BINDER_EX_NONE)
		status = BINDER_FAILED_TRANSACTION; /* the listener threw */
	if (status == 0)
		status = binder_parcel_read_bool(reply, keep_going);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

/* listener.onFinished(result): oneway, so transact returns as soon as the
 * driver has queued the call; there is no reply. */
static int call_on_finished(binder_object *listener, int32_t result)
{
	binder_parcel *data = binder_parcel_new();
	int status = data != NULL ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, LISTENER_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_int32(data, result);
	if (status == 0)
		status = binder_object_transact(listener, LISTENER_ON_FINISHED, data, NULL,
		                                BINDER_FLAG_ONEWAY);
	binder_parcel_free(data);
	return status;
}

/* IWorker.sum(n, listener), after the token was checked. */
static int worker_sum(binder_parcel *data, binder_parcel *reply)
{
	int32_t n;
	int status = binder_parcel_read_int32(data, &n);
	if (status != 0)
		return status;
	/* The listener arrives as a proxy for the client's object. We hold a
	 * reference until we unref it: the client's object stays alive (in
	 * the client) that long. */
	binder_object *listener = NULL;
	status = binder_parcel_read_object(data, &listener);
	if (status != 0)
		return status;

	/* Bad arguments are answered with an exception, as AIDL services do. */
	if (listener == NULL)
		return binder_parcel_write_exception(reply, BINDER_EX_NULL_POINTER,
		                                     "listener is null", 0);
	if (n < 1 || n > WORKER_MAX_STEPS) {
		binder_object_unref(listener);
		return binder_parcel_write_exception(reply, BINDER_EX_ILLEGAL_ARGUMENT,
		                                     "n must be between 1 and 1000", 0);
	}

	int32_t sum = 0;
	bool keep_going = true;
	for (int32_t step = 1; step <= n && keep_going; step++) {
		sum += step;
		status = call_on_progress(listener, step, n, &keep_going);
		if (status != 0)
			break;
	}
	if (status == 0)
		status = call_on_finished(listener, sum);
	binder_object_unref(listener);

	if (status != 0) {
		fprintf(stderr, "callback_service: warning: calling the listener failed: %s\n",
		        binder_status_to_string(status));
		return binder_parcel_write_exception(reply, BINDER_EX_ILLEGAL_STATE,
		                                     "calling the listener failed", 0);
	}
	status = binder_parcel_write_no_exception(reply);
	if (status == 0)
		status = binder_parcel_write_int32(reply, sum);
	return status;
}

static int worker_transact(binder_object *self, uint32_t code, binder_parcel *data,
                           binder_parcel *reply, const struct binder_caller *caller,
                           void *user_data)
{
	(void)self;
	(void)caller;
	(void)user_data;
	if (code != WORKER_SUM)
		return BINDER_UNKNOWN_TRANSACTION;
	int status = binder_parcel_enforce_interface(data, WORKER_DESCRIPTOR);
	if (status != 0)
		return status;
	return worker_sum(data, reply);
}

/*
 * The event loop: waits for binder work or a stop signal. Returns 0 after
 * a signal, or a status when the binder side failed.
 */
static int run_event_loop(binder_context *context, int signal_fd)
{
	for (;;) {
		/* Ask for the fd before each poll: the context may change it. */
		int binder_fd;
		int status = binder_context_poll_fd(context, &binder_fd);
		if (status != 0)
			return status;
		struct pollfd fds[2] = {
		        {.fd = binder_fd, .events = POLLIN},
		        {.fd = signal_fd, .events = POLLIN},
		};
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (fds[1].revents != 0) {
			struct signalfd_siginfo info;
			if (read(signal_fd, &info, sizeof(info)) == (ssize_t)sizeof(info))
				fprintf(stderr, "callback_service: info: signal %u, stopping\n",
				        info.ssi_signo);
			return 0;
		}
		if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL))
			return BINDER_DEAD_OBJECT; /* binderd went away */
		if (fds[0].revents & POLLIN) {
			/* Runs the handlers of everything that is there, then
			 * returns without waiting. */
			status = binder_context_handle_polled_work(context);
			if (status != 0)
				return status;
		}
	}
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : WORKER_SERVICE_NAME;
	if (argc > 2) {
		fprintf(stderr, "usage: callback_service [NAME]\n");
		return 2;
	}

	/* SIGTERM and SIGINT become readable events on a signalfd. */
	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);
	int signal_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
	if (signal_fd < 0) {
		perror("callback_service: error: signalfd");
		return 1;
	}

	/* max_threads 0: libbinder starts no threads of its own; our loop is
	 * the only binder thread of this process. */
	struct binder_context_options options;
	binder_context_options_init(&options);
	options.max_threads = 0;
	binder_context *context;
	int status = binder_context_new(&options, &context);
	if (status != 0) {
		fprintf(stderr, "callback_service: error: cannot open the binder device: %s\n",
		        binder_status_to_string(status));
		close(signal_fd);
		return 1;
	}

	const struct binder_local_ops worker_ops = {.transact = worker_transact};
	binder_object *worker = NULL;
	status = binder_object_new_local(context, WORKER_DESCRIPTOR, &worker_ops, NULL, &worker);
	bool reported = false;
	if (status == 0) {
		status = binder_service_manager_add(context, name, worker);
		if (status == BINDER_DEAD_OBJECT) {
			print_no_context_manager();
			reported = true;
		}
	}
	if (status == 0) {
		fprintf(stderr, "callback_service: info: \"%s\" is ready\n", name);
		status = run_event_loop(context, signal_fd);
	}
	if (status != 0 && !reported)
		fprintf(stderr, "callback_service: error: %s\n", binder_status_to_string(status));

	binder_context_close(context);
	binder_object_unref(worker);
	binder_context_unref(context);
	close(signal_fd);
	return status == 0 ? 0 : 1;
}
