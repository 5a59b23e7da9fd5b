/*
 * binder_bench.c - the benchmark program: measures the AF_UNIX floor, the
 * relay floor (floor_relay.h) and the shared-memory floor of a design
 * beyond the relay (floor_shm.h), then starts a binder service process and
 * a client process on the binder device and prints one line per figure,
 * "bench.<name> <value> <unit>".
 *
 * Usage: binder_bench [--quick] [--device PATH] [--timeout SECONDS] [--handles N]
 *                     [--verbose]
 * The device is PATH, else $BINDER_DEVICE, else the device layer's default.
 */
#include "client.h"
#include "config.h"
#include "processes.h"
#include "floor_relay.h"
#include "floor_shm.h"
#include "floor_unix.h"
#include "server.h"

#include "binder/device.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void usage(FILE *stream)
{
	fprintf(stream,
	        "usage: binder_bench [--quick] [--device PATH] [--timeout SECONDS] [--handles N]\n"
	        "                    [--verbose]\n"
	        "  --quick            a few-second smoke run (fewer, shorter runs)\n"
	        "  --device PATH      the binder device: a character device (kernel)\n"
	        "                     or binderd's socket; default $%s\n"
	        "  --timeout SECONDS  stop and fail after this long (default 110, quick 60)\n"
	        "  --handles N        handles held in the many-handles figure (default and\n"
	        "                     most 100000; it names the lines)\n"
	        "  --verbose          report each phase on stderr\n",
	        BINDER_DEVICE_ENV);
}

static int parse_arguments(int argc, char **argv, struct bench_config *config)
{
	/* clang-format off */
	static const struct option options[] = {
		{"quick", no_argument, NULL, 'q'},
		{"device", required_argument, NULL, 'd'},
		{"timeout", required_argument, NULL, 't'},
		{"handles", required_argument, NULL, 'n'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	/* clang-format on */
	const char *device = NULL;
	bool quick = false;
	bool verbose = false;
	double timeout = 0;
	long handles = BENCH_HANDLES_MANY;
	char *end;
	int option;

	while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (option) {
		case 'q':
			quick = true;
			break;
		case 'd':
			device = optarg;
			break;
		case 't':
			timeout = strtod(optarg, &end);
			if (*end || !(timeout >= 1 && timeout <= 86400)) {
				fprintf(stderr, "binder_bench: bad --timeout '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'v':
			verbose = true;
			break;
		case 'n':
			handles = strtol(optarg, &end, 10);
			if (*end || handles <= BENCH_HANDLES_FEW || handles > BENCH_HANDLES_MANY) {
				fprintf(stderr, "binder_bench: --handles must be %d..%d\n",
				        BENCH_HANDLES_FEW + 1, BENCH_HANDLES_MANY);
				return -EINVAL;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -EINVAL;
	}
	bench_config_defaults(config, quick);
	config->device_path = device;
	config->verbose = verbose;
	config->handles_many = (int)handles;
	if (timeout > 0)
		config->timeout_seconds = timeout;
	return 0;
}

static void serve(void *argument, int ready_fd)
{
	const struct bench_config *config = argument;
	struct bench_server_options options = {
	        .device_path = config->device_path,
	        .prestart_threads = config->server_threads,
	        .max_threads = config->server_max_threads,
	        .ready_fd = ready_fd,
	};

	bench_server_main(&options);
}

struct client_run {
	const struct bench_config *config;
	struct binder_results *results;
};

static int run_client(void *argument)
{
	struct client_run *run = argument;

	return bench_client_main(run->config, run->results);
}

static int measure_binder(const struct bench_config *config, struct binder_results *results)
{
	struct client_run run = {config, results};
	int ret;

	bench_progress(config, "starting the service");
	ret = bench_start_service(serve, (void *)config);

	if (ret < 0) {
		fprintf(stderr, "binder_bench: the service process did not start\n");
	} else {
		ret = bench_run_client(run_client, &run);
		if (ret < 0)
			fprintf(stderr, "binder_bench: the client process failed\n");
	}
	bench_progress(config, "stopping the service");
	bench_stop_service();
	return ret;
}

/* Calls/s through the relay floor with 1 and 8 client threads, the
 * floors of calls_per_s_1t and calls_per_s_8t. */
struct relay_floor_results {
	double calls_per_s_1t;
	double calls_per_s_8t;
};

static void print_binder_figures(const struct binder_results *results,
                                 const struct unix_floor_results *floor,
                                 const struct relay_floor_results *relay,
                                 const struct shm_floor_results *shm, int handles_many)
{
	static const int thread_counts[BENCH_THREAD_COUNT_CHOICES] = BENCH_THREAD_COUNTS;
	char name[64];

	for (int p = 0; p < BENCH_PAYLOAD_COUNT; p++) {
		const char *payload = bench_payload_name((enum bench_payload)p);

		snprintf(name, sizeof(name), "call_%s_p50", payload);
		bench_print_figure(name, results->call_p50_us[p], "us");
		snprintf(name, sizeof(name), "call_%s_p99", payload);
		bench_print_figure(name, results->call_p99_us[p], "us");
	}
	bench_print_figure("call_1mib_throughput", results->call_1mib_gb_per_s, "GB/s");
	for (int c = 0; c < BENCH_THREAD_COUNT_CHOICES; c++) {
		snprintf(name, sizeof(name), "calls_per_s_%dt", thread_counts[c]);
		bench_print_figure(name, results->calls_per_s[c], "calls/s");
	}
	bench_print_figure("call_64b_p50_10_handles", results->handles_few_p50_us, "us");
	snprintf(name, sizeof(name), "call_64b_p50_%d_handles", handles_many);
	bench_print_figure(name, results->handles_many_p50_us, "us");
	bench_print_figure("ratio_call_64b_p50_to_unix_p50",
	                   results->call_p50_us[BENCH_PAYLOAD_64B] / floor->pingpong_64b_p50_us,
	                   "x");
	bench_print_figure("ratio_1mib_throughput_to_unix",
	                   results->call_1mib_gb_per_s / floor->echo_1mib_gb_per_s, "x");
	for (int c = 0; c < BENCH_THREAD_COUNT_CHOICES; c++) {
		double floor_rate = thread_counts[c] == 1   ? relay->calls_per_s_1t
		                    : thread_counts[c] == 8 ? relay->calls_per_s_8t
		                                            : 0;
		if (floor_rate <= 0)
			continue;
		snprintf(name, sizeof(name), "ratio_calls_per_s_%dt_to_relay", thread_counts[c]);
		bench_print_figure(name, results->calls_per_s[c] / floor_rate, "x");
	}
	/* How far binderd is from the shared-memory floor: its latency in
	 * multiples of the floor's, and the floor's rate in multiples of its. */
	bench_print_figure("ratio_call_64b_p50_to_shm_p50",
	                   results->call_p50_us[BENCH_PAYLOAD_64B] / shm->call_64b_p50_us, "x");
	for (int c = 0; c < BENCH_THREAD_COUNT_CHOICES; c++) {
		if (thread_counts[c] == 8)
			bench_print_figure("ratio_shm_calls_per_s_8t_to_calls_per_s_8t",
			                   shm->calls_per_s / results->calls_per_s[c], "x");
	}
	snprintf(name, sizeof(name), "ratio_%d_to_%d_handles_p50", handles_many, BENCH_HANDLES_FEW);
	bench_print_figure(name, results->handles_many_p50_us / results->handles_few_p50_us, "x");
}

int main(int argc, char **argv)
{
	struct bench_config config;
	struct unix_floor_results floor;
	struct relay_floor_results relay;
	struct shm_floor_results shm;
	struct binder_results *results;
	int ret = parse_arguments(argc, argv, &config);

	if (ret < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	bench_arm_timeout("binder_bench", (unsigned)config.timeout_seconds);

	bench_progress(&config, "AF_UNIX floor");
	ret = bench_unix_floor(&config, &floor);
	if (ret < 0) {
		fprintf(stderr, "binder_bench: AF_UNIX floor failed: %s\n", strerror(-ret));
		return 1;
	}
	bench_print_figure("unix_pingpong_64b_p50", floor.pingpong_64b_p50_us, "us");
	bench_print_figure("unix_pingpong_64b_p99", floor.pingpong_64b_p99_us, "us");
	bench_print_figure("unix_echo_1mib_throughput", floor.echo_1mib_gb_per_s, "GB/s");
	bench_progress(&config, "relay floor");
	ret = bench_relay_floor(&config, 1, &relay.calls_per_s_1t);
	if (ret == 0)
		ret = bench_relay_floor(&config, 8, &relay.calls_per_s_8t);
	if (ret < 0) {
		fprintf(stderr, "binder_bench: relay floor failed: %s\n", strerror(-ret));
		return 1;
	}
	bench_print_figure("relay_calls_per_s_1t", relay.calls_per_s_1t, "calls/s");
	bench_print_figure("relay_calls_per_s_8t", relay.calls_per_s_8t, "calls/s");
	bench_progress(&config, "shared-memory floor");
	ret = bench_shm_floor(&config, 8, &shm);
	if (ret < 0) {
		fprintf(stderr, "binder_bench: shared-memory floor failed: %s\n", strerror(-ret));
		return 1;
	}
	bench_print_figure("shm_call_64b_p50", shm.call_64b_p50_us, "us");
	bench_print_figure("shm_call_64b_p99", shm.call_64b_p99_us, "us");
	bench_print_figure("shm_calls_per_s_8t", shm.calls_per_s, "calls/s");

	results = mmap(NULL, sizeof(*results), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	               -1, 0);
	if (results == MAP_FAILED) {
		fprintf(stderr, "binder_bench: %s\n", strerror(errno));
		return 1;
	}
	memset(results, 0, sizeof(*results));
	if (measure_binder(&config, results) < 0)
		return 1;
	bench_progress(&config, "done");
	print_binder_figures(results, &floor, &relay, &shm, config.handles_many);
	return 0;
}
