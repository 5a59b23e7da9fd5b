/*
 * extended_error.c - BINDER_GET_EXTENDED_ERROR (the kernel's
 * binder_ioctl_get_extended_error) and the per-thread record it reads: the
 * kernel's thread->ee, which binder_transaction sets (binder_set_extended_error)
 * to {transaction id, BR_OK, 0} when a transaction starts and to its
 * BR_ error and errno when it fails; a failed reply sets it on the waiting
 * caller (binder_set_txn_from_error) unless that one holds an error already.
 */
#include "binderd.h"

void extended_error_set(struct thread *thread, uint64_t id, uint32_t command, int32_t param)
{
	/* The kernel's ids are 32-bit ints; ours are 64-bit counters. */
	thread->extended_error.id = (uint32_t)id;
	thread->extended_error.command = command;
	thread->extended_error.param = param;
}

void extended_error_reset(struct thread *thread)
{
	extended_error_set(thread, 0, BR_OK, 0);
}

void extended_error_set_on_caller(struct txn *in_reply_to, uint64_t id, uint32_t command,
                                  int32_t param)
{
	struct thread *caller = in_reply_to->from;

	if (!caller || caller->is_dead || caller->extended_error.command != BR_OK)
		return;
	extended_error_set(caller, id, command, param);
}

int ioctl_get_extended_error(struct thread *thread, void *argument)
{
	struct binder_extended_error *out = argument;

	*out = thread->extended_error;
	extended_error_reset(thread);
	return 0;
}
