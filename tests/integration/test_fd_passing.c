/*
 * test_fd_passing.c - file descriptors passed in calls and used by the
 * receiver: a pipe it writes into, a memfd it reads, and a memfd it makes
 * and sends back in the reply.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <binder/parcel.h>

#include "protocol.h"
#include "test_support.h"

/* A call of IFiles; the reply's exception header is checked and skipped. */
static binder_parcel *call_files(binder_object *files, uint32_t code, int fd, const char *text)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_interface_token(data, FILES_DESCRIPTOR), 0);
	if (fd >= 0)
		cr_assert_eq(binder_parcel_write_fd(data, fd), 0);
	if (text != NULL)
		cr_assert_eq(binder_parcel_write_string8(data, text), 0);
	int status = binder_object_transact(files, code, data, reply, 0);
	cr_assert_eq(status, 0, "IFiles call %u: %s", code, binder_status_to_string(status));
	int32_t exception = -1;
	cr_assert_eq(binder_parcel_read_exception(reply, &exception, NULL, NULL), 0);
	cr_assert_eq(exception, BINDER_EX_NONE);
	binder_parcel_free(data);
	return reply;
}

Test(integration, fd_passed_and_used, .timeout = 90)
{
	pid_t peer = start_peer("files", "files", NULL);
	binder_context *context = open_test_context();
	binder_object *files = get_test_service(context, "files");

	/* The receiver writes into our pipe. */
	int pipe_fds[2];
	cr_assert_eq(pipe2(pipe_fds, O_CLOEXEC), 0);
	const char *message = "written by the receiver";
	binder_parcel *reply = call_files(files, FILES_WRITE, pipe_fds[1], message);
	int32_t written = 0;
	cr_assert_eq(binder_parcel_read_int32(reply, &written), 0);
	cr_assert_eq(written, (int32_t)strlen(message));
	binder_parcel_free(reply);
	char buffer[128] = {0};
	struct pollfd readable = {.fd = pipe_fds[0], .events = POLLIN};
	cr_assert_eq(poll(&readable, 1, 10000), 1);
	cr_assert_eq(read(pipe_fds[0], buffer, sizeof(buffer) - 1), (ssize_t)strlen(message));
	cr_assert_str_eq(buffer, message);
	close(pipe_fds[0]);
	close(pipe_fds[1]);

	/* The receiver reads our memfd. */
	int memfd = memfd_create("integration-test", MFD_CLOEXEC);
	cr_assert_geq(memfd, 0);
	const char *contents = "read by the receiver";
	cr_assert_eq(write(memfd, contents, strlen(contents)), (ssize_t)strlen(contents));
	reply = call_files(files, FILES_READ, memfd, NULL);
	const char *read_back = NULL;
	cr_assert_eq(binder_parcel_read_string8(reply, &read_back), 0);
	cr_assert_str_eq(read_back, contents);
	binder_parcel_free(reply);
	close(memfd);

	/* The receiver sends an fd back in its reply. */
	const char *made = "made by the receiver";
	reply = call_files(files, FILES_MAKE, -1, made);
	int received = -1;
	cr_assert_eq(binder_parcel_read_dup_fd(reply, &received), 0);
	binder_parcel_free(reply);
	memset(buffer, 0, sizeof(buffer));
	cr_assert_eq(pread(received, buffer, sizeof(buffer) - 1, 0), (ssize_t)strlen(made));
	cr_assert_str_eq(buffer, made);
	close(received);

	binder_object_unref(files);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
	stop_and_expect_clean_exit(peer, "files peer");
}
