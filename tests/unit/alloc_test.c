/*
 * alloc_test.c - unit tests of binderd's receive-area allocator
 * (driver/binderd/alloc.c), Criterion, no binderd process: the kernel's
 * semantics (sizes aligned to pointers, best fit, merging with free
 * neighbours, the oneway half of the area) checked against a brute-force
 * model, and the cost of best fit counted in blocks looked at (never timed):
 * it must stay logarithmic while 20,000 buffers are kept.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "binderd.h"

#define AREA_SIZE           (1024u * 1024u)
#define AREA_USER_BASE      0x7f0000000000ull
#define POINTER_SIZE        sizeof(void *)
#define KEPT_BUFFERS        20000u
#define RANDOM_OPERATIONS   20000u
#define RANDOM_MAX_SIZE     2048u
#define RANDOM_SEED         12345u
#define RANDOM_LIVE_BUFFERS 4096u

static struct area area;

static void map_area(void)
{
	area.memfd = -1;
	cr_assert_eq(area_map(&area, AREA_SIZE, AREA_USER_BASE), 0);
}

static void unmap_area(void)
{
	area_unmap(&area);
}

TestSuite(alloc, .init = map_area, .fini = unmap_area);

static struct buffer *alloc_or_fail(size_t data_size, size_t offsets_size, size_t extra_size,
                                    bool async)
{
	struct buffer *buffer = NULL;
	int error = area_alloc(&area, data_size, offsets_size, extra_size, async, &buffer);
	cr_assert_eq(error, 0, "area_alloc(%zu, %zu, %zu, %d): %d", data_size, offsets_size,
	             extra_size, async, error);
	return buffer;
}

static size_t count_free_blocks(void)
{
	size_t count = 0;
	struct buffer *block;
	TAILQ_FOREACH(block, &area.blocks, entry)
	{
		count += block->free;
	}
	return count;
}

/* Blocks tile the area in order, no two free blocks touch, and the free
 * ones are exactly those of the tree. */
static void check_blocks(void)
{
	size_t offset = 0;
	size_t free_blocks = 0;
	size_t allocated = 0;
	bool previous_free = false;
	struct buffer *block;
	TAILQ_FOREACH(block, &area.blocks, entry)
	{
		cr_assert_eq(block->offset, offset);
		cr_assert_gt(block->size, 0);
		cr_assert_eq(block->size % POINTER_SIZE, 0);
		cr_assert(!(previous_free && block->free), "free blocks at %zu not merged", offset);
		previous_free = block->free;
		free_blocks += block->free;
		allocated += !block->free;
		offset += block->size;
	}
	cr_assert_eq(offset, area.size);
	cr_assert_eq(free_blocks, area.free_by_size.count);
	cr_assert_eq(allocated, area.allocated_count);
}

/* The block best fit must take, found the slow way: the smallest free one
 * that fits, the first in the area among equals. */
static struct buffer *model_best_fit(size_t size)
{
	struct buffer *best = NULL;
	struct buffer *block;
	TAILQ_FOREACH(block, &area.blocks, entry)
	{
		if (block->free && block->size >= size && (!best || block->size < best->size))
			best = block;
	}
	return best;
}

/* At most this many tree nodes on a path from the root, for an AVL tree of
 * count nodes: 1.44 log2(count + 2), rounded up generously. */
static size_t max_tree_path(size_t count)
{
	size_t bits = 0;
	for (size_t value = count + 2; value; value >>= 1)
		bits++;
	return (3 * bits) / 2 + 1;
}

Test(alloc, sizes_are_aligned_to_pointers)
{
	struct buffer *odd = alloc_or_fail(13, 7, 5, false);
	cr_assert_eq(odd->size, 16 + 8 + 8);
	cr_assert_eq(odd->data_size, 13);
	cr_assert_eq(odd->offsets_size, 7);
	cr_assert_eq(odd->extra_size, 5);
	struct buffer *empty = alloc_or_fail(0, 0, 0, false);
	cr_assert_eq(empty->size, POINTER_SIZE, "an empty buffer still gets its own address");
	cr_assert_neq(empty->offset, odd->offset);
	cr_assert_eq(area_find_user(&area, buffer_user_address(&area, odd)), odd);
	cr_assert_eq(area_find_user(&area, buffer_user_address(&area, empty)), empty);
	cr_assert_null(area_find_user(&area, buffer_user_address(&area, odd) + POINTER_SIZE));
	check_blocks();
}

Test(alloc, refuses_what_cannot_fit)
{
	struct buffer *buffer = NULL;
	cr_assert_eq(area_alloc(&area, AREA_SIZE + 1, 0, 0, false, &buffer), -ENOSPC);
	cr_assert_eq(area_alloc(&area, SIZE_MAX, 0, 0, false, &buffer), -EINVAL);
	cr_assert_eq(area_alloc(&area, SIZE_MAX / 2, SIZE_MAX / 2, 16, false, &buffer), -EINVAL);
	struct buffer *whole = alloc_or_fail(AREA_SIZE, 0, 0, false);
	cr_assert_eq(area_alloc(&area, 0, 0, 0, false, &buffer), -ENOSPC);
	area_free(&area, whole);
	check_blocks();
	cr_assert_eq(count_free_blocks(), 1);
}

Test(alloc, best_fit_takes_the_smallest_block_that_fits)
{
	/* Free holes of 256, 64, 128 and 64 bytes between kept buffers. */
	const size_t hole_sizes[] = {256, 64, 128, 64};
	struct buffer *holes[4];
	for (size_t i = 0; i < 4; i++) {
		holes[i] = alloc_or_fail(hole_sizes[i], 0, 0, false);
		alloc_or_fail(8, 0, 0, false);
	}
	for (size_t i = 0; i < 4; i++)
		area_free(&area, holes[i]);
	check_blocks();
	size_t offsets[4];
	for (size_t i = 0; i < 4; i++)
		offsets[i] = holes[i]->offset;

	cr_assert_eq(alloc_or_fail(100, 0, 0, false)->offset, offsets[2]);
	cr_assert_eq(alloc_or_fail(64, 0, 0, false)->offset, offsets[1],
	             "the first of two equal holes");
	cr_assert_eq(alloc_or_fail(40, 0, 0, false)->offset, offsets[3]);
	struct buffer *split = alloc_or_fail(8, 0, 0, false);
	/* Two 24-byte rests now (of the 128 and of the last 64): the first. */
	cr_assert_eq(split->offset, offsets[2] + 104, "the first of two equal rests");
	check_blocks();
}

Test(alloc, freed_blocks_merge_with_free_neighbours)
{
	struct buffer *first = alloc_or_fail(64, 0, 0, false);
	struct buffer *second = alloc_or_fail(64, 0, 0, false);
	struct buffer *third = alloc_or_fail(64, 0, 0, false);
	struct buffer *fourth = alloc_or_fail(64, 0, 0, false);
	area_free(&area, first);
	area_free(&area, third);
	check_blocks();
	cr_assert_eq(count_free_blocks(), 3);
	area_free(&area, second); /* joins first and third */
	check_blocks();
	cr_assert_eq(count_free_blocks(), 2);
	struct buffer *merged = alloc_or_fail(192, 0, 0, false);
	cr_assert_eq(merged->offset, 0);
	area_free(&area, merged);
	area_free(&area, fourth); /* joins both sides: the whole area again */
	check_blocks();
	cr_assert_eq(count_free_blocks(), 1);
	cr_assert_eq(TAILQ_FIRST(&area.blocks)->size, area.size);
}

Test(alloc, oneway_buffers_get_half_of_the_area)
{
	size_t half = area.size / 2;
	cr_assert_eq(area.free_async_space, half);
	struct buffer *buffer = NULL;
	/* The charge includes the kernel's per-buffer overhead. */
	cr_assert_eq(area_alloc(&area, half, 0, 0, true, &buffer), -ENOSPC);
	struct buffer *async = alloc_or_fail(half / 2, 0, 0, true);
	size_t left = area.free_async_space;
	cr_assert_lt(left, half - half / 2);
	cr_assert_eq(area_alloc(&area, left, 0, 0, true, &buffer), -ENOSPC);
	/* Synchronous buffers are not charged. */
	struct buffer *sync = alloc_or_fail(half / 4, 0, 0, false);
	cr_assert_eq(area.free_async_space, left);
	area_free(&area, async);
	cr_assert_eq(area.free_async_space, half);
	area_free(&area, sync);
	check_blocks();
}

/* Issue 9, item 8: a client that never frees its buffers made every
 * allocation walk all of them. */
Test(alloc, best_fit_stays_logarithmic_with_kept_buffers)
{
	for (size_t i = 0; i < KEPT_BUFFERS; i++) {
		size_t visits_before = area.best_fit_visits;
		alloc_or_fail(0, 0, 0, i % 4 == 0);
		size_t visits = area.best_fit_visits - visits_before;
		cr_assert_leq(visits, max_tree_path(area.free_by_size.count),
		              "allocation %zu looked at %zu blocks", i, visits);
	}
	cr_assert_eq(area.allocated_count, KEPT_BUFFERS);
	check_blocks();
}

/* The same with 10,000 free holes between the kept buffers. */
Test(alloc, best_fit_stays_logarithmic_with_many_holes)
{
	static struct buffer *buffers[KEPT_BUFFERS];
	for (size_t i = 0; i < KEPT_BUFFERS; i++)
		buffers[i] = alloc_or_fail(8 * (1 + i % 7), 0, 0, false);
	for (size_t i = 0; i < KEPT_BUFFERS; i += 2)
		area_free(&area, buffers[i]);
	check_blocks();
	size_t holes = area.free_by_size.count;
	cr_assert_geq(holes, KEPT_BUFFERS / 2);
	for (size_t i = 0; i < KEPT_BUFFERS / 2; i++) {
		size_t size = 8 * (1 + i % 9);
		struct buffer *expected = model_best_fit(size);
		size_t visits_before = area.best_fit_visits;
		struct buffer *buffer = NULL;
		int error = area_alloc(&area, size, 0, 0, false, &buffer);
		size_t visits = area.best_fit_visits - visits_before;
		cr_assert_leq(visits, max_tree_path(holes), "allocation %zu looked at %zu blocks",
		              i, visits);
		if (!expected) {
			cr_assert_eq(error, -ENOSPC);
			continue;
		}
		cr_assert_eq(error, 0);
		cr_assert_eq(buffer->offset, expected->offset);
	}
	check_blocks();
}

/* Random allocations and frees (fixed seed): every choice is the model's
 * best fit, and the blocks stay consistent. */
Test(alloc, random_operations_match_the_model)
{
	static struct buffer *live[RANDOM_LIVE_BUFFERS];
	size_t live_count = 0;
	unsigned int seed = RANDOM_SEED;
	for (size_t i = 0; i < RANDOM_OPERATIONS; i++) {
		bool do_free = live_count == RANDOM_LIVE_BUFFERS ||
		               (live_count > 0 && rand_r(&seed) % 2 == 0);
		if (do_free) {
			size_t index = (size_t)rand_r(&seed) % live_count;
			area_free(&area, live[index]);
			live[index] = live[--live_count];
		} else {
			size_t data = (size_t)rand_r(&seed) % RANDOM_MAX_SIZE;
			size_t offsets = (size_t)rand_r(&seed) % 4 * POINTER_SIZE;
			bool async = rand_r(&seed) % 4 == 0;
			size_t size = align8(data) + offsets;
			struct buffer *expected = model_best_fit(size ? size : POINTER_SIZE);
			size_t async_before = area.free_async_space;
			struct buffer *buffer = NULL;
			int error = area_alloc(&area, data, offsets, 0, async, &buffer);
			if (error == 0) {
				cr_assert_not_null(expected);
				cr_assert_eq(buffer->offset, expected->offset);
				cr_assert_eq(area.free_async_space,
				             async_before - buffer->async_charge);
				live[live_count++] = buffer;
			} else {
				cr_assert_eq(error, -ENOSPC);
				cr_assert(!expected || async, "refused a buffer that fits");
			}
		}
		if (i % 1000 == 0)
			check_blocks();
	}
	while (live_count > 0)
		area_free(&area, live[--live_count]);
	check_blocks();
	cr_assert_eq(count_free_blocks(), 1);
	cr_assert_eq(area.free_async_space, area.size / 2);
}
