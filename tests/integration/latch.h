/*
 * latch.h - a counter that binder threads raise and a test thread waits
 * on, with a bounded wait (death notifications, callbacks).
 */
#ifndef INTEGRATION_LATCH_H
#define INTEGRATION_LATCH_H

#include <pthread.h>
#include <stdbool.h>

struct latch {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int count;
};

void latch_init(struct latch *latch);
void latch_destroy(struct latch *latch);
/* Adds one and wakes the waiters. */
void latch_raise(struct latch *latch);
int latch_count(struct latch *latch);
/* Waits up to timeout_ms for the count to reach at least target. */
bool latch_wait(struct latch *latch, int target, int timeout_ms);

#endif
