/*
 * gathered_payload.h - a transaction payload gathered from several places
 * of the sender's memory (BINDERD_TF_GATHER, "Gathered payloads" in
 * <binderd/socket_protocol.h>).
 */
#ifndef BINDERD_GATHERED_PAYLOAD_H
#define BINDERD_GATHERED_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "binderd/socket_protocol.h"

struct proc;

/*
 * Reads the struct binderd_gather_list at list_address in proc's memory
 * (by direct reads) and copies its segments, in order, to data, which
 * has room for data_size bytes: the segments must fill it exactly.
 * 0; -EFAULT if the list or a segment cannot be read (or proc has no
 * direct reads); -EINVAL if the list is malformed (count 0 or too large,
 * reserved not 0, lengths that do not add up to data_size).
 */
int gathered_payload_copy(struct proc *proc, uint64_t list_address, uint8_t *data,
                          size_t data_size);

#endif
