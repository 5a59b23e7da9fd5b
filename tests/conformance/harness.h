/*
 * harness.h - helpers shared by the binder conformance tests.
 *
 * The suite speaks only the binder UAPI (<linux/android/binder.h>) through
 * the device layer (binder/device.h), so the same binary runs against the
 * kernel driver and against binderd. This harness opens and maps a device,
 * builds BC_* command streams, issues BINDER_WRITE_READ, parses the BR_*
 * return stream into a queue of events, waits for events with a bound, and
 * runs the other processes of a test (fork, pipes, reaping).
 *
 * Failures: CHECK() fails the Criterion test when called in the test
 * process, and makes a forked child exit with status 1 (after printing why)
 * when called in a child. Helper threads abort the test process instead.
 */
#ifndef CONFORMANCE_HARNESS_H
#define CONFORMANCE_HARNESS_H

#include <linux/android/binder.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "binder/device.h"

/* Longest wait for an event that must come. */
#define WAIT_MS 5000
/* How long a test watches for an event that must not come. */
#define QUIET_MS 300
/* Criterion timeout for one test, in seconds. */
#define TEST_TIMEOUT 30.0
/* Default receive area size. */
#define AREA_SIZE (1024 * 1024)
/* Children kill themselves after this many seconds, whatever happens. */
#define CHILD_ALARM_SECONDS 20

/* ---- failure reporting ---- */

void check_failed(const char *file, int line, const char *expression, const char *format, ...)
        __attribute__((noreturn, format(printf, 4, 5)));

#define CHECK(condition)                                                                           \
	do {                                                                                       \
		if (!(condition))                                                                  \
			check_failed(__FILE__, __LINE__, #condition, " ");                         \
	} while (0)

#define CHECKF(condition, ...)                                                                     \
	do {                                                                                       \
		if (!(condition))                                                                  \
			check_failed(__FILE__, __LINE__, #condition, __VA_ARGS__);                 \
	} while (0)

/* Marks the calling thread as a helper thread: failures abort the process. */
void harness_mark_helper_thread(void);

/* ---- events (parsed BR_* commands) ---- */

struct br_event {
	uint32_t cmd;
	unsigned batch;    /* which read returned it (per client, from 1) */
	unsigned position; /* index of the command within its read buffer */
	union {
		struct binder_transaction_data txn;               /* BR_TRANSACTION, BR_REPLY */
		struct binder_transaction_data_secctx txn_secctx; /* BR_TRANSACTION_SEC_CTX */
		struct binder_ptr_cookie ptr_cookie;              /* BR_INCREFS, BR_ACQUIRE, ... */
		binder_uintptr_t cookie; /* BR_DEAD_BINDER, BR_CLEAR_DEATH_... */
		__s32 error;             /* BR_ERROR */
		uint8_t raw[sizeof(struct binder_transaction_data_secctx)];
	};
};

const char *br_name(uint32_t cmd);

/* ---- a binder process (one open of the device) seen from one thread ---- */

#define EVENT_QUEUE_SIZE 256

struct binder_client {
	binder_device *device;
	void *area;
	size_t area_size;
	bool is_thread_view; /* a view for another thread: closing does nothing */
	unsigned reads;
	size_t queued;
	struct br_event queue[EVENT_QUEUE_SIZE];
};

/* Opens the device (binder_device_default_path()) and maps area_size. */
int client_open(struct binder_client *client, size_t area_size);
/* client_open() that CHECKs success. */
void open_client(struct binder_client *client, size_t area_size);
void client_close(struct binder_client *client);
/* A view of the same binder process for another thread (own event queue). */
void client_thread_view(const struct binder_client *owner, struct binder_client *view);

/* ---- BC_* command streams ---- */

struct bc_stream {
	size_t size;
	uint8_t bytes[4096];
};

void bc_reset(struct bc_stream *stream);
void bc_add(struct bc_stream *stream, const void *bytes, size_t size);
void bc_add_u32(struct bc_stream *stream, uint32_t value);
void bc_add_transaction(struct bc_stream *stream, uint32_t cmd, uint32_t handle, uint32_t code,
                        uint32_t flags, const void *data, size_t data_size,
                        const binder_size_t *offsets, size_t offsets_count);
void bc_add_transaction_sg(struct bc_stream *stream, uint32_t cmd, uint32_t handle, uint32_t code,
                           uint32_t flags, const void *data, size_t data_size,
                           const binder_size_t *offsets, size_t offsets_count,
                           binder_size_t buffers_size);
void bc_add_free_buffer(struct bc_stream *stream, binder_uintptr_t buffer);
void bc_add_ptr_cookie(struct bc_stream *stream, uint32_t cmd, binder_uintptr_t ptr,
                       binder_uintptr_t cookie);
void bc_add_handle(struct bc_stream *stream, uint32_t cmd, uint32_t handle);
void bc_add_death(struct bc_stream *stream, uint32_t cmd, uint32_t handle, binder_uintptr_t cookie);
void bc_add_dead_binder_done(struct bc_stream *stream, binder_uintptr_t cookie);

/* ---- ioctls ---- */

/* BINDER_WRITE_READ with only a write part; returns 0 or -errno. */
int client_write(struct binder_client *client, const void *bytes, size_t size,
                 binder_size_t *write_consumed);
/* Writes the whole stream and CHECKs that it was accepted and consumed. */
void send_commands(struct binder_client *client, const struct bc_stream *stream);
/* Sends one command that has no payload (BC_ENTER_LOOPER, ...). */
void send_command(struct binder_client *client, uint32_t cmd);
void enter_looper(struct binder_client *client);

/*
 * Waits (poll on the device's poll fd) up to timeout_ms for work, then does
 * one BINDER_WRITE_READ read and appends what it returned to the queue.
 * Returns the number of commands read (BR_NOOP included), -ETIMEDOUT, or
 * another -errno. Every read buffer must start with BR_NOOP or
 * BR_SPAWN_LOOPER (CHECKed).
 */
int client_read(struct binder_client *client, int timeout_ms);

/*
 * Removes and returns (in *event) the first queued event whose cmd is one of
 * cmds, reading more as needed for up to timeout_ms. Other events stay queued
 * in order. Returns 0 or -ETIMEDOUT.
 */
int client_take(struct binder_client *client, const uint32_t *cmds, size_t cmds_count,
                struct br_event *event, int timeout_ms);
/* Removes and returns the next event that is not BR_NOOP. 0 or -ETIMEDOUT. */
int client_next(struct binder_client *client, struct br_event *event, int timeout_ms);

/* CHECKs that the next event (BR_NOOP aside) is cmd; returns it in *event. */
void expect_next(struct binder_client *client, uint32_t cmd, struct br_event *event);
/* CHECKs that an event cmd arrives, skipping (and keeping) others. */
void expect_take(struct binder_client *client, uint32_t cmd, struct br_event *event);
/* CHECKs that nothing but BR_NOOP is queued or arrives within quiet_ms. */
void expect_nothing(struct binder_client *client, int quiet_ms);
/* Is an event with this cmd queued (not removed)? */
bool client_has_queued(const struct binder_client *client, uint32_t cmd);

/* ---- transactions ---- */

struct call_result {
	uint32_t cmd;      /* BR_REPLY, BR_FAILED_REPLY, BR_DEAD_REPLY or BR_TRANSACTION_COMPLETE */
	bool saw_complete; /* a BR_TRANSACTION_COMPLETE came before it */
	struct br_event reply; /* valid when cmd == BR_REPLY */
};

/*
 * Sends BC_TRANSACTION and waits for its outcome: for a synchronous call the
 * BR_REPLY / BR_FAILED_REPLY / BR_DEAD_REPLY (the BR_TRANSACTION_COMPLETE that
 * precedes it is noted); for a oneway call BR_TRANSACTION_COMPLETE or the
 * failure. Incoming BR_TRANSACTIONs and refcount events stay queued.
 */
struct call_result call(struct binder_client *client, uint32_t handle, uint32_t code,
                        uint32_t flags, const void *data, size_t data_size,
                        const binder_size_t *offsets, size_t offsets_count);
/* Waits for the outcome of a BC_TRANSACTION already sent (see call()). */
struct call_result wait_call_result(struct binder_client *client, bool oneway);

/* Waits for a BR_TRANSACTION (CHECKed) and returns it. */
void expect_transaction(struct binder_client *client, struct br_event *event);
/* BC_FREE_BUFFER for the event's buffer then BC_REPLY; CHECKs the
 * BR_TRANSACTION_COMPLETE that answers the reply. */
void reply_and_free(struct binder_client *client, const struct br_event *transaction,
                    const void *data, size_t data_size, const binder_size_t *offsets,
                    size_t offsets_count);
/* BC_REPLY only (the buffer stays), CHECKs BR_TRANSACTION_COMPLETE. */
void reply_keep(struct binder_client *client, const void *data, size_t data_size,
                const binder_size_t *offsets, size_t offsets_count);
void free_buffer(struct binder_client *client, const struct br_event *event);

/* The data and offsets of a received transaction (CHECKed to lie in the
 * receive area). */
const void *event_data(const struct binder_client *client, const struct br_event *event);
const binder_size_t *event_offsets(const struct binder_client *client,
                                   const struct br_event *event);
/* The flat_binder_object at the event's offsets[index] (CHECKed). */
const struct flat_binder_object *event_object(const struct binder_client *client,
                                              const struct br_event *event, size_t index);

/* Answers a BR_INCREFS / BR_ACQUIRE with BC_INCREFS_DONE / BC_ACQUIRE_DONE. */
void acknowledge_ref_event(struct binder_client *client, const struct br_event *event);
/* Takes the BR_INCREFS then BR_ACQUIRE (if strong) for ptr/cookie and answers them. */
void expect_node_acquired(struct binder_client *client, binder_uintptr_t ptr,
                          binder_uintptr_t cookie, bool strong);

/* Object builders. */
struct flat_binder_object binder_object(uint32_t type, binder_uintptr_t ptr,
                                        binder_uintptr_t cookie, uint32_t flags);
struct flat_binder_object handle_object(uint32_t type, uint32_t handle);

/* ---- context manager ---- */

/* BINDER_SET_CONTEXT_MGR, retrying -EBUSY for a bounded time (the previous
 * context manager's release is asynchronous). CHECKs success. */
void become_context_manager(struct binder_client *client);
/* BINDER_SET_CONTEXT_MGR_EXT with the given object, same retry. */
void become_context_manager_ext(struct binder_client *client, binder_uintptr_t ptr,
                                binder_uintptr_t cookie, uint32_t flags);

/* ---- processes and synchronisation ---- */

/* Two pipes between the test process and one child. */
struct channel {
	int to_child[2];
	int to_parent[2];
};

void channel_open(struct channel *channel);
void channel_close(struct channel *channel);
void tell_child(struct channel *channel, uint64_t value);
void tell_parent(struct channel *channel, uint64_t value);
/* Waits (bounded, WAIT_MS) for a value; CHECKs that one came. */
uint64_t hear_from_child(struct channel *channel);
uint64_t hear_from_parent(struct channel *channel);
/* Returns true and the value if the parent has sent one, without waiting. */
bool try_hear_from_parent(struct channel *channel, uint64_t *value);

/* Forks a child that runs body(argument) and exits with its result. The
 * child dies with the test process and after CHILD_ALARM_SECONDS. */
pid_t spawn_child(int (*body)(void *argument), void *argument);
/* Waits (bounded) for the child; returns its wait status or -ETIMEDOUT (the
 * child is then killed). */
int wait_child(pid_t pid, int timeout_ms);
/* CHECKs that the child exited with status 0. */
void expect_child_success(pid_t pid);

/* True in a forked child of a test. */
bool in_child(void);

#endif
