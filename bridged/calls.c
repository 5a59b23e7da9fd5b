/*
 * calls.c - calls across a link, with binder's thread semantics.
 *
 * A local client's call to a stand-in runs the stand-in's handler on a
 * binder thread, which sends a Transaction and waits for the Reply. Every
 * two-way call belongs to a chain: the chain of the peer's call this
 * thread is running, if any (a nested call), else a new one. While a
 * thread waits in a chain, the peer's calls of that chain come to it (the
 * loop thread hands them over), and it runs them itself: the call it makes
 * to a local object then sits on the driver's transaction stack of the
 * waiting chain, so the driver sends calls that come back further to the
 * threads that wait in it, on this host as on the other. With that, one
 * thread per side is enough for any depth.
 *
 * The peer's calls that belong to no waiting chain go to the link's
 * workers (workers.c); oneway calls to its oneway thread, in order.
 */
#include "bridge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

/* What this thread is running for a peer: the calls of which chain. */
struct thread_frame {
	struct link *link;
	uint64_t chain_id;
	struct thread_frame *outer;
};

static __thread struct thread_frame *current_frame;

static uint64_t chain_of(struct link *link)
{
	for (struct thread_frame *frame = current_frame; frame; frame = frame->outer)
		if (frame->link == link)
			return frame->chain_id;
	return 0;
}

static int status_from_send(int error)
{
	switch (error) {
	case 0:
		return 0;
	case -EPIPE:
		return BINDER_DEAD_OBJECT;
	case -EMSGSIZE:
		return BINDER_BAD_VALUE;
	default:
		return BINDER_FAILED_TRANSACTION;
	}
}

static void deadline_after(struct timespec *deadline, uint32_t milliseconds)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += milliseconds / 1000;
	deadline->tv_nsec += (long)(milliseconds % 1000) * 1000000L;
	if (deadline->tv_nsec >= 1000000000L) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000L;
	}
}

/* Registers waiter as the thread that waits in chain_id; returns the
 * waiter it replaces (an outer wait of the same chain) or NULL.
 * link->lock held. */
static int chain_enter_locked(struct link *link, uint64_t chain_id, struct waiter *waiter,
                              struct waiter **outer)
{
	struct chain_entry *entry;
	HASH_FIND(hh, link->chains, &chain_id, sizeof(chain_id), entry);
	if (entry) {
		*outer = entry->waiter;
		entry->waiter = waiter;
		return 0;
	}
	entry = calloc(1, sizeof(*entry));
	if (!entry)
		return BINDER_NO_MEMORY;
	entry->chain_id = chain_id;
	entry->waiter = waiter;
	*outer = NULL;
	HASH_ADD(hh, link->chains, chain_id, sizeof(entry->chain_id), entry);
	return 0;
}

static void chain_leave_locked(struct link *link, uint64_t chain_id, struct waiter *outer)
{
	struct chain_entry *entry;
	HASH_FIND(hh, link->chains, &chain_id, sizeof(chain_id), entry);
	if (!entry)
		return;
	if (outer) {
		entry->waiter = outer;
	} else {
		HASH_DELETE(hh, link->chains, entry);
		free(entry);
	}
}

/* Sends a oneway call: nothing to wait for. */
static int forward_oneway(struct link *link, Bridge__Transaction *transaction)
{
	pthread_mutex_lock(&link->lock);
	transaction->call_id = link->next_call_id++;
	pthread_mutex_unlock(&link->lock);
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_TRANSACTION;
	frame.transaction = transaction;
	return status_from_send(link_send(link, &frame));
}

/* Runs the peer's calls of this chain that came while waiting, until the
 * reply is there, the call failed or the peer went silent too long. */
static Bridge__Frame *wait_for_reply(struct link *link, struct waiter *waiter, int *failure)
{
	uint32_t timeout = link->bridge->config->limits.call_timeout_ms;
	struct timespec deadline;

	deadline_after(&deadline, timeout);
	pthread_mutex_lock(&link->lock);
	for (;;) {
		if (!TAILQ_EMPTY(&waiter->nested)) {
			struct job *job = TAILQ_FIRST(&waiter->nested);
			TAILQ_REMOVE(&waiter->nested, job, entry);
			pthread_mutex_unlock(&link->lock);
			calls_run_transaction(link, job->frame, job->call);
			frame_free(job->frame);
			free(job);
			deadline_after(&deadline, timeout);
			pthread_mutex_lock(&link->lock);
			continue;
		}
		if (waiter->done)
			break;
		if (pthread_cond_timedwait(&waiter->wake, &link->lock, &deadline) == ETIMEDOUT &&
		    !waiter->done && TAILQ_EMPTY(&waiter->nested)) {
			waiter->failure = BINDER_TIMED_OUT;
			break;
		}
	}
	Bridge__Frame *reply = waiter->reply;
	*failure = waiter->failure;
	pthread_mutex_unlock(&link->lock);
	return reply;
}

/* Room for a call's description in the logs: three names and numbers. */
#define CALL_DESCRIPTION_SIZE (3 * (CONFIG_MAX_NAME + 1) + 96)

/* Names the target of a call for the logs: an imported service by its
 * local name and the peer's ("calculator (hostb's calculator, node 1)"),
 * any other stand-in as what it is. */
static void describe_call(const struct stand_in *stand_in, uint32_t code, char *text, size_t size)
{
	const struct import_state *import = stand_in->key.domain->import;
	unsigned long long id = stand_in->key.id;

	if (stand_in->root && import)
		snprintf(text, size, "a call of code %u to %s (%s's %s, node %llu)", code,
		         import->config->local_name, stand_in->link->peer_name,
		         import->config->service, id);
	else
		snprintf(text, size, "a call of code %u to an object passed in calls (node %llu)",
		         code, id);
}

/* binder_parcel_on_release's callback for a reply that borrowed from the
 * peer's Reply frame. */
static void free_answer(void *frame)
{
	frame_free(frame);
}

static int forward_call(struct stand_in *stand_in, uint32_t code, binder_parcel *data,
                        binder_parcel *reply, uint32_t flags)
{
	struct link *link = stand_in->link;
	struct domain *domain = stand_in->key.domain;
	Bridge__Transaction transaction = BRIDGE__TRANSACTION__INIT;
	Bridge__BinderObject **objects = NULL;
	size_t object_count = 0;
	char what[CALL_DESCRIPTION_SIZE];
	int status;

	if (atomic_load(&stand_in->dead))
		return BINDER_DEAD_OBJECT;
	status = nodes_parcel_to_wire(domain, data, &objects, &object_count);
	if (status == BINDER_FDS_NOT_ALLOWED) {
		describe_call(stand_in, code, what, sizeof(what));
		log_warning("link %llu: %s carries a file descriptor, which cannot cross to %s: "
		            "refused (%s)",
		            (unsigned long long)link->serial, what, link->peer_name,
		            binder_status_to_string(status));
	}
	if (status != 0)
		return status;
	transaction.target_node = stand_in->key.id;
	transaction.code = code;
	transaction.flags = flags & FRAME_FLAG_ONEWAY;
	transaction.data.data = (uint8_t *)binder_parcel_data(data);
	transaction.data.len = binder_parcel_data_size(data);
	transaction.n_objects = object_count;
	transaction.objects = objects;

	if (flags & FRAME_FLAG_ONEWAY) {
		status = forward_oneway(link, &transaction);
		if (status != 0)
			nodes_take_back_wire(link, objects, object_count);
		nodes_free_wire(objects, object_count);
		return status;
	}

	struct waiter waiter;
	memset(&waiter, 0, sizeof(waiter));
	pthread_condattr_t attributes;
	pthread_condattr_init(&attributes);
	pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
	pthread_cond_init(&waiter.wake, &attributes);
	pthread_condattr_destroy(&attributes);
	TAILQ_INIT(&waiter.nested);
	struct pending_call *pending = calloc(1, sizeof(*pending));
	struct waiter *outer = NULL;

	pthread_mutex_lock(&link->lock);
	if (!pending || link->closed) {
		pthread_mutex_unlock(&link->lock);
		free(pending);
		nodes_free_wire(objects, object_count);
		pthread_cond_destroy(&waiter.wake);
		return pending ? BINDER_DEAD_OBJECT : BINDER_NO_MEMORY;
	}
	uint64_t chain_id = chain_of(link);
	if (!chain_id) {
		chain_id = link->next_chain_id;
		link->next_chain_id += 2;
	}
	status = chain_enter_locked(link, chain_id, &waiter, &outer);
	pending->call_id = link->next_call_id++;
	pending->waiter = &waiter;
	if (status == 0)
		HASH_ADD(hh, link->calls, call_id, sizeof(pending->call_id), pending);
	pthread_mutex_unlock(&link->lock);
	if (status != 0) {
		free(pending);
		nodes_free_wire(objects, object_count);
		pthread_cond_destroy(&waiter.wake);
		return status;
	}
	transaction.call_id = pending->call_id;
	transaction.chain_id = chain_id;
	uint64_t call_id = pending->call_id;

	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_TRANSACTION;
	frame.transaction = &transaction;
	int failure = 0;
	Bridge__Frame *answer = NULL;
	status = status_from_send(link_send(link, &frame));
	if (status != 0)
		nodes_take_back_wire(link, objects, object_count);
	nodes_free_wire(objects, object_count);
	if (status == 0)
		answer = wait_for_reply(link, &waiter, &failure);

	/* Forget the call (unless the reply or a failure took it already)
	 * and hand calls of the chain that came too late to the workers. */
	pthread_mutex_lock(&link->lock);
	HASH_FIND(hh, link->calls, &call_id, sizeof(call_id), pending);
	if (pending) {
		HASH_DELETE(hh, link->calls, pending);
		free(pending);
	}
	chain_leave_locked(link, chain_id, outer);
	struct job_queue late;
	TAILQ_INIT(&late);
	TAILQ_CONCAT(&late, &waiter.nested, entry);
	pthread_mutex_unlock(&link->lock);
	struct job *job;
	while ((job = TAILQ_FIRST(&late))) {
		TAILQ_REMOVE(&late, job, entry);
		calls_run_transaction(link, job->frame, job->call);
		frame_free(job->frame);
		free(job);
	}
	pthread_cond_destroy(&waiter.wake);

	if (status != 0)
		return status;
	if (!answer) {
		if (failure == BINDER_TIMED_OUT)
			log_warning("link %llu: call %llu to %s timed out",
			            (unsigned long long)link->serial, (unsigned long long)call_id,
			            link->peer_name);
		return failure ? failure : BINDER_DEAD_OBJECT;
	}
	Bridge__Reply *result = answer->reply;
	status = result->status;
	if (status == BINDER_FDS_NOT_ALLOWED) {
		/* The peer's bridged refused its service's reply (send_reply). */
		describe_call(stand_in, code, what, sizeof(what));
		log_warning("link %llu: %s: %s answered \"%s\" (its reply carried a file "
		            "descriptor, which cannot cross hosts)",
		            (unsigned long long)link->serial, what, link->peer_name,
		            binder_status_to_string(status));
	}
	if (status == 0 && reply) {
		char error[200];
		struct stand_in **stand_ins = NULL;
		status = nodes_wire_to_parcel(domain, result->data.data, result->data.len,
		                              result->objects, result->n_objects, reply, &stand_ins,
		                              error, sizeof(error));
		if (status != 0) {
			log_warning("link %llu: bad reply from %s: %s",
			            (unsigned long long)link->serial, link->peer_name, error);
			link_send_error(link, 0, status, "reply to call %llu refused: %s",
			                (unsigned long long)call_id, error);
			nodes_done_delivering(link, stand_ins, result->n_objects);
		} else if (result->n_objects == 0) {
			/* reply borrows the payload from answer (nodes_wire_to_parcel):
			 * answer goes when libbinder has sent reply and frees it. */
			binder_parcel_on_release(reply, free_answer, answer);
			return status;
		} else {
			/* reply is the handler's: its stand-ins are on their way
			 * until libbinder has sent it and freed it. */
			nodes_done_delivering_with(link, reply, stand_ins, result->n_objects);
		}
	}
	frame_free(answer);
	return status;
}

int calls_forward(struct stand_in *stand_in, uint32_t code, binder_parcel *data,
                  binder_parcel *reply, uint32_t flags)
{
	bool oneway = flags & FRAME_FLAG_ONEWAY;
	uint64_t started = bridge_metrics_call_started(stand_in->link, oneway);
	int status = forward_call(stand_in, code, data, reply, flags);
	bridge_metrics_call_ended(stand_in->link, oneway, status, started);
	return status;
}

/* ---- the peer's calls ---- */

/* Sends the Reply to the peer's call transaction (whose status and reply
 * parcel they are); a reply that cannot cross (a file descriptor) becomes
 * its failure. */
static void send_reply(struct link *link, const Bridge__Transaction *transaction, int status,
                       binder_parcel *reply, struct domain *domain)
{
	Bridge__Reply answer = BRIDGE__REPLY__INIT;
	Bridge__BinderObject **objects = NULL;
	size_t object_count = 0;
	uint64_t call_id = transaction->call_id;

	answer.call_id = call_id;
	if (status == 0 && reply) {
		status = nodes_parcel_to_wire(domain, reply, &objects, &object_count);
		if (status == BINDER_FDS_NOT_ALLOWED)
			log_warning("link %llu: the reply to %s's call of code %u to node %llu "
			            "carries a file descriptor, which cannot cross to %s: refused "
			            "(%s)",
			            (unsigned long long)link->serial, link->peer_name,
			            transaction->code, (unsigned long long)transaction->target_node,
			            link->peer_name, binder_status_to_string(status));
		if (status == 0) {
			answer.data.data = (uint8_t *)binder_parcel_data(reply);
			answer.data.len = binder_parcel_data_size(reply);
			answer.n_objects = object_count;
			answer.objects = objects;
		}
	}
	/* A positive status is the service's own code: it crosses as it is
	 * and the peer's stand-in replies with it (AOSP passes it on). */
	answer.status = status;
	Bridge__Frame frame = BRIDGE__FRAME__INIT;
	frame.body_case = BRIDGE__FRAME__BODY_REPLY;
	frame.reply = &answer;
	int sent = link_send(link, &frame);
	if (sent != 0)
		nodes_take_back_wire(link, objects, object_count);
	if (sent == -EMSGSIZE) {
		/* Too big for the peer: it gets the failure instead. */
		Bridge__Reply failed = BRIDGE__REPLY__INIT;
		failed.call_id = call_id;
		failed.status = BINDER_FAILED_TRANSACTION;
		frame.reply = &failed;
		link_send(link, &frame);
	}
	nodes_free_wire(objects, object_count);
}

/* A peer's call with its nodes resolved: made on the loop when the frame
 * comes, so that a Release that comes after it cannot take a node it
 * names, and one that came before it has (binder's order). */
struct prepared_call {
	binder_object *target; /* held; NULL when refused */
	struct domain *domain;
	binder_parcel *data;
	struct stand_in **stand_ins; /* in flight until delivered */
	size_t object_count;
	int status; /* non-zero: refuse with error */
	char error[200];
};

static struct prepared_call *prepare_call(struct link *link, const Bridge__Transaction *transaction)
{
	struct prepared_call *call = calloc(1, sizeof(*call));
	if (!call)
		return NULL;
	call->object_count = transaction->n_objects;
	call->target = nodes_find_export(link, transaction->target_node, &call->domain);
	if (!call->target) {
		snprintf(call->error, sizeof(call->error), "call to unknown node %llu",
		         (unsigned long long)transaction->target_node);
		call->status = BINDER_FAILED_TRANSACTION;
		return call;
	}
	call->data = binder_parcel_new();
	if (!call->data) {
		snprintf(call->error, sizeof(call->error), "out of memory");
		call->status = BINDER_NO_MEMORY;
		return call;
	}
	call->status =
	        nodes_wire_to_parcel(call->domain, transaction->data.data, transaction->data.len,
	                             transaction->objects, transaction->n_objects, call->data,
	                             &call->stand_ins, call->error, sizeof(call->error));
	return call;
}

void calls_discard(struct link *link, struct prepared_call *call)
{
	if (!call)
		return;
	nodes_done_delivering(link, call->stand_ins, call->object_count);
	binder_parcel_free(call->data);
	binder_object_unref(call->target);
	free(call);
}

void calls_run_transaction(struct link *link, Bridge__Frame *frame, struct prepared_call *call)
{
	const Bridge__Transaction *transaction = frame->transaction;
	bool oneway = transaction->flags & FRAME_FLAG_ONEWAY;
	binder_parcel *reply = NULL;
	int status = call ? call->status : BINDER_NO_MEMORY;

	bridge_metrics_call_received(link);
	if (status == 0) {
		reply = binder_parcel_new();
		if (!reply) {
			status = BINDER_NO_MEMORY;
			snprintf(call->error, sizeof(call->error), "out of memory");
		}
	}
	if (status != 0) {
		const char *error = call ? call->error : "out of memory";
		log_warning("link %llu: %s refused: %s", (unsigned long long)link->serial,
		            link->peer_name, error);
		if (oneway)
			link_send_error(link, transaction->call_id, status, "%s", error);
		else
			send_reply(link, transaction, status, NULL, NULL);
	} else {
		struct thread_frame running = {link, transaction->chain_id, current_frame};
		current_frame = &running;
		status = binder_object_transact(call->target, transaction->code, call->data,
		                                oneway ? NULL : reply,
		                                oneway ? BINDER_FLAG_ONEWAY : 0);
		current_frame = running.outer;
		if (status == BINDER_POSITIVE_STATUS)
			status = binder_last_positive_status();
		if (oneway) {
			if (status != 0)
				log_debug("link %llu: oneway call %llu: %s",
				          (unsigned long long)link->serial,
				          (unsigned long long)transaction->call_id,
				          binder_status_to_string(status));
		} else {
			send_reply(link, transaction, status, reply, call->domain);
		}
	}
	binder_parcel_free(reply);
	calls_discard(link, call);
	if (!oneway) {
		pthread_mutex_lock(&link->lock);
		link->peer_calls_running--;
		pthread_mutex_unlock(&link->lock);
	}
}

void calls_incoming_transaction(struct link *link, Bridge__Frame *frame)
{
	const Bridge__Transaction *transaction = frame->transaction;
	uint32_t limit = link->bridge->config->limits.max_calls_in_flight;

	if (transaction->flags & FRAME_FLAG_ONEWAY) {
		struct job *job = calloc(1, sizeof(*job));
		if (job) {
			job->frame = frame;
			job->call = prepare_call(link, transaction);
		}
		if (!job || workers_queue_job(link, job, true) != 0) {
			link_send_error(link, transaction->call_id, BINDER_WOULD_BLOCK,
			                "oneway queue full: call dropped");
			if (job)
				calls_discard(link, job->call);
			free(job);
			frame_free(frame);
		}
		return;
	}
	pthread_mutex_lock(&link->lock);
	if (link->peer_calls_running >= limit) {
		pthread_mutex_unlock(&link->lock);
		Bridge__Reply busy = BRIDGE__REPLY__INIT;
		busy.call_id = transaction->call_id;
		busy.status = BINDER_WOULD_BLOCK;
		Bridge__Frame answer = BRIDGE__FRAME__INIT;
		answer.body_case = BRIDGE__FRAME__BODY_REPLY;
		answer.reply = &busy;
		link_send(link, &answer);
		frame_free(frame);
		return;
	}
	link->peer_calls_running++;
	pthread_mutex_unlock(&link->lock);
	struct job *job = calloc(1, sizeof(*job));
	if (!job) {
		pthread_mutex_lock(&link->lock);
		link->peer_calls_running--;
		pthread_mutex_unlock(&link->lock);
		frame_free(frame);
		link_close(link, "out of memory for a call");
		return;
	}
	job->frame = frame;
	/* Resolved before any later frame is looked at (lock not held: it
	 * takes the lock itself). */
	job->call = prepare_call(link, transaction);

	struct chain_entry *entry = NULL;
	uint64_t chain_id = transaction->chain_id;
	pthread_mutex_lock(&link->lock);
	HASH_FIND(hh, link->chains, &chain_id, sizeof(chain_id), entry);
	if (entry) {
		TAILQ_INSERT_TAIL(&entry->waiter->nested, job, entry);
		pthread_cond_signal(&entry->waiter->wake);
		pthread_mutex_unlock(&link->lock);
		return;
	}
	pthread_mutex_unlock(&link->lock);
	if (workers_queue_job(link, job, false) != 0) {
		pthread_mutex_lock(&link->lock);
		link->peer_calls_running--;
		pthread_mutex_unlock(&link->lock);
		calls_discard(link, job->call);
		free(job);
		frame_free(frame);
		link_close(link, "cannot queue a call");
	}
}

void calls_incoming_reply(struct link *link, Bridge__Frame *frame)
{
	uint64_t call_id = frame->reply->call_id;
	struct pending_call *pending;

	pthread_mutex_lock(&link->lock);
	HASH_FIND(hh, link->calls, &call_id, sizeof(call_id), pending);
	if (pending) {
		HASH_DELETE(hh, link->calls, pending);
		pending->waiter->reply = frame;
		pending->waiter->done = true;
		pthread_cond_signal(&pending->waiter->wake);
		free(pending);
	}
	pthread_mutex_unlock(&link->lock);
	if (!pending) {
		/* A reply after its call timed out lands here too. */
		log_debug("link %llu: reply to no call (%llu)", (unsigned long long)link->serial,
		          (unsigned long long)call_id);
		link_send_error(link, 0, BINDER_BAD_VALUE, "reply to no call (%llu)",
		                (unsigned long long)call_id);
		frame_free(frame);
	}
}

void calls_incoming_error(struct link *link, uint64_t call_id, int32_t status)
{
	struct pending_call *pending;
	pthread_mutex_lock(&link->lock);
	HASH_FIND(hh, link->calls, &call_id, sizeof(call_id), pending);
	if (pending) {
		HASH_DELETE(hh, link->calls, pending);
		pending->waiter->failure = status < 0 ? status : BINDER_FAILED_TRANSACTION;
		pending->waiter->done = true;
		pthread_cond_signal(&pending->waiter->wake);
		free(pending);
	}
	pthread_mutex_unlock(&link->lock);
}

void calls_fail_all(struct link *link)
{
	struct pending_call *pending, *next;
	pthread_mutex_lock(&link->lock);
	HASH_ITER(hh, link->calls, pending, next)
	{
		HASH_DELETE(hh, link->calls, pending);
		pending->waiter->failure = BINDER_DEAD_OBJECT;
		pending->waiter->done = true;
		pthread_cond_signal(&pending->waiter->wake);
		free(pending);
	}
	pthread_mutex_unlock(&link->lock);
}
