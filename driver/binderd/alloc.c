/*
 * alloc.c - a process's receive area (the binder mmap): a sealed memfd that
 * binderd maps read-write and the process maps read-only, carved into
 * buffers best-fit, like the kernel's binder_alloc. Half of the area at
 * most holds oneway (async) payloads.
 *
 * Every block, free or allocated, is on the area's list by offset (to merge
 * a freed block with its neighbours); free blocks are also in a balanced
 * tree by (size, offset), where best fit is a walk down the tree, and
 * allocated ones in a hash by offset (BC_FREE_BUFFER's lookup). So
 * allocating and freeing cost O(log n) however many blocks a process keeps,
 * like the kernel's rbtrees of free and allocated buffers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "binderd.h"

/* What the kernel charges per buffer against the async space, besides
 * the payload (its struct binder_buffer). */
#define BUFFER_OVERHEAD 64u

static struct buffer *buffer_of_free_node(const struct avl_node *node)
{
	return avl_entry(node, struct buffer, by_size);
}

/* Orders free blocks by size, then offset: best fit takes the smallest
 * block that fits and, among blocks of that size, the first in the area. */
static int compare_free_blocks(const struct avl_node *a, const struct avl_node *b)
{
	const struct buffer *first = buffer_of_free_node(a);
	const struct buffer *second = buffer_of_free_node(b);
	if (first->size != second->size)
		return first->size < second->size ? -1 : 1;
	if (first->offset != second->offset)
		return first->offset < second->offset ? -1 : 1;
	return 0;
}

/* The smallest free block of at least size bytes (the first in the area
 * among equals), or NULL; counts the blocks it looks at. Mirrors the
 * kernel's search of its free_buffers rbtree in binder_alloc_new_buf. */
static struct buffer *find_best_fit(struct area *area, size_t size)
{
	struct buffer *best = NULL;
	struct avl_node *node = area->free_by_size.root;
	while (node) {
		area->best_fit_visits++;
		struct buffer *block = buffer_of_free_node(node);
		if (block->size >= size) {
			best = block;
			node = node->left;
		} else {
			node = node->right;
		}
	}
	return best;
}

int area_map(struct area *area, size_t size, uint64_t user_base)
{
	if (area->memfd >= 0)
		return -EBUSY;
	if (size == 0)
		return -EINVAL;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t map_size = (size + page - 1) & ~(page - 1);
	if (map_size > BINDERD_MAX_AREA_SIZE)
		map_size = BINDERD_MAX_AREA_SIZE;
	int fd = memfd_create("binder-area", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)map_size) < 0) {
		int error = -errno;
		close(fd);
		return error;
	}
	void *base = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		int error = -errno;
		close(fd);
		return error;
	}
	/* From now on nobody can map it writable, grow or shrink it. */
	if (fcntl(fd, F_ADD_SEALS,
	          F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE | F_SEAL_SEAL) < 0) {
		int error = -errno;
		munmap(base, map_size);
		close(fd);
		return error;
	}
	struct buffer *whole = calloc(1, sizeof(*whole));
	if (!whole) {
		munmap(base, map_size);
		close(fd);
		return -ENOMEM;
	}
	area->memfd = fd;
	area->base = base;
	area->map_size = map_size;
	area->size = size < map_size ? size : map_size;
	area->user_base = user_base;
	area->free_async_space = area->size / 2;
	TAILQ_INIT(&area->blocks);
	avl_init(&area->free_by_size, compare_free_blocks);
	whole->offset = 0;
	whole->size = area->size;
	whole->free = true;
	TAILQ_INSERT_TAIL(&area->blocks, whole, entry);
	avl_insert(&area->free_by_size, &whole->by_size);
	return 0;
}

void area_unmap(struct area *area)
{
	if (area->memfd < 0)
		return;
	HASH_CLEAR(hh, area->by_offset);
	avl_init(&area->free_by_size, compare_free_blocks);
	struct buffer *block;
	while ((block = TAILQ_FIRST(&area->blocks))) {
		TAILQ_REMOVE(&area->blocks, block, entry);
		free(block);
	}
	munmap(area->base, area->map_size);
	close(area->memfd);
	area->memfd = -1;
	area->base = NULL;
	area->allocated_count = 0;
}

int area_alloc(struct area *area, size_t data_size, size_t offsets_size, size_t extra_size,
               bool async, struct buffer **out)
{
	if (area->memfd < 0)
		return -ESRCH;
	size_t data_aligned = align8(data_size);
	size_t offsets_aligned = align8(offsets_size);
	size_t extra_aligned = align8(extra_size);
	if (data_aligned < data_size || offsets_aligned < offsets_size ||
	    extra_aligned < extra_size)
		return -EINVAL;
	size_t size = data_aligned + offsets_aligned;
	if (size < data_aligned || size + extra_aligned < size)
		return -EINVAL;
	size += extra_aligned;
	if (size == 0)
		size = sizeof(void *); /* every buffer gets its own address */
	if (size > area->size)
		return -ENOSPC;
	size_t charge = size + BUFFER_OVERHEAD;
	if (async && area->free_async_space < charge)
		return -ENOSPC;

	struct buffer *best = find_best_fit(area, size);
	if (!best)
		return -ENOSPC;
	struct buffer *rest = NULL;
	if (best->size > size) {
		rest = calloc(1, sizeof(*rest));
		if (!rest)
			return -ENOMEM;
	}
	avl_remove(&area->free_by_size, &best->by_size);
	if (rest) {
		rest->offset = best->offset + size;
		rest->size = best->size - size;
		rest->free = true;
		TAILQ_INSERT_AFTER(&area->blocks, best, rest, entry);
		avl_insert(&area->free_by_size, &rest->by_size);
		best->size = size;
	}
	best->free = false;
	best->allow_user_free = false;
	best->async = async;
	best->async_charge = async ? charge : 0;
	best->data_size = data_size;
	best->offsets_size = offsets_size;
	best->extra_size = extra_size;
	best->txn = NULL;
	best->target_node = NULL;
	best->target_node_tmp = false;
	if (async)
		area->free_async_space -= charge;
	HASH_ADD(hh, area->by_offset, offset, sizeof(size_t), best);
	area->allocated_count++;
	*out = best;
	return 0;
}

void area_free(struct area *area, struct buffer *buffer)
{
	HASH_DELETE(hh, area->by_offset, buffer);
	area->allocated_count--;
	area->free_async_space += buffer->async_charge;
	buffer->async_charge = 0;
	buffer->free = true;
	buffer->txn = NULL;
	buffer->target_node = NULL;
	buffer->target_node_tmp = false;
	/* A free block's key is its size: out of the tree while it grows. */
	struct buffer *next = TAILQ_NEXT(buffer, entry);
	if (next && next->free) {
		avl_remove(&area->free_by_size, &next->by_size);
		buffer->size += next->size;
		TAILQ_REMOVE(&area->blocks, next, entry);
		free(next);
	}
	struct buffer *previous = TAILQ_PREV(buffer, buffer_queue, entry);
	if (previous && previous->free) {
		avl_remove(&area->free_by_size, &previous->by_size);
		previous->size += buffer->size;
		TAILQ_REMOVE(&area->blocks, buffer, entry);
		free(buffer);
		buffer = previous;
	}
	avl_insert(&area->free_by_size, &buffer->by_size);
}

struct buffer *area_find_user(struct area *area, uint64_t user_address)
{
	if (area->memfd < 0 || user_address < area->user_base)
		return NULL;
	size_t offset = (size_t)(user_address - area->user_base);
	struct buffer *buffer = NULL;
	HASH_FIND(hh, area->by_offset, &offset, sizeof(size_t), buffer);
	return buffer;
}
