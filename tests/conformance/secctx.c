/*
 * secctx.c - conformance of BINDER_SET_CONTEXT_MGR_EXT: the context
 * manager's node carries the ptr/cookie/flags given to it, and
 * FLAT_BINDER_FLAG_TXN_SECURITY_CTX asks for the caller's security context.
 *
 * The kernel asks the LSM for the caller's context. Without an LSM that can
 * give one (the Debian kernel in the test guest: security_secid_to_secctx
 * fails) the call fails with BR_FAILED_REPLY and is not delivered; with one
 * the target gets BR_TRANSACTION_SEC_CTX. Either is accepted; a plain
 * BR_TRANSACTION, or a context that is not a string in the buffer, is not.
 */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MANAGER_PTR    0x5000
#define MANAGER_COOKIE 0x6000

struct secctx_arguments {
	struct channel channel;
	uint32_t flags;
};

static int ext_service(void *argument)
{
	struct secctx_arguments *arguments = argument;
	struct binder_client service;
	open_client(&service, AREA_SIZE);
	become_context_manager_ext(&service, MANAGER_PTR, MANAGER_COOKIE, arguments->flags);
	enter_looper(&service);
	tell_parent(&arguments->channel, 1);
	static const uint32_t incoming[] = {BR_TRANSACTION, BR_TRANSACTION_SEC_CTX};
	struct br_event event;
	for (;;) {
		if (client_take(&service, incoming, 2, &event, 20) == 0)
			break;
		/* The caller tells us when its call was refused instead. */
		uint64_t refused;
		if (try_hear_from_parent(&arguments->channel, &refused)) {
			CHECK(refused == 2);
			CHECKF(arguments->flags & FLAT_BINDER_FLAG_TXN_SECURITY_CTX,
			       "a plain call was refused");
			expect_nothing(&service, 50);
			client_close(&service);
			return 0;
		}
	}
	CHECKF(event.txn.target.ptr == MANAGER_PTR && event.txn.cookie == MANAGER_COOKIE,
	       "context manager node 0x%llx/0x%llx", (unsigned long long)event.txn.target.ptr,
	       (unsigned long long)event.txn.cookie);
	if (!(arguments->flags & FLAT_BINDER_FLAG_TXN_SECURITY_CTX)) {
		CHECKF(event.cmd == BR_TRANSACTION, "got %s without asking", br_name(event.cmd));
	} else {
		CHECKF(event.cmd == BR_TRANSACTION_SEC_CTX, "got %s", br_name(event.cmd));
		/* The context is a NUL-terminated string inside the buffer. */
		binder_uintptr_t secctx = event.txn_secctx.secctx;
		uintptr_t area = (uintptr_t)service.area;
		CHECKF(secctx >= area && secctx < area + service.area_size,
		       "secctx 0x%llx outside the receive area", (unsigned long long)secctx);
		const char *text = (const char *)(uintptr_t)secctx;
		size_t length = strnlen(text, area + service.area_size - secctx);
		CHECKF(secctx + length < area + service.area_size, "secctx not terminated");
		fprintf(stderr, "security context: '%s'\n", text);
	}
	CHECK(event.txn.data_size == 4);
	CHECK(*(const uint32_t *)event_data(&service, &event) == 0x5ec);
	reply_and_free(&service, &event, NULL, 0, NULL, 0);
	client_close(&service);
	return 0;
}

static void run_ext(uint32_t flags)
{
	struct secctx_arguments arguments = {.flags = flags};
	channel_open(&arguments.channel);
	pid_t service = spawn_child(ext_service, &arguments);
	CHECK(hear_from_child(&arguments.channel) == 1);
	struct binder_client client;
	open_client(&client, AREA_SIZE);
	uint32_t word = 0x5ec;
	struct bc_stream stream;
	bc_reset(&stream);
	bc_add_transaction(&stream, BC_TRANSACTION, 0, 1, 0, &word, sizeof(word), NULL, 0);
	send_commands(&client, &stream);
	struct call_result result = wait_call_result(&client, false);
	if (result.cmd == BR_FAILED_REPLY && (flags & FLAT_BINDER_FLAG_TXN_SECURITY_CTX)) {
		CHECK(!result.saw_complete);
		tell_child(&arguments.channel, 2);
		expect_child_success(service);
		client_close(&client);
		return;
	}
	CHECKF(result.cmd == BR_REPLY, "got %s", br_name(result.cmd));
	free_buffer(&client, &result.reply);
	expect_child_success(service);
	client_close(&client);
}

Test(secctx, ext_context_manager_node_has_given_ptr_and_cookie, .timeout = TEST_TIMEOUT)
{
	run_ext(0);
}

Test(secctx, txn_security_ctx_gives_br_transaction_sec_ctx, .timeout = TEST_TIMEOUT)
{
	run_ext(FLAT_BINDER_FLAG_TXN_SECURITY_CTX);
}
