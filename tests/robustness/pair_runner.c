/*
 * pair_runner.c - an abuse in a child process, the well-behaved pair
 * calling in the test process meanwhile (see pair_runner.h).
 */
#include "pair_runner.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "binderd_status.h"
#include "echo_pair.h"

/* The abuser child kills itself after this long, whatever happens. */
#define ABUSER_ALARM_SECONDS 40
/* The pair gives up waiting for the abuser after this long. */
#define ABUSER_WAIT_MS 45000
/* Most calls the pair makes during one abuse. */
#define PAIR_MAX_CALLS 100000

static long long now_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void pause_ms(long ms)
{
	struct timespec pause = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&pause, NULL);
}

void run_abuse_beside_pair(const char *name, abuse_function abuse)
{
	cr_assert(binderd_alive(), "binderd is not running (pid %d)", (int)binderd_pid());
	int result = echo_pair_check();
	cr_assert(result == 0, "the pair fails before '%s': %s", name, echo_result_name(result));

	int report_pipe[2];
	cr_assert(pipe(report_pipe) == 0);
	pid_t parent = getpid();
	pid_t child = fork();
	cr_assert(child >= 0, "fork: %s", strerror(errno));
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(3);
		alarm(ABUSER_ALARM_SECONDS);
		close(report_pipe[0]);
		struct abuse_report report = {.why = ""};
		int outcome = abuse(&report);
		if (outcome != 0) {
			ssize_t written = write(report_pipe[1], report.why, strlen(report.why));
			(void)written;
		}
		_exit(outcome == 0 ? 0 : 1);
	}
	close(report_pipe[1]);

	/* The pair calls while the abuse runs. */
	struct echo_client client;
	result = echo_client_open(&client);
	int status = 0;
	bool exited = false;
	long long deadline = now_ms() + ABUSER_WAIT_MS;
	while (result == 0 && client.calls < PAIR_MAX_CALLS && now_ms() < deadline) {
		if (waitpid(child, &status, WNOHANG) == child) {
			exited = true;
			break;
		}
		result = echo_client_call(&client, ECHO_CODE_ECHO);
		pause_ms(2);
	}
	unsigned calls_during = client.calls;
	if (client.device)
		echo_client_close(&client);
	while (!exited && now_ms() < deadline) {
		if (waitpid(child, &status, WNOHANG) == child)
			exited = true;
		else
			pause_ms(10);
	}
	if (!exited) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
	}
	char why[600] = "";
	ssize_t got = read(report_pipe[0], why, sizeof(why) - 1);
	if (got > 0)
		why[got] = '\0';
	close(report_pipe[0]);

	cr_assert(result == 0, "the pair failed during '%s' after %u calls: %s", name, calls_during,
	          echo_result_name(result));
	cr_assert(exited, "'%s' did not finish in %d ms", name, ABUSER_WAIT_MS);
	cr_assert(WIFEXITED(status),
	          "'%s': the abuser died of signal %d (alarm: it hung waiting for binderd)", name,
	          WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	cr_assert(WEXITSTATUS(status) == 0, "'%s': %s", name, why);
	cr_assert(binderd_alive(), "binderd died during '%s'", name);
	result = echo_pair_check();
	cr_assert(result == 0, "the pair fails after '%s': %s", name, echo_result_name(result));
	cr_log_info("%s: the pair made %u calls during the abuse", name, calls_during);
}
