/*
 * fuzz_ops.c - the operations of a binderd fuzz input (fuzz_input.h) played
 * on a world of fake clients: BINDER_WRITE_READ with fuzzed BC_* streams,
 * acknowledgements, frees, other ioctls, malformed requests, thread and
 * process deaths. Shared by the write-stream and the processes targets.
 */
#include "fuzz_ops.h"

#include <string.h>

#include "binderd.h"
#include "binderd/socket_protocol.h"

/* Most operations one input plays. */
#define MAX_OPERATIONS 512

/* Default read size for the harness's own requests. */
#define ACK_READ_SIZE 256

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
 * context binderd must refuse as -EINVAL, whatever the caller's uid;
 * variant 7 with bit 3 set: not refused as such, a kill of one of the
 * process's nodes: ptr 0 / cookie 0 (the context manager's, refused) or
 * the seeds' 0x1000 / 0x2000, which may exist). */
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
		if (!(variant & 8u)) {
			request.op = BINDERD_OP_FD_NUMBERS; /* not for a process */
			break;
		}
		request.op = BINDERD_OP_KILL_NODE;
		request.arg = variant & 16u ? 0x1000 : 0;
		user_base = variant & 32u ? 0x2000 : 0; /* the cookie */
		request.payload_size = sizeof(user_base);
		size += sizeof(user_base);
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

void make_context_manager(struct client_world *world, size_t manager, bool extended, uint8_t flags)
{
	manager %= world->process_count;
	struct client_thread *thread = NULL;
	for (size_t i = 0; i < world->thread_count && !thread; i++)
		if (world->threads[i].process == manager)
			thread = &world->threads[i];
	if (!thread)
		return;
	if (extended) {
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

void play(struct client_world *world, struct cursor *cursor)
{
	static uint8_t adjusted[UINT16_MAX];
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
			if (world->adjust_stream && length > 0) {
				memcpy(adjusted, stream, length);
				world->adjust_stream(world, thread, adjusted, length);
				stream = adjusted;
			}
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
