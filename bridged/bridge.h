/*
 * bridge.h - bridged's internal types and the functions its files share.
 *
 * Threads and locks (read this first):
 *  - The event loop thread (main.c, one libevent base) owns every socket:
 *    listeners, TLS bufferevents, timers, the peers' reconnect state and
 *    each link's handshake. It never makes a binder call and never waits
 *    for a lock that a binder call is made under.
 *  - Binder threads: libbinder's pool threads of bridged's contexts run
 *    the stand-ins' handlers (a local client calls an imported object),
 *    which send a Transaction and wait for its Reply (calls.c).
 *  - Each link has its workers (workers.c): `threads` threads that run
 *    the peer's two-way calls and its other requests, plus one thread that
 *    runs its oneway calls in order.
 *  - link->lock guards the link's tables (calls in flight, waiting
 *    chains, nodes in both directions, domains, the work queues) and
 *    `closed`. No binder call and no bufferevent call is made with it
 *    held; a frame is written to the bufferevent (BEV_OPT_THREADSAFE)
 *    after it is released.
 *  - A link is reference counted: the loop, every thread that works for
 *    it and every stand-in hold one. Its teardown (closing its libbinder
 *    contexts, which waits for their threads) runs on a thread of its own.
 *
 * Names: a "link" is one TLS connection to a peer; a "peer" is a
 * configured remote node, which has at most one active link. A "domain" is
 * one libbinder context of a link: objects of one domain cannot be written
 * into a parcel of another. A "stand-in" is the local object that stands
 * for a peer's node; an "export" is a local object (usually a proxy) this
 * side gave the peer a node id for.
 */
#ifndef BRIDGED_BRIDGE_H
#define BRIDGED_BRIDGE_H

#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <uthash.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "binder/binder.h"
#include "config.h"
#include "frame.h"
#include "metrics.h"

struct bridge;
struct link;

/* ---- domains, nodes (nodes.c) ---- */

struct domain {
	struct link *link;
	binder_context *context;
	/* The import this domain was made for (NULL: the link's main one). */
	struct import_state *import;
	bool closed; /* link->lock */
	LIST_ENTRY(domain) entry;
};

/* The cookie of an export's death link. It outlives the export when the
 * death is being delivered as the export goes: the handler and the export
 * each hold a reference (refs), and the last one frees it. */
struct export_death {
	struct link *link; /* held */
	uint64_t id;
	atomic_int refs;
};

/* A local object this side gave the peer an id for ("my node"). */
struct export_node {
	uint64_t id;
	binder_object *object; /* held */
	struct domain *domain;
	uint64_t sent;              /* link->lock: times sent and not released yet */
	uint32_t pins;              /* link->lock: threads linking its death now */
	bool released;              /* link->lock: out of the tables, freed unpinned */
	struct export_death *death; /* its death link's cookie, or NULL */
	UT_hash_handle by_id;
	UT_hash_handle by_object;
};

/* A peer's node, stood for here by a local object ("your node"). */
struct stand_in_key {
	struct domain *domain;
	uint64_t id; /* the peer's id */
};

struct stand_in {
	struct stand_in_key key; /* immutable */
	binder_object *object;   /* the local object; held while in_table */
	struct link *link;       /* held */
	uint64_t received;       /* link->lock: times the id reached us */
	uint32_t in_flight;      /* link->lock: parcels carrying it, in delivery */
	bool in_table;           /* link->lock */
	/* link->lock: the driver's last reference went while in_flight: look
	 * again once the delivery is done. */
	bool release_pending;
	atomic_bool dead;
	bool root; /* an imported service's object (immutable) */
	UT_hash_handle hh;
};

/* ---- calls (calls.c) ---- */

/* A job for a thread that serves the peer: a frame it must act on. */
struct prepared_call;
struct job {
	Bridge__Frame *frame;
	/* A Transaction's target and parcel, resolved on the loop in the
	 * order frames came (calls.c); NULL for other frames. */
	struct prepared_call *call;
	/* A Release's export, out of the tables already, to free. */
	struct export_node *released;
	TAILQ_ENTRY(job) entry;
};
TAILQ_HEAD(job_queue, job);

/* A thread waiting for a Reply; it also runs the frames of its chain. */
struct waiter {
	pthread_cond_t wake;
	struct job_queue nested; /* link->lock */
	Bridge__Frame *reply;    /* link->lock */
	int failure;             /* link->lock: set when the call failed */
	bool done;               /* link->lock */
};

struct pending_call {
	uint64_t call_id;
	struct waiter *waiter;
	UT_hash_handle hh;
};

struct chain_entry {
	uint64_t chain_id;
	struct waiter *waiter;
	UT_hash_handle hh;
};

/* ---- imports (imports.c) ---- */

struct import_state {
	const struct config_import *config;
	struct peer *peer;
	uint64_t request_id; /* of the request in flight, 0: none (loop) */
	struct event *retry; /* loop */
	uint32_t retry_ms;   /* loop */
	bool imported;       /* loop */
};

/* ---- links and peers (link.c, peer.c) ---- */

enum link_state {
	LINK_TLS,   /* TLS handshake */
	LINK_HELLO, /* waiting for the peer's Hello */
	LINK_UP,    /* calls flow */
	LINK_CLOSED,
};

struct link {
	atomic_int refcount;
	struct bridge *bridge;
	struct peer *peer; /* NULL until an accepted link is identified */
	char peer_name[CONFIG_MAX_NAME + 1];
	bool initiated_here;
	uint64_t serial; /* for logs */

	/* Loop thread only. */
	enum link_state state;
	struct bufferevent *bev;
	struct event *keepalive;
	struct event *handshake_timer;
	uint64_t last_receive_ms;
	_Atomic uint64_t last_send_ms; /* any thread */
	uint32_t peer_max_frame_size;

	pthread_mutex_t lock;
	bool closed;
	uint64_t next_call_id;
	uint64_t next_chain_id;
	uint64_t next_node_id;
	struct pending_call *calls;
	struct chain_entry *chains;
	struct export_node *exports_by_id;
	struct export_node *exports_by_object;
	struct stand_in *stand_ins;
	LIST_HEAD(, domain) domains;
	struct domain *main_domain;
	uint32_t peer_calls_running; /* two-way calls from the peer */
	uint32_t oneway_queued;
	uint32_t jobs_queued;
	struct job_queue jobs;        /* for the workers */
	struct job_queue oneway_jobs; /* for the oneway worker, in order */
	pthread_cond_t jobs_ready;
	pthread_cond_t oneway_ready;
	uint32_t thread_count;
	pthread_t *threads;
	pthread_t oneway_thread;
	bool threads_started;
	bool oneway_started;
	pthread_t teardown_thread;
	bool teardown_started;
	LIST_ENTRY(link) entry; /* bridge->links (loop) */
};

/* ---- metrics (bridge_metrics.c; NULL series when metrics are off) ---- */

enum call_failure_kind {
	CALL_FAILURE_DEAD_OBJECT,
	CALL_FAILURE_TIMED_OUT,
	CALL_FAILURE_FAILED_TRANSACTION,
	CALL_FAILURE_OTHER,
	CALL_FAILURE_KINDS,
};

/* A peer's series; made before the loop runs, immutable after. */
struct peer_metrics {
	struct metric *connected;
	struct metric *reconnects;
	struct metric *calls_in_flight;
	struct metric *calls_out;
	struct metric *calls_in;
	struct metric *failures[CALL_FAILURE_KINDS];
	struct metric *round_trip;
	struct metric *bytes_in;
	struct metric *bytes_out;
	bool was_up; /* loop */
};

struct peer {
	struct bridge *bridge;
	const struct config_peer *config;
	struct link *link;       /* the active link (loop) */
	struct link *connecting; /* our outgoing attempt (loop) */
	struct event *reconnect;
	uint32_t backoff_ms;
	size_t import_count;
	struct import_state *imports;
	struct peer_metrics metrics;
};

struct bridge {
	struct config *config;
	struct event_base *base;
	SSL_CTX *tls;
	struct evconnlistener *listeners[CONFIG_MAX_LISTEN];
	size_t listener_count;
	struct peer *peers;
	size_t peer_count;
	LIST_HEAD(, link) links;       /* every link not yet torn down (loop) */
	LIST_HEAD(, link) dying_links; /* torn down on their own threads (loop) */
	struct event *signal_term;
	struct event *signal_int;
	bool stopping;
	bool device_lost; /* the binder device went away: exit 1 */
	uint64_t next_link_serial;
	uint64_t next_request_id;
	size_t handshaking;      /* accepted links not up yet (loop) */
	struct metrics *metrics; /* NULL: metrics off */
	struct metrics_server *metrics_server;
	struct metric *handshakes;
	struct metric *handshake_failures;
};

/* ---- time ---- */
uint64_t now_ms(void);

/* ---- tls.c ---- */
/* The TLS 1.3 context: our certificate and key, the CA peers must chain
 * to, and peer verification on both sides. NULL with a message on error. */
SSL_CTX *tls_context_new(const struct config *config, char *error, size_t error_size);
/* Which configured peer a verified connection's certificate names:
 * NULL if none (or no certificate). */
const struct config_peer *tls_identify_peer(const struct config *config, SSL *ssl);

/* ---- link.c (loop thread unless said otherwise) ---- */
struct link *link_new(struct bridge *bridge, int fd, SSL *ssl, bool initiated_here,
                      struct peer *peer);
struct link *link_ref(struct link *link);
/* Any thread. */
void link_unref(struct link *link);
/* Ends the link: fails its calls, hands its teardown to a thread. */
void link_close(struct link *link, const char *why);
/* Any thread: sends frame. -EPIPE once the link is closed, -ENOBUFS when
 * its output is full, -EMSGSIZE when the frame is above the peer's limit. */
int link_send(struct link *link, const Bridge__Frame *frame);
/* Any thread, link->lock not held: sends an Error frame. */
void link_send_error(struct link *link, uint64_t call_id, int32_t status, const char *format, ...)
        __attribute__((format(printf, 4, 5)));
/* Waits for every torn-down link's thread (shutdown). */
void link_join_dying(struct bridge *bridge);

/* ---- peer.c (loop thread) ---- */
void peer_start(struct peer *peer);
/* The link to peer is up (handshake done): it becomes peer->link. */
void peer_link_up(struct peer *peer, struct link *link);
/* The link went away: reconnect if we are the side that connects. */
void peer_link_down(struct peer *peer, struct link *link);
void peer_stop(struct peer *peer);

/* ---- imports.c ---- */
/* Loop: the link came up: ask for every import of its peer. */
void imports_link_up(struct peer *peer, struct link *link);
/* Loop: the link went down: retries stop until the next link. */
void imports_link_down(struct peer *peer);
/* Worker: answer an ImportRequest. */
void imports_serve_request(struct link *link, const Bridge__ImportRequest *request);
/* Worker: an ImportReply arrived: register the stand-in, or retry. */
void imports_handle_reply(struct link *link, const Bridge__ImportReply *reply);
/* Any thread: an imported service's stand-in died: retry later. */
void imports_root_died(struct link *link, struct import_state *import);

/* ---- nodes.c (any thread; takes link->lock itself) ---- */
/* The link's main domain and one per import, made on demand. */
int domain_new(struct link *link, struct import_state *import, struct domain **out);
/* Outgoing: fills objects (count from parcel) for parcel's objects,
 * exporting what the peer cannot know yet. BINDER_FDS_NOT_ALLOWED when
 * the parcel carries a file descriptor (the caller logs it, naming the
 * call); on any failure, what it exported is taken back. */
int nodes_parcel_to_wire(struct domain *domain, binder_parcel *parcel,
                         Bridge__BinderObject ***objects, size_t *count);
void nodes_free_wire(Bridge__BinderObject **objects, size_t count);
/* Incoming: builds parcel objects for the frame's objects in domain. A
 * payload without objects is borrowed, not copied
 * (binder_parcel_assign_raw_borrowed): data must outlive the parcel (or
 * its next reset). On success *stand_ins lists the stand-ins the parcel carries: in flight
 * until nodes_done_delivering (after the transaction that carries the
 * parcel returned) or nodes_done_delivering_with (for a handler's reply:
 * when libbinder releases the parcel, after BR_TRANSACTION_COMPLETE).
 * Either frees stand_ins. BINDER_FAILED_TRANSACTION for an unknown id
 * (message in error). */
int nodes_wire_to_parcel(struct domain *domain, const uint8_t *data, size_t size,
                         Bridge__BinderObject **objects, size_t count, binder_parcel *parcel,
                         struct stand_in ***stand_ins, char *error, size_t error_size);
void nodes_done_delivering(struct link *link, struct stand_in **stand_ins, size_t count);
void nodes_done_delivering_with(struct link *link, binder_parcel *parcel,
                                struct stand_in **stand_ins, size_t count);
/* The export with id, held (export_node_put), or NULL. */
binder_object *nodes_find_export(struct link *link, uint64_t id, struct domain **domain);
/* Makes (or finds) the stand-in for the peer's root node id in domain. */
int nodes_root_stand_in(struct domain *domain, uint64_t id, const char *descriptor,
                        struct stand_in **out);
/* Exports object (held by the caller) as a root; *id for the reply. */
int nodes_export_root(struct domain *domain, binder_object *object, uint64_t *id);
/* Loop: takes count references off the export id; returns it, out of the
 * tables, when none is left (the caller has nodes_free_export run on a
 * worker: it talks to the driver), else NULL. An unknown id gets an Error. */
struct export_node *nodes_handle_release(struct link *link, uint64_t id, uint64_t count);
void nodes_free_export(struct export_node *export);
/* A frame whose objects (nodes_parcel_to_wire) were counted as sent but
 * that did not leave (link_send failed): takes back one reference of each
 * "my node" it named, as the peer's Release would, and frees the exports
 * left with none. Not on the loop (it may talk to the driver). */
void nodes_take_back_wire(struct link *link, Bridge__BinderObject **objects, size_t count);
void nodes_handle_death(struct link *link, uint64_t id);
/* Whether some stand-in here stands for the peer's node id. */
bool nodes_stands_for(struct link *link, uint64_t id);
/* A domain was closed (its import's service died): its stand-ins are
 * released to the peer and forgotten; its exports are announced dead. */
void nodes_forget_domain(struct link *link, struct domain *domain);
/* Teardown: drops every node (contexts closed already). */
void nodes_clear(struct link *link);

/* ---- stand_in.c ---- */
extern const struct binder_local_ops stand_in_ops;

/* ---- calls.c ---- */
/* A binder thread forwards a call to the peer's node and waits for its
 * reply (running the frames of its chain meanwhile). */
int calls_forward(struct stand_in *stand_in, uint32_t code, binder_parcel *data,
                  binder_parcel *reply, uint32_t flags);
/* Loop: a Transaction arrived; runs it on the chain's waiting thread or
 * queues it for the workers. Takes frame. */
void calls_incoming_transaction(struct link *link, Bridge__Frame *frame);
/* Loop: a Reply arrived. Takes frame. */
void calls_incoming_reply(struct link *link, Bridge__Frame *frame);
/* Loop: an Error about call_id. */
void calls_incoming_error(struct link *link, uint64_t call_id, int32_t status);
/* Runs a peer's Transaction here, sending its Reply (worker or waiter).
 * Takes call. */
void calls_run_transaction(struct link *link, Bridge__Frame *frame, struct prepared_call *call);
/* Drops a prepared call that will not run (the link ends). */
void calls_discard(struct link *link, struct prepared_call *call);
/* The link closed: every waiting call fails with BINDER_DEAD_OBJECT. */
void calls_fail_all(struct link *link);

/* ---- bridge_metrics.c ---- */
/* Loop: registers the series and serves them if the config asks. */
int bridge_metrics_start(struct bridge *bridge);
/* After the loop and every link's threads are done. */
void bridge_metrics_stop(struct bridge *bridge);
/* Loop. */
void bridge_metrics_link_up(struct peer *peer);
void bridge_metrics_link_down(struct peer *peer);
void bridge_metrics_handshake(struct bridge *bridge, bool done);
/* Any thread: frame bytes received (out false) or sent. */
void bridge_metrics_bytes(struct link *link, size_t size, bool out);
/* Any thread: an outgoing call; _started returns its start time for
 * _ended, which takes its status. */
uint64_t bridge_metrics_call_started(struct link *link, bool oneway);
void bridge_metrics_call_ended(struct link *link, bool oneway, int status, uint64_t started);
/* Any thread: a peer's call is run here. */
void bridge_metrics_call_received(struct link *link);

/* ---- workers.c ---- */
int workers_start(struct link *link);
/* Loop: queue a frame for the workers (takes it). -ENOBUFS when full. */
int workers_queue(struct link *link, Bridge__Frame *frame, bool oneway);
/* The same with a job made by the caller (its frame may be NULL). */
int workers_queue_job(struct link *link, struct job *job, bool oneway);
/* Teardown thread: wake and join them. */
void workers_stop(struct link *link);

#endif
