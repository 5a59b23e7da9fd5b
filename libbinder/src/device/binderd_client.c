/*
 * binderd_client.c - the binderd backend's process channel: "opening the
 * device" is connecting to binderd's socket and saying HELLO; the receive
 * area (the binder mmap), new thread channels and the security context
 * are requested on it. Requests on the process channel are serialised by
 * device->process_lock.
 */
#include "binderd_backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fd_arrays.h"
#include "socket_io.h"

static uint64_t last_generation;

void binderd_close_fds(const int *fds, unsigned count)
{
	unsigned i;

	for (i = 0; i < count; i++)
		close(fds[i]);
}

int binderd_receive_header(int socket, struct binderd_message *message, int *fds, unsigned max_fds,
                           unsigned *fd_count)
{
	return binder_socket_receive(socket, message, sizeof(*message), fds, max_fds, fd_count);
}

static int send_request(int socket, uint32_t op, uint64_t arg, const void *payload,
                        uint32_t payload_size, const int *fds, unsigned fd_count)
{
	struct binderd_request request = {
	        .op = op,
	        .payload_size = payload_size,
	        .arg = arg,
	        .fd_count = fd_count,
	};
	struct iovec iov[2] = {
	        {.iov_base = &request, .iov_len = sizeof(request)},
	        {.iov_base = (void *)payload, .iov_len = payload_size},
	};

	return binder_socket_send(socket, iov, payload_size ? 2 : 1, fds, fd_count);
}

/*
 * Reads a RESULT on the process channel: its payload (up to payload_size
 * bytes; *payload_size gets the size read) and up to max_fds fds. Returns
 * the result's status, or -errno if the channel failed.
 */
static int receive_result(int socket, void *payload, size_t *payload_size, int *fds,
                          unsigned max_fds, unsigned *fd_count)
{
	struct binderd_message message;
	int status;

	*fd_count = 0;
	status = binderd_receive_header(socket, &message, fds, max_fds, fd_count);
	if (status) {
		binderd_close_fds(fds, *fd_count);
		*fd_count = 0;
		return status == -EMSGSIZE ? -EPROTO : status;
	}
	if (message.kind != BINDERD_MSG_RESULT || message.payload_size > *payload_size) {
		binderd_close_fds(fds, *fd_count);
		*fd_count = 0;
		return -EPROTO;
	}
	status = binder_socket_receive(socket, payload, message.payload_size, NULL, 0, NULL);
	if (status) {
		binderd_close_fds(fds, *fd_count);
		*fd_count = 0;
		return status;
	}
	*payload_size = message.payload_size;
	return message.status;
}

/* A value binderd reads back to prove it can read our memory. */
static volatile uint64_t direct_read_probe;

static int say_hello(int socket, struct binder_device *device)
{
	struct binderd_hello_reply reply;
	struct binderd_hello hello;
	size_t reply_size = sizeof(reply);
	unsigned fd_count;
	int status;

	if (direct_read_probe == 0) {
		uint64_t value = 0;

		if (getentropy(&value, sizeof(value)) != 0 || value == 0)
			value = 0x9e3779b97f4a7c15u ^ (uint64_t)getpid();
		direct_read_probe = value;
	}
	hello.probe_address = (uint64_t)(uintptr_t)&direct_read_probe;
	hello.probe_value = direct_read_probe;
	status = send_request(socket, BINDERD_OP_HELLO, BINDERD_PROTOCOL_VERSION, &hello,
	                      sizeof(hello), NULL, 0);
	if (status)
		return status;
	status = receive_result(socket, &reply, &reply_size, NULL, 0, &fd_count);
	if (status)
		return status;
	if (reply_size != sizeof(reply) || reply.protocol_version != BINDERD_PROTOCOL_VERSION)
		return -EPROTO;
	/* BINDER_DIRECT_READS=0 in the environment keeps the send area for
	 * everything (for tests and measurements of that path);
	 * BINDER_INLINE_PAYLOADS=0 only stops inline payloads. */
	const char *setting = getenv("BINDER_DIRECT_READS");
	bool send_area_only = setting && strcmp(setting, "0") == 0;
	const char *inline_setting = getenv("BINDER_INLINE_PAYLOADS");
	device->direct_reads = (reply.flags & BINDERD_HELLO_DIRECT_READS) && !send_area_only;
	device->inline_payloads = (reply.flags & BINDERD_HELLO_INLINE_PAYLOADS) &&
	                          !send_area_only &&
	                          !(inline_setting && strcmp(inline_setting, "0") == 0);
	device->gather_reads = device->direct_reads && (reply.flags & BINDERD_HELLO_GATHER_READS);
	device->quiet_writes = (reply.flags & BINDERD_HELLO_QUIET_WRITES) != 0;
	device->hold_complete = (reply.flags & BINDERD_HELLO_HOLD_COMPLETE) != 0;
	device->kill_node = (reply.flags & BINDERD_HELLO_KILL_NODE) != 0;
	return 0;
}

int binderd_open(struct binder_device *device, const char *path)
{
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	size_t length = strlen(path);
	int fd, status;

	if (length >= sizeof(address.sun_path))
		return -ENAMETOOLONG;
	memcpy(address.sun_path, path, length + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
		status = -errno;
		close(fd);
		return status;
	}
	status = say_hello(fd, device);
	if (status) {
		close(fd);
		return status;
	}
	status = pthread_mutex_init(&device->process_lock, NULL);
	if (status) {
		close(fd);
		return -status;
	}
	status = pthread_mutex_init(&device->fd_arrays_lock, NULL);
	if (status) {
		pthread_mutex_destroy(&device->process_lock);
		close(fd);
		return -status;
	}
	device->fd = fd;
	device->generation = __atomic_add_fetch(&last_generation, 1, __ATOMIC_RELAXED);
	return 0;
}

int binderd_mmap(struct binder_device *device, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t reserved = (size + page - 1) & ~(page - 1);
	size_t mapped = reserved < BINDERD_MAX_AREA_SIZE ? reserved : BINDERD_MAX_AREA_SIZE;
	uint64_t address;
	size_t reply_size = 0;
	unsigned fd_count;
	void *area;
	int status, memfd = -1;

	if (reserved < size)
		return -ENOMEM;
	/* Reserve the address first: binderd reports buffers at it. */
	area = mmap(NULL, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		return -errno;
	address = (uintptr_t)area;

	pthread_mutex_lock(&device->process_lock);
	if (device->area) {
		status = -EBUSY;
	} else {
		status = send_request(device->fd, BINDERD_OP_MMAP, mapped, &address,
		                      sizeof(address), NULL, 0);
		if (!status)
			status =
			        receive_result(device->fd, NULL, &reply_size, &memfd, 1, &fd_count);
		if (!status && fd_count != 1)
			status = -EPROTO;
		if (!status &&
		    mmap(area, mapped, PROT_READ, MAP_SHARED | MAP_FIXED, memfd, 0) == MAP_FAILED)
			status = -errno;
		if (!status) {
			/* Like the kernel's VM_DONTCOPY binder mapping. */
			madvise(area, reserved, MADV_DONTFORK);
			device->area = area;
			device->mapped_size = mapped;
			device->reserved_size = reserved;
		}
	}
	pthread_mutex_unlock(&device->process_lock);
	if (memfd >= 0)
		close(memfd);
	if (status)
		munmap(area, reserved);
	return status;
}

int binderd_process_add_thread(struct binder_device *device, int channel_end)
{
	size_t reply_size = 0;
	unsigned fd_count;
	int status;

	pthread_mutex_lock(&device->process_lock);
	status = send_request(device->fd, BINDERD_OP_NEW_THREAD, (uint64_t)gettid(), NULL, 0,
	                      &channel_end, 1);
	if (!status)
		status = receive_result(device->fd, NULL, &reply_size, NULL, 0, &fd_count);
	pthread_mutex_unlock(&device->process_lock);
	return status;
}

int binderd_set_security_context(struct binder_device *device, const char *label, size_t length)
{
	size_t reply_size = 0;
	unsigned fd_count;
	int status;

	pthread_mutex_lock(&device->process_lock);
	status = send_request(device->fd, BINDERD_OP_SET_SECURITY_CONTEXT, 0, label,
	                      (uint32_t)length, NULL, 0);
	if (!status)
		status = receive_result(device->fd, NULL, &reply_size, NULL, 0, &fd_count);
	pthread_mutex_unlock(&device->process_lock);
	return status;
}

int binderd_kill_node(struct binder_device *device, uint64_t ptr, uint64_t cookie)
{
	size_t reply_size = 0;
	unsigned fd_count;
	int status;

	if (!device->kill_node)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&device->process_lock);
	status = send_request(device->fd, BINDERD_OP_KILL_NODE, ptr, &cookie, sizeof(cookie), NULL,
	                      0);
	if (!status)
		status = receive_result(device->fd, NULL, &reply_size, NULL, 0, &fd_count);
	pthread_mutex_unlock(&device->process_lock);
	return status;
}

int binderd_poll_fd(struct binder_device *device)
{
	struct binderd_thread *thread;
	int status = binderd_thread_get(device, &thread);

	if (status)
		return status;
	if (!thread->poll_armed) {
		thread->ever_polled = true;
		status = send_request(thread->fd, BINDERD_OP_POLL_ARM, 0, NULL, 0, NULL, 0);
		if (status)
			return status;
		thread->poll_armed = true;
	}
	return thread->fd;
}

void binderd_close(struct binder_device *device)
{
	bool own = binder_device_is_own(device);

	binderd_thread_close_all(device, own);
	/* In a fork child the area is not mapped (MADV_DONTFORK). */
	if (device->area && own)
		munmap(device->area, device->reserved_size);
	device->area = NULL;
	if (device->fd >= 0)
		close(device->fd);
	device->fd = -1;
	binder_fd_arrays_forget(device);
	if (own) {
		pthread_mutex_destroy(&device->process_lock);
		pthread_mutex_destroy(&device->fd_arrays_lock);
	}
}
