/*
 * fuzz_ops.h - playing the operations of a fuzz input (the layout after the
 * header in fuzz_input.h) on a world of fake clients, for the targets that
 * share that layout (fuzz_write_stream.c, fuzz_processes.c).
 */
#ifndef FUZZ_OPS_H
#define FUZZ_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fake_client.h"
#include "fuzz_common.h"

/* Makes process manager (modulo the count) the context manager, with
 * BINDER_SET_CONTEXT_MGR_EXT and an object of flags (MANAGER_*) when
 * extended. */
void make_context_manager(struct client_world *world, size_t manager, bool extended, uint8_t flags);
/* Plays operations until the input ends (or MAX_OPERATIONS), running
 * binderd's loop after each. */
void play(struct client_world *world, struct cursor *cursor);

#endif
