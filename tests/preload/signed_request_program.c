/*
 * signed_request_program.c - a program for the kernel's /dev/binder whose
 * ioctl wrapper takes the request as a signed int, as some binder client
 * libraries (and bionic's ioctl prototype) do: on its way into libc's
 * ioctl(int, unsigned long, ...) the request is sign-extended, so
 * BINDER_VERSION arrives as 0xffffffffc0046209. The kernel reads the
 * command as an unsigned int and does not care; under the LD_PRELOAD
 * library the device layer must read it the same way.
 *
 * libc and <linux/android/binder.h> only. Every binder ioctl below goes
 * through the signed wrapper, called through an int (*)(int, int, void *)
 * pointer. Exit status 0 only if every check passed; alarm() bounds the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/android/binder.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define DEVICE          "/dev/binder"
#define MAP_SIZE        (128 * 1024)
#define MAX_THREADS     4
#define TIMEOUT_SECONDS 30

/* What a sign-extended BINDER_VERSION looks like as libc's request. */
#define SIGN_EXTENDED_VERSION 0xffffffffc0046209ul

#define CHECK(condition, ...)                                                                      \
	do {                                                                                       \
		if (!(condition)) {                                                                \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__,           \
			        #condition);                                                       \
			fprintf(stderr, __VA_ARGS__);                                              \
			fprintf(stderr, " (errno %d)\n", errno);                                   \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

/* The client library's wrapper: the int request is converted to libc's
 * unsigned long, which sign-extends a negative one. */
static int ioctl_signed_request(int fd, int request, void *argument)
{
	return ioctl(fd, request, argument);
}

/* volatile: the call really goes through the int-typed pointer. */
static int (*volatile binder_ioctl)(int, int, void *) = ioctl_signed_request;

int main(void)
{
	struct binder_version version = {.protocol_version = -1};
	uint32_t max_threads = MAX_THREADS;
	uint32_t enter_looper = BC_ENTER_LOOPER;
	struct binder_write_read bwr = {
	        .write_buffer = (uintptr_t)&enter_looper,
	        .write_size = sizeof(enter_looper),
	};
	void *area;
	int fd;

	alarm(TIMEOUT_SECONDS);
	/* The premise: the requests used are negative as ints. */
	CHECK((unsigned long)(long)(int)BINDER_VERSION == SIGN_EXTENDED_VERSION,
	      "BINDER_VERSION as an int is %d", (int)BINDER_VERSION);
	CHECK((int)BINDER_WRITE_READ < 0, "BINDER_WRITE_READ as an int is %d",
	      (int)BINDER_WRITE_READ);

	fd = open(DEVICE, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "open %s", DEVICE);
	area = mmap(NULL, MAP_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(area != MAP_FAILED, "mmap");

	CHECK(binder_ioctl(fd, (int)BINDER_VERSION, &version) == 0, "BINDER_VERSION");
	CHECK(version.protocol_version == BINDER_CURRENT_PROTOCOL_VERSION, "version %d",
	      version.protocol_version);
	CHECK(binder_ioctl(fd, (int)BINDER_SET_MAX_THREADS, &max_threads) == 0,
	      "BINDER_SET_MAX_THREADS");
	CHECK(binder_ioctl(fd, (int)BINDER_WRITE_READ, &bwr) == 0, "BINDER_WRITE_READ");
	CHECK(bwr.write_consumed == sizeof(enter_looper), "consumed %llu",
	      (unsigned long long)bwr.write_consumed);
	CHECK(binder_ioctl(fd, (int)BINDER_THREAD_EXIT, NULL) == 0, "BINDER_THREAD_EXIT");

	/* Truncation keeps only the command: a request that is not a binder
	 * command in its low 32 bits is still refused. */
	errno = 0;
	CHECK(ioctl(fd, 0xffffffff00000000ul | 0x5401ul /* TCGETS */, &version) == -1 &&
	              errno == EINVAL,
	      "TCGETS with high bits accepted");

	munmap(area, MAP_SIZE);
	close(fd);
	printf("signed ioctl requests: ok\n");
	return 0;
}
