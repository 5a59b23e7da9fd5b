/*
 * probe_client_proxies.c - the probe client's commands about proxies:
 * oneway (numbered oneway calls that must keep their order) and watch
 * (proxies that must die, once each, or live on). probe_client.c
 * describes each.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <binder/binder.h>
#include <binder/parcel.h>
#include <binder/service_manager.h>

#include "calculator.h"
#include "probe.h"
#include "probe_nest.h"
#include "probe_client.h"

/* ---- oneway ---- */

/* SEQUENCE_STATE: received, out of order, last. */
static int sequence_state(binder_object *service, int32_t *received, int32_t *out_of_order,
                          int32_t *last)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = data && reply ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, PROBE_DESCRIPTOR);
	if (status == 0)
		status = transact_bounded(service, PROBE_SEQUENCE_STATE, data, reply);
	if (status == 0)
		status = binder_parcel_read_int32(reply, received);
	if (status == 0)
		status = binder_parcel_read_int32(reply, out_of_order);
	if (status == 0)
		status = binder_parcel_read_int32(reply, last);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

static int sequence_send(binder_object *service, int32_t n)
{
	binder_parcel *data = binder_parcel_new();
	int status = data ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, PROBE_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_int32(data, n);
	if (status == 0) {
		alarm(call_timeout_s);
		status = binder_object_transact(service, PROBE_SEQUENCE, data, NULL,
		                                BINDER_FLAG_ONEWAY);
		alarm(0);
	}
	binder_parcel_free(data);
	return status;
}

static int64_t monotonic_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec pause = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L};
	while (nanosleep(&pause, &pause) < 0 && errno == EINTR)
		;
}

/* COUNT oneway calls in a row to one node must arrive, all, in order. */
int command_oneway(binder_context *context, int argc, char **argv)
{
	long count, not_sent = 0;
	if (argc != 2 || !parse_number(argv[1], 1, MAX_COUNT, &count))
		return usage();
	binder_object *service = NULL;
	int32_t received0 = 0, out_of_order0 = 0, last = 0;
	int32_t received = 0, out_of_order = 0, ignored;
	int status = lookup(context, argv[0], &service);
	if (status == 0)
		status = sequence_state(service, &received0, &out_of_order0, &last);
	if (status != 0) {
		fprintf(stderr, "oneway: %s: %s\n", argv[0], binder_status_to_string(status));
		binder_object_unref(service);
		return 1;
	}
	for (long i = 1; i <= count; i++) {
		status = sequence_send(service, last + (int32_t)i);
		if (status != 0 && ++not_sent <= PASS_MAX_FAILURE_LINES)
			printf("call %ld: not sent: %s\n", i, binder_status_to_string(status));
	}
	/* Whatever comes, comes within the call timeout. */
	int64_t deadline = monotonic_ms() + (int64_t)call_timeout_s * 1000;
	for (;;) {
		status = sequence_state(service, &received, &out_of_order, &ignored);
		received -= received0;
		out_of_order -= out_of_order0;
		if (status != 0 || received >= count - not_sent || monotonic_ms() >= deadline)
			break;
		sleep_ms(SEQUENCE_POLL_MS);
	}
	binder_object_unref(service);
	if (status != 0) {
		printf("oneway: state: failed: %s\n", binder_status_to_string(status));
		return 1;
	}
	if (not_sent)
		printf("oneway: %ld calls not sent\n", not_sent);
	printf("oneway: %d of %ld received, %d out of order\n", received, count, out_of_order);
	return received == count && out_of_order == 0 && not_sent == 0 ? 0 : 1;
}

/* ---- watch ---- */

struct watched {
	const char *name;
	bool must_die;
	bool kept; /* NAME/kept: an IBridgeProbeObject, else a probe service */
	binder_object *proxy;
	int deaths; /* watch_lock */
};

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_changed;

static void watched_died(binder_object *who, void *cookie)
{
	struct watched *watched = cookie;
	(void)who;
	pthread_mutex_lock(&watch_lock);
	watched->deaths++;
	pthread_cond_broadcast(&watch_changed);
	pthread_mutex_unlock(&watch_lock);
}

/* watch_lock held. */
static bool all_died(const struct watched *watched, int count)
{
	for (int i = 0; i < count; i++)
		if (watched[i].must_die && watched[i].deaths == 0)
			return false;
	return true;
}

/* watched->name is NAME (the service) or NAME/kept (the object NAME's
 * RETURN_KEPT gives): its proxy. */
static int watch_lookup(binder_context *context, struct watched *watched)
{
	const char *slash = strchr(watched->name, '/');
	if (!slash)
		return lookup(context, watched->name, &watched->proxy);
	if (strcmp(slash + 1, WATCH_KEPT_SUFFIX) != 0)
		return BINDER_BAD_VALUE;
	char *name = strndup(watched->name, (size_t)(slash - watched->name));
	binder_object *service = NULL;
	binder_parcel *reply = binder_parcel_new();
	int status = name && reply ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = lookup(context, name, &service);
	if (status == 0)
		status = probe_call(service, PROBE_RETURN_KEPT, NULL, reply);
	if (status == 0)
		status = binder_parcel_read_object(reply, &watched->proxy);
	if (status == 0 && !watched->proxy)
		status = BINDER_BAD_VALUE;
	watched->kept = true;
	binder_object_unref(service);
	binder_parcel_free(reply);
	free(name);
	return status;
}

/* A call that must work while the object lives: ECHO or COUNT. */
static int watch_call(const struct watched *watched)
{
	int32_t answer = 0, tag = 0;
	if (!watched->kept)
		return count_once(watched->proxy, &answer);
	int status = echo_once(watched->proxy, 1, &answer, &tag);
	return status == 0 && answer != 2 ? BINDER_BAD_VALUE : status;
}

int command_watch(binder_context *context, int argc, char **argv)
{
	/* Static: death handlers may run until the context is closed. */
	static struct watched watched[MAX_WATCHED];
	long seconds;
	int count = 0, status = 0;
	bool alive = false;
	if (argc < 2 || !parse_number(argv[0], 1, MAX_WATCH_SECONDS, &seconds))
		return usage();
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--alive") == 0 && !alive) {
			alive = true;
			continue;
		}
		if (count == MAX_WATCHED)
			return usage();
		watched[count++] = (struct watched){.name = argv[i], .must_die = !alive};
	}
	pthread_condattr_t attributes;
	pthread_condattr_init(&attributes);
	pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
	pthread_cond_init(&watch_changed, &attributes);
	pthread_condattr_destroy(&attributes);

	/* Deaths come on binder threads. */
	status = binder_context_start_thread_pool(context);
	for (int i = 0; i < count && status == 0; i++) {
		status = watch_lookup(context, &watched[i]);
		if (status == 0)
			status = binder_object_link_to_death(watched[i].proxy, watched_died,
			                                     &watched[i]);
		if (status != 0)
			fprintf(stderr, "watch: %s: %s\n", watched[i].name,
			        binder_status_to_string(status));
	}
	if (status != 0) {
		binder_context_close(context);
		for (int i = 0; i < count; i++)
			binder_object_unref(watched[i].proxy);
		return 1;
	}
	printf("watching\n");
	fflush(stdout);

	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += seconds;
	pthread_mutex_lock(&watch_lock);
	while (!all_died(watched, count) &&
	       pthread_cond_timedwait(&watch_changed, &watch_lock, &deadline) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&watch_lock);
	/* A second notification, which must not come, would come now. */
	sleep_ms(DEATH_SETTLE_MS);

	int exit_status = 0;
	for (int i = 0; i < count; i++) {
		int call = watch_call(&watched[i]);
		pthread_mutex_lock(&watch_lock);
		int deaths = watched[i].deaths;
		pthread_mutex_unlock(&watch_lock);
		printf("watch %s: %d death notifications, call: %s\n", watched[i].name, deaths,
		       call == 0 ? "ok" : binder_status_to_string(call));
		if (watched[i].must_die ? deaths != 1 || call != BINDER_DEAD_OBJECT
		                        : deaths != 0 || call != 0)
			exit_status = 1;
	}
	binder_context_close(context);
	for (int i = 0; i < count; i++)
		binder_object_unref(watched[i].proxy);
	return exit_status;
}
