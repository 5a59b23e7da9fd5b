/*
 * ratelimit.h - at most one log line per BINDERD_WARNING_INTERVAL_SECONDS
 * for a warning that a peer can trigger in bulk; the lines held back are
 * counted and reported with the next one that goes out.
 */
#ifndef BINDERD_RATELIMIT_H
#define BINDERD_RATELIMIT_H

#include <stdbool.h>
#include <time.h>

#include "binderd_limits.h"

struct ratelimit {
	time_t last;              /* CLOCK_MONOTONIC seconds of the last line */
	bool logged;              /* a line went out already */
	unsigned long suppressed; /* lines held back since */
};

/* true: log now, and *suppressed says how many lines were held back
 * before this one. false: hold this line back (it is counted). */
static inline bool ratelimit_allow(struct ratelimit *limit, unsigned long *suppressed)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (limit->logged && now.tv_sec - limit->last < (time_t)BINDERD_WARNING_INTERVAL_SECONDS) {
		limit->suppressed++;
		return false;
	}
	limit->logged = true;
	limit->last = now.tv_sec;
	*suppressed = limit->suppressed;
	limit->suppressed = 0;
	return true;
}

#endif
