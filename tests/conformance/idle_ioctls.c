/*
 * idle_ioctls.c - the two ioctls of the header that the kernel driver
 * does not implement: BINDER_SET_IDLE_TIMEOUT and BINDER_SET_IDLE_PRIORITY
 * are refused with EINVAL, like any unknown binder ioctl, and change
 * nothing (the device still works).
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#define IDLE_TIMEOUT_NS 1000000
#define IDLE_PRIORITY   10

Test(idle_ioctls, are_einval, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	int64_t timeout = IDLE_TIMEOUT_NS;
	int result = binder_device_ioctl(client.device, BINDER_SET_IDLE_TIMEOUT, &timeout);
	CHECKF(result == -EINVAL, "BINDER_SET_IDLE_TIMEOUT gave %d (%s)", result,
	       strerror(-result));
	int32_t priority = IDLE_PRIORITY;
	result = binder_device_ioctl(client.device, BINDER_SET_IDLE_PRIORITY, &priority);
	CHECKF(result == -EINVAL, "BINDER_SET_IDLE_PRIORITY gave %d (%s)", result,
	       strerror(-result));
	struct binder_version version = {.protocol_version = -1};
	CHECK(binder_device_ioctl(client.device, BINDER_VERSION, &version) == 0);
	CHECK(version.protocol_version == BINDER_CURRENT_PROTOCOL_VERSION);
	client_close(&client);
}
