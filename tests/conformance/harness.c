/*
 * harness.c - helpers shared by the binder conformance tests: device setup,
 * BC_* stream building, BR_* stream parsing, bounded waits, processes.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static bool running_in_child;
static __thread bool running_in_helper_thread;

bool in_child(void)
{
	return running_in_child;
}

void harness_mark_helper_thread(void)
{
	running_in_helper_thread = true;
}

void check_failed(const char *file, int line, const char *expression, const char *format, ...)
{
	char message[1024];
	va_list args;
	va_start(args, format);
	vsnprintf(message, sizeof(message), format, args);
	va_end(args);
	if (running_in_child || running_in_helper_thread) {
		fprintf(stderr, "[%s pid %d] %s:%d: check failed: %s %s\n",
		        running_in_child ? "child" : "thread", (int)getpid(), file, line,
		        expression, message);
		fflush(stderr);
		if (running_in_child)
			_exit(1);
		abort();
	}
	cr_assert_fail("%s:%d: check failed: %s %s", file, line, expression, message);
	abort();
}

static long long now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

const char *br_name(uint32_t cmd)
{
	switch (cmd) {
	case BR_ERROR:
		return "BR_ERROR";
	case BR_OK:
		return "BR_OK";
	case BR_TRANSACTION_SEC_CTX:
		return "BR_TRANSACTION_SEC_CTX";
	case BR_TRANSACTION:
		return "BR_TRANSACTION";
	case BR_REPLY:
		return "BR_REPLY";
	case BR_ACQUIRE_RESULT:
		return "BR_ACQUIRE_RESULT";
	case BR_DEAD_REPLY:
		return "BR_DEAD_REPLY";
	case BR_TRANSACTION_COMPLETE:
		return "BR_TRANSACTION_COMPLETE";
	case BR_INCREFS:
		return "BR_INCREFS";
	case BR_ACQUIRE:
		return "BR_ACQUIRE";
	case BR_RELEASE:
		return "BR_RELEASE";
	case BR_DECREFS:
		return "BR_DECREFS";
	case BR_ATTEMPT_ACQUIRE:
		return "BR_ATTEMPT_ACQUIRE";
	case BR_NOOP:
		return "BR_NOOP";
	case BR_SPAWN_LOOPER:
		return "BR_SPAWN_LOOPER";
	case BR_FINISHED:
		return "BR_FINISHED";
	case BR_DEAD_BINDER:
		return "BR_DEAD_BINDER";
	case BR_CLEAR_DEATH_NOTIFICATION_DONE:
		return "BR_CLEAR_DEATH_NOTIFICATION_DONE";
	case BR_FAILED_REPLY:
		return "BR_FAILED_REPLY";
	case BR_FROZEN_REPLY:
		return "BR_FROZEN_REPLY";
	case BR_ONEWAY_SPAM_SUSPECT:
		return "BR_ONEWAY_SPAM_SUSPECT";
	default:
		return "BR_<unknown>";
	}
}

/* ---- clients ---- */

int client_open(struct binder_client *client, size_t area_size)
{
	memset(client, 0, sizeof(*client));
	/* Non-blocking: reads follow a poll and never wait in the driver, so a
	 * thread whose work another thread took cannot hang. */
	int result = binder_device_open(binder_device_default_path(), O_NONBLOCK, &client->device);
	if (result < 0)
		return result;
	result = binder_device_mmap(client->device, area_size, &client->area);
	if (result < 0) {
		binder_device_close(client->device);
		client->device = NULL;
		return result;
	}
	client->area_size = area_size;
	return 0;
}

void open_client(struct binder_client *client, size_t area_size)
{
	int result = client_open(client, area_size);
	CHECKF(result == 0, "opening %s: %s", binder_device_default_path(), strerror(-result));
}

void client_close(struct binder_client *client)
{
	if (!client->is_thread_view && client->device)
		binder_device_close(client->device);
	client->device = NULL;
}

void client_thread_view(const struct binder_client *owner, struct binder_client *view)
{
	memset(view, 0, sizeof(*view));
	view->device = owner->device;
	view->area = owner->area;
	view->area_size = owner->area_size;
	view->is_thread_view = true;
}

/* ---- command streams ---- */

void bc_reset(struct bc_stream *stream)
{
	stream->size = 0;
}

void bc_add(struct bc_stream *stream, const void *bytes, size_t size)
{
	CHECKF(stream->size + size <= sizeof(stream->bytes), "command stream full");
	memcpy(stream->bytes + stream->size, bytes, size);
	stream->size += size;
}

void bc_add_u32(struct bc_stream *stream, uint32_t value)
{
	bc_add(stream, &value, sizeof(value));
}

static struct binder_transaction_data
transaction_data(uint32_t handle, uint32_t code, uint32_t flags, const void *data, size_t data_size,
                 const binder_size_t *offsets, size_t offsets_count)
{
	struct binder_transaction_data txn;
	memset(&txn, 0, sizeof(txn));
	txn.target.handle = handle;
	txn.code = code;
	txn.flags = flags;
	txn.data_size = data_size;
	txn.offsets_size = offsets_count * sizeof(binder_size_t);
	txn.data.ptr.buffer = (binder_uintptr_t)(uintptr_t)data;
	txn.data.ptr.offsets = (binder_uintptr_t)(uintptr_t)offsets;
	return txn;
}

void bc_add_transaction(struct bc_stream *stream, uint32_t cmd, uint32_t handle, uint32_t code,
                        uint32_t flags, const void *data, size_t data_size,
                        const binder_size_t *offsets, size_t offsets_count)
{
	struct binder_transaction_data txn =
	        transaction_data(handle, code, flags, data, data_size, offsets, offsets_count);
	bc_add_u32(stream, cmd);
	bc_add(stream, &txn, sizeof(txn));
}

void bc_add_transaction_sg(struct bc_stream *stream, uint32_t cmd, uint32_t handle, uint32_t code,
                           uint32_t flags, const void *data, size_t data_size,
                           const binder_size_t *offsets, size_t offsets_count,
                           binder_size_t buffers_size)
{
	struct binder_transaction_data_sg txn_sg;
	memset(&txn_sg, 0, sizeof(txn_sg));
	txn_sg.transaction_data =
	        transaction_data(handle, code, flags, data, data_size, offsets, offsets_count);
	txn_sg.buffers_size = buffers_size;
	bc_add_u32(stream, cmd);
	bc_add(stream, &txn_sg, sizeof(txn_sg));
}

void bc_add_free_buffer(struct bc_stream *stream, binder_uintptr_t buffer)
{
	bc_add_u32(stream, BC_FREE_BUFFER);
	bc_add(stream, &buffer, sizeof(buffer));
}

void bc_add_ptr_cookie(struct bc_stream *stream, uint32_t cmd, binder_uintptr_t ptr,
                       binder_uintptr_t cookie)
{
	struct binder_ptr_cookie ptr_cookie = {.ptr = ptr, .cookie = cookie};
	bc_add_u32(stream, cmd);
	bc_add(stream, &ptr_cookie, sizeof(ptr_cookie));
}

void bc_add_handle(struct bc_stream *stream, uint32_t cmd, uint32_t handle)
{
	bc_add_u32(stream, cmd);
	bc_add_u32(stream, handle);
}

void bc_add_death(struct bc_stream *stream, uint32_t cmd, uint32_t handle, binder_uintptr_t cookie)
{
	struct binder_handle_cookie handle_cookie = {.handle = handle, .cookie = cookie};
	bc_add_u32(stream, cmd);
	bc_add(stream, &handle_cookie, sizeof(handle_cookie));
}

void bc_add_dead_binder_done(struct bc_stream *stream, binder_uintptr_t cookie)
{
	bc_add_u32(stream, BC_DEAD_BINDER_DONE);
	bc_add(stream, &cookie, sizeof(cookie));
}

/* ---- ioctls ---- */

int client_write(struct binder_client *client, const void *bytes, size_t size,
                 binder_size_t *write_consumed)
{
	struct binder_write_read bwr;
	memset(&bwr, 0, sizeof(bwr));
	bwr.write_size = size;
	bwr.write_buffer = (binder_uintptr_t)(uintptr_t)bytes;
	int result;
	do {
		result = binder_device_ioctl(client->device, BINDER_WRITE_READ, &bwr);
	} while (result == -EINTR);
	if (write_consumed)
		*write_consumed = bwr.write_consumed;
	return result;
}

void send_commands(struct binder_client *client, const struct bc_stream *stream)
{
	binder_size_t consumed = 0;
	int result = client_write(client, stream->bytes, stream->size, &consumed);
	CHECKF(result == 0, "BINDER_WRITE_READ (write) failed: %s", strerror(-result));
	CHECKF(consumed == stream->size, "write_consumed %llu of %zu", (unsigned long long)consumed,
	       stream->size);
}

void send_command(struct binder_client *client, uint32_t cmd)
{
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_u32(&stream, cmd);
	send_commands(client, &stream);
}

void enter_looper(struct binder_client *client)
{
	send_command(client, BC_ENTER_LOOPER);
}

static int parse_read_buffer(struct binder_client *client, const uint8_t *buffer, size_t size)
{
	size_t offset = 0;
	unsigned position = 0;
	client->reads++;
	while (offset < size) {
		uint32_t cmd;
		CHECKF(size - offset >= sizeof(cmd), "read buffer ends inside a command");
		memcpy(&cmd, buffer + offset, sizeof(cmd));
		offset += sizeof(cmd);
		size_t payload = _IOC_SIZE(cmd);
		if (position == 0)
			CHECKF(cmd == BR_NOOP || cmd == BR_SPAWN_LOOPER,
			       "read buffer starts with %s (0x%x), not BR_NOOP", br_name(cmd), cmd);
		CHECKF(payload <= sizeof(((struct br_event *)0)->raw), "%s has payload size %zu",
		       br_name(cmd), payload);
		CHECKF(size - offset >= payload, "%s truncated in read buffer", br_name(cmd));
		CHECKF(client->queued < EVENT_QUEUE_SIZE, "event queue overflow");
		struct br_event *event = &client->queue[client->queued++];
		memset(event, 0, sizeof(*event));
		event->cmd = cmd;
		event->batch = client->reads;
		event->position = position++;
		memcpy(event->raw, buffer + offset, payload);
		offset += payload;
	}
	return (int)position;
}

int client_read(struct binder_client *client, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	for (;;) {
		int fd = binder_device_poll_fd(client->device);
		if (fd < 0)
			return fd;
		long long left = deadline - now_ms();
		if (left < 0)
			left = 0;
		struct pollfd pollfd = {.fd = fd, .events = POLLIN};
		int ready = poll(&pollfd, 1, (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return -errno;
		if (ready == 0)
			return -ETIMEDOUT;
		if (pollfd.revents & (POLLERR | POLLNVAL))
			return -EIO;
		uint8_t buffer[2048];
		struct binder_write_read bwr;
		memset(&bwr, 0, sizeof(bwr));
		bwr.read_size = sizeof(buffer);
		bwr.read_buffer = (binder_uintptr_t)(uintptr_t)buffer;
		int result = binder_device_ioctl(client->device, BINDER_WRITE_READ, &bwr);
		if (result == -EINTR || result == -EAGAIN) {
			if (now_ms() >= deadline)
				return -ETIMEDOUT;
			continue;
		}
		if (result < 0)
			return result;
		CHECKF(bwr.read_consumed <= sizeof(buffer), "read_consumed %llu too big",
		       (unsigned long long)bwr.read_consumed);
		return parse_read_buffer(client, buffer, bwr.read_consumed);
	}
}

static void remove_queued(struct binder_client *client, size_t index)
{
	memmove(&client->queue[index], &client->queue[index + 1],
	        (client->queued - index - 1) * sizeof(client->queue[0]));
	client->queued--;
}

static bool cmd_in(uint32_t cmd, const uint32_t *cmds, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (cmds[i] == cmd)
			return true;
	return false;
}

int client_take(struct binder_client *client, const uint32_t *cmds, size_t cmds_count,
                struct br_event *event, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	for (;;) {
		for (size_t i = 0; i < client->queued; i++) {
			if (cmd_in(client->queue[i].cmd, cmds, cmds_count)) {
				*event = client->queue[i];
				remove_queued(client, i);
				return 0;
			}
		}
		long long left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		int result = client_read(client, (int)left);
		if (result == -ETIMEDOUT)
			return result;
		CHECKF(result >= 0, "reading from the device: %s", strerror(-result));
	}
}

int client_next(struct binder_client *client, struct br_event *event, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	for (;;) {
		while (client->queued > 0 && client->queue[0].cmd == BR_NOOP)
			remove_queued(client, 0);
		if (client->queued > 0) {
			*event = client->queue[0];
			remove_queued(client, 0);
			return 0;
		}
		long long left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		int result = client_read(client, (int)left);
		if (result == -ETIMEDOUT)
			return result;
		CHECKF(result >= 0, "reading from the device: %s", strerror(-result));
	}
}

static void describe_queue(const struct binder_client *client, char *text, size_t size)
{
	size_t used = 0;
	text[0] = 0;
	for (size_t i = 0; i < client->queued && used + 40 < size; i++)
		used += snprintf(text + used, size - used, " %s", br_name(client->queue[i].cmd));
}

void expect_next(struct binder_client *client, uint32_t cmd, struct br_event *event)
{
	struct br_event local;
	if (!event)
		event = &local;
	int result = client_next(client, event, WAIT_MS);
	CHECKF(result == 0, "waiting for %s: nothing came", br_name(cmd));
	CHECKF(event->cmd == cmd, "expected %s, got %s", br_name(cmd), br_name(event->cmd));
}

void expect_take(struct binder_client *client, uint32_t cmd, struct br_event *event)
{
	struct br_event local;
	if (!event)
		event = &local;
	int result = client_take(client, &cmd, 1, event, WAIT_MS);
	if (result != 0) {
		char queued[512];
		describe_queue(client, queued, sizeof(queued));
		CHECKF(result == 0, "waiting for %s: it did not come (queued:%s)", br_name(cmd),
		       queued);
	}
}

void expect_nothing(struct binder_client *client, int quiet_ms)
{
	struct br_event event;
	int result = client_next(client, &event, quiet_ms);
	CHECKF(result == -ETIMEDOUT, "expected no event, got %s", br_name(event.cmd));
}

bool client_has_queued(const struct binder_client *client, uint32_t cmd)
{
	for (size_t i = 0; i < client->queued; i++)
		if (client->queue[i].cmd == cmd)
			return true;
	return false;
}

/* ---- transactions ---- */

struct call_result wait_call_result(struct binder_client *client, bool oneway)
{
	static const uint32_t sync_outcomes[] = {BR_TRANSACTION_COMPLETE, BR_REPLY, BR_FAILED_REPLY,
	                                         BR_DEAD_REPLY};
	struct call_result result;
	memset(&result, 0, sizeof(result));
	for (;;) {
		struct br_event event;
		int status = client_take(client, sync_outcomes, 4, &event, WAIT_MS);
		CHECKF(status == 0, "no outcome for the call within %d ms", WAIT_MS);
		if (event.cmd == BR_TRANSACTION_COMPLETE) {
			CHECKF(!result.saw_complete, "two BR_TRANSACTION_COMPLETE for one call");
			result.saw_complete = true;
			if (oneway) {
				result.cmd = BR_TRANSACTION_COMPLETE;
				return result;
			}
			continue;
		}
		CHECKF(!(oneway && event.cmd == BR_REPLY), "BR_REPLY for a oneway call");
		result.cmd = event.cmd;
		if (event.cmd == BR_REPLY)
			result.reply = event;
		return result;
	}
}

struct call_result call(struct binder_client *client, uint32_t handle, uint32_t code,
                        uint32_t flags, const void *data, size_t data_size,
                        const binder_size_t *offsets, size_t offsets_count)
{
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction(&stream, BC_TRANSACTION, handle, code, flags, data, data_size, offsets,
	                   offsets_count);
	send_commands(client, &stream);
	struct call_result result = wait_call_result(client, flags & TF_ONE_WAY);
	if (result.cmd == BR_REPLY)
		CHECKF(result.saw_complete, "BR_REPLY without a BR_TRANSACTION_COMPLETE before it");
	return result;
}

void expect_transaction(struct binder_client *client, struct br_event *event)
{
	expect_take(client, BR_TRANSACTION, event);
}

void free_buffer(struct binder_client *client, const struct br_event *event)
{
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_free_buffer(&stream, event->txn.data.ptr.buffer);
	send_commands(client, &stream);
}

void reply_keep(struct binder_client *client, const void *data, size_t data_size,
                const binder_size_t *offsets, size_t offsets_count)
{
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction(&stream, BC_REPLY, 0, 0, 0, data, data_size, offsets, offsets_count);
	send_commands(client, &stream);
	expect_take(client, BR_TRANSACTION_COMPLETE, NULL);
}

void reply_and_free(struct binder_client *client, const struct br_event *transaction,
                    const void *data, size_t data_size, const binder_size_t *offsets,
                    size_t offsets_count)
{
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_free_buffer(&stream, transaction->txn.data.ptr.buffer);
	bc_add_transaction(&stream, BC_REPLY, 0, 0, 0, data, data_size, offsets, offsets_count);
	send_commands(client, &stream);
	expect_take(client, BR_TRANSACTION_COMPLETE, NULL);
}

static bool in_area(const struct binder_client *client, binder_uintptr_t address, size_t size)
{
	uintptr_t start = (uintptr_t)client->area;
	return address >= start && size <= client->area_size &&
	       address - start <= client->area_size - size;
}

const void *event_data(const struct binder_client *client, const struct br_event *event)
{
	CHECKF(in_area(client, event->txn.data.ptr.buffer, event->txn.data_size),
	       "transaction data (%llu bytes at 0x%llx) outside the receive area",
	       (unsigned long long)event->txn.data_size,
	       (unsigned long long)event->txn.data.ptr.buffer);
	return (const void *)(uintptr_t)event->txn.data.ptr.buffer;
}

const binder_size_t *event_offsets(const struct binder_client *client, const struct br_event *event)
{
	CHECKF(in_area(client, event->txn.data.ptr.offsets, event->txn.offsets_size),
	       "transaction offsets outside the receive area");
	return (const binder_size_t *)(uintptr_t)event->txn.data.ptr.offsets;
}

const struct flat_binder_object *event_object(const struct binder_client *client,
                                              const struct br_event *event, size_t index)
{
	CHECKF(event->txn.offsets_size >= (index + 1) * sizeof(binder_size_t),
	       "no offset %zu (offsets_size %llu)", index,
	       (unsigned long long)event->txn.offsets_size);
	const binder_size_t *offsets = event_offsets(client, event);
	const uint8_t *data = event_data(client, event);
	CHECKF(offsets[index] + sizeof(struct flat_binder_object) <= event->txn.data_size,
	       "object %zu out of the data", index);
	return (const struct flat_binder_object *)(data + offsets[index]);
}

void acknowledge_ref_event(struct binder_client *client, const struct br_event *event)
{
	struct bc_stream stream;
	bc_reset(&stream);
	CHECKF(event->cmd == BR_INCREFS || event->cmd == BR_ACQUIRE, "not a ref event: %s",
	       br_name(event->cmd));
	bc_add_ptr_cookie(&stream, event->cmd == BR_INCREFS ? BC_INCREFS_DONE : BC_ACQUIRE_DONE,
	                  event->ptr_cookie.ptr, event->ptr_cookie.cookie);
	send_commands(client, &stream);
}

void expect_node_acquired(struct binder_client *client, binder_uintptr_t ptr,
                          binder_uintptr_t cookie, bool strong)
{
	struct br_event event;
	expect_take(client, BR_INCREFS, &event);
	CHECKF(event.ptr_cookie.ptr == ptr && event.ptr_cookie.cookie == cookie,
	       "BR_INCREFS for 0x%llx/0x%llx, expected 0x%llx/0x%llx",
	       (unsigned long long)event.ptr_cookie.ptr,
	       (unsigned long long)event.ptr_cookie.cookie, (unsigned long long)ptr,
	       (unsigned long long)cookie);
	acknowledge_ref_event(client, &event);
	if (!strong)
		return;
	expect_take(client, BR_ACQUIRE, &event);
	CHECKF(event.ptr_cookie.ptr == ptr && event.ptr_cookie.cookie == cookie,
	       "BR_ACQUIRE for 0x%llx/0x%llx, expected 0x%llx/0x%llx",
	       (unsigned long long)event.ptr_cookie.ptr,
	       (unsigned long long)event.ptr_cookie.cookie, (unsigned long long)ptr,
	       (unsigned long long)cookie);
	acknowledge_ref_event(client, &event);
}

struct flat_binder_object binder_object(uint32_t type, binder_uintptr_t ptr,
                                        binder_uintptr_t cookie, uint32_t flags)
{
	struct flat_binder_object object;
	memset(&object, 0, sizeof(object));
	object.hdr.type = type;
	object.flags = flags;
	object.binder = ptr;
	object.cookie = cookie;
	return object;
}

struct flat_binder_object handle_object(uint32_t type, uint32_t handle)
{
	struct flat_binder_object object;
	memset(&object, 0, sizeof(object));
	object.hdr.type = type;
	object.handle = handle;
	return object;
}

/* ---- context manager ---- */

static void retry_context_manager(struct binder_client *client, unsigned long request, void *arg)
{
	long long deadline = now_ms() + WAIT_MS;
	int result;
	for (;;) {
		result = binder_device_ioctl(client->device, request, arg);
		if (result != -EBUSY || now_ms() >= deadline)
			break;
		usleep(10 * 1000);
	}
	CHECKF(result == 0, "becoming context manager: %s", strerror(-result));
}

void become_context_manager(struct binder_client *client)
{
	int unused = 0;
	retry_context_manager(client, BINDER_SET_CONTEXT_MGR, &unused);
}

void become_context_manager_ext(struct binder_client *client, binder_uintptr_t ptr,
                                binder_uintptr_t cookie, uint32_t flags)
{
	struct flat_binder_object object = binder_object(BINDER_TYPE_BINDER, ptr, cookie, flags);
	retry_context_manager(client, BINDER_SET_CONTEXT_MGR_EXT, &object);
}

/* ---- processes ---- */

void channel_open(struct channel *channel)
{
	CHECK(pipe2(channel->to_child, O_CLOEXEC) == 0);
	CHECK(pipe2(channel->to_parent, O_CLOEXEC) == 0);
}

void channel_close(struct channel *channel)
{
	for (int i = 0; i < 2; i++) {
		close(channel->to_child[i]);
		close(channel->to_parent[i]);
	}
}

static void send_value(int fd, uint64_t value)
{
	ssize_t written;
	do {
		written = write(fd, &value, sizeof(value));
	} while (written < 0 && errno == EINTR);
	CHECKF(written == sizeof(value), "pipe write: %s", strerror(errno));
}

static uint64_t receive_value(int fd)
{
	long long deadline = now_ms() + WAIT_MS;
	uint64_t value = 0;
	size_t got = 0;
	while (got < sizeof(value)) {
		long long left = deadline - now_ms();
		CHECKF(left > 0, "no message from the other process within %d ms", WAIT_MS);
		struct pollfd pollfd = {.fd = fd, .events = POLLIN};
		int ready = poll(&pollfd, 1, (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		CHECKF(ready >= 0, "poll: %s", strerror(errno));
		if (ready == 0)
			continue;
		ssize_t count = read(fd, (uint8_t *)&value + got, sizeof(value) - got);
		if (count < 0 && errno == EINTR)
			continue;
		CHECKF(count > 0, "the other process closed the channel");
		got += (size_t)count;
	}
	return value;
}

void tell_child(struct channel *channel, uint64_t value)
{
	send_value(channel->to_child[1], value);
}

void tell_parent(struct channel *channel, uint64_t value)
{
	send_value(channel->to_parent[1], value);
}

uint64_t hear_from_child(struct channel *channel)
{
	return receive_value(channel->to_parent[0]);
}

uint64_t hear_from_parent(struct channel *channel)
{
	return receive_value(channel->to_child[0]);
}

bool try_hear_from_parent(struct channel *channel, uint64_t *value)
{
	struct pollfd pollfd = {.fd = channel->to_child[0], .events = POLLIN};
	if (poll(&pollfd, 1, 0) != 1)
		return false;
	*value = receive_value(channel->to_child[0]);
	return true;
}

pid_t spawn_child(int (*body)(void *argument), void *argument)
{
	fflush(stdout);
	fflush(stderr);
	pid_t parent = getpid();
	pid_t pid = fork();
	CHECKF(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		running_in_child = true;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		alarm(CHILD_ALARM_SECONDS);
		int status = body(argument);
		_exit(status);
	}
	return pid;
}

int wait_child(pid_t pid, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	for (;;) {
		int status;
		pid_t done = waitpid(pid, &status, WNOHANG);
		if (done == pid)
			return status;
		if (done < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		usleep(5 * 1000);
	}
}

void expect_child_success(pid_t pid)
{
	int status = wait_child(pid, WAIT_MS * 2);
	CHECKF(status != -ETIMEDOUT, "child %d did not exit in time (killed)", (int)pid);
	CHECKF(status >= 0, "waitpid: %s", strerror(-status));
	CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "child %d failed: %s %d (its stderr says why)", (int)pid,
	       WIFEXITED(status) ? "exit status" : "signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}
