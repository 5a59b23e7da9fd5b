/*
 * libbinder_bench.c - the benchmark through libbinder's public API: a
 * calculator service process and a client process calling add(int, int)
 * and echo(byte[]) as AIDL code would (interface token, exception
 * header). Prints one "bench.libbinder.<name> <value> <unit>" line per
 * figure and, given the raw benchmark's output of the same run (--raw),
 * "bench.ratio_libbinder_to_raw_<name> <value> x" lines.
 *
 * Usage: libbinder_bench [--quick] [--device PATH] [--timeout SECONDS]
 *                        [--raw FILE] [--service-manager] [--verbose]
 */
#include "config.h"
#include "processes.h"
#include "libbinder_client.h"
#include "libbinder_server.h"
#include "raw_figures.h"

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

struct libbinder_bench_options {
	struct bench_config config;
	const char *raw_path;
	bool via_service_manager;
};

static void usage(FILE *stream)
{
	fprintf(stream,
	        "usage: libbinder_bench [--quick] [--device PATH] [--timeout SECONDS]\n"
	        "                       [--raw FILE] [--service-manager] [--verbose]\n"
	        "  --quick             a few-second smoke run (fewer, shorter runs)\n"
	        "  --device PATH       the binder device; default $%s\n"
	        "  --timeout SECONDS   stop and fail after this long (default 110, quick 60)\n"
	        "  --raw FILE          binder_bench's output of the same run: adds the\n"
	        "                      ratio_libbinder_to_raw_* lines\n"
	        "  --service-manager   hand the calculator over through servicemanager\n"
	        "                      (one must be running) instead of as the context manager\n"
	        "  --verbose           report each phase on stderr\n",
	        BINDER_DEVICE_ENV);
}

static int parse_arguments(int argc, char **argv, struct libbinder_bench_options *options)
{
	/* clang-format off */
	static const struct option long_options[] = {
		{"quick", no_argument, NULL, 'q'},
		{"device", required_argument, NULL, 'd'},
		{"timeout", required_argument, NULL, 't'},
		{"raw", required_argument, NULL, 'r'},
		{"service-manager", no_argument, NULL, 's'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	/* clang-format on */
	const char *device = NULL;
	bool quick = false;
	bool verbose = false;
	double timeout = 0;
	char *end;
	int option;

	options->raw_path = NULL;
	options->via_service_manager = false;
	while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
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
				fprintf(stderr, "libbinder_bench: bad --timeout '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'r':
			options->raw_path = optarg;
			break;
		case 's':
			options->via_service_manager = true;
			break;
		case 'v':
			verbose = true;
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
	bench_config_defaults(&options->config, quick);
	options->config.device_path = device;
	options->config.verbose = verbose;
	if (timeout > 0)
		options->config.timeout_seconds = timeout;
	return 0;
}

static void serve(void *argument, int ready_fd)
{
	const struct libbinder_bench_options *options = argument;
	struct libbinder_server_options server_options = {
	        .device_path = options->config.device_path,
	        .max_threads = options->config.server_max_threads,
	        .via_service_manager = options->via_service_manager,
	        .ready_fd = ready_fd,
	};

	libbinder_server_main(&server_options);
}

struct client_run {
	const struct libbinder_bench_options *options;
	struct libbinder_results *results;
};

static int run_client(void *argument)
{
	struct client_run *run = argument;

	return libbinder_client_main(&run->options->config, run->options->via_service_manager,
	                             run->results);
}

static int measure(const struct libbinder_bench_options *options, struct libbinder_results *results)
{
	struct client_run run = {options, results};
	int ret;

	bench_progress(&options->config, "libbinder: starting the calculator");
	ret = bench_start_service(serve, (void *)options);
	if (ret < 0) {
		fprintf(stderr, "libbinder_bench: the service process did not start\n");
	} else {
		ret = bench_run_client(run_client, &run);
		if (ret < 0)
			fprintf(stderr, "libbinder_bench: the client process failed\n");
	}
	bench_progress(&options->config, "libbinder: stopping the calculator");
	if (bench_stop_service() < 0 && ret == 0) {
		fprintf(stderr, "libbinder_bench: the service process failed\n");
		ret = -EIO;
	}
	return ret;
}

/* One ratio line, libbinder's value over the raw figure raw_name. */
static int print_ratio(const struct raw_figures *raw, const char *name, double value,
                       const char *raw_name)
{
	char line_name[96];
	double raw_value;

	if (raw_figure(raw, raw_name, &raw_value) < 0 || raw_value <= 0) {
		fprintf(stderr, "libbinder_bench: no raw figure bench.%s for the ratio\n",
		        raw_name);
		return -ENOENT;
	}
	snprintf(line_name, sizeof(line_name), "ratio_libbinder_to_raw_%s", name);
	bench_print_figure(line_name, value / raw_value, "x");
	return 0;
}

static int print_figures(const struct libbinder_results *results, const char *raw_path)
{
	static const int thread_counts[LIBBINDER_THREAD_COUNT_CHOICES] = LIBBINDER_THREAD_COUNTS;
	struct raw_figures raw;
	char name[64];
	int ret = 0;
	int error;

	bench_print_figure("libbinder.call_add_p50", results->add_p50_us, "us");
	bench_print_figure("libbinder.call_add_p99", results->add_p99_us, "us");
	for (int c = 0; c < LIBBINDER_THREAD_COUNT_CHOICES; c++) {
		snprintf(name, sizeof(name), "libbinder.calls_per_s_%dt", thread_counts[c]);
		bench_print_figure(name, results->calls_per_s[c], "calls/s");
	}
	bench_print_figure("libbinder.call_1mib_throughput", results->echo_1mib_gb_per_s, "GB/s");
	if (!raw_path)
		return 0;
	error = raw_figures_read(raw_path, &raw);
	if (error < 0) {
		fprintf(stderr, "libbinder_bench: cannot read %s: %s\n", raw_path,
		        strerror(-error));
		return -EIO;
	}
	if (print_ratio(&raw, "call_64b_p50", results->add_p50_us, "call_64b_p50") < 0)
		ret = -ENOENT;
	if (print_ratio(&raw, "call_64b_p99", results->add_p99_us, "call_64b_p99") < 0)
		ret = -ENOENT;
	for (int c = 0; c < LIBBINDER_THREAD_COUNT_CHOICES; c++) {
		snprintf(name, sizeof(name), "calls_per_s_%dt", thread_counts[c]);
		if (print_ratio(&raw, name, results->calls_per_s[c], name) < 0)
			ret = -ENOENT;
	}
	if (print_ratio(&raw, "1mib_throughput", results->echo_1mib_gb_per_s,
	                "call_1mib_throughput") < 0)
		ret = -ENOENT;
	return ret;
}

int main(int argc, char **argv)
{
	struct libbinder_bench_options options;
	struct libbinder_results *results;

	if (parse_arguments(argc, argv, &options) < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	bench_arm_timeout("libbinder_bench", (unsigned)options.config.timeout_seconds);

	results = mmap(NULL, sizeof(*results), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	               -1, 0);
	if (results == MAP_FAILED) {
		fprintf(stderr, "libbinder_bench: %s\n", strerror(errno));
		return 1;
	}
	memset(results, 0, sizeof(*results));
	if (measure(&options, results) < 0)
		return 1;
	bench_progress(&options.config, "libbinder: done");
	return print_figures(results, options.raw_path) < 0 ? 1 : 0;
}
