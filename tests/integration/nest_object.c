/* nest_object.c - the INest object for the nested-calls test (see
 * nest_object.h and protocol.h). */
#include "nest_object.h"

#include <unistd.h>

#include <binder/parcel.h>

static int write_records(binder_parcel *reply, const struct nest_record *records, size_t count)
{
	int status = binder_parcel_write_int32(reply, (int32_t)count);
	for (size_t i = 0; status == 0 && i < count; i++) {
		status = binder_parcel_write_int32(reply, records[i].pid);
		if (status == 0)
			status = binder_parcel_write_int32(reply, records[i].tid);
		if (status == 0)
			status = binder_parcel_write_int32(reply, records[i].came_home);
	}
	return status;
}

static int read_records(binder_parcel *reply, struct nest_record *records, size_t capacity,
                        size_t *count)
{
	int32_t received;
	int status = binder_parcel_read_int32(reply, &received);
	if (status != 0)
		return status;
	if (received < 0 || (size_t)received > capacity)
		return BINDER_BAD_VALUE;
	for (int32_t i = 0; status == 0 && i < received; i++) {
		status = binder_parcel_read_int32(reply, &records[i].pid);
		if (status == 0)
			status = binder_parcel_read_int32(reply, &records[i].tid);
		if (status == 0)
			status = binder_parcel_read_int32(reply, &records[i].came_home);
	}
	if (status == 0)
		*count = (size_t)received;
	return status;
}

int nest_call(binder_object *const ring[NEST_RING_SIZE], int32_t index, int32_t depth,
              struct nest_record *records, size_t capacity, size_t *count)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = data != NULL && reply != NULL ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, NEST_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_int32(data, depth);
	if (status == 0)
		status = binder_parcel_write_int32(data, index);
	if (status == 0)
		status = binder_parcel_write_int32(data, NEST_RING_SIZE);
	for (int i = 0; status == 0 && i < NEST_RING_SIZE; i++)
		status = binder_parcel_write_object(data, ring[i]);
	if (status == 0)
		status = binder_object_transact(ring[index], NEST_CALL, data, reply, 0);
	int32_t exception = BINDER_EX_NONE;
	if (status == 0)
		status = binder_parcel_read_exception(reply, &exception, NULL, NULL);
	if (status == 0 && exception != BINDER_EX_NONE)
		status = BINDER_BAD_VALUE;
	if (status == 0)
		status = read_records(reply, records, capacity, count);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

/* One level: record where it runs, go on around the ring unless the depth
 * is used up, and answer this level's record before the inner ones. */
static int nest_level(binder_object *self, binder_parcel *data, binder_parcel *reply)
{
	int32_t depth, index, size;
	int status = binder_parcel_read_int32(data, &depth);
	if (status == 0)
		status = binder_parcel_read_int32(data, &index);
	if (status == 0)
		status = binder_parcel_read_int32(data, &size);
	if (status != 0)
		return status;
	if (depth < 0 || depth > NEST_MAX_DEPTH || index < 0 || index >= NEST_RING_SIZE ||
	    size != NEST_RING_SIZE)
		return BINDER_BAD_VALUE;
	binder_object *ring[NEST_RING_SIZE] = {NULL};
	for (int i = 0; status == 0 && i < NEST_RING_SIZE; i++)
		status = binder_parcel_read_object(data, &ring[i]);
	for (int i = 0; status == 0 && i < NEST_RING_SIZE; i++)
		if (ring[i] == NULL)
			status = BINDER_UNEXPECTED_NULL;

	struct nest_record records[NEST_MAX_DEPTH + 1];
	size_t inner = 0;
	if (status == 0) {
		records[0].pid = getpid();
		records[0].tid = gettid();
		records[0].came_home = ring[index] == self;
		if (depth > 0)
			status = nest_call(ring, (index + 1) % NEST_RING_SIZE, depth - 1,
			                   records + 1, NEST_MAX_DEPTH, &inner);
	}
	if (status == 0)
		status = binder_parcel_write_no_exception(reply);
	if (status == 0)
		status = write_records(reply, records, inner + 1);
	for (int i = 0; i < NEST_RING_SIZE; i++)
		binder_object_unref(ring[i]);
	return status;
}

static int nest_transact(binder_object *self, uint32_t code, binder_parcel *data,
                         binder_parcel *reply, const struct binder_caller *caller, void *user_data)
{
	(void)caller;
	(void)user_data;
	if (code != NEST_CALL)
		return BINDER_UNKNOWN_TRANSACTION;
	int status = binder_parcel_enforce_interface(data, NEST_DESCRIPTOR);
	if (status != 0)
		return status;
	return nest_level(self, data, reply);
}

int nest_object_new(binder_context *context, binder_object **out)
{
	const struct binder_local_ops ops = {.transact = nest_transact};
	return binder_object_new_local(context, NEST_DESCRIPTOR, &ops, NULL, out);
}
