/* quota.c - per-uid quotas on names and notification registrations, and
 * the once-per-uid logging of refusals (see quota.h). */
#include "quota.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "notifications.h"
#include "registry.h"

void quota_init(struct quota *quota, const size_t per_uid[QUOTA_KIND_COUNT], uid_t own_uid)
{
	memset(quota, 0, sizeof(*quota));
	quota->own_uid = own_uid;
	for (int kind = 0; kind < QUOTA_KIND_COUNT; kind++)
		quota->per_uid[kind] = per_uid[kind];
}

size_t quota_table_size(enum quota_kind kind)
{
	return kind == QUOTA_NAMES ? REGISTRY_MAX_SERVICES : NOTIFICATIONS_MAX;
}

int quota_parse_limit(enum quota_kind kind, const char *text, size_t *limit)
{
	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long long value = strtoull(text, &end, 10);
	if (errno || *end || value > quota_table_size(kind))
		return -EINVAL;
	*limit = (size_t)value;
	return 0;
}

const char *quota_kind_name(enum quota_kind kind)
{
	return kind == QUOTA_NAMES ? "names" : "notification registrations";
}

static struct quota_logged_refusal *find_logged(struct quota *quota, enum quota_kind kind,
                                                uid_t uid)
{
	for (size_t i = 0; i < quota->logged_count; i++) {
		if (quota->logged[i].uid == uid && quota->logged[i].kind == kind)
			return &quota->logged[i];
	}
	return NULL;
}

static void forget_logged(struct quota *quota, enum quota_kind kind, uid_t uid)
{
	struct quota_logged_refusal *entry = find_logged(quota, kind, uid);
	if (entry)
		*entry = quota->logged[--quota->logged_count];
}

void quota_log_refusal(struct quota *quota, enum quota_kind kind, uid_t uid, const char *why)
{
	if (find_logged(quota, kind, uid) || quota->logged_count >= QUOTA_MAX_LOGGED_REFUSALS) {
		log_debug("uid %u refused more %s: %s", (unsigned)uid, quota_kind_name(kind), why);
		return;
	}
	quota->logged[quota->logged_count++] =
	        (struct quota_logged_refusal){.uid = uid, .kind = kind};
	log_warning("uid %u refused more %s: %s (further refusals logged at debug level)",
	            (unsigned)uid, quota_kind_name(kind), why);
}

bool quota_allows(struct quota *quota, enum quota_kind kind, uid_t uid, size_t held)
{
	if (uid == 0 || uid == quota->own_uid)
		return true;
	if (held == 0)
		forget_logged(quota, kind, uid);
	if (held < quota->per_uid[kind])
		return true;
	char why[64];
	snprintf(why, sizeof(why), "it holds its quota of %zu", quota->per_uid[kind]);
	quota_log_refusal(quota, kind, uid, why);
	return false;
}
