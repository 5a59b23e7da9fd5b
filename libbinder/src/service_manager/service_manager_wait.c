/*
 * service_manager_wait.c - binder_service_manager_get: the service now, or
 * wait a bounded time for it to be added.
 *
 * The wait registers a local IServiceCallback with servicemanager
 * (registerForNotifications), whose onRegistration wakes the waiting
 * thread at once; and because that callback can only run if some thread
 * serves the context (a pool, a joined thread, a poller), the waiting
 * thread also asks checkService every 50 ms. Either finds the service; a
 * context nobody serves simply gets the polling. If registration is
 * refused, polling alone does the job.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "binder/service_manager.h"
#include "service_manager_call.h"

#define SERVICE_CALLBACK_DESCRIPTOR      "android.os.IServiceCallback"
#define SERVICE_CALLBACK_ON_REGISTRATION 1u
/* How often the waiting thread asks checkService. */
#define POLL_INTERVAL_MS 50

/* What the callback object shares with the waiting thread. Freed by the
 * object's destroy, when servicemanager and the waiter have both let go. */
struct registration_waiter {
	pthread_mutex_t lock;
	pthread_cond_t found_changed;
	char *name;
	binder_object *found; /* referenced; NULL until onRegistration */
};

static void waiter_destroy(void *user_data)
{
	struct registration_waiter *waiter = user_data;
	binder_object_unref(waiter->found);
	free(waiter->name);
	pthread_mutex_destroy(&waiter->lock);
	pthread_cond_destroy(&waiter->found_changed);
	free(waiter);
}

/* IServiceCallback: oneway onRegistration(String name, IBinder binder). */
static int on_callback_transact(binder_object *self, uint32_t code, binder_parcel *data,
                                binder_parcel *reply, const struct binder_caller *caller,
                                void *user_data)
{
	(void)self;
	(void)reply;
	(void)caller;
	struct registration_waiter *waiter = user_data;
	if (code != SERVICE_CALLBACK_ON_REGISTRATION)
		return BINDER_UNKNOWN_TRANSACTION;
	int status = binder_parcel_enforce_interface(data, SERVICE_CALLBACK_DESCRIPTOR);
	if (status)
		return status;
	char *name = NULL;
	binder_object *object = NULL;
	status = binder_parcel_read_string16(data, &name);
	if (status == 0)
		status = binder_parcel_read_object(data, &object);
	if (status == 0 && name && object) {
		pthread_mutex_lock(&waiter->lock);
		if (!waiter->found && strcmp(name, waiter->name) == 0) {
			waiter->found = object;
			object = NULL;
			pthread_cond_broadcast(&waiter->found_changed);
		}
		pthread_mutex_unlock(&waiter->lock);
	}
	binder_object_unref(object);
	free(name);
	return status;
}

/* A local IServiceCallback waiting for name; NULL when out of memory. */
static binder_object *new_callback(binder_context *context, const char *name)
{
	struct registration_waiter *waiter = calloc(1, sizeof(*waiter));
	if (!waiter)
		return NULL;
	waiter->name = strdup(name);
	pthread_condattr_t attributes;
	pthread_condattr_init(&attributes);
	pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
	pthread_mutex_init(&waiter->lock, NULL);
	pthread_cond_init(&waiter->found_changed, &attributes);
	pthread_condattr_destroy(&attributes);
	if (!waiter->name) {
		waiter_destroy(waiter);
		return NULL;
	}
	static const struct binder_local_ops ops = {
	        .transact = on_callback_transact,
	        .destroy = waiter_destroy,
	};
	binder_object *callback = NULL;
	if (binder_object_new_local(context, SERVICE_CALLBACK_DESCRIPTOR, &ops, waiter,
	                            &callback) != 0) {
		waiter_destroy(waiter);
		return NULL;
	}
	return callback;
}

/* registerForNotifications / unregisterForNotifications(name, callback). */
static int call_with_callback(binder_context *context, enum binder_service_manager_method method,
                              const char *name, binder_object *callback)
{
	binder_parcel *data = service_manager_call_data(context);
	if (!data)
		return BINDER_NO_MEMORY;
	int status = binder_parcel_write_string16(data, name);
	if (status == 0)
		status = binder_parcel_write_object(data, callback);
	binder_parcel *reply = NULL;
	if (status == 0)
		status = service_manager_call(context, method, data, &reply);
	binder_parcel_free(reply);
	binder_parcel_free(data);
	return status;
}

static int64_t now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Waits up to wait_ms for the callback; returns what it found (a
 * reference) or NULL. */
static binder_object *wait_for_callback(binder_object *callback, int64_t wait_ms)
{
	struct registration_waiter *waiter = binder_object_user_data(callback);
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (wait_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&waiter->lock);
	while (!waiter->found) {
		if (pthread_cond_timedwait(&waiter->found_changed, &waiter->lock, &until) ==
		    ETIMEDOUT)
			break;
	}
	binder_object *found = waiter->found;
	waiter->found = NULL;
	pthread_mutex_unlock(&waiter->lock);
	return found;
}

static void sleep_ms(int64_t wait_ms)
{
	struct timespec pause = {.tv_sec = wait_ms / 1000, .tv_nsec = (wait_ms % 1000) * 1000000};
	while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
	}
}

int binder_service_manager_get(binder_context *context, const char *name, int timeout_ms,
                               binder_object **out)
{
	if (!context || !name || !out)
		return BINDER_BAD_VALUE;
	int status = binder_service_manager_check(context, name, out);
	if (status != BINDER_NAME_NOT_FOUND)
		return status;
	if (timeout_ms < 0)
		timeout_ms = BINDER_SERVICE_MANAGER_DEFAULT_WAIT_MS;
	if (timeout_ms == 0)
		return BINDER_NAME_NOT_FOUND;
	int64_t deadline = now_ms() + timeout_ms;

	binder_object *callback = new_callback(context, name);
	bool registered = false;
	if (callback) {
		status = call_with_callback(
		        context, BINDER_SERVICE_MANAGER_METHOD_REGISTER_FOR_NOTIFICATIONS, name,
		        callback);
		if (status == BINDER_BAD_VALUE) {
			/* Not a valid name: it can never appear. */
			binder_object_unref(callback);
			return status;
		}
		registered = status == 0;
	}

	binder_object *found = NULL;
	status = BINDER_NAME_NOT_FOUND;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			break;
		int64_t pause = left < POLL_INTERVAL_MS ? left : POLL_INTERVAL_MS;
		if (registered)
			found = wait_for_callback(callback, pause);
		else
			sleep_ms(pause);
		if (found) {
			status = 0;
			break;
		}
		status = binder_service_manager_check(context, name, &found);
		if (status != BINDER_NAME_NOT_FOUND)
			break;
	}
	if (registered)
		call_with_callback(context,
		                   BINDER_SERVICE_MANAGER_METHOD_UNREGISTER_FOR_NOTIFICATIONS, name,
		                   callback);
	binder_object_unref(callback);
	if (status == 0)
		*out = found;
	return status;
}
