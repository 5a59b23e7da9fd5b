/*
 * workers.c - the threads that serve a peer on a link: `threads` workers
 * for its two-way calls, its import requests and the freeing of released
 * nodes, and one thread for its oneway calls and deaths, which runs them
 * one at a time in the order they came (binder delivers oneway calls to a
 * node in order). Calls come with their nodes resolved (calls.c).
 * Queues are bounded: a peer that floods them is refused.
 */
#include "bridge.h"

#include <errno.h>
#include <stdlib.h>

#include "log.h"

/* Requests other than calls a peer may have queued at once. */
#define WORKERS_MAX_QUEUED 65536

static void run_job(struct link *link, struct job *job)
{
	Bridge__Frame *frame = job->frame;
	if (job->released) {
		nodes_free_export(job->released);
		return;
	}
	switch (frame->body_case) {
	case BRIDGE__FRAME__BODY_TRANSACTION:
		calls_run_transaction(link, frame, job->call);
		break;
	case BRIDGE__FRAME__BODY_IMPORT_REQUEST:
		imports_serve_request(link, frame->import_request);
		break;
	case BRIDGE__FRAME__BODY_IMPORT_REPLY:
		imports_handle_reply(link, frame->import_reply);
		break;
	case BRIDGE__FRAME__BODY_DEATH:
		nodes_handle_death(link, frame->death->node_id);
		break;
	default:
		break;
	}
}

static void serve(struct link *link, struct job_queue *queue, pthread_cond_t *ready, bool oneway)
{
	pthread_mutex_lock(&link->lock);
	for (;;) {
		while (!link->closed && TAILQ_EMPTY(queue))
			pthread_cond_wait(ready, &link->lock);
		if (link->closed)
			break;
		struct job *job = TAILQ_FIRST(queue);
		TAILQ_REMOVE(queue, job, entry);
		if (oneway)
			link->oneway_queued--;
		else
			link->jobs_queued--;
		pthread_mutex_unlock(&link->lock);
		run_job(link, job);
		frame_free(job->frame);
		free(job);
		pthread_mutex_lock(&link->lock);
	}
	pthread_mutex_unlock(&link->lock);
}

static void *worker_main(void *argument)
{
	struct link *link = argument;
	serve(link, &link->jobs, &link->jobs_ready, false);
	return NULL;
}

static void *oneway_main(void *argument)
{
	struct link *link = argument;
	serve(link, &link->oneway_jobs, &link->oneway_ready, true);
	return NULL;
}

int workers_start(struct link *link)
{
	uint32_t count = link->bridge->config->threads;
	int status = domain_new(link, NULL, &link->main_domain);
	if (status != 0) {
		log_error("link %llu: cannot open the binder device: %s",
		          (unsigned long long)link->serial, binder_status_to_string(status));
		return status;
	}
	link->threads = calloc(count, sizeof(*link->threads));
	if (!link->threads)
		return -ENOMEM;
	for (uint32_t i = 0; i < count; i++) {
		if (pthread_create(&link->threads[i], NULL, worker_main, link) != 0)
			break;
		link->thread_count++;
	}
	link->threads_started = true; /* the ones that started are joined */
	if (link->thread_count == 0)
		return -EAGAIN;
	if (pthread_create(&link->oneway_thread, NULL, oneway_main, link) != 0)
		return -EAGAIN;
	link->oneway_started = true;
	return 0;
}

int workers_queue_job(struct link *link, struct job *job, bool oneway)
{
	const struct config_limits *limits = &link->bridge->config->limits;
	pthread_mutex_lock(&link->lock);
	if (oneway) {
		if (link->oneway_queued >= limits->max_calls_in_flight * 4u) {
			pthread_mutex_unlock(&link->lock);
			return -ENOBUFS;
		}
		link->oneway_queued++;
		TAILQ_INSERT_TAIL(&link->oneway_jobs, job, entry);
		pthread_cond_signal(&link->oneway_ready);
	} else {
		if (link->jobs_queued >= WORKERS_MAX_QUEUED) {
			pthread_mutex_unlock(&link->lock);
			return -ENOBUFS;
		}
		link->jobs_queued++;
		TAILQ_INSERT_TAIL(&link->jobs, job, entry);
		pthread_cond_signal(&link->jobs_ready);
	}
	pthread_mutex_unlock(&link->lock);
	return 0;
}

int workers_queue(struct link *link, Bridge__Frame *frame, bool oneway)
{
	struct job *job = calloc(1, sizeof(*job));
	if (!job)
		return -ENOMEM;
	job->frame = frame;
	int status = workers_queue_job(link, job, oneway);
	if (status != 0)
		free(job);
	return status;
}

/* Jobs that will not run: what they hold goes (link->lock not held). */
static void drop_queue(struct link *link, struct job_queue *queue)
{
	struct job *job;
	while ((job = TAILQ_FIRST(queue))) {
		TAILQ_REMOVE(queue, job, entry);
		if (job->call)
			calls_discard(link, job->call);
		if (job->released)
			nodes_free_export(job->released);
		frame_free(job->frame);
		free(job);
	}
}

void workers_stop(struct link *link)
{
	pthread_mutex_lock(&link->lock);
	pthread_cond_broadcast(&link->jobs_ready);
	pthread_cond_broadcast(&link->oneway_ready);
	pthread_mutex_unlock(&link->lock);
	if (link->threads_started) {
		for (uint32_t i = 0; i < link->thread_count; i++)
			pthread_join(link->threads[i], NULL);
		if (link->oneway_started)
			pthread_join(link->oneway_thread, NULL);
	}
	struct job_queue jobs, oneway_jobs;
	TAILQ_INIT(&jobs);
	TAILQ_INIT(&oneway_jobs);
	pthread_mutex_lock(&link->lock);
	TAILQ_CONCAT(&jobs, &link->jobs, entry);
	TAILQ_CONCAT(&oneway_jobs, &link->oneway_jobs, entry);
	pthread_mutex_unlock(&link->lock);
	drop_queue(link, &jobs);
	drop_queue(link, &oneway_jobs);
}
