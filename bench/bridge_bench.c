/*
 * bridge_bench.c - the benchmark of binder calls across hosts through
 * bridged (client, binderd, bridged, TLS, bridged, binderd, service), and
 * in the same run its floors: a plain TLS 1.3 echo over loopback with the
 * bridge's certificates (floor_tls.c) and a call to a calculator on the
 * client's own binderd. Prints one "bench.<name> <value> <unit>" line per
 * figure, then the ratio lines. bench/run_bridge_bench.sh sets up the two
 * hosts and runs it.
 *
 * Usage:
 *   bridge_bench serve [--device PATH]
 *       the calculator, added to the device's servicemanager as
 *       "bench.calculator", until SIGTERM (the service of host B)
 *   bridge_bench --service NAME --certs DIR [--device PATH] [--quick]
 *                [--object-calls N] [--rss-pid LABEL=PID]... [--timeout S]
 *                [--verbose]
 *       the figures, from host A (--device): NAME is the imported
 *       calculator there; DIR holds ca.crt, hosta.* and hostb.*.
 */
#include "bridge_client.h"
#include "calculator.h"
#include "config.h"
#include "floor_tls.h"
#include "libbinder_server.h"
#include "processes.h"

#include "binder/device.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

/* The full run's object calls, and the quick run's. */
#define OBJECT_CALLS_FULL  100000
#define OBJECT_CALLS_QUICK 2000
/* The whole run is stopped (and fails) after this long. */
#define TIMEOUT_FULL_SECONDS  300
#define TIMEOUT_QUICK_SECONDS 120
/* 16-thread calls/s of a gRPC unary call on this kind of machine (the low
 * end of 5-10k): the target of the calls/s ratio line. */
#define GRPC_UNARY_CALLS_PER_S 5000.0
#define CERTIFICATE_PATH_MAX   512

struct bridge_bench_options {
	struct bench_config config;
	const char *service;
	const char *certs;
	int object_calls;
	size_t rss_count;
	char *rss_labels[BRIDGE_MAX_RSS_PIDS];
	pid_t rss_pids[BRIDGE_MAX_RSS_PIDS];
};

static void usage(FILE *stream)
{
	fprintf(stream,
	        "usage: bridge_bench serve [--device PATH]\n"
	        "       bridge_bench --service NAME --certs DIR [--device PATH] [--quick]\n"
	        "                    [--object-calls N] [--rss-pid LABEL=PID]... [--timeout S]\n"
	        "                    [--verbose]\n"
	        "  serve               serve the calculator as %s in the device's\n"
	        "                      servicemanager until SIGTERM\n"
	        "  --service NAME      the imported calculator in this host's servicemanager\n"
	        "  --certs DIR         ca.crt, hosta.crt/key, hostb.crt/key (make_certs.sh)\n"
	        "                      for the TLS floor\n"
	        "  --device PATH       this host's binder device; default $%s\n"
	        "  --quick             a smoke run (fewer, shorter runs; every byte\n"
	        "                      echoed back is checked)\n"
	        "  --object-calls N    calls carrying an object between the RSS readings\n"
	        "                      (default %d, quick %d)\n"
	        "  --rss-pid LABEL=PID a process (bridged) whose VmRSS is read around the\n"
	        "                      object calls; up to %d\n"
	        "  --timeout SECONDS   stop and fail after this long (default %d, quick %d)\n"
	        "  --verbose           report each phase on stderr\n",
	        BENCH_CALCULATOR_NAME, BINDER_DEVICE_ENV, OBJECT_CALLS_FULL, OBJECT_CALLS_QUICK,
	        BRIDGE_MAX_RSS_PIDS, TIMEOUT_FULL_SECONDS, TIMEOUT_QUICK_SECONDS);
}

static int parse_rss_pid(struct bridge_bench_options *options, char *argument)
{
	char *equals = strchr(argument, '=');
	char *end;
	long pid;

	if (!equals || equals == argument || options->rss_count >= BRIDGE_MAX_RSS_PIDS)
		return -EINVAL;
	*equals = '\0';
	for (const char *c = argument; *c; c++)
		if (!(*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9')))
			return -EINVAL;
	pid = strtol(equals + 1, &end, 10);
	if (*end || pid <= 0)
		return -EINVAL;
	options->rss_labels[options->rss_count] = argument;
	options->rss_pids[options->rss_count] = (pid_t)pid;
	options->rss_count++;
	return 0;
}

static int parse_arguments(int argc, char **argv, struct bridge_bench_options *options)
{
	/* clang-format off */
	static const struct option long_options[] = {
		{"quick", no_argument, NULL, 'q'},
		{"device", required_argument, NULL, 'd'},
		{"service", required_argument, NULL, 's'},
		{"certs", required_argument, NULL, 'c'},
		{"object-calls", required_argument, NULL, 'o'},
		{"rss-pid", required_argument, NULL, 'r'},
		{"timeout", required_argument, NULL, 't'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	/* clang-format on */
	const char *device = NULL;
	bool quick = false;
	bool verbose = false;
	double timeout = 0;
	long object_calls = -1;
	char *end;
	int option;

	options->service = NULL;
	options->certs = NULL;
	options->rss_count = 0;
	while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (option) {
		case 'q':
			quick = true;
			break;
		case 'd':
			device = optarg;
			break;
		case 's':
			options->service = optarg;
			break;
		case 'c':
			options->certs = optarg;
			break;
		case 'o':
			object_calls = strtol(optarg, &end, 10);
			if (*end || object_calls < 0 || object_calls > 10000000) {
				fprintf(stderr, "bridge_bench: bad --object-calls '%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'r':
			if (parse_rss_pid(options, optarg) < 0) {
				fprintf(stderr,
				        "bridge_bench: bad --rss-pid '%s' (LABEL=PID, LABEL of "
				        "[A-Za-z0-9_], at most %d)\n",
				        optarg, BRIDGE_MAX_RSS_PIDS);
				return -EINVAL;
			}
			break;
		case 't':
			timeout = strtod(optarg, &end);
			if (*end || !(timeout >= 1 && timeout <= 86400)) {
				fprintf(stderr, "bridge_bench: bad --timeout '%s'\n", optarg);
				return -EINVAL;
			}
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
	if (optind != argc || !options->service || !options->certs) {
		usage(stderr);
		return -EINVAL;
	}
	bench_config_defaults(&options->config, quick);
	/* The smoke run (a test) checks every byte that comes back. */
	bench_echo_check_every_byte = quick;
	options->config.device_path = device;
	options->config.verbose = verbose;
	options->config.timeout_seconds = quick ? TIMEOUT_QUICK_SECONDS : TIMEOUT_FULL_SECONDS;
	if (timeout > 0)
		options->config.timeout_seconds = timeout;
	if (object_calls >= 0)
		options->object_calls = (int)object_calls;
	else
		options->object_calls = quick ? OBJECT_CALLS_QUICK : OBJECT_CALLS_FULL;
	return 0;
}

/* ---- serve ---- */

static int serve_main(int argc, char **argv)
{
	static const struct option long_options[] = {
	        {"device", required_argument, NULL, 'd'},
	        {"help", no_argument, NULL, 'h'},
	        {0},
	};
	struct libbinder_server_options server_options = {
	        .max_threads = BENCH_MAX_CLIENT_THREADS,
	        .via_service_manager = true,
	};
	int option;

	while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (option) {
		case 'd':
			server_options.device_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	/* Whoever starts it waits for the name in servicemanager. */
	server_options.ready_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (server_options.ready_fd < 0) {
		perror("bridge_bench: serve: /dev/null");
		return 1;
	}
	libbinder_server_main(&server_options);
}

/* ---- the measurements ---- */

static pid_t main_pid;

/* In a forked process: ends with signal_number when the benchmark's main
 * process goes (killed, say, by run_bridge_bench.sh stopping the run),
 * instead of staying behind. */
static void die_with_main(int signal_number)
{
	prctl(PR_SET_PDEATHSIG, signal_number);
	if (getppid() != main_pid)
		_exit(1);
}

struct client_run {
	struct bridge_client_options client;
	struct bridge_results *results;
	bool remote;
};

static int run_client(void *argument)
{
	struct client_run *run = argument;

	die_with_main(SIGKILL);
	if (run->remote)
		return bridge_client_remote(&run->client, run->results);
	return bridge_client_local(&run->client, run->results);
}

static void serve_local(void *argument, int ready_fd)
{
	const struct bridge_bench_options *options = argument;
	struct libbinder_server_options server_options = {
	        .device_path = options->config.device_path,
	        .max_threads = options->config.server_max_threads,
	        .via_service_manager = true,
	        .ready_fd = ready_fd,
	};

	/* SIGTERM: the service's own way to stop (its sigwait). */
	die_with_main(SIGTERM);
	libbinder_server_main(&server_options);
}

static int measure_tls(const struct bridge_bench_options *options, struct tls_floor_results *tls)
{
	char paths[5][CERTIFICATE_PATH_MAX];
	static const char *const files[5] = {"ca.crt", "hostb.crt", "hostb.key", "hosta.crt",
	                                     "hosta.key"};
	struct tls_floor_files tls_files;
	int ret;

	for (int i = 0; i < 5; i++) {
		if (snprintf(paths[i], sizeof(paths[i]), "%s/%s", options->certs, files[i]) >=
		    (int)sizeof(paths[i]))
			return -ENAMETOOLONG;
	}
	tls_files = (struct tls_floor_files){
	        .ca = paths[0],
	        .server_name = "hostb",
	        .server_certificate = paths[1],
	        .server_key = paths[2],
	        .client_name = "hosta",
	        .client_certificate = paths[3],
	        .client_key = paths[4],
	};
	bench_progress(&options->config, "tls: floor");
	ret = bench_tls_floor(&options->config, &tls_files, tls);
	if (ret < 0)
		fprintf(stderr, "bridge_bench: the TLS floor failed: %s\n", strerror(-ret));
	return ret;
}

/* The local floor: a calculator on this host's binderd, called from
 * another process. */
static int measure_local(const struct bridge_bench_options *options, struct bridge_results *results)
{
	struct client_run run = {
	        .client = {.config = &options->config, .service = BENCH_CALCULATOR_NAME},
	        .results = results,
	        .remote = false,
	};
	int ret;

	bench_progress(&options->config, "local: starting the calculator");
	ret = bench_start_service(serve_local, (void *)options);
	if (ret < 0) {
		fprintf(stderr, "bridge_bench: the local calculator did not start\n");
	} else {
		ret = bench_run_client(run_client, &run);
		if (ret < 0)
			fprintf(stderr, "bridge_bench: the local client failed\n");
	}
	if (bench_stop_service() < 0 && ret == 0) {
		fprintf(stderr, "bridge_bench: the local calculator failed\n");
		ret = -EIO;
	}
	return ret;
}

static int measure_remote(const struct bridge_bench_options *options,
                          struct bridge_results *results)
{
	struct client_run run = {
	        .client = {.config = &options->config,
	                   .service = options->service,
	                   .object_calls = options->object_calls,
	                   .rss_count = options->rss_count},
	        .results = results,
	        .remote = true,
	};
	int ret;

	memcpy(run.client.rss_pids, options->rss_pids, sizeof(run.client.rss_pids));
	ret = bench_run_client(run_client, &run);
	if (ret < 0)
		fprintf(stderr, "bridge_bench: the remote client failed\n");
	return ret;
}

/* ---- the lines ---- */

/* Prints name with value if it was measured; counts what was not. */
static void print_measured(const char *name, double value, const char *unit, int *missing)
{
	if (value == BRIDGE_NOT_MEASURED) {
		fprintf(stderr, "bridge_bench: bench.%s was not measured\n", name);
		(*missing)++;
		return;
	}
	bench_print_figure(name, value, unit);
}

static void print_ratio(const char *name, double numerator, double denominator, int *missing)
{
	if (numerator == BRIDGE_NOT_MEASURED || !(denominator > 0)) {
		fprintf(stderr, "bridge_bench: bench.%s: a figure it needs is missing\n", name);
		(*missing)++;
		return;
	}
	bench_print_figure(name, numerator / denominator, "x");
}

/* "100k" for 100000, "2k" for 2000, else the number. */
static void count_label(int count, char *label, size_t size)
{
	if (count >= 1000 && count % 1000 == 0)
		snprintf(label, size, "%dk", count / 1000);
	else
		snprintf(label, size, "%d", count);
}

static void print_rss(const struct bridge_bench_options *options,
                      const struct bridge_results *results, int *missing)
{
	char label[16];
	char name[96];
	long total = 0;
	bool complete = results->rss_count == options->rss_count &&
	                results->object_calls_done == options->object_calls;

	count_label(options->object_calls, label, sizeof(label));
	for (size_t i = 0; i < options->rss_count; i++) {
		long before = results->rss_before_kib[i];
		long after = results->rss_after_kib[i];

		snprintf(name, sizeof(name), "bridge.rss_growth_%s_object_calls_%s", label,
		         options->rss_labels[i]);
		if (!complete || before < 0 || after < 0) {
			print_measured(name, BRIDGE_NOT_MEASURED, "KiB", missing);
			complete = false;
			continue;
		}
		fprintf(stderr, "bridge_bench: %s (pid %ld) VmRSS %ld -> %ld KiB\n",
		        options->rss_labels[i], (long)options->rss_pids[i], before, after);
		bench_print_figure(name, (double)(after - before), "KiB");
		total += after - before;
	}
	snprintf(name, sizeof(name), "bridge.rss_growth_%s_object_calls", label);
	if (complete)
		bench_print_figure(name, (double)total, "KiB");
	else
		print_measured(name, BRIDGE_NOT_MEASURED, "KiB", missing);
}

static int print_figures(const struct bridge_bench_options *options,
                         const struct tls_floor_results *tls, const struct bridge_results *results)
{
	static const int thread_counts[BRIDGE_THREAD_COUNT_CHOICES] = BRIDGE_THREAD_COUNTS;
	char name[96];
	int missing = 0;

	bench_print_figure("tls.pingpong_64b_p50", tls->pingpong_64b_p50_us, "us");
	bench_print_figure("tls.pingpong_64b_p99", tls->pingpong_64b_p99_us, "us");
	bench_print_figure("tls.echo_1mib_throughput", tls->echo_1mib_gb_per_s, "GB/s");
	print_measured("bridge.local_call_64b_p50", results->local_64b_p50_us, "us", &missing);
	print_measured("bridge.local_call_64b_p99", results->local_64b_p99_us, "us", &missing);
	for (int p = 0; p < BENCH_PAYLOAD_COUNT; p++) {
		snprintf(name, sizeof(name), "bridge.call_%s_p50", bench_payload_name(p));
		print_measured(name, results->remote_p50_us[p], "us", &missing);
		snprintf(name, sizeof(name), "bridge.call_%s_p99", bench_payload_name(p));
		print_measured(name, results->remote_p99_us[p], "us", &missing);
	}
	print_measured("bridge.call_1mib_throughput", results->remote_1mib_gb_per_s, "GB/s",
	               &missing);
	for (int c = 0; c < BRIDGE_THREAD_COUNT_CHOICES; c++) {
		snprintf(name, sizeof(name), "bridge.calls_per_s_%dt", thread_counts[c]);
		print_measured(name, results->remote_calls_per_s[c], "calls/s", &missing);
	}
	/* Without --rss-pid the object calls are made but nothing is read. */
	if (options->object_calls > 0 && options->rss_count > 0)
		print_rss(options, results, &missing);
	/* Target: at most 1.2 (a remote call is two local calls and a TLS
	 * roundtrip, plus 20%). */
	print_ratio("ratio_bridge_64b_p50_to_floor", results->remote_p50_us[BENCH_PAYLOAD_64B],
	            results->local_64b_p50_us == BRIDGE_NOT_MEASURED
	                    ? 0
	                    : 2.0 * results->local_64b_p50_us + tls->pingpong_64b_p50_us,
	            &missing);
	/* Target: at least 0.8. */
	print_ratio("ratio_bridge_1mib_throughput_to_tls", results->remote_1mib_gb_per_s,
	            tls->echo_1mib_gb_per_s, &missing);
	/* Target: at least 1 (gRPC unary: 5-10k calls/s from 16 callers). */
	print_ratio("ratio_bridge_calls_per_s_16t_to_grpc_5k",
	            results->remote_calls_per_s[BRIDGE_THREAD_COUNT_CHOICES - 1],
	            GRPC_UNARY_CALLS_PER_S, &missing);
	return missing ? -EIO : 0;
}

int main(int argc, char **argv)
{
	struct bridge_bench_options options;
	struct tls_floor_results tls;
	struct bridge_results *results;
	int failed = 0;

	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		return serve_main(argc - 1, argv + 1);
	if (parse_arguments(argc, argv, &options) < 0)
		return 2;
	main_pid = getpid();
	signal(SIGPIPE, SIG_IGN);
	bench_arm_timeout("bridge_bench", (unsigned)options.config.timeout_seconds);

	results = mmap(NULL, sizeof(*results), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	               -1, 0);
	if (results == MAP_FAILED) {
		fprintf(stderr, "bridge_bench: %s\n", strerror(errno));
		return 1;
	}
	bridge_results_init(results);
	/* The TLS floor first: it forks, and nothing runs threads yet. */
	if (measure_tls(&options, &tls) < 0)
		return 1;
	if (measure_local(&options, results) < 0)
		failed = 1;
	bench_progress(&options.config, "bridge: remote figures");
	if (measure_remote(&options, results) < 0)
		failed = 1;
	bench_progress(&options.config, "done");
	if (print_figures(&options, &tls, results) < 0)
		failed = 1;
	return failed;
}
