/* latch.c - a counter to wait on with a bound (see latch.h). */
#include "latch.h"

#include <errno.h>
#include <time.h>

void latch_init(struct latch *latch)
{
	pthread_mutex_init(&latch->lock, NULL);
	pthread_condattr_t monotonic;
	pthread_condattr_init(&monotonic);
	pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
	pthread_cond_init(&latch->changed, &monotonic);
	pthread_condattr_destroy(&monotonic);
	latch->count = 0;
}

void latch_destroy(struct latch *latch)
{
	pthread_cond_destroy(&latch->changed);
	pthread_mutex_destroy(&latch->lock);
}

void latch_raise(struct latch *latch)
{
	pthread_mutex_lock(&latch->lock);
	latch->count++;
	pthread_cond_broadcast(&latch->changed);
	pthread_mutex_unlock(&latch->lock);
}

int latch_count(struct latch *latch)
{
	pthread_mutex_lock(&latch->lock);
	int count = latch->count;
	pthread_mutex_unlock(&latch->lock);
	return count;
}

bool latch_wait(struct latch *latch, int target, int timeout_ms)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&latch->lock);
	while (latch->count < target) {
		if (pthread_cond_timedwait(&latch->changed, &latch->lock, &deadline) == ETIMEDOUT)
			break;
	}
	bool reached = latch->count >= target;
	pthread_mutex_unlock(&latch->lock);
	return reached;
}
