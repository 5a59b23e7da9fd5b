/* service_manager.c - servicemanager's state: setting it up, tearing it
 * down, and forgetting what belonged to an object that died. */
#include "service_manager.h"

#include <unistd.h>

#include "log.h"

/* A watched proxy died: its services leave the list and its notification
 * registrations go. */
static void on_object_death(binder_object *who, void *cookie)
{
	struct service_manager *manager = cookie;
	binder_object_ref(who);
	size_t services = registry_remove_object(&manager->registry, who);
	size_t callbacks = notifications_remove_callback(&manager->notifications, who);
	death_watch_forget(&manager->death_watch, who);
	if (services) {
		manager_metrics_services_changed(manager->metrics, &manager->registry);
		manager_metrics_services_died(manager->metrics, services);
	}
	if (callbacks)
		manager_metrics_notifications_changed(manager->metrics,
		                                      manager->notifications.count);
	log_debug("handle %d died: %zu service(s), %zu notification registration(s) dropped",
	          (int)binder_object_handle(who), services, callbacks);
	binder_object_unref(who);
}

void service_manager_init(struct service_manager *manager, struct policy *policy,
                          struct manager_metrics *metrics)
{
	manager->policy = *policy;
	manager->metrics = metrics;
	quota_init(&manager->quota, policy->quota_per_uid, geteuid());
	registry_init(&manager->registry);
	notifications_init(&manager->notifications);
	death_watch_init(&manager->death_watch, on_object_death, manager);
}

void service_manager_clear(struct service_manager *manager)
{
	registry_clear(&manager->registry);
	notifications_clear(&manager->notifications);
	death_watch_clear(&manager->death_watch);
	policy_free(&manager->policy);
}
