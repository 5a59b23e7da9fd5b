/*
 * floor_tls.c - the TLS floor: a forked process accepts one TCP connection
 * on loopback, completes a mutually authenticated TLS 1.3 handshake and
 * echoes fixed-size messages back; the parent times 64 B ping-pongs and
 * 1 MiB echoes. The TLS settings are bridged's (bridged/tls.c): TLS 1.3
 * only, no tickets, our certificate and key, the CA for the peer's chain,
 * a certificate demanded from both sides and its name checked. So this is
 * what one bridge hop costs at least, without the frames or binder.
 */
#include "floor_tls.h"

#include "clock.h"
#include "stats.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void report_tls(const char *what)
{
	fprintf(stderr, "floor_tls: %s\n", what);
	ERR_print_errors_fp(stderr);
}

/* One end's TLS context, as bridged makes it. */
static SSL_CTX *context_new(const char *certificate, const char *key, const char *ca)
{
	SSL_CTX *context = SSL_CTX_new(TLS_method());

	if (!context) {
		report_tls("cannot make a TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION);
	SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION);
	SSL_CTX_set_options(context, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(context, 0);
	if (SSL_CTX_use_certificate_chain_file(context, certificate) != 1 ||
	    SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(context) != 1 ||
	    SSL_CTX_load_verify_locations(context, ca, NULL) != 1) {
		fprintf(stderr, "floor_tls: with %s, %s and %s:\n", certificate, key, ca);
		report_tls("cannot load the certificate, key or CA");
		SSL_CTX_free(context);
		return NULL;
	}
	SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_verify_depth(context, 4);
	return context;
}

/* The handshake is done: the peer's certificate chains to the CA and
 * names who we expect. */
static bool peer_is(SSL *ssl, const char *name)
{
	X509 *certificate;

	if (SSL_get_verify_result(ssl) != X509_V_OK)
		return false;
	certificate = SSL_get0_peer_certificate(ssl);
	return certificate && X509_check_host(certificate, name, 0,
	                                      X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
}

static void set_nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* 0 on success, -EPIPE on a clean end of stream, -EPROTO on error. */
static int read_full(SSL *ssl, void *buffer, size_t size)
{
	size_t done = 0;

	while (done < size) {
		size_t n = 0;

		if (SSL_read_ex(ssl, (char *)buffer + done, size - done, &n) == 1) {
			done += n;
			continue;
		}
		switch (SSL_get_error(ssl, 0)) {
		case SSL_ERROR_ZERO_RETURN:
			return -EPIPE;
		case SSL_ERROR_SYSCALL:
			if (errno == EINTR)
				continue;
			/* An unexpected EOF at a message boundary is the end. */
			if (done == 0 && ERR_peek_error() == 0)
				return -EPIPE;
			return -EPROTO;
		default:
			return -EPROTO;
		}
	}
	return 0;
}

static int write_full(SSL *ssl, const void *buffer, size_t size)
{
	size_t done = 0;

	while (done < size) {
		size_t n = 0;

		if (SSL_write_ex(ssl, (const char *)buffer + done, size - done, &n) == 1) {
			done += n;
			continue;
		}
		if (SSL_get_error(ssl, 0) == SSL_ERROR_SYSCALL && errno == EINTR)
			continue;
		return -EPROTO;
	}
	return 0;
}

/* The echo process: one connection, then each message of message_size
 * bytes back until the client closes. */
static void __attribute__((noreturn))
echo_child(int listen_fd, const struct tls_floor_files *files, size_t message_size)
{
	SSL_CTX *context;
	SSL *ssl;
	void *buffer = malloc(message_size);
	int fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!buffer)
		_exit(1);
	context = context_new(files->server_certificate, files->server_key, files->ca);
	if (!context)
		_exit(1);
	do
		fd = accept(listen_fd, NULL, NULL);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		_exit(1);
	close(listen_fd);
	set_nodelay(fd);
	ssl = SSL_new(context);
	if (!ssl || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1) {
		report_tls("server: the handshake failed");
		_exit(1);
	}
	if (!peer_is(ssl, files->client_name)) {
		fprintf(stderr, "floor_tls: server: the client's certificate does not name %s\n",
		        files->client_name);
		_exit(1);
	}
	for (;;) {
		int ret = read_full(ssl, buffer, message_size);

		if (ret == -EPIPE)
			_exit(0);
		if (ret < 0 || write_full(ssl, buffer, message_size) < 0) {
			report_tls("server: echo failed");
			_exit(1);
		}
	}
}

struct echo_peer {
	SSL_CTX *context;
	SSL *ssl;
	int fd;
	pid_t pid;
};

static int listen_on_loopback(struct sockaddr_in *address)
{
	socklen_t length = sizeof(*address);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memset(address, 0, sizeof(*address));
	address->sin_family = AF_INET;
	address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	address->sin_port = 0;
	if (bind(fd, (struct sockaddr *)address, sizeof(*address)) < 0 || listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)address, &length) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int wait_child(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static void echo_peer_free(struct echo_peer *peer)
{
	if (peer->ssl)
		SSL_free(peer->ssl);
	if (peer->fd >= 0)
		close(peer->fd);
	SSL_CTX_free(peer->context);
	peer->ssl = NULL;
	peer->fd = -1;
	peer->context = NULL;
}

static int echo_peer_start(struct echo_peer *peer, const struct tls_floor_files *files,
                           size_t message_size)
{
	struct sockaddr_in address;
	int listen_fd = listen_on_loopback(&address);
	int ret;

	peer->context = NULL;
	peer->ssl = NULL;
	peer->fd = -1;
	peer->pid = -1;
	if (listen_fd < 0)
		return listen_fd;
	fflush(NULL);
	peer->pid = fork();
	if (peer->pid < 0) {
		ret = -errno;
		close(listen_fd);
		return ret;
	}
	if (peer->pid == 0)
		echo_child(listen_fd, files, message_size);
	close(listen_fd);

	ret = -EPROTO;
	peer->context = context_new(files->client_certificate, files->client_key, files->ca);
	if (!peer->context)
		goto fail;
	peer->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (peer->fd < 0 || connect(peer->fd, (struct sockaddr *)&address, sizeof(address)) < 0) {
		ret = -errno;
		goto fail;
	}
	set_nodelay(peer->fd);
	peer->ssl = SSL_new(peer->context);
	if (!peer->ssl || SSL_set_fd(peer->ssl, peer->fd) != 1 || SSL_connect(peer->ssl) != 1) {
		report_tls("client: the handshake failed");
		goto fail;
	}
	if (!peer_is(peer->ssl, files->server_name)) {
		fprintf(stderr, "floor_tls: client: the server's certificate does not name %s\n",
		        files->server_name);
		goto fail;
	}
	return 0;
fail:
	echo_peer_free(peer);
	kill(peer->pid, SIGKILL);
	wait_child(peer->pid);
	return ret;
}

/* Ends the TLS session (the child sees close_notify and exits 0), closes
 * the socket and reaps the child. */
static int echo_peer_stop(struct echo_peer *peer)
{
	SSL_shutdown(peer->ssl);
	echo_peer_free(peer);
	return wait_child(peer->pid);
}

static int roundtrip(SSL *ssl, void *buffer, size_t size)
{
	int ret = write_full(ssl, buffer, size);

	if (ret < 0)
		return ret;
	return read_full(ssl, buffer, size);
}

static int measure_pingpong(const struct bench_config *config, const struct tls_floor_files *files,
                            struct tls_floor_results *results)
{
	const size_t size = 64;
	const size_t count = (size_t)config->unix_pingpongs_per_run;
	char message[64];
	struct echo_peer peer;
	uint64_t *samples = calloc(count, sizeof(*samples));
	double *p50 = calloc((size_t)config->runs, sizeof(*p50));
	double *p99 = calloc((size_t)config->runs, sizeof(*p99));
	int ret;

	if (!samples || !p50 || !p99) {
		ret = -ENOMEM;
		goto out;
	}
	memset(message, 0x5a, sizeof(message));
	ret = echo_peer_start(&peer, files, size);
	if (ret < 0)
		goto out;
	for (int i = 0; i < config->warmup_calls && ret == 0; i++)
		ret = roundtrip(peer.ssl, message, size);
	for (int run = 0; run < config->runs && ret == 0; run++) {
		for (size_t i = 0; i < count && ret == 0; i++) {
			uint64_t start = bench_now_ns();

			ret = roundtrip(peer.ssl, message, size);
			samples[i] = bench_now_ns() - start;
		}
		if (ret < 0)
			break;
		p50[run] = bench_ns_to_us(bench_percentile_ns(samples, count, 50));
		p99[run] = bench_ns_to_us(bench_percentile_ns(samples, count, 99));
	}
	if (ret < 0)
		report_tls("client: 64 B ping-pong failed");
	if (echo_peer_stop(&peer) < 0 && ret == 0)
		ret = -EIO;
	if (ret == 0) {
		results->pingpong_64b_p50_us = bench_median(p50, (size_t)config->runs);
		results->pingpong_64b_p99_us = bench_median(p99, (size_t)config->runs);
	}
out:
	free(samples);
	free(p50);
	free(p99);
	return ret;
}

static int measure_echo(const struct bench_config *config, const struct tls_floor_files *files,
                        struct tls_floor_results *results)
{
	const size_t size = BENCH_MAX_PAYLOAD;
	char *message = malloc(size);
	double *rates = calloc((size_t)config->runs, sizeof(*rates));
	struct echo_peer peer;
	int ret;

	if (!message || !rates) {
		ret = -ENOMEM;
		goto out;
	}
	memset(message, 0xa5, size);
	ret = echo_peer_start(&peer, files, size);
	if (ret < 0)
		goto out;
	for (int i = 0; i < config->unix_echoes_per_run / 4 + 1 && ret == 0; i++)
		ret = roundtrip(peer.ssl, message, size);
	for (int run = 0; run < config->runs && ret == 0; run++) {
		uint64_t start = bench_now_ns();
		uint64_t elapsed;

		for (int i = 0; i < config->unix_echoes_per_run && ret == 0; i++)
			ret = roundtrip(peer.ssl, message, size);
		elapsed = bench_now_ns() - start;
		rates[run] = 2.0 * (double)size * config->unix_echoes_per_run / (double)elapsed;
	}
	if (ret < 0)
		report_tls("client: 1 MiB echo failed");
	if (echo_peer_stop(&peer) < 0 && ret == 0)
		ret = -EIO;
	if (ret == 0)
		results->echo_1mib_gb_per_s = bench_median(rates, (size_t)config->runs);
out:
	free(message);
	free(rates);
	return ret;
}

int bench_tls_floor(const struct bench_config *config, const struct tls_floor_files *files,
                    struct tls_floor_results *results)
{
	int ret = measure_pingpong(config, files, results);

	if (ret < 0)
		return ret;
	return measure_echo(config, files, results);
}
