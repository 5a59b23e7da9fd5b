/*
 * self_memory_test.c - the safe copies within the process give -EFAULT for
 * bad addresses instead of crashing, and copy good ones exactly.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "self_memory.h"

Test(self_memory, copies_readable_memory)
{
	char source[64] = "the payload", destination[64] = {0};

	cr_assert_eq(binder_self_read(destination, (uintptr_t)source, sizeof(source)), 0);
	cr_assert_eq(memcmp(source, destination, sizeof(source)), 0);
	memset(destination, 0, sizeof(destination));
	cr_assert_eq(binder_self_write((uintptr_t)destination, source, sizeof(source)), 0);
	cr_assert_eq(memcmp(source, destination, sizeof(source)), 0);
}

Test(self_memory, bad_addresses_give_efault)
{
	char buffer[16];
	void *page = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	cr_assert_neq(page, MAP_FAILED);
	cr_assert_eq(binder_self_read(buffer, 0, sizeof(buffer)), -EFAULT);
	cr_assert_eq(binder_self_read(buffer, UINT64_MAX - 4, sizeof(buffer)), -EFAULT);
	/* Read-only memory cannot be written. */
	cr_assert_eq(binder_self_write((uintptr_t)page, buffer, sizeof(buffer)), -EFAULT);
	/* A copy running off the end of a mapping fails as a whole. */
	munmap((char *)page + 4096, 4096);
	cr_assert_eq(binder_self_read(buffer, (uintptr_t)page + 4096 - 8, sizeof(buffer)), -EFAULT);
	munmap(page, 4096);
	cr_assert_eq(binder_self_read(buffer, (uintptr_t)page, sizeof(buffer)), -EFAULT);
}

Test(self_memory, nothing_to_copy_always_succeeds)
{
	cr_assert_eq(binder_self_read(NULL, 0, 0), 0);
}
