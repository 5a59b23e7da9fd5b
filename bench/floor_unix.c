/*
 * floor_unix.c - the AF_UNIX floor: a forked process echoes fixed-size
 * messages back over a SOCK_STREAM socketpair; the parent times 64 B
 * ping-pongs and 1 MiB echoes. This is what one relay hop costs at least,
 * measured in the same run as the binder figures.
 */
#include "floor_unix.h"

#include "clock.h"
#include "stats.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* 0 on success, -EPIPE on end of stream, -errno on error. */
static int read_full(int fd, void *buffer, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = read(fd, (char *)buffer + done, size - done);

		if (n > 0)
			done += (size_t)n;
		else if (n == 0)
			return -EPIPE;
		else if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static int write_full(int fd, const void *buffer, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = send(fd, (const char *)buffer + done, size - done, MSG_NOSIGNAL);

		if (n >= 0)
			done += (size_t)n;
		else if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/* The echo process: returns each message of message_size bytes until EOF. */
static void __attribute__((noreturn)) echo_child(int fd, size_t message_size)
{
	void *buffer = malloc(message_size);

	if (!buffer)
		_exit(1);
	for (;;) {
		int ret = read_full(fd, buffer, message_size);

		if (ret == -EPIPE)
			_exit(0);
		if (ret < 0 || write_full(fd, buffer, message_size) < 0)
			_exit(1);
	}
}

struct echo_peer {
	int fd;
	pid_t pid;
};

static int echo_peer_start(struct echo_peer *peer, size_t message_size)
{
	int fds[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
		return -errno;
	fflush(NULL);
	peer->pid = fork();
	if (peer->pid < 0) {
		int err = -errno;

		close(fds[0]);
		close(fds[1]);
		return err;
	}
	if (peer->pid == 0) {
		close(fds[0]);
		echo_child(fds[1], message_size);
	}
	close(fds[1]);
	peer->fd = fds[0];
	return 0;
}

/* Closes the socket (the child sees EOF) and reaps the child. */
static int echo_peer_stop(struct echo_peer *peer)
{
	int status = 0;

	close(peer->fd);
	while (waitpid(peer->pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int roundtrip(int fd, void *buffer, size_t size)
{
	int ret = write_full(fd, buffer, size);

	if (ret < 0)
		return ret;
	return read_full(fd, buffer, size);
}

static int measure_pingpong(const struct bench_config *config, struct unix_floor_results *results)
{
	const size_t size = 64;
	char message[64];
	struct echo_peer peer;
	uint64_t *samples = calloc((size_t)config->unix_pingpongs_per_run, sizeof(*samples));
	double *p50 = calloc((size_t)config->runs, sizeof(*p50));
	double *p99 = calloc((size_t)config->runs, sizeof(*p99));
	int ret;

	if (!samples || !p50 || !p99) {
		ret = -ENOMEM;
		goto out;
	}
	memset(message, 0x5a, sizeof(message));
	ret = echo_peer_start(&peer, size);
	if (ret < 0)
		goto out;
	for (int i = 0; i < config->warmup_calls && ret == 0; i++)
		ret = roundtrip(peer.fd, message, size);
	for (int run = 0; run < config->runs && ret == 0; run++) {
		for (int i = 0; i < config->unix_pingpongs_per_run && ret == 0; i++) {
			uint64_t start = bench_now_ns();

			ret = roundtrip(peer.fd, message, size);
			samples[i] = bench_now_ns() - start;
		}
		if (ret < 0)
			break;
		p50[run] = bench_ns_to_us(
		        bench_percentile_ns(samples, (size_t)config->unix_pingpongs_per_run, 50));
		p99[run] = bench_ns_to_us(
		        bench_percentile_ns(samples, (size_t)config->unix_pingpongs_per_run, 99));
	}
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

static int measure_echo(const struct bench_config *config, struct unix_floor_results *results)
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
	ret = echo_peer_start(&peer, size);
	if (ret < 0)
		goto out;
	for (int i = 0; i < config->unix_echoes_per_run / 4 + 1 && ret == 0; i++)
		ret = roundtrip(peer.fd, message, size);
	for (int run = 0; run < config->runs && ret == 0; run++) {
		uint64_t start = bench_now_ns();
		uint64_t elapsed;

		for (int i = 0; i < config->unix_echoes_per_run && ret == 0; i++)
			ret = roundtrip(peer.fd, message, size);
		elapsed = bench_now_ns() - start;
		rates[run] = 2.0 * (double)size * config->unix_echoes_per_run / (double)elapsed;
	}
	if (echo_peer_stop(&peer) < 0 && ret == 0)
		ret = -EIO;
	if (ret == 0)
		results->echo_1mib_gb_per_s = bench_median(rates, (size_t)config->runs);
out:
	free(message);
	free(rates);
	return ret;
}

int bench_unix_floor(const struct bench_config *config, struct unix_floor_results *results)
{
	int ret = measure_pingpong(config, results);

	if (ret < 0)
		return ret;
	return measure_echo(config, results);
}
