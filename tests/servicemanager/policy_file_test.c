/*
 * policy_file_test.c - servicemanager refuses to start with a bad policy
 * file (status 1) or a bad option (status 2) and says why on stderr,
 * before it opens the device (so these tests need no binderd); a good
 * file, the shipped example included, passes that step.
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

/* Runs servicemanager with the options in arguments (NULL-terminated) and
 * a device that is not there; returns its exit status, and its stderr in
 * output. Killed after 10 s if it does not exit. */
static int run_servicemanager(const char *const *arguments, char *output, size_t output_size)
{
	char log[] = "/tmp/servicemanager-stderr.XXXXXX";
	int log_fd = mkstemp(log);
	cr_assert_geq(log_fd, 0);
	close(log_fd);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	/* A device that is not there: it must fail on the options first. */
	char *argv[16] = {(char *)SERVICEMANAGER_PATH, "--device", "/nonexistent/binder.sock"};
	size_t argc = 3;
	for (size_t i = 0; arguments[i]; i++) {
		cr_assert_lt(argc, sizeof(argv) / sizeof(argv[0]) - 1);
		argv[argc++] = (char *)arguments[i];
	}
	argv[argc] = NULL;
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
	cr_assert(WIFEXITED(status), "servicemanager did not exit: %s", output);
	return WEXITSTATUS(status);
}

/* Runs servicemanager with --policy on a file holding contents (NULL: a
 * file that does not exist), and the options in extra (NULL or
 * NULL-terminated). */
static int run_with_policy_and(const char *contents, const char *const *extra, char *output,
                               size_t output_size)
{
	char directory[] = "/tmp/servicemanager-policy.XXXXXX";
	cr_assert_not_null(mkdtemp(directory));
	char policy[256];
	snprintf(policy, sizeof(policy), "%s/policy.ini", directory);
	if (contents) {
		FILE *file = fopen(policy, "w");
		cr_assert_not_null(file);
		fputs(contents, file);
		fclose(file);
	}
	const char *arguments[8] = {"--policy", policy};
	size_t count = 2;
	for (size_t i = 0; extra && extra[i] && count < 7; i++)
		arguments[count++] = extra[i];
	arguments[count] = NULL;
	int status = run_servicemanager(arguments, output, output_size);
	unlink(policy);
	rmdir(directory);
	return status;
}

static int run_with_policy(const char *contents, char *output, size_t output_size)
{
	return run_with_policy_and(contents, NULL, output, output_size);
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

Test(policy_file, limits_are_accepted, .timeout = 30)
{
	char output[4096];
	int status = run_with_policy("[add]\n* = 0\n[limits]\nnames_per_uid = 3\n"
	                             "notifications_per_uid = 0\n",
	                             output, sizeof(output));
	cr_assert_eq(status, 1);
	cr_assert_null(strstr(output, "error: policy"), "stderr: %s", output);
	cr_assert_not_null(strstr(output, ": 3 names, 0 notification"), "stderr: %s", output);
	cr_assert_not_null(strstr(output, "cannot open"), "stderr: %s", output);
}

Test(policy_file, unknown_limit, .timeout = 30)
{
	expect_refused("[limits]\nnames_per_uid = 3\nservices = 4\n", "line 3");
}

Test(policy_file, limit_not_a_number, .timeout = 30)
{
	expect_refused("[limits]\nnames_per_uid = -1\n", "line 2");
	expect_refused("[limits]\nnotifications_per_uid = 12x\n", "'12x'");
	/* More than the table holds. */
	expect_refused("[limits]\nnames_per_uid = 4097\n", "line 2");
}

/* Bad --names-per-uid / --notifications-per-uid: usage error (2). */
Test(policy_file, bad_quota_options, .timeout = 30)
{
	const char *bad[][3] = {
	        {"--names-per-uid", "many", NULL},
	        {"--names-per-uid", "4097", NULL},
	        {"--notifications-per-uid", "-3", NULL},
	        {"--notifications-per-uid", "", NULL},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char output[4096];
		int status = run_servicemanager(bad[i], output, sizeof(output));
		cr_assert_eq(status, 2, "%s '%s': status %d; stderr: %s", bad[i][0], bad[i][1],
		             status, output);
		cr_assert_not_null(strstr(output, bad[i][0]), "stderr: %s", output);
	}
}

/* --android outside 11..16: usage error (2), naming the option. */
Test(policy_file, bad_android_option, .timeout = 30)
{
	const char *bad[][3] = {
	        {"--android", "10", NULL}, {"--android", "17", NULL},  {"--android", "14x", NULL},
	        {"--android", "", NULL},   {"--android", "-14", NULL},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char output[4096];
		int status = run_servicemanager(bad[i], output, sizeof(output));
		cr_assert_eq(status, 2, "--android '%s': status %d; stderr: %s", bad[i][1], status,
		             output);
		cr_assert_not_null(strstr(output, "--android"), "stderr: %s", output);
	}
}

/* Good options override the file's limits and pass to the device step. */
Test(policy_file, quota_options_are_accepted, .timeout = 30)
{
	const char *extra[] = {"--names-per-uid", "5", "--notifications-per-uid", "4096", NULL};
	char output[4096];
	int status = run_with_policy_and("[add]\n* = 0\n[limits]\nnames_per_uid = 3\n", extra,
	                                 output, sizeof(output));
	cr_assert_eq(status, 1);
	cr_assert_not_null(strstr(output, ": 5 names, 4096 notification"), "stderr: %s", output);
	cr_assert_not_null(strstr(output, "cannot open"), "stderr: %s", output);
}

/* The example deploy/servicemanager.conf is a valid policy. */
Test(policy_file, shipped_policy_is_accepted, .timeout = 30)
{
	const char *arguments[] = {"--policy", SHIPPED_POLICY_PATH, NULL};
	char output[4096];
	int status = run_servicemanager(arguments, output, sizeof(output));
	cr_assert_eq(status, 1);
	cr_assert_null(strstr(output, "error: policy"), "stderr: %s", output);
	cr_assert_not_null(strstr(output, "cannot open"), "stderr: %s", output);
}
