/*
 * context_dump.c - binder_context_dump: what one context of this process
 * holds (its thread pool, its local objects with the references the driver
 * holds on them, its proxies with their death links), in text, for an
 * application's own diagnostics. The process's side of what the kernel's
 * debugfs "state" file shows for a binder_proc (its nodes and refs).
 *
 * The state is copied into memory under context->lock and written to the
 * caller's FILE after the lock is released: a slow or blocking stream never
 * holds up the context's threads.
 */
#include "runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static const char *yes_no(bool value)
{
	return value ? "yes" : "no";
}

/* The context's state, context->lock held. */
static void dump_locked(binder_context *context, FILE *text)
{
	binder_object *object, *next;
	size_t local_count = HASH_CNT(hh, context->locals);
	size_t proxy_count = HASH_CNT(hh, context->proxies);

	fprintf(text, "context %llu: android %u, %s\n", (unsigned long long)context->id,
	        context->android,
	        context->closed    ? "closed"
	        : context->closing ? "closing"
	                           : "open");
	fprintf(text,
	        "  threads: max %u, spawned %u, active %u (in the driver or a handler), "
	        "pool started %s\n",
	        context->max_threads, context->spawned_threads, context->active_threads,
	        yes_no(context->pool_started));
	fprintf(text, "  locals: %zu\n", local_count);
	HASH_ITER(hh, context->locals, object, next)
	{
		fprintf(text,
		        "    local %#llx: descriptor \"%s\", refs %d, driver strong %d weak %d%s\n",
		        (unsigned long long)object->address,
		        object->descriptor ? object->descriptor : "",
		        atomic_load(&object->refcount), object->driver_strong, object->driver_weak,
		        object == context->manager ? ", context manager" : "");
	}
	fprintf(text, "  proxies: %zu\n", proxy_count);
	HASH_ITER(hh, context->proxies, object, next)
	{
		unsigned death_links = 0;
		for (struct binder_death_link *link = object->death_links; link; link = link->next)
			death_links++;
		fprintf(text,
		        "    proxy handle %d: refs %d, driver referenced %s, %s, death links %u, "
		        "death notification %s\n",
		        object->handle, atomic_load(&object->refcount),
		        yes_no(object->driver_referenced),
		        atomic_load(&object->dead) ? "dead" : "alive", death_links,
		        object->death_delivered      ? "delivered"
		        : object->death_registration ? "requested"
		                                     : "none");
	}
}

int binder_context_dump(binder_context *context, FILE *out)
{
	char *text = NULL;
	size_t size = 0;

	if (!context || !out)
		return BINDER_BAD_VALUE;
	FILE *memory = open_memstream(&text, &size);
	if (!memory)
		return BINDER_NO_MEMORY;
	pthread_mutex_lock(&context->lock);
	dump_locked(context, memory);
	pthread_mutex_unlock(&context->lock);
	bool failed = ferror(memory) != 0;
	if (fclose(memory) != 0 || failed) {
		free(text);
		return BINDER_NO_MEMORY;
	}
	int status = 0;
	if (fwrite(text, 1, size, out) != size || fflush(out) != 0)
		status = -EIO;
	free(text);
	return status;
}
