/*
 * send_area_test.c - send areas are sealed memfds of power-of-two sizes,
 * writable by their thread and fixed in size.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <unistd.h>

#include "binderd/socket_protocol.h"
#include "send_area.h"

Test(send_area, sizes_are_powers_of_two_within_the_limit)
{
	size_t initial = binder_send_area_size_for(1);

	cr_assert_eq(initial & (initial - 1), 0);
	cr_assert_eq(binder_send_area_size_for(initial + 1), initial * 2);
	cr_assert_eq(binder_send_area_size_for(BINDERD_MAX_SEND_AREA_SIZE),
	             BINDERD_MAX_SEND_AREA_SIZE);
	cr_assert_eq(binder_send_area_size_for(BINDERD_MAX_SEND_AREA_SIZE + 1), 0);
}

Test(send_area, is_sealed_and_writable)
{
	struct binder_send_area area;
	int fd = binder_send_area_create(&area, 128 * 1024);
	int seals;

	cr_assert_geq(fd, 0);
	cr_assert_eq(area.size, 128 * 1024);
	area.base[0] = 1;
	area.base[area.size - 1] = 2;
	seals = fcntl(fd, F_GET_SEALS);
	cr_assert_eq(seals, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	cr_assert_neq(ftruncate(fd, 4096), 0);
	cr_assert_neq(ftruncate(fd, area.size * 2), 0);
	cr_assert_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fd);
	binder_send_area_destroy(&area);
	cr_assert_null(area.base);
}
