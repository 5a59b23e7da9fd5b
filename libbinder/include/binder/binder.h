/*
 * binder/binder.h - binder contexts, objects (local objects and proxies),
 * threads and death notifications.
 *
 * A context is one open of a binder device: what the kernel calls a binder
 * process. It has its own handles, objects and threads; a program may hold
 * several (different devices, or the same device opened twice). Closing a
 * context kills exactly the local objects it owns: other processes holding
 * them get their death notifications.
 *
 * A binder object is either a local object (made here, with a transact
 * handler) or a proxy (a handle to an object in another process). Both are
 * reference counted; a proxy keeps the driver's strong reference on its
 * handle while anybody holds it, and a local object lives while anybody,
 * here or in another process, holds it.
 *
 * Incoming transactions run on binder threads: threads of the program that
 * joined the context's thread pool, threads libbinder started itself (up to
 * max_threads, when the driver asks with BR_SPAWN_LOOPER), a thread that
 * polls the context's fd from its own event loop, and a thread waiting for
 * a reply (a nested call that comes back to it runs there, as on Android).
 *
 * Thread-safety: contexts and objects may be used from any thread at
 * once. Handlers and death callbacks run on binder threads, possibly
 * several at once.
 *
 * Conventions (every public header of libbinder follows them):
 *  - Status: a function that can fail returns an int, 0 or a negative
 *    status of binder/status.h, and gives what it makes through its last
 *    parameters (`out`): use them only on success. Functions that
 *    cannot fail return their value. binder_parcel_new() is the one
 *    shorthand returning a pointer (NULL: out of memory);
 *    binder_parcel_create() is its status form.
 *  - Ownership: what a _new / _create function or an `out` parameter
 *    gives is the caller's: a new reference dropped with the matching
 *    _unref, a parcel freed with binder_parcel_free, malloc'ed text freed
 *    with free. Pointers a function returns, and "borrowed" out values,
 *    stay the callee's. NULL is accepted by every _unref and _free.
 *  - Names: binder_<type>_<what>, the type being the first parameter's
 *    (binder_context_, binder_object_, binder_parcel_, binder_device_)
 *    or the type a constructor makes. Getters are named after what they
 *    give, with no get_: binder_object_handle, binder_context_manager,
 *    binder_object_descriptor, binder_parcel_position; setters have
 *    set_. (binder_service_manager_get is IServiceManager's getService,
 *    named after that method.)
 *  - Null arrays and strings: AOSP's wire, length -1. Readers give them
 *    as a NULL pointer (with a length of 0 where there is one), an empty
 *    value as a non-NULL pointer; writers take a NULL pointer for null.
 *  - Interface tokens: a local object made with ops.enforce_interface
 *    has libbinder check the token of each user call before its handler
 *    runs (BINDER_BAD_TYPE when it is missing or for another interface);
 *    callers start requests with binder_parcel_new_request(target,
 *    descriptor, &data), which writes it. Objects without the flag get
 *    the data as sent and check it themselves
 *    (binder_parcel_enforce_interface).
 *  - Runtime internals (how a context closes its device, ...) are not in
 *    these headers: the library exports exactly what they declare.
 */
#ifndef BINDER_BINDER_H
#define BINDER_BINDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "binder/export.h"
#include "binder/parcel.h"
#include "binder/status.h"
#include "binder/version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct binder_context binder_context;
typedef struct binder_object binder_object;

/* Transaction codes (as on Android). User codes are FIRST..LAST. */
#define BINDER_FIRST_CALL_TRANSACTION 0x00000001u
#define BINDER_LAST_CALL_TRANSACTION  0x00ffffffu
#define BINDER_PACK_CHARS(c1, c2, c3, c4)                                                          \
	((((uint32_t)(c1)) << 24) | (((uint32_t)(c2)) << 16) | (((uint32_t)(c3)) << 8) |           \
	 ((uint32_t)(c4)))
/* Answered by libbinder for every local object: */
#define BINDER_PING_TRANSACTION      BINDER_PACK_CHARS('_', 'P', 'N', 'G')
#define BINDER_INTERFACE_TRANSACTION BINDER_PACK_CHARS('_', 'N', 'T', 'F')

/* Transaction flags. */
#define BINDER_FLAG_ONEWAY 0x01u /* TF_ONE_WAY: do not wait for a reply */

/* ---- contexts ---- */

struct binder_context_options {
	/* The device: a kernel binder device or binderd's socket. NULL: the
	 * default (binder_device_default_path(): $BINDER_DEVICE, /dev/binder,
	 * binderd's default socket). */
	const char *device;
	/* Size of the receive area; 0: 1 MiB - 8 KiB (AOSP's default). */
	size_t area_size;
	/* Threads libbinder may start on its own (BINDER_SET_MAX_THREADS).
	 * binder_context_options_init() sets 15, AOSP's default. */
	uint32_t max_threads;
	/* The Android generation whose wire the context speaks (11 to 16,
	 * see BINDER_ANDROID_*): the binder stability word after each
	 * flat_binder_object, and the IServiceManager transaction codes of
	 * binder/service_manager.h. 0: BINDER_ANDROID_DEFAULT. Added after
	 * max_threads, in what was the struct's tail padding on 64-bit
	 * targets (size and offsets unchanged there); fill the options with
	 * binder_context_options_init(), which sets it to 0. */
	uint32_t android;
};

/* Android generations libbinder speaks (binder_context_options.android). */
#define BINDER_ANDROID_OLDEST  11
#define BINDER_ANDROID_NEWEST  16
#define BINDER_ANDROID_DEFAULT 14

/* True if android is a generation libbinder speaks (11 to 16). */
BINDER_API bool binder_android_is_supported(uint32_t android);

/* Fills options with the defaults. */
BINDER_API void binder_context_options_init(struct binder_context_options *options);

/*
 * Opens a context (options NULL: the defaults). No thread serves it yet:
 * see binder_context_start_thread_pool, _join_thread_pool, _poll_fd.
 * Errors: the device's (-ENOENT, -ECONNREFUSED, -ENODEV, ...), -ENOMEM,
 * BINDER_BAD_VALUE if the driver's protocol version is not ours or
 * options->android is neither 0 nor a supported generation.
 */
BINDER_API int binder_context_new(const struct binder_context_options *options,
                                  binder_context **out);
BINDER_API binder_context *binder_context_ref(binder_context *context);
/* Drops a reference; the last one closes the context (from a helper
 * thread when it is dropped on one of the context's own binder threads,
 * which the close must wait for). Objects hold references on their
 * context. NULL is allowed. */
BINDER_API void binder_context_unref(binder_context *context);

/*
 * Ends the binder process now: threads in the pool leave it (join returns),
 * libbinder's own threads exit, calls waiting for replies return
 * BINDER_DEAD_OBJECT, the device is closed; the local objects die for their
 * holders; proxies of this context become dead (calls give
 * BINDER_DEAD_OBJECT) and their death links are dropped uncalled. Parcels
 * received earlier stay readable. Waits for the context's binder threads
 * to leave: BINDER_INVALID_OPERATION when called from one of them (a
 * handler, a pool thread; a polling thread between two calls may close).
 * Memory is freed when the last references go. Closing twice is 0.
 */
BINDER_API int binder_context_close(binder_context *context);

/* Starts libbinder's first pool thread (BC_ENTER_LOOPER); more are started
 * as the driver asks, up to max_threads. Once: later calls are no-ops. */
BINDER_API int binder_context_start_thread_pool(binder_context *context);
/* The calling thread serves the context (BC_ENTER_LOOPER) until the
 * context is closed; returns 0 then. */
BINDER_API int binder_context_join_thread_pool(binder_context *context);
/* Changes max_threads (BINDER_SET_MAX_THREADS). */
BINDER_API int binder_context_set_max_threads(binder_context *context, uint32_t max_threads);
/* The Android generation the context speaks (11 to 16: its options'
 * android, or BINDER_ANDROID_DEFAULT). */
BINDER_API uint32_t binder_context_android(const binder_context *context);

/*
 * For a program with its own event loop: the calling thread becomes a
 * looper of the context, served by polling. *fd (owned by the context)
 * becomes readable (POLLIN) when there is work: then call
 * binder_context_handle_polled_work from the same thread, which runs all
 * the work that is there and returns without waiting. Call _poll_fd again
 * before each poll: the fd may change.
 */
BINDER_API int binder_context_poll_fd(binder_context *context, int *fd);
BINDER_API int binder_context_handle_polled_work(binder_context *context);

/*
 * Sets the security context that the context's later calls carry to the
 * objects that asked for one (binder_object_request_security_context: their
 * handlers see it as struct binder_caller.security_context), in place of
 * the label binderd took from the process when the context was opened:
 * for a program that calls local services on behalf of others, such as a
 * bridge ("bridge:<peer>"). It is the context's (the binder process's)
 * label for every thread, from its next call on; calls already sent keep
 * the label they had. A program speaking for several peers uses one
 * context per label. label: 1 to 255 bytes of printable ASCII (' ' to
 * '~'), NUL-terminated (copied).
 * Errors: BINDER_BAD_VALUE for a bad label; BINDER_PERMISSION_DENIED when
 * binderd refuses (it allows a process whose euid, when the context was
 * opened, is 0 or binderd's own), and the label stays as it was;
 * BINDER_INVALID_OPERATION on the kernel driver, which takes labels from
 * the security module; BINDER_DEAD_OBJECT when the context is closing or
 * binderd went away.
 * Thread-safety: may be called from any thread, handlers included; calls
 * that other threads send meanwhile get either label.
 */
BINDER_API int binder_context_set_security_context(binder_context *context, const char *label);

/* Makes object (a local object of this context) the context manager,
 * handle 0. BINDER_PERMISSION_DENIED / -EBUSY if there is one already. */
BINDER_API int binder_context_become_manager(binder_context *context, binder_object *object);
/* A proxy for handle 0, the context manager (servicemanager): a new
 * reference in *out. (Was binder_context_get_manager.) */
BINDER_API int binder_context_manager(binder_context *context, binder_object **out);

/*
 * Writes what context holds to out, for diagnostics, in lines like:
 *
 *   context 1: android 14, open
 *     threads: max 15, spawned 1, active 2 (in the driver or a handler), pool started yes
 *     locals: 1
 *       local 0x55d0c2a0: descriptor "my.IService", refs 2, driver strong 1 weak 1
 *     proxies: 1
 *       proxy handle 1: refs 1, driver referenced yes, alive, death links 1, death
 *       notification requested
 *
 * (the proxy line is one line). A local object (the kernel's node) shows
 * its address (the driver's ptr and cookie), the references this process
 * holds (refs) and those the driver holds for other processes; a proxy
 * (the kernel's ref) its handle, this process's references, its death
 * links and whether the driver was asked for its death notification
 * ("requested") or delivered it. The thread counts are the pool's; the
 * threads themselves are not listed. The layout may gain fields: parse it
 * loosely. Returns 0, BINDER_BAD_VALUE for a NULL argument,
 * BINDER_NO_MEMORY, or -EIO when out refuses the text.
 * Thread-safety: any thread, handlers included; the state is copied under
 * the context's lock and written to out after it is released, so it is
 * one consistent moment of the context and a slow out never stalls it.
 */
BINDER_API int binder_context_dump(binder_context *context, FILE *out);

/* ---- objects ---- */

/* Who sent the transaction a handler is running. */
struct binder_caller {
	pid_t pid; /* 0 for oneway calls, as in the kernel */
	uid_t euid;
	/* The sender's security context, or NULL when the driver gave none. */
	const char *security_context;
	/* The transaction's flags (BINDER_FLAG_ONEWAY, ...). */
	uint32_t flags;
};

/*
 * A local object's transact handler: runs code with data, writes the
 * answer into reply (ignored for oneway calls) and returns a status, which
 * the caller receives (a non-zero status replaces the reply's data, as on
 * Android). data and reply are only valid during the call. Return
 * BINDER_UNKNOWN_TRANSACTION for codes it does not know.
 */
typedef int (*binder_transact_handler)(binder_object *self, uint32_t code, binder_parcel *data,
                                       binder_parcel *reply, const struct binder_caller *caller,
                                       void *user_data);

struct binder_local_ops {
	binder_transact_handler transact; /* required */
	/* Optional: the last reference from other processes went away (the
	 * driver's BR_RELEASE). Runs on a binder thread. */
	void (*on_last_remote_reference)(binder_object *self, void *user_data);
	/* Optional: the object is being freed: release user_data here. */
	void (*destroy)(void *user_data);
	/* When true, transact also gets PING_TRANSACTION and
	 * INTERFACE_TRANSACTION, which libbinder otherwise answers itself
	 * (for an object that forwards every call, such as a bridge's). */
	bool handles_standard_codes;
	/* When true, libbinder reads the interface token at the start of
	 * every user transaction's data (codes FIRST to LAST_CALL_TRANSACTION)
	 * and checks it names the object's descriptor before transact runs,
	 * as libbinder_ndk does: a missing token or one for another interface
	 * is answered BINDER_BAD_TYPE (AOSP's BAD_TYPE) and transact never
	 * sees the call; otherwise transact gets data positioned after the
	 * token. When false, transact gets data at its start and checks the
	 * token itself, if it wants (binder_parcel_enforce_interface). Callers
	 * write the token with binder_parcel_new_request. */
	bool enforce_interface;
};

/*
 * Makes a local object of context with an interface descriptor (copied;
 * answered to INTERFACE_TRANSACTION, and checked against the token of
 * each call when ops->enforce_interface) and ops (copied). Nothing is
 * registered anywhere until the object is sent in a parcel or added to
 * servicemanager.
 */
BINDER_API int binder_object_new_local(binder_context *context, const char *descriptor,
                                       const struct binder_local_ops *ops, void *user_data,
                                       binder_object **out);
BINDER_API binder_object *binder_object_ref(binder_object *object);
BINDER_API void binder_object_unref(binder_object *object);

/*
 * Asks the driver for the caller's security context on every transaction
 * to this local object (AOSP's setRequestingSid): the handler then gets
 * struct binder_caller.security_context (binderd: the caller's SO_PEERSEC
 * label, "" when it has none, or the label it set with
 * binder_context_set_security_context). Call before the object is first
 * sent or made the context manager: the driver reads the flag then. A kernel
 * whose security module has no label for the caller fails such calls.
 * BINDER_INVALID_OPERATION for a proxy.
 */
BINDER_API int binder_object_request_security_context(binder_object *object);

BINDER_API bool binder_object_is_local(const binder_object *object);
/* Whether the driver holds a strong reference on a local object for
 * other processes now (between its BR_ACQUIRE and BR_RELEASE); false for
 * a proxy. */
BINDER_API bool binder_object_has_remote_references(binder_object *object);

/*
 * Makes a local object die for every other process, as if this process
 * had died for it alone (binder_device_kill_node): their death recipients
 * fire and their calls to it fail with BINDER_DEAD_OBJECT. For a process
 * that stands for objects living elsewhere (a bridge) when one of them
 * dies. The object stays valid for its holders here, but it is dead for
 * good: sent again, it reaches the receiver as a handle whose calls fail,
 * and on_last_remote_reference is not called for what the driver held.
 * A second kill, or a kill of an object never sent, returns BINDER_OK.
 * binderd only: BINDER_INVALID_OPERATION on the kernel driver (which has
 * no such operation) and for a proxy; BINDER_DEAD_OBJECT when the context
 * is closing or binderd went away. Safe from any thread.
 */
BINDER_API int binder_object_kill(binder_object *object);
/* The context the object belongs to (borrowed). */
BINDER_API binder_context *binder_object_context(const binder_object *object);
/* A local object's user_data (NULL for a proxy). */
BINDER_API void *binder_object_user_data(const binder_object *object);
/* A proxy's handle in its context; -1 for a local object. */
BINDER_API int32_t binder_object_handle(const binder_object *object);
/* False once libbinder knows a proxy's object died: its death was
 * delivered, a call got the driver's dead reply, or the context closed.
 * (Without a death link, a death is learnt at the next call.) */
BINDER_API bool binder_object_is_alive(const binder_object *object);

/*
 * Sends a transaction to object and, unless flags has BINDER_FLAG_ONEWAY,
 * waits for the reply, which replaces reply's contents (reply may be NULL
 * to drop it). On a local object the handler runs on the calling thread.
 * Returns the handler's status, or BINDER_DEAD_OBJECT (the object's
 * process died), BINDER_FAILED_TRANSACTION (the driver refused it: bad
 * objects, full receive area, ...), BINDER_BAD_VALUE (data holds objects
 * of another context). A positive status (Android counts any non-zero
 * status as a failure) is returned as BINDER_POSITIVE_STATUS, and
 * binder_last_positive_status() gives it.
 */
BINDER_API int binder_object_transact(binder_object *object, uint32_t code, binder_parcel *data,
                                      binder_parcel *reply, uint32_t flags);
/*
 * A new request parcel for a call to target through interface descriptor:
 * the interface token (binder_parcel_write_interface_token) is written,
 * and the parcel speaks target's Android generation; append the
 * arguments, then binder_object_transact. *out is the caller's, freed
 * with binder_parcel_free. Errors: BINDER_BAD_VALUE (NULL argument,
 * descriptor not UTF-8), BINDER_NO_MEMORY.
 */
BINDER_API int binder_parcel_new_request(binder_object *target, const char *descriptor,
                                         binder_parcel **out);
/* PING_TRANSACTION: 0 if the object answers. */
BINDER_API int binder_object_ping(binder_object *object);
/* The object's interface descriptor (a proxy asks its object with
 * INTERFACE_TRANSACTION); *descriptor is malloc'ed, the caller frees it.
 * (Was binder_object_get_descriptor.) */
BINDER_API int binder_object_descriptor(binder_object *object, char **descriptor);

/* Called once when the object of a proxy dies, on a binder thread. */
typedef void (*binder_death_handler)(binder_object *who, void *cookie);
/*
 * Asks to be told when the proxy's object dies. The same (handler,
 * cookie) pair may be linked once. Errors: BINDER_INVALID_OPERATION for a
 * local object, BINDER_DEAD_OBJECT if it is dead already, -EEXIST.
 * Deaths are delivered by the context's binder threads: start a pool,
 * join it or poll, or they wait for the next call on this thread.
 */
BINDER_API int binder_object_link_to_death(binder_object *proxy, binder_death_handler handler,
                                           void *cookie);
/* Undoes a link: BINDER_NAME_NOT_FOUND if not linked, BINDER_DEAD_OBJECT
 * if the death was already delivered (or the context closed: links are
 * then dropped uncalled). After it returns 0 the handler is not called. */
BINDER_API int binder_object_unlink_to_death(binder_object *proxy, binder_death_handler handler,
                                             void *cookie);

#ifdef __cplusplus
}
#endif

#endif
