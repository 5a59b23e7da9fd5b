/*
 * oneway_spam.c - oneway spam detection, after the kernel's
 * (binder_alloc_new_buf_locked and debug_low_async_space_locked): once a
 * receive area's async space falls below a tenth of the area, the sender of
 * a new oneway buffer is a suspect if it holds more than
 * SPAM_BUFFER_COUNT_MAX oneway buffers there or more than a quarter of the
 * area; the first suspect since the space was last above the mark gets
 * BR_ONEWAY_SPAM_SUSPECT instead of BR_TRANSACTION_COMPLETE, if its
 * process asked for it (BINDER_ENABLE_ONEWAY_SPAM_DETECTION).
 */
#include "binderd.h"

#define SPAM_BUFFER_COUNT_MAX    50
#define LOW_ASYNC_SPACE_DIVISOR  10
#define SPAM_ASYNC_BYTES_DIVISOR 4

static bool sender_holds_too_much(struct area *area, pid_t pid)
{
	struct buffer *buffer, *next;
	size_t count = 0, bytes = 0;

	HASH_ITER(hh, area->by_offset, buffer, next)
	{
		if (!buffer->async || buffer->sender_pid != pid)
			continue;
		count++;
		bytes += buffer->async_charge;
	}
	return count > SPAM_BUFFER_COUNT_MAX || bytes > area->size / SPAM_ASYNC_BYTES_DIVISOR;
}

bool oneway_spam_suspect(struct area *area, pid_t pid)
{
	if (area->free_async_space >= area->size / LOW_ASYNC_SPACE_DIVISOR) {
		area->oneway_spam_detected = false;
		return false;
	}
	if (area->oneway_spam_detected || !sender_holds_too_much(area, pid))
		return false;
	area->oneway_spam_detected = true;
	return true;
}
