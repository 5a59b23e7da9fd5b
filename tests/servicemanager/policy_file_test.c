/*
 * policy_file_test.c - servicemanager refuses to start with a bad policy
 * file: it exits with status 1 and says why on stderr, before it opens the
 * device (so these tests need no binderd).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Runs servicemanager with --policy on a file holding contents (NULL: a
 * file that does not exist); returns its exit status, and its stderr in
 * output. Killed after 10 s if it does not exit. */
static int run_with_policy(const char *contents, char *output, size_t output_size)
{
	char directory[] = "/tmp/servicemanager-policy.XXXXXX";
	cr_assert_not_null(mkdtemp(directory));
	char policy[256], log[256];
	snprintf(policy, sizeof(policy), "%s/policy.ini", directory);
	snprintf(log, sizeof(log), "%s/stderr", directory);
	if (contents) {
		FILE *file = fopen(policy, "w");
		cr_assert_not_null(file);
		fputs(contents, file);
		fclose(file);
	}
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	/* A device that is not there: it must fail on the policy first. */
	char *argv[] = {(char *)SERVICEMANAGER_PATH, "--policy", policy, "--device",
	                "/nonexistent/binder.sock",  NULL};
	pid_t pid;
	cr_assert_eq(posix_spawn(&pid, SERVICEMANAGER_PATH, &actions, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&actions);
	int status = 0;
	for (int i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (i == 999) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		usleep(10000);
	}
	FILE *file = fopen(log, "r");
	cr_assert_not_null(file);
	size_t length = fread(output, 1, output_size - 1, file);
	output[length] = '\0';
	fclose(file);
	unlink(log);
	unlink(policy);
	rmdir(directory);
	cr_assert(WIFEXITED(status), "servicemanager did not exit: %s", output);
	return WEXITSTATUS(status);
}

static void expect_refused(const char *contents, const char *message)
{
	char output[4096];
	int status = run_with_policy(contents, output, sizeof(output));
	cr_assert_eq(status, 1, "exit status %d; stderr: %s", status, output);
	cr_assert_not_null(strstr(output, "policy"), "stderr: %s", output);
	cr_assert_not_null(strstr(output, message), "expected '%s' in: %s", message, output);
}

Test(policy_file, missing_file, .timeout = 30)
{
	expect_refused(NULL, "cannot open");
}

Test(policy_file, entry_outside_add_section, .timeout = 30)
{
	expect_refused("[find]\n* = 0\n", "line 2");
}

Test(policy_file, entry_before_any_section, .timeout = 30)
{
	expect_refused("* = 0\n", "line 1");
}

Test(policy_file, not_a_uid, .timeout = 30)
{
	expect_refused("[add]\nfoo = 0\nbar = 12x\n", "'12x'");
}

Test(policy_file, unknown_user, .timeout = 30)
{
	expect_refused("[add]\n* = no-such-user-here\n", "no such user");
}

Test(policy_file, not_ini, .timeout = 30)
{
	expect_refused("[add]\njust some words\n", "line 2");
}

Test(policy_file, empty_uid_in_list, .timeout = 30)
{
	expect_refused("[add]\n* = 0,,1\n", "line 2");
}

/* A good file passes the policy step (and then fails on the device). */
Test(policy_file, good_file_is_accepted, .timeout = 30)
{
	char output[4096];
	int status = run_with_policy("; comment\n[add]\ncalc* = 0, root, *\n* =\n", output,
	                             sizeof(output));
	cr_assert_eq(status, 1);
	cr_assert_null(strstr(output, "error: policy"), "stderr: %s", output);
	cr_assert_not_null(strstr(output, "cannot open"), "stderr: %s", output);
}
