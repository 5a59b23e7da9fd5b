/* peer_files.c - integration_peer's "files" role: uses the fds it gets in
 * calls and sends one back (IFiles, protocol.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <binder/parcel.h>

#include "peer.h"
#include "protocol.h"

/* FILES_WRITE: writes the text into the caller's fd. */
static int files_write(binder_parcel *data, binder_parcel *reply)
{
	int fd;
	const char *text;
	int status = binder_parcel_read_fd(data, &fd);
	if (status == 0)
		status = binder_parcel_read_string8(data, &text);
	if (status != 0)
		return status;
	if (text == NULL)
		return BINDER_UNEXPECTED_NULL;
	ssize_t written = write(fd, text, strlen(text));
	if (written < 0)
		return -errno;
	status = binder_parcel_write_no_exception(reply);
	if (status == 0)
		status = binder_parcel_write_int32(reply, (int32_t)written);
	return status;
}

/* FILES_READ: reads the caller's file from its start. */
static int files_read(binder_parcel *data, binder_parcel *reply)
{
	int fd;
	int status = binder_parcel_read_fd(data, &fd);
	if (status != 0)
		return status;
	char contents[FILES_MAX_READ + 1];
	ssize_t got = pread(fd, contents, FILES_MAX_READ, 0);
	if (got < 0)
		return -errno;
	contents[got] = '\0';
	status = binder_parcel_write_no_exception(reply);
	if (status == 0)
		status = binder_parcel_write_string8(reply, contents);
	return status;
}

/* FILES_MAKE: answers a new memfd holding the text. */
static int files_make(binder_parcel *data, binder_parcel *reply)
{
	const char *text;
	int status = binder_parcel_read_string8(data, &text);
	if (status != 0)
		return status;
	if (text == NULL)
		return BINDER_UNEXPECTED_NULL;
	int fd = memfd_create("integration-files", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t length = strlen(text);
	if (write(fd, text, length) != (ssize_t)length)
		status = BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_no_exception(reply);
	/* The reply keeps its own duplicate until it is sent. */
	if (status == 0)
		status = binder_parcel_write_dup_fd(reply, fd);
	close(fd);
	return status;
}

static int files_transact(binder_object *self, uint32_t code, binder_parcel *data,
                          binder_parcel *reply, const struct binder_caller *caller, void *user_data)
{
	(void)self;
	(void)caller;
	(void)user_data;
	if (code != FILES_WRITE && code != FILES_READ && code != FILES_MAKE)
		return BINDER_UNKNOWN_TRANSACTION;
	int status = binder_parcel_enforce_interface(data, FILES_DESCRIPTOR);
	if (status != 0)
		return status;
	if (code == FILES_WRITE)
		return files_write(data, reply);
	if (code == FILES_READ)
		return files_read(data, reply);
	return files_make(data, reply);
}

int peer_run_files(int argc, char **argv)
{
	if (argc != 1)
		return 2;
	const struct peer_service service = {
	        .name = argv[0],
	        .descriptor = FILES_DESCRIPTOR,
	        .transact = files_transact,
	};
	return peer_serve(&service);
}
