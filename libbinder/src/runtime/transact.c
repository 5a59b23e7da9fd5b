/*
 * transact.c - sending a transaction to a proxy (BC_TRANSACTION, then
 * waiting for the reply while serving nested calls), and running one on a
 * local object (the interface token check when the object asked for it,
 * the standard codes, then the user's handler).
 */
#include "runtime.h"

#include <string.h>

#include "device_runtime.h"
#include "parcel_internal.h"

int transact_remote(binder_object *proxy, uint32_t code, binder_parcel *data, binder_parcel *reply,
                    uint32_t flags)
{
	binder_context *context = proxy->context;
	struct binder_transaction_data transaction = {0};
	struct binder_thread_state *state;
	bool oneway = flags & BINDER_FLAG_ONEWAY;
	int status;

	if (atomic_load(&proxy->dead))
		return BINDER_DEAD_OBJECT;
	if (data && binder_parcel_check_context(data, context))
		return BINDER_BAD_VALUE;
	status = runtime_enter(context);
	if (status)
		return status;
	state = thread_state_get(context);
	if (!state) {
		runtime_leave(context);
		return BINDER_NO_MEMORY;
	}
	/* A reused reply parcel gives its old buffer back now, so that the
	 * BC_FREE_BUFFER rides on this transaction's ioctl. */
	if (reply && !oneway && reply != data)
		binder_parcel_reset(reply);
	transaction.target.handle = (uint32_t)proxy->handle;
	transaction.code = code;
	transaction.flags = flags | TF_ACCEPT_FDS;
	if (data)
		binder_parcel_describe(data, binder_device_gathers(context->device), &transaction);
	status = thread_state_queue(state, BC_TRANSACTION, &transaction, sizeof(transaction));
	state->dead_reply = false;
	if (status == 0) {
		state->inside++;
		state->waiting_for_reply += !oneway;
		status = ipc_wait_for_response(state, oneway ? NULL : reply, oneway);
		state->waiting_for_reply -= !oneway;
		state->inside--;
	}
	/* Commands queued meanwhile (DONEs, frees) go now, unless this
	 * thread talks to the driver again soon anyway. */
	if (!state->inside && state->out_size)
		ipc_talk(state, false);
	if (state->dead_reply)
		atomic_store(&proxy->dead, true);
	runtime_leave(context);
	return status;
}

int transact_local(binder_object *object, uint32_t code, binder_parcel *data, binder_parcel *reply,
                   const struct binder_caller *caller)
{
	/* Before anything of the user's runs: a refused call never reaches
	 * the handler. */
	int status = interface_token_enforce(object, code, data);
	if (status)
		return status;
	if (object->ops.handles_standard_codes)
		return object->ops.transact(object, code, data, reply, caller, object->user_data);
	switch (code) {
	case BINDER_PING_TRANSACTION:
		return 0;
	case BINDER_INTERFACE_TRANSACTION:
		return binder_parcel_write_string16(reply, object->descriptor);
	default:
		return object->ops.transact(object, code, data, reply, caller, object->user_data);
	}
}
