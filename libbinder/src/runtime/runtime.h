/*
 * runtime.h - the runtime's shared structures: contexts (one open of the
 * device), binder objects (local objects and proxies), per-thread state,
 * and the functions the runtime's files call on each other. Private.
 *
 * Locking: one mutex per context (context->lock) guards its tables (local
 * objects, proxies, death registrations), the driver-side counts of local
 * objects and its thread accounting. Object refcounts are atomics; a
 * refcount may go from 0 back to 1 only under context->lock, through a
 * table lookup, and an object leaves its table (and is freed) only under
 * that lock with a zero count.
 */
#ifndef BINDER_RUNTIME_H
#define BINDER_RUNTIME_H

#include <linux/android/binder.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "binder/binder.h"
#include "binder/device.h"

struct binder_death_link {
	binder_death_handler handler;
	void *cookie;
	struct binder_death_link *next;
};

/* One BC_REQUEST_DEATH_NOTIFICATION; its address is the driver cookie.
 * Lives until the driver is done with it (BR_DEAD_BINDER without a clear,
 * or BR_CLEAR_DEATH_NOTIFICATION_DONE), or until the context closes. */
struct binder_death_registration {
	/* The proxy while it is linked (not a reference: the proxy detaches
	 * itself when it goes); NULL once a clear was requested. */
	binder_object *proxy;
	bool clear_requested;
	uintptr_t key; /* its own address: the driver's cookie */
	UT_hash_handle hh;
};

struct binder_object {
	atomic_int refcount;
	binder_context *context; /* referenced */
	bool local;

	/* Local objects. */
	char *descriptor;
	/* Sent with FLAT_BINDER_FLAG_TXN_SECURITY_CTX. */
	atomic_bool wants_security_context;
	struct binder_local_ops ops;
	void *user_data;
	/* What the driver holds (BR_INCREFS/BR_ACQUIRE minus BR_DECREFS/
	 * BR_RELEASE), under context->lock. */
	int driver_weak;
	int driver_strong;
	/* binder_object_kill made its node die: out of context->locals, the
	 * driver's reference commands for it ignored. Under context->lock. */
	bool killed;
	/* The table key: the object's own address (the driver's ptr). */
	uintptr_t address;
	/* The driver's cookie for the node: a number no other local object
	 * of this process has had. A reference command or a transaction is
	 * for this object only if it carries both address and cookie, so that
	 * one still on its way for a killed object (binder_object_kill) never
	 * reaches a new object that got the same address. */
	uint64_t cookie;
	/* Collected for destruction after the context closed. */
	binder_object *next_unheld;

	/* Proxies. */
	int32_t handle;
	atomic_bool dead;
	/* Its death recipients were called (or dropped at close): links and
	 * unlinks then give BINDER_DEAD_OBJECT. Under context->lock. */
	bool death_delivered;
	/* BC_INCREFS + BC_ACQUIRE reached the driver: release them. */
	bool driver_referenced;
	/* Death links and the registration, under context->lock. */
	struct binder_death_link *death_links;
	struct binder_death_registration *death_registration;

	UT_hash_handle hh; /* in the context's locals (by address) or proxies */
};

struct binder_context {
	atomic_int refcount;
	uint64_t id; /* unique in this process, for thread states */
	binder_device *device;
	void *area;
	size_t area_size;
	/* After close: the private copy of the area (munmap at free). */
	void *kept_area;
	size_t kept_area_size;

	pthread_mutex_t lock;
	/* Orders death requests and clears as the driver must see them:
	 * held across a link, unlink or proxy release and its ioctl. Taken
	 * before lock, never after. */
	pthread_mutex_t death_lock;
	pthread_cond_t threads_left;
	bool closing;
	bool closed;
	/* Threads inside the device or a handler of this context. */
	unsigned active_threads;
	/* Thread pool. */
	uint32_t max_threads;
	/* The Android generation of the wire (11 to 16). */
	uint32_t android;
	/* Threads started on BR_SPAWN_LOOPER and still running. */
	uint32_t spawned_threads;
	/* For thread names. */
	uint32_t thread_numbers;
	bool pool_started;
	/* Local objects by address, proxies by handle (hh of the object). */
	binder_object *locals;
	binder_object *proxies;
	struct binder_death_registration *death_registrations;
	/* The context manager object, if this context is the manager. */
	binder_object *manager;
	/* Small reply buffers freed by threads that were not about to talk
	 * to the driver: the next BINDER_WRITE_READ of any thread of the
	 * context carries their BC_FREE_BUFFERs (saves a round trip per
	 * call); a full list is sent at once. Under lock; the count is also
	 * read without it as a hint. */
	binder_uintptr_t deferred_frees[16];
	atomic_uint deferred_free_count;
};

/* A thread's state for one context: its unread commands and queued
 * commands, and whether it is a looper. Thread-local. */
struct binder_thread_state {
	uint64_t context_id;
	binder_context *context;
	struct binder_thread_state *next;
	/* Commands read from the driver and not handled yet. */
	uint8_t in[1024];
	size_t in_size;
	size_t in_position;
	/* Commands to send with the next ioctl (BC_FREE_BUFFER, ...). */
	uint8_t *out;
	size_t out_size;
	size_t out_capacity;
	bool looper;
	bool polling;
	/* Handlers running on this thread (nested calls). */
	unsigned handler_depth;
	/* In a loop that talks to the driver again soon (a looper, or a
	 * caller waiting for its reply): commands may be queued. */
	unsigned inside;
	/* Calls of this thread waiting for their replies (it reads again
	 * after any nested call it serves meanwhile). */
	unsigned waiting_for_reply;
	/* The last wait ended in BR_DEAD_REPLY: the target is dead (a
	 * handler's BINDER_DEAD_OBJECT status does not say so). */
	bool dead_reply;
};

/* context.c */
/* Marks the calling thread busy in context: BINDER_DEAD_OBJECT if it is
 * closing. Pair with runtime_leave. */
int runtime_enter(binder_context *context);
void runtime_leave(binder_context *context);
void runtime_context_release_object_ref(binder_context *context);

/* thread_state.c */
/* The registry of live contexts: a thread's states of contexts that are
 * gone are freed the next time it makes a state. 0 or -ENOMEM. */
int thread_state_context_born(uint64_t id);
void thread_state_context_gone(uint64_t id);
/* The calling thread's state for context (made on first use); NULL when
 * out of memory. */
struct binder_thread_state *thread_state_get(binder_context *context);
/* The state if it exists, else NULL. */
struct binder_thread_state *thread_state_find(const binder_context *context);
/* Appends a command to the state's out buffer. 0 or -ENOMEM. */
int thread_state_queue(struct binder_thread_state *state, uint32_t command, const void *payload,
                       size_t size);

/* ipc.c */
/* One BINDER_WRITE_READ: sends the queued commands, then, if read, reads
 * into the state's in buffer (waiting unless nonblocking). */
int ipc_talk(struct binder_thread_state *state, bool read);
/* Sends command with payload (plus anything queued), without reading:
 * right away, or with the thread's next ioctl when it is a looper or
 * waiting for a reply (it talks to the driver again soon). */
int ipc_send_now(binder_context *context, uint32_t command, const void *payload, size_t size);
struct ipc_command {
	uint32_t command;
	const void *payload;
	size_t size;
};
/* The same for several commands, in order. */
int ipc_send_commands(binder_context *context, const struct ipc_command *commands, size_t count);
/* The same, but written before returning even on a looper. */
int ipc_send_commands_now(binder_context *context, const struct ipc_command *commands,
                          size_t count);
/* Takes the next command from the in buffer. */
int ipc_next_command(struct binder_thread_state *state, uint32_t *command);
/* Handles one BR command from the in buffer that is not a reply. */
int ipc_execute(struct binder_thread_state *state, uint32_t command);
/* After BC_TRANSACTION: handles commands until the transaction is done
 * (oneway: BR_TRANSACTION_COMPLETE; else the reply, into reply). */
int ipc_wait_for_response(struct binder_thread_state *state, binder_parcel *reply, bool oneway);
/* The reply's status, and its buffer adopted by reply (or freed). */
int ipc_take_reply(struct binder_thread_state *state,
                   const struct binder_transaction_data *transaction, binder_parcel *reply);
/* Runs commands until the context closes (pool threads). */
int ipc_loop(binder_context *context, bool enter);
/* The release function of received parcels: BC_FREE_BUFFER. */
void ipc_free_buffer(void *context, const void *data);
/* The same for small replies: may be deferred (deferred_frees). */
void ipc_free_small_buffer(void *context, const void *data);

/* object_local.c */
/* The local object of context at address whose cookie is cookie, with a
 * new reference; under context->lock. NULL if there is none. */
binder_object *local_lookup_locked(binder_context *context, uintptr_t address, uint64_t cookie);
/* BR_INCREFS / BR_ACQUIRE / BR_RELEASE / BR_DECREFS for a local object. */
void local_driver_reference(struct binder_thread_state *state, uint32_t command, uintptr_t ptr,
                            uintptr_t cookie);
/* Frees a local object whose counts are all zero; context->lock held,
 * object already out of the table. */
void local_destroy(binder_object *object);
/* After the device closed: the driver's counts go to zero; returns the
 * objects nobody holds now (out of the table, linked by next_unheld),
 * for the caller to local_destroy after unlocking. */
binder_object *local_forget_driver_references_locked(binder_context *context);

/* proxy.c */
/* The proxy for handle in context, new reference. */
int proxy_for_handle(binder_context *context, int32_t handle, binder_object **out);
/* The last reference to proxy went (context->lock held, released here;
 * death_lock held): tells the driver and frees it. The caller then drops
 * the proxy's reference on its context. */
void proxy_release(binder_object *proxy);
/* After the device closed: every proxy is dead. context->lock held. */
void proxies_mark_dead_locked(binder_context *context);

/* death.c */
void death_dead_binder(struct binder_thread_state *state, uintptr_t cookie);
void death_clear_done(binder_context *context, uintptr_t cookie);
/* The proxy goes away: returns its registration (to clear with the
 * driver) or NULL, and drops its links. context->lock held. */
struct binder_death_registration *death_detach_proxy_locked(binder_object *proxy);
void death_free_all_locked(binder_context *context);

/* transact.c */
int transact_remote(binder_object *proxy, uint32_t code, binder_parcel *data, binder_parcel *reply,
                    uint32_t flags);
int transact_local(binder_object *object, uint32_t code, binder_parcel *data, binder_parcel *reply,
                   const struct binder_caller *caller);

/* interface_token.c */
/* For a local object with ops.enforce_interface and a user code
 * (FIRST..LAST_CALL_TRANSACTION): reads data's interface token and checks
 * it names the object's descriptor; BINDER_BAD_TYPE if it does not. 0
 * (data untouched) for other objects and codes. */
int interface_token_enforce(binder_object *object, uint32_t code, binder_parcel *data);

/* positive_status.c */
/* A transaction's status as binder_object_transact returns it: a
 * positive one becomes BINDER_POSITIVE_STATUS (and is remembered for
 * binder_last_positive_status); others are returned as they are. */
int positive_status_as_error(int status);

/* pool.c */
void pool_spawn_looper(binder_context *context);

#endif
