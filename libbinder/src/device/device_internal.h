/*
 * device_internal.h - the binder_device object and the functions each
 * backend provides; private to the device layer (and the LD_PRELOAD
 * library, which is built from the same sources).
 */
#ifndef BINDER_DEVICE_INTERNAL_H
#define BINDER_DEVICE_INTERNAL_H

#include <linux/android/binder.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binder/device.h"

struct binderd_thread;

struct binder_device {
	enum binder_device_backend backend;
	/* The kernel device fd, or binderd's process channel. */
	int fd;
	/* O_NONBLOCK: BINDER_WRITE_READ does not wait for work. */
	bool nonblocking;
	/* binder_fork_generation() of the opener: another value means this
	 * is a forked child's copy, which must not use the device. */
	unsigned long fork_generation;
	/* The receive area: mapped_size bytes at area (NULL: not mapped);
	 * reserved_size bytes of address space are ours from area on. */
	void *area;
	size_t mapped_size;
	size_t reserved_size;

	/* binderd backend only. */
	/* binderd reads transaction payloads from our memory itself (one
	 * copy, no send area): see <binderd/socket_protocol.h>. */
	bool direct_reads;
	/* binderd takes small object-less payloads inside the request
	 * (BINDERD_TF_INLINE): no copy call on either side. */
	bool inline_payloads;
	/* binderd gathers an object-less payload from several places of our
	 * memory (BINDERD_TF_GATHER); only with direct_reads. */
	bool gather_reads;
	/* binderd sends no answer to a write of BC_FREE_BUFFERs alone
	 * (BINDERD_WR_QUIET): giving a buffer back costs no round trip. */
	bool quiet_writes;
	/* binderd holds a lone BR_TRANSACTION_COMPLETE in a blocking read
	 * until more work comes (BINDERD_WR_HOLD_COMPLETE). */
	bool hold_complete;
	/* binderd understands BINDERD_OP_KILL_NODE. */
	bool kill_node;
	/* Unique among the devices this process ever opened: thread
	 * channels find their device through it. */
	uint64_t generation;
	/* Serialises requests on the process channel. */
	pthread_mutex_t process_lock;
	/* Thread channels of this device, under binderd_thread.c's lock. */
	struct binderd_thread *threads;
	/* Received buffers holding fd arrays, whose fds BC_FREE_BUFFER
	 * closes (fd_arrays.c); fd_array_count is read without the lock. */
	pthread_mutex_t fd_arrays_lock;
	struct binder_fd_array_buffer *fd_arrays;
	unsigned fd_array_count;
};

/* True if the device was opened by this process (not a forked copy). */
bool binder_device_is_own(const struct binder_device *device);

/*
 * Stops device from using its area at all: the caller (the LD_PRELOAD
 * library's munmap) has unmapped it already.
 */
void binder_device_forget_area(struct binder_device *device);

/* Switches O_NONBLOCK behaviour after open (fcntl F_SETFL). */
void binder_device_set_nonblocking(struct binder_device *device, bool nonblocking);

/* Kernel backend (device_kernel.c). */
int binder_kernel_open(struct binder_device *device, const char *path, int flags);
int binder_kernel_mmap(struct binder_device *device, size_t size);
int binder_kernel_ioctl(struct binder_device *device, unsigned int cmd, void *arg);
/* -EOPNOTSUPP: the kernel takes labels from the security module. */
int binder_kernel_set_security_context(struct binder_device *device, const char *label,
                                       size_t length);
void binder_kernel_close(struct binder_device *device);

/* binderd backend (binderd_client.c, binderd_thread.c, binderd_ioctl.c). */
int binderd_open(struct binder_device *device, const char *path);
int binderd_mmap(struct binder_device *device, size_t size);
int binderd_ioctl(struct binder_device *device, unsigned int cmd, void *arg);
/* BINDER_WRITE_READ with binder_device_write_read's hints. */
int binderd_write_read(struct binder_device *device, struct binder_write_read *bwr, unsigned hints);
int binderd_poll_fd(struct binder_device *device);
/* BINDERD_OP_SET_SECURITY_CONTEXT with a label checked already. */
int binderd_set_security_context(struct binder_device *device, const char *label, size_t length);
/* BINDERD_OP_KILL_NODE. */
int binderd_kill_node(struct binder_device *device, uint64_t ptr, uint64_t cookie);
void binderd_interrupt(struct binder_device *device);
void binderd_close(struct binder_device *device);

#endif
