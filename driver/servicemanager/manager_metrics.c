/* manager_metrics.c - servicemanager's Prometheus series and the counting
 * functions the handler calls (see manager_metrics.h). */
#include "manager_metrics.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "metrics.h"

/* Room for a uid in decimal. */
#define UID_TEXT_SIZE 16

/* The method label of each IServiceManager method; the last: unknown codes. */
static const char *const method_names[BINDER_SERVICE_MANAGER_METHOD_COUNT + 1] = {
        [BINDER_SERVICE_MANAGER_METHOD_GET_SERVICE] = "get_service",
        [BINDER_SERVICE_MANAGER_METHOD_GET_SERVICE2] = "get_service2",
        [BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE] = "check_service",
        [BINDER_SERVICE_MANAGER_METHOD_CHECK_SERVICE2] = "check_service2",
        [BINDER_SERVICE_MANAGER_METHOD_ADD_SERVICE] = "add_service",
        [BINDER_SERVICE_MANAGER_METHOD_LIST_SERVICES] = "list_services",
        [BINDER_SERVICE_MANAGER_METHOD_REGISTER_FOR_NOTIFICATIONS] = "register_for_notifications",
        [BINDER_SERVICE_MANAGER_METHOD_UNREGISTER_FOR_NOTIFICATIONS] =
                "unregister_for_notifications",
        [BINDER_SERVICE_MANAGER_METHOD_IS_DECLARED] = "is_declared",
        [BINDER_SERVICE_MANAGER_METHOD_COUNT] = "unknown",
};

static const char *const refusal_names[MANAGER_REFUSAL_COUNT] = {
        [MANAGER_REFUSAL_DENIED] = "denied", [MANAGER_REFUSAL_QUOTA] = "quota",
        [MANAGER_REFUSAL_FULL] = "full",     [MANAGER_REFUSAL_INVALID] = "invalid",
        [MANAGER_REFUSAL_FAILED] = "failed",
};

#define UID_NAMES_NAME "servicemanager_uid_names"
#define UID_NAMES_HELP                                                                             \
	"Names registered by a uid (the first uids to register one; uid=\"other\": the rest)."

/* A uid with a series of its own. */
struct uid_names {
	uid_t uid;
	struct metric *names;
	size_t count; /* scratch, while counting */
};

struct manager_metrics {
	struct metrics *registry;
	struct metric *services;
	struct metric *notifications;
	struct metric *calls[BINDER_SERVICE_MANAGER_METHOD_COUNT + 1];
	struct metric *refused[MANAGER_REFUSAL_COUNT];
	struct metric *lookups_not_found;
	struct metric *service_deaths;
	struct metric *limits[QUOTA_KIND_COUNT];
	/* Serving thread only. */
	struct uid_names uids[MANAGER_METRICS_MAX_UIDS];
	size_t uid_count;
	struct metric *other_uids_names; /* made when first needed */
	size_t other_uids_count;         /* scratch, while counting */
	bool uid_series_failed;          /* a series could not be made: logged once */
};

static int add_labelled_counters(struct manager_metrics *metrics)
{
	for (int method = 0; method <= BINDER_SERVICE_MANAGER_METHOD_COUNT; method++) {
		struct metric_label label = {"method", method_names[method]};
		metrics->calls[method] = metrics_add_counter(
		        metrics->registry, "servicemanager_calls_total",
		        "IServiceManager calls by method (unknown: codes it does not know).",
		        &label, 1);
		if (!metrics->calls[method])
			return -ENOMEM;
	}
	for (int reason = 0; reason < MANAGER_REFUSAL_COUNT; reason++) {
		struct metric_label label = {"reason", refusal_names[reason]};
		metrics->refused[reason] = metrics_add_counter(
		        metrics->registry, "servicemanager_calls_refused_total",
		        "Calls answered with an exception or failed, by reason: denied by the "
		        "policy, the uid's quota, a full table, invalid arguments, or failed here.",
		        &label, 1);
		if (!metrics->refused[reason])
			return -ENOMEM;
	}
	return 0;
}

static int add_series(struct manager_metrics *metrics, const size_t per_uid[QUOTA_KIND_COUNT])
{
	struct metrics *registry = metrics->registry;
	metrics->services = metrics_add_gauge(registry, "servicemanager_services",
	                                      "Service names registered.", NULL, 0);
	metrics->notifications = metrics_add_gauge(
	        registry, "servicemanager_notification_registrations",
	        "Registrations for notifications (registerForNotifications) held.", NULL, 0);
	if (!metrics->services || !metrics->notifications || add_labelled_counters(metrics) != 0)
		return -ENOMEM;
	metrics->lookups_not_found = metrics_add_counter(
	        registry, "servicemanager_lookups_not_found_total",
	        "getService/checkService calls for a name that is not registered.", NULL, 0);
	metrics->service_deaths = metrics_add_counter(
	        registry, "servicemanager_service_deaths_total",
	        "Names dropped because the process serving them died.", NULL, 0);
	metrics->limits[QUOTA_NAMES] = metrics_add_gauge(
	        registry, "servicemanager_names_per_uid_limit",
	        "Most names one uid may register (uid 0 and servicemanager's own are exempt).",
	        NULL, 0);
	metrics->limits[QUOTA_NOTIFICATIONS] = metrics_add_gauge(
	        registry, "servicemanager_notifications_per_uid_limit",
	        "Most notification registrations one uid may hold (uid 0 and servicemanager's own "
	        "are exempt).",
	        NULL, 0);
	if (!metrics->lookups_not_found || !metrics->service_deaths ||
	    !metrics->limits[QUOTA_NAMES] || !metrics->limits[QUOTA_NOTIFICATIONS])
		return -ENOMEM;
	for (int kind = 0; kind < QUOTA_KIND_COUNT; kind++)
		metric_set(metrics->limits[kind], (int64_t)per_uid[kind]);
	return 0;
}

int manager_metrics_new(const size_t per_uid[QUOTA_KIND_COUNT], struct manager_metrics **out)
{
	struct manager_metrics *metrics = calloc(1, sizeof(*metrics));
	if (!metrics)
		return -ENOMEM;
	metrics->registry = metrics_new();
	if (!metrics->registry || add_series(metrics, per_uid) != 0) {
		manager_metrics_free(metrics);
		return -ENOMEM;
	}
	*out = metrics;
	return 0;
}

void manager_metrics_free(struct manager_metrics *metrics)
{
	if (!metrics)
		return;
	metrics_free(metrics->registry);
	free(metrics);
}

struct metrics *manager_metrics_registry(struct manager_metrics *metrics)
{
	return metrics ? metrics->registry : NULL;
}

void manager_metrics_call(struct manager_metrics *metrics,
                          enum binder_service_manager_method method)
{
	if (!metrics)
		return;
	if ((unsigned)method > BINDER_SERVICE_MANAGER_METHOD_COUNT)
		method = BINDER_SERVICE_MANAGER_METHOD_COUNT;
	metric_increment(metrics->calls[method]);
}

void manager_metrics_refusal(struct manager_metrics *metrics, enum manager_refusal reason)
{
	if (metrics && (unsigned)reason < MANAGER_REFUSAL_COUNT)
		metric_increment(metrics->refused[reason]);
}

void manager_metrics_lookup_missed(struct manager_metrics *metrics)
{
	if (metrics)
		metric_increment(metrics->lookups_not_found);
}

void manager_metrics_services_died(struct manager_metrics *metrics, size_t count)
{
	if (metrics)
		metric_add(metrics->service_deaths, (int64_t)count);
}

void manager_metrics_notifications_changed(struct manager_metrics *metrics, size_t count)
{
	if (metrics)
		metric_set(metrics->notifications, (int64_t)count);
}

/* A series of its own for uid, while there is room; false if none. */
static struct uid_names *track_uid(struct manager_metrics *metrics, uid_t uid)
{
	if (metrics->uid_count >= MANAGER_METRICS_MAX_UIDS || metrics->uid_series_failed)
		return NULL;
	char text[UID_TEXT_SIZE];
	snprintf(text, sizeof(text), "%u", (unsigned)uid);
	struct metric_label label = {"uid", text};
	struct metric *names =
	        metrics_add_gauge(metrics->registry, UID_NAMES_NAME, UID_NAMES_HELP, &label, 1);
	if (!names) {
		/* Memory is short: the rest go to "other" from now on. */
		log_warning("metrics: no series for uid %u: its names count as uid \"other\"",
		            (unsigned)uid);
		metrics->uid_series_failed = true;
		return NULL;
	}
	struct uid_names *entry = &metrics->uids[metrics->uid_count++];
	*entry = (struct uid_names){.uid = uid, .names = names};
	return entry;
}

static void count_service(const struct service *service, void *user)
{
	struct manager_metrics *metrics = user;
	for (size_t i = 0; i < metrics->uid_count; i++) {
		if (metrics->uids[i].uid == service->owner_uid) {
			metrics->uids[i].count++;
			return;
		}
	}
	struct uid_names *entry = track_uid(metrics, service->owner_uid);
	if (entry)
		entry->count++;
	else
		metrics->other_uids_count++;
}

void manager_metrics_services_changed(struct manager_metrics *metrics,
                                      const struct registry *registry)
{
	if (!metrics)
		return;
	metric_set(metrics->services, (int64_t)registry->count);
	for (size_t i = 0; i < metrics->uid_count; i++)
		metrics->uids[i].count = 0;
	metrics->other_uids_count = 0;
	registry_for_each(registry, count_service, metrics);
	for (size_t i = 0; i < metrics->uid_count; i++)
		metric_set(metrics->uids[i].names, (int64_t)metrics->uids[i].count);
	if (metrics->other_uids_count && !metrics->other_uids_names) {
		struct metric_label label = {"uid", "other"};
		metrics->other_uids_names = metrics_add_gauge(metrics->registry, UID_NAMES_NAME,
		                                              UID_NAMES_HELP, &label, 1);
	}
	metric_set(metrics->other_uids_names, (int64_t)metrics->other_uids_count);
}
