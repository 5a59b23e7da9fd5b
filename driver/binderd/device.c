/* device.c - the device-wide state (struct binderd_device: the context
 * manager, who may become it, dead nodes) and the deferred work run after
 * each event: wakeups, closes, frees. */
#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binderd.h"
#include "log.h"

struct binderd_device binderd_device = {
        .dead_nodes = TAILQ_HEAD_INITIALIZER(binderd_device.dead_nodes),
        .procs = TAILQ_HEAD_INITIALIZER(binderd_device.procs),
};

/*
 * Who may become the context manager: the uids given with --manager-uid,
 * "any" for every uid (the kernel without a security module), or, when
 * none was given, binderd's own euid only: whoever started binderd is
 * trusted with it already, and a user who opens the device before
 * servicemanager starts can no longer take the role (issue 9, item 7).
 * Set before the event loop starts, read-only after.
 */
static struct {
	uid_t uids[BINDERD_MAX_MANAGER_UIDS];
	size_t count;
	bool any;
} manager_uids;

/* The last uid refused the role, so that one client retrying in a loop
 * gets one warning, not one per attempt. */
static bool manager_refused_before;
static uid_t manager_last_refused_uid;

/* One word of a --manager-uid list: a number or a user name. */
static int parse_manager_uid(const char *word, uid_t *uid)
{
	if (isdigit((unsigned char)word[0])) {
		char *end;
		errno = 0;
		unsigned long value = strtoul(word, &end, 10);
		if (errno || *end || value >= (unsigned long)(uid_t)-1)
			return -EINVAL;
		*uid = (uid_t)value;
		return 0;
	}
	char buffer[4096];
	struct passwd entry, *found = NULL;
	if (*word == '\0' || getpwnam_r(word, &entry, buffer, sizeof(buffer), &found) != 0 ||
	    !found)
		return -ENOENT;
	*uid = found->pw_uid;
	return 0;
}

int context_allow_manager_uids(const char *list)
{
	if (strcmp(list, "any") == 0) {
		manager_uids.any = true;
		return 0;
	}
	char *copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	int status = 0;
	char *rest = copy;
	for (char *word = strsep(&rest, ","); word && status == 0; word = strsep(&rest, ",")) {
		uid_t uid;
		status = parse_manager_uid(word, &uid);
		if (status == 0 && manager_uids.count >= BINDERD_MAX_MANAGER_UIDS)
			status = -E2BIG;
		if (status == 0)
			manager_uids.uids[manager_uids.count++] = uid;
	}
	free(copy);
	return status;
}

void context_log_manager_uids(void)
{
	if (manager_uids.any) {
		log_info("context manager: any uid may become it (--manager-uid any)");
		return;
	}
	if (manager_uids.count == 0) {
		log_info("context manager: uid %u only (binderd's own; see --manager-uid)",
		         (unsigned)geteuid());
		return;
	}
	char text[BINDERD_MAX_MANAGER_UIDS * 12] = "";
	size_t used = 0;
	for (size_t i = 0; i < manager_uids.count && used < sizeof(text); i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%u", i ? ", " : "",
		                         (unsigned)manager_uids.uids[i]);
	log_info("context manager: uid %s only (--manager-uid)", text);
}

bool context_may_become_manager(uid_t euid)
{
	bool allowed = manager_uids.any;
	if (!manager_uids.any && manager_uids.count == 0)
		allowed = euid == geteuid();
	for (size_t i = 0; i < manager_uids.count && !allowed; i++)
		allowed = manager_uids.uids[i] == euid;
	if (allowed)
		return true;
	if (manager_refused_before && manager_last_refused_uid == euid) {
		log_debug("uid %u may not become the context manager", (unsigned)euid);
	} else {
		log_warning("uid %u may not become the context manager (see --manager-uid)",
		            (unsigned)euid);
	}
	manager_refused_before = true;
	manager_last_refused_uid = euid;
	return false;
}

struct deferred_free {
	struct deferred_free *next;
	void *memory;
};

static struct deferred_free *deferred_frees;
static bool trim_wanted;

void trim_memory_later(void)
{
	trim_wanted = true;
}

void defer_free(void *memory)
{
	struct deferred_free *entry = malloc(sizeof(*entry));
	if (!entry) {
		/* Better a leak than a use after free. */
		return;
	}
	entry->memory = memory;
	entry->next = deferred_frees;
	deferred_frees = entry;
}

void run_deferred_frees(void)
{
	while (deferred_frees) {
		struct deferred_free *entry = deferred_frees;
		deferred_frees = entry->next;
		free(entry->memory);
		free(entry);
	}
}

void after_event(void)
{
	do {
		run_wakeups();
		channel_run_pending_closes();
	} while (wakeups_pending());
	run_deferred_frees();
	if (trim_wanted) {
		trim_wanted = false;
		malloc_trim(0);
	}
}
