/*
 * manager_metrics.h - servicemanager's Prometheus series (--metrics), and
 * the functions the handler calls where it counts. Every function accepts
 * NULL (metrics off) and then does nothing.
 *
 * Series:
 *   servicemanager_services                          gauge, names registered now
 *   servicemanager_notification_registrations       gauge, registerForNotifications held
 *   servicemanager_calls_total{method}               counter, IServiceManager calls by
 *                                                    method (unknown: codes it does not know)
 *   servicemanager_calls_refused_total{reason}       counter, calls answered with an
 *                                                    exception or failed: denied (policy),
 *                                                    quota (per-uid), full (a table),
 *                                                    invalid (arguments), failed (ours)
 *   servicemanager_lookups_not_found_total           counter, get/check of a name not there
 *   servicemanager_service_deaths_total              counter, names dropped because the
 *                                                    process serving them died
 *   servicemanager_uid_names{uid}                    gauge, names registered by uid: the
 *                                                    first MANAGER_METRICS_MAX_UIDS uids that
 *                                                    registered one, uid="other" for the rest
 *   servicemanager_names_per_uid_limit               gauge, the per-uid name quota
 *   servicemanager_notifications_per_uid_limit       gauge, the per-uid registration quota
 *
 * Thread-safety: the series are atomics (metrics.h), rendered by the
 * endpoint's thread; the uid table behind servicemanager_uid_names is only
 * touched by the serving thread (servicemanager serves on one thread).
 */
#ifndef SERVICEMANAGER_MANAGER_METRICS_H
#define SERVICEMANAGER_MANAGER_METRICS_H

#include <stddef.h>
#include <sys/types.h>

#include <binder/service_manager.h>

#include "quota.h"
#include "registry.h"

/* Most uids with a servicemanager_uid_names series of their own. */
#define MANAGER_METRICS_MAX_UIDS 64

/* Why a call was refused (servicemanager_calls_refused_total's reason). */
enum manager_refusal {
	MANAGER_REFUSAL_DENIED,  /* the policy does not let the uid add the name */
	MANAGER_REFUSAL_QUOTA,   /* the uid holds its quota */
	MANAGER_REFUSAL_FULL,    /* a table is full */
	MANAGER_REFUSAL_INVALID, /* bad arguments, token or code */
	MANAGER_REFUSAL_FAILED,  /* servicemanager's own failure (memory, link to death) */
	MANAGER_REFUSAL_COUNT,
};

struct manager_metrics;

/* A registry with every series but the per-uid ones, the limits set from
 * per_uid. 0 or -ENOMEM. */
int manager_metrics_new(const size_t per_uid[QUOTA_KIND_COUNT], struct manager_metrics **metrics);
void manager_metrics_free(struct manager_metrics *metrics);

/* The registry to serve. */
struct metrics *manager_metrics_registry(struct manager_metrics *metrics);

/* One call of method (BINDER_SERVICE_MANAGER_METHOD_COUNT: unknown code). */
void manager_metrics_call(struct manager_metrics *metrics,
                          enum binder_service_manager_method method);
void manager_metrics_refusal(struct manager_metrics *metrics, enum manager_refusal reason);
void manager_metrics_lookup_missed(struct manager_metrics *metrics);
/* count names went with their dead process. */
void manager_metrics_services_died(struct manager_metrics *metrics, size_t count);

/* The registry changed: the services gauge and the per-uid name counts
 * (new uids get a series while there is room). Serving thread only. */
void manager_metrics_services_changed(struct manager_metrics *metrics,
                                      const struct registry *registry);
/* The notification registrations are now count. */
void manager_metrics_notifications_changed(struct manager_metrics *metrics, size_t count);

#endif
