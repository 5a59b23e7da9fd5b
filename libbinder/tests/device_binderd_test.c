/*
 * device_binderd_test.c - the binderd backend of the device layer, end to
 * end against a private binderd (tests/with_binderd.sh sets
 * BINDER_DEVICE): the mapping, per-thread channels and their cleanup,
 * polling, payloads that grow the send area, bad pointers, fork.
 * Binder semantics themselves are the conformance suite's business.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <linux/android/binder.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "binder/device.h"

#define AREA_SIZE (4u * 1024u * 1024u)
#define WAIT_MS   5000

static binder_device *open_mapped(void **area)
{
	binder_device *device;

	cr_assert_eq(binder_device_open(NULL, 0, &device), 0);
	cr_assert_eq(binder_device_backend(device), BINDER_BACKEND_BINDERD);
	cr_assert_eq(binder_device_mmap(device, AREA_SIZE, area), 0);
	return device;
}

static int open_fd_count(void)
{
	DIR *directory = opendir("/proc/self/fd");
	int count = 0;

	cr_assert_not_null(directory);
	while (readdir(directory))
		count++;
	closedir(directory);
	return count;
}

static int write_read(binder_device *device, const void *write, size_t write_size, void *read,
                      size_t read_size, struct binder_write_read *bwr)
{
	memset(bwr, 0, sizeof(*bwr));
	bwr->write_buffer = (uintptr_t)write;
	bwr->write_size = write_size;
	bwr->read_buffer = (uintptr_t)read;
	bwr->read_size = read_size;
	return binder_device_ioctl(device, BINDER_WRITE_READ, bwr);
}

/* Finds the first cmd in a read buffer; copies its payload. */
static bool find_return(const uint8_t *read, size_t size, uint32_t wanted, void *payload,
                        size_t payload_size)
{
	size_t position = 0;

	while (size - position >= 4) {
		uint32_t cmd;

		memcpy(&cmd, read + position, 4);
		if (size - position - 4 < _IOC_SIZE(cmd))
			return false;
		if (cmd == wanted) {
			memcpy(payload, read + position + 4,
			       payload_size < _IOC_SIZE(cmd) ? payload_size : _IOC_SIZE(cmd));
			return true;
		}
		position += 4 + _IOC_SIZE(cmd);
	}
	return false;
}

static void become_manager(binder_device *device)
{
	uint32_t enter = BC_ENTER_LOOPER;
	struct binder_write_read bwr;

	int status, tries;

	/* The previous test's manager may not be released yet: binderd sees
	 * its process go away asynchronously. */
	for (tries = 0; tries < 2000; tries++) {
		status = binder_device_ioctl(device, BINDER_SET_CONTEXT_MGR, NULL);
		if (status != -EBUSY)
			break;
		usleep(10 * 1000);
	}
	cr_assert_eq(status, 0);
	cr_assert_eq(write_read(device, &enter, sizeof(enter), NULL, 0, &bwr), 0);
}

struct oneway_call {
	uint32_t cmd;
	struct binder_transaction_data transaction;
} __attribute__((packed));

static struct oneway_call oneway_to_manager(const void *data, size_t size)
{
	struct oneway_call call = {.cmd = BC_TRANSACTION};

	call.transaction.target.handle = 0;
	call.transaction.code = 42;
	call.transaction.flags = TF_ONE_WAY;
	call.transaction.data_size = size;
	call.transaction.data.ptr.buffer = (uintptr_t)data;
	return call;
}

/* Sends a oneway call and returns what the sender read back. */
static uint32_t send_oneway(binder_device *device, const void *data, size_t size)
{
	struct oneway_call call = oneway_to_manager(data, size);
	struct binder_write_read bwr;
	uint8_t read[256];
	uint32_t last = 0;

	cr_assert_eq(write_read(device, &call, sizeof(call), read, sizeof(read), &bwr), 0);
	cr_assert_eq(bwr.write_consumed, sizeof(call));
	cr_assert_geq(bwr.read_consumed, 8);
	memcpy(&last, read + 4, 4); /* after BR_NOOP */
	return last;
}

/* Waits (poll, bounded) for a transaction at the manager and checks it. */
static void receive_checked(binder_device *device, const uint8_t *expected, size_t size)
{
	struct binder_transaction_data transaction;
	struct pollfd poll_fd = {.events = POLLIN};
	struct binder_write_read bwr;
	uint8_t read[256];
	struct {
		uint32_t cmd;
		binder_uintptr_t buffer;
	} __attribute__((packed)) free_buffer = {BC_FREE_BUFFER, 0};

	poll_fd.fd = binder_device_poll_fd(device);
	cr_assert_geq(poll_fd.fd, 0);
	cr_assert_eq(poll(&poll_fd, 1, WAIT_MS), 1, "no wake-up for the transaction");
	cr_assert(poll_fd.revents & POLLIN);
	cr_assert_eq(write_read(device, NULL, 0, read, sizeof(read), &bwr), 0);
	cr_assert(find_return(read, bwr.read_consumed, BR_TRANSACTION, &transaction,
	                      sizeof(transaction)));
	cr_assert_eq(transaction.code, 42);
	cr_assert_eq(transaction.data_size, size);
	cr_assert_eq(memcmp((const void *)(uintptr_t)transaction.data.ptr.buffer, expected, size),
	             0);
	free_buffer.buffer = transaction.data.ptr.buffer;
	cr_assert_eq(write_read(device, &free_buffer, sizeof(free_buffer), NULL, 0, &bwr), 0);
}

Test(device_binderd, area_is_read_only_and_mapped_once)
{
	binder_device *device;
	void *area, *again;
	struct binder_version version = {0};

	device = open_mapped(&area);
	cr_assert_neq(mprotect(area, 4096, PROT_READ | PROT_WRITE), 0,
	              "the receive area could be made writable");
	cr_assert_eq(binder_device_mmap(device, AREA_SIZE, &again), -EBUSY);
	cr_assert_eq(binder_device_ioctl(device, BINDER_VERSION, &version), 0);
	cr_assert_eq(version.protocol_version, BINDER_CURRENT_PROTOCOL_VERSION);
	binder_device_close(device);
}

Test(device_binderd, bad_arguments_give_errors_and_keep_the_channel)
{
	binder_device *device;
	void *area;
	struct binder_write_read bwr;
	struct binder_version version;
	uint32_t enter = BC_ENTER_LOOPER;

	device = open_mapped(&area);
	cr_assert_eq(binder_device_ioctl(device, 0x5401 /* TCGETS */, &bwr), -EINVAL);
	cr_assert_eq(binder_device_ioctl(device, BINDER_WRITE_READ, NULL), -EFAULT);
	cr_assert_eq(binder_device_ioctl(device, BINDER_VERSION, (void *)16), -EFAULT);
	cr_assert_eq(write_read(device, (void *)16, 8, NULL, 0, &bwr), -EFAULT);
	cr_assert_eq(bwr.write_consumed, 0);
	/* Nothing to write or read: nothing happens, as with the kernel. */
	cr_assert_eq(write_read(device, NULL, 0, NULL, 0, &bwr), 0);
	/* A read into a wild buffer fails without desynchronising. */
	cr_assert_eq(write_read(device, &enter, sizeof(enter), (void *)16, 64, &bwr), -EFAULT);
	cr_assert_eq(binder_device_ioctl(device, BINDER_VERSION, &version), 0);
	cr_assert_eq(version.protocol_version, BINDER_CURRENT_PROTOCOL_VERSION);
	binder_device_close(device);
}

struct sender {
	binder_device *device;
	const uint8_t *data;
	size_t size;
	uint32_t answer;
};

static void *send_from_thread(void *argument)
{
	struct sender *sender = argument;

	sender->answer = send_oneway(sender->device, sender->data, sender->size);
	return NULL;
}

Test(device_binderd, poll_and_payloads_up_to_a_mebibyte)
{
	static const size_t sizes[] = {1, 64, 4096, 300 * 1024, 1024 * 1024};
	binder_device *manager, *client;
	void *manager_area, *client_area;
	size_t i;

	manager = open_mapped(&manager_area);
	client = open_mapped(&client_area);
	become_manager(manager);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct sender sender = {.device = client, .size = sizes[i]};
		uint8_t *data = malloc(sizes[i]);
		pthread_t thread;
		size_t j;

		cr_assert_not_null(data);
		for (j = 0; j < sizes[i]; j++)
			data[j] = (uint8_t)(j * 7 + i);
		sender.data = data;
		/* Sent from another thread: its own channel and send area. */
		cr_assert_eq(pthread_create(&thread, NULL, send_from_thread, &sender), 0);
		cr_assert_eq(pthread_join(thread, NULL), 0);
		cr_assert_eq(sender.answer, BR_TRANSACTION_COMPLETE, "size %zu", sizes[i]);
		receive_checked(manager, data, sizes[i]);
		free(data);
	}
	binder_device_close(client);
	binder_device_close(manager);
}

Test(device_binderd, wild_payload_pointer_fails_the_transaction)
{
	binder_device *manager, *client;
	void *manager_area, *client_area;
	static const uint8_t good[8] = "payload";

	manager = open_mapped(&manager_area);
	client = open_mapped(&client_area);
	become_manager(manager);
	cr_assert_eq(send_oneway(client, (const void *)16, 64), BR_FAILED_REPLY);
	/* And the client still works. */
	cr_assert_eq(send_oneway(client, good, sizeof(good)), BR_TRANSACTION_COMPLETE);
	receive_checked(manager, good, sizeof(good));
	binder_device_close(client);
	binder_device_close(manager);
}

struct channel_user {
	binder_device *device;
	pthread_barrier_t *barrier;
};

static void *use_then_wait(void *argument)
{
	struct channel_user *user = argument;
	struct binder_version version;

	if (binder_device_ioctl(user->device, BINDER_VERSION, &version) != 0)
		abort();
	if (binder_device_poll_fd(user->device) < 0)
		abort();
	if (user->barrier) {
		pthread_barrier_wait(user->barrier); /* channel made */
		pthread_barrier_wait(user->barrier); /* device closed */
	}
	return NULL;
}

Test(device_binderd, thread_channels_are_released)
{
	int baseline = open_fd_count();
	pthread_barrier_t barrier;
	binder_device *device;
	pthread_t threads[8];
	void *area;
	int i, round;

	device = open_mapped(&area);
	/* Threads that exit release their channel. */
	for (round = 0; round < 4; round++) {
		struct channel_user user = {.device = device, .barrier = NULL};

		for (i = 0; i < 8; i++)
			cr_assert_eq(pthread_create(&threads[i], NULL, use_then_wait, &user), 0);
		for (i = 0; i < 8; i++)
			cr_assert_eq(pthread_join(threads[i], NULL), 0);
	}
	/* Only the process channel is left. */
	cr_assert_eq(open_fd_count(), baseline + 1);

	/* Closing the device releases the channels of living threads. */
	{
		struct channel_user user = {.device = device, .barrier = &barrier};

		cr_assert_eq(pthread_barrier_init(&barrier, NULL, 9), 0);
		for (i = 0; i < 8; i++)
			cr_assert_eq(pthread_create(&threads[i], NULL, use_then_wait, &user), 0);
		pthread_barrier_wait(&barrier);
		binder_device_close(device);
		cr_assert_eq(open_fd_count(), baseline);
		pthread_barrier_wait(&barrier);
		for (i = 0; i < 8; i++)
			cr_assert_eq(pthread_join(threads[i], NULL), 0);
		pthread_barrier_destroy(&barrier);
	}
	/* A new device works on threads whose old channel went away. */
	device = open_mapped(&area);
	use_then_wait(&(struct channel_user){.device = device, .barrier = NULL});
	binder_device_close(device);
	cr_assert_eq(open_fd_count(), baseline);
}

Test(device_binderd, fork_child_opens_its_own_device)
{
	binder_device *manager, *client;
	void *manager_area, *client_area;
	static const uint8_t from_child[6] = "child";
	int status;
	pid_t child;

	manager = open_mapped(&manager_area);
	become_manager(manager);
	client = open_mapped(&client_area);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		struct binder_version version;
		binder_device *own;
		void *area;
		int failures = 0;

		alarm(20);
		failures += binder_device_ioctl(manager, BINDER_VERSION, &version) != -EINVAL;
		failures += binder_device_mmap(client, 4096, &area) != -EINVAL;
		binder_device_close(client);
		binder_device_close(manager);
		failures += binder_device_open(NULL, 0, &own) != 0;
		if (!failures) {
			failures += binder_device_mmap(own, AREA_SIZE, &area) != 0;
			failures += send_oneway(own, from_child, sizeof(from_child)) !=
			            BR_TRANSACTION_COMPLETE;
			binder_device_close(own);
		}
		_exit(failures);
	}
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	/* The child's closes did not end the parent's binder processes. */
	receive_checked(manager, from_child, sizeof(from_child));
	cr_assert_eq(send_oneway(client, from_child, sizeof(from_child)), BR_TRANSACTION_COMPLETE);
	receive_checked(manager, from_child, sizeof(from_child));
	binder_device_close(client);
	binder_device_close(manager);
}
