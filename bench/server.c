/*
 * server.c - the benchmark's binder service process.
 *
 * It becomes the context manager, so clients reach it as handle 0, and
 * serves from a pool of looper threads: BENCH_CODE_ECHO replies with the
 * request's own bytes (read in place from the receive area), and
 * BENCH_CODE_GET_OBJECTS replies with distinct local objects, so that a
 * client can come to hold many handles. Reference-count requests for those
 * objects (BR_INCREFS / BR_ACQUIRE) are acknowledged as the protocol asks.
 */
#include "server.h"

#include "binder_io.h"
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SERVER_READ_SIZE (64u * 1024u)
/* Every return read can cause at most one command of about its own size,
 * and a transaction a reply plus a free. */
#define SERVER_WRITE_SIZE (2u * SERVER_READ_SIZE + 4096u)
/* How long to retry BINDER_SET_CONTEXT_MGR while a previous manager of the
 * same device is still going away. */
#define CONTEXT_MANAGER_RETRY_NS (5ull * 1000000000ull)

static struct {
	binder_device *device;
	/* The objects handed out; object i is identified by &objects[i]. */
	uint64_t *objects;
	pthread_mutex_t lock;
	int threads;
	int max_threads;
} server = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct looper {
	struct binder_io io;
	struct flat_binder_object objects[BENCH_OBJECTS_PER_TRANSACTION];
	binder_size_t offsets[BENCH_OBJECTS_PER_TRANSACTION];
	int32_t status;
};

/* Queues a command, first flushing the queue if it is full. */
static int put_command(struct binder_io *io, uint32_t command, const void *argument,
                       size_t argument_size)
{
	int ret = binder_io_put(io, command, argument, argument_size);

	if (ret == -ENOSPC) {
		ret = binder_io_write_read(io, 0);
		if (ret == 0)
			ret = binder_io_put(io, command, argument, argument_size);
	}
	return ret;
}

static int put_reply(struct binder_io *io, const void *data, size_t data_size,
                     const binder_size_t *offsets, size_t offsets_size, uint32_t flags)
{
	struct binder_transaction_data reply = {
	        .flags = flags,
	        .data_size = data_size,
	        .offsets_size = offsets_size,
	        .data.ptr.buffer = (binder_uintptr_t)(uintptr_t)data,
	        .data.ptr.offsets = (binder_uintptr_t)(uintptr_t)offsets,
	};

	return put_command(io, BC_REPLY, &reply, sizeof(reply));
}

static int reply_status(struct looper *looper, int32_t status)
{
	/* Kept in the looper: the driver reads it at the next write. */
	looper->status = status;
	return put_reply(&looper->io, &looper->status, sizeof(looper->status), NULL, 0,
	                 TF_STATUS_CODE);
}

static int reply_objects(struct looper *looper, const struct binder_transaction_data *request)
{
	struct bench_objects_request wanted;

	if (request->data_size < sizeof(wanted))
		return reply_status(looper, -EINVAL);
	memcpy(&wanted, (const void *)(uintptr_t)request->data.ptr.buffer, sizeof(wanted));
	if (wanted.count > BENCH_OBJECTS_PER_TRANSACTION || wanted.first > BENCH_HANDLES_MANY ||
	    wanted.count > BENCH_HANDLES_MANY - wanted.first)
		return reply_status(looper, -EINVAL);
	for (uint32_t i = 0; i < wanted.count; i++) {
		binder_uintptr_t object =
		        (binder_uintptr_t)(uintptr_t)&server.objects[wanted.first + i];

		looper->objects[i] = (struct flat_binder_object){
		        .hdr.type = BINDER_TYPE_BINDER,
		        .binder = object,
		        .cookie = object,
		};
		looper->offsets[i] = i * sizeof(looper->objects[0]);
	}
	return put_reply(&looper->io, looper->objects, wanted.count * sizeof(looper->objects[0]),
	                 looper->offsets, wanted.count * sizeof(looper->offsets[0]), 0);
}

static int handle_transaction(struct looper *looper, const struct binder_transaction_data *request)
{
	int ret = 0;

	if (!(request->flags & TF_ONE_WAY)) {
		if (request->code == BENCH_CODE_ECHO)
			/* The reply is copied from the request, in place. */
			ret = put_reply(&looper->io,
			                (const void *)(uintptr_t)request->data.ptr.buffer,
			                request->data_size, NULL, 0, 0);
		else if (request->code == BENCH_CODE_GET_OBJECTS)
			ret = reply_objects(looper, request);
		else
			ret = reply_status(looper, -EBADMSG);
	}
	if (ret == 0)
		ret = put_command(&looper->io, BC_FREE_BUFFER, &request->data.ptr.buffer,
		                  sizeof(request->data.ptr.buffer));
	return ret;
}

static void *looper_thread(void *registered);

static void spawn_looper(void)
{
	pthread_t thread;
	pthread_attr_t attributes;
	bool start;

	pthread_mutex_lock(&server.lock);
	start = server.threads < server.max_threads;
	if (start)
		server.threads++;
	pthread_mutex_unlock(&server.lock);
	if (!start)
		return;
	pthread_attr_init(&attributes);
	pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&thread, &attributes, looper_thread, (void *)1) != 0) {
		pthread_mutex_lock(&server.lock);
		server.threads--;
		pthread_mutex_unlock(&server.lock);
	}
	pthread_attr_destroy(&attributes);
}

static int handle_returns(struct looper *looper)
{
	struct binder_io *io = &looper->io;
	size_t position = 0;

	while (position < io->read_size) {
		uint32_t command;
		size_t size;
		const uint8_t *argument;
		int ret = 0;

		if (io->read_size - position < sizeof(command))
			return -EPROTO;
		memcpy(&command, io->read_buffer + position, sizeof(command));
		size = _IOC_SIZE(command);
		if (io->read_size - position - sizeof(command) < size)
			return -EPROTO;
		argument = io->read_buffer + position + sizeof(command);
		position += sizeof(command) + size;

		switch (command) {
		case BR_INCREFS:
			ret = put_command(io, BC_INCREFS_DONE, argument,
			                  sizeof(struct binder_ptr_cookie));
			break;
		case BR_ACQUIRE:
			ret = put_command(io, BC_ACQUIRE_DONE, argument,
			                  sizeof(struct binder_ptr_cookie));
			break;
		case BR_TRANSACTION: {
			struct binder_transaction_data request;

			memcpy(&request, argument, sizeof(request));
			ret = handle_transaction(looper, &request);
			break;
		}
		case BR_TRANSACTION_SEC_CTX: {
			struct binder_transaction_data_secctx request;

			memcpy(&request, argument, sizeof(request));
			ret = handle_transaction(looper, &request.transaction_data);
			break;
		}
		case BR_SPAWN_LOOPER:
			spawn_looper();
			break;
		case BR_ERROR:
			fprintf(stderr, "binder_bench server: BR_ERROR %d\n",
			        *(const int32_t *)argument);
			break;
		case BR_DEAD_BINDER:
			ret = put_command(io, BC_DEAD_BINDER_DONE, argument,
			                  sizeof(binder_uintptr_t));
			break;
		default:
			/* BR_NOOP, BR_TRANSACTION_COMPLETE, BR_RELEASE,
			 * BR_DECREFS, BR_FAILED_REPLY / BR_DEAD_REPLY (a reply
			 * whose caller went away), ...: nothing to do. */
			break;
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void *looper_thread(void *registered)
{
	struct looper *looper = malloc(sizeof(*looper));
	int ret;

	if (!looper) {
		fprintf(stderr, "binder_bench server: out of memory\n");
		_exit(1);
	}
	ret = binder_io_init(&looper->io, server.device, SERVER_WRITE_SIZE, SERVER_READ_SIZE);
	/* Each read goes out with everything the last one asked for (the
	 * reply and its buffer's free): a lone complete may wait for the
	 * next call (a hint binderd takes and the kernel ignores). */
	looper->io.read_hints = BINDER_WRITE_READ_HOLD_COMPLETE;
	if (ret == 0)
		ret = binder_io_put(&looper->io, registered ? BC_REGISTER_LOOPER : BC_ENTER_LOOPER,
		                    NULL, 0);
	while (ret == 0) {
		ret = binder_io_write_read(&looper->io, 1);
		if (ret == 0)
			ret = handle_returns(looper);
	}
	fprintf(stderr, "binder_bench server: looper stopped: %s\n", strerror(-ret));
	/* A benchmark with a broken server would hang its clients: end it. */
	_exit(1);
}

static int become_context_manager(void)
{
	struct timespec pause = {.tv_nsec = 50 * 1000 * 1000};
	int tries = (int)(CONTEXT_MANAGER_RETRY_NS / (uint64_t)pause.tv_nsec);
	int ret;

	for (int i = 0;; i++) {
		int unused = 0;

		ret = binder_device_ioctl(server.device, BINDER_SET_CONTEXT_MGR, &unused);
		if (ret != -EBUSY || i >= tries)
			return ret;
		nanosleep(&pause, NULL);
	}
}

static int start(const struct bench_server_options *options)
{
	uint32_t spawnable;
	void *area;
	int ret;

	server.objects = calloc(BENCH_HANDLES_MANY, sizeof(*server.objects));
	if (!server.objects)
		return -ENOMEM;
	ret = binder_device_open(options->device_path, 0, &server.device);
	if (ret < 0)
		return ret;
	ret = binder_io_check_version(server.device);
	if (ret == 0)
		ret = binder_device_mmap(server.device, BENCH_AREA_SIZE, &area);
	spawnable = (uint32_t)(options->max_threads - options->prestart_threads);
	if (ret == 0)
		ret = binder_device_ioctl(server.device, BINDER_SET_MAX_THREADS, &spawnable);
	if (ret == 0)
		ret = become_context_manager();
	return ret;
}

void bench_server_main(const struct bench_server_options *options)
{
	char ready = 1;
	int ret = start(options);

	if (ret < 0) {
		fprintf(stderr, "binder_bench server: cannot start on %s: %s\n",
		        options->device_path ? options->device_path : binder_device_default_path(),
		        strerror(-ret));
		_exit(1);
	}
	server.max_threads = options->max_threads;
	server.threads = 1;
	for (int i = 1; i < options->prestart_threads; i++) {
		pthread_t thread;

		pthread_mutex_lock(&server.lock);
		server.threads++;
		pthread_mutex_unlock(&server.lock);
		if (pthread_create(&thread, NULL, looper_thread, NULL) != 0) {
			fprintf(stderr, "binder_bench server: cannot start a thread\n");
			_exit(1);
		}
		pthread_detach(thread);
	}
	if (write(options->ready_fd, &ready, 1) != 1)
		_exit(1);
	close(options->ready_fd);
	looper_thread(NULL);
	_exit(1);
}
