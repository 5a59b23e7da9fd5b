/*
 * preload_mmap.c - mmap and munmap for the LD_PRELOAD library: mapping an
 * fd that stands for a device maps its receive area, read-only, as the
 * kernel's binder_mmap does.
 */
#include "preload.h"

#include <errno.h>
#include <sys/mman.h>

PRELOAD_EXPORT void *mmap(void *address, size_t length, int protection, int flags, int fd,
                          off_t offset);
PRELOAD_EXPORT void *mmap64(void *address, size_t length, int protection, int flags, int fd,
                            off64_t offset);
PRELOAD_EXPORT int munmap(void *address, size_t length);

static void *map_area(binder_device *device, size_t length, int protection, int flags, int fd,
                      off64_t offset)
{
	void *area;
	int status;

	/* The kernel refuses writable binder mappings. */
	if (protection & PROT_WRITE) {
		errno = EPERM;
		return MAP_FAILED;
	}
	if (length == 0 || offset != 0 || (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	status = binder_device_mmap(device, length, &area);
	if (status) {
		errno = -status;
		return MAP_FAILED;
	}
	preload_note_mapping(fd, area, length);
	return area;
}

void *mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset)
{
	binder_device *device = (flags & MAP_ANONYMOUS) ? NULL : preload_device_for_fd(fd);

	if (!device)
		return preload_real()->mmap(address, length, protection, flags, fd, offset);
	return map_area(device, length, protection, flags, fd, offset);
}

void *mmap64(void *address, size_t length, int protection, int flags, int fd, off64_t offset)
{
	binder_device *device = (flags & MAP_ANONYMOUS) ? NULL : preload_device_for_fd(fd);

	if (!device)
		return preload_real()->mmap64(address, length, protection, flags, fd, offset);
	return map_area(device, length, protection, flags, fd, offset);
}

int munmap(void *address, size_t length)
{
	preload_drop_mapping(address, length);
	return preload_real()->munmap(address, length);
}
