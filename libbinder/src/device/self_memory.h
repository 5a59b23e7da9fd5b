/*
 * self_memory.h - copies to and from the calling process's own memory at
 * addresses that came from the caller and may be wild: a bad address gives
 * -EFAULT, as the kernel's copy_from_user would, instead of a crash.
 */
#ifndef BINDER_SELF_MEMORY_H
#define BINDER_SELF_MEMORY_H

#include <stddef.h>
#include <stdint.h>

/* Copies size bytes from address source into destination. 0 or -EFAULT. */
int binder_self_read(void *destination, uint64_t source, size_t size);

/* Copies size bytes from source to address destination. 0 or -EFAULT. */
int binder_self_write(uint64_t destination, const void *source, size_t size);

#endif
