/*
 * binderd_limits.h - the defaults of the limits that keep one local user from
 * taking binderd away from the others: global ones, per-uid shares of
 * them, and per-channel output bounds. binderd's command line changes the
 * per-uid ones and the HELLO deadline (see main.c's usage text); the
 * robustness tests read the defaults from here. Root and binderd's own
 * uid are not held to per-uid budgets (see uid_budget.h).
 */
#ifndef BINDERD_BINDERD_LIMITS_H
#define BINDERD_BINDERD_LIMITS_H

/* Connections (processes) binderd serves at once, over all users. */
#define BINDERD_MAX_PROCS 4096u
/* Of which one uid may hold (--uid-max-procs). */
#define BINDERD_DEFAULT_UID_MAX_PROCS 1024u

/* Thread channels of one process, and of all processes of one uid
 * (--uid-max-threads). */
#define BINDERD_MAX_THREADS_PER_PROC    1024u
#define BINDERD_DEFAULT_UID_MAX_THREADS 4096u

/* fds binderd holds for transactions not yet delivered: per receiving
 * process, and per sending uid over all receivers (--uid-max-fds). */
#define BINDERD_MAX_FDS_IN_FLIGHT_PER_PROC 4096u
#define BINDERD_DEFAULT_UID_MAX_FDS        2048u

/* Output a channel queued because its peer did not read: binderd stops
 * reading a channel's requests above the high-water mark and resumes
 * below the low one; a channel that still reaches the cap (messages that
 * binderd sends unasked) is closed. */
#define CHANNEL_OUTPUT_HIGH_WATER (64u << 10) /* 64 KiB */
#define CHANNEL_OUTPUT_LOW_WATER  (16u << 10) /* 16 KiB */
#define CHANNEL_MAX_OUTPUT        (2u << 20)  /* 2 MiB */
/* Queued output over all channels of one uid (--uid-max-output, bytes). */
#define BINDERD_DEFAULT_UID_MAX_OUTPUT (16u << 20) /* 16 MiB */

/* A connection that has not said HELLO after this long is closed
 * (--hello-timeout, seconds). */
#define BINDERD_DEFAULT_HELLO_TIMEOUT_SECONDS 10u

/* accept() out of fds (EMFILE, ENFILE): the listener rests this long
 * before binderd tries again, instead of spinning. */
#define BINDERD_ACCEPT_PAUSE_MS 100u

/* At most one line per this many seconds for warnings a peer can cause
 * in bulk (the rest are counted and reported with the next line). */
#define BINDERD_WARNING_INTERVAL_SECONDS 1u

#endif
