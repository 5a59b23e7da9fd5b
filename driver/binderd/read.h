/* read.h - the read side of BINDER_WRITE_READ (the kernel's
 * binder_thread_read): turning queued work into BR_* commands. */
#ifndef BINDERD_READ_H
#define BINDERD_READ_H

#include "binderd.h"

/* Starts a read of up to read_size bytes, with the request's BINDERD_WR_*
 * flags (NONBLOCK; READ_CONSUMED: the caller's buffer was not empty, so no
 * BR_NOOP goes first; HOLD_COMPLETE). Completes now or when woken. */
void read_start(struct thread *thread, uint64_t read_size, uint32_t flags);
/* A thread that polls and has work gets a wakeup message (once). */
void read_notify_poller(struct thread *thread);
/* A transaction taken for delivery can no longer be delivered. */
void read_abandon_transaction(struct thread *thread, struct txn *txn);

#endif
