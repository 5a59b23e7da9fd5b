/*
 * client_handles.c - the cost of a call with few and with many handles
 * held. The server hands the client distinct objects, 1,000 per
 * transaction; the client takes a strong reference on each handle
 * (BC_ACQUIRE) before freeing the reply that carried it, so it keeps them.
 * Then it times 64 B echo calls to the newest handle, once holding 10
 * handles and once holding 100,000.
 */
#include "client.h"

#include "binder_io.h"
#include "call_series.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Asks for objects first .. first + count - 1 and stores their handles. */
static int acquire_objects(struct binder_io *io, uint32_t first, uint32_t count, uint32_t *handles)
{
	struct bench_objects_request request = {.first = first, .count = count};
	struct binder_transaction_data reply;
	const uint8_t *data;
	const binder_size_t *offsets;
	int ret = binder_io_call(io, 0, BENCH_CODE_GET_OBJECTS, &request, sizeof(request), NULL, 0,
	                         &reply);

	if (ret < 0)
		return ret;
	data = (const uint8_t *)(uintptr_t)reply.data.ptr.buffer;
	offsets = (const binder_size_t *)(uintptr_t)reply.data.ptr.offsets;
	if (reply.data_size != count * sizeof(struct flat_binder_object) ||
	    reply.offsets_size != count * sizeof(binder_size_t))
		ret = -EBADMSG;
	for (uint32_t i = 0; i < count && ret == 0; i++) {
		struct flat_binder_object object;

		if (offsets[i] > reply.data_size - sizeof(object)) {
			ret = -EBADMSG;
			break;
		}
		memcpy(&object, data + offsets[i], sizeof(object));
		if (object.hdr.type != BINDER_TYPE_HANDLE) {
			ret = -EBADMSG;
			break;
		}
		handles[i] = object.handle;
		ret = binder_io_put(io, BC_ACQUIRE, &object.handle, sizeof(object.handle));
	}
	/* The references taken above keep the handles once the reply's own
	 * references go with its buffer. */
	if (binder_io_free_buffer(io, reply.data.ptr.buffer) < 0 && ret == 0)
		ret = -ENOSPC;
	if (ret == 0)
		ret = binder_io_write_read(io, 0);
	return ret;
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a;
	uint32_t y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Every object must have arrived as its own handle, none of them 0. */
static int check_distinct(const uint32_t *handles, size_t count)
{
	uint32_t *sorted = malloc(count * sizeof(*sorted));
	int ret = 0;

	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, handles, count * sizeof(*sorted));
	qsort(sorted, count, sizeof(*sorted), compare_u32);
	for (size_t i = 0; i < count && ret == 0; i++)
		if (sorted[i] == 0 || (i > 0 && sorted[i] == sorted[i - 1]))
			ret = -EBADMSG;
	free(sorted);
	return ret;
}

static int acquire_range(struct binder_io *io, uint32_t first, uint32_t end, uint32_t *handles)
{
	int ret = 0;

	for (uint32_t next = first; next < end && ret == 0;) {
		uint32_t count = end - next < BENCH_OBJECTS_PER_TRANSACTION
		                         ? end - next
		                         : BENCH_OBJECTS_PER_TRANSACTION;

		ret = acquire_objects(io, next, count, handles + next);
		next += count;
	}
	return ret;
}

static int time_calls(struct binder_io *io, const struct bench_config *config, uint32_t handle,
                      double *p50_us)
{
	static const uint8_t payload[64] = {0x11, [63] = 0x22};
	struct call_series series = {
	        .handle = handle,
	        .payload = payload,
	        .size = sizeof(payload),
	        .warmup_calls = config->warmup_calls,
	        .calls_per_run = config->handle_calls_per_run,
	        .max_run_seconds = config->max_run_seconds,
	        .runs = config->runs,
	};
	struct call_series_result result;
	int ret = bench_call_series(io, &series, &result);

	if (ret == 0)
		*p50_us = result.p50_us;
	return ret;
}

int bench_measure_handles(struct binder_io *io, const struct bench_config *config,
                          struct binder_results *results)
{
	uint32_t many = (uint32_t)config->handles_many;
	uint32_t *handles = calloc(many, sizeof(*handles));
	int ret = handles ? 0 : -ENOMEM;

	if (ret == 0)
		ret = acquire_range(io, 0, BENCH_HANDLES_FEW, handles);
	if (ret == 0)
		ret = time_calls(io, config, handles[BENCH_HANDLES_FEW - 1],
		                 &results->handles_few_p50_us);
	bench_progress(config, "acquiring the many handles");
	if (ret == 0)
		ret = acquire_range(io, BENCH_HANDLES_FEW, many, handles);
	bench_progress(config, "calls with the many handles");
	if (ret == 0)
		ret = check_distinct(handles, many);
	if (ret == 0)
		ret = time_calls(io, config, handles[many - 1], &results->handles_many_p50_us);
	/* The handles are dropped with the device when the process ends. */
	free(handles);
	return ret;
}
