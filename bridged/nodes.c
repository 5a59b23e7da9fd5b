/*
 * nodes.c - the objects that cross a link, and their translation.
 *
 * Outgoing (a parcel leaves for the peer): a stand-in of this link goes
 * home as the peer's own id ("your node"); any other object (a proxy for
 * a local service or client object) is exported as "my node" with an id
 * of this link, found again by its address next time. File descriptors
 * cannot cross hosts: the call (or reply) fails with
 * BINDER_FDS_NOT_ALLOWED, and what its parcel exported before the fd is
 * taken back (counts and new exports), so a refused parcel leaves no trace.
 *
 * Incoming (a frame's objects become a parcel): "your node" ids are looked
 * up among this side's exports and never trusted (unknown: the call fails);
 * "my node" ids of the peer become stand-ins, made on first sight.
 *
 * References across the link: an export counts how often its id was
 * sent; the peer releases what it received (Release with a count) when
 * its last local holder lets go of the stand-in (libbinder's
 * on_last_remote_reference), and the export goes when every sent
 * reference came back. Deaths: an export's death (its process went) is
 * sent as Death; a stand-in told so becomes dead (calls fail with
 * BINDER_DEAD_OBJECT), and an imported service's domain is closed so that
 * its holders get their death notifications.
 *
 * link->lock guards the tables; binder calls (death links, unrefs that
 * may talk to the driver) are made after it is released.
 */
#include "bridge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Calls this context makes are the peer's: a service that asks for its
 * caller's security context sees "bridge:<peer>". The kernel driver takes
 * labels from the security module only: there the service sees bridged's. */
static void set_caller_identity(struct link *link, binder_context *context)
{
	char label[CONFIG_MAX_NAME + 16];
	snprintf(label, sizeof(label), "bridge:%s", link->peer_name);
	int status = binder_context_set_security_context(context, label);
	if (status == BINDER_INVALID_OPERATION)
		log_debug("link %llu: this driver cannot label calls as %s",
		          (unsigned long long)link->serial, label);
	else if (status != 0)
		log_warning("link %llu: cannot label calls as %s: %s",
		            (unsigned long long)link->serial, label,
		            binder_status_to_string(status));
}

int domain_new(struct link *link, struct import_state *import, struct domain **out)
{
	struct config *config = link->bridge->config;
	struct binder_context_options options;
	struct domain *domain = calloc(1, sizeof(*domain));
	if (!domain)
		return -ENOMEM;
	binder_context_options_init(&options);
	options.device = config->device;
	options.max_threads = config->threads;
	/* Parcels as large as the kernel allows (its receive area is 4 MiB):
	 * libbinder's default (1 MiB - 8 KiB) would refuse a 1 MiB call. */
	options.area_size = 4u << 20;
	int status = binder_context_new(&options, &domain->context);
	if (status == 0)
		set_caller_identity(link, domain->context);
	if (status == 0)
		status = binder_context_start_thread_pool(domain->context);
	if (status != 0) {
		binder_context_unref(domain->context);
		free(domain);
		return status;
	}
	domain->link = link;
	domain->import = import;
	pthread_mutex_lock(&link->lock);
	LIST_INSERT_HEAD(&link->domains, domain, entry);
	pthread_mutex_unlock(&link->lock);
	*out = domain;
	return 0;
}

/* ---- exports ---- */

static void export_death_put(struct export_death *death)
{
	if (atomic_fetch_sub(&death->refs, 1) != 1)
		return;
	link_unref(death->link);
	free(death);
}

static void export_died(binder_object *who, void *cookie)
{
	struct export_death *death = cookie;
	struct link *link = death->link;
	(void)who;

	log_info("link %llu: node %llu died; telling %s", (unsigned long long)link->serial,
	         (unsigned long long)death->id, link->peer_name);
	Bridge__Death message = BRIDGE__DEATH__INIT;
	message.node_id = death->id;
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_DEATH;
	frame.death = &message;
	link_send(link, &frame);
	export_death_put(death);
}

/* Finds or makes the export of object (a proxy or a local object of
 * domain) and counts one more sending. *made: a new entry, pinned: the
 * caller links its death after unlocking, then export_unpin.
 * link->lock held. */
static struct export_node *export_locked(struct domain *domain, binder_object *object, bool *made)
{
	struct link *link = domain->link;
	struct export_node *export;

	*made = false;
	HASH_FIND(by_object, link->exports_by_object, &object, sizeof(object), export);
	if (!export) {
		export = calloc(1, sizeof(*export));
		if (!export)
			return NULL;
		export->id = link->next_node_id++;
		export->object = binder_object_ref(object);
		export->domain = domain;
		export->pins = 1;
		HASH_ADD(by_id, link->exports_by_id, id, sizeof(export->id), export);
		HASH_ADD(by_object, link->exports_by_object, object, sizeof(export->object),
		         export);
		*made = true;
	}
	export->sent++;
	return export;
}

/* final: the export's context is closed, so no death handler runs any
 * more (binder_context_close waited for its threads). */
static void export_free(struct export_node *export, bool final)
{
	struct export_death *death = export->death;
	if (death) {
		bool unlinked =
		        binder_object_unlink_to_death(export->object, export_died, death) == 0;
		if (unlinked || final) {
			/* The handler will never run (again): both references go. */
			link_unref(death->link);
			free(death);
		} else {
			/* Delivered, or being delivered now: the handler drops its
			 * own reference. */
			export_death_put(death);
		}
	}
	binder_object_unref(export->object);
	free(export);
}

/* Links the death of a new export (pinned by export_locked), then unpins
 * it; a release that came meanwhile frees it here. */
static void export_link_death_and_unpin(struct export_node *export)
{
	struct link *link = export->domain->link;
	if (!binder_object_is_local(export->object)) {
		struct export_death *death = calloc(1, sizeof(*death));
		if (death) {
			death->link = link_ref(link);
			death->id = export->id;
			atomic_init(&death->refs, 2);
			if (binder_object_link_to_death(export->object, export_died, death) == 0) {
				export->death = death;
			} else {
				link_unref(link);
				free(death);
			}
		}
	}
	pthread_mutex_lock(&link->lock);
	bool free_now = --export->pins == 0 && export->released;
	pthread_mutex_unlock(&link->lock);
	if (free_now)
		export_free(export, false);
}

int nodes_export_root(struct domain *domain, binder_object *object, uint64_t *id)
{
	struct link *link = domain->link;
	bool made;
	pthread_mutex_lock(&link->lock);
	struct export_node *export = export_locked(domain, object, &made);
	if (export)
		*id = export->id;
	pthread_mutex_unlock(&link->lock);
	if (!export)
		return BINDER_NO_MEMORY;
	if (made)
		export_link_death_and_unpin(export);
	return 0;
}

binder_object *nodes_find_export(struct link *link, uint64_t id, struct domain **domain)
{
	struct export_node *export;
	binder_object *object = NULL;
	pthread_mutex_lock(&link->lock);
	HASH_FIND(by_id, link->exports_by_id, &id, sizeof(id), export);
	if (export) {
		object = binder_object_ref(export->object);
		*domain = export->domain;
	}
	pthread_mutex_unlock(&link->lock);
	return object;
}

struct export_node *nodes_handle_release(struct link *link, uint64_t id, uint64_t count)
{
	struct export_node *export;
	pthread_mutex_lock(&link->lock);
	HASH_FIND(by_id, link->exports_by_id, &id, sizeof(id), export);
	if (!export) {
		pthread_mutex_unlock(&link->lock);
		link_send_error(link, 0, BINDER_NAME_NOT_FOUND, "release of unknown node %llu",
		                (unsigned long long)id);
		return NULL;
	}
	if (count > export->sent) {
		log_warning("link %llu: %s released node %llu %llu times, sent %llu",
		            (unsigned long long)link->serial, link->peer_name,
		            (unsigned long long)id, (unsigned long long)count,
		            (unsigned long long)export->sent);
		count = export->sent;
	}
	export->sent -= count;
	if (export->sent) {
		pthread_mutex_unlock(&link->lock);
		return NULL;
	}
	HASH_DELETE(by_id, link->exports_by_id, export);
	HASH_DELETE(by_object, link->exports_by_object, export);
	export->released = true;
	bool pinned = export->pins > 0;
	pthread_mutex_unlock(&link->lock);
	log_debug("link %llu: node %llu released", (unsigned long long)link->serial,
	          (unsigned long long)id);
	/* A pinned export is freed by the thread that pinned it. */
	return pinned ? NULL : export;
}

void nodes_take_back_wire(struct link *link, Bridge__BinderObject **objects, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (!objects || !objects[i] ||
		    objects[i]->kind != BRIDGE__BINDER_OBJECT__KIND__SENDER_NODE)
			continue;
		uint64_t id = objects[i]->node_id;
		struct export_node *export;
		pthread_mutex_lock(&link->lock);
		HASH_FIND(by_id, link->exports_by_id, &id, sizeof(id), export);
		if (!export || export->sent == 0 || --export->sent > 0) {
			pthread_mutex_unlock(&link->lock);
			continue;
		}
		HASH_DELETE(by_id, link->exports_by_id, export);
		HASH_DELETE(by_object, link->exports_by_object, export);
		export->released = true;
		bool pinned = export->pins > 0;
		pthread_mutex_unlock(&link->lock);
		log_debug("link %llu: node %llu taken back (its frame was not sent)",
		          (unsigned long long)link->serial, (unsigned long long)id);
		/* A pinned export is freed by the thread that pinned it. */
		if (!pinned)
			export_free(export, false);
	}
}

void nodes_free_export(struct export_node *export)
{
	export_free(export, false);
}

/* ---- stand-ins ---- */

static void stand_in_destroy(void *user_data)
{
	struct stand_in *stand_in = user_data;
	link_unref(stand_in->link);
	free(stand_in);
}

static void stand_in_released(binder_object *self, void *user_data);

/* Finds or makes the stand-in for the peer's id in domain. link->lock
 * held. NULL when out of memory (or the domain is closing). */
static struct stand_in *stand_in_locked(struct domain *domain, uint64_t id, bool root)
{
	struct link *link = domain->link;
	struct stand_in_key key;
	struct stand_in *stand_in;

	memset(&key, 0, sizeof(key));
	key.domain = domain;
	key.id = id;
	HASH_FIND(hh, link->stand_ins, &key, sizeof(key), stand_in);
	if (stand_in)
		return stand_in;
	if (domain->closed)
		return NULL;
	stand_in = calloc(1, sizeof(*stand_in));
	if (!stand_in)
		return NULL;
	stand_in->key = key;
	stand_in->link = link_ref(link);
	stand_in->root = root;
	atomic_init(&stand_in->dead, false);
	struct binder_local_ops ops = stand_in_ops;
	ops.on_last_remote_reference = stand_in_released;
	ops.destroy = stand_in_destroy;
	/* The descriptor is the peer's to answer (the handler forwards
	 * INTERFACE_TRANSACTION). */
	if (binder_object_new_local(domain->context, "", &ops, stand_in, &stand_in->object) != 0) {
		link_unref(link);
		free(stand_in);
		return NULL;
	}
	stand_in->in_table = true;
	HASH_ADD(hh, link->stand_ins, key, sizeof(stand_in->key), stand_in);
	return stand_in;
}

/* The driver's last reference from other processes went: unless a parcel
 * carrying the stand-in is on its way (its BR_ACQUIRE follows), give the
 * peer back every reference we received. */
static void stand_in_released(binder_object *self, void *user_data)
{
	struct stand_in *stand_in = user_data;
	struct link *link = stand_in->link;

	pthread_mutex_lock(&link->lock);
	if (stand_in->in_table && stand_in->in_flight)
		stand_in->release_pending = true;
	if (!stand_in->in_table || stand_in->in_flight ||
	    binder_object_has_remote_references(self)) {
		pthread_mutex_unlock(&link->lock);
		return;
	}
	HASH_DELETE(hh, link->stand_ins, stand_in);
	stand_in->in_table = false;
	uint64_t count = stand_in->received;
	bool closed = link->closed;
	pthread_mutex_unlock(&link->lock);

	if (!closed && count) {
		Bridge__Release release = BRIDGE__RELEASE__INIT;
		release.node_id = stand_in->key.id;
		release.count = count;
		Bridge__Frame frame = BRIDGE__FRAME__INIT;
		frame.body_case = BRIDGE__FRAME__BODY_RELEASE;
		frame.release = &release;
		link_send(link, &frame);
	}
	binder_object_unref(stand_in->object);
}

int nodes_root_stand_in(struct domain *domain, uint64_t id, const char *descriptor,
                        struct stand_in **out)
{
	struct link *link = domain->link;
	(void)descriptor;
	pthread_mutex_lock(&link->lock);
	struct stand_in *stand_in = stand_in_locked(domain, id, true);
	if (stand_in) {
		stand_in->received++;
		binder_object_ref(stand_in->object);
	}
	pthread_mutex_unlock(&link->lock);
	if (!stand_in)
		return BINDER_NO_MEMORY;
	*out = stand_in;
	return 0;
}

bool nodes_stands_for(struct link *link, uint64_t id)
{
	struct stand_in *stand_in, *next;
	bool known = false;
	pthread_mutex_lock(&link->lock);
	HASH_ITER(hh, link->stand_ins, stand_in, next)
	{
		if (stand_in->key.id == id) {
			known = true;
			break;
		}
	}
	pthread_mutex_unlock(&link->lock);
	return known;
}

/* A stand-in for an object passed in calls dies alone: its node is killed
 * in the driver (binder_object_kill), so the local holders' death
 * recipients fire, and a proxy for it that another domain exports to a
 * third host sees the death too and passes it on (export_died). Then it
 * is released like any stand-in whose last reference went. */
static void kill_passed_stand_in(struct link *link, binder_object *object)
{
	int status = binder_object_kill(object);
	if (status == BINDER_INVALID_OPERATION)
		log_warning("link %llu: %s's node died, but this driver cannot make its stand-in "
		            "die alone: local holders get no death notification (their calls "
		            "fail)",
		            (unsigned long long)link->serial, link->peer_name);
	else if (status != 0)
		log_warning("link %llu: cannot make a stand-in die: %s",
		            (unsigned long long)link->serial, binder_status_to_string(status));
	stand_in_released(object, binder_object_user_data(object));
	binder_object_unref(object);
}

void nodes_handle_death(struct link *link, uint64_t id)
{
	struct stand_in *stand_in, *next;
	struct import_state *roots[CONFIG_MAX_IMPORTS];
	size_t root_count = 0;
	binder_object **passed = NULL;
	size_t passed_count = 0, passed_capacity = 0;

	pthread_mutex_lock(&link->lock);
	bool known = false;
	HASH_ITER(hh, link->stand_ins, stand_in, next)
	{
		if (stand_in->key.id != id)
			continue;
		known = true;
		atomic_store(&stand_in->dead, true);
		if (stand_in->root) {
			if (stand_in->key.domain->import && root_count < CONFIG_MAX_IMPORTS)
				roots[root_count++] = stand_in->key.domain->import;
			continue;
		}
		/* One stand-in per domain that received the id: a few. */
		if (passed_count == passed_capacity) {
			size_t capacity = passed_capacity ? passed_capacity * 2 : 4;
			binder_object **grown = realloc(passed, capacity * sizeof(*grown));
			if (!grown) {
				log_warning("link %llu: out of memory: a stand-in of node %llu "
				            "stays alive",
				            (unsigned long long)link->serial,
				            (unsigned long long)id);
				continue;
			}
			passed = grown;
			passed_capacity = capacity;
		}
		passed[passed_count++] = binder_object_ref(stand_in->object);
	}
	pthread_mutex_unlock(&link->lock);
	for (size_t i = 0; i < passed_count; i++)
		kill_passed_stand_in(link, passed[i]);
	free(passed);
	if (!known) {
		/* Released here already, or never sent: nothing stands for it. */
		log_debug("link %llu: death of node %llu, which nothing here stands for",
		          (unsigned long long)link->serial, (unsigned long long)id);
		return;
	}
	log_debug("link %llu: %s's node %llu died", (unsigned long long)link->serial,
	          link->peer_name, (unsigned long long)id);
	for (size_t i = 0; i < root_count; i++)
		imports_root_died(link, roots[i]);
}

void nodes_forget_domain(struct link *link, struct domain *domain)
{
	struct stand_in *stand_in, *next, *gone = NULL;
	struct export_node *export, *next_export;
	uint64_t *deaths = NULL;
	size_t death_count = 0, death_capacity = 0;

	pthread_mutex_lock(&link->lock);
	HASH_ITER(hh, link->stand_ins, stand_in, next)
	{
		if (stand_in->key.domain != domain)
			continue;
		HASH_DELETE(hh, link->stand_ins, stand_in);
		stand_in->in_table = false;
		HASH_ADD(hh, gone, key, sizeof(stand_in->key), stand_in);
	}
	/* The domain's proxies died with it: the peer's stand-ins for them
	 * die too. The exports stay until the peer releases them. */
	HASH_ITER(by_id, link->exports_by_id, export, next_export)
	{
		if (export->domain != domain)
			continue;
		if (death_count == death_capacity) {
			size_t capacity = death_capacity ? death_capacity * 2 : 16;
			uint64_t *grown = realloc(deaths, capacity * sizeof(*deaths));
			if (!grown)
				break;
			deaths = grown;
			death_capacity = capacity;
		}
		deaths[death_count++] = export->id;
	}
	bool closed = link->closed;
	pthread_mutex_unlock(&link->lock);

	HASH_ITER(hh, gone, stand_in, next)
	{
		HASH_DELETE(hh, gone, stand_in);
		if (!closed && stand_in->received) {
			Bridge__Release release = BRIDGE__RELEASE__INIT;
			release.node_id = stand_in->key.id;
			release.count = stand_in->received;
			Bridge__Frame frame = BRIDGE__FRAME__INIT;
			frame.body_case = BRIDGE__FRAME__BODY_RELEASE;
			frame.release = &release;
			link_send(link, &frame);
		}
		binder_object_unref(stand_in->object);
	}
	for (size_t i = 0; i < death_count && !closed; i++) {
		Bridge__Death death = BRIDGE__DEATH__INIT;
		death.node_id = deaths[i];
		Bridge__Frame frame = BRIDGE__FRAME__INIT;
		frame.body_case = BRIDGE__FRAME__BODY_DEATH;
		frame.death = &death;
		link_send(link, &frame);
	}
	free(deaths);
}

/* ---- translation ---- */

void nodes_free_wire(Bridge__BinderObject **objects, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(objects[i]);
	free(objects);
}

/* A parcel that does not leave: takes back the count each of its exports
 * got (counted[], one entry per sending) and drops the exports it made
 * (made[]: out of the tables, to free once unlocked), so that it leaves no
 * trace; the peer never heard of them and would never release them.
 * link->lock held, since before the parcel's first export: no one else
 * has seen the new ones. */
static void unexport_parcel_locked(struct link *link, struct export_node **counted,
                                   size_t counted_count, struct export_node **made,
                                   size_t made_count)
{
	for (size_t i = 0; i < counted_count; i++)
		counted[i]->sent--;
	for (size_t i = 0; i < made_count; i++) {
		HASH_DELETE(by_id, link->exports_by_id, made[i]);
		HASH_DELETE(by_object, link->exports_by_object, made[i]);
	}
}

int nodes_parcel_to_wire(struct domain *domain, binder_parcel *parcel, Bridge__BinderObject ***out,
                         size_t *out_count)
{
	struct link *link = domain->link;
	size_t count = binder_parcel_object_count(parcel);
	Bridge__BinderObject **objects = NULL;
	struct export_node **made = NULL, **counted = NULL;
	size_t made_count = 0, counted_count = 0;
	int status = 0;

	*out = NULL;
	*out_count = 0;
	if (!count)
		return 0;
	objects = calloc(count, sizeof(*objects));
	/* One array: the new exports, then every export counted. */
	made = calloc(2 * count, sizeof(*made));
	if (!objects || !made) {
		free(objects);
		free(made);
		return BINDER_NO_MEMORY;
	}
	counted = made + count;
	pthread_mutex_lock(&link->lock);
	for (size_t i = 0; i < count && status == 0; i++) {
		struct binder_parcel_object object;
		status = binder_parcel_object_at(parcel, i, &object);
		if (status != 0)
			break;
		if (object.kind == BINDER_PARCEL_OBJECT_FD) {
			status = BINDER_FDS_NOT_ALLOWED;
			break;
		}
		Bridge__BinderObject *wire = malloc(sizeof(*wire));
		if (!wire) {
			status = BINDER_NO_MEMORY;
			break;
		}
		bridge__binder_object__init(wire);
		objects[i] = wire;
		wire->offset = (uint32_t)object.offset;
		if (!object.object) {
			wire->kind = BRIDGE__BINDER_OBJECT__KIND__NULL_BINDER;
			continue;
		}
		if (binder_object_is_local(object.object)) {
			/* Our only local objects are stand-ins: this one goes home. */
			struct stand_in *stand_in = binder_object_user_data(object.object);
			if (binder_object_context(object.object) != domain->context ||
			    stand_in->link != link) {
				status = BINDER_BAD_VALUE;
				break;
			}
			wire->kind = BRIDGE__BINDER_OBJECT__KIND__RECEIVER_NODE;
			wire->node_id = stand_in->key.id;
			continue;
		}
		bool new_export;
		struct export_node *export = export_locked(domain, object.object, &new_export);
		if (!export) {
			status = BINDER_NO_MEMORY;
			break;
		}
		counted[counted_count++] = export;
		if (new_export)
			made[made_count++] = export;
		wire->kind = BRIDGE__BINDER_OBJECT__KIND__SENDER_NODE;
		wire->node_id = export->id;
	}
	if (status != 0)
		unexport_parcel_locked(link, counted, counted_count, made, made_count);
	pthread_mutex_unlock(&link->lock);
	for (size_t i = 0; i < made_count; i++) {
		if (status == 0)
			export_link_death_and_unpin(made[i]);
		else
			export_free(made[i], false); /* no death link yet */
	}
	free(made);
	if (status != 0) {
		if (counted_count)
			log_debug("link %llu: a parcel refused (%s): %zu references taken back, "
			          "%zu new exports dropped",
			          (unsigned long long)link->serial, binder_status_to_string(status),
			          counted_count, made_count);
		nodes_free_wire(objects, count);
		return status;
	}
	*out = objects;
	*out_count = count;
	return 0;
}

int nodes_wire_to_parcel(struct domain *domain, const uint8_t *data, size_t size,
                         Bridge__BinderObject **objects, size_t count, binder_parcel *parcel,
                         struct stand_in ***out_stand_ins, char *error, size_t error_size)
{
	struct link *link = domain->link;
	struct binder_parcel_object *items = NULL;
	struct stand_in **stand_ins = NULL;
	size_t stand_in_count = 0;
	int status = 0;

	*out_stand_ins = NULL;
	if (count) {
		items = calloc(count, sizeof(*items));
		stand_ins = calloc(count, sizeof(*stand_ins));
		if (!items || !stand_ins) {
			free(items);
			free(stand_ins);
			snprintf(error, error_size, "out of memory");
			return BINDER_NO_MEMORY;
		}
	}
	pthread_mutex_lock(&link->lock);
	for (size_t i = 0; i < count && status == 0; i++) {
		const Bridge__BinderObject *wire = objects[i];
		items[i].offset = wire->offset;
		items[i].kind = BINDER_PARCEL_OBJECT_BINDER;
		items[i].fd = -1;
		switch (wire->kind) {
		case BRIDGE__BINDER_OBJECT__KIND__NULL_BINDER:
			items[i].object = NULL;
			break;
		case BRIDGE__BINDER_OBJECT__KIND__RECEIVER_NODE: {
			struct export_node *export;
			uint64_t id = wire->node_id;
			HASH_FIND(by_id, link->exports_by_id, &id, sizeof(id), export);
			if (!export) {
				snprintf(error, error_size, "object %zu names node %llu, unknown",
				         i, (unsigned long long)id);
				status = BINDER_FAILED_TRANSACTION;
			} else if (export->domain != domain) {
				snprintf(
				        error, error_size,
				        "object %zu (node %llu) cannot go into this call's context",
				        i, (unsigned long long)id);
				status = BINDER_FAILED_TRANSACTION;
			} else {
				items[i].object = export->object;
			}
			break;
		}
		case BRIDGE__BINDER_OBJECT__KIND__SENDER_NODE: {
			struct stand_in *stand_in = stand_in_locked(domain, wire->node_id, false);
			if (!stand_in) {
				snprintf(error, error_size, "no stand-in for object %zu", i);
				status = BINDER_NO_MEMORY;
				break;
			}
			stand_in->received++;
			stand_in->in_flight++;
			stand_ins[stand_in_count++] = stand_in;
			items[i].object = stand_in->object;
			break;
		}
		default:
			snprintf(error, error_size, "object %zu of unknown kind", i);
			status = BINDER_FAILED_TRANSACTION;
		}
	}
	/* The parcel takes its references before the lock goes, so that no
	 * object in items can go meanwhile. */
	if (status == 0) {
		status = binder_parcel_assign_raw_borrowed(parcel, data, size, items, count);
		if (status != 0)
			snprintf(error, error_size, "the objects do not fit the data (%s)",
			         binder_status_to_string(status));
	}
	pthread_mutex_unlock(&link->lock);
	free(items);
	if (status != 0) {
		nodes_done_delivering(link, stand_ins, stand_in_count);
		return status;
	}
	if (stand_in_count) {
		*out_stand_ins = stand_ins;
	} else {
		free(stand_ins);
	}
	return 0;
}

void nodes_done_delivering(struct link *link, struct stand_in **stand_ins, size_t count)
{
	binder_object **again;
	size_t again_count = 0;

	if (!stand_ins)
		return;
	/* count comes from the peer's frame: on the heap, not the stack. */
	again = calloc(count ? count : 1, sizeof(*again));
	pthread_mutex_lock(&link->lock);
	for (size_t i = 0; i < count; i++) {
		struct stand_in *stand_in = stand_ins[i];
		if (!stand_in)
			continue;
		stand_in->in_flight--;
		/* The delivery is done: the driver's node work for it (the
		 * BR_INCREFS/BR_ACQUIRE the kernel queues on the sending
		 * thread, ahead of its BR_TRANSACTION_COMPLETE) has been
		 * handled, so "no remote references" now means the receiver
		 * holds none (it never took one, or dropped it before the
		 * driver told us). */
		if (again && !stand_in->in_flight && stand_in->in_table &&
		    (stand_in->release_pending ||
		     (!stand_in->root && !binder_object_has_remote_references(stand_in->object)))) {
			stand_in->release_pending = false;
			again[again_count++] = binder_object_ref(stand_in->object);
		}
	}
	pthread_mutex_unlock(&link->lock);
	/* Their last reference went while they were on their way, or they
	 * never got one: unless something holds them now, they are released
	 * (stand_in_released looks again). */
	for (size_t i = 0; i < again_count; i++) {
		stand_in_released(again[i], binder_object_user_data(again[i]));
		binder_object_unref(again[i]);
	}
	free(again);
	free(stand_ins);
}

struct delivery {
	struct link *link; /* held */
	struct stand_in **stand_ins;
	size_t count;
};

static void delivery_done(void *arg)
{
	struct delivery *delivery = arg;
	nodes_done_delivering(delivery->link, delivery->stand_ins, delivery->count);
	link_unref(delivery->link);
	free(delivery);
}

void nodes_done_delivering_with(struct link *link, binder_parcel *parcel,
                                struct stand_in **stand_ins, size_t count)
{
	struct delivery *delivery;

	if (!stand_ins)
		return;
	delivery = malloc(sizeof(*delivery));
	if (!delivery) {
		/* Early is safe for the object (the parcel holds it); a
		 * stand-in of no one then waits for its link to end. */
		nodes_done_delivering(link, stand_ins, count);
		return;
	}
	delivery->link = link_ref(link);
	delivery->stand_ins = stand_ins;
	delivery->count = count;
	binder_parcel_on_release(parcel, delivery_done, delivery);
}

void nodes_clear(struct link *link)
{
	struct export_node *export, *next_export;
	struct stand_in *stand_in, *next_stand_in;

	pthread_mutex_lock(&link->lock);
	struct export_node *exports = link->exports_by_id;
	struct export_node *exports_by_object = link->exports_by_object;
	struct stand_in *stand_ins = link->stand_ins;
	link->exports_by_id = NULL;
	link->exports_by_object = NULL;
	link->stand_ins = NULL;
	HASH_ITER(hh, stand_ins, stand_in, next_stand_in)
	stand_in->in_table = false;
	pthread_mutex_unlock(&link->lock);

	/* Both tables hold the same entries: the address table is let go
	 * whole (uthash frees it), the entries through the id table. */
	HASH_CLEAR(by_object, exports_by_object);
	HASH_ITER(by_id, exports, export, next_export)
	{
		HASH_DELETE(by_id, exports, export);
		export_free(export, true);
	}
	HASH_ITER(hh, stand_ins, stand_in, next_stand_in)
	{
		HASH_DELETE(hh, stand_ins, stand_in);
		binder_object_unref(stand_in->object);
	}
}
