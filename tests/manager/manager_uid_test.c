/*
 * manager_uid_test.c - who may become the context manager (issue 9, item
 * 7). Each test starts its own binderd with a --manager-uid setting (none,
 * 0, a list, "any") on a private socket and has real processes of uid 0
 * and uid 65534 try BINDER_SET_CONTEXT_MGR(_EXT): a uid binderd does not
 * allow gets EPERM, as from the kernel's security check, and changes
 * nothing; an allowed one then succeeds. Needs root (to become 65534).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <binder/device.h>
#include <linux/android/binder.h>

extern char **environ;

#define NOBODY_UID 65534
/* Bounded waits: binderd's socket, binderd's exit, a child's exit. */
#define WAIT_MS  10000
#define POLL_MS  10
#define LOG_SIZE 16384

/* A child's exit status when it could not even try. */
enum {
	CHILD_CANNOT_DROP_PRIVILEGES = 200,
	CHILD_CANNOT_OPEN,
	CHILD_UNEXPECTED_RESULT,
};

struct binderd {
	pid_t pid;
	char directory[64];
	char socket[128];
	char log[128];
};

/* A copy of the running test's binderd, for stop_leftover_binderd (the
 * test's own copy is on a stack an assertion unwinds). */
static struct binderd running_binderd;
static bool binderd_running;

static void sleep_ms(int ms)
{
	usleep((useconds_t)ms * 1000);
}

/* Starts binderd with the options in extra (NULL-terminated) and waits
 * until it listens. */
static void binderd_start(struct binderd *binderd, const char *const *extra)
{
	snprintf(binderd->directory, sizeof(binderd->directory), "/tmp/binderd-manager.XXXXXX");
	cr_assert_not_null(mkdtemp(binderd->directory));
	/* uid 65534 must reach the socket. */
	cr_assert_eq(chmod(binderd->directory, 0755), 0);
	snprintf(binderd->socket, sizeof(binderd->socket), "%s/binder.sock", binderd->directory);
	snprintf(binderd->log, sizeof(binderd->log), "%s/binderd.log", binderd->directory);
	char *argv[16] = {(char *)BINDERD_PATH, "--socket", binderd->socket, "--log-level", "info"};
	size_t argc = 5;
	for (size_t i = 0; extra[i]; i++) {
		cr_assert_lt(argc, sizeof(argv) / sizeof(argv[0]) - 1);
		argv[argc++] = (char *)extra[i];
	}
	argv[argc] = NULL;
	binderd->pid = fork();
	cr_assert_geq(binderd->pid, 0);
	if (binderd->pid == 0) {
		/* Dies with the test process (binderd's own changes of its
		 * capabilities may clear this: see stop_leftover_binderd). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int log = open(binderd->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (log < 0 || dup2(log, STDOUT_FILENO) < 0 || dup2(log, STDERR_FILENO) < 0)
			_exit(127);
		execve(BINDERD_PATH, argv, environ);
		_exit(127);
	}
	running_binderd = *binderd;
	binderd_running = true;
	struct stat status;
	for (int waited = 0; waited < WAIT_MS; waited += POLL_MS) {
		if (stat(binderd->socket, &status) == 0 && S_ISSOCK(status.st_mode))
			return;
		cr_assert_eq(waitpid(binderd->pid, NULL, WNOHANG), 0, "binderd exited at start");
		sleep_ms(POLL_MS);
	}
	cr_assert_fail("binderd did not listen within %d ms", WAIT_MS);
}

/* Waits (bounded) for pid; returns its wait status, or -1 after SIGKILL. */
static int reap(pid_t pid)
{
	int status = 0;
	for (int waited = 0; waited < WAIT_MS; waited += POLL_MS) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		sleep_ms(POLL_MS);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* Reads binderd's log so far into text. */
static void binderd_read_log(const struct binderd *binderd, char *text, size_t size)
{
	FILE *file = fopen(binderd->log, "r");
	cr_assert_not_null(file);
	size_t length = fread(text, 1, size - 1, file);
	text[length] = '\0';
	fclose(file);
}

/* Stops binderd with SIGTERM; it must exit cleanly. text gets its log. */
static void binderd_stop(struct binderd *binderd, char *text, size_t size)
{
	kill(binderd->pid, SIGTERM);
	int status = reap(binderd->pid);
	binderd_running = false;
	binderd_read_log(binderd, text, size);
	unlink(binderd->log);
	unlink(binderd->socket);
	rmdir(binderd->directory);
	cr_assert(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	          "binderd did not exit cleanly (%d): %s", status, text);
}

/* Each test's fini: a test that an assertion ended left its binderd
 * running; kill it and remove its directory. */
static void stop_leftover_binderd(void)
{
	if (!binderd_running)
		return;
	binderd_running = false;
	struct binderd *binderd = &running_binderd;
	kill(binderd->pid, SIGKILL);
	waitpid(binderd->pid, NULL, 0);
	unlink(binderd->log);
	unlink(binderd->socket);
	rmdir(binderd->directory);
}

/* BINDER_SET_CONTEXT_MGR, or with extended the _EXT form. */
static int set_context_manager(binder_device *device, bool extended)
{
	if (!extended)
		return binder_device_ioctl(device, BINDER_SET_CONTEXT_MGR, &(int){0});
	struct flat_binder_object object = {.hdr.type = BINDER_TYPE_BINDER};
	return binder_device_ioctl(device, BINDER_SET_CONTEXT_MGR_EXT, &object);
}

/* In a child process of uid: opens the device and tries both forms,
 * which must give expected. Returns the exit status. */
static int try_as(uid_t uid, const char *socket, int expected)
{
	if (uid != 0 && (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 ||
	                 setresuid(uid, uid, uid) != 0))
		return CHILD_CANNOT_DROP_PRIVILEGES;
	binder_device *device = NULL;
	if (binder_device_open(socket, 0, &device) != 0)
		return CHILD_CANNOT_OPEN;
	int plain = set_context_manager(device, false);
	/* After a success the second is EBUSY: only check it on refusal. */
	int extended = expected == 0 ? 0 : set_context_manager(device, true);
	binder_device_close(device);
	if (plain != expected || extended != expected) {
		fprintf(stderr, "uid %u: BINDER_SET_CONTEXT_MGR gave %d, _EXT %d; expected %d\n",
		        (unsigned)uid, plain, extended, expected);
		return CHILD_UNEXPECTED_RESULT;
	}
	return 0;
}

/* Runs try_as in a child process and asserts that it got expected. */
static void expect_as(uid_t uid, const struct binderd *binderd, int expected)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(try_as(uid, binderd->socket, expected));
	int status = reap(pid);
	cr_assert(status != -1 && WIFEXITED(status), "uid %u: the child hung or crashed",
	          (unsigned)uid);
	cr_assert_eq(WEXITSTATUS(status), 0, "uid %u: expected %d (%s), child status %d",
	             (unsigned)uid, expected, strerror(-expected), WEXITSTATUS(status));
}

/* In this process (root): becomes the context manager and stays it until
 * the device is closed. */
static binder_device *become_manager(const struct binderd *binderd)
{
	binder_device *device = NULL;
	cr_assert_eq(binder_device_open(binderd->socket, 0, &device), 0);
	int status = set_context_manager(device, false);
	cr_assert_eq(status, 0, "root: BINDER_SET_CONTEXT_MGR gave %d", status);
	return device;
}

static size_t count_lines_with(const char *text, const char *needle)
{
	size_t count = 0;
	for (const char *at = strstr(text, needle); at; at = strstr(at + 1, needle))
		count++;
	return count;
}

static void skip_unless_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root, to run binderd as root and become uid %d", NOBODY_UID);
}

/* --manager-uid 0: uid 65534 is refused (and logged once), root succeeds;
 * then uid 65534 meets a taken role (EBUSY, the kernel's order). */
Test(manager_uid, only_the_given_uid, .timeout = 60, .fini = stop_leftover_binderd)
{
	skip_unless_root();
	struct binderd binderd;
	binderd_start(&binderd, (const char *const[]){"--manager-uid", "0", NULL});
	expect_as(NOBODY_UID, &binderd, -EPERM);
	expect_as(NOBODY_UID, &binderd, -EPERM);
	binder_device *manager = become_manager(&binderd);
	expect_as(NOBODY_UID, &binderd, -EBUSY);
	binder_device_close(manager);
	char log[LOG_SIZE];
	binderd_stop(&binderd, log, sizeof(log));
	cr_assert_eq(count_lines_with(log, "uid 65534 may not become the context manager"), 1,
	             "expected one warning: %s", log);
	cr_assert_not_null(strstr(log, "context manager: uid 0 only (--manager-uid)"), "%s", log);
}

/* Without --manager-uid: binderd's own uid (root here) only. */
Test(manager_uid, default_is_binderds_own_uid, .timeout = 60, .fini = stop_leftover_binderd)
{
	skip_unless_root();
	struct binderd binderd;
	binderd_start(&binderd, (const char *const[]){NULL});
	expect_as(NOBODY_UID, &binderd, -EPERM);
	binder_device *manager = become_manager(&binderd);
	binder_device_close(manager);
	char log[LOG_SIZE];
	binderd_stop(&binderd, log, sizeof(log));
}

/* A list, given twice, with a user name: root is not in it. */
Test(manager_uid, list_and_names, .timeout = 60, .fini = stop_leftover_binderd)
{
	skip_unless_root();
	struct binderd binderd;
	binderd_start(&binderd, (const char *const[]){"--manager-uid", "65533,nobody",
	                                              "--manager-uid", "1000", NULL});
	expect_as(0, &binderd, -EPERM);
	expect_as(NOBODY_UID, &binderd, 0);
	char log[LOG_SIZE];
	binderd_stop(&binderd, log, sizeof(log));
	cr_assert_not_null(strstr(log, "context manager: uid 65533, 65534, 1000 only"), "%s", log);
}

/* "any": every uid may, as with the kernel without a security module. */
Test(manager_uid, any, .timeout = 60, .fini = stop_leftover_binderd)
{
	skip_unless_root();
	struct binderd binderd;
	binderd_start(&binderd, (const char *const[]){"--manager-uid", "any", NULL});
	expect_as(NOBODY_UID, &binderd, 0);
	char log[LOG_SIZE];
	binderd_stop(&binderd, log, sizeof(log));
}

/* Bad lists stop binderd at once with the usage status 2. */
Test(manager_uid, bad_lists_are_refused, .timeout = 60, .fini = stop_leftover_binderd)
{
	const char *bad[] = {"12x", "no-such-user-here", "0,,1", "", "-1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = {
		        (char *)BINDERD_PATH, "--socket",     "/nonexistent/dir/binder.sock",
		        "--manager-uid",      (char *)bad[i], NULL};
		posix_spawn_file_actions_t actions;
		posix_spawn_file_actions_init(&actions);
		posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
		pid_t pid;
		cr_assert_eq(posix_spawn(&pid, BINDERD_PATH, &actions, NULL, argv, environ), 0);
		posix_spawn_file_actions_destroy(&actions);
		int status = reap(pid);
		cr_assert(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 2,
		          "--manager-uid '%s': status %d", bad[i], status);
	}
}
