/*
 * fake_client.c - the client side of <binderd/socket_protocol.h> for the
 * fuzzer: binder processes on socketpairs whose other ends go to binderd's
 * proc_accept, requests sent on their channels, answers read back and
 * checked (see fake_client.h).
 */
#include "fake_client.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "binderd.h"
#include "binderd/socket_protocol.h"

/* Where each process says it mapped its receive area. */
#define USER_BASE_FIRST 0x7f0000000000ull
#define USER_BASE_STEP  0x10000000ull

/* Rounds of binderd's loop one pump may run. */
#define PUMP_MAX_ROUNDS 2000

bool client_trace;

void client_trace_printf(const char *format, ...)
{
	if (!client_trace)
		return;
	va_list args;
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
}

void fuzz_fail(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	fprintf(stderr, "fuzz_binderd: ");
	vfprintf(stderr, format, args);
	fprintf(stderr, "\n");
	va_end(args);
	abort();
}

static void channel_init(struct client_channel *channel, int fd)
{
	memset(channel, 0, sizeof(*channel));
	channel->fd = fd;
}

void client_channel_close(struct client_channel *channel)
{
	if (channel->fd >= 0)
		close(channel->fd);
	channel->fd = -1;
	for (size_t i = 0; i < channel->received_fd_count; i++)
		close(channel->received_fds[i]);
	channel->received_fd_count = 0;
	free(channel->input);
	channel->input = NULL;
	channel->input_length = channel->input_capacity = 0;
}

/* Sends a header and up to two payload parts with fds; a request that
 * cannot go out whole closes the channel (it would be torn). */
static bool send_request(struct client_channel *channel, uint32_t op, uint64_t arg,
                         const void *first, size_t first_size, const void *second,
                         size_t second_size, const int *fds, size_t fd_count)
{
	if (channel->fd < 0)
		return false;
	struct binderd_request header = {
	        .op = op,
	        .payload_size = (uint32_t)(first_size + second_size),
	        .arg = arg,
	        .fd_count = (uint32_t)fd_count,
	};
	struct iovec iov[3] = {
	        {&header, sizeof(header)},
	        {(void *)first, first_size},
	        {(void *)second, second_size},
	};
	union {
		char buffer[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} control;
	struct msghdr message = {.msg_iov = iov, .msg_iovlen = 3};
	if (fd_count > 4)
		fuzz_fail("harness bug: %zu fds in one request", fd_count);
	if (fd_count > 0) {
		message.msg_control = control.buffer;
		message.msg_controllen = CMSG_SPACE(sizeof(int) * fd_count);
		struct cmsghdr *cmsg = CMSG_FIRSTHDR(&message);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fd_count);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * fd_count);
	}
	ssize_t sent;
	do
		sent = sendmsg(channel->fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (sent < 0 && errno == EINTR);
	if (sent != (ssize_t)(sizeof(header) + first_size + second_size)) {
		client_channel_close(channel);
		return false;
	}
	return true;
}

long channel_send_raw_fds(struct client_channel *channel, const void *bytes, size_t size,
                          const int *fds, size_t fd_count, bool oob)
{
	if (channel->fd < 0)
		return -EPIPE;
	if (fd_count > CLIENT_MAX_RAW_FDS)
		fuzz_fail("harness bug: %zu fds in one message", fd_count);
	size_t in_band = oob && size > 0 ? size - 1 : size;
	struct iovec iov = {(void *)bytes, in_band};
	union {
		char buffer[CMSG_SPACE(sizeof(int) * CLIENT_MAX_RAW_FDS)];
		struct cmsghdr align;
	} control;
	struct msghdr message = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd_count > 0) {
		message.msg_control = control.buffer;
		message.msg_controllen = CMSG_SPACE(sizeof(int) * fd_count);
		struct cmsghdr *cmsg = CMSG_FIRSTHDR(&message);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fd_count);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * fd_count);
	}
	ssize_t sent = 0;
	if (in_band > 0 || fd_count > 0)
		sent = sendmsg(channel->fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (sent < 0)
		return -errno;
	if ((size_t)sent == in_band && in_band < size) {
		/* AF_UNIX stream sockets take one byte out of band (Linux 5.15). */
		ssize_t urgent = send(channel->fd, (const uint8_t *)bytes + in_band, 1,
		                      MSG_NOSIGNAL | MSG_DONTWAIT | MSG_OOB);
		if (urgent > 0)
			sent += urgent;
	}
	return (long)sent;
}

bool channel_send_raw(struct client_channel *channel, const void *bytes, size_t size)
{
	if (channel->fd < 0)
		return false;
	ssize_t sent = send(channel->fd, bytes, size, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (sent != (ssize_t)size) {
		client_channel_close(channel);
		return false;
	}
	return true;
}

static size_t area_bytes(size_t requested)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t mapped = (requested + page - 1) & ~(page - 1);
	if (mapped > BINDERD_MAX_AREA_SIZE)
		mapped = BINDERD_MAX_AREA_SIZE;
	return requested < mapped ? requested : mapped;
}

/* With small_socket_buffers, binderd's end can hold little unread output,
 * so that its answers go out in pieces (its output queue). */
static int make_pair(const struct client_world *world, const struct client_process *process,
                     int pair[2])
{
	/* The connection's credentials (SO_PEERCRED) are the creator's: with
	 * another euid, binderd sees another user. Only root can switch. */
	bool switched = process->other_euid && geteuid() == 0 && seteuid(process->euid) == 0;
	int made = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair);
	int error = errno;
	if (switched && seteuid(0) < 0)
		fuzz_fail("cannot become root again: %s", strerror(errno));
	if (made < 0)
		return -error;
	if (world->small_socket_buffers) {
		int size = 1; /* the kernel raises it to its minimum */
		setsockopt(pair[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	}
	return 0;
}

/* Gives binderd one end of a new socketpair; returns ours or -errno. */
static int connect_process(const struct client_world *world, const struct client_process *process)
{
	int pair[2];
	int error = make_pair(world, process, pair);
	if (error < 0)
		return error;
	size_t before = binderd_device.proc_count;
	proc_accept(pair[1]);
	if (binderd_device.proc_count != before + 1) {
		close(pair[0]);
		return -ECONNREFUSED;
	}
	int flags = fcntl(pair[0], F_GETFL);
	fcntl(pair[0], F_SETFL, flags | O_NONBLOCK);
	return pair[0];
}

int world_add_thread(struct client_world *world, size_t process_index)
{
	struct client_process *process = &world->processes[process_index];
	if (world->thread_count >= FUZZ_MAX_THREADS || process->channel.fd < 0)
		return -EMFILE;
	int pair[2];
	int error = make_pair(world, process, pair);
	if (error < 0)
		return error;
	/* binderd checks the sender of each request on the thread channels of
	 * a process with direct reads; our requests may go out before binderd
	 * asks for credentials on its end, so attach them from ours. */
	int on = 1;
	if (process->offers_direct_reads &&
	    setsockopt(pair[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0)
		fuzz_fail("SO_PASSCRED: %s", strerror(errno));
	bool sent = send_request(&process->channel, BINDERD_OP_NEW_THREAD,
	                         (uint64_t)world->thread_count, NULL, 0, NULL, 0, &pair[1], 1);
	close(pair[1]);
	if (!sent) {
		close(pair[0]);
		return -EPIPE;
	}
	int flags = fcntl(pair[0], F_GETFL);
	fcntl(pair[0], F_SETFL, flags | O_NONBLOCK);
	size_t index = world->thread_count++;
	struct client_thread *thread = &world->threads[index];
	memset(thread, 0, sizeof(*thread));
	channel_init(&thread->channel, pair[0]);
	thread->process = process_index;
	if (world->send_area_fd >= 0)
		send_request(&thread->channel, BINDERD_OP_SEND_AREA, 0, NULL, 0, NULL, 0,
		             &world->send_area_fd, 1);
	return (int)index;
}

int world_adopt_thread(struct client_world *world, size_t process, int fd)
{
	if (world->thread_count >= FUZZ_MAX_THREADS)
		return -EMFILE;
	int flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	size_t index = world->thread_count++;
	struct client_thread *thread = &world->threads[index];
	memset(thread, 0, sizeof(*thread));
	channel_init(&thread->channel, fd);
	thread->process = process;
	thread->desynced = true;
	return (int)index;
}

static int make_send_area(const uint8_t *contents, size_t size)
{
	int fd = memfd_create("fuzz-send-area", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	size_t written = 0;
	while (written < size) {
		ssize_t got = write(fd, contents + written, size - written);
		if (got <= 0) {
			close(fd);
			return -EIO;
		}
		written += (size_t)got;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

int world_init(struct client_world *world, const uint8_t *send_area, size_t send_area_size,
               int attach_fd, bool bad_fd_numbers, bool small_socket_buffers)
{
	memset(world, 0, sizeof(*world));
	world->small_socket_buffers = small_socket_buffers;
	world->attach_fd = attach_fd;
	world->bad_fd_numbers = bad_fd_numbers;
	world->send_area_fd = -1;
	for (size_t i = 0; i < CLIENT_MAX_PROCESSES; i++)
		channel_init(&world->processes[i].channel, -1);
	if (send_area_size > 0) {
		world->send_area_fd = make_send_area(send_area, send_area_size);
		if (world->send_area_fd < 0)
			return world->send_area_fd;
	}
	return 0;
}

/* What binderd probes when a process offers direct reads. */
static uint64_t direct_read_probe = 0x6469726563742121ull;

/* Address space for the receive area, mapped when binderd's memfd comes. */
static int reserve_area(struct client_process *process, size_t requested)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t size = requested < BINDERD_MAX_AREA_SIZE ? requested : BINDERD_MAX_AREA_SIZE;
	size = (size + page - 1) & ~(page - 1);
	if (size == 0)
		size = page;
	void *reserved = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (reserved == MAP_FAILED)
		return -errno;
	process->mapping = reserved;
	process->mapping_size = size;
	process->user_base = (uint64_t)(uintptr_t)reserved;
	return 0;
}

int world_add_process(struct client_world *world, const struct client_process_config *config)
{
	if (world->process_count >= CLIENT_MAX_PROCESSES)
		return -EMFILE;
	size_t index = world->process_count;
	struct client_process *process = &world->processes[index];
	memset(process, 0, sizeof(*process));
	channel_init(&process->channel, -1);
	process->deaf = config->deaf;
	process->offers_direct_reads = config->direct_reads;
	process->other_euid = config->other_euid;
	process->euid = config->euid;
	process->user_base = USER_BASE_FIRST + USER_BASE_STEP * index;
	process->area_size = area_bytes(config->area_size);
	if (config->map_area) {
		int error = reserve_area(process, config->area_size);
		if (error < 0)
			return error;
	}
	int fd = connect_process(world, process);
	if (fd < 0) {
		if (process->mapping)
			munmap(process->mapping, process->mapping_size);
		process->mapping = NULL;
		return fd;
	}
	channel_init(&process->channel, fd);
	world->process_count++;
	if (config->connect_only)
		return (int)index;
	uint64_t user_base = process->user_base;
	struct binderd_hello hello = {
	        .probe_address = (uint64_t)(uintptr_t)&direct_read_probe,
	        .probe_value = direct_read_probe,
	};
	if (!send_request(&process->channel, BINDERD_OP_HELLO, BINDERD_PROTOCOL_VERSION, &hello,
	                  config->direct_reads ? sizeof(hello) : 0, NULL, 0, NULL, 0) ||
	    !send_request(&process->channel, BINDERD_OP_MMAP, config->area_size, &user_base,
	                  sizeof(user_base), NULL, 0, NULL, 0))
		return -EPIPE;
	for (size_t t = 0; t < config->threads; t++) {
		int thread = world_add_thread(world, index);
		if (thread < 0)
			return thread;
	}
	return (int)index;
}

int world_start(struct client_world *world, size_t process_count, size_t threads_per_process,
                size_t area_size, const uint8_t *send_area, size_t send_area_size, int attach_fd,
                bool bad_fd_numbers, bool small_socket_buffers)
{
	int error = world_init(world, send_area, send_area_size, attach_fd, bad_fd_numbers,
	                       small_socket_buffers);
	if (error < 0)
		return error;
	struct client_process_config config = {
	        .area_size = area_size,
	        .threads = threads_per_process,
	};
	if (process_count > CLIENT_MAX_PROCESSES)
		process_count = CLIENT_MAX_PROCESSES;
	for (size_t i = 0; i < process_count; i++) {
		int index = world_add_process(world, &config);
		if (index < 0)
			return index;
	}
	return 0;
}

bool thread_write_read(struct client_world *world, struct client_thread *thread,
                       const uint8_t *stream, size_t size, size_t read_size, uint32_t flags,
                       size_t fd_count, bool force)
{
	if (thread->channel.fd < 0)
		return false;
	if (thread->awaiting != AWAIT_NOTHING) {
		if (!force)
			return false;
		thread->desynced = true;
	}
	struct binderd_write_read request = {
	        .write_size = size,
	        .read_size = read_size,
	        .flags = flags,
	};
	int fds[4];
	if (fd_count > 4)
		fd_count = 4;
	for (size_t i = 0; i < fd_count; i++)
		fds[i] = world->attach_fd;
	if (!send_request(&thread->channel, BINDERD_OP_IOCTL, BINDER_WRITE_READ, &request,
	                  sizeof(request), stream, size, fds, fd_count))
		return false;
	thread->awaiting = AWAIT_WRITE_READ;
	thread->write_size = size;
	thread->read_size = read_size;
	return true;
}

bool thread_ioctl(struct client_thread *thread, uint64_t command, const void *argument, size_t size,
                  bool force)
{
	if (thread->channel.fd < 0)
		return false;
	if (thread->awaiting != AWAIT_NOTHING) {
		if (!force)
			return false;
		thread->desynced = true;
	}
	if (!send_request(&thread->channel, BINDERD_OP_IOCTL, command, argument, size, NULL, 0,
	                  NULL, 0))
		return false;
	thread->awaiting = AWAIT_OTHER_IOCTL;
	return true;
}

bool thread_poll_arm(struct client_thread *thread)
{
	if (thread->awaiting != AWAIT_NOTHING)
		return false;
	return send_request(&thread->channel, BINDERD_OP_POLL_ARM, 0, NULL, 0, NULL, 0, NULL, 0);
}

/* ---- answers ---- */

static void remember_buffer(struct client_process *process, binder_uintptr_t address)
{
	if (process->buffer_count < CLIENT_MAX_REMEMBERED)
		process->buffers[process->buffer_count++] = address;
}

static void remember_ack(struct client_process *process, uint32_t cmd,
                         const struct binder_ptr_cookie *target)
{
	if (process->ack_count < CLIENT_MAX_REMEMBERED) {
		process->acks[process->ack_count].cmd = cmd;
		process->acks[process->ack_count].target = *target;
		process->ack_count++;
	}
}

static void remember_death(struct client_process *process, binder_uintptr_t cookie)
{
	if (process->death_count < CLIENT_MAX_REMEMBERED)
		process->deaths[process->death_count++] = cookie;
}

static size_t return_size(uint32_t cmd, bool *known)
{
	*known = true;
	switch (cmd) {
	case BR_ERROR:
	case BR_TRANSACTION_SEC_CTX:
	case BR_TRANSACTION:
	case BR_REPLY:
	case BR_DEAD_REPLY:
	case BR_TRANSACTION_COMPLETE:
	case BR_INCREFS:
	case BR_ACQUIRE:
	case BR_RELEASE:
	case BR_DECREFS:
	case BR_NOOP:
	case BR_SPAWN_LOOPER:
	case BR_DEAD_BINDER:
	case BR_CLEAR_DEATH_NOTIFICATION_DONE:
	case BR_FAILED_REPLY:
		return _IOC_SIZE(cmd);
	default:
		*known = false;
		return 0;
	}
}

static const char *return_name(uint32_t cmd)
{
	switch (cmd) {
	case BR_ERROR:
		return "BR_ERROR";
	case BR_TRANSACTION_SEC_CTX:
		return "BR_TRANSACTION_SEC_CTX";
	case BR_TRANSACTION:
		return "BR_TRANSACTION";
	case BR_REPLY:
		return "BR_REPLY";
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
	case BR_NOOP:
		return "BR_NOOP";
	case BR_SPAWN_LOOPER:
		return "BR_SPAWN_LOOPER";
	case BR_DEAD_BINDER:
		return "BR_DEAD_BINDER";
	case BR_CLEAR_DEATH_NOTIFICATION_DONE:
		return "BR_CLEAR_DEATH_NOTIFICATION_DONE";
	case BR_FAILED_REPLY:
		return "BR_FAILED_REPLY";
	default:
		return "?";
	}
}

/* A delivered buffer must lie inside the receiver's area. */
static void check_transaction(const struct client_process *process,
                              const struct binder_transaction_data *tr)
{
	uint64_t start = process->user_base;
	uint64_t end = start + process->area_size;
	uint64_t data = tr->data.ptr.buffer;
	uint64_t data_end = data + ((tr->data_size + 7u) & ~(uint64_t)7u);
	if (data < start || data >= end || tr->data_size > end - data ||
	    tr->offsets_size > end - data || data_end > end || tr->offsets_size > end - data_end ||
	    tr->data.ptr.offsets != data_end)
		fuzz_fail("buffer outside the receive area: data %#llx+%llu offsets %#llx+%llu, "
		          "area %#llx+%zu",
		          (unsigned long long)data, (unsigned long long)tr->data_size,
		          (unsigned long long)tr->data.ptr.offsets,
		          (unsigned long long)tr->offsets_size, (unsigned long long)start,
		          process->area_size);
}

/* Walks the BR_* stream of a read, checking and remembering. */
static void parse_read(struct client_world *world, struct client_thread *thread,
                       const uint8_t *bytes, size_t size)
{
	struct client_process *process = &world->processes[thread->process];
	size_t position = 0;
	while (position < size) {
		uint32_t cmd;
		if (size - position < sizeof(cmd))
			fuzz_fail("read ends inside a command (%zu bytes left)", size - position);
		memcpy(&cmd, bytes + position, sizeof(cmd));
		position += sizeof(cmd);
		bool known;
		size_t argument_size = return_size(cmd, &known);
		if (!known)
			fuzz_fail("binderd returned an unknown command %#x", cmd);
		if (size - position < argument_size)
			fuzz_fail("read ends inside the argument of %#x", cmd);
		const uint8_t *argument = bytes + position;
		position += argument_size;
		client_trace_printf("  thread %zu read %s\n", (size_t)(thread - world->threads),
		                    return_name(cmd));
		switch (cmd) {
		case BR_TRANSACTION:
		case BR_TRANSACTION_SEC_CTX:
		case BR_REPLY: {
			struct binder_transaction_data tr;
			memcpy(&tr, argument, sizeof(tr));
			check_transaction(process, &tr);
			remember_buffer(process, tr.data.ptr.buffer);
			break;
		}
		case BR_INCREFS:
		case BR_ACQUIRE: {
			struct binder_ptr_cookie target;
			memcpy(&target, argument, sizeof(target));
			remember_ack(process, cmd == BR_INCREFS ? BC_INCREFS_DONE : BC_ACQUIRE_DONE,
			             &target);
			break;
		}
		case BR_DEAD_BINDER: {
			binder_uintptr_t cookie;
			memcpy(&cookie, argument, sizeof(cookie));
			remember_death(process, cookie);
			break;
		}
		default:
			break;
		}
	}
}

static void answer_fd_install(struct client_world *world, struct client_thread *thread,
                              const int *fds, size_t count)
{
	int32_t numbers[BINDERD_MAX_FDS_PER_MESSAGE];
	for (size_t i = 0; i < count; i++)
		numbers[i] = fds[i];
	size_t answered = count;
	if (world->bad_fd_numbers && count > 0)
		numbers[0] = -1;
	send_request(&thread->channel, BINDERD_OP_FD_NUMBERS, 0, numbers,
	             answered * sizeof(int32_t), NULL, 0, NULL, 0);
}

static void thread_message(struct client_world *world, struct client_thread *thread,
                           const struct binderd_message *message, const uint8_t *payload,
                           const int *fds)
{
	switch (message->kind) {
	case BINDERD_MSG_FD_INSTALL:
		client_trace_printf("  thread %zu installs %u fds\n",
		                    (size_t)(thread - world->threads), message->fd_count);
		answer_fd_install(world, thread, fds, message->fd_count);
		return;
	case BINDERD_MSG_WAKEUP:
		return;
	case BINDERD_MSG_RESULT:
		break;
	default:
		fuzz_fail("unknown message kind %u on a thread channel", message->kind);
	}
	enum client_awaiting awaiting = thread->awaiting;
	thread->awaiting = AWAIT_NOTHING;
	client_trace_printf("  thread %zu result %d (%u bytes)\n",
	                    (size_t)(thread - world->threads), message->status,
	                    message->payload_size);
	if (thread->desynced)
		return;
	if (awaiting == AWAIT_NOTHING)
		fuzz_fail("a result nobody asked for (status %d)", message->status);
	if (awaiting != AWAIT_WRITE_READ)
		return;
	if (message->payload_size == 0) {
		if (message->status >= 0)
			fuzz_fail("BINDER_WRITE_READ succeeded without a result");
		return;
	}
	struct binderd_write_read_result result;
	if (message->payload_size < sizeof(result))
		fuzz_fail("short BINDER_WRITE_READ result (%u bytes)", message->payload_size);
	memcpy(&result, payload, sizeof(result));
	if (result.read_size != message->payload_size - sizeof(result))
		fuzz_fail("read_size %llu but %zu bytes follow",
		          (unsigned long long)result.read_size,
		          message->payload_size - sizeof(result));
	if (result.write_consumed > thread->write_size)
		fuzz_fail("write_consumed %llu of a %llu-byte write",
		          (unsigned long long)result.write_consumed,
		          (unsigned long long)thread->write_size);
	if (result.read_size > thread->read_size || result.read_size > BINDERD_MAX_READ_SIZE)
		fuzz_fail("read %llu bytes into a %llu-byte buffer",
		          (unsigned long long)result.read_size,
		          (unsigned long long)thread->read_size);
	parse_read(world, thread, payload + sizeof(result), (size_t)result.read_size);
}

static void process_message(struct client_process *process, const struct binderd_message *message,
                            const uint8_t *payload, const int *fds)
{
	if (message->kind != BINDERD_MSG_RESULT)
		fuzz_fail("message kind %u on a process channel", message->kind);
	if (message->status == 0 && message->payload_size == sizeof(struct binderd_hello_reply)) {
		struct binderd_hello_reply hello;
		memcpy(&hello, payload, sizeof(hello));
		if (hello.pid != getpid())
			fuzz_fail("hello says pid %d, SO_PEERCRED says %d", hello.pid, getpid());
		process->direct_reads = (hello.flags & BINDERD_HELLO_DIRECT_READS) != 0;
		client_trace_printf("  process %#llx: %s\n", (unsigned long long)process->user_base,
		                    process->direct_reads ? "direct reads" : "send areas");
	}
	/* The receive area (BINDERD_OP_MMAP's answer): map it where we said. */
	if (message->status == 0 && message->fd_count == 1 && process->mapping &&
	    !process->mapped) {
		void *mapped = mmap(process->mapping, process->mapping_size, PROT_READ,
		                    MAP_SHARED | MAP_FIXED, fds[0], 0);
		if (mapped == MAP_FAILED)
			fuzz_fail("cannot map the receive area: %s", strerror(errno));
		process->mapped = true;
	}
}

/* Reads what is there; returns true if anything arrived. Calls on_message
 * for each whole message with its fds, then closes those fds. */
static bool channel_receive(struct client_world *world, struct client_channel *channel,
                            struct client_thread *thread, struct client_process *process)
{
	bool progress = false;
	while (channel->fd >= 0) {
		if (channel->input_capacity - channel->input_length < 65536) {
			size_t capacity = channel->input_capacity * 2 + 65536;
			uint8_t *bigger = realloc(channel->input, capacity);
			if (!bigger)
				fuzz_fail("out of memory");
			channel->input = bigger;
			channel->input_capacity = capacity;
		}
		union {
			char buffer[CMSG_SPACE(sizeof(int) * BINDERD_MAX_FDS_PER_MESSAGE)];
			struct cmsghdr align;
		} control;
		struct iovec iov = {channel->input + channel->input_length,
		                    channel->input_capacity - channel->input_length};
		struct msghdr message = {.msg_iov = &iov,
		                         .msg_iovlen = 1,
		                         .msg_control = control.buffer,
		                         .msg_controllen = sizeof(control.buffer)};
		ssize_t got = recvmsg(channel->fd, &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			break;
		if (got <= 0) {
			client_channel_close(channel);
			return true;
		}
		progress = true;
		for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&message); cmsg;
		     cmsg = CMSG_NXTHDR(&message, cmsg)) {
			if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
				continue;
			size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int *received = (int *)(void *)CMSG_DATA(cmsg);
			for (size_t i = 0; i < count; i++) {
				if (channel->received_fd_count < CLIENT_MAX_RECEIVED_FDS)
					channel->received_fds[channel->received_fd_count++] =
					        received[i];
				else
					fuzz_fail("binderd sent more fds than announced");
			}
		}
		if (message.msg_flags & MSG_CTRUNC)
			fuzz_fail("binderd sent more than %u fds at once",
			          BINDERD_MAX_FDS_PER_MESSAGE);
		channel->input_length += (size_t)got;

		size_t position = 0;
		while (channel->fd >= 0 &&
		       channel->input_length - position >= sizeof(struct binderd_message)) {
			struct binderd_message header;
			memcpy(&header, channel->input + position, sizeof(header));
			size_t total = sizeof(header) + header.payload_size;
			if (header.payload_size >
			    sizeof(struct binderd_write_read_result) + BINDERD_MAX_READ_SIZE)
				fuzz_fail("message of %u bytes", header.payload_size);
			if (header.fd_count > BINDERD_MAX_FDS_PER_MESSAGE)
				fuzz_fail("message with %u fds", header.fd_count);
			if (channel->input_length - position < total)
				break;
			if (header.fd_count > channel->received_fd_count)
				fuzz_fail("message announces %u fds, %zu arrived", header.fd_count,
				          channel->received_fd_count);
			int fds[BINDERD_MAX_FDS_PER_MESSAGE];
			memcpy(fds, channel->received_fds, header.fd_count * sizeof(int));
			channel->received_fd_count -= header.fd_count;
			memmove(channel->received_fds, channel->received_fds + header.fd_count,
			        channel->received_fd_count * sizeof(int));
			const uint8_t *payload = channel->input + position + sizeof(header);
			if (thread)
				thread_message(world, thread, &header, payload, fds);
			else
				process_message(process, &header, payload, fds);
			for (size_t i = 0; i < header.fd_count; i++)
				close(fds[i]);
			position += total;
		}
		if (channel->fd >= 0 && position > 0) {
			memmove(channel->input, channel->input + position,
			        channel->input_length - position);
			channel->input_length -= position;
		}
	}
	return progress;
}

/* Bytes we sent that binderd has not read yet. */
static bool unread_by_binderd(const struct client_channel *channel)
{
	int queued = 0;
	if (channel->fd < 0 || ioctl(channel->fd, SIOCOUTQ, &queued) < 0)
		return false;
	return queued > 0;
}

void world_pump(struct client_world *world)
{
	int idle_rounds = 0;
	for (int round = 0; round < PUMP_MAX_ROUNDS && idle_rounds < 2; round++) {
		event_base_loop(binderd_event_base, EVLOOP_NONBLOCK);
		bool progress = false;
		for (size_t i = 0; i < world->process_count; i++) {
			struct client_process *process = &world->processes[i];
			progress |= channel_receive(world, &process->channel, NULL, process);
			progress |= unread_by_binderd(&process->channel);
		}
		for (size_t i = 0; i < world->thread_count; i++) {
			struct client_thread *thread = &world->threads[i];
			if (world->processes[thread->process].deaf)
				continue;
			progress |= channel_receive(world, &thread->channel, thread, NULL);
			progress |= unread_by_binderd(&thread->channel);
		}
		idle_rounds = progress ? 0 : idle_rounds + 1;
	}
}

void world_close(struct client_world *world)
{
	for (size_t i = 0; i < world->thread_count; i++)
		client_channel_close(&world->threads[i].channel);
	for (size_t i = 0; i < CLIENT_MAX_PROCESSES; i++) {
		struct client_process *process = &world->processes[i];
		client_channel_close(&process->channel);
		if (process->mapping)
			munmap(process->mapping, process->mapping_size);
		process->mapping = NULL;
		process->mapped = false;
	}
	if (world->send_area_fd >= 0)
		close(world->send_area_fd);
	world->send_area_fd = -1;
}
