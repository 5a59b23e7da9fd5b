/*
 * uid_budget.c - per-uid accounting of binderd's shared resources (see
 * uid_budget.h): one entry per uid that holds anything, freed when it
 * holds nothing.
 */
#include "uid_budget.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <uthash.h>

#include "binderd_limits.h"

struct uid_usage {
	UT_hash_handle hh;
	uid_t uid;
	size_t used[UID_RESOURCE_COUNT];
};

static struct uid_usage *usage_by_uid;

static size_t limits[UID_RESOURCE_COUNT] = {
        [UID_PROCS] = BINDERD_DEFAULT_UID_MAX_PROCS,
        [UID_THREADS] = BINDERD_DEFAULT_UID_MAX_THREADS,
        [UID_FDS_IN_FLIGHT] = BINDERD_DEFAULT_UID_MAX_FDS,
        [UID_QUEUED_OUTPUT] = BINDERD_DEFAULT_UID_MAX_OUTPUT,
};

void uid_budget_set_limit(enum uid_resource resource, size_t limit)
{
	limits[resource] = limit;
}

size_t uid_budget_limit(enum uid_resource resource)
{
	return limits[resource];
}

const char *uid_resource_name(enum uid_resource resource)
{
	switch (resource) {
	case UID_PROCS:
		return "connections";
	case UID_THREADS:
		return "thread channels";
	case UID_FDS_IN_FLIGHT:
		return "fds in flight";
	case UID_QUEUED_OUTPUT:
		return "bytes of queued output";
	case UID_RESOURCE_COUNT:
		break;
	}
	return "?";
}

/* Root and binderd's own user: not held to a share (uid_budget.h). */
static bool uid_exempt(uid_t uid)
{
	static bool known;
	static uid_t own;
	if (!known) {
		own = geteuid();
		known = true;
	}
	return uid == 0 || uid == own;
}

static struct uid_usage *find(uid_t uid)
{
	struct uid_usage *usage;
	HASH_FIND(hh, usage_by_uid, &uid, sizeof(uid), usage);
	return usage;
}

int uid_budget_charge(uid_t uid, enum uid_resource resource, size_t amount)
{
	struct uid_usage *usage = find(uid);
	size_t used = usage ? usage->used[resource] : 0;
	size_t limit = limits[resource];
	if (limit && !uid_exempt(uid) && (amount > limit || used > limit - amount))
		return -EDQUOT;
	if (amount == 0)
		return 0;
	if (!usage) {
		usage = calloc(1, sizeof(*usage));
		if (!usage)
			return -ENOMEM;
		usage->uid = uid;
		HASH_ADD(hh, usage_by_uid, uid, sizeof(usage->uid), usage);
	}
	usage->used[resource] += amount;
	return 0;
}

void uid_budget_release(uid_t uid, enum uid_resource resource, size_t amount)
{
	struct uid_usage *usage = find(uid);
	if (!usage)
		return;
	usage->used[resource] -= amount < usage->used[resource] ? amount : usage->used[resource];
	for (int i = 0; i < UID_RESOURCE_COUNT; i++)
		if (usage->used[i])
			return;
	HASH_DEL(usage_by_uid, usage);
	free(usage);
}

size_t uid_budget_used(uid_t uid, enum uid_resource resource)
{
	struct uid_usage *usage = find(uid);
	return usage ? usage->used[resource] : 0;
}

void uid_budget_for_each(void (*visit)(uid_t uid, const size_t used[UID_RESOURCE_COUNT], void *arg),
                         void *arg)
{
	struct uid_usage *usage, *next;
	HASH_ITER(hh, usage_by_uid, usage, next)
	{
		visit(usage->uid, usage->used, arg);
	}
}
