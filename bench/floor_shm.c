/*
 * floor_shm.c - the shared-memory floor (floor_shm.h). This process runs
 * the client threads; a forked server process runs one echo thread per
 * client thread. They share one memfd (memfd_create, mmap(MAP_SHARED)),
 * mapped here before the fork so that the server inherits the mapping; in
 * the design it stands for, binderd would create the memfd and pass it to
 * both processes over their sockets.
 *
 * The memfd holds one cache-line-aligned slot per client thread: a futex
 * word (enum slot_state), a length and a 64 B message. A call: the client
 * writes the message and its length, stores REQUEST (release) and wakes
 * the futex; the server thread, asleep in FUTEX_WAIT until REQUEST, copies
 * the message out and back (an echo that touches the bytes, as the relay
 * floor's servers do), stores REPLY (release) and wakes; the client, asleep
 * until REPLY, copies the reply out, checks it and stores IDLE. CLOSED,
 * stored by the client, ends the server thread.
 *
 * The futexes are shared (no FUTEX_PRIVATE_FLAG): the waiter and the waker
 * are different processes. Both sides go straight to sleep, with no spin
 * first, since the sockets this is compared with sleep too; a spin before
 * the wait would change the figure (on two cores, a call could often be
 * answered without either side sleeping).
 *
 * Every wait is bounded. A FUTEX_WAIT sleeps at most WAIT_SLICE_NS; after
 * a slice without a wake-up the waiter checks its peer (the client polls
 * the server's pidfd, the server checks that its parent is still the
 * client) and gives up after NO_PROGRESS_LIMIT_NS without the slot's state
 * changing. The server also dies with the client (PR_SET_PDEATHSIG), and
 * the client reaps it after a bounded wait, killing it if it must.
 */
#include "floor_shm.h"

#include "clock.h"
#include "stats.h"
#include "thread_round.h"

#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MESSAGE_SIZE    64u
#define CACHE_LINE_SIZE 64u

/* The longest one FUTEX_WAIT sleeps before the waiter checks its peer. */
#define WAIT_SLICE_NS 100000000L
/* A wait fails after this long without its slot's state changing, and the
 * client kills a server that has not exited this long after CLOSED. */
#define NO_PROGRESS_LIMIT_NS 10000000000ull
#define NO_PROGRESS_LIMIT_MS 10000

/* A slot's futex word. Who owns the message and length follows from it. */
enum slot_state {
	SLOT_IDLE,    /* no call: the client's */
	SLOT_REQUEST, /* a call: the server's */
	SLOT_REPLY,   /* the echo: the client's again */
	SLOT_CLOSED,  /* the client is done; the server thread ends */
};

/* One client thread's line to its server thread, in the shared memfd. */
struct shm_slot {
	/* enum slot_state, the futex word. Stored with release by the side
	 * handing the message over (REQUEST, IDLE, CLOSED: the client; REPLY:
	 * the server), loaded with acquire. */
	_Alignas(CACHE_LINE_SIZE) _Atomic uint32_t state;
	/* Bytes of message in use, at most MESSAGE_SIZE; written by the
	 * message's owner. Atomic (relaxed) so that the server reads a value
	 * only once, whatever a faulty client does. */
	_Atomic uint32_t length;
	uint8_t message[MESSAGE_SIZE];
};

_Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t), "a futex word is 32 bits");
_Static_assert(sizeof(struct shm_slot) % CACHE_LINE_SIZE == 0, "slots share no cache line");

/* The other end of a slot, checked when a wait sleeps a whole slice. */
struct peer {
	/* The server process seen from the client; -1 in the server. */
	int server_pidfd;
	/* The client process seen from the server; 0 in the client. */
	pid_t client_pid;
};

static long futex_wait(_Atomic uint32_t *word, uint32_t expected, const struct timespec *timeout)
{
	return syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, expected, timeout, NULL, 0);
}

static long futex_wake(_Atomic uint32_t *word)
{
	return syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static bool peer_alive(const struct peer *peer)
{
	if (peer->server_pidfd >= 0) {
		struct pollfd exited = {.fd = peer->server_pidfd, .events = POLLIN};

		/* A pidfd is readable once its process has exited. */
		return poll(&exited, 1, 0) != 1;
	}
	/* A dead client's children are handed to another process. */
	return getppid() == peer->client_pid;
}

/*
 * Sleeps on slot->state until it is wanted: 0. -EPIPE if it is CLOSED
 * instead, -EPROTO for a state that does not exist, -ECONNRESET if a slice
 * passed without a wake-up and the peer is gone, -ETIMEDOUT after
 * NO_PROGRESS_LIMIT_NS without a change of state, or -errno. The clock is
 * read only when a wait returned with the state unchanged, never on a
 * call's usual path.
 */
static int wait_for_state(struct shm_slot *slot, uint32_t wanted, const struct peer *peer)
{
	const struct timespec slice = {.tv_sec = 0, .tv_nsec = WAIT_SLICE_NS};
	uint32_t seen = UINT32_MAX;
	uint64_t deadline_ns = 0;

	for (;;) {
		uint32_t state = atomic_load_explicit(&slot->state, memory_order_acquire);

		if (state == wanted)
			return 0;
		if (state == SLOT_CLOSED)
			return -EPIPE;
		if (state > SLOT_CLOSED)
			return -EPROTO;
		if (state != seen) {
			seen = state;
			deadline_ns = 0;
		} else if (deadline_ns == 0) {
			deadline_ns = bench_now_ns() + NO_PROGRESS_LIMIT_NS;
		} else if (bench_now_ns() >= deadline_ns) {
			return -ETIMEDOUT;
		}
		if (futex_wait(&slot->state, state, &slice) == 0)
			continue;
		if (errno == ETIMEDOUT) {
			if (!peer_alive(peer))
				return -ECONNRESET;
		} else if (errno != EAGAIN && errno != EINTR) {
			return -errno;
		}
	}
}

/* ---- the server process: one echo thread per slot ---- */

struct server_thread {
	pthread_t thread;
	struct shm_slot *slot;
	struct peer client;
};

/* Echoes the slot's calls until CLOSED; ends the whole server process on
 * any failure, so that the client notices within a slice. */
static void *server_thread_main(void *argument)
{
	struct server_thread *server = argument;
	struct shm_slot *slot = server->slot;
	uint8_t message[MESSAGE_SIZE];
	int ret;

	while ((ret = wait_for_state(slot, SLOT_REQUEST, &server->client)) == 0) {
		uint32_t length = atomic_load_explicit(&slot->length, memory_order_relaxed);

		if (length > MESSAGE_SIZE)
			_exit(1);
		memcpy(message, slot->message, length);
		/* A compiler barrier: the copy back is made, not optimised out
		 * as a store of the bytes just loaded. */
		atomic_signal_fence(memory_order_seq_cst);
		memcpy(slot->message, message, length);
		atomic_store_explicit(&slot->length, length, memory_order_relaxed);
		atomic_store_explicit(&slot->state, SLOT_REPLY, memory_order_release);
		if (futex_wake(&slot->state) < 0)
			_exit(1);
	}
	if (ret != -EPIPE)
		_exit(1);
	return NULL;
}

static void __attribute__((noreturn)) server_main(struct shm_slot *slots, int count, pid_t client)
{
	struct server_thread threads[BENCH_MAX_CLIENT_THREADS];

	/* Killed when the client's main thread (which forked this process and
	 * outlives it) exits; checked after, in case it already has. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != client)
		_exit(1);
	for (int i = 0; i < count; i++) {
		threads[i] = (struct server_thread){
		        .slot = &slots[i],
		        .client = {.server_pidfd = -1, .client_pid = client},
		};
		if (pthread_create(&threads[i].thread, NULL, server_thread_main, &threads[i]) != 0)
			_exit(1);
	}
	for (int i = 0; i < count; i++)
		pthread_join(threads[i].thread, NULL);
	_exit(0);
}

/* ---- the client side (this process) ---- */

struct shm_server {
	struct shm_slot *slots;
	size_t mapping_size;
	int count;
	pid_t pid;
	struct peer peer;
};

/* Maps count fresh slots (a new memfd's bytes are zero: every slot IDLE)
 * and forks the server. 0 or -errno. */
static int shm_server_start(struct shm_server *server, int count)
{
	size_t size = (size_t)count * sizeof(struct shm_slot);
	pid_t client = getpid();
	int memfd = memfd_create("binder_bench_shm_floor", MFD_CLOEXEC);
	int ret;

	if (memfd < 0)
		return -errno;
	if (ftruncate(memfd, (off_t)size) < 0) {
		ret = -errno;
		close(memfd);
		return ret;
	}
	server->slots = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ret = server->slots == MAP_FAILED ? -errno : 0;
	close(memfd);
	if (ret < 0)
		return ret;
	server->mapping_size = size;
	server->count = count;
	fflush(NULL);
	server->pid = fork();
	if (server->pid < 0) {
		ret = -errno;
		munmap(server->slots, size);
		return ret;
	}
	if (server->pid == 0)
		server_main(server->slots, count, client);
	/* The child is not reaped before this, so its pid is still its own. */
	server->peer = (struct peer){.server_pidfd = pidfd_open(server->pid, 0), .client_pid = 0};
	if (server->peer.server_pidfd < 0) {
		ret = -errno;
		kill(server->pid, SIGKILL);
		while (waitpid(server->pid, NULL, 0) < 0 && errno == EINTR)
			;
		munmap(server->slots, size);
		return ret;
	}
	return 0;
}

/* Closes every slot, waits up to NO_PROGRESS_LIMIT_MS for the server to
 * exit (then kills it), reaps it and unmaps the slots. 0, -ETIMEDOUT, -EIO
 * if it did not exit 0, or -errno. */
static int shm_server_stop(struct shm_server *server)
{
	struct pollfd exited = {.fd = server->peer.server_pidfd, .events = POLLIN};
	int status = 0;
	int ready;
	int ret = 0;

	for (int i = 0; i < server->count; i++) {
		atomic_store_explicit(&server->slots[i].state, SLOT_CLOSED, memory_order_release);
		futex_wake(&server->slots[i].state);
	}
	do
		ready = poll(&exited, 1, NO_PROGRESS_LIMIT_MS);
	while (ready < 0 && errno == EINTR);
	if (ready != 1) {
		ret = ready < 0 ? -errno : -ETIMEDOUT;
		kill(server->pid, SIGKILL);
	}
	while (waitpid(server->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			if (ret == 0)
				ret = -errno;
			break;
		}
	}
	if (ret == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		ret = -EIO;
	close(server->peer.server_pidfd);
	munmap(server->slots, server->mapping_size);
	return ret;
}

/* One 64 B call on slot, its bytes depending on index: 0, -EBADMSG for a
 * wrong echo, or wait_for_state's error. */
static int shm_call(struct shm_slot *slot, const struct peer *server, uint64_t index)
{
	uint8_t request[MESSAGE_SIZE], reply[MESSAGE_SIZE];
	uint32_t length;
	int ret;

	memset(request, (int)(index & 0xff), sizeof(request));
	memcpy(slot->message, request, sizeof(request));
	atomic_store_explicit(&slot->length, MESSAGE_SIZE, memory_order_relaxed);
	atomic_store_explicit(&slot->state, SLOT_REQUEST, memory_order_release);
	if (futex_wake(&slot->state) < 0)
		return -errno;
	ret = wait_for_state(slot, SLOT_REPLY, server);
	if (ret < 0)
		return ret;
	length = atomic_load_explicit(&slot->length, memory_order_relaxed);
	if (length == MESSAGE_SIZE)
		memcpy(reply, slot->message, sizeof(reply));
	atomic_store_explicit(&slot->state, SLOT_IDLE, memory_order_release);
	if (length != MESSAGE_SIZE || memcmp(reply, request, sizeof(reply)) != 0)
		return -EBADMSG;
	return 0;
}

static int measure_latency(const struct bench_config *config, struct shm_floor_results *results)
{
	const size_t calls = (size_t)config->unix_pingpongs_per_run;
	uint64_t *samples = calloc(calls, sizeof(*samples));
	double *p50 = calloc((size_t)config->runs, sizeof(*p50));
	double *p99 = calloc((size_t)config->runs, sizeof(*p99));
	struct shm_server server;
	uint64_t index = 0;
	int stopped;
	int ret;

	if (!samples || !p50 || !p99) {
		ret = -ENOMEM;
		goto out;
	}
	ret = shm_server_start(&server, 1);
	if (ret < 0)
		goto out;
	for (int i = 0; i < config->warmup_calls && ret == 0; i++)
		ret = shm_call(&server.slots[0], &server.peer, index++);
	for (int run = 0; run < config->runs && ret == 0; run++) {
		for (size_t i = 0; i < calls && ret == 0; i++) {
			uint64_t start = bench_now_ns();

			ret = shm_call(&server.slots[0], &server.peer, index++);
			samples[i] = bench_now_ns() - start;
		}
		if (ret < 0)
			break;
		p50[run] = bench_ns_to_us(bench_percentile_ns(samples, calls, 50));
		p99[run] = bench_ns_to_us(bench_percentile_ns(samples, calls, 99));
	}
	stopped = shm_server_stop(&server);
	if (ret == 0)
		ret = stopped;
	if (ret == 0) {
		results->call_64b_p50_us = bench_median(p50, (size_t)config->runs);
		results->call_64b_p99_us = bench_median(p99, (size_t)config->runs);
	}
out:
	free(samples);
	free(p50);
	free(p99);
	return ret;
}

/* The slots of a calls/s measurement; each round's threads take one
 * each, in the order they first call. */
struct shm_clients {
	struct shm_server *server;
	atomic_int next;
};

static _Thread_local struct shm_slot *thread_slot;

/* thread_round_call: one 64 B call on the thread's own slot. */
static int shm_round_call(void *argument, uint64_t index)
{
	struct shm_clients *clients = argument;

	/* A new thread (each round has its own) takes the next slot. */
	if (!thread_slot) {
		int next = atomic_fetch_add(&clients->next, 1);

		if (next >= clients->server->count)
			return -EINVAL;
		thread_slot = &clients->server->slots[next];
	}
	return shm_call(thread_slot, &clients->server->peer, index);
}

static int run_round(struct shm_clients *clients, int threads, double seconds, double *rate)
{
	atomic_store(&clients->next, 0);
	return thread_round_run(shm_round_call, clients, threads, seconds, "binder_bench", rate);
}

static int measure_rate(const struct bench_config *config, int threads,
                        struct shm_floor_results *results)
{
	double *rates = calloc((size_t)config->runs, sizeof(*rates));
	struct shm_server server;
	struct shm_clients clients = {.server = &server};
	double warmup;
	int stopped;
	int ret;

	if (!rates)
		return -ENOMEM;
	ret = shm_server_start(&server, threads);
	if (ret < 0) {
		free(rates);
		return ret;
	}
	ret = run_round(&clients, threads, config->thread_warmup_seconds, &warmup);
	for (int run = 0; run < config->runs && ret == 0; run++)
		ret = run_round(&clients, threads, config->thread_run_seconds, &rates[run]);
	stopped = shm_server_stop(&server);
	if (ret == 0)
		ret = stopped;
	if (ret == 0)
		results->calls_per_s = bench_median(rates, (size_t)config->runs);
	free(rates);
	return ret;
}

int bench_shm_floor(const struct bench_config *config, int threads,
                    struct shm_floor_results *results)
{
	int ret;

	if (threads < 1 || threads > BENCH_MAX_CLIENT_THREADS)
		return -EINVAL;
	ret = measure_latency(config, results);
	if (ret < 0)
		return ret;
	return measure_rate(config, threads, results);
}
