/*
 * uid_budget.h - what each local user holds in binderd (connections,
 * thread channels, fds in flight, queued output), so that no uid takes
 * more than its share of a global resource. binderd is one event loop:
 * no locks.
 *
 * Root and binderd's own uid are counted but never refused: they may
 * already speak for others (see proc_trusted in process.c), and a
 * per-user binderd serves only its own uid, for which a share of the
 * global limits would protect nobody.
 */
#ifndef BINDERD_UID_BUDGET_H
#define BINDERD_UID_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum uid_resource {
	UID_PROCS,         /* process channels (connections) */
	UID_THREADS,       /* thread channels */
	UID_FDS_IN_FLIGHT, /* fds held for undelivered transactions it sent */
	UID_QUEUED_OUTPUT, /* bytes queued for its channels, unsent */
	UID_RESOURCE_COUNT,
};

/* Sets uid's budget of a resource (0: no budget). Defaults: binderd_limits.h. */
void uid_budget_set_limit(enum uid_resource resource, size_t limit);
size_t uid_budget_limit(enum uid_resource resource);

/* Takes amount of a resource for uid. 0, -EDQUOT when that would exceed
 * uid's budget (nothing is taken), -ENOMEM. */
int uid_budget_charge(uid_t uid, enum uid_resource resource, size_t amount);
/* Gives back what uid_budget_charge took (at most what uid holds). */
void uid_budget_release(uid_t uid, enum uid_resource resource, size_t amount);
/* What uid holds of a resource now. */
size_t uid_budget_used(uid_t uid, enum uid_resource resource);
/* Calls visit for each uid that holds anything now (in no particular
 * order), with what it holds of each resource. visit must not charge or
 * release (metrics, debug views). */
void uid_budget_for_each(void (*visit)(uid_t uid, const size_t used[UID_RESOURCE_COUNT], void *arg),
                         void *arg);
/* The name of a resource, for logs. */
const char *uid_resource_name(enum uid_resource resource);

#endif
