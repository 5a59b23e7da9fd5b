/*
 * node_info.c - conformance of the node queries: BINDER_GET_NODE_DEBUG_INFO
 * walks the caller's own nodes in ptr order (the first one above the ptr
 * given; all zero past the last) with their cookies and has_strong_ref /
 * has_weak_ref; BINDER_GET_NODE_INFO_FOR_REF gives the context manager
 * the strong and weak counts of the node behind one of its handles (only
 * the handle may be set: EINVAL; not the manager: EPERM; no strong ref
 * behind the handle: EINVAL).
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#define MANAGER_PTR    0x5000
#define MANAGER_COOKIE 0x5050
#define LOW_PTR        0x2000
#define LOW_COOKIE     0x2020
#define HIGH_PTR       0x3000
#define HIGH_COOKIE    0x3030
#define SEND_CODE      1
#define FINISH_CODE    99
#define NO_SUCH_HANDLE 4242

static int debug_info(binder_device *device, binder_uintptr_t after,
                      struct binder_node_debug_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	info->ptr = after;
	return binder_device_ioctl(device, BINDER_GET_NODE_DEBUG_INFO, info);
}

static void expect_debug_info(binder_device *device, binder_uintptr_t after, binder_uintptr_t ptr,
                              binder_uintptr_t cookie, uint32_t strong, uint32_t weak)
{
	struct binder_node_debug_info info;
	int result = debug_info(device, after, &info);
	CHECKF(result == 0, "BINDER_GET_NODE_DEBUG_INFO gave %d", result);
	CHECKF(info.ptr == ptr && info.cookie == cookie && info.has_strong_ref == strong &&
	               info.has_weak_ref == weak,
	       "after 0x%llx: got ptr 0x%llx cookie 0x%llx strong %u weak %u, expected ptr 0x%llx "
	       "cookie 0x%llx strong %u weak %u",
	       (unsigned long long)after, (unsigned long long)info.ptr,
	       (unsigned long long)info.cookie, info.has_strong_ref, info.has_weak_ref,
	       (unsigned long long)ptr, (unsigned long long)cookie, strong, weak);
}

static int info_for_ref(binder_device *device, struct binder_node_info_for_ref *info)
{
	return binder_device_ioctl(device, BINDER_GET_NODE_INFO_FOR_REF, info);
}

Test(node_info, debug_info_without_nodes_is_all_zero, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	expect_debug_info(client.device, 0, 0, 0, 0, 0);
	client_close(&client);
}

Test(node_info, debug_info_of_the_manager_node, .timeout = TEST_TIMEOUT)
{
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	become_context_manager_ext(&client, MANAGER_PTR, MANAGER_COOKIE, 0);
	/* BINDER_SET_CONTEXT_MGR_EXT makes a node that holds both refs. */
	expect_debug_info(client.device, 0, MANAGER_PTR, MANAGER_COOKIE, 1, 1);
	expect_debug_info(client.device, MANAGER_PTR - 1, MANAGER_PTR, MANAGER_COOKIE, 1, 1);
	expect_debug_info(client.device, MANAGER_PTR, 0, 0, 0, 0);
	client_close(&client);
}

struct manager_arguments {
	struct channel channel;
};

static struct binder_node_info_for_ref zero_info(uint32_t handle)
{
	struct binder_node_info_for_ref info;
	memset(&info, 0, sizeof(info));
	info.handle = handle;
	return info;
}

/* Context manager: takes the two nodes the parent sends (keeping the
 * buffer, so that its handles stay strong), then answers the parent's
 * questions about the node info of those handles. */
static int manager(void *argument)
{
	struct manager_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager(&service);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);

	struct br_event sent;
	expect_transaction(&service, &sent);
	CHECK(sent.txn.code == SEND_CODE);
	uint32_t handles[2];
	for (size_t i = 0; i < 2; i++) {
		const struct flat_binder_object *object = event_object(&service, &sent, i);
		CHECKF(object->hdr.type == BINDER_TYPE_HANDLE, "type 0x%x", object->hdr.type);
		handles[i] = object->handle;
	}
	reply_keep(&service, NULL, 0, NULL, 0);
	/* The parent has acknowledged its BR_INCREFS/BR_ACQUIREs. */
	CHECK(hear_from_parent(&arguments->channel) == 2);

	/* One strong ref (this process's handle): strong 1, weak 0. */
	struct binder_node_info_for_ref info = zero_info(handles[0]);
	int result = info_for_ref(service.device, &info);
	CHECKF(result == 0, "BINDER_GET_NODE_INFO_FOR_REF gave %d", result);
	CHECKF(info.handle == handles[0] && info.strong_count == 1 && info.weak_count == 0,
	       "handle %u: strong %u weak %u", info.handle, info.strong_count, info.weak_count);

	/* Only the handle may be set. */
	info = zero_info(handles[0]);
	info.reserved2 = 1;
	CHECK(info_for_ref(service.device, &info) == -EINVAL);
	info = zero_info(handles[0]);
	info.strong_count = 1;
	CHECK(info_for_ref(service.device, &info) == -EINVAL);

	/* A handle it does not hold. */
	info = zero_info(NO_SUCH_HANDLE);
	CHECK(info_for_ref(service.device, &info) == -EINVAL);

	/* A weak ref only: BC_INCREFS, then the buffer (the strong ref) goes. */
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_handle(&stream, BC_INCREFS, handles[1]);
	bc_add_free_buffer(&stream, sent.txn.data.ptr.buffer);
	send_commands(&service, &stream);
	info = zero_info(handles[1]);
	result = info_for_ref(service.device, &info);
	CHECKF(result == -EINVAL, "a weak-only handle gave %d", result);
	tell_parent(&arguments->channel, 3);

	struct br_event event;
	expect_transaction(&service, &event);
	CHECK(event.txn.code == FINISH_CODE);
	reply_and_free(&service, &event, NULL, 0, NULL, 0);
	client_close(&service);
	return 0;
}

Test(node_info, walk_and_counts_of_sent_nodes, .timeout = TEST_TIMEOUT)
{
	struct manager_arguments arguments;
	channel_open(&arguments.channel);
	pid_t pid = spawn_child(manager, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);

	/* Not the context manager: EPERM (after the argument check). */
	struct binder_node_info_for_ref info = zero_info(0);
	CHECK(info_for_ref(client.device, &info) == -EPERM);
	info.reserved1 = 1;
	CHECK(info_for_ref(client.device, &info) == -EINVAL);

	/* Two nodes, sent in the opposite order of their ptrs. */
	struct flat_binder_object objects[2] = {
	        binder_object(BINDER_TYPE_BINDER, HIGH_PTR, HIGH_COOKIE, 0),
	        binder_object(BINDER_TYPE_BINDER, LOW_PTR, LOW_COOKIE, 0),
	};
	binder_size_t offsets[2] = {0, sizeof(objects[0])};
	struct call_result result =
	        call(&client, 0, SEND_CODE, 0, objects, sizeof(objects), offsets, 2);
	CHECKF(result.cmd == BR_REPLY, "sending the nodes got %s", br_name(result.cmd));
	free_buffer(&client, &result.reply);
	expect_node_acquired(&client, HIGH_PTR, HIGH_COOKIE, true);
	expect_node_acquired(&client, LOW_PTR, LOW_COOKIE, true);
	tell_child(&arguments.channel, 2);

	/* In ptr order, whatever the order they were made in. */
	expect_debug_info(client.device, 0, LOW_PTR, LOW_COOKIE, 1, 1);
	expect_debug_info(client.device, LOW_PTR, HIGH_PTR, HIGH_COOKIE, 1, 1);
	expect_debug_info(client.device, HIGH_PTR, 0, 0, 0, 0);
	CHECK(hear_from_child(&arguments.channel) == 3);

	result = call(&client, 0, FINISH_CODE, 0, NULL, 0, NULL, 0);
	CHECKF(result.cmd == BR_REPLY, "the manager no longer answers: %s", br_name(result.cmd));
	free_buffer(&client, &result.reply);
	expect_child_success(pid);
	client_close(&client);
	channel_close(&arguments.channel);
}
