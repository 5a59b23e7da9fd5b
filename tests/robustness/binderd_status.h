/*
 * binderd_status.h - what the robustness tests watch in binderd itself:
 * that it is alive, its resident memory and its open fds (from /proc).
 */
#ifndef ROBUSTNESS_BINDERD_STATUS_H
#define ROBUSTNESS_BINDERD_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* binderd's pid: $BINDERD_PID (set by tests/with_binderd.sh), else the
 * listener on $BINDER_DEVICE (SO_PEERCRED of a connection to it). -ESRCH
 * when not found. */
pid_t binderd_pid(void);

/* binderd runs with AddressSanitizer (libasan in its maps): its RSS then
 * holds the sanitizer's quarantine and shadow, not binderd's own use. */
bool binderd_sanitized(void);

/* binderd still runs (and is not a zombie). */
bool binderd_alive(void);

struct binderd_usage {
	long rss_kib;       /* VmRSS */
	long rss_anon_kib;  /* RssAnon */
	long rss_shmem_kib; /* RssShmem: mapped receive and send areas */
	long data_kib;      /* VmData */
	long fd_count;      /* entries in /proc/PID/fd */
};

/* 0 or -errno. */
int binderd_usage_read(struct binderd_usage *usage);

#endif
