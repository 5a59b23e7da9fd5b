/*
 * send_area.h - a thread's send area: a sealed memfd that the thread fills
 * with transaction payloads and binderd maps read-only to copy them once,
 * straight into the receiver's area.
 */
#ifndef BINDER_SEND_AREA_H
#define BINDER_SEND_AREA_H

#include <stddef.h>
#include <stdint.h>

struct binder_send_area {
	uint8_t *base; /* NULL: none yet */
	size_t size;
};

/* The size of a new area holding at least needed bytes: a power of two,
 * at least the initial size; 0 if over BINDERD_MAX_SEND_AREA_SIZE. */
size_t binder_send_area_size_for(size_t needed);

/*
 * Creates an area of size bytes (memfd sealed against shrinking, growing
 * and further sealing, mapped read-write here and not inherited by fork
 * children). Returns the memfd (to hand to binderd, then close) or -errno.
 */
int binder_send_area_create(struct binder_send_area *area, size_t size);

/* Unmaps the area. */
void binder_send_area_destroy(struct binder_send_area *area);

#endif
