/*
 * fuzz_write_stream.c - libFuzzer target for binderd's handling of a
 * client's write stream and objects. binderd's core runs in this process;
 * each input (layout in fuzz_input.h) sets up two or three binder
 * processes through the real socket protocol, makes one the context
 * manager, then plays operations on their threads: BINDER_WRITE_READ with
 * fuzzed BC_* streams (payloads and offsets in a fuzzed send area, fds
 * attached), acknowledgements, frees, other ioctls, malformed requests,
 * thread and process deaths. binderd's answers are checked as they come
 * (fake_client.c). At the end everything is closed and released, and the
 * input must leave nothing behind: no process, node, event or fd.
 */
#include <dirent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binderd.h"
#include "fake_client.h"
#include "fuzz_input.h"

/* binderd's loop; main.c, which defines it in binderd, is not linked. */
struct event_base *binderd_event_base;

/* Most operations one input plays. */
#define MAX_OPERATIONS 512

/* Default read size for the harness's own requests. */
#define ACK_READ_SIZE 256

static int null_fd = -1;

struct cursor {
	const uint8_t *data;
	size_t size;
	size_t at;
};

static bool take_u8(struct cursor *cursor, uint8_t *value)
{
	if (cursor->at >= cursor->size)
		return false;
	*value = cursor->data[cursor->at++];
	return true;
}

static uint16_t take_u16(struct cursor *cursor)
{
	uint8_t low = 0, high = 0;
	take_u8(cursor, &low);
	take_u8(cursor, &high);
	return (uint16_t)(low | high << 8);
}

/* Up to size bytes: a truncated input still gives what it has. */
static const uint8_t *take_bytes(struct cursor *cursor, size_t *size)
{
	size_t left = cursor->size - cursor->at;
	if (*size > left)
		*size = left;
	const uint8_t *bytes = cursor->data + cursor->at;
	cursor->at += *size;
	return bytes;
}

static size_t count_open_fds(void)
{
	DIR *directory = opendir("/proc/self/fd");
	if (!directory)
		fuzz_fail("cannot list /proc/self/fd");
	size_t count = 0;
	struct dirent *entry;
	while ((entry = readdir(directory)))
		if (entry->d_name[0] != '.')
			count++;
	closedir(directory);
	return count;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	client_trace = getenv("FUZZ_BINDERD_TRACE") != NULL;
	binderd_event_base = event_base_new();
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (!binderd_event_base || null_fd < 0)
		fuzz_fail("cannot set up (event base or /dev/null)");
	return 0;
}

static void send_stream(struct client_world *world, struct client_thread *thread,
                        const uint8_t *stream, size_t size)
{
	thread_write_read(world, thread, stream, size, ACK_READ_SIZE, BINDERD_WR_NONBLOCK, 0,
	                  false);
}

static void acknowledge(struct client_world *world, struct client_thread *thread)
{
	struct client_process *process = &world->processes[thread->process];
	uint8_t stream[CLIENT_MAX_REMEMBERED * 2 *
	               (sizeof(uint32_t) + sizeof(struct binder_ptr_cookie))];
	size_t length = 0;
	if (thread->awaiting != AWAIT_NOTHING || thread->channel.fd < 0)
		return;
	for (size_t i = 0; i < process->ack_count; i++) {
		memcpy(stream + length, &process->acks[i].cmd, sizeof(uint32_t));
		length += sizeof(uint32_t);
		memcpy(stream + length, &process->acks[i].target, sizeof(process->acks[i].target));
		length += sizeof(process->acks[i].target);
	}
	for (size_t i = 0; i < process->death_count; i++) {
		uint32_t cmd = BC_DEAD_BINDER_DONE;
		memcpy(stream + length, &cmd, sizeof(cmd));
		length += sizeof(cmd);
		memcpy(stream + length, &process->deaths[i], sizeof(process->deaths[i]));
		length += sizeof(process->deaths[i]);
	}
	process->ack_count = process->death_count = 0;
	if (length > 0)
		send_stream(world, thread, stream, length);
}

static void free_buffer(struct client_world *world, struct client_thread *thread, uint8_t index)
{
	struct client_process *process = &world->processes[thread->process];
	if (process->buffer_count == 0 || thread->awaiting != AWAIT_NOTHING ||
	    thread->channel.fd < 0)
		return;
	size_t chosen = index % process->buffer_count;
	uint8_t stream[sizeof(uint32_t) + sizeof(binder_uintptr_t)];
	uint32_t cmd = BC_FREE_BUFFER;
	memcpy(stream, &cmd, sizeof(cmd));
	memcpy(stream + sizeof(cmd), &process->buffers[chosen], sizeof(binder_uintptr_t));
	process->buffers[chosen] = process->buffers[--process->buffer_count];
	send_stream(world, thread, stream, sizeof(stream));
}

/* Requests binderd must refuse: variants 0-3 on the thread's channel,
 * 4-7 on its process's channel (variant 6 with bit 3 set: a security
 * context binderd must refuse as -EINVAL, whatever the caller's uid). */
static void bad_header(struct client_world *world, struct client_thread *thread, unsigned variant)
{
	struct binderd_request request = {.op = BINDERD_OP_IOCTL, .arg = BINDER_VERSION};
	struct client_channel *channel = &thread->channel;
	uint64_t user_base = 0;
	size_t size = sizeof(request);
	uint8_t bytes[sizeof(request) + sizeof(user_base)];
	const char *label;
	switch (variant % 8) {
	case 0:
		request.op = 99;
		break;
	case 1:
		request.reserved = 1;
		break;
	case 2:
		request.payload_size = 0x7fffffffu;
		break;
	case 3:
		request.fd_count = 3; /* none attached */
		break;
	case 4:
		request.op = BINDERD_OP_HELLO; /* a second hello */
		request.arg = BINDERD_PROTOCOL_VERSION;
		break;
	case 5:
		request.op = BINDERD_OP_MMAP; /* a second receive area */
		request.arg = 4096;
		request.payload_size = sizeof(user_base);
		size += sizeof(user_base);
		break;
	case 6:
		if (!(variant & 8u)) {
			request.op = BINDERD_OP_NEW_THREAD; /* without its fd */
			break;
		}
		/* A label with a control character, or an empty one. */
		request.op = BINDERD_OP_SET_SECURITY_CONTEXT;
		request.arg = 0;
		label = variant & 16u ? "" : "bad\x01";
		request.payload_size = (uint32_t)strlen(label);
		memcpy(&user_base, label, request.payload_size);
		size += request.payload_size;
		break;
	default:
		request.op = BINDERD_OP_FD_NUMBERS; /* not for a process */
		break;
	}
	if (variant % 8 >= 4)
		channel = &world->processes[thread->process].channel;
	memcpy(bytes, &request, sizeof(request));
	memcpy(bytes + sizeof(request), &user_base, sizeof(user_base));
	channel_send_raw(channel, bytes, size);
}

static void control(struct client_world *world, struct client_thread *thread, uint8_t byte)
{
	unsigned argument = byte >> 3;
	switch (byte & 7u) {
	case CONTROL_VERSION: {
		struct binder_version version = {0};
		thread_ioctl(thread, BINDER_VERSION, &version, sizeof(version), false);
		break;
	}
	case CONTROL_SET_MAX_THREADS: {
		uint32_t count = argument;
		thread_ioctl(thread, BINDER_SET_MAX_THREADS, &count, sizeof(count), false);
		break;
	}
	case CONTROL_THREAD_EXIT: {
		int32_t unused = 0;
		thread_ioctl(thread, BINDER_THREAD_EXIT, &unused, sizeof(unused), false);
		break;
	}
	case CONTROL_POLL_ARM:
		thread_poll_arm(thread);
		break;
	case CONTROL_NEW_THREAD:
		world_add_thread(world, thread->process);
		break;
	case CONTROL_SET_CONTEXT_MGR: {
		int32_t unused = 0;
		thread_ioctl(thread, BINDER_SET_CONTEXT_MGR, &unused, sizeof(unused), false);
		break;
	}
	case CONTROL_BAD_HEADER:
		bad_header(world, thread, argument);
		break;
	case CONTROL_BAD_WRITE_READ: {
		struct binderd_write_read request = {
		        .write_size = 8 + argument, .read_size = 256, .flags = BINDERD_WR_NONBLOCK};
		thread_ioctl(thread, BINDER_WRITE_READ, &request, sizeof(request), false);
		break;
	}
	}
}

static void make_context_manager(struct client_world *world, uint8_t setup, uint8_t flags)
{
	size_t manager = ((setup >> SETUP_MANAGER_SHIFT) & 3u) % world->process_count;
	struct client_thread *thread = NULL;
	for (size_t i = 0; i < world->thread_count && !thread; i++)
		if (world->threads[i].process == manager)
			thread = &world->threads[i];
	if (!thread)
		return;
	if (setup & SETUP_MANAGER_EXT) {
		struct flat_binder_object object = {.hdr.type = BINDER_TYPE_BINDER};
		if (flags & MANAGER_ACCEPTS_FDS)
			object.flags |= FLAT_BINDER_FLAG_ACCEPTS_FDS;
		if (flags & MANAGER_SECURITY_CTX)
			object.flags |= FLAT_BINDER_FLAG_TXN_SECURITY_CTX;
		object.flags |= (flags >> 2) & 0x1fu & FLAT_BINDER_FLAG_PRIORITY_MASK;
		thread_ioctl(thread, BINDER_SET_CONTEXT_MGR_EXT, &object, sizeof(object), false);
	} else {
		int32_t unused = 0;
		thread_ioctl(thread, BINDER_SET_CONTEXT_MGR, &unused, sizeof(unused), false);
	}
}

static void play(struct client_world *world, struct cursor *cursor)
{
	for (int count = 0; count < MAX_OPERATIONS; count++) {
		uint8_t op;
		if (!take_u8(cursor, &op) || world->thread_count == 0)
			return;
		struct client_thread *thread = &world->threads[OP_THREAD(op) % world->thread_count];
		client_trace_printf("op %u on thread %zu\n", OP_KIND(op),
		                    (size_t)(thread - world->threads));
		switch (OP_KIND(op)) {
		case OP_ACKNOWLEDGE:
			acknowledge(world, thread);
			break;
		case OP_FREE_BUFFER: {
			uint8_t index = 0;
			take_u8(cursor, &index);
			free_buffer(world, thread, index);
			break;
		}
		case OP_CONTROL: {
			uint8_t byte = 0;
			take_u8(cursor, &byte);
			control(world, thread, byte);
			break;
		}
		case OP_CLOSE_THREAD:
			client_channel_close(&thread->channel);
			break;
		case OP_CLOSE_PROCESS:
			client_channel_close(&world->processes[thread->process].channel);
			break;
		default: {
			uint8_t flags = 0;
			take_u8(cursor, &flags);
			size_t length = take_u16(cursor);
			const uint8_t *stream = take_bytes(cursor, &length);
			uint32_t request_flags = 0;
			if (!(flags & WR_BLOCKING))
				request_flags |= BINDERD_WR_NONBLOCK;
			if (flags & WR_READ_CONSUMED)
				request_flags |= BINDERD_WR_READ_CONSUMED;
			thread_write_read(world, thread, stream, length,
			                  fuzz_read_size(flags >> WR_READ_SHIFT), request_flags,
			                  (flags >> WR_FD_COUNT_SHIFT) & 3u,
			                  (flags & WR_FORCE) != 0);
			break;
		}
		}
		world_pump(world);
	}
}

/* After the input: nothing of it may be left in binderd. */
static void check_clean(size_t fds_before)
{
	if (context.proc_count != 0)
		fuzz_fail("%zu processes left after all were released", context.proc_count);
	if (context.manager_node)
		fuzz_fail("the context manager node outlived every process");
	if (!TAILQ_EMPTY(&context.dead_nodes))
		fuzz_fail("dead nodes left after every process was released");
	if (wakeups_pending())
		fuzz_fail("wakeups pending for released threads");
	int events = event_base_get_num_events(binderd_event_base, EVENT_BASE_COUNT_ADDED);
	if (events != 0)
		fuzz_fail("%d events still registered after every process was released", events);
	size_t fds_after = count_open_fds();
	if (fds_after != fds_before)
		fuzz_fail("%zu fds open before the input, %zu after", fds_before, fds_after);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor cursor = {data, size, 0};
	uint8_t setup, manager_flags, area_code;
	if (!take_u8(&cursor, &setup) || !take_u8(&cursor, &manager_flags) ||
	    !take_u8(&cursor, &area_code))
		return -1; /* not worth keeping */
	size_t send_size = take_u16(&cursor);
	const uint8_t *send_area = take_bytes(&cursor, &send_size);

	size_t fds_before = count_open_fds();
	static struct client_world world;
	size_t process_count = (setup & SETUP_THREE_PROCESSES) ? 3 : 2;
	size_t threads_per_process = 1 + ((setup >> SETUP_THREADS_SHIFT) & 3u);
	int error =
	        world_start(&world, process_count, threads_per_process, fuzz_area_size(area_code),
	                    send_area, send_size, null_fd, (setup & SETUP_BAD_FD_NUMBERS) != 0,
	                    (manager_flags & SMALL_SOCKET_BUFFERS) != 0);
	if (error < 0)
		fuzz_fail("cannot set up the processes: %s", strerror(-error));
	world_pump(&world);
	if (!(setup & SETUP_NO_MANAGER)) {
		make_context_manager(&world, setup, manager_flags);
		world_pump(&world);
	}
	play(&world, &cursor);

	world_close(&world);
	world_pump(&world);
	proc_release_all();
	after_event();
	check_clean(fds_before);
	return 0;
}
