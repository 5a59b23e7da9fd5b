/* context.c - the device-wide state (context manager, dead nodes) and the
 * deferred work run after each event: wakeups, closes, frees. */
#include <malloc.h>
#include <stdlib.h>

#include "binderd.h"

struct context context = {
        .dead_nodes = TAILQ_HEAD_INITIALIZER(context.dead_nodes),
};

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
