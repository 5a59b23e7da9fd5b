/*
 * imports.c - named services across the link, both ways.
 *
 * Exporting side: the peer asks for a service by name; if the config
 * exports that name to that peer and the local servicemanager has it, the
 * answer is a node id for it (and its descriptor).
 *
 * Importing side: when the link comes up, each import of that peer is
 * asked for; the answer becomes a stand-in in a domain (libbinder context)
 * of its own, registered with the local servicemanager under the import's
 * local name. When the remote service dies, that domain is closed: the
 * stand-in dies for its holders and servicemanager forgets the name; the
 * import is asked for again, with backoff, until the peer serves it again.
 * A service the peer does not serve yet is asked for again the same way.
 */
#include "bridge.h"

#include <stdlib.h>
#include <string.h>

#include "binder/service_manager.h"
#include "log.h"

#define IMPORT_RETRY_MIN_MS 200
#define IMPORT_RETRY_MAX_MS 5000

/* Guards the import states' request ids between the loop and workers. */
static pthread_mutex_t imports_lock = PTHREAD_MUTEX_INITIALIZER;

/* Request ids carry the import's index in their low 16 bits. */
#define REQUEST_INDEX_BITS 16

static void send_request(struct peer *peer, struct import_state *import, struct link *link)
{
	size_t index = (size_t)(import - peer->imports);
	pthread_mutex_lock(&imports_lock);
	uint64_t request_id = (++peer->bridge->next_request_id << REQUEST_INDEX_BITS) | index;
	import->request_id = request_id;
	pthread_mutex_unlock(&imports_lock);
	Bridge__ImportRequest request = BRIDGE__IMPORT_REQUEST__INIT;
	request.request_id = request_id;
	request.name = import->config->service;
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_IMPORT_REQUEST;
	frame.import_request = &request;
	log_debug("asking %s for %s", peer->config->name, import->config->service);
	link_send(link, &frame);
}

static void retry_now(evutil_socket_t fd, short what, void *argument)
{
	struct import_state *import = argument;
	struct peer *peer = import->peer;
	(void)fd;
	(void)what;
	if (peer->link && !peer->bridge->stopping)
		send_request(peer, import, peer->link);
}

/* Any thread: asks again later, each time waiting longer. */
static void schedule_retry(struct import_state *import)
{
	pthread_mutex_lock(&imports_lock);
	uint32_t delay = import->retry_ms ? import->retry_ms : IMPORT_RETRY_MIN_MS;
	import->retry_ms = delay * 2 > IMPORT_RETRY_MAX_MS ? IMPORT_RETRY_MAX_MS : delay * 2;
	import->request_id = 0;
	pthread_mutex_unlock(&imports_lock);
	struct timeval when = {delay / 1000, (suseconds_t)(delay % 1000) * 1000};
	if (import->retry)
		evtimer_add(import->retry, &when);
}

void imports_link_up(struct peer *peer, struct link *link)
{
	for (size_t i = 0; i < peer->import_count; i++) {
		struct import_state *import = &peer->imports[i];
		if (!import->retry)
			import->retry = evtimer_new(peer->bridge->base, retry_now, import);
		pthread_mutex_lock(&imports_lock);
		import->retry_ms = 0;
		pthread_mutex_unlock(&imports_lock);
		send_request(peer, import, link);
	}
}

void imports_link_down(struct peer *peer)
{
	for (size_t i = 0; i < peer->import_count; i++) {
		struct import_state *import = &peer->imports[i];
		if (import->retry)
			evtimer_del(import->retry);
		pthread_mutex_lock(&imports_lock);
		import->request_id = 0;
		import->imported = false;
		pthread_mutex_unlock(&imports_lock);
	}
}

static void send_import_reply(struct link *link, uint64_t request_id, int status, uint64_t id,
                              const char *descriptor)
{
	Bridge__ImportReply reply = BRIDGE__IMPORT_REPLY__INIT;
	reply.request_id = request_id;
	reply.status = status;
	reply.node_id = status == 0 ? id : 0;
	reply.descriptor = (char *)(status == 0 ? descriptor : "");
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_IMPORT_REPLY;
	frame.import_reply = &reply;
	link_send(link, &frame);
}

void imports_serve_request(struct link *link, const Bridge__ImportRequest *request)
{
	const struct config *config = link->bridge->config;
	binder_object *service = NULL;
	char *descriptor = NULL;
	uint64_t id = 0;

	if (!config_exports_to(config, request->name, link->peer_name)) {
		log_warning("link %llu: %s asked for %s, which is not exported to it",
		            (unsigned long long)link->serial, link->peer_name, request->name);
		send_import_reply(link, request->request_id, BINDER_PERMISSION_DENIED, 0, NULL);
		return;
	}
	int status =
	        binder_service_manager_check(link->main_domain->context, request->name, &service);
	if (status == 0 && binder_object_descriptor(service, &descriptor) != 0)
		descriptor = NULL;
	if (status == 0 && (!descriptor || strlen(descriptor) > FRAME_MAX_DESCRIPTOR)) {
		free(descriptor);
		descriptor = strdup("");
	}
	if (status == 0)
		status = nodes_export_root(link->main_domain, service, &id);
	if (status == 0)
		log_info("link %llu: exporting %s to %s as node %llu",
		         (unsigned long long)link->serial, request->name, link->peer_name,
		         (unsigned long long)id);
	else
		log_info("link %llu: %s asked for %s: %s", (unsigned long long)link->serial,
		         link->peer_name, request->name, binder_status_to_string(status));
	send_import_reply(link, request->request_id, status == 0 ? 0 : BINDER_NAME_NOT_FOUND, id,
	                  descriptor ? descriptor : "");
	free(descriptor);
	binder_object_unref(service);
}

void imports_handle_reply(struct link *link, const Bridge__ImportReply *reply)
{
	struct peer *peer = link->peer;
	size_t index = (size_t)(reply->request_id & ((1u << REQUEST_INDEX_BITS) - 1));

	if (!peer || index >= peer->import_count) {
		link_send_error(link, 0, BINDER_BAD_VALUE, "import reply to no request");
		return;
	}
	struct import_state *import = &peer->imports[index];
	pthread_mutex_lock(&imports_lock);
	bool expected = import->request_id == reply->request_id;
	if (expected)
		import->request_id = 0;
	pthread_mutex_unlock(&imports_lock);
	if (!expected) {
		link_send_error(link, 0, BINDER_BAD_VALUE, "import reply to no request");
		return;
	}
	const char *local_name = import->config->local_name;
	if (reply->status != 0) {
		log_info("%s: %s has no %s for us (%s); asking again later", local_name,
		         peer->config->name, import->config->service,
		         binder_status_to_string(reply->status));
		if (reply->status != BINDER_PERMISSION_DENIED)
			schedule_retry(import);
		return;
	}
	struct domain *domain;
	struct stand_in *stand_in;
	int status = domain_new(link, import, &domain);
	if (status != 0) {
		log_error("%s: cannot open the binder device: %s", local_name,
		          binder_status_to_string(status));
		schedule_retry(import);
		return;
	}
	status = nodes_root_stand_in(domain, reply->node_id, reply->descriptor, &stand_in);
	if (status == 0) {
		status = binder_service_manager_add(domain->context, local_name, stand_in->object);
		binder_object_unref(stand_in->object);
	}
	if (status != 0) {
		log_error("%s: cannot register the import with servicemanager: %s", local_name,
		          binder_status_to_string(status));
		pthread_mutex_lock(&link->lock);
		domain->closed = true;
		pthread_mutex_unlock(&link->lock);
		binder_context_close(domain->context);
		schedule_retry(import);
		return;
	}
	pthread_mutex_lock(&imports_lock);
	import->imported = true;
	import->retry_ms = 0;
	pthread_mutex_unlock(&imports_lock);
	log_info("imported %s from %s as %s", import->config->service, peer->config->name,
	         local_name);
}

void imports_root_died(struct link *link, struct import_state *import)
{
	struct domain *domain, *dead = NULL;

	pthread_mutex_lock(&link->lock);
	LIST_FOREACH(domain, &link->domains, entry)
	{
		if (domain->import == import && !domain->closed) {
			domain->closed = true;
			dead = domain;
		}
	}
	pthread_mutex_unlock(&link->lock);
	pthread_mutex_lock(&imports_lock);
	import->imported = false;
	pthread_mutex_unlock(&imports_lock);
	log_info("%s: the service died on %s; waiting for it to come back",
	         import->config->local_name, link->peer_name);
	/* Its holders get their death notifications; servicemanager forgets
	 * the name. */
	if (dead) {
		binder_context_close(dead->context);
		nodes_forget_domain(link, dead);
	}
	schedule_retry(import);
}
