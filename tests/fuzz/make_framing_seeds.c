/*
 * make_framing_seeds.c - writes the seed corpus of the socket-framing
 * fuzzer (fuzz_framing.c, layout in fuzz_framing_input.h) and its
 * dictionary: valid requests of every kind on the process and thread
 * channels, whole, cut at odd places, back to back, with their fds sent
 * before, with and after their headers, and a few that binderd must
 * refuse. The build runs it, so the seeds follow socket_protocol.h.
 *
 * usage: fuzz_framing_seeds CORPUS_DIRECTORY DICTIONARY_FILE
 */
#include <errno.h>
#include <linux/android/binder.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binderd/socket_protocol.h"
#include "fuzz_framing_input.h"

#define SEED_MAX    8192
#define REQUEST_MAX 512

/* fd codes of framing_fd_count. */
#define FDS_NONE 0u
#define FDS_ONE  1u
#define FDS_MANY FD_COUNT_MANY /* BINDERD_MAX_FDS_PER_MESSAGE, no extra */

/* Channels of a chunk. */
#define ON_PROCESS 0u
#define ON_THREAD  1u

static void die(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	fprintf(stderr, "fuzz_framing_seeds: ");
	vfprintf(stderr, format, args);
	fprintf(stderr, "\n");
	va_end(args);
	exit(1);
}

struct seed {
	uint8_t bytes[SEED_MAX];
	size_t size;
};

/* One request as it goes on the wire. */
struct request {
	uint8_t bytes[REQUEST_MAX];
	size_t size;
};

static void seed_put(struct seed *seed, const void *bytes, size_t size)
{
	if (size > sizeof(seed->bytes) - seed->size)
		die("seed too large");
	memcpy(seed->bytes + seed->size, bytes, size);
	seed->size += size;
}

static void seed_start(struct seed *seed, unsigned setup)
{
	seed->size = 0;
	uint8_t byte = (uint8_t)setup;
	seed_put(seed, &byte, 1);
}

static void chunk(struct seed *seed, unsigned how, unsigned kind, const void *bytes, size_t size)
{
	uint8_t header[4] = {(uint8_t)how, (uint8_t)kind, (uint8_t)(size & 0xffu),
	                     (uint8_t)(size >> 8)};
	seed_put(seed, header, sizeof(header));
	seed_put(seed, bytes, size);
}

static struct request request(uint32_t op, uint64_t arg, uint32_t fd_count, const void *payload,
                              size_t payload_size)
{
	struct request request = {.size = 0};
	struct binderd_request header = {
	        .op = op,
	        .payload_size = (uint32_t)payload_size,
	        .arg = arg,
	        .fd_count = fd_count,
	};
	if (sizeof(header) + payload_size > sizeof(request.bytes))
		die("request too large");
	memcpy(request.bytes, &header, sizeof(header));
	memcpy(request.bytes + sizeof(header), payload, payload_size);
	request.size = sizeof(header) + payload_size;
	return request;
}

static struct request ioctl_request(uint64_t command, const void *argument, size_t size)
{
	return request(BINDERD_OP_IOCTL, command, 0, argument, size);
}

/* BINDER_WRITE_READ with a write stream of commands. */
static struct request write_read(const uint32_t *commands, size_t count, uint32_t flags)
{
	uint8_t payload[REQUEST_MAX - sizeof(struct binderd_request)];
	struct binderd_write_read header = {
	        .write_size = count * sizeof(uint32_t),
	        .read_size = 256,
	        .flags = flags,
	};
	memcpy(payload, &header, sizeof(header));
	memcpy(payload + sizeof(header), commands, count * sizeof(uint32_t));
	return ioctl_request(BINDER_WRITE_READ, payload, sizeof(header) + header.write_size);
}

static void whole(struct seed *seed, unsigned how, unsigned kind, const struct request *request)
{
	chunk(seed, how, kind, request->bytes, request->size);
}

/* The request in pieces cut at the given offsets; fds go with piece
 * fd_piece. */
static void cut(struct seed *seed, unsigned channel, unsigned fd_code, unsigned kind,
                size_t fd_piece, const struct request *request, const size_t *cuts,
                size_t cut_count)
{
	size_t start = 0;
	for (size_t i = 0; i <= cut_count; i++) {
		size_t end = i < cut_count ? cuts[i] : request->size;
		if (end > request->size || end < start)
			die("bad cut");
		unsigned how = MAKE_CHUNK(channel, i == fd_piece ? fd_code : FDS_NONE);
		chunk(seed, how, kind, request->bytes + start, end - start);
		start = end;
	}
}

static void write_seed(const char *directory, const char *name, const struct seed *seed)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", directory, name);
	FILE *file = fopen(path, "wb");
	if (!file || fwrite(seed->bytes, 1, seed->size, file) != seed->size || fclose(file) != 0)
		die("cannot write %s: %s", path, strerror(errno));
}

static void dictionary_u32(FILE *file, const char *name, uint32_t value)
{
	fprintf(file, "%s=\"\\x%02x\\x%02x\\x%02x\\x%02x\"\n", name, value & 0xffu,
	        (value >> 8) & 0xffu, (value >> 16) & 0xffu, value >> 24);
}

static void write_dictionary(const char *path)
{
	FILE *file = fopen(path, "w");
	if (!file)
		die("cannot write %s: %s", path, strerror(errno));
	fprintf(file, "# binderd framing fuzzer: request ops, ioctls and BC_ codes\n"
	              "# (little-endian u32). Written by make_framing_seeds.c.\n");
	dictionary_u32(file, "op_hello", BINDERD_OP_HELLO);
	dictionary_u32(file, "op_mmap", BINDERD_OP_MMAP);
	dictionary_u32(file, "op_new_thread", BINDERD_OP_NEW_THREAD);
	dictionary_u32(file, "op_ioctl", BINDERD_OP_IOCTL);
	dictionary_u32(file, "op_send_area", BINDERD_OP_SEND_AREA);
	dictionary_u32(file, "op_fd_numbers", BINDERD_OP_FD_NUMBERS);
	dictionary_u32(file, "op_poll_arm", BINDERD_OP_POLL_ARM);
	dictionary_u32(file, "op_set_security_context", BINDERD_OP_SET_SECURITY_CONTEXT);
	dictionary_u32(file, "binder_write_read", BINDER_WRITE_READ);
	dictionary_u32(file, "binder_version", BINDER_VERSION);
	dictionary_u32(file, "binder_set_max_threads", BINDER_SET_MAX_THREADS);
	dictionary_u32(file, "binder_thread_exit", BINDER_THREAD_EXIT);
	dictionary_u32(file, "binder_set_context_mgr", BINDER_SET_CONTEXT_MGR);
	dictionary_u32(file, "bc_enter_looper", BC_ENTER_LOOPER);
	dictionary_u32(file, "bc_register_looper", BC_REGISTER_LOOPER);
	dictionary_u32(file, "bc_exit_looper", BC_EXIT_LOOPER);
	dictionary_u32(file, "protocol_version", BINDERD_PROTOCOL_VERSION);
	dictionary_u32(file, "max_fds", BINDERD_MAX_FDS_PER_MESSAGE);
	dictionary_u32(file, "max_process_payload", BINDERD_MAX_PROCESS_PAYLOAD);
	if (fclose(file) != 0)
		die("cannot write %s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	if (argc != 3)
		die("usage: fuzz_framing_seeds CORPUS_DIRECTORY DICTIONARY_FILE");
	const char *directory = argv[1];
	struct seed seed;

	struct binder_version version = {0};
	struct request version_request = ioctl_request(BINDER_VERSION, &version, sizeof(version));
	uint32_t max_threads = 4;
	struct request max_threads_request =
	        ioctl_request(BINDER_SET_MAX_THREADS, &max_threads, sizeof(max_threads));
	const uint32_t loopers[] = {BC_ENTER_LOOPER, BC_EXIT_LOOPER, BC_REGISTER_LOOPER};
	struct request loop_request = write_read(loopers, 3, BINDERD_WR_NONBLOCK);
	struct request poll_request = request(BINDERD_OP_POLL_ARM, 0, 0, NULL, 0);
	struct request send_area_request = request(BINDERD_OP_SEND_AREA, 0, 1, NULL, 0);
	uint64_t user_base = 0x7f0000000000ull;
	struct request hello_request =
	        request(BINDERD_OP_HELLO, BINDERD_PROTOCOL_VERSION, 0, NULL, 0);
	struct request mmap_request =
	        request(BINDERD_OP_MMAP, 8192, 0, &user_base, sizeof(user_base));
	struct request new_thread_request = request(BINDERD_OP_NEW_THREAD, 7, 1, NULL, 0);
	const char label[] = "fuzz:label";
	struct request label_request =
	        request(BINDERD_OP_SET_SECURITY_CONTEXT, 0, 0, label, sizeof(label) - 1);
	int32_t numbers[2] = {3, 4};
	struct request numbers_request =
	        request(BINDERD_OP_FD_NUMBERS, 0, 0, numbers, sizeof(numbers));
	struct request many_fds_request =
	        request(BINDERD_OP_IOCTL, BINDER_VERSION, BINDERD_MAX_FDS_PER_MESSAGE, &version,
	                sizeof(version));

	/* Every thread request, whole, on a set-up process. */
	seed_start(&seed, 1);
	whole(&seed, ON_THREAD, FD_KIND_NULL, &version_request);
	whole(&seed, ON_THREAD, FD_KIND_NULL, &max_threads_request);
	whole(&seed, ON_THREAD, FD_KIND_NULL, &loop_request);
	whole(&seed, MAKE_CHUNK(ON_THREAD, FDS_ONE), FD_KIND_MEMFD, &send_area_request);
	whole(&seed, ON_THREAD, FD_KIND_NULL, &poll_request);
	whole(&seed, ON_THREAD, FD_KIND_NULL, &numbers_request);
	write_seed(directory, "thread_requests", &seed);

	/* The same with direct reads (thread channels check credentials). */
	seed.bytes[0] = 1 | FRAMING_DIRECT_READS;
	write_seed(directory, "thread_requests_direct", &seed);

	/* A process from its first byte: hello, area, a thread, label. */
	seed_start(&seed, FRAMING_RAW_START);
	whole(&seed, ON_PROCESS, FD_KIND_NULL, &hello_request);
	whole(&seed, ON_PROCESS, FD_KIND_NULL, &mmap_request);
	whole(&seed, MAKE_CHUNK(ON_PROCESS, FDS_ONE), FD_KIND_SOCKET, &new_thread_request);
	whole(&seed, ON_THREAD, FD_KIND_NULL, &version_request);
	whole(&seed, ON_PROCESS, FD_KIND_NULL, &label_request);
	write_seed(directory, "process_from_hello", &seed);

	/* Requests cut inside their headers and payloads. */
	const size_t header_cuts[] = {1, 7, 20, 23};
	seed_start(&seed, 1);
	cut(&seed, ON_THREAD, FDS_NONE, FD_KIND_NULL, 0, &loop_request, header_cuts, 4);
	const size_t payload_cuts[] = {24, 30};
	cut(&seed, ON_THREAD, FDS_NONE, FD_KIND_NULL, 0, &loop_request, payload_cuts, 2);
	write_seed(directory, "cut_requests", &seed);

	/* fds before, with and after their header. */
	const size_t one_cut[] = {10};
	seed_start(&seed, FRAMING_RAW_START);
	whole(&seed, ON_PROCESS, FD_KIND_NULL, &hello_request);
	cut(&seed, ON_PROCESS, FDS_ONE, FD_KIND_SOCKET, 0, &new_thread_request, one_cut, 1);
	cut(&seed, ON_PROCESS, FDS_ONE, FD_KIND_SOCKET, 1, &new_thread_request, one_cut, 1);
	chunk(&seed, MAKE_CHUNK(ON_PROCESS, FDS_ONE), FD_KIND_SOCKET, NULL, 0);
	whole(&seed, ON_PROCESS, FD_KIND_NULL, &new_thread_request);
	write_seed(directory, "fds_around_headers", &seed);

	/* Several requests in one chunk. */
	seed_start(&seed, 2);
	struct seed joined = {.size = 0};
	seed_put(&joined, version_request.bytes, version_request.size);
	seed_put(&joined, max_threads_request.bytes, max_threads_request.size);
	seed_put(&joined, poll_request.bytes, poll_request.size);
	seed_put(&joined, loop_request.bytes, loop_request.size);
	chunk(&seed, ON_THREAD, FD_KIND_NULL, joined.bytes, joined.size);
	write_seed(directory, "back_to_back", &seed);

	/* Refused: fds announced but missing, the most fds, a second hello,
	 * an out-of-band byte, a half-closed thread. */
	seed_start(&seed, 1);
	whole(&seed, MAKE_CHUNK(ON_THREAD, FDS_MANY), FD_KIND_EVENTFD, &many_fds_request);
	whole(&seed, ON_PROCESS, FD_KIND_NULL, &hello_request);
	whole(&seed, ON_THREAD, FD_KIND_NULL, &send_area_request);
	write_seed(directory, "refused", &seed);
	seed_start(&seed, 1);
	whole(&seed, ON_THREAD | CHUNK_OOB, FD_KIND_NULL, &version_request);
	whole(&seed, ON_THREAD | CHUNK_SHUTDOWN, FD_KIND_NULL, &version_request);
	whole(&seed, ON_PROCESS | CHUNK_CLOSE, FD_KIND_NULL, &label_request);
	write_seed(directory, "oob_and_shutdown", &seed);

	write_dictionary(argv[2]);
	return 0;
}
