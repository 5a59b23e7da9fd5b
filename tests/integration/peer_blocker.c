/* peer_blocker.c - integration_peer's "blocker" role: a call that does not
 * return (for a bounded time), so that the test can kill this process
 * while a client waits in it (IBlocker, protocol.h). */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include <binder/parcel.h>

#include "peer.h"
#include "protocol.h"

static int blocker_transact(binder_object *self, uint32_t code, binder_parcel *data,
                            binder_parcel *reply, const struct binder_caller *caller,
                            void *user_data)
{
	(void)self;
	(void)caller;
	(void)user_data;
	if (code != BLOCKER_BLOCK)
		return BINDER_UNKNOWN_TRANSACTION;
	int status = binder_parcel_enforce_interface(data, BLOCKER_DESCRIPTOR);
	int fd = -1;
	if (status == 0)
		status = binder_parcel_read_fd(data, &fd);
	if (status != 0)
		return status;
	/* Tell the caller we are in the call, then stay in it. */
	if (write(fd, "b", 1) != 1)
		return -errno;
	struct timespec left = {.tv_sec = BLOCKER_SLEEP_SECONDS};
	while (nanosleep(&left, &left) != 0 && errno == EINTR)
		;
	return binder_parcel_write_no_exception(reply);
}

int peer_run_blocker(int argc, char **argv)
{
	if (argc != 1)
		return 2;
	const struct peer_service service = {
	        .name = argv[0],
	        .descriptor = BLOCKER_DESCRIPTOR,
	        .transact = blocker_transact,
	};
	return peer_serve(&service);
}
