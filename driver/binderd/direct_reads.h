/*
 * direct_reads.h - binderd reading a transaction's payload straight from
 * the sender's memory (see "Direct reads" in <binderd/socket_protocol.h>):
 * the grant at HELLO and every read after it.
 */
#ifndef BINDERD_DIRECT_READS_H
#define BINDERD_DIRECT_READS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "binderd/socket_protocol.h"

struct proc;

/* HELLO with a probe: may binderd read this process's memory? Sets
 * proc->direct_reads. */
void direct_reads_grant(struct proc *proc, const struct binderd_hello *hello);

/* Copies count ranges of the process's memory (remote) to local, total
 * bytes in all. 0, or -EFAULT when not all could be read, the process has
 * no grant, or the grant ended. */
int direct_reads_copy(struct proc *proc, const struct iovec *local, const struct iovec *remote,
                      size_t count, size_t total);

/* Ends the grant (the process goes away); safe to call twice. */
void direct_reads_end(struct proc *proc);

#endif
