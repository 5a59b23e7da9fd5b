/*
 * raw_client.h - a minimal client of binderd's socket protocol
 * (<binderd/socket_protocol.h>), written from the header alone, so that the
 * robustness tests can send binderd exactly the bytes they want: framing
 * errors, lying headers, wild offsets into the send area. Every wait is
 * bounded by a timeout.
 */
#ifndef ROBUSTNESS_RAW_CLIENT_H
#define ROBUSTNESS_RAW_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binderd/socket_protocol.h"

/* Longest wait for an answer that must come. */
#define RAW_WAIT_MS 5000

/* One connection to binderd: a binder process. */
struct raw_process {
	int fd; /* the process channel */
	int32_t pid_seen;
	const uint8_t *area; /* the receive area, mapped read-only */
	size_t area_size;
	bool direct_reads;    /* binderd granted direct reads at HELLO */
	uint32_t hello_flags; /* BINDERD_HELLO_* of HELLO's answer */
};

/* When set, raw_open_process sends it with HELLO (asks for direct reads,
 * see <binderd/socket_protocol.h>); NULL by default. */
extern const struct binderd_hello *raw_hello_probe;

/* One thread channel of a raw process, with its send area. */
struct raw_thread {
	int fd; /* our end of the thread channel */
	int send_area_fd;
	uint8_t *send_area; /* mapped read-write here */
	size_t send_area_size;
};

/* Connects to $BINDER_DEVICE. Returns the socket or -errno. */
int raw_connect(void);

/* Writes all bytes (bounded wait for room). 0 or -errno. */
int raw_send_bytes(int fd, const void *bytes, size_t size);

/* Sends one request header (and payload, and fds on its first byte).
 * fd_count_claimed goes in the header, fd_count fds are attached. */
int raw_send_request(int fd, uint32_t op, uint64_t arg, const void *payload, size_t payload_size,
                     const int *fds, size_t fd_count, uint32_t fd_count_claimed);

/* Receives one message: header, payload (up to capacity; more is an
 * error), fds (closed unless fds is given). 0, -ETIMEDOUT, -EPIPE when
 * binderd closed the connection, or another -errno. */
int raw_receive(int fd, struct binderd_message *message, void *payload, size_t capacity, int *fds,
                size_t max_fds, int timeout_ms);

/* Reads and drops everything until binderd closes the connection. true if
 * it did within timeout_ms. */
bool raw_wait_closed(int fd, int timeout_ms);

/* Connect, HELLO, and map a receive area of area_size (0: no mmap).
 * 0 or -errno. */
int raw_open_process(struct raw_process *process, size_t area_size);
void raw_close_process(struct raw_process *process);

/* Adds a thread channel with a send area of send_area_size bytes. */
int raw_open_thread(struct raw_process *process, struct raw_thread *thread, size_t send_area_size);
void raw_close_thread(struct raw_thread *thread);

/* An ioctl on the thread channel that answers with a fixed-size payload
 * (BINDER_VERSION, BINDER_SET_MAX_THREADS, ...). Returns the status. */
int raw_ioctl(struct raw_thread *thread, uint64_t command, const void *argument,
              size_t argument_size, void *result, size_t result_capacity);

/* BINDER_WRITE_READ outcome. */
struct raw_write_read {
	int status;              /* the ioctl's result: 0 or -errno */
	uint64_t write_consumed; /* as binderd reported it */
	size_t read_size;        /* bytes in read */
	uint8_t read[BINDERD_MAX_READ_SIZE];
};

/*
 * BINDER_WRITE_READ: write bytes (the BC_ stream; buffer/offsets fields of
 * transactions are offsets into the send area), then read up to read_size
 * bytes (0: no read). flags: BINDERD_WR_NONBLOCK. Returns 0 when an answer
 * came (see result->status), -ETIMEDOUT, -EPIPE or another -errno.
 */
int raw_write_read(struct raw_thread *thread, const void *bytes, size_t size, size_t read_size,
                   uint32_t flags, struct raw_write_read *result, int timeout_ms);

/* The same with fds attached (SCM_RIGHTS), for BINDER_TYPE_FD objects. */
int raw_write_read_fds(struct raw_thread *thread, const void *bytes, size_t size, const int *fds,
                       size_t fd_count, size_t read_size, uint32_t flags,
                       struct raw_write_read *result, int timeout_ms);

/* BR_ stream helpers: size of a BR command's argument, -1 if unknown. */
int br_argument_size(uint32_t cmd);
/* Counts the occurrences of cmd in a read buffer (parsed command by
 * command). Returns -1 if the buffer does not parse. */
int br_count(const uint8_t *read, size_t size, uint32_t cmd);

#endif
