/*
 * gathered_payload.c - copying a gathered transaction payload (see
 * "Gathered payloads" in <binderd/socket_protocol.h>): the segment list is
 * read from the sender's memory and checked, then every segment is copied
 * by direct reads, one after the other, into the receiver's buffer. The
 * list comes from another process: nothing in it is trusted.
 */
#include "gathered_payload.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "direct_reads.h"

/* The list's segments, as reads into data: -EINVAL if the list is not one
 * binderd accepts for data_size bytes. */
static int plan_reads(const struct binderd_gather_list *list, uint8_t *data, size_t data_size,
                      struct iovec *local, struct iovec *remote)
{
	size_t filled = 0;

	if (list->count == 0 || list->count > BINDERD_MAX_GATHER_SEGMENTS || list->reserved != 0)
		return -EINVAL;
	for (uint32_t i = 0; i < list->count; i++) {
		const struct binderd_gather_segment *segment = &list->segments[i];

		if (segment->length > data_size - filled ||
		    segment->address > UINTPTR_MAX - segment->length)
			return -EINVAL;
		local[i] = (struct iovec){data + filled, (size_t)segment->length};
		remote[i] = (struct iovec){(void *)(uintptr_t)segment->address,
		                           (size_t)segment->length};
		filled += (size_t)segment->length;
	}
	return filled == data_size ? 0 : -EINVAL;
}

int gathered_payload_copy(struct proc *proc, uint64_t list_address, uint8_t *data, size_t data_size)
{
	struct binderd_gather_list list;
	struct iovec local[BINDERD_MAX_GATHER_SEGMENTS], remote[BINDERD_MAX_GATHER_SEGMENTS];
	struct iovec list_local = {&list, sizeof(list)};
	struct iovec list_remote = {(void *)(uintptr_t)list_address, sizeof(list)};

	if (list_address > UINTPTR_MAX - sizeof(list))
		return -EFAULT;
	int error = direct_reads_copy(proc, &list_local, &list_remote, 1, sizeof(list));
	if (error)
		return error;
	error = plan_reads(&list, data, data_size, local, remote);
	if (error)
		return error;
	return direct_reads_copy(proc, local, remote, list.count, data_size);
}
