/*
 * kernel_smoke.c - checks, inside the qemu guest, what the real kernel
 * binder driver answers to the basic calls (open, BINDER_VERSION, the mmap
 * rules, BINDER_WRITE_READ in non-blocking mode, errors for transactions
 * that cannot be delivered, context manager, a forked child using its
 * parent's fd). It proves that run_in_guest.sh gives a working /dev/binder,
 * and pins the kernel's answers that binderd must reproduce: every check
 * prints what the kernel returned.
 *
 * Uses the raw syscalls on $BINDER_DEVICE (default /dev/binder): a
 * character device only.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/android/binder.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KIB 1024u
#define MIB (1024u * 1024u)

static int checks_passed;
static int checks_failed;

static void check(bool ok, const char *what)
{
	if (ok) {
		checks_passed++;
		printf("ok   %s\n", what);
	} else {
		checks_failed++;
		printf("FAIL %s\n", what);
	}
	fflush(stdout);
}

static const char *device_path(void)
{
	const char *path = getenv("BINDER_DEVICE");

	return path && *path ? path : "/dev/binder";
}

static int open_device(int extra_flags)
{
	int fd = open(device_path(), O_RDWR | O_CLOEXEC | extra_flags);

	if (fd < 0) {
		printf("FAIL open %s: %s\n", device_path(), strerror(errno));
		exit(1);
	}
	return fd;
}

/* Issues an ioctl and returns 0 or the errno it failed with. */
static int ioctl_errno(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg) == 0 ? 0 : errno;
}

/* Maps size bytes of fd with prot/flags; returns 0 or the errno. */
static int mmap_errno(int fd, size_t size, int prot, int flags, void **addr)
{
	void *mapped = mmap(NULL, size, prot, flags, fd, 0);

	if (mapped == MAP_FAILED)
		return errno;
	*addr = mapped;
	return 0;
}

static void check_version(void)
{
	int fd = open_device(0);
	struct binder_version version = {.protocol_version = -1};
	int err = ioctl_errno(fd, BINDER_VERSION, &version);

	printf("     BINDER_VERSION: errno %d, protocol_version %d\n", err,
	       (int)version.protocol_version);
	check(err == 0 && version.protocol_version == BINDER_CURRENT_PROTOCOL_VERSION &&
	              version.protocol_version == 8,
	      "BINDER_VERSION reports protocol 8");
	close(fd);
}

static void check_mmap_rules(void)
{
	int fd = open_device(0);
	void *first = NULL, *second = NULL, *writable = NULL;
	int err;

	err = mmap_errno(fd, 128 * KIB, PROT_WRITE | PROT_READ, MAP_PRIVATE, &writable);
	printf("     mmap PROT_READ|PROT_WRITE before any mapping: errno %d (%s)\n", err,
	       strerror(err));
	check(err == EPERM, "mmap with PROT_WRITE fails with EPERM");

	err = mmap_errno(fd, 128 * KIB, PROT_READ, MAP_PRIVATE | MAP_NORESERVE, &first);
	printf("     mmap 128 KiB PROT_READ MAP_PRIVATE: errno %d\n", err);
	check(err == 0, "mmap 128 KiB read-only works (after a refused PROT_WRITE)");

	if (err == 0) {
		err = mprotect(first, 128 * KIB, PROT_READ | PROT_WRITE) == 0 ? 0 : errno;
		printf("     mprotect of the mapping to PROT_WRITE: errno %d (%s)\n", err,
		       strerror(err));
		check(err == EACCES, "mprotect to PROT_WRITE fails with EACCES");
	}

	err = mmap_errno(fd, 128 * KIB, PROT_READ, MAP_PRIVATE, &second);
	printf("     second mmap on the same fd: errno %d (%s)\n", err, strerror(err));
	check(err == EBUSY, "a second mmap on the same fd fails with EBUSY");
	if (first)
		munmap(first, 128 * KIB);
	close(fd);

	fd = open_device(0);
	err = mmap_errno(fd, 8 * MIB, PROT_READ, MAP_PRIVATE, &first);
	printf("     mmap 8 MiB read-only: errno %d\n", err);
	check(err == 0, "mmap larger than 4 MiB is accepted (the kernel uses 4 MiB of it)");
	if (err == 0)
		munmap(first, 8 * MIB);
	close(fd);

	fd = open_device(0);
	err = mmap_errno(fd, 128 * KIB, PROT_READ, MAP_SHARED, &first);
	printf("     mmap 128 KiB PROT_READ MAP_SHARED: errno %d\n", err);
	check(err == 0, "mmap read-only MAP_SHARED works too");
	if (err == 0)
		munmap(first, 128 * KIB);
	close(fd);
}

struct write_read_result {
	int err;
	struct binder_write_read bwr;
	uint32_t read_words[64];
};

/*
 * One BINDER_WRITE_READ with the given write commands and a read of
 * read_size bytes (at most 256; 0 for none).
 */
static struct write_read_result write_read_sized(int fd, const void *commands, size_t size,
                                                 size_t read_size)
{
	struct write_read_result result;

	memset(&result, 0, sizeof(result));
	memset(result.read_words, 0xff, sizeof(result.read_words));
	result.bwr.write_buffer = (binder_uintptr_t)(uintptr_t)commands;
	result.bwr.write_size = size;
	if (read_size > sizeof(result.read_words))
		read_size = sizeof(result.read_words);
	if (read_size) {
		result.bwr.read_buffer = (binder_uintptr_t)(uintptr_t)result.read_words;
		result.bwr.read_size = read_size;
	}
	result.err = ioctl_errno(fd, BINDER_WRITE_READ, &result.bwr);
	return result;
}

static struct write_read_result write_read(int fd, const void *commands, size_t size,
                                           bool with_read)
{
	return write_read_sized(fd, commands, size, with_read ? 256 : 0);
}

static void print_write_read(const char *what, const struct write_read_result *result)
{
	printf("     %s: errno %d, write_consumed %llu, read_consumed %llu, read words "
	       "0x%08x 0x%08x 0x%08x\n",
	       what, result->err, (unsigned long long)result->bwr.write_consumed,
	       (unsigned long long)result->bwr.read_consumed, result->read_words[0],
	       result->read_words[1], result->read_words[2]);
}

static void check_enter_looper_non_blocking(void)
{
	int fd = open_device(O_NONBLOCK);
	uint32_t enter = BC_ENTER_LOOPER;
	void *area = NULL;
	struct write_read_result result;

	check(mmap_errno(fd, 128 * KIB, PROT_READ, MAP_PRIVATE, &area) == 0,
	      "mmap for the looper thread");
	result = write_read(fd, &enter, sizeof(enter), true);
	print_write_read("BC_ENTER_LOOPER + read, O_NONBLOCK, first call of the thread", &result);
	check(result.err == 0 && result.bwr.write_consumed == sizeof(enter) &&
	              result.bwr.read_consumed == 4 && result.read_words[0] == BR_NOOP,
	      "a new thread's first read returns at once with just BR_NOOP (no EAGAIN)");

	result = write_read(fd, NULL, 0, true);
	print_write_read("read again, O_NONBLOCK, no work", &result);
	check(result.err == EAGAIN, "the next read with no work in O_NONBLOCK fails with EAGAIN");
	check(result.bwr.read_consumed == 0, "read_consumed stays 0 on EAGAIN");
	check(result.read_words[0] == BR_NOOP,
	      "the kernel still wrote BR_NOOP at the start of the read buffer on EAGAIN");

	result = write_read(fd, NULL, 0, false);
	print_write_read("empty BINDER_WRITE_READ", &result);
	check(result.err == 0, "an empty BINDER_WRITE_READ succeeds");
	if (area)
		munmap(area, 128 * KIB);
	close(fd);
}

struct transaction_command {
	uint32_t command;
	struct binder_transaction_data data;
} __attribute__((packed));

static struct write_read_result send_transaction(int fd, uint32_t handle)
{
	struct transaction_command transaction;
	struct write_read_result result;

	memset(&transaction, 0, sizeof(transaction));
	transaction.command = BC_TRANSACTION;
	transaction.data.target.handle = handle;
	transaction.data.code = 1;
	result = write_read(fd, &transaction, sizeof(transaction), false);
	return result;
}

static void check_undeliverable_transactions(void)
{
	int fd = open_device(O_NONBLOCK);
	void *area = NULL;
	struct write_read_result result;
	struct binder_extended_error extended;

	check(mmap_errno(fd, 128 * KIB, PROT_READ, MAP_PRIVATE, &area) == 0,
	      "mmap for the transaction sender");

	result = send_transaction(fd, 0);
	print_write_read("BC_TRANSACTION to handle 0, no context manager (write)", &result);
	check(result.err == 0 && result.bwr.write_consumed == sizeof(struct transaction_command),
	      "the transaction to handle 0 is consumed without an ioctl error");
	result = write_read_sized(fd, NULL, 0,
	                          4 + sizeof(struct binder_transaction_data_secctx) + 3);
	print_write_read("read with a buffer 1 byte short of BR_NOOP + 4 + secctx record", &result);
	check(result.err == 0 && result.bwr.read_consumed == 4 && result.read_words[0] == BR_NOOP,
	      "a read buffer without room for a whole transaction record gets only BR_NOOP");
	result = write_read_sized(fd, NULL, 0,
	                          4 + sizeof(struct binder_transaction_data_secctx) + 4);
	print_write_read("read after it", &result);
	check(result.err == 0 && result.bwr.read_consumed == 8 && result.read_words[0] == BR_NOOP &&
	              result.read_words[1] == BR_DEAD_REPLY,
	      "handle 0 without a context manager gives BR_NOOP, BR_DEAD_REPLY");
	memset(&extended, 0xff, sizeof(extended));
	result.err = ioctl_errno(fd, BINDER_GET_EXTENDED_ERROR, &extended);
	printf("     BINDER_GET_EXTENDED_ERROR: errno %d, id %u, command 0x%08x, param %d\n",
	       result.err, extended.id, extended.command, extended.param);

	result = send_transaction(fd, 7);
	print_write_read("BC_TRANSACTION to unknown handle 7 (write)", &result);
	result = write_read(fd, NULL, 0, true);
	print_write_read("read after it", &result);
	check(result.err == 0 && result.bwr.read_consumed == 8 && result.read_words[0] == BR_NOOP &&
	              result.read_words[1] == BR_FAILED_REPLY,
	      "an unknown handle gives BR_NOOP, BR_FAILED_REPLY");
	memset(&extended, 0xff, sizeof(extended));
	result.err = ioctl_errno(fd, BINDER_GET_EXTENDED_ERROR, &extended);
	printf("     BINDER_GET_EXTENDED_ERROR: errno %d, id %u, command 0x%08x, param %d\n",
	       result.err, extended.id, extended.command, extended.param);

	if (area)
		munmap(area, 128 * KIB);
	close(fd);
}

static void check_bad_requests(void)
{
	int fd = open_device(0);
	uint32_t unknown_command = _IO('c', 99);
	struct write_read_result result;
	struct binder_write_read bwr;
	int err;

	result = write_read(fd, &unknown_command, sizeof(unknown_command), false);
	print_write_read("unknown BC command", &result);
	check(result.err == EINVAL, "an unknown BC command fails with EINVAL");

	memset(&bwr, 0, sizeof(bwr));
	bwr.write_buffer = 16; /* not mapped */
	bwr.write_size = 4;
	err = ioctl_errno(fd, BINDER_WRITE_READ, &bwr);
	printf("     write buffer at an unmapped address: errno %d (%s)\n", err, strerror(err));
	check(err == EFAULT, "an unreadable write buffer fails with EFAULT");

	err = ioctl_errno(fd, _IOWR('b', 99, uint32_t), &unknown_command);
	printf("     unknown ioctl: errno %d (%s)\n", err, strerror(err));
	check(err == EINVAL, "an unknown ioctl fails with EINVAL");
	close(fd);
}

/* How long the manager's release may take to reach the role: 10 s. */
#define MANAGER_RELEASE_TRIES    1000
#define MANAGER_RELEASE_PAUSE_NS (10 * 1000 * 1000)

static void check_context_manager(void)
{
	int first = open_device(0), second = open_device(0);
	int zero = 0, err;

	err = ioctl_errno(first, BINDER_SET_CONTEXT_MGR, &zero);
	printf("     BINDER_SET_CONTEXT_MGR on a first open: errno %d\n", err);
	check(err == 0, "the first BINDER_SET_CONTEXT_MGR succeeds");
	err = ioctl_errno(first, BINDER_SET_CONTEXT_MGR, &zero);
	printf("     again on the same open: errno %d (%s)\n", err, strerror(err));
	check(err == EBUSY, "a second BINDER_SET_CONTEXT_MGR on the same open fails with EBUSY");
	err = ioctl_errno(second, BINDER_SET_CONTEXT_MGR, &zero);
	printf("     on a second open of the same program: errno %d (%s)\n", err, strerror(err));
	check(err == EBUSY, "BINDER_SET_CONTEXT_MGR from another open fails with EBUSY");
	close(first);
	close(second);

	/* The last close of the manager frees the role for others: the
	 * kernel releases the old one in deferred work (binder_deferred_release
	 * on a workqueue), so EBUSY may come until that work has run. Bounded:
	 * MANAGER_RELEASE_TRIES tries MANAGER_RELEASE_PAUSE_NS apart. */
	second = open_device(0);
	int tries = 0;
	do {
		err = ioctl_errno(second, BINDER_SET_CONTEXT_MGR, &zero);
		if (err != EBUSY)
			break;
		struct timespec pause = {0, MANAGER_RELEASE_PAUSE_NS};
		nanosleep(&pause, NULL);
	} while (++tries < MANAGER_RELEASE_TRIES);
	printf("     after the manager closed, from a new open: errno %d (after %d EBUSY)\n", err,
	       tries);
	check(err == 0, "after the manager's last close, another open can become manager");
	close(second);
}

/* A forked child uses its parent's fd: the kernel ties the fd to its opener. */
static void check_forked_child(void)
{
	int fd = open_device(0);
	int status = -1;
	pid_t child;

	child = fork();
	if (child == 0) {
		struct binder_version version = {.protocol_version = -1};
		void *area = NULL;
		int version_err = ioctl_errno(fd, BINDER_VERSION, &version);
		int mmap_err = mmap_errno(fd, 128 * KIB, PROT_READ, MAP_PRIVATE, &area);
		uint32_t enter = BC_ENTER_LOOPER;
		struct write_read_result result = write_read(fd, &enter, sizeof(enter), false);

		printf("     child on parent's fd: BINDER_VERSION errno %d (version %d), mmap "
		       "errno "
		       "%d (%s), BINDER_WRITE_READ errno %d (%s)\n",
		       version_err, (int)version.protocol_version, mmap_err, strerror(mmap_err),
		       result.err, strerror(result.err));
		fflush(stdout);
		_exit(mmap_err == EINVAL && version_err == 0 && result.err == 0 ? 0 : 1);
	}
	check(child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	              WEXITSTATUS(status) == 0,
	      "a forked child: mmap on the parent's fd fails with EINVAL, ioctls still work");
	close(fd);
}

int main(void)
{
	printf("kernel_smoke: binder device %s\n", device_path());
	check_version();
	check_mmap_rules();
	check_enter_looper_non_blocking();
	check_undeliverable_transactions();
	check_bad_requests();
	check_context_manager();
	check_forked_child();
	printf("kernel_smoke: %d passed, %d failed\n", checks_passed, checks_failed);
	return checks_failed == 0 ? 0 : 1;
}
