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
#include <stdint.h>
#include <string.h>

#include "binderd.h"
#include "fake_client.h"
#include "fuzz_common.h"
#include "fuzz_input.h"
#include "fuzz_ops.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	return 0;
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
	                    send_area, send_size, fuzz_null_fd, (setup & SETUP_BAD_FD_NUMBERS) != 0,
	                    (manager_flags & SMALL_SOCKET_BUFFERS) != 0);
	if (error < 0)
		fuzz_fail("cannot set up the processes: %s", strerror(-error));
	world_pump(&world);
	if (!(setup & SETUP_NO_MANAGER)) {
		make_context_manager(&world, (setup >> SETUP_MANAGER_SHIFT) & 3u,
		                     (setup & SETUP_MANAGER_EXT) != 0, manager_flags);
		world_pump(&world);
	}
	play(&world, &cursor);

	world_close(&world);
	world_pump(&world);
	fuzz_release_and_check_clean(fds_before);
	return 0;
}
