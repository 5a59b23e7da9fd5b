/*
 * bug_on.h - BINDER_BUG_ON(condition): an invariant of our own code (not
 * something a peer can cause: peer faults are logged and fail that peer).
 * In Debug, sanitizer and fuzz builds a violated invariant aborts, so tests
 * and the fuzzer stop right there; in release builds it is logged once per
 * call site and the caller goes on with its fallback. Evaluates to the
 * condition, so it reads as a guard:
 *
 *	if (BINDER_BUG_ON(fd_count > BINDERD_MAX_FDS_PER_MESSAGE))
 *		return -EINVAL;
 *
 * The kernel's BUG_ON/WARN_ON_ONCE in one.
 */
#ifndef BINDER_BUG_ON_H
#define BINDER_BUG_ON_H

#include <stdbool.h>
#include <stdlib.h>

#include "log.h"

#if defined(__SANITIZE_ADDRESS__)
#define BINDER_BUG_ON_ABORTS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BINDER_BUG_ON_ABORTS 1
#endif
#endif
#if !defined(BINDER_BUG_ON_ABORTS) &&                                                              \
        (!defined(NDEBUG) || defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION))
#define BINDER_BUG_ON_ABORTS 1
#endif
#ifndef BINDER_BUG_ON_ABORTS
#define BINDER_BUG_ON_ABORTS 0
#endif

#define BINDER_BUG_ON(condition)                                                                   \
	({                                                                                         \
		bool binder_bug_on_hit = (condition);                                              \
		if (__builtin_expect(binder_bug_on_hit, 0)) {                                      \
			static bool binder_bug_on_logged;                                          \
			if (!binder_bug_on_logged) {                                               \
				binder_bug_on_logged = true;                                       \
				log_error("BUG: %s at %s:%d (%s)", #condition, __FILE__, __LINE__, \
				          __func__);                                               \
			}                                                                          \
			if (BINDER_BUG_ON_ABORTS)                                                  \
				abort();                                                           \
		}                                                                                  \
		binder_bug_on_hit;                                                                 \
	})

#endif
