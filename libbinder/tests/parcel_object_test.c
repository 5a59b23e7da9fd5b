/*
 * parcel_object_test.c - binder objects and fds in parcels with the real
 * runtime, against a private binderd (tests/with_binderd.sh): the bytes of
 * a written object, the parcel's reference on it, objects and fds through
 * a transaction between two contexts of this process (a proxy there, the
 * local object again when it comes home), the raw view of a received
 * parcel, and binder_parcel_check_context. One test at a time: each makes
 * its server the context manager.
 */
#include <criterion/criterion.h>
#include <linux/android/binder.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binder/binder.h"
#include "object_internal.h"
#include "parcel_internal.h"

enum {
	CODE_ECHO_OBJECT = BINDER_FIRST_CALL_TRANSACTION,
	CODE_ECHO_FD,
};

static binder_context *server_context;

/* Reads an object, checks what it became here and in a raw copy of the
 * parcel, and sends it back. */
static int echo_object(binder_parcel *data, binder_parcel *reply)
{
	binder_object *object = NULL;
	int status = binder_parcel_enforce_interface(data, "test.IEcho");
	if (status)
		return status;
	size_t position = binder_parcel_position(data);
	status = binder_parcel_read_object(data, &object);
	if (status)
		return status;
	if (!object) {
		status = binder_parcel_write_int32(reply, -1);
		return status ? status : binder_parcel_write_object(reply, NULL);
	}
	int32_t checks = 0;
	if (object && !binder_object_is_local(object) &&
	    binder_object_context(object) == server_context)
		checks |= 1;
	struct binder_parcel_object raw;
	if (binder_parcel_object_count(data) == 1 && binder_parcel_object_at(data, 0, &raw) == 0 &&
	    raw.kind == BINDER_PARCEL_OBJECT_BINDER && raw.object == object &&
	    raw.offset == position)
		checks |= 2;
	binder_parcel *copy = NULL;
	if (binder_parcel_new_from_raw(binder_parcel_data(data), binder_parcel_data_size(data),
	                               &raw, 1, &copy) == 0) {
		binder_object *again = NULL;
		if (binder_parcel_set_position(copy, position) == 0 &&
		    binder_parcel_read_object(copy, &again) == 0 && again == object)
			checks |= 4;
		binder_object_unref(again);
		binder_parcel_free(copy);
	}
	if (binder_parcel_check_context(data, server_context) == 0)
		checks |= 8;
	status = binder_parcel_write_int32(reply, checks);
	if (!status)
		status = binder_parcel_write_object(reply, object);
	binder_object_unref(object);
	return status;
}

/* Writes "ok" into the fd it gets and sends a duplicate back. */
static int echo_fd(binder_parcel *data, binder_parcel *reply)
{
	int fd = -1;
	int status = binder_parcel_read_dup_fd(data, &fd);
	if (status)
		return status;
	if (write(fd, "ok", 2) != 2)
		status = BINDER_UNKNOWN_ERROR;
	if (!status)
		status = binder_parcel_write_dup_fd(reply, fd);
	close(fd);
	return status;
}

static int server_transact(binder_object *self, uint32_t code, binder_parcel *data,
                           binder_parcel *reply, const struct binder_caller *caller,
                           void *user_data)
{
	(void)self;
	(void)caller;
	(void)user_data;
	switch (code) {
	case CODE_ECHO_OBJECT:
		return echo_object(data, reply);
	case CODE_ECHO_FD:
		return echo_fd(data, reply);
	default:
		return BINDER_UNKNOWN_TRANSACTION;
	}
}

static int client_transact(binder_object *self, uint32_t code, binder_parcel *data,
                           binder_parcel *reply, const struct binder_caller *caller,
                           void *user_data)
{
	(void)self;
	(void)code;
	(void)data;
	(void)reply;
	(void)caller;
	(void)user_data;
	return BINDER_UNKNOWN_TRANSACTION;
}

static atomic_int destroyed;

static void count_destroy(void *user_data)
{
	(void)user_data;
	atomic_fetch_add(&destroyed, 1);
}

static const struct binder_local_ops server_ops = {.transact = server_transact};
static const struct binder_local_ops client_ops = {.transact = client_transact,
                                                   .destroy = count_destroy};

struct pair {
	binder_context *server, *client;
	binder_object *service; /* in server */
	binder_object *proxy;   /* the client's proxy for it */
};

static void pair_open(struct pair *pair)
{
	alarm(60);
	cr_assert_eq(binder_context_new(NULL, &pair->server), 0);
	cr_assert_eq(binder_context_new(NULL, &pair->client), 0);
	server_context = pair->server;
	cr_assert_eq(binder_object_new_local(pair->server, "test.IEcho", &server_ops, NULL,
	                                     &pair->service),
	             0);
	cr_assert_eq(binder_context_become_manager(pair->server, pair->service), 0);
	cr_assert_eq(binder_context_start_thread_pool(pair->server), 0);
	cr_assert_eq(binder_context_manager(pair->client, &pair->proxy), 0);
}

static void pair_close(struct pair *pair)
{
	binder_object_unref(pair->proxy);
	binder_object_unref(pair->service);
	cr_assert_eq(binder_context_close(pair->client), 0);
	cr_assert_eq(binder_context_close(pair->server), 0);
	binder_context_unref(pair->client);
	binder_context_unref(pair->server);
}

Test(parcel_object, local_object_bytes_and_reference, .timeout = 30)
{
	binder_context *context;
	cr_assert_eq(binder_context_new(NULL, &context), 0);
	atomic_store(&destroyed, 0);
	binder_object *object;
	cr_assert_eq(binder_object_new_local(context, "test.ILocal", &client_ops, NULL, &object),
	             0);
	binder_parcel *parcel = binder_parcel_new();
	binder_parcel_write_int32(parcel, 3);
	cr_assert_eq(binder_parcel_write_object(parcel, object), 0);
	cr_assert_eq(binder_parcel_data_size(parcel), 4 + 24 + 4);
	size_t count;
	const binder_size_t *offsets = binder_parcel_offsets(parcel, &count);
	cr_assert_eq(count, 1);
	cr_assert_eq(offsets[0], 4);
	struct flat_binder_object flat, expected;
	memcpy(&flat, binder_parcel_data(parcel) + 4, sizeof(flat));
	binder_object_flatten(object, &expected);
	cr_assert(memcmp(&flat, &expected, sizeof(flat)) == 0);
	cr_assert_eq(flat.hdr.type, BINDER_TYPE_BINDER);
	cr_assert_neq(flat.binder, 0);
	int32_t stability;
	memcpy(&stability, binder_parcel_data(parcel) + 28, 4);
	cr_assert_eq(stability, 0x0c, "SYSTEM stability after the object");
	cr_assert(!binder_parcel_has_fds(parcel));
	cr_assert_eq(binder_parcel_check_context(parcel, context), 0);

	/* The parcel keeps the object alive. */
	binder_object_unref(object);
	cr_assert_eq(atomic_load(&destroyed), 0);
	binder_parcel_set_position(parcel, 4);
	binder_object *read = NULL;
	cr_assert_eq(binder_parcel_read_object(parcel, &read), 0);
	cr_assert_eq(read, object);
	cr_assert_eq(binder_parcel_position(parcel), 32);
	binder_object_unref(read);
	struct binder_parcel_object raw;
	cr_assert_eq(binder_parcel_object_at(parcel, 0, &raw), 0);
	cr_assert_eq(raw.kind, BINDER_PARCEL_OBJECT_BINDER);
	cr_assert_eq(raw.object, object);
	cr_assert_eq(raw.offset, 4);
	/* Its bytes are not readable as plain data. */
	binder_parcel_set_position(parcel, 4);
	int64_t value;
	cr_assert_eq(binder_parcel_read_int64(parcel, &value), BINDER_BAD_VALUE);
	int fd;
	cr_assert_eq(binder_parcel_read_fd(parcel, &fd), BINDER_BAD_TYPE);
	binder_parcel_free(parcel);
	cr_assert_eq(atomic_load(&destroyed), 1, "the parcel's reference was the last");
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
}

Test(parcel_object, check_context, .timeout = 30)
{
	binder_context *first, *second;
	cr_assert_eq(binder_context_new(NULL, &first), 0);
	cr_assert_eq(binder_context_new(NULL, &second), 0);
	binder_object *object;
	cr_assert_eq(binder_object_new_local(first, "test.ILocal", &client_ops, NULL, &object), 0);
	binder_parcel *parcel = binder_parcel_new();
	binder_parcel_write_object(parcel, NULL);
	cr_assert_eq(binder_parcel_check_context(parcel, second), 0, "null binders go anywhere");
	binder_parcel_write_object(parcel, object);
	cr_assert_eq(binder_parcel_check_context(parcel, first), 0);
	cr_assert_eq(binder_parcel_check_context(parcel, second), BINDER_BAD_VALUE);
	binder_parcel_free(parcel);
	binder_object_unref(object);
	binder_context_close(first);
	binder_context_close(second);
	binder_context_unref(first);
	binder_context_unref(second);
}

Test(parcel_object, object_through_a_transaction, .timeout = 60)
{
	struct pair pair;
	pair_open(&pair);
	atomic_store(&destroyed, 0);
	binder_object *local;
	cr_assert_eq(binder_object_new_local(pair.client, "test.ILocal", &client_ops, NULL, &local),
	             0);
	binder_parcel *data = binder_parcel_new(), *reply = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_interface_token(data, "test.IEcho"), 0);
	cr_assert_eq(binder_parcel_write_object(data, local), 0);
	cr_assert_eq(binder_object_transact(pair.proxy, CODE_ECHO_OBJECT, data, reply, 0), 0);
	int32_t checks = 0;
	cr_assert_eq(binder_parcel_read_int32(reply, &checks), 0);
	cr_assert_eq(checks, 15, "server side checks: %#x", checks);
	binder_object *back = NULL;
	cr_assert_eq(binder_parcel_read_object(reply, &back), 0);
	cr_assert_eq(back, local, "the local object itself when it comes home");
	cr_assert_eq(binder_parcel_check_context(reply, pair.client), 0);
	cr_assert_eq(binder_parcel_check_context(reply, pair.server), BINDER_BAD_VALUE);
	binder_object_unref(back);

	/* A null binder goes through as null. */
	binder_parcel_reset(data);
	binder_parcel_write_interface_token(data, "test.IEcho");
	binder_parcel_write_object(data, NULL);
	cr_assert_eq(binder_object_transact(pair.proxy, CODE_ECHO_OBJECT, data, reply, 0), 0);
	cr_assert_eq(binder_parcel_read_int32(reply, &checks), 0);
	cr_assert_eq(checks, -1, "the server read a null object");
	back = local;
	cr_assert_eq(binder_parcel_read_object(reply, &back), 0);
	cr_assert_null(back);
	/* Without the token the server says so. */
	binder_parcel_reset(data);
	binder_parcel_write_object(data, local);
	cr_assert_eq(binder_object_transact(pair.proxy, CODE_ECHO_OBJECT, data, reply, 0),
	             BINDER_BAD_TYPE);

	binder_parcel_free(data);
	binder_parcel_free(reply);
	binder_object_unref(local);
	pair_close(&pair);
}

Test(parcel_object, fd_through_a_transaction, .timeout = 60)
{
	struct pair pair;
	pair_open(&pair);
	int to_server[2], from_server[2];
	cr_assert_eq(pipe(to_server), 0);
	cr_assert_eq(pipe(from_server), 0);
	binder_parcel *data = binder_parcel_new(), *reply = binder_parcel_new();
	cr_assert_eq(binder_parcel_write_fd(data, to_server[1]), 0);
	cr_assert(binder_parcel_has_fds(data));
	cr_assert_eq(binder_object_transact(pair.proxy, CODE_ECHO_FD, data, reply, 0), 0);
	char text[2];
	cr_assert_eq(read(to_server[0], text, 2), 2);
	cr_assert(memcmp(text, "ok", 2) == 0);
	cr_assert(binder_parcel_has_fds(reply));
	int fd = -1;
	cr_assert_eq(binder_parcel_read_dup_fd(reply, &fd), 0);
	cr_assert_eq(write(fd, "hi", 2), 2);
	cr_assert_eq(read(to_server[0], text, 2), 2, "the fd came back to the same pipe");
	cr_assert(memcmp(text, "hi", 2) == 0);
	close(fd);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	close(to_server[0]);
	close(to_server[1]);
	close(from_server[0]);
	close(from_server[1]);
	pair_close(&pair);
}

Test(parcel_object, received_binder_is_looked_up, .timeout = 30)
{
	binder_context *context;
	cr_assert_eq(binder_context_new(NULL, &context), 0);
	uint64_t storage[8] = {0};
	struct flat_binder_object flat;
	memset(&flat, 0, sizeof(flat));
	flat.hdr.type = BINDER_TYPE_BINDER;
	flat.binder = 0xdead0000;
	flat.cookie = 0xdead0000;
	memcpy(storage, &flat, sizeof(flat));
	int32_t stability = 0x0c;
	memcpy((uint8_t *)storage + 24, &stability, 4);
	binder_size_t offsets[] = {0};
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(
	        binder_parcel_adopt_received(parcel, context, storage, 28, offsets, 1, NULL, NULL),
	        0);
	binder_object *object = (binder_object *)1;
	cr_assert_eq(binder_parcel_read_object(parcel, &object), BINDER_BAD_VALUE,
	             "an address that is no local object of ours");
	cr_assert_eq(object, (binder_object *)1);
	cr_assert_eq(binder_parcel_position(parcel), 0);
	struct binder_parcel_object raw;
	cr_assert_eq(binder_parcel_object_at(parcel, 0, &raw), BINDER_BAD_VALUE);
	binder_parcel_free(parcel);
	binder_context_close(context);
	binder_context_unref(context);
}

/* Reads the object a received parcel holding only flat stands for. */
static int read_received(binder_context *context, const struct flat_binder_object *flat,
                         binder_object **object)
{
	uint64_t storage[8] = {0};
	memcpy(storage, flat, sizeof(*flat));
	int32_t stability = 0x0c;
	memcpy((uint8_t *)storage + sizeof(*flat), &stability, sizeof(stability));
	binder_size_t offsets[] = {0};
	binder_parcel *parcel = binder_parcel_new();
	cr_assert_eq(binder_parcel_adopt_received(parcel, context, storage, sizeof(*flat) + 4,
	                                          offsets, 1, NULL, NULL),
	             0);
	int status = binder_parcel_read_object(parcel, object);
	binder_parcel_free(parcel);
	return status;
}

Test(parcel_object, received_binder_needs_its_cookie, .timeout = 30)
{
	/* A local object is the driver's node (its address, its cookie): a
	 * cookie no other object of the process had, so that what the driver
	 * still says about an object that is gone (killed, freed) never
	 * reaches a new object that got the same address. */
	binder_context *context;
	cr_assert_eq(binder_context_new(NULL, &context), 0);
	atomic_store(&destroyed, 0);
	binder_object *first, *found = NULL;
	cr_assert_eq(binder_object_new_local(context, "test.ILocal", &client_ops, NULL, &first), 0);
	struct flat_binder_object old;
	binder_object_flatten(first, &old);
	cr_assert_eq(old.binder, (uintptr_t)first);
	cr_assert_neq(old.cookie, 0);
	cr_assert_eq(read_received(context, &old, &found), 0);
	cr_assert_eq(found, first);
	binder_object_unref(found);
	struct flat_binder_object wrong = old;
	wrong.cookie++;
	cr_assert_eq(read_received(context, &wrong, &found), BINDER_BAD_VALUE,
	             "the right address with another cookie");

	/* Gone; a new object, most often at the same address (the sanitizer's
	 * allocator does not give it back at once: then the new object only
	 * shows it has a cookie of its own). */
	binder_object_unref(first);
	cr_assert_eq(atomic_load(&destroyed), 1);
	binder_object *second;
	cr_assert_eq(binder_object_new_local(context, "test.ILocal", &client_ops, NULL, &second),
	             0);
	struct flat_binder_object now;
	binder_object_flatten(second, &now);
	cr_assert_neq(now.cookie, old.cookie);
	if (now.binder == old.binder)
		cr_assert_eq(read_received(context, &old, &found), BINDER_BAD_VALUE,
		             "the old object's node reached the new object at its address");
	cr_assert_eq(read_received(context, &now, &found), 0);
	cr_assert_eq(found, second);
	binder_object_unref(found);
	binder_object_unref(second);
	cr_assert_eq(binder_context_close(context), 0);
	binder_context_unref(context);
}
