/*
 * floor_relay.c - the relay floor (floor_relay.h). Three processes: this
 * one runs the client threads; a forked relay moves bytes between each
 * client's socket and its server's with one epoll loop; a forked server
 * process runs one echo thread per client. Clients and servers wait in
 * poll() and then read, as libbinder's device layer does, and a message
 * is 64 B. A client's socket reaching EOF ends its relay pair and server.
 */
#include "floor_relay.h"

#include "stats.h"
#include "thread_round.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MESSAGE_SIZE 64u

/* Sleeps in poll() until fd is readable, then reads exactly size bytes.
 * 0, -EPIPE at end of stream, or -errno. */
static int wait_and_read(int fd, uint8_t *buffer, size_t size)
{
	size_t done = 0;

	while (done < size) {
		struct pollfd ready = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&ready, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		n = read(fd, buffer + done, size - done);
		if (n > 0)
			done += (size_t)n;
		else if (n == 0)
			return -EPIPE;
		else if (errno != EINTR && errno != EAGAIN)
			return -errno;
	}
	return 0;
}

static int write_all(int fd, const uint8_t *buffer, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = send(fd, buffer + done, size - done, MSG_NOSIGNAL);

		if (n >= 0)
			done += (size_t)n;
		else if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/* ---- the server process: one echo thread per client ---- */

static void *echo_thread(void *argument)
{
	int fd = (int)(intptr_t)argument;
	uint8_t message[MESSAGE_SIZE];

	while (wait_and_read(fd, message, sizeof(message)) == 0)
		if (write_all(fd, message, sizeof(message)) < 0)
			break;
	close(fd);
	return NULL;
}

static void __attribute__((noreturn)) server_main(const int *fds, int count)
{
	pthread_t threads[BENCH_MAX_CLIENT_THREADS];
	int started = 0;

	for (; started < count; started++)
		if (pthread_create(&threads[started], NULL, echo_thread,
		                   (void *)(intptr_t)fds[started]) != 0)
			break;
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	_exit(started == count ? 0 : 1);
}

/* ---- the relay process ---- */

static void __attribute__((noreturn))
relay_main(const int *client_fds, const int *server_fds, int count)
{
	struct epoll_event events[2 * BENCH_MAX_CLIENT_THREADS];
	uint8_t buffer[4096];
	int epoll = epoll_create1(EPOLL_CLOEXEC);
	int open_pairs = count;

	if (epoll < 0)
		_exit(1);
	for (int i = 0; i < count; i++) {
		/* data.u32: the pair, and whether the fd is the server's. */
		struct epoll_event client = {.events = EPOLLIN, .data.u32 = (uint32_t)i * 2};
		struct epoll_event server = {.events = EPOLLIN, .data.u32 = (uint32_t)i * 2 + 1};

		if (epoll_ctl(epoll, EPOLL_CTL_ADD, client_fds[i], &client) < 0 ||
		    epoll_ctl(epoll, EPOLL_CTL_ADD, server_fds[i], &server) < 0)
			_exit(1);
	}
	while (open_pairs > 0) {
		int ready = epoll_wait(epoll, events, 2 * BENCH_MAX_CLIENT_THREADS, -1);

		if (ready < 0 && errno != EINTR)
			_exit(1);
		for (int e = 0; e < ready; e++) {
			int pair = (int)(events[e].data.u32 / 2);
			bool from_server = events[e].data.u32 % 2;
			int from = from_server ? server_fds[pair] : client_fds[pair];
			int to = from_server ? client_fds[pair] : server_fds[pair];
			ssize_t n = read(from, buffer, sizeof(buffer));

			if (n > 0 && write_all(to, buffer, (size_t)n) == 0)
				continue;
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			/* End of the pair: both sockets go, the server sees EOF. */
			epoll_ctl(epoll, EPOLL_CTL_DEL, client_fds[pair], NULL);
			epoll_ctl(epoll, EPOLL_CTL_DEL, server_fds[pair], NULL);
			close(client_fds[pair]);
			close(server_fds[pair]);
			open_pairs--;
		}
	}
	_exit(0);
}

/* ---- the client threads (this process) ---- */

/* The client sockets of a measurement; each round's threads take one
 * each, in the order they first call. */
struct relay_clients {
	const int *fds;
	atomic_int next;
};

static _Thread_local int thread_fd = -1;

/* thread_round_call: one 64 B round trip on the thread's own socket. */
static int relay_call(void *argument, uint64_t index)
{
	struct relay_clients *clients = argument;
	uint8_t message[MESSAGE_SIZE];
	int error;

	(void)index;
	/* A new thread (each round has its own) takes the next socket. */
	if (thread_fd < 0)
		thread_fd = clients->fds[atomic_fetch_add(&clients->next, 1)];
	memset(message, 0x5a, sizeof(message));
	error = write_all(thread_fd, message, sizeof(message));
	if (error == 0)
		error = wait_and_read(thread_fd, message, sizeof(message));
	return error;
}

/* A round of thread_round_run: a fresh thread per client socket. */
static int run_round(struct relay_clients *clients, int threads, double seconds, double *rate)
{
	atomic_store(&clients->next, 0);
	return thread_round_run(relay_call, clients, threads, seconds, "binder_bench", rate);
}

static int reap(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static void close_fds(int *fds, int count)
{
	for (int i = 0; i < count; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int bench_relay_floor(const struct bench_config *config, int threads, double *calls_per_s)
{
	int client_fds[BENCH_MAX_CLIENT_THREADS], client_relay_fds[BENCH_MAX_CLIENT_THREADS];
	int server_fds[BENCH_MAX_CLIENT_THREADS], server_relay_fds[BENCH_MAX_CLIENT_THREADS];
	struct relay_clients clients = {.fds = client_fds};
	pid_t relay = -1, server = -1;
	int ret = 0;
	double *rates;

	if (threads < 1 || threads > BENCH_MAX_CLIENT_THREADS)
		return -EINVAL;
	for (int i = 0; i < threads; i++)
		client_fds[i] = client_relay_fds[i] = server_fds[i] = server_relay_fds[i] = -1;
	for (int i = 0; i < threads && ret == 0; i++) {
		int pair[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
			ret = -errno;
			break;
		}
		client_fds[i] = pair[0];
		client_relay_fds[i] = pair[1];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
			ret = -errno;
			break;
		}
		server_fds[i] = pair[0];
		server_relay_fds[i] = pair[1];
	}
	fflush(NULL);
	if (ret == 0 && (server = fork()) == 0) {
		close_fds(client_fds, threads);
		close_fds(client_relay_fds, threads);
		close_fds(server_relay_fds, threads);
		server_main(server_fds, threads);
	}
	if (ret == 0 && server < 0)
		ret = -errno;
	close_fds(server_fds, threads);
	if (ret == 0 && (relay = fork()) == 0) {
		close_fds(client_fds, threads);
		relay_main(client_relay_fds, server_relay_fds, threads);
	}
	if (ret == 0 && relay < 0)
		ret = -errno;
	close_fds(client_relay_fds, threads);
	close_fds(server_relay_fds, threads);

	rates = calloc((size_t)config->runs, sizeof(*rates));
	if (ret == 0 && !rates)
		ret = -ENOMEM;
	if (ret == 0) {
		double warmup;

		ret = run_round(&clients, threads, config->thread_warmup_seconds, &warmup);
		for (int run = 0; run < config->runs && ret == 0; run++)
			ret = run_round(&clients, threads, config->thread_run_seconds, &rates[run]);
		if (ret == 0)
			*calls_per_s = bench_median(rates, (size_t)config->runs);
	}
	free(rates);
	/* EOF on every client socket ends the relay, then the servers. */
	close_fds(client_fds, threads);
	if (relay > 0 && reap(relay) < 0 && ret == 0)
		ret = -EIO;
	if (server > 0 && reap(server) < 0 && ret == 0)
		ret = -EIO;
	return ret;
}
