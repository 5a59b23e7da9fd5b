/*
 * main.c - bridged: exports chosen local binder services to chosen peers
 * and imports theirs, over mutually authenticated TLS 1.3. Reads the
 * config, checks it (--check stops there), listens, connects to the peers
 * it has addresses for, and runs the event loop until SIGTERM or SIGINT.
 */
#include "bridge.h"

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/thread.h>

#include "log.h"

/* Accepted connections still in their handshake, at most (each bounded
 * in time by handshake_timeout_ms). */
#define MAX_HANDSHAKING 256

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: bridged --config FILE [--check] [--log-level LEVEL]\n"
	        "\n"
	        "Exports the local binder services the config names to the peers it names,\n"
	        "and imports theirs under local names, over mutually authenticated TLS 1.3.\n"
	        "\n"
	        "  --config FILE      the configuration (INI; see deploy/bridged-*.conf)\n"
	        "  --check            check the config, certificate, key and CA, then exit\n"
	        "  --log-level LEVEL  error, warning, info (default) or debug; logs go to stderr\n"
	        "  --help             this text\n"
	        "\n"
	        "The binder device is the config's [bridge] device, else $BINDER_DEVICE,\n"
	        "/dev/binder or binderd's default socket. Stops cleanly on SIGTERM or SIGINT.\n");
}

static void on_accept(struct evconnlistener *listener, evutil_socket_t fd, struct sockaddr *address,
                      int length, void *argument)
{
	struct bridge *bridge = argument;
	(void)listener;
	(void)address;
	(void)length;
	if (bridge->stopping) {
		evutil_closesocket(fd);
		return;
	}
	if (bridge->handshaking >= MAX_HANDSHAKING) {
		log_warning("refusing a connection: %zu handshakes in progress",
		            bridge->handshaking);
		evutil_closesocket(fd);
		return;
	}
	int one = 1;
	/* Latency only: a socket without it still works. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		log_debug("TCP_NODELAY: %s", strerror(errno));
	SSL *ssl = SSL_new(bridge->tls);
	if (!ssl) {
		evutil_closesocket(fd);
		return;
	}
	link_new(bridge, fd, ssl, false, NULL);
}

static void on_signal(evutil_socket_t signal_number, short what, void *argument)
{
	struct bridge *bridge = argument;
	(void)what;
	log_info("signal %d: shutting down", (int)signal_number);
	bridge->stopping = true;
	event_base_loopexit(bridge->base, NULL);
}

/* A context of bridged's own whose only job is to notice the binder
 * device going away (binderd stopped): bridged then exits with status 1,
 * as servicemanager does, instead of serving with dead contexts. */
struct device_watch {
	struct bridge *bridge;
	binder_context *context;
	struct event *gone;
	pthread_t thread;
	bool started;
	atomic_bool stopping;
};

static void *watch_device(void *argument)
{
	struct device_watch *watch = argument;
	binder_context_join_thread_pool(watch->context);
	if (!atomic_load(&watch->stopping))
		event_active(watch->gone, EV_TIMEOUT, 0);
	return NULL;
}

static void device_gone(evutil_socket_t fd, short what, void *argument)
{
	struct device_watch *watch = argument;
	(void)fd;
	(void)what;
	log_error("the binder device went away; stopping");
	watch->bridge->device_lost = true;
	watch->bridge->stopping = true;
	event_base_loopexit(watch->bridge->base, NULL);
}

static int watch_start(struct device_watch *watch, struct bridge *bridge)
{
	struct binder_context_options options;
	binder_context_options_init(&options);
	options.device = bridge->config->device;
	options.max_threads = 0;
	watch->bridge = bridge;
	atomic_init(&watch->stopping, false);
	int status = binder_context_new(&options, &watch->context);
	if (status != 0) {
		log_error("cannot open the binder device %s: %s",
		          options.device ? options.device : "(default)",
		          binder_status_to_string(status));
		return status;
	}
	watch->gone = event_new(bridge->base, -1, 0, device_gone, watch);
	if (!watch->gone || pthread_create(&watch->thread, NULL, watch_device, watch) != 0)
		return -ENOMEM;
	watch->started = true;
	return 0;
}

static void watch_stop(struct device_watch *watch)
{
	atomic_store(&watch->stopping, true);
	if (watch->context)
		binder_context_close(watch->context);
	if (watch->started)
		pthread_join(watch->thread, NULL);
	binder_context_unref(watch->context);
	if (watch->gone)
		event_free(watch->gone);
}

static int start_listening(struct bridge *bridge)
{
	const struct config *config = bridge->config;
	for (size_t i = 0; i < config->listen_count; i++) {
		const struct config_address *address = &config->listen[i];
		struct evconnlistener *listener = evconnlistener_new_bind(
		        bridge->base, on_accept, bridge,
		        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 128,
		        (const struct sockaddr *)&address->address, (int)address->length);
		if (!listener) {
			log_error("cannot listen on %s: %s", address->text, strerror(errno));
			return -1;
		}
		bridge->listeners[bridge->listener_count++] = listener;
		log_info("listening on %s", address->text);
	}
	return 0;
}

static int make_peers(struct bridge *bridge)
{
	const struct config *config = bridge->config;
	bridge->peers = calloc(config->peer_count ? config->peer_count : 1, sizeof(*bridge->peers));
	if (!bridge->peers)
		return -ENOMEM;
	bridge->peer_count = config->peer_count;
	for (size_t i = 0; i < config->peer_count; i++) {
		struct peer *peer = &bridge->peers[i];
		peer->bridge = bridge;
		peer->config = &config->peers[i];
		for (size_t j = 0; j < config->import_count; j++)
			if (strcmp(config->imports[j].peer, peer->config->name) == 0)
				peer->import_count++;
		peer->imports =
		        calloc(peer->import_count ? peer->import_count : 1, sizeof(*peer->imports));
		if (!peer->imports)
			return -ENOMEM;
		size_t next = 0;
		for (size_t j = 0; j < config->import_count; j++) {
			if (strcmp(config->imports[j].peer, peer->config->name) != 0)
				continue;
			peer->imports[next].config = &config->imports[j];
			peer->imports[next].peer = peer;
			next++;
		}
	}
	return 0;
}

/* Closes every link and waits for their teardown. */
static void shut_down_links(struct bridge *bridge)
{
	struct link *link;
	bridge->stopping = true;
	for (size_t i = 0; i < bridge->listener_count; i++)
		evconnlistener_free(bridge->listeners[i]);
	bridge->listener_count = 0;
	for (size_t i = 0; i < bridge->peer_count; i++)
		peer_stop(&bridge->peers[i]);
	while ((link = LIST_FIRST(&bridge->links)))
		link_close(link, "bridged is stopping");
	link_join_dying(bridge);
}

static void shut_down(struct bridge *bridge)
{
	for (size_t i = 0; i < bridge->peer_count; i++)
		free(bridge->peers[i].imports);
	free(bridge->peers);
	if (bridge->signal_term)
		event_free(bridge->signal_term);
	if (bridge->signal_int)
		event_free(bridge->signal_int);
	SSL_CTX_free(bridge->tls);
	event_base_free(bridge->base);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	        {"config", required_argument, NULL, 'c'},
	        {"check", no_argument, NULL, 'k'},
	        {"log-level", required_argument, NULL, 'l'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL;
	bool check_only = false;
	int option;

	while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (option) {
		case 'c':
			config_path = optarg;
			break;
		case 'k':
			check_only = true;
			break;
		case 'l':
			if (log_set_level(optarg) != 0) {
				fprintf(stderr, "bridged: unknown log level '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !config_path) {
		if (!config_path)
			fprintf(stderr, "bridged: --config FILE is required\n");
		usage(stderr);
		return 2;
	}

	struct config config;
	char error[512];
	if (config_load(config_path, &config, error, sizeof(error)) != 0) {
		log_error("%s", error);
		return 1;
	}
	struct bridge bridge;
	memset(&bridge, 0, sizeof(bridge));
	bridge.config = &config;
	LIST_INIT(&bridge.links);
	LIST_INIT(&bridge.dying_links);
	bridge.tls = tls_context_new(&config, error, sizeof(error));
	if (!bridge.tls) {
		log_error("%s: %s", config_path, error);
		config_free(&config);
		return 1;
	}
	if (check_only) {
		printf("%s: OK (node %s, %zu peers, %zu exports, %zu imports)\n", config_path,
		       config.name, config.peer_count, config.export_count, config.import_count);
		SSL_CTX_free(bridge.tls);
		config_free(&config);
		return 0;
	}

	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	/* libbinder's threads and the workers write to bufferevents. */
	evthread_use_pthreads();
	bridge.base = event_base_new();
	struct device_watch watch;
	memset(&watch, 0, sizeof(watch));
	int status = 1;
	if (!bridge.base) {
		log_error("cannot make the event loop");
		goto out;
	}
	/* Signals are taken by the loop (libevent's handler wakes it). */
	bridge.signal_term = evsignal_new(bridge.base, SIGTERM, on_signal, &bridge);
	bridge.signal_int = evsignal_new(bridge.base, SIGINT, on_signal, &bridge);
	evsignal_add(bridge.signal_term, NULL);
	evsignal_add(bridge.signal_int, NULL);
	if (watch_start(&watch, &bridge) != 0 || make_peers(&bridge) != 0 ||
	    bridge_metrics_start(&bridge) != 0 || start_listening(&bridge) != 0)
		goto out;
	for (size_t i = 0; i < bridge.peer_count; i++)
		peer_start(&bridge.peers[i]);
	log_info("node %s ready (%zu peers, %zu exports, %zu imports)", config.name,
	         config.peer_count, config.export_count, config.import_count);
	event_base_dispatch(bridge.base);
	status = bridge.device_lost ? 1 : 0;
out:
	if (bridge.base) {
		shut_down_links(&bridge);
		watch_stop(&watch);
		bridge_metrics_stop(&bridge);
		shut_down(&bridge);
	} else
		SSL_CTX_free(bridge.tls);
	config_free(&config);
	log_info("stopped");
	return status;
}
