/*
 * service_manager.h - servicemanager's state (policy, services,
 * notification registrations, death links, per-uid quotas) and the
 * IServiceManager handler of its context-manager object.
 *
 * servicemanager serves on one thread (max_threads 0, as AOSP's), so the
 * state has no lock; every call into libbinder that may run other work on
 * that thread (transact, link, unlink) happens while the state is whole.
 */
#ifndef SERVICEMANAGER_SERVICE_MANAGER_H
#define SERVICEMANAGER_SERVICE_MANAGER_H

#include <binder/binder.h>

#include "death_watch.h"
#include "manager_metrics.h"
#include "notifications.h"
#include "policy.h"
#include "quota.h"
#include "registry.h"

struct service_manager {
	struct policy policy; /* owned */
	struct registry registry;
	struct notifications notifications;
	struct death_watch death_watch;
	struct quota quota;              /* the policy's per-uid limits */
	struct manager_metrics *metrics; /* borrowed; NULL: metrics off */
};

/* Takes policy (now owned by manager); metrics (NULL: off) must outlive it. */
void service_manager_init(struct service_manager *manager, struct policy *policy,
                          struct manager_metrics *metrics);

/* Frees everything; the context must be closed (no more handlers). */
void service_manager_clear(struct service_manager *manager);

/* The transact handler of the context-manager object (user_data: the
 * struct service_manager). */
int service_manager_transact(binder_object *self, uint32_t code, binder_parcel *data,
                             binder_parcel *reply, const struct binder_caller *caller,
                             void *user_data);

#endif
