/*
 * send_area.c - creates and releases a thread's send area (see
 * send_area.h). Growing is done by the caller: create a bigger one, hand it
 * over, destroy the old one.
 */
#include "send_area.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "binderd/socket_protocol.h"

/* Pages are only allocated when written, so start roomy. */
#define SEND_AREA_INITIAL_SIZE (256u << 10) /* 256 KiB */

size_t binder_send_area_size_for(size_t needed)
{
	size_t size = SEND_AREA_INITIAL_SIZE;

	if (needed > BINDERD_MAX_SEND_AREA_SIZE)
		return 0;
	while (size < needed)
		size *= 2;
	return size;
}

int binder_send_area_create(struct binder_send_area *area, size_t size)
{
	void *base;
	int fd;

	fd = memfd_create("binder-send-area", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0)
		goto fail;
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		goto fail;
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		int error = errno;

		munmap(base, size);
		close(fd);
		return -error;
	}
	/* Like the binder mapping, not for fork children. */
	madvise(base, size, MADV_DONTFORK);
	area->base = base;
	area->size = size;
	return fd;
fail : {
	int error = errno;

	close(fd);
	return -error;
}
}

void binder_send_area_destroy(struct binder_send_area *area)
{
	if (area->base)
		munmap(area->base, area->size);
	area->base = NULL;
	area->size = 0;
}
