/*
 * quota.h - per-uid quotas on servicemanager's tables: how many service
 * names and how many notification registrations one uid may hold, so that
 * no uid can fill a table and lock the others out (issue 9, item 6).
 *
 * uid 0 and servicemanager's own uid have no quota (only the tables' own
 * limits): root may do anything anyway, and a servicemanager that a user
 * runs for themselves serves that user alone. The caller counts what
 * a uid holds (the tables record each entry's uid); this module says yes
 * or no and logs refusals: a warning the first time a uid is refused one
 * kind, then at debug level until that uid holds none of the kind again,
 * so a client that retries in a loop cannot flood the log.
 * Not thread-safe (one serving thread).
 */
#ifndef SERVICEMANAGER_QUOTA_H
#define SERVICEMANAGER_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum quota_kind {
	QUOTA_NAMES,         /* services added (addService), by the adder's uid */
	QUOTA_NOTIFICATIONS, /* registerForNotifications, by the caller's uid */
	QUOTA_KIND_COUNT,
};

/* Defaults: a uid may take 1/32 of the names and 1/16 of the
 * registrations (tables of 4096 each). */
#define QUOTA_DEFAULT_NAMES_PER_UID         128
#define QUOTA_DEFAULT_NOTIFICATIONS_PER_UID 256

/* How many (uid, kind) refusals are remembered as logged; past that, new
 * refusals are logged at debug level only. */
#define QUOTA_MAX_LOGGED_REFUSALS 256

struct quota_logged_refusal {
	uid_t uid;
	enum quota_kind kind;
};

struct quota {
	size_t per_uid[QUOTA_KIND_COUNT];
	uid_t own_uid; /* servicemanager's, exempt like uid 0 */
	struct quota_logged_refusal logged[QUOTA_MAX_LOGGED_REFUSALS];
	size_t logged_count;
};

/* per_uid: the limit of each kind (0: only the exempt uids may hold any);
 * own_uid: servicemanager's euid. */
void quota_init(struct quota *quota, const size_t per_uid[QUOTA_KIND_COUNT], uid_t own_uid);

/* Whether uid, which holds `held` entries of kind now, may take one more.
 * Logs a refusal (see above); held == 0 ends the quiet period of uid. */
bool quota_allows(struct quota *quota, enum quota_kind kind, uid_t uid, size_t held);

/* Logs that uid was refused an entry of kind because why (a table is
 * full, ...), with the same once-per-uid rule. */
void quota_log_refusal(struct quota *quota, enum quota_kind kind, uid_t uid, const char *why);

/* The size of kind's table: the highest limit that means anything. */
size_t quota_table_size(enum quota_kind kind);

/* Parses a limit of kind: a decimal number from 0 to quota_table_size.
 * 0 or -EINVAL. */
int quota_parse_limit(enum quota_kind kind, const char *text, size_t *limit);

/* "names" or "notification registrations", for messages. */
const char *quota_kind_name(enum quota_kind kind);

#endif
