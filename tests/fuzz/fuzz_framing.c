/*
 * fuzz_framing.c - libFuzzer target for binderd's socket framing: how it
 * cuts the byte streams of its process and thread channels into requests
 * and matches the SCM_RIGHTS fds that come with them (channel.c's input
 * side), and what the requests do when their headers, payload sizes and
 * fds disagree. Each input (layout in fuzz_framing_input.h) connects one
 * process through a real socketpair handed to proc_accept (said hello and
 * mapped its area, or not), then writes raw chunks on its channels, with
 * up to SCM_MAX_FD fds of several kinds, an out-of-band byte, half-closes
 * and closes, running binderd's loop after each. binderd's answers are
 * read and checked for framing (fake_client.c); at the end everything is
 * closed and nothing may be left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "binderd.h"
#include "fake_client.h"
#include "fuzz_common.h"
#include "fuzz_framing_input.h"

/* The receive area the harness asks for when it sets the process up. */
#define FRAMING_AREA_SIZE (16u * 1024u)
/* Size of the memfds attached as FD_KIND_MEMFD. */
#define FRAMING_MEMFD_SIZE 4096
/* Most chunks one input sends. */
#define MAX_CHUNKS 256

static int send_area_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_setup();
	send_area_fd = memfd_create("fuzz-framing-area", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (send_area_fd < 0 || ftruncate(send_area_fd, FRAMING_MEMFD_SIZE) < 0 ||
	    fcntl(send_area_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
		fuzz_fail("cannot make the send area memfd: %s", strerror(errno));
	return 0;
}

/* A new fd of a kind; for a socket, our end goes to *peer. -1 on failure. */
static int make_fd(enum framing_fd_kind kind, int *peer)
{
	*peer = -1;
	switch (kind) {
	case FD_KIND_SOCKET: {
		int pair[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
			return -1;
		*peer = pair[0];
		return pair[1];
	}
	case FD_KIND_MEMFD:
		return fcntl(send_area_fd, F_DUPFD_CLOEXEC, 0);
	case FD_KIND_EVENTFD:
		return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	default:
		return fcntl(fuzz_null_fd, F_DUPFD_CLOEXEC, 0);
	}
}

static struct client_channel *pick_channel(struct client_world *world, unsigned code)
{
	unsigned index = code & CHUNK_CHANNEL_MASK;
	if (index == 0 || world->thread_count == 0)
		return &world->processes[0].channel;
	return &world->threads[(index - 1) % world->thread_count].channel;
}

static void send_chunk(struct client_world *world, unsigned how, unsigned kind,
                       const uint8_t *bytes, size_t length)
{
	struct client_channel *channel = pick_channel(world, how);
	size_t count = framing_fd_count(how >> CHUNK_FDS_SHIFT, kind);
	int fds[CLIENT_MAX_RAW_FDS];
	int peers[CLIENT_MAX_RAW_FDS];
	size_t made = 0;
	while (made < count) {
		fds[made] = make_fd((enum framing_fd_kind)(kind & FD_KIND_MASK), &peers[made]);
		if (fds[made] < 0)
			fuzz_fail("cannot make an fd to attach: %s", strerror(errno));
		made++;
	}
	long sent = channel_send_raw_fds(channel, bytes, length, fds, made, (how & CHUNK_OOB) != 0);
	client_trace_printf("chunk of %zu bytes, %zu fds (kind %u): %ld\n", length, made,
	                    kind & FD_KIND_MASK, sent);
	for (size_t i = 0; i < made; i++) {
		close(fds[i]);
		/* Our end of a socket binderd may take as a thread channel. */
		if (peers[i] >= 0 && (sent <= 0 || world_adopt_thread(world, 0, peers[i]) < 0))
			close(peers[i]);
	}
	if ((how & CHUNK_AFTER_MASK) == CHUNK_SHUTDOWN && channel->fd >= 0)
		shutdown(channel->fd, SHUT_WR);
	if ((how & CHUNK_AFTER_MASK) == CHUNK_CLOSE)
		client_channel_close(channel);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor cursor = {data, size, 0};
	uint8_t setup;
	if (!take_u8(&cursor, &setup))
		return -1;

	size_t fds_before = count_open_fds();
	static struct client_world world;
	int error = world_init(&world, NULL, 0, fuzz_null_fd, false,
	                       (setup & FRAMING_SMALL_BUFFERS) != 0);
	struct client_process_config config = {
	        .area_size = FRAMING_AREA_SIZE,
	        .threads = setup & FRAMING_THREADS_MASK,
	        .direct_reads = (setup & FRAMING_DIRECT_READS) != 0,
	        .map_area = true,
	        .connect_only = (setup & FRAMING_RAW_START) != 0,
	};
	if (error == 0)
		error = world_add_process(&world, &config);
	if (error < 0)
		fuzz_fail("cannot set up the process: %s", strerror(-error));
	/* Raw bytes go on these threads too: their answers are not checked. */
	for (size_t i = 0; i < world.thread_count; i++)
		world.threads[i].desynced = true;
	world_pump(&world);

	for (int chunk = 0; chunk < MAX_CHUNKS; chunk++) {
		uint8_t how, kind;
		if (!take_u8(&cursor, &how) || !take_u8(&cursor, &kind))
			break;
		size_t length = take_u16(&cursor);
		const uint8_t *bytes = take_bytes(&cursor, &length);
		send_chunk(&world, how, kind, bytes, length);
		world_pump(&world);
	}

	world_close(&world);
	world_pump(&world);
	fuzz_release_and_check_clean(fds_before);
	return 0;
}
