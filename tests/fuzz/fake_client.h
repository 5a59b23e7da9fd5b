/*
 * fake_client.h - the client side of <binderd/socket_protocol.h>, in the same
 * process as binderd's core: a few binder processes on socketpairs
 * (handed to proc_accept), their thread channels and send areas, requests
 * sent on them, and the answers read back, checked for what binderd
 * promises (framing, read sizes, buffer addresses inside the receive area)
 * and remembered (buffers to free, references and deaths to acknowledge).
 */
#ifndef FUZZ_FAKE_CLIENT_H
#define FUZZ_FAKE_CLIENT_H

#include <linux/android/binder.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fuzz_input.h"

#define CLIENT_MAX_RECEIVED_FDS 512u
#define CLIENT_MAX_RAW_FDS      253u /* the kernel's SCM_MAX_FD */
#define CLIENT_MAX_REMEMBERED   32u
#define CLIENT_MAX_PROCESSES    8u

struct client_channel {
	int fd; /* our end; -1 once closed */
	uint8_t *input;
	size_t input_length;
	size_t input_capacity;
	int received_fds[CLIENT_MAX_RECEIVED_FDS];
	size_t received_fd_count;
};

struct client_ack {
	uint32_t cmd; /* BC_INCREFS_DONE or BC_ACQUIRE_DONE */
	struct binder_ptr_cookie target;
};

/* How a process connects (world_add_process). */
struct client_process_config {
	size_t area_size;  /* asked for in BINDERD_OP_MMAP */
	size_t threads;    /* thread channels made at the start */
	bool direct_reads; /* HELLO offers a probe of our memory */
	bool map_area;     /* really map the receive area at user_base */
	bool deaf;         /* never read its thread channels */
	bool connect_only; /* no hello, area or thread: the caller speaks */
	uid_t euid;        /* connect as this euid (when we are root) */
	bool other_euid;   /* euid above is to be used */
};

struct client_process {
	struct client_channel channel;
	uint64_t user_base;
	size_t area_size;  /* bytes binderd may use for buffers */
	bool direct_reads; /* binderd's HELLO answer granted them */
	bool offers_direct_reads;
	bool deaf;
	bool other_euid;
	uid_t euid;
	void *mapping; /* reserved, then the area mapped read-only; or NULL */
	size_t mapping_size;
	bool mapped;
	binder_uintptr_t buffers[CLIENT_MAX_REMEMBERED];
	size_t buffer_count;
	struct client_ack acks[CLIENT_MAX_REMEMBERED];
	size_t ack_count;
	binder_uintptr_t deaths[CLIENT_MAX_REMEMBERED];
	size_t death_count;
};

/* What the thread waits for an answer to. */
enum client_awaiting {
	AWAIT_NOTHING = 0,
	AWAIT_WRITE_READ,
	AWAIT_OTHER_IOCTL,
};

struct client_thread {
	struct client_channel channel;
	size_t process; /* index in world->processes */
	enum client_awaiting awaiting;
	uint64_t write_size; /* of the awaited BINDER_WRITE_READ */
	uint64_t read_size;
	bool desynced; /* requests sent while answers were awaited */
};

struct client_world {
	struct client_process processes[CLIENT_MAX_PROCESSES];
	size_t process_count;
	struct client_thread threads[FUZZ_MAX_THREADS];
	size_t thread_count;
	int send_area_fd; /* -1: threads get no send area */
	int attach_fd;    /* what BINDER_TYPE_FD objects carry */
	bool bad_fd_numbers;
	bool small_socket_buffers;
	/* Called on each fuzzed write stream before it is sent (may be NULL):
	 * e.g. to turn offsets into addresses of our memory. */
	void (*adjust_stream)(struct client_world *world, struct client_thread *thread,
	                      uint8_t *stream, size_t size);
};

/* FUZZ_BINDERD_TRACE set: print operations and answers. */
extern bool client_trace;
void client_trace_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Prints the reason and aborts, so that the fuzzer records the input. */
void fuzz_fail(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Creates the processes (hello, receive area), threads_per_process thread
 * channels each with the send area. Returns 0 or -errno. */
int world_start(struct client_world *world, size_t process_count, size_t threads_per_process,
                size_t area_size, const uint8_t *send_area, size_t send_area_size, int attach_fd,
                bool bad_fd_numbers, bool small_socket_buffers);
/* An empty world: no process yet (world_add_process). Returns 0 or -errno. */
int world_init(struct client_world *world, const uint8_t *send_area, size_t send_area_size,
               int attach_fd, bool bad_fd_numbers, bool small_socket_buffers);
/* Connects a process (hello, receive area, thread channels); returns its
 * index or -errno. */
int world_add_process(struct client_world *world, const struct client_process_config *config);
/* Adds a thread channel to a process; returns its index or -errno. */
int world_add_thread(struct client_world *world, size_t process);
/* Takes our end of a thread channel that was announced by hand (raw
 * NEW_THREAD); its answers are read but not checked (desynced). Returns
 * its index, or -EMFILE when the world is full (fd is then the caller's). */
int world_adopt_thread(struct client_world *world, size_t process, int fd);
/* Sends BINDER_WRITE_READ with the write stream; false if not sent. */
bool thread_write_read(struct client_world *world, struct client_thread *thread,
                       const uint8_t *stream, size_t size, size_t read_size, uint32_t flags,
                       size_t fd_count, bool force);
/* Other ioctls: answered with a result message. */
bool thread_ioctl(struct client_thread *thread, uint64_t command, const void *argument, size_t size,
                  bool force);
/* A raw request (for headers binderd must refuse). */
bool channel_send_raw(struct client_channel *channel, const void *bytes, size_t size);
/* Raw bytes with fds attached (SCM_RIGHTS, at most SCM_MAX_FD), the last
 * byte out of band when oob. Returns the bytes sent, or -errno; a channel
 * that cannot take them all stays open. */
long channel_send_raw_fds(struct client_channel *channel, const void *bytes, size_t size,
                          const int *fds, size_t fd_count, bool oob);
bool thread_poll_arm(struct client_thread *thread);
void client_channel_close(struct client_channel *channel);
/* Runs binderd's loop and reads every answer until nothing moves. */
void world_pump(struct client_world *world);
/* Closes every channel (binderd sees the processes die). */
void world_close(struct client_world *world);

#endif
