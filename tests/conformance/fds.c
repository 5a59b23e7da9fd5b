/*
 * fds.c - conformance of file descriptors in transactions: BINDER_TYPE_FD
 * is installed in the receiver (close-on-exec, same open file), only for
 * nodes that accept fds (FLAT_BINDER_FLAG_ACCEPTS_FDS) or replies to calls
 * with TF_ACCEPT_FDS; BINDER_TYPE_FDA entries in a parent buffer are
 * installed too and closed again when the buffer is freed.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int make_file(const char *content)
{
	int fd = memfd_create("conformance", MFD_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(write(fd, content, strlen(content)) == (ssize_t)strlen(content));
	return fd;
}

/* CHECKs that fd is an open, close-on-exec file with this content and inode. */
static void check_received_file(int fd, const char *content, ino_t inode)
{
	char buffer[64] = {0};
	CHECKF(fd >= 0, "received fd %d", fd);
	int flags = fcntl(fd, F_GETFD);
	CHECKF(flags >= 0, "received fd %d is not open: %s", fd, strerror(errno));
	CHECKF(flags & FD_CLOEXEC, "received fd %d is not close-on-exec", fd);
	CHECK(pread(fd, buffer, sizeof(buffer) - 1, 0) == (ssize_t)strlen(content));
	CHECKF(strcmp(buffer, content) == 0, "received file says '%s'", buffer);
	struct stat status;
	CHECK(fstat(fd, &status) == 0);
	CHECKF(status.st_ino == inode, "received another file (inode %lu, sent %lu)",
	       (unsigned long)status.st_ino, (unsigned long)inode);
}

static ino_t inode_of(int fd)
{
	struct stat status;
	CHECK(fstat(fd, &status) == 0);
	return status.st_ino;
}

struct fd_message {
	struct binder_fd_object object;
	uint64_t inode;
};

static struct fd_message fd_message(int fd)
{
	struct fd_message message;
	memset(&message, 0, sizeof(message));
	message.object.hdr.type = BINDER_TYPE_FD;
	message.object.fd = fd;
	message.object.cookie = 0x77;
	message.inode = inode_of(fd);
	return message;
}

struct fd_service_arguments {
	struct channel channel;
	bool accept_fds;
};

static int fd_service(void *argument)
{
	struct fd_service_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	if (arguments->accept_fds)
		become_context_manager_ext(&service, 0, 0, FLAT_BINDER_FLAG_ACCEPTS_FDS);
	else
		become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	if (!arguments->accept_fds) {
		/* The refused call never arrives. */
		CHECK(hear_from_parent(&arguments->channel) == 2);
		expect_nothing(&service, QUIET_MS);
		client_close(&service);
		return 0;
	}
	struct br_event event;
	expect_transaction(&service, &event);
	CHECK(event.txn.data_size == sizeof(struct fd_message));
	const struct fd_message *message = event_data(&service, &event);
	CHECK(event.txn.offsets_size == sizeof(binder_size_t));
	CHECK(event_offsets(&service, &event)[0] == 0);
	CHECKF(message->object.hdr.type == BINDER_TYPE_FD, "type 0x%x", message->object.hdr.type);
	CHECK(message->object.cookie == 0x77);
	int fd = (int)message->object.fd;
	check_received_file(fd, "fd-payload", message->inode);
	reply_and_free(&service, &event, NULL, 0, NULL, 0);
	/* A single fd stays the receiver's after BC_FREE_BUFFER. */
	CHECKF(fcntl(fd, F_GETFD) >= 0, "fd %d closed by BC_FREE_BUFFER", fd);
	close(fd);
	client_close(&service);
	return 0;
}

Test(fds, fd_is_installed_in_receiver, .timeout = TEST_TIMEOUT)
{
	struct fd_service_arguments arguments = {.accept_fds = true};
	channel_open(&arguments.channel);
	pid_t service = spawn_child(fd_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	int fd = make_file("fd-payload");
	struct fd_message message = fd_message(fd);
	binder_size_t offset = 0;
	struct call_result result = call(&client, 0, 1, 0, &message, sizeof(message), &offset, 1);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	free_buffer(&client, &result.reply);
	/* The sender keeps its own fd. */
	CHECK(fcntl(fd, F_GETFD) >= 0);
	close(fd);
	expect_child_success(service);
	client_close(&client);
}

Test(fds, fd_refused_by_node_without_accept_fds, .timeout = TEST_TIMEOUT)
{
	struct fd_service_arguments arguments = {.accept_fds = false};
	channel_open(&arguments.channel);
	pid_t service = spawn_child(fd_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	int fd = make_file("fd-payload");
	struct fd_message message = fd_message(fd);
	binder_size_t offset = 0;
	struct call_result result = call(&client, 0, 1, 0, &message, sizeof(message), &offset, 1);
	CHECKF(result.cmd == BR_FAILED_REPLY, "got %s", br_name(result.cmd));
	CHECK(!result.saw_complete);
	tell_child(&arguments.channel, 2);
	close(fd);
	expect_child_success(service);
	client_close(&client);
}

static int fd_reply_service(void *argument)
{
	struct fd_service_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	int fd = make_file("from-the-service");
	struct fd_message message = fd_message(fd);
	binder_size_t offset = 0;
	for (int i = 0; i < 2; i++) {
		struct br_event event;
		expect_transaction(&service, &event);
		/* Refused replies still give the replier BR_TRANSACTION_COMPLETE. */
		reply_and_free(&service, &event, &message, sizeof(message), &offset, 1);
	}
	close(fd);
	client_close(&service);
	return 0;
}

Test(fds, fd_in_reply_needs_tf_accept_fds, .timeout = TEST_TIMEOUT)
{
	struct fd_service_arguments arguments;
	channel_open(&arguments.channel);
	pid_t service = spawn_child(fd_reply_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);

	struct call_result result = call(&client, 0, 1, TF_ACCEPT_FDS, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	const struct fd_message *message = event_data(&client, &result.reply);
	CHECK(message->object.hdr.type == BINDER_TYPE_FD);
	check_received_file((int)message->object.fd, "from-the-service", message->inode);
	close((int)message->object.fd);
	free_buffer(&client, &result.reply);

	result = call(&client, 0, 2, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_FAILED_REPLY,
	       "reply with an fd to a call without TF_ACCEPT_FDS: %s", br_name(result.cmd));
	expect_child_success(service);
	client_close(&client);
}

/* The objects do not start the data: the kernel takes a fix-up parent at
 * data offset 0 for "no parent yet" and refuses fix-ups in it. */
struct fd_array_message {
	uint64_t header;
	struct binder_buffer_object parent;
	struct binder_fd_array_object array;
};

struct fd_array_payload {
	uint64_t inodes[2];
	int32_t fds[2];
};

static int fd_array_service(void *argument)
{
	struct fd_service_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager_ext(&service, 0, 0, FLAT_BINDER_FLAG_ACCEPTS_FDS);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	struct br_event event;
	expect_transaction(&service, &event);
	CHECK(event.txn.offsets_size == 2 * sizeof(binder_size_t));
	const struct fd_array_message *message = event_data(&service, &event);
	CHECK(message->parent.hdr.type == BINDER_TYPE_PTR);
	CHECK(message->array.hdr.type == BINDER_TYPE_FDA);
	CHECK(message->array.num_fds == 2);
	CHECK(message->parent.length == sizeof(struct fd_array_payload));
	uintptr_t area = (uintptr_t)service.area;
	CHECKF(message->parent.buffer >= area &&
	               message->parent.buffer + message->parent.length <= area + service.area_size,
	       "parent buffer 0x%llx not in the receive area",
	       (unsigned long long)message->parent.buffer);
	const struct fd_array_payload *payload = (const void *)(uintptr_t)message->parent.buffer;
	int fds[2] = {payload->fds[0], payload->fds[1]};
	CHECK(fds[0] != fds[1]);
	check_received_file(fds[0], "first", payload->inodes[0]);
	check_received_file(fds[1], "second", payload->inodes[1]);
	reply_and_free(&service, &event, NULL, 0, NULL, 0);
	/* Unlike single fds, the kernel closes the fds of an fd array when
	 * their buffer is freed. */
	for (int i = 0; i < 2; i++)
		CHECKF(fcntl(fds[i], F_GETFD) < 0 && errno == EBADF,
		       "fd %d of the array still open after BC_FREE_BUFFER", fds[i]);
	client_close(&service);
	return 0;
}

Test(fds, fd_array_is_installed_in_parent_buffer, .timeout = TEST_TIMEOUT)
{
	struct fd_service_arguments arguments;
	channel_open(&arguments.channel);
	pid_t service = spawn_child(fd_array_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	int first = make_file("first"), second = make_file("second");
	struct fd_array_payload payload = {
	        .inodes = {inode_of(first), inode_of(second)},
	        .fds = {first, second},
	};
	struct fd_array_message message;
	memset(&message, 0, sizeof(message));
	message.parent.hdr.type = BINDER_TYPE_PTR;
	message.parent.buffer = (binder_uintptr_t)(uintptr_t)&payload;
	message.parent.length = sizeof(payload);
	message.array.hdr.type = BINDER_TYPE_FDA;
	message.array.num_fds = 2;
	message.array.parent = 0;
	message.array.parent_offset = offsetof(struct fd_array_payload, fds);
	binder_size_t offsets[2] = {offsetof(struct fd_array_message, parent),
	                            offsetof(struct fd_array_message, array)};
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction_sg(&stream, BC_TRANSACTION_SG, 0, 1, 0, &message, sizeof(message),
	                      offsets, 2, sizeof(payload));
	send_commands(&client, &stream);
	struct call_result result = wait_call_result(&client, false);
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	free_buffer(&client, &result.reply);
	CHECK(fcntl(first, F_GETFD) >= 0 && fcntl(second, F_GETFD) >= 0);
	close(first);
	close(second);
	expect_child_success(service);
	client_close(&client);
}
