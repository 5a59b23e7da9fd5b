/*
 * policy.h - servicemanager's access policy: which uids may add which
 * service names. Finding and listing services is open to every uid.
 *
 * A policy file is INI (parsed by inih): a section [add] whose entries
 * are `NAME-PATTERN = UID, UID, ...`. Patterns are fnmatch(3) patterns
 * ("*" matches every name); the first entry whose pattern matches the
 * name decides, in file order; a name no entry matches may not be added.
 * A uid is a number, a user name (looked up when the file is read), or
 * "*" for every uid; an empty list allows nobody.
 *
 * An optional section [limits] sets the per-uid quotas (quota.h):
 * `names_per_uid = N` and `notifications_per_uid = N` (0 to the table's
 * size); what it leaves out keeps its default.
 *
 * An optional section [metrics] with `listen = PORT|ADDR:PORT` serves
 * Prometheus metrics there (metrics_listen.h; --metrics overrides it).
 *
 * Without a policy file (policy_load_default), only uid 0 and the uid
 * servicemanager runs as may add services, and the quotas are the
 * defaults.
 */
#ifndef SERVICEMANAGER_POLICY_H
#define SERVICEMANAGER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "metrics_listen.h"
#include "quota.h"

/* Most entries a file may have, and most uids per entry. */
#define POLICY_MAX_RULES 1024
#define POLICY_MAX_UIDS  64

struct policy_rule {
	char *pattern;
	bool any_uid;
	size_t uid_count;
	uid_t uids[POLICY_MAX_UIDS];
};

struct policy {
	struct policy_rule *rules;
	size_t rule_count;
	size_t quota_per_uid[QUOTA_KIND_COUNT]; /* [limits] */
	bool has_metrics;                       /* [metrics] listen given */
	struct metrics_listen metrics;
};

/* The default policy: uid 0 and own_uid may add any name; the default
 * quotas. 0 or -ENOMEM. */
int policy_load_default(struct policy *policy, uid_t own_uid);

/* Reads path. On failure returns a negative errno and writes a one-line
 * explanation (with the line number) into error. */
int policy_load_file(struct policy *policy, const char *path, char *error, size_t error_size);

/* Whether uid may add a service called name. */
bool policy_may_add(const struct policy *policy, const char *name, uid_t uid);

void policy_free(struct policy *policy);

#endif
