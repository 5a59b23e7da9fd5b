/*
 * device_open_test.c - choosing the device and the backend, and the
 * kernel backend's plumbing (checked on ordinary character devices, since
 * this machine has no /dev/binder): errors come back as -errno, mmap is
 * once per device, a fork child cannot use an inherited device.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "binder/device.h"
#include "binderd/socket_protocol.h"

Test(device_open, default_path_follows_the_environment)
{
	setenv(BINDER_DEVICE_ENV, "/some/where.sock", 1);
	cr_assert_str_eq(binder_device_default_path(), "/some/where.sock");
	setenv(BINDER_DEVICE_ENV, "", 1);
	if (access("/dev/binder", F_OK) != 0)
		cr_assert_str_eq(binder_device_default_path(), BINDERD_DEFAULT_SOCKET);
	unsetenv(BINDER_DEVICE_ENV);
}

Test(device_open, refuses_what_is_not_a_device)
{
	binder_device *device = NULL;

	cr_assert_eq(binder_device_open("/nonexistent/binder", 0, &device), -ENOENT);
	cr_assert_eq(binder_device_open("/etc/hostname", 0, &device), -ENODEV);
	cr_assert_eq(binder_device_open("/tmp", 0, &device), -ENODEV);
	cr_assert_eq(binder_device_open("/dev/null", O_APPEND, &device), -EINVAL);
	cr_assert_null(device);
	binder_device_close(NULL);
}

Test(device_open, kernel_backend_passes_errors_through)
{
	binder_device *device;
	void *area;

	cr_assert_eq(binder_device_open("/dev/null", 0, &device), 0);
	cr_assert_eq(binder_device_backend(device), BINDER_BACKEND_KERNEL);
	cr_assert_eq(binder_device_ioctl(device, 0x1234, NULL), -ENOTTY);
	cr_assert_eq(binder_device_mmap(device, 4096, &area), -ENODEV);
	cr_assert_geq(binder_device_poll_fd(device), 0);
	binder_device_close(device);
}

Test(device_open, kernel_backend_maps_once)
{
	binder_device *device;
	void *area, *again;

	cr_assert_eq(binder_device_open("/dev/zero", O_NONBLOCK, &device), 0);
	cr_assert_eq(binder_device_mmap(device, 0, &area), -EINVAL);
	cr_assert_eq(binder_device_mmap(device, 8192, &area), 0);
	cr_assert_eq(((volatile char *)area)[8191], 0);
	cr_assert_eq(binder_device_mmap(device, 8192, &again), -EBUSY);
	binder_device_close(device);
}

Test(device_open, fork_child_cannot_use_inherited_device)
{
	binder_device *device;
	void *area;
	int status;
	pid_t child;

	cr_assert_eq(binder_device_open("/dev/zero", 0, &device), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		int failures = 0;

		failures += binder_device_ioctl(device, 0x1234, NULL) != -EINVAL;
		failures += binder_device_mmap(device, 4096, &area) != -EINVAL;
		failures += binder_device_poll_fd(device) != -EINVAL;
		binder_device_close(device);
		_exit(failures);
	}
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status));
	cr_assert_eq(WEXITSTATUS(status), 0);
	/* The parent's device still works. */
	cr_assert_eq(binder_device_mmap(device, 4096, &area), 0);
	binder_device_close(device);
}
