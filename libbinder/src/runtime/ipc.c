/*
 * ipc.c - talking to the driver: BINDER_WRITE_READ with the thread's
 * queued commands, and handling the BR_* commands that come back (incoming
 * transactions, reference counts, deaths, BR_SPAWN_LOOPER).
 */
#include "runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "device_runtime.h"
#include "log_internal.h"
#include "parcel_internal.h"

/* The kernel's largest receive area: only this much of a bigger mapping
 * is ever used. */
#define BINDER_AREA_MAX ((uint64_t)4 << 20)

/* Newer kernels send this instead of BR_TRANSACTION_COMPLETE for a
 * oneway call to a frozen process; older UAPI headers lack it. */
#ifndef BR_TRANSACTION_PENDING_FROZEN
#define BR_TRANSACTION_PENDING_FROZEN _IO('r', 20)
#endif

/* Replies up to this size may have their BC_FREE_BUFFER deferred: at
 * most 16 of them (64 KiB of the receive area) wait for the next ioctl. */
#define SMALL_REPLY_SIZE 4096

static bool context_closing(binder_context *context)
{
	bool closing;

	pthread_mutex_lock(&context->lock);
	closing = context->closing;
	pthread_mutex_unlock(&context->lock);
	return closing;
}

/* Moves the context's deferred BC_FREE_BUFFERs into the state's out
 * buffer, ahead of whatever this ioctl sends. */
static void take_deferred_frees(struct binder_thread_state *state)
{
	binder_context *context = state->context;
	unsigned i, count;

	pthread_mutex_lock(&context->lock);
	count = atomic_load(&context->deferred_free_count);
	for (i = 0; i < count; i++)
		if (thread_state_queue(state, BC_FREE_BUFFER, &context->deferred_frees[i],
		                       sizeof(context->deferred_frees[i])))
			break;
	if (i < count)
		memmove(context->deferred_frees, context->deferred_frees + i,
		        (count - i) * sizeof(context->deferred_frees[0]));
	atomic_store(&context->deferred_free_count, count - i);
	pthread_mutex_unlock(&context->lock);
}

/* ipc_talk; hold_complete: the thread reads again after a lone
 * BR_TRANSACTION_COMPLETE, which binderd may then hold for it. */
static int talk(struct binder_thread_state *state, bool read, bool hold_complete)
{
	struct binder_write_read bwr = {0};
	int status;

	if (atomic_load(&state->context->deferred_free_count))
		take_deferred_frees(state);
	/* Unhandled commands are handled before reading more. */
	if (state->in_position < state->in_size)
		read = false;
	bwr.write_buffer = (uintptr_t)state->out;
	bwr.write_size = state->out_size;
	if (read) {
		bwr.read_buffer = (uintptr_t)state->in;
		bwr.read_size = sizeof(state->in);
	}
	if (!bwr.write_size && !bwr.read_size)
		return 0;
	do {
		/* state->out is ours: no checked copy of it is needed. */
		status = binder_device_write_read(
		        state->context->device, &bwr,
		        BINDER_WRITE_READ_VALID_BUFFERS |
		                (hold_complete && read ? BINDER_WRITE_READ_HOLD_COMPLETE : 0));
	} while (status == -EINTR);
	/* Normal, not an error: the driver stops taking commands while an
	 * error waits for the read (a failed transaction's BR_DEAD_REPLY, as
	 * the kernel does), and they go again with the next write. */
	if (status == 0 && bwr.write_consumed < bwr.write_size)
		runtime_log(
		        BINDER_LOG_DEBUG,
		        "the driver took %llu of %llu bytes of commands: the rest is sent again",
		        (unsigned long long)bwr.write_consumed, (unsigned long long)bwr.write_size);
	if (bwr.write_consumed > 0) {
		if (bwr.write_consumed < state->out_size)
			memmove(state->out, state->out + bwr.write_consumed,
			        state->out_size - bwr.write_consumed);
		state->out_size -= bwr.write_consumed;
	}
	if (read) {
		state->in_size = bwr.read_consumed;
		state->in_position = 0;
	}
	if (status) {
		bool gone = context_closing(state->context) || status == -ENOTCONN ||
		            status == -EPIPE || status == -ECONNRESET;

		/* A failed write would fail again: drop what is left of it. */
		if (state->out_size && !gone)
			runtime_log(BINDER_LOG_ERROR,
			            "BINDER_WRITE_READ failed (%s): %zu bytes of commands dropped",
			            binder_status_to_string(status), state->out_size);
		state->out_size = 0;
		return gone ? BINDER_DEAD_OBJECT : status;
	}
	return 0;
}

int ipc_talk(struct binder_thread_state *state, bool read)
{
	return talk(state, read, false);
}

/* Sends what is queued, without reading. */
static int flush(struct binder_thread_state *state)
{
	return state->out_size ? ipc_talk(state, false) : 0;
}

static int send_commands(binder_context *context, const struct ipc_command *commands, size_t count,
                         bool now)
{
	struct binder_thread_state *state;
	int status = runtime_enter(context);
	size_t i;

	if (status)
		return status;
	state = thread_state_get(context);
	if (!state)
		status = BINDER_NO_MEMORY;
	for (i = 0; status == 0 && i < count; i++)
		status = thread_state_queue(state, commands[i].command, commands[i].payload,
		                            commands[i].size);
	/* A looper or a waiting caller talks again soon; others send now. */
	if (status == 0 && (now || !state->inside))
		status = flush(state);
	runtime_leave(context);
	return status;
}

int ipc_send_commands(binder_context *context, const struct ipc_command *commands, size_t count)
{
	return send_commands(context, commands, count, false);
}

int ipc_send_commands_now(binder_context *context, const struct ipc_command *commands, size_t count)
{
	return send_commands(context, commands, count, true);
}

int ipc_send_now(binder_context *context, uint32_t command, const void *payload, size_t size)
{
	struct ipc_command one = {command, payload, size};

	return ipc_send_commands(context, &one, 1);
}

void ipc_free_buffer(void *context_pointer, const void *data)
{
	binder_uintptr_t buffer = (uintptr_t)data;

	ipc_send_now(context_pointer, BC_FREE_BUFFER, &buffer, sizeof(buffer));
}

void ipc_free_small_buffer(void *context_pointer, const void *data)
{
	binder_context *context = context_pointer;
	struct binder_thread_state *state = thread_state_find(context);
	bool deferred = false;

	if (!state || !state->inside) {
		pthread_mutex_lock(&context->lock);
		if (!context->closing && context->deferred_free_count < 16) {
			unsigned count = atomic_load(&context->deferred_free_count);

			context->deferred_frees[count] = (uintptr_t)data;
			atomic_store(&context->deferred_free_count, count + 1);
			deferred = true;
		}
		pthread_mutex_unlock(&context->lock);
	}
	if (!deferred)
		ipc_free_buffer(context, data);
}

/* Takes size bytes of the next command's payload from the in buffer. */
static int take(struct binder_thread_state *state, void *payload, size_t size)
{
	if (state->in_size - state->in_position < size)
		return BINDER_NOT_ENOUGH_DATA;
	memcpy(payload, state->in + state->in_position, size);
	state->in_position += size;
	return 0;
}

int ipc_next_command(struct binder_thread_state *state, uint32_t *command)
{
	return take(state, command, sizeof(*command));
}

static binder_object *target_object(binder_context *context,
                                    const struct binder_transaction_data *transaction)
{
	binder_object *object = NULL;

	pthread_mutex_lock(&context->lock);
	if (context->manager && transaction->target.ptr == 0) {
		object = binder_object_ref(context->manager);
	} else {
		object = local_lookup_locked(context, (uintptr_t)transaction->target.ptr,
		                             transaction->cookie);
	}
	pthread_mutex_unlock(&context->lock);
	return object;
}

/*
 * Sends the reply to the transaction whose data parcel is data (freed
 * here: its BC_FREE_BUFFER goes right after the BC_REPLY, which may
 * borrow from it, in the same write), then waits for the reply's
 * BR_TRANSACTION_COMPLETE, handling whatever comes first.
 */
static void send_reply(struct binder_thread_state *state, binder_parcel *reply, int32_t status,
                       binder_parcel *data)
{
	struct binder_transaction_data transaction = {0};
	uint32_t command;
	/* After the complete this thread reads again (a looper, or a caller
	 * waiting for its own reply; not a polling thread, which returns to
	 * its user): binderd may hold the complete until then, and the
	 * reply parcel with it. Not one with objects or fds: the parcel's
	 * references would outlive the call. */
	bool hold = ((state->looper && !state->polling) || state->waiting_for_reply) &&
	            (!reply || binder_parcel_object_count(reply) == 0);

	if (status == 0 && binder_parcel_check_context(reply, state->context) != 0)
		status = BINDER_BAD_VALUE;
	if (status == 0) {
		binder_parcel_describe(reply, binder_device_gathers(state->context->device),
		                       &transaction);
	} else {
		transaction.flags = TF_STATUS_CODE;
		transaction.data_size = sizeof(status);
		transaction.data.ptr.buffer = (uintptr_t)&status;
	}
	int queued = thread_state_queue(state, BC_REPLY, &transaction, sizeof(transaction));
	binder_parcel_free(data);
	if (queued)
		return;
	/* The reply's bytes are read during this ioctl. */
	if (talk(state, true, hold) || context_closing(state->context))
		return;
	for (;;) {
		if (state->in_position >= state->in_size) {
			if (talk(state, true, hold))
				return;
			/* The kernel's flush wakes us with a bare BR_NOOP. */
			if (context_closing(state->context))
				return;
			continue;
		}
		if (ipc_next_command(state, &command))
			return;
		if (command == BR_TRANSACTION_COMPLETE || command == BR_FAILED_REPLY ||
		    command == BR_DEAD_REPLY)
			return;
		if (ipc_execute(state, command))
			return;
	}
}

/* True if [start, start + size) lies in the context's receive area. */
static bool in_area(const binder_context *context, uint64_t start, uint64_t size)
{
	uint64_t area = (uintptr_t)context->area;
	uint64_t area_size =
	        context->area_size < BINDER_AREA_MAX ? context->area_size : BINDER_AREA_MAX;

	return context->area && start >= area && size <= area_size &&
	       start - area <= area_size - size;
}

/* The driver's buffer description is checked, not trusted: data and
 * offsets inside the area, offsets whole binder_size_t entries. */
static bool transaction_buffer_valid(const binder_context *context,
                                     const struct binder_transaction_data *transaction)
{
	return in_area(context, transaction->data.ptr.buffer, transaction->data_size) &&
	       transaction->offsets_size % sizeof(binder_size_t) == 0 &&
	       (transaction->offsets_size == 0 ||
	        in_area(context, transaction->data.ptr.offsets, transaction->offsets_size));
}

/* The security context: a NUL-terminated label inside the area. */
static const char *security_context_in_area(const binder_context *context, uint64_t label)
{
	uint64_t area_end =
	        (uintptr_t)context->area +
	        (context->area_size < BINDER_AREA_MAX ? context->area_size : BINDER_AREA_MAX);

	if (!label || !in_area(context, label, 1))
		return NULL;
	if (!memchr((const void *)(uintptr_t)label, 0, area_end - label))
		return NULL;
	return (const char *)(uintptr_t)label;
}

static int execute_transaction(struct binder_thread_state *state, uint32_t command)
{
	struct binder_transaction_data_secctx secure = {0};
	struct binder_transaction_data *transaction = &secure.transaction_data;
	binder_context *context = state->context;
	struct binder_caller caller = {0};
	binder_parcel *data, *reply;
	binder_object *object;
	int status;

	if (command == BR_TRANSACTION_SEC_CTX)
		status = take(state, &secure, sizeof(secure));
	else
		status = take(state, transaction, sizeof(*transaction));
	if (status)
		return status;
	caller.pid = transaction->sender_pid;
	caller.euid = transaction->sender_euid;
	caller.flags = transaction->flags;
	/* The driver puts the label, NUL-terminated, at the end of the
	 * buffer (after the offsets). */
	caller.security_context = security_context_in_area(context, secure.secctx);
	if (!transaction_buffer_valid(context, transaction)) {
		/* Not a buffer of ours: nothing to read, nothing to free. */
		if (!(transaction->flags & TF_ONE_WAY))
			send_reply(state, NULL, BINDER_BAD_VALUE, NULL);
		return 0;
	}

	data = binder_parcel_new();
	reply = binder_parcel_new();
	if (!data || !reply) {
		binder_parcel_free(data);
		binder_parcel_free(reply);
		ipc_free_buffer(context, (const void *)(uintptr_t)transaction->data.ptr.buffer);
		if (!(transaction->flags & TF_ONE_WAY))
			send_reply(state, NULL, BINDER_NO_MEMORY, NULL);
		return 0;
	}
	status = binder_parcel_adopt_received(
	        data, context, (const void *)(uintptr_t)transaction->data.ptr.buffer,
	        transaction->data_size,
	        (const binder_size_t *)(uintptr_t)transaction->data.ptr.offsets,
	        transaction->offsets_size / sizeof(binder_size_t), ipc_free_buffer, context);
	object = target_object(context, transaction);
	if (status == 0 && !object)
		status = BINDER_BAD_VALUE;
	if (status == 0) {
		state->handler_depth++;
		status = transact_local(object, transaction->code, data, reply, &caller);
		state->handler_depth--;
	}
	if (status != 0 && (transaction->flags & TF_ONE_WAY))
		/* Nobody waits for it: this is its only trace (AOSP logs it). */
		runtime_log(BINDER_LOG_WARN, "oneway transaction %#x to %s failed: %s (dropped)",
		            transaction->code,
		            object && object->descriptor ? object->descriptor : "an unknown object",
		            binder_status_to_string(status));
	/* Nothing of the call is kept while the reply's wait may last until
	 * the next work (see send_reply). */
	binder_object_unref(object);
	/* The data's buffer goes back right after the reply, which may
	 * borrow from it (binder_parcel_write_byte_array_borrowed). */
	if (!(transaction->flags & TF_ONE_WAY))
		send_reply(state, reply, status, data);
	else
		binder_parcel_free(data);
	binder_parcel_free(reply);
	return 0;
}

/* BR commands the kernel defines that ipc_execute has no use for: they are
 * skipped quietly; anything else is unknown. */
static bool known_unused_command(uint32_t command)
{
	switch (command) {
	case BR_ACQUIRE_RESULT:
	case BR_ATTEMPT_ACQUIRE:
	case BR_DEAD_REPLY:
	case BR_FAILED_REPLY:
	case BR_FROZEN_REPLY:
	case BR_ONEWAY_SPAM_SUSPECT:
	case BR_TRANSACTION_PENDING_FROZEN:
		return true;
	default:
		return false;
	}
}

int ipc_execute(struct binder_thread_state *state, uint32_t command)
{
	binder_context *context = state->context;
	struct binder_ptr_cookie ptr_cookie;
	binder_uintptr_t cookie;
	int32_t value;
	size_t size = _IOC_SIZE(command);

	switch (command) {
	case BR_NOOP:
	case BR_OK:
	case BR_TRANSACTION_COMPLETE:
	case BR_FINISHED:
		return 0;
	case BR_ERROR:
		if (take(state, &value, sizeof(value)))
			return BINDER_NOT_ENOUGH_DATA;
		runtime_log(BINDER_LOG_ERROR, "the driver sent BR_ERROR %d (%s)", (int)value,
		            binder_status_to_string(value));
		return 0;
	case BR_SPAWN_LOOPER:
		pool_spawn_looper(context);
		return 0;
	case BR_INCREFS:
	case BR_ACQUIRE:
	case BR_RELEASE:
	case BR_DECREFS:
		if (take(state, &ptr_cookie, sizeof(ptr_cookie)))
			return BINDER_NOT_ENOUGH_DATA;
		local_driver_reference(state, command, ptr_cookie.ptr, ptr_cookie.cookie);
		return 0;
	case BR_DEAD_BINDER:
		if (take(state, &cookie, sizeof(cookie)))
			return BINDER_NOT_ENOUGH_DATA;
		death_dead_binder(state, cookie);
		return 0;
	case BR_CLEAR_DEATH_NOTIFICATION_DONE:
		if (take(state, &cookie, sizeof(cookie)))
			return BINDER_NOT_ENOUGH_DATA;
		death_clear_done(context, cookie);
		return 0;
	case BR_TRANSACTION:
	case BR_TRANSACTION_SEC_CTX:
		return execute_transaction(state, command);
	case BR_REPLY: {
		/* A reply nobody waits for: give its buffer back. */
		struct binder_transaction_data transaction;

		if (take(state, &transaction, sizeof(transaction)))
			return BINDER_NOT_ENOUGH_DATA;
		ipc_free_buffer(context, (const void *)(uintptr_t)transaction.data.ptr.buffer);
		return 0;
	}
	default:
		/* Commands this library does not use (BR_FROZEN_*, BR_ONEWAY_
		 * SPAM_SUSPECT, ...): skip their payload. */
		runtime_log(known_unused_command(command) ? BINDER_LOG_DEBUG : BINDER_LOG_ERROR,
		            "%s command %#x from the driver skipped",
		            known_unused_command(command) ? "unused" : "unknown", command);
		if (state->in_size - state->in_position < size)
			return BINDER_NOT_ENOUGH_DATA;
		state->in_position += size;
		return 0;
	}
}

int ipc_wait_for_response(struct binder_thread_state *state, binder_parcel *reply, bool oneway)
{
	struct binder_transaction_data transaction;
	uint32_t command;
	int status;

	for (;;) {
		if (state->in_position >= state->in_size) {
			status = ipc_talk(state, true);
			if (status)
				return status;
			/* The kernel's flush wakes us with a bare BR_NOOP. */
			if (context_closing(state->context))
				return BINDER_DEAD_OBJECT;
			continue;
		}
		if (ipc_next_command(state, &command))
			return BINDER_UNKNOWN_ERROR;
		switch (command) {
		case BR_TRANSACTION_COMPLETE:
		case BR_TRANSACTION_PENDING_FROZEN:
			/* A oneway call is queued (maybe for a frozen process). */
			if (oneway)
				return 0;
			break;
		case BR_DEAD_REPLY:
			state->dead_reply = true;
			return BINDER_DEAD_OBJECT;
		case BR_FAILED_REPLY:
		case BR_FROZEN_REPLY:
			return BINDER_FAILED_TRANSACTION;
		case BR_REPLY:
			if (take(state, &transaction, sizeof(transaction)))
				return BINDER_UNKNOWN_ERROR;
			return ipc_take_reply(state, &transaction, reply);
		default:
			status = ipc_execute(state, command);
			if (status)
				return status;
		}
	}
}

int ipc_take_reply(struct binder_thread_state *state,
                   const struct binder_transaction_data *transaction, binder_parcel *reply)
{
	const void *buffer = (const void *)(uintptr_t)transaction->data.ptr.buffer;
	int32_t status;
	bool small;

	if (!transaction_buffer_valid(state->context, transaction))
		return BINDER_BAD_VALUE;
	if (transaction->flags & TF_STATUS_CODE) {
		status = BINDER_BAD_VALUE;
		if (transaction->data_size >= sizeof(status))
			memcpy(&status, buffer, sizeof(status));
		ipc_free_buffer(state->context, buffer);
		/* A status reply must be a failure. */
		return status ? status : BINDER_UNKNOWN_ERROR;
	}
	if (!reply) {
		ipc_free_buffer(state->context, buffer);
		return 0;
	}
	/* A small reply without objects may have its BC_FREE_BUFFER ride on
	 * the next ioctl; fds and binders are released at once, as usual. */
	small = transaction->offsets_size == 0 && transaction->data_size <= SMALL_REPLY_SIZE;
	return binder_parcel_adopt_received(
	        reply, state->context, buffer, transaction->data_size,
	        (const binder_size_t *)(uintptr_t)transaction->data.ptr.offsets,
	        transaction->offsets_size / sizeof(binder_size_t),
	        small ? ipc_free_small_buffer : ipc_free_buffer, state->context);
}

int ipc_loop(binder_context *context, bool enter)
{
	struct binder_thread_state *state = thread_state_get(context);
	uint32_t command;
	int status = 0;

	if (!state)
		return BINDER_NO_MEMORY;
	state->looper = true;
	state->inside++;
	thread_state_queue(state, enter ? BC_ENTER_LOOPER : BC_REGISTER_LOOPER, NULL, 0);
	while (!context_closing(context)) {
		if (state->in_position >= state->in_size) {
			status = ipc_talk(state, true);
			if (status == BINDER_DEAD_OBJECT)
				break;
			if (status == -EAGAIN)
				continue;
			if (status)
				break;
			continue;
		}
		if (ipc_next_command(state, &command))
			break;
		status = ipc_execute(state, command);
		if (status)
			break;
	}
	if (!context_closing(context)) {
		thread_state_queue(state, BC_EXIT_LOOPER, NULL, 0);
		flush(state);
	}
	state->out_size = 0;
	state->in_size = state->in_position = 0;
	state->inside--;
	state->looper = false;
	return status == BINDER_DEAD_OBJECT ? 0 : status;
}
