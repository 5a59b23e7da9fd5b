/*
 * main.c - servicemanager: the context manager (handle 0) that maps names
 * to binder objects. Parses the command line, loads the access policy and
 * the per-uid quotas, becomes the context manager and serves on the main
 * thread until SIGTERM or SIGINT, which a signal thread turns into
 * binder_context_close. With --metrics (or the policy's [metrics] listen),
 * a thread of its own serves Prometheus metrics over HTTP meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <binder/binder.h>
#include <binder/device.h>
#include <binder/service_manager.h>

#include "daemon_start.h"
#include "log.h"
#include "manager_metrics.h"
#include "metrics_endpoint.h"
#include "metrics_listen.h"
#include "policy.h"
#include "quota.h"
#include "service_manager.h"

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: servicemanager [--device PATH] [--policy FILE] [--log-level LEVEL]\n"
	        "                      [--ready-fd FD] [--names-per-uid N]\n"
	        "                      [--notifications-per-uid N] [--android N]\n"
	        "                      [--metrics PORT|ADDR:PORT] [--daemon]\n"
	        "  --device PATH      the binder device or binderd socket (default:\n"
	        "                     $BINDER_DEVICE, /dev/binder, binderd's socket)\n"
	        "  --policy FILE      who may add which names (INI, section [add] with\n"
	        "                     `name-pattern = uid, uid, ...`, and optional [limits]);\n"
	        "                     default: uid 0 and servicemanager's own uid may add\n"
	        "                     any name\n"
	        "  --log-level LEVEL  error, warning, info (default) or debug\n"
	        "  --ready-fd FD      write \"ready\\n\" to FD and close it once serving\n"
	        "  --daemon           run in the background: the command returns (0) once\n"
	        "                     servicemanager serves, or fails with its status\n"
	        "  --names-per-uid N  most services one uid may add (default %d, or the\n"
	        "                     policy's [limits] names_per_uid; none for uid 0 and\n"
	        "                     servicemanager's own uid)\n"
	        "  --notifications-per-uid N\n"
	        "                     most notification registrations of one uid (default\n"
	        "                     %d, or [limits] notifications_per_uid)\n"
	        "  --android N        the Android generation whose IServiceManager codes\n"
	        "                     and parcel wire to speak: %d to %d (default %d)\n"
	        "  --metrics PORT|ADDR:PORT\n"
	        "                     serve Prometheus metrics at http://ADDR:PORT/metrics\n"
	        "                     (a bare PORT: 127.0.0.1:PORT; ADDR: IPv4, or IPv6 in\n"
	        "                     brackets; port 0: any free port, logged). Off by\n"
	        "                     default; or the policy's [metrics] listen = ...\n"
	        "  --help             this text\n",
	        QUOTA_DEFAULT_NAMES_PER_UID, QUOTA_DEFAULT_NOTIFICATIONS_PER_UID,
	        BINDER_ANDROID_OLDEST, BINDER_ANDROID_NEWEST, BINDER_ANDROID_DEFAULT);
}

/* The thread that waits for SIGTERM / SIGINT and closes the context, which
 * makes the main thread's join return. */
struct signal_waiter {
	binder_context *context;
	sigset_t signals;
	atomic_bool serving_ended; /* the main thread left the pool on its own */
	atomic_bool signalled;
};

static void *wait_for_signal(void *argument)
{
	struct signal_waiter *waiter = argument;
	int signal_number = 0;
	sigwait(&waiter->signals, &signal_number);
	if (!atomic_load(&waiter->serving_ended)) {
		atomic_store(&waiter->signalled, true);
		log_info("signal %d: shutting down", signal_number);
	}
	binder_context_close(waiter->context);
	return NULL;
}

static int parse_fd(const char *text)
{
	char *end;
	errno = 0;
	long value = strtol(text, &end, 10);
	if (errno || *end || value < 0 || value > 65535 || fcntl((int)value, F_GETFD) < 0)
		return -1;
	return (int)value;
}

/* --android N: a supported generation, or 0. */
static uint32_t parse_android(const char *text)
{
	char *end;
	errno = 0;
	long value = strtol(text, &end, 10);
	if (errno || end == text || *end || value < 0 || value > BINDER_ANDROID_NEWEST ||
	    !binder_android_is_supported((uint32_t)value))
		return 0;
	return (uint32_t)value;
}

static void say_ready(int ready_fd)
{
	if (ready_fd < 0)
		return;
	static const char message[] = "ready\n";
	if (write(ready_fd, message, sizeof(message) - 1) != (ssize_t)sizeof(message) - 1)
		log_warning("cannot write to the ready fd: %s", strerror(errno));
	close(ready_fd);
}

/* Becomes the context manager and serves until the context is closed.
 * Returns the exit status. */
static int serve(binder_context *context, struct service_manager *manager, int ready_fd,
                 struct signal_waiter *waiter)
{
	static const struct binder_local_ops ops = {.transact = service_manager_transact};
	binder_object *object = NULL;
	int status = binder_object_new_local(context, BINDER_SERVICE_MANAGER_DESCRIPTOR, &ops,
	                                     manager, &object);
	if (status) {
		log_error("cannot make the servicemanager object: %s",
		          binder_status_to_string(status));
		return 1;
	}
	status = binder_context_become_manager(context, object);
	if (status) {
		const char *hint = "";
		if (status == -EBUSY)
			hint = " (is another servicemanager running?)";
		else if (status == BINDER_PERMISSION_DENIED)
			hint = " (does binderd's --manager-uid name this uid? or another uid"
			       " was the context manager before)";
		log_error("cannot become the context manager: %s%s",
		          binder_status_to_string(status), hint);
		binder_object_unref(object);
		return 1;
	}
	log_info("serving as the context manager (Android %u's IServiceManager)",
	         (unsigned)binder_context_android(context));
	say_ready(ready_fd);

	status = binder_context_join_thread_pool(context);
	atomic_store(&waiter->serving_ended, true);
	int exit_status = 0;
	if (!atomic_load(&waiter->signalled)) {
		log_error("stopped serving: %s",
		          status ? binder_status_to_string(status) : "the binder device went away");
		exit_status = 1;
	}
	binder_object_unref(object);
	return exit_status;
}

/* Makes the series and serves them on address. 0, or an error (logged). */
static int start_metrics(const struct metrics_listen *address,
                         const size_t per_uid[QUOTA_KIND_COUNT], struct manager_metrics **metrics,
                         struct metrics_endpoint **endpoint)
{
	int status = manager_metrics_new(per_uid, metrics);
	if (status) {
		log_error("metrics: out of memory");
		return status;
	}
	status = metrics_endpoint_start(manager_metrics_registry(*metrics), address, endpoint);
	if (status) {
		manager_metrics_free(*metrics);
		*metrics = NULL;
	}
	return status;
}

static void stop_metrics(struct manager_metrics *metrics, struct metrics_endpoint *endpoint)
{
	metrics_endpoint_stop(endpoint);
	manager_metrics_free(metrics);
}

int main(int argc, char **argv)
{
	const char *device = NULL;
	const char *policy_path = NULL;
	int ready_fd = -1;
	bool run_as_daemon = false;
	uint32_t android = BINDER_ANDROID_DEFAULT;
	bool metrics_given = false;
	struct metrics_listen metrics_address;
	/* Limits given on the command line (they override the policy's). */
	bool limit_given[QUOTA_KIND_COUNT] = {false};
	size_t limit[QUOTA_KIND_COUNT] = {0};
	static const struct option options[] = {
	        {"device", required_argument, NULL, 'd'},
	        {"policy", required_argument, NULL, 'p'},
	        {"log-level", required_argument, NULL, 'l'},
	        {"ready-fd", required_argument, NULL, 'r'},
	        {"names-per-uid", required_argument, NULL, 'n'},
	        {"notifications-per-uid", required_argument, NULL, 'N'},
	        {"android", required_argument, NULL, 'a'},
	        {"metrics", required_argument, NULL, 'm'},
	        {"daemon", no_argument, NULL, 'D'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int option;
	while ((option = getopt_long(argc, argv, "d:p:l:r:n:N:a:m:Dh", options, NULL)) != -1) {
		switch (option) {
		case 'd':
			device = optarg;
			break;
		case 'p':
			policy_path = optarg;
			break;
		case 'l':
			if (log_set_level(optarg) < 0) {
				fprintf(stderr, "servicemanager: unknown log level '%s'\n", optarg);
				usage(stderr);
				return 2;
			}
			break;
		case 'r':
			ready_fd = parse_fd(optarg);
			if (ready_fd < 0) {
				fprintf(stderr,
				        "servicemanager: --ready-fd: '%s' is not an open fd\n",
				        optarg);
				return 2;
			}
			break;
		case 'n':
		case 'N': {
			enum quota_kind kind = option == 'n' ? QUOTA_NAMES : QUOTA_NOTIFICATIONS;
			if (quota_parse_limit(kind, optarg, &limit[kind]) != 0) {
				fprintf(stderr,
				        "servicemanager: --%s-per-uid: '%s' is not a number from 0 "
				        "to %zu\n",
				        kind == QUOTA_NAMES ? "names" : "notifications", optarg,
				        quota_table_size(kind));
				return 2;
			}
			limit_given[kind] = true;
			break;
		}
		case 'a':
			android = parse_android(optarg);
			if (!android) {
				fprintf(stderr,
				        "servicemanager: --android: '%s' is not a generation from "
				        "%d "
				        "to %d\n",
				        optarg, BINDER_ANDROID_OLDEST, BINDER_ANDROID_NEWEST);
				return 2;
			}
			break;
		case 'm': {
			char why[128];
			if (metrics_listen_parse(optarg, &metrics_address, why, sizeof(why)) != 0) {
				fprintf(stderr, "servicemanager: --metrics: '%s': %s\n", optarg,
				        why);
				return 2;
			}
			metrics_given = true;
			break;
		}
		case 'D':
			run_as_daemon = true;
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
		fprintf(stderr, "servicemanager: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (run_as_daemon && ready_fd >= 0) {
		fprintf(stderr, "servicemanager: --daemon and --ready-fd do not go together\n");
		return 2;
	}
	/* Before any thread; the parent returns once the child serves. */
	if (run_as_daemon) {
		int error = daemon_start(&ready_fd);
		if (error) {
			log_error("--daemon: cannot fork: %s", strerror(-error));
			return 1;
		}
	}

	struct policy policy;
	if (policy_path) {
		char error[512];
		int status = policy_load_file(&policy, policy_path, error, sizeof(error));
		if (status) {
			log_error("policy %s: %s", policy_path, error);
			return 1;
		}
		log_info("policy %s: %zu rule(s)", policy_path, policy.rule_count);
	} else if (policy_load_default(&policy, geteuid()) != 0) {
		log_error("out of memory");
		return 1;
	}
	for (int kind = 0; kind < QUOTA_KIND_COUNT; kind++) {
		if (limit_given[kind])
			policy.quota_per_uid[kind] = limit[kind];
	}
	log_info("quotas per uid (uid 0 and uid %u exempt): %zu names, %zu notification "
	         "registrations",
	         (unsigned)geteuid(), policy.quota_per_uid[QUOTA_NAMES],
	         policy.quota_per_uid[QUOTA_NOTIFICATIONS]);
	if (!metrics_given && policy.has_metrics) {
		metrics_address = policy.metrics;
		metrics_given = true;
	}

	/* Every thread, libbinder's included, inherits this mask: the signals
	 * reach only the waiter's sigwait. */
	struct signal_waiter waiter = {0};
	sigemptyset(&waiter.signals);
	sigaddset(&waiter.signals, SIGTERM);
	sigaddset(&waiter.signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &waiter.signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* After the mask: the endpoint's thread inherits it. */
	struct manager_metrics *metrics = NULL;
	struct metrics_endpoint *endpoint = NULL;
	if (metrics_given &&
	    start_metrics(&metrics_address, policy.quota_per_uid, &metrics, &endpoint) != 0) {
		policy_free(&policy);
		return 1;
	}

	struct binder_context_options context_options;
	binder_context_options_init(&context_options);
	context_options.device = device;
	/* One serving thread, as AOSP's servicemanager: the state has no lock. */
	context_options.max_threads = 0;
	context_options.android = android;
	binder_context *context = NULL;
	int status = binder_context_new(&context_options, &context);
	if (status) {
		log_error("cannot open %s: %s", device ? device : binder_device_default_path(),
		          binder_status_to_string(status));
		stop_metrics(metrics, endpoint);
		policy_free(&policy);
		return 1;
	}
	struct service_manager manager;
	service_manager_init(&manager, &policy, metrics);

	waiter.context = context;
	pthread_t waiter_thread;
	int error = pthread_create(&waiter_thread, NULL, wait_for_signal, &waiter);
	if (error) {
		log_error("cannot start the signal thread: %s", strerror(error));
		binder_context_unref(context);
		service_manager_clear(&manager);
		stop_metrics(metrics, endpoint);
		return 1;
	}

	int exit_status = serve(context, &manager, ready_fd, &waiter);

	/* Wake the waiter if no signal did, and wait until it closed the context. */
	atomic_store(&waiter.serving_ended, true);
	pthread_kill(waiter_thread, SIGTERM);
	pthread_join(waiter_thread, NULL);
	service_manager_clear(&manager);
	binder_context_unref(context);
	/* No handler runs any more: the series may go. */
	stop_metrics(metrics, endpoint);
	log_info("stopped");
	return exit_status;
}
