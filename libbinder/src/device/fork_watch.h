/*
 * fork_watch.h - tells a forked child from its parent without a system
 * call per check: a counter bumped in every child created by fork().
 */
#ifndef BINDER_FORK_WATCH_H
#define BINDER_FORK_WATCH_H

#include <sys/types.h>

/* Changes in a child after fork(); stable otherwise. */
unsigned long binder_fork_generation(void);

/* getpid(), cached (and refreshed in a forked child). */
pid_t binder_self_pid(void);

#endif
