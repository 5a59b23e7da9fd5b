/*
 * config.h - how much the benchmark measures: repetitions, call counts and
 * durations for the full run and for the --quick smoke run.
 */
#ifndef BENCH_CONFIG_H
#define BENCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* Payload sizes of the roundtrip figures, in the order they are printed. */
enum bench_payload {
	BENCH_PAYLOAD_64B,
	BENCH_PAYLOAD_4KIB,
	BENCH_PAYLOAD_64KIB,
	BENCH_PAYLOAD_1MIB,
	BENCH_PAYLOAD_COUNT,
};

/* Client thread counts of the calls/s figures. */
#define BENCH_THREAD_COUNTS                                                                        \
	{                                                                                          \
		1, 2, 8, 32                                                                        \
	}
#define BENCH_THREAD_COUNT_CHOICES 4
#define BENCH_MAX_CLIENT_THREADS   32

/* Objects the server hands to the client in the handles figure. */
#define BENCH_HANDLES_FEW 10
/* The default and the largest count of the "many handles" figure. */
#define BENCH_HANDLES_MANY            100000
#define BENCH_OBJECTS_PER_TRANSACTION 1000

/* The largest payload; receive areas are sized for it. */
#define BENCH_MAX_PAYLOAD (1024u * 1024u)

/* The binder mmap size of the server and client (the kernel's maximum). */
#define BENCH_AREA_SIZE (4u * 1024u * 1024u)

struct bench_config {
	const char *device_path;
	bool quick;
	/* Every figure is the median over this many runs. */
	int runs;
	/* Untimed calls before each measured series. */
	int warmup_calls;
	/* Timed calls per run, per payload. */
	int calls_per_run[BENCH_PAYLOAD_COUNT];
	/* A run of timed calls also ends after this long. */
	double max_run_seconds;
	/* Handles the client holds in the "many handles" figure (--handles):
	 * more than BENCH_HANDLES_FEW, at most BENCH_HANDLES_MANY. */
	int handles_many;
	/* Timed 64 B calls per run in the handles figure. */
	int handle_calls_per_run;
	/* Length of one calls/s run, and of its warm-up. */
	double thread_run_seconds;
	double thread_warmup_seconds;
	/* AF_UNIX floor: ping-pongs per run, 1 MiB echoes per run. */
	int unix_pingpongs_per_run;
	int unix_echoes_per_run;
	/* Looper threads the server starts before the first call, and the
	 * most it runs after BR_SPAWN_LOOPER requests. */
	int server_threads;
	int server_max_threads;
	/* The whole benchmark is stopped (and fails) after this long. */
	double timeout_seconds;
	/* Report each phase on stderr as it starts. */
	bool verbose;
};

/* Prints a phase's name on stderr when config->verbose is set. */
void bench_progress(const struct bench_config *config, const char *phase);

/* Fills config with the full-run or the quick-run amounts. */
void bench_config_defaults(struct bench_config *config, bool quick);

/* Bytes of each payload. */
size_t bench_payload_size(enum bench_payload payload);

/* The name of each payload in a figure's name: "64b", "4kib", ... */
const char *bench_payload_name(enum bench_payload payload);

#endif
