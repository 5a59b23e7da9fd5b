/*
 * make_process_seeds.c - writes the seed corpus of the processes fuzzer
 * (fuzz_processes.c) from the write-stream corpus: each seed of
 * tests/fuzz/corpus (layout of fuzz_input.h) again in the layout of
 * fuzz_processes_input.h, as it was (plain), with direct reads, as another
 * user, and in a crowd of other users' processes of which some never read.
 * The build runs it, so the seeds follow the write-stream corpus.
 *
 * usage: fuzz_process_seeds WRITE_STREAM_CORPUS OUTPUT_DIRECTORY
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "fuzz_processes_input.h"

#define SEED_MAX          65536
#define WRITE_STREAM_HEAD 3 /* setup, manager flags, area code */
#define CROWD_SIZE        8
#define MIN_PROCESSES     2

static void die(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	fprintf(stderr, "fuzz_process_seeds: ");
	vfprintf(stderr, format, args);
	fprintf(stderr, "\n");
	va_end(args);
	exit(1);
}

enum variant {
	VARIANT_PLAIN,
	VARIANT_DIRECT,
	VARIANT_OTHER_UID,
	VARIANT_CROWD,
	VARIANT_COUNT,
};

static const char *const variant_names[VARIANT_COUNT] = {"plain", "direct", "other_uid", "crowd"};

struct seed {
	uint8_t bytes[SEED_MAX];
	size_t size;
};

static void put(struct seed *seed, const void *bytes, size_t size)
{
	if (size > sizeof(seed->bytes) - seed->size)
		die("seed too large");
	memcpy(seed->bytes + seed->size, bytes, size);
	seed->size += size;
}

static void put_u8(struct seed *seed, unsigned value)
{
	uint8_t byte = (uint8_t)value;
	put(seed, &byte, 1);
}

/* The write-stream seed in as the processes layout, as variant says. */
static void convert(const uint8_t *input, size_t size, enum variant variant, struct seed *seed)
{
	uint8_t setup = input[0], manager_flags = input[1], area_code = input[2];
	size_t own = (setup & SETUP_THREE_PROCESSES) ? 3 : 2;
	size_t count = variant == VARIANT_CROWD ? CROWD_SIZE : own;
	unsigned world = (unsigned)(count - MIN_PROCESSES);
	if (manager_flags & SMALL_SOCKET_BUFFERS)
		world |= WORLD_SMALL_BUFFERS;
	if (setup & SETUP_BAD_FD_NUMBERS)
		world |= WORLD_BAD_FD_NUMBERS;
	if (setup & SETUP_NO_MANAGER)
		world |= WORLD_NO_MANAGER;
	if (setup & SETUP_MANAGER_EXT)
		world |= WORLD_MANAGER_EXT;
	seed->size = 0;
	put_u8(seed, world);
	put_u8(seed, (setup >> SETUP_MANAGER_SHIFT) & 3u);
	put_u8(seed, manager_flags & ~SMALL_SOCKET_BUFFERS);
	for (size_t i = 0; i < count; i++) {
		unsigned flags = (setup >> SETUP_THREADS_SHIFT) & PROCESS_THREADS_MASK;
		if (variant == VARIANT_DIRECT)
			flags |= PROCESS_DIRECT_READS;
		if (variant == VARIANT_OTHER_UID)
			flags |= PROCESS_OTHER_UID;
		if (i >= own) /* the crowd: one thread each, half of them deaf */
			flags = PROCESS_OTHER_UID | (i % 2 ? PROCESS_DEAF : 0u);
		put_u8(seed, flags);
		put_u8(seed, area_code);
	}
	put(seed, input + WRITE_STREAM_HEAD, size - WRITE_STREAM_HEAD);
}

static void convert_file(const char *input_directory, const char *name,
                         const char *output_directory)
{
	static uint8_t input[SEED_MAX];
	static struct seed seed;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", input_directory, name);
	FILE *file = fopen(path, "rb");
	if (!file)
		die("cannot read %s: %s", path, strerror(errno));
	size_t size = fread(input, 1, sizeof(input), file);
	fclose(file);
	if (size < WRITE_STREAM_HEAD)
		return;
	for (enum variant variant = 0; variant < VARIANT_COUNT; variant++) {
		convert(input, size, variant, &seed);
		snprintf(path, sizeof(path), "%s/%s-%s", output_directory, name,
		         variant_names[variant]);
		file = fopen(path, "wb");
		if (!file || fwrite(seed.bytes, 1, seed.size, file) != seed.size ||
		    fclose(file) != 0)
			die("cannot write %s: %s", path, strerror(errno));
	}
}

int main(int argc, char **argv)
{
	if (argc != 3)
		die("usage: fuzz_process_seeds WRITE_STREAM_CORPUS OUTPUT_DIRECTORY");
	DIR *directory = opendir(argv[1]);
	if (!directory)
		die("cannot list %s: %s", argv[1], strerror(errno));
	struct dirent *entry;
	while ((entry = readdir(directory)))
		if (entry->d_name[0] != '.')
			convert_file(argv[1], entry->d_name, argv[2]);
	closedir(directory);
	return 0;
}
