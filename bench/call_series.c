/*
 * call_series.c - timed series of echo calls from one client thread.
 *
 * Samples are stored in an array allocated before the first timed call;
 * the timed loop itself does not allocate.
 */
#include "call_series.h"

#include "clock.h"
#include "stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int bench_echo_call(struct binder_io *io, uint32_t handle, const void *payload, size_t size)
{
	struct binder_transaction_data reply;
	const uint8_t *sent = payload;
	const uint8_t *received;
	int ret = binder_io_call(io, handle, BENCH_CODE_ECHO, payload, size, NULL, 0, &reply);

	if (ret < 0)
		return ret;
	received = (const uint8_t *)(uintptr_t)reply.data.ptr.buffer;
	if (reply.data_size != size || reply.offsets_size != 0 ||
	    (size > 0 && (received[0] != sent[0] || received[size - 1] != sent[size - 1])))
		ret = -EBADMSG;
	/* Goes out with the next call, as libbinder does. */
	binder_io_free_buffer(io, reply.data.ptr.buffer);
	return ret;
}

int bench_call_series(struct binder_io *io, const struct call_series *series,
                      struct call_series_result *result)
{
	size_t count = (size_t)series->calls_per_run;
	uint64_t *samples = calloc(count, sizeof(*samples));
	double *p50 = calloc((size_t)series->runs, sizeof(*p50));
	double *p99 = calloc((size_t)series->runs, sizeof(*p99));
	double *rates = calloc((size_t)series->runs, sizeof(*rates));
	int ret = 0;

	if (!samples || !p50 || !p99 || !rates) {
		ret = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < series->warmup_calls && ret == 0; i++)
		ret = bench_echo_call(io, series->handle, series->payload, series->size);
	for (int run = 0; run < series->runs && ret == 0; run++) {
		uint64_t run_start = bench_now_ns();
		uint64_t run_end = run_start + (uint64_t)(series->max_run_seconds * 1e9);
		uint64_t end = run_start;
		size_t done = 0;

		while (done < count && end < run_end) {
			uint64_t start = bench_now_ns();

			ret = bench_echo_call(io, series->handle, series->payload, series->size);
			if (ret < 0)
				break;
			end = bench_now_ns();
			samples[done++] = end - start;
		}
		if (ret < 0)
			break;
		rates[run] = 2.0 * (double)series->size * (double)done / (double)(end - run_start);
		p50[run] = bench_ns_to_us(bench_percentile_ns(samples, done, 50));
		p99[run] = bench_ns_to_us(bench_percentile_ns(samples, done, 99));
	}
	/* Sends the last BC_FREE_BUFFER. */
	if (ret == 0)
		ret = binder_io_write_read(io, 0);
	if (ret == 0) {
		result->p50_us = bench_median(p50, (size_t)series->runs);
		result->p99_us = bench_median(p99, (size_t)series->runs);
		result->gb_per_s = bench_median(rates, (size_t)series->runs);
	}
out:
	free(samples);
	free(p50);
	free(p99);
	free(rates);
	return ret;
}
