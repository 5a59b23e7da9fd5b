/*
 * binderd.h - binderd's core objects and the functions between its files.
 *
 * The objects mirror the kernel driver's (drivers/android/binder.c):
 *  proc    one open of the device (one process channel), its nodes, refs,
 *          threads, receive area and process-wide work;
 *  thread  one thread channel, its transaction stack and its own work;
 *  node    an object owned by a proc (ptr/cookie), with reference counts;
 *  ref     a handle a proc holds on a node;
 *  txn     a transaction in flight;
 *  buffer  a block of a proc's receive area holding a transaction payload;
 *  death   a death notification a proc asked for on one of its refs.
 * Work items (struct work) sit on exactly one work list at a time: a
 * thread's todo, a proc's todo, a node's async todo or a proc's delivered
 * death list.
 *
 * binderd is single-threaded (one libevent loop): no locks. Wakeups are
 * deferred (wake_thread) and run after the current request is handled, so
 * no handler re-enters another thread's read.
 */
#ifndef BINDERD_BINDERD_H
#define BINDERD_BINDERD_H

#include <linux/android/binder.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/types.h>
#include <uthash.h>

#include "avl.h"
#include "channel.h"
#include "debug_record.h"

struct proc;
struct thread;
struct node;
struct ref;
struct txn;
struct buffer;
struct direct_reads_grant;

/* ---- work items and lists (work.c) ---- */

enum work_type {
	WORK_TRANSACTION = 1,
	WORK_TRANSACTION_COMPLETE,
	WORK_RETURN_ERROR,
	WORK_NODE,
	WORK_DEAD_BINDER,
	WORK_DEAD_BINDER_AND_CLEAR,
	WORK_CLEAR_DEATH_NOTIFICATION,
};

struct work_list;

struct work {
	enum work_type type;
	TAILQ_ENTRY(work) entry;
	struct work_list *list; /* the list it is on, or NULL */
};

TAILQ_HEAD(work_queue, work);

struct work_list {
	struct work_queue items;
};

void work_list_init(struct work_list *list);
bool work_list_empty(const struct work_list *list);
void work_enqueue(struct work_list *list, struct work *work);
void work_dequeue(struct work *work); /* no-op when on no list */
struct work *work_list_pop(struct work_list *list);

/* A queued error for a thread (return_error / reply_error). */
struct error_work {
	struct work work;
	uint32_t cmd; /* BR_OK when none is pending */
};

/* BR_TRANSACTION_COMPLETE, allocated per transaction. */
struct complete_work {
	struct work work;
	/* BR_ONEWAY_SPAM_SUSPECT instead, if the sender enabled it */
	bool oneway_spam_suspect;
};

/* ---- receive area (alloc.c) ---- */

struct buffer {
	TAILQ_ENTRY(buffer) entry; /* all blocks of the area, by offset */
	UT_hash_handle hh;         /* allocated buffers, by offset */
	struct avl_node by_size;   /* free blocks, by (size, offset) */
	size_t offset;             /* from the start of the area */
	size_t size;               /* of the whole block */
	bool free;
	bool allow_user_free; /* delivered: the owner may BC_FREE_BUFFER it */
	bool async;           /* holds a oneway transaction */
	size_t data_size;
	size_t offsets_size;
	size_t extra_size;        /* scatter-gather buffers and security context */
	uint64_t debug_id;        /* its transaction's, as the kernel's (debug views) */
	size_t async_charge;      /* what it took from the async space */
	struct txn *txn;          /* the transaction using it, until freed */
	struct node *target_node; /* holds a strong local ref while set */
	/* target_node was killed alone (BINDERD_OP_KILL_NODE) while this
	 * buffer held it: its strong ref died with the node, and a tmp ref
	 * keeps the node's memory until the buffer is freed. */
	bool target_node_tmp;
	pid_t sender_pid; /* of an async buffer, for oneway_spam.c */
};

TAILQ_HEAD(buffer_queue, buffer);

struct area {
	int memfd;          /* -1 until mapped */
	uint8_t *base;      /* binderd's read-write mapping */
	size_t size;        /* bytes used for buffers (<= 4 MiB) */
	size_t map_size;    /* bytes mapped */
	uint64_t user_base; /* where the process mapped it */
	size_t free_async_space;
	struct buffer_queue blocks;
	struct buffer *by_offset; /* allocated buffers */
	size_t allocated_count;
	struct avl_tree free_by_size; /* free blocks, for best fit */
	/* Free blocks looked at by every best-fit search so far: the unit
	 * tests check that it grows with the log of the number of blocks. */
	size_t best_fit_visits;
	/* a oneway spammer was reported since async space ran low */
	bool oneway_spam_detected;
};

int area_map(struct area *area, size_t size, uint64_t user_base);
void area_unmap(struct area *area);
/* Allocates a buffer; -ESRCH when not mapped, -ENOSPC when full,
 * -EINVAL on overflow. */
int area_alloc(struct area *area, size_t data_size, size_t offsets_size, size_t extra_size,
               bool async, struct buffer **out);
void area_free(struct area *area, struct buffer *buffer);
/* The buffer whose data starts at a user address, or NULL. */
struct buffer *area_find_user(struct area *area, uint64_t user_address);
static inline uint8_t *buffer_data(struct area *area, struct buffer *buffer)
{
	return area->base + buffer->offset;
}
static inline uint64_t buffer_user_address(struct area *area, struct buffer *buffer)
{
	return area->user_base + buffer->offset;
}
static inline size_t align8(size_t value)
{
	return (value + 7u) & ~(size_t)7u;
}

/* ---- nodes (node.c) ---- */

struct node {
	UT_hash_handle hh; /* in proc->nodes, by ptr */
	struct work work;  /* WORK_NODE */
	uint64_t debug_id;
	struct proc *proc; /* owner; NULL once the owner died */
	binder_uintptr_t ptr;
	binder_uintptr_t cookie;
	int internal_strong_refs; /* refs with a strong count, and the like */
	int local_strong_refs;    /* buffers, the owner's own acquires */
	int local_weak_refs;
	int tmp_refs;
	int ref_count;    /* refs pointing at it (the kernel's node->refs list) */
	struct ref *refs; /* list through ref->node_next */
	bool has_strong_ref, pending_strong_ref;
	bool has_weak_ref, pending_weak_ref;
	bool accept_fds;
	bool txn_security_ctx;
	uint32_t min_priority;
	bool has_async_transaction;
	struct work_list async_todo;
	TAILQ_ENTRY(node) dead_entry; /* in the dead node list once orphaned */
};

struct node *node_new(struct proc *proc, binder_uintptr_t ptr, binder_uintptr_t cookie,
                      uint32_t flags);
struct node *node_find(struct proc *proc, binder_uintptr_t ptr);
/* The kernel's binder_inc_node: target_list is the sender thread's todo
 * when a node first crosses in a transaction. Returns 0 or -EINVAL. */
int node_inc(struct node *node, bool strong, bool internal, struct thread *target_thread);
/* The kernel's binder_dec_node; frees the node when nothing holds it. */
void node_dec(struct node *node, bool strong, bool internal);
void node_inc_tmp(struct node *node);
void node_dec_tmp(struct node *node);
/* Owner died: orphan or free the node, notify death watchers. */
void node_release(struct node *node);
/* Emits BR_INCREFS/ACQUIRE/RELEASE/DECREFS for a WORK_NODE item. */
size_t node_work_commands(struct node *node, uint8_t *out, bool *freed);

/* ---- refs (ref.c) ---- */

struct death {
	struct work work; /* WORK_DEAD_BINDER... */
	binder_uintptr_t cookie;
	struct ref *ref; /* NULL once cleared */
	struct proc *proc;
};

struct ref {
	UT_hash_handle hh_desc; /* proc->refs_by_desc */
	UT_hash_handle hh_node; /* proc->refs_by_node */
	uint32_t desc;
	struct node *node_key; /* same as node: hash key */
	struct node *node;
	struct proc *proc;
	struct ref *node_next, *node_prev; /* on node->refs */
	int strong, weak;
	struct death *death;
	uint64_t debug_id; /* for the debug views */
};

struct ref *ref_find(struct proc *proc, uint32_t desc, bool need_strong);
/* The kernel's binder_inc_ref_for_node: finds or makes proc's ref to node
 * and increments it. */
int ref_inc_for_node(struct proc *proc, struct node *node, bool strong,
                     struct thread *target_thread, struct ref **out);
int ref_inc(struct ref *ref, bool strong, struct thread *target_thread);
/* Returns true when the ref was deleted. */
bool ref_dec(struct ref *ref, bool strong);
/* BC_INCREFS/ACQUIRE/RELEASE/DECREFS on a handle. */
int ref_update_for_handle(struct proc *proc, uint32_t desc, bool increment, bool strong);
void ref_delete(struct ref *ref);

/* ---- transactions (transaction.c, objects.c) ---- */

struct txn {
	struct work work; /* WORK_TRANSACTION */
	uint64_t debug_id;
	struct thread *from; /* two-way sender; NULL if oneway, reply, or died */
	pid_t sender_pid;
	uid_t sender_euid;
	struct txn *from_parent; /* sender's stack */
	struct txn *to_parent;   /* receiver's stack */
	struct proc *to_proc;
	struct thread *to_thread;
	struct buffer *buffer;
	bool is_reply;
	bool need_reply;
	uint32_t code;
	uint32_t flags;
	size_t security_ctx_offset; /* in the buffer, or 0 */
	bool has_security_ctx;
	/* fds to install in the receiver: binderd's copies, and where their
	 * numbers go in the buffer (offsets from the buffer start) */
	int *fds;
	size_t *fd_positions;
	size_t fd_count;
};

/* The fds a write stream carried, taken in order by its transactions. */
struct transaction_fds {
	int *fds;
	size_t count;
	size_t used; /* taken (now owned by a transaction, or closed) */
};

void transaction_handle(struct thread *thread, const struct binder_transaction_data *tr, bool reply,
                        binder_size_t extra_buffers_size, struct transaction_fds *fds);
void transaction_free(struct txn *txn);
void transaction_send_failed_reply(struct txn *txn, uint32_t error_code);
void transaction_pop(struct thread *thread, struct txn *txn);
/* Releases what a buffer's first object_count objects hold (all of them
 * for SIZE_MAX) and the strong ref on the target node. */
void buffer_release_objects(struct proc *proc, struct buffer *buffer, size_t object_count);
/* Validates and translates the objects of a freshly copied buffer. Returns
 * BR_OK, or a BR_ error code with *error_param; *translated_end is the
 * number of objects translated (to release on failure). */
struct translate_ctx {
	struct thread *thread; /* sender */
	struct proc *target_proc;
	struct txn *txn;
	struct buffer *buffer;
	const uint8_t *send_area;
	size_t send_area_size;
	bool target_accepts_fds;
	struct transaction_fds *sender_fds; /* fds the sender attached */
	size_t secctx_size;                 /* at the end of the extra space, not for buffers */
	bool direct; /* payload read from the sender's memory: no PTR objects */
	/* out: on failure, what was wrong ("invalid handle", ...), or NULL */
	const char *error_reason;
};
uint32_t objects_translate(struct translate_ctx *ctx, int *error_param, size_t *translated_end);

/* ---- threads (thread.c, read.c, commands.c) ---- */

enum looper_state {
	LOOPER_REGISTERED = 0x01,
	LOOPER_ENTERED = 0x02,
	LOOPER_EXITED = 0x04,
	LOOPER_INVALID = 0x08,
	LOOPER_WAITING = 0x10,
	LOOPER_POLL = 0x20,
};

struct send_area {
	int fd;
	const uint8_t *base;
	size_t size;
};

struct thread {
	TAILQ_ENTRY(thread) entry;         /* proc->threads */
	TAILQ_ENTRY(thread) waiting_entry; /* proc->waiting_threads */
	bool on_waiting_list;
	TAILQ_ENTRY(thread) wake_entry; /* the global wake list */
	bool on_wake_list;
	struct proc *proc;
	struct channel channel;
	uint64_t debug_id;
	uint32_t looper;
	bool looper_need_return;
	bool process_todo;
	bool is_dead;
	struct work_list todo;
	struct txn *transaction_stack;
	struct error_work return_error;
	struct error_work reply_error;
	struct send_area send_area;
	/* The inline payloads of the BINDER_WRITE_READ being written (in the
	 * channel's input, valid only while its stream is handled). */
	const uint8_t *inline_payloads;
	size_t inline_payloads_size;
	/* a BINDER_WRITE_READ waiting for work */
	bool read_pending;
	bool read_nonblock;
	uint64_t read_size;
	uint64_t write_consumed;
	/* a transaction whose fds are being installed (FD_INSTALL sent) */
	struct txn *fd_install_txn;
	uint8_t *read_buffer; /* what the read put so far */
	size_t read_capacity;
	size_t read_filled;
	size_t read_initial; /* bytes put before any work (BR_NOOP) */
	/* BINDERD_WR_HOLD_COMPLETE: a read that has put only completes since
	 * read_initial (up to read_held_end) waits on for more work. */
	bool read_hold_complete;
	size_t read_held_end;
	bool poll_armed;
	bool wakeup_sent;
	/* the last transaction's outcome, for BINDER_GET_EXTENDED_ERROR */
	struct binder_extended_error extended_error;
	/* a BINDER_FREEZE waiting for its targets to drain, or NULL */
	struct freeze_wait *freeze_wait;
};

struct thread *thread_new(struct proc *proc, int fd);
/* The thread exits (BINDER_THREAD_EXIT, channel closed, proc death). */
void thread_release(struct thread *thread);
void thread_free(struct thread *thread);
/* Handles one request on a thread channel. */
void thread_handle_request(struct thread *thread, const struct binderd_request *request,
                           const uint8_t *payload, int *fds, size_t fd_count);
/* Executes a write stream (binder_thread_write). Returns 0 or -errno;
 * *consumed set. quiet: no caller sends the rest again
 * (BINDERD_WR_QUIET), so an error waiting for the read does not stop
 * BC_FREE_BUFFER. */
int thread_write(struct thread *thread, const uint8_t *stream, size_t size, size_t *consumed,
                 int *fds, size_t fd_count, bool quiet);
/* Tries to finish a pending read; called on wakeups. */
void thread_try_read(struct thread *thread);
void thread_enqueue_work(struct thread *thread, struct work *work);
void thread_enqueue_deferred_work(struct thread *thread, struct work *work);
bool thread_available_for_proc_work(const struct thread *thread);
bool thread_has_work(const struct thread *thread, bool do_proc_work);
/* Schedules a thread to re-check its work after the current request. */
void wake_thread(struct thread *thread);
void run_wakeups(void);
void wake_list_forget(struct thread *thread);
/* Frees a buffer as BC_FREE_BUFFER does: next oneway call of its node,
 * references its objects held, the block itself. */
void buffer_free_from_owner(struct proc *proc, struct buffer *buffer);
/* Death notification commands (death.c). */
void death_request(struct thread *thread, uint32_t handle, binder_uintptr_t cookie);
void death_clear(struct thread *thread, uint32_t handle, binder_uintptr_t cookie);
void death_done(struct thread *thread, binder_uintptr_t cookie);
/* Reads fd numbers sent back for an FD_INSTALL. */
void thread_fd_numbers(struct thread *thread, const int32_t *numbers, size_t count);

/* ---- ioctls beyond the basic ones (extended_error.c, node_info.c) ----
 * Each ioctl_* takes the ioctl's argument, read in and written back on
 * success, and returns 0 or -errno as the kernel's ioctl does. */

int ioctl_get_extended_error(struct thread *thread, void *argument);
int ioctl_get_node_debug_info(struct thread *thread, void *argument);
int ioctl_get_node_info_for_ref(struct thread *thread, void *argument);
/* The kernel's binder_set_extended_error on thread->ee. */
void extended_error_set(struct thread *thread, uint64_t id, uint32_t command, int32_t param);
/* {0, BR_OK, 0}: a new thread's, and after each read of it. */
void extended_error_reset(struct thread *thread);
/* A reply failed: its caller learns why, unless it knows of an error
 * already (the kernel's binder_set_txn_from_error). */
void extended_error_set_on_caller(struct txn *in_reply_to, uint64_t id, uint32_t command,
                                  int32_t param);
/* freeze.c: BINDER_FREEZE answers by itself, now or after its wait. */
void freeze_ioctl(struct thread *thread, const uint8_t *payload, size_t size);
void freeze_wait_cancel(struct thread *thread);
int ioctl_get_frozen_info(struct thread *thread, void *argument);
int ioctl_enable_oneway_spam_detection(struct thread *thread, void *argument);
/* A transaction is queued to proc: BR_FROZEN_REPLY for a two-way call
 * to a frozen proc, else BR_OK; notes it for BINDER_GET_FROZEN_INFO. */
uint32_t freeze_check_incoming(struct proc *proc, bool oneway);
/* TF_UPDATE_TXN to a frozen proc: takes the queued oneway call of node
 * that txn supersedes off its list, or returns NULL. */
struct txn *freeze_take_outdated(struct proc *proc, struct node *node, const struct txn *txn);
/* Frees a superseded transaction and its buffer. */
void freeze_drop_outdated(struct proc *proc, struct txn *outdated);
/* oneway_spam.c: after a oneway buffer of pid's was allocated in area,
 * whether pid is the one to report as a spammer. */
bool oneway_spam_suspect(struct area *area, pid_t pid);

/* ---- processes (process.c) ---- */

TAILQ_HEAD(thread_queue, thread);
TAILQ_HEAD(node_queue, node);
TAILQ_HEAD(proc_queue, proc);

struct proc {
	TAILQ_ENTRY(proc) entry;
	struct channel channel; /* the process channel */
	uint64_t debug_id;
	pid_t pid;
	uid_t euid;
	char *security_ctx; /* SO_PEERSEC label or one set since, or NULL */
	int pidfd;          /* SO_PEERPIDFD, or -1 */
	bool direct_reads;  /* binderd may read its memory (socket_protocol.h) */
	struct direct_reads_grant *direct_reads_grant; /* direct_reads.c, while direct_reads */
	bool hello_done;
	bool is_dead;
	struct thread_queue threads;
	size_t thread_count;
	struct thread_queue waiting_threads;
	struct node *nodes; /* by ptr */
	size_t node_count;
	struct ref *refs_by_desc;
	struct ref *refs_by_node;
	size_t ref_count;
	uint64_t *desc_bitmap; /* used handle numbers */
	size_t desc_bitmap_words;
	size_t desc_search_from; /* no free desc below this word */
	struct work_list todo;
	struct work_list delivered_death;
	struct area area;
	uint32_t max_threads;
	uint32_t requested_threads;
	uint32_t requested_threads_started;
	size_t fds_in_flight; /* fds held for transactions to this proc */
	/* the freezer (freeze.c): frozen, and what came since it froze */
	bool is_frozen;
	bool sync_recv;
	bool async_recv;
	bool oneway_spam_detection_enabled;
	/* peer_pidfd.c, without SO_PEERPIDFD: pidfd_open(pid) or -1, and
	 * whether the process's own data showed it names the process */
	int opened_pidfd;
	bool opened_pidfd_shown;
	/* BC and BR commands counted for the stats view (debug_record.c) */
	struct debug_command_stats stats;
};

void proc_accept(int fd);

/* peer_pidfd.c: a pidfd for the process that connected on fd (the
 * process channel, already open): proc->pidfd from the kernel, or else
 * one shown later by the process's own data on its channels (those opened
 * meanwhile must be handed to peer_pidfd_watch). */
void peer_pidfd_open(struct proc *proc, int fd);
void peer_pidfd_watch(struct proc *proc, struct channel *channel);
void peer_pidfd_close(struct proc *proc);
/* The pidfd that names the sender of proc's calls, or -1 when none does. */
int peer_pidfd_of_sender(const struct proc *proc);
/* A connection must say HELLO within this many seconds (0: no limit). */
extern unsigned binderd_hello_timeout_seconds;
/* The process channel closed or misbehaved: release everything. */
void proc_release(struct proc *proc);
void proc_release_all(void);
/* The kernel's binder_wakeup_proc_ilocked: wake a waiting thread, or
 * the polling ones. */
void proc_wakeup(struct proc *proc);
/* Picks a thread waiting for process work, or NULL. */
struct thread *proc_select_thread(struct proc *proc);
/* Handle numbers. */
int proc_desc_alloc(struct proc *proc, bool context_manager_node, uint32_t *desc);
void proc_desc_free(struct proc *proc, uint32_t desc);
/* Releases queued work (dead proc or thread): failed replies for two-way
 * transactions, frees the rest. */
void release_work_list(struct work_list *list);

/* ---- the device-wide state (device.c) ---- */

/* What the kernel keeps per device (struct binder_device and its
 * binder_context: the context manager) and in its globals (dead nodes,
 * the last debug id, the process count). binderd serves one device. Not
 * to be confused with libbinder's binder_context, which is one process's
 * open of a device (the kernel's binder_proc); see docs/glossary.md. */
struct binderd_device {
	struct node *manager_node;
	bool manager_uid_set;
	uid_t manager_uid;
	struct node_queue dead_nodes;
	uint64_t next_debug_id;
	struct proc_queue procs; /* every live proc, oldest first */
	size_t proc_count;
};

extern struct binderd_device binderd_device;

/* The event loop every channel and timer of binderd runs on (main.c). */
extern struct event_base *binderd_event_base;

/* Who may become the context manager (--manager-uid), binderd's stand-in
 * for the kernel's security_binder_set_context_mgr. */
#define BINDERD_MAX_MANAGER_UIDS 16
/* Adds the uids of list ("0,1000,name"; "any": every uid) to those that
 * may. 0, -EINVAL (not a uid), -ENOENT (no such user), -E2BIG, -ENOMEM.
 * Until a first call, only binderd's own euid may. */
int context_allow_manager_uids(const char *list);
/* Whether euid may become the context manager; logs a refusal. */
bool context_may_become_manager(uid_t euid);
/* Says at info level who may become the context manager. */
void context_log_manager_uids(void);

/* Frees memory after the current event is handled, so that objects
 * released in the middle of a handler stay readable until it returns. */
void defer_free(void *memory);
void run_deferred_frees(void);
/* Returns freed heap to the system after the current event. */
void trim_memory_later(void);
/* Runs wakeups, pending closes and deferred frees; after every event. */
void after_event(void);
bool wakeups_pending(void);

static inline uint64_t next_debug_id(void)
{
	return ++binderd_device.next_debug_id;
}

/* Limits that keep one client from exhausting binderd (and binderd_limits.h,
 * which channel.h includes, for the global and per-uid ones). */
#define BINDERD_MAX_NODES_PER_PROC (1u << 20)
#define BINDERD_MAX_REFS_PER_PROC  (1u << 20)

#endif
