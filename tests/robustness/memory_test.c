/*
 * memory_test.c - binderd's memory and fds return to their baseline: read
 * binderd's VmRSS and open fds, run every abuse a few times, let binderd
 * settle, and check that RSS is back within a bound of the baseline and
 * that no fd is left behind.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "abuses.h"
#include "binderd_status.h"
#include "echo_pair.h"

/* Rounds of every abuse; ROBUSTNESS_ROUNDS overrides (to hunt leaks). */
#define ROUNDS 3
/* What binderd may keep over its baseline once every abuser is gone. */
#define RSS_SLACK_KIB (8 * 1024)
#define SETTLE_MS     5000

static void pause_ms(long ms)
{
	struct timespec pause = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&pause, NULL);
}

static void print_usage(const char *when, const struct binderd_usage *usage)
{
	fprintf(stderr,
	        "binderd %s: VmRSS %ld KiB (anon %ld, shmem %ld), VmData %ld KiB, %ld fds\n", when,
	        usage->rss_kib, usage->rss_anon_kib, usage->rss_shmem_kib, usage->data_kib,
	        usage->fd_count);
}

Test(memory, returns_to_baseline, .timeout = 400.0)
{
	cr_assert(binderd_pid() > 0, "cannot find binderd's pid (BINDERD_PID or %s)",
	          "the owner of $BINDER_DEVICE");
	int result = echo_pair_check();
	cr_assert(result == 0, "the pair fails: %s", echo_result_name(result));
	struct binderd_usage baseline, now;
	cr_assert(binderd_usage_read(&baseline) == 0);
	print_usage("baseline", &baseline);

	/* Under AddressSanitizer freed memory sits in its quarantine: RSS says
	 * nothing about binderd, so one round checks fds only (the plain
	 * build checks RSS). */
	bool sanitized = binderd_sanitized();
	int rounds = sanitized ? 1 : ROUNDS;
	const char *override = getenv("ROBUSTNESS_ROUNDS");
	if (override && atoi(override) > 0)
		rounds = atoi(override);
	for (int round = 1; round <= rounds; round++) {
		for (const struct abuse *abuse = abuse_table; abuse->name; abuse++) {
			struct abuse_report report = {.why = ""};
			cr_assert(abuse->run(&report) == 0, "round %d, '%s': %s", round,
			          abuse->name, report.why);
			cr_assert(binderd_alive(), "binderd died in '%s'", abuse->name);
		}
		result = echo_pair_check();
		cr_assert(result == 0, "the pair fails after round %d: %s", round,
		          echo_result_name(result));
		cr_assert(binderd_usage_read(&now) == 0);
		char when[32];
		snprintf(when, sizeof(when), "after round %d", round);
		print_usage(when, &now);
	}

	/* Let binderd finish releasing what the last abusers left. */
	for (int waited = 0; waited < SETTLE_MS; waited += 100) {
		cr_assert(echo_pair_check() == 0);
		cr_assert(binderd_usage_read(&now) == 0);
		if ((sanitized || now.rss_kib <= baseline.rss_kib + RSS_SLACK_KIB) &&
		    now.fd_count <= baseline.fd_count)
			break;
		pause_ms(100);
	}
	print_usage("settled", &now);
	cr_expect(now.fd_count <= baseline.fd_count,
	          "binderd holds %ld fds after the abuse, %ld before", now.fd_count,
	          baseline.fd_count);
	if (sanitized) {
		fprintf(stderr, "binderd runs under AddressSanitizer: RSS not compared\n");
		return;
	}
	cr_expect(now.rss_kib <= baseline.rss_kib + RSS_SLACK_KIB,
	          "binderd's VmRSS is %ld KiB after the abuse, baseline %ld KiB (+%d allowed); "
	          "anon %ld KiB (baseline %ld), shmem %ld KiB (baseline %ld)",
	          now.rss_kib, baseline.rss_kib, RSS_SLACK_KIB, now.rss_anon_kib,
	          baseline.rss_anon_kib, now.rss_shmem_kib, baseline.rss_shmem_kib);
}
