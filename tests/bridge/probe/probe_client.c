/*
 * probe_client.c - the client of bridged's probe (see probe.h) and a loop
 * of calculator calls, for the end-to-end tests: many calls with a status
 * for each, objects kept far away, objects passed by the hundred thousand.
 *
 *   bridge_probe_client [--call-timeout S] COMMAND ARGS...
 *     add NAME COUNT [--lookup-each] [--pause-after N]
 *         ICalculate.add(i, 1000) for i = 1..COUNT on NAME (the calculator
 *         example's interface); prints "call I: ok", "call I: failed: WHY"
 *         or "call I: wrong result R", then "summary: ...". With
 *         --lookup-each, NAME is looked up again before every call (a
 *         lookup that fails fails that call). With --pause-after N
 *         (below COUNT), the client stops itself (SIGSTOP) after call N's
 *         line, so that a test can change the network at a known point of
 *         the stream and then let it go on (SIGCONT), however fast the
 *         calls are.
 *     keep NAME TAG SECONDS
 *         makes an IBridgeProbeObject with TAG, gives it to NAME's KEEP,
 *         prints "keep: kept by NAME", then serves it (printing "object
 *         TAG: echo(X)" for each call) for SECONDS or until SIGTERM.
 *     call-kept NAME X
 *         NAME's CALL_KEPT(X): prints "call-kept: result R from object TAG".
 *     kept-state NAME
 *         prints "kept: none", "kept: alive" or "kept: dead".
 *     count NAME COUNT
 *         COUNT calls of NAME's COUNT, each of whose answers must be the
 *         one before plus 1 (no call lost or run twice on the way);
 *         prints "summary: ...".
 *     pass NAME COUNT [--call-back] [--same] [--padding BYTES] [--hold S]
 *         COUNT calls of NAME's TAKE, each with a new object (--same: one
 *         object for all), which the service drops (--call-back: after
 *         calling it once); prints progress and "summary: ...". --padding:
 *         BYTES more after the arguments (a call too big for the link
 *         fails); --hold: then "pass: holding" and S seconds alive, every
 *         object let go, for a test to see who still holds them.
 *     nest NAME CALLS
 *         a chain of CALLS calls back and forth with NAME (probe_nest.h).
 *     home NAME TAG
 *         makes an IBridgeProbeObject with TAG, gives it to NAME's KEEP,
 *         asks for it back (RETURN_KEPT) and calls its ECHO; prints "home:
 *         came back as itself, echo tag T" (0) or "home: came back as a
 *         proxy (handle H), echo tag T" / "home: came back as another local
 *         object" (1): an object going home must arrive as the original.
 *     oneway NAME COUNT
 *         COUNT oneway SEQUENCE calls to NAME, numbered on from the highest
 *         it received, then polls SEQUENCE_STATE (bounded by the call
 *         timeout) until all COUNT arrived; prints "oneway: R of COUNT
 *         received, O out of order" (0 when all, none out of order) and
 *         "oneway: S calls not sent" when the sender failed some.
 *     watch SECONDS NAME... [--alive NAME...]
 *         NAME: a probe service, or NAME/kept: the object that NAME's
 *         RETURN_KEPT gives (an IBridgeProbeObject; called with ECHO).
 *         Links a death recipient to each NAME, prints "watching" and
 *         waits (at most SECONDS) until those before --alive were all
 *         notified, then 1 s more (a repeated notification would show),
 *         then calls each (COUNT, ECHO) and prints "watch NAME: N death
 *         notifications, call: STATUS" ("ok" or the binder status). 0 when
 *         each NAME before --alive got exactly 1 notification and its call
 *         failed with a dead object, and each after it got none and its
 *         call worked.
 *
 * Every call is bounded: a call that takes longer than the call timeout
 * (default 60 s) ends the program with status 3 and a message. Exit
 * status: 0 when every call worked, 1 otherwise, 2 for bad usage.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <binder/binder.h>
#include <binder/parcel.h>
#include <binder/service_manager.h>

#include "calculator.h"
#include "probe.h"
#include "probe_nest.h"
#include "probe_client.h"

unsigned call_timeout_s = DEFAULT_CALL_TIMEOUT_S;

/* ---- bounded calls ---- */

static void call_timed_out(int signal_number)
{
	static const char message[] = "bridge_probe_client: a call took longer than the call "
	                              "timeout: stopped\n";
	(void)signal_number;
	/* Async-signal-safe: write and _exit only. */
	ssize_t ignored = write(STDERR_FILENO, message, sizeof(message) - 1);
	(void)ignored;
	_exit(EXIT_TIMED_OUT);
}

static void bound_calls(void)
{
	struct sigaction action;
	memset(&action, 0, sizeof(action));
	action.sa_handler = call_timed_out;
	sigaction(SIGALRM, &action, NULL);
}

int transact_bounded(binder_object *object, uint32_t code, binder_parcel *data,
                     binder_parcel *reply)
{
	alarm(call_timeout_s);
	int status = binder_object_transact(object, code, data, reply, 0);
	alarm(0);
	return status;
}

int lookup(binder_context *context, const char *name, binder_object **out)
{
	alarm(call_timeout_s + LOOKUP_MS / 1000);
	int status = binder_service_manager_get(context, name, LOOKUP_MS, out);
	alarm(0);
	return status;
}

bool parse_number(const char *text, long minimum, long maximum, long *out)
{
	char *end;
	errno = 0;
	long value = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value < minimum || value > maximum)
		return false;
	*out = value;
	return true;
}

int usage(void)
{
	fprintf(stderr, "usage: bridge_probe_client [--call-timeout S] COMMAND ARGS...\n"
	                "  add NAME COUNT [--lookup-each] [--pause-after N]\n"
	                "  keep NAME TAG SECONDS\n"
	                "  call-kept NAME X\n"
	                "  kept-state NAME\n"
	                "  count NAME COUNT\n"
	                "  pass NAME COUNT [--call-back] [--same] [--padding BYTES] [--hold S]\n"
	                "  nest NAME CALLS\n"
	                "  home NAME TAG\n"
	                "  oneway NAME COUNT\n"
	                "  watch SECONDS NAME... [--alive NAME...]\n");
	return 2;
}

/* ---- the probe object ---- */

static int object_transact(binder_object *self, uint32_t code, binder_parcel *data,
                           binder_parcel *reply, const struct binder_caller *caller,
                           void *user_data)
{
	const struct probe_object *object = user_data;
	int32_t x;
	(void)caller;
	if (code != PROBE_OBJECT_ECHO && code != PROBE_OBJECT_NEST)
		return BINDER_UNKNOWN_TRANSACTION;
	int status = binder_parcel_enforce_interface(data, PROBE_OBJECT_DESCRIPTOR);
	if (status == 0 && code == PROBE_OBJECT_NEST)
		return probe_nest_answer(self, data, reply, PROBE_DESCRIPTOR, PROBE_NEST);
	if (status == 0)
		status = binder_parcel_read_int32(data, &x);
	if (status != 0)
		return status;
	if (object->verbose)
		printf("object %d: echo(%d)\n", object->tag, x);
	status = binder_parcel_write_int32(reply, x + 1);
	if (status == 0)
		status = binder_parcel_write_int32(reply, object->tag);
	return status;
}

const struct binder_local_ops object_ops = {.transact = object_transact};

/* ---- add ---- */

static int add_once(binder_object *calculator, int32_t a, int32_t b, int32_t *sum)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int32_t exception = BINDER_EX_NONE;
	int status = data && reply ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, CALCULATOR_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_int32(data, a);
	if (status == 0)
		status = binder_parcel_write_int32(data, b);
	if (status == 0)
		status = transact_bounded(calculator, CALCULATOR_ADD, data, reply);
	if (status == 0)
		status = binder_parcel_read_exception(reply, &exception, NULL, NULL);
	if (status == 0 && exception != BINDER_EX_NONE)
		status = BINDER_FAILED_TRANSACTION;
	if (status == 0)
		status = binder_parcel_read_int32(reply, sum);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

/* After a failed call: which object the call went to (on stderr, for
 * the logs), as far as it still answers. */
static void describe_target(binder_object *object)
{
	char *descriptor = NULL;
	int status = binder_object_descriptor(object, &descriptor);
	fprintf(stderr, "bridge_probe_client: the failed call went to handle %d, which %s%s%s\n",
	        binder_object_handle(object), status == 0 ? "says it is \"" : "answers: ",
	        status == 0 ? descriptor : binder_status_to_string(status),
	        status == 0 ? "\"" : "");
	free(descriptor);
}

static int command_add(binder_context *context, int argc, char **argv)
{
	long count, pause_after = 0;
	bool lookup_each = false;
	if (argc < 2 || !parse_number(argv[1], 1, MAX_COUNT, &count))
		return usage();
	for (int option = 2; option < argc; option++) {
		if (strcmp(argv[option], "--lookup-each") == 0)
			lookup_each = true;
		else if (strcmp(argv[option], "--pause-after") == 0 && option + 1 < argc &&
		         parse_number(argv[option + 1], 1, count - 1, &pause_after))
			option++;
		else
			return usage();
	}
	const char *name = argv[0];
	binder_object *calculator = NULL;
	long ok = 0, failed = 0, wrong = 0;
	int status;

	if (!lookup_each) {
		status = lookup(context, name, &calculator);
		if (status != 0) {
			fprintf(stderr, "add: no service %s: %s\n", name,
			        binder_status_to_string(status));
			return 1;
		}
	}
	for (long i = 1; i <= count; i++) {
		int32_t sum = 0;
		/* After call i - 1's line, whatever its outcome; no call is in
		 * flight, so no alarm runs while stopped. */
		if (pause_after > 0 && i == pause_after + 1)
			raise(SIGSTOP);
		if (lookup_each) {
			binder_object_unref(calculator);
			calculator = NULL;
			status = lookup(context, name, &calculator);
			if (status != 0) {
				printf("call %ld: failed: lookup of %s: %s\n", i, name,
				       binder_status_to_string(status));
				failed++;
				continue;
			}
		}
		status = add_once(calculator, (int32_t)i, ADD_OPERAND, &sum);
		if (status != 0) {
			printf("call %ld: failed: %s\n", i, binder_status_to_string(status));
			describe_target(calculator);
			failed++;
		} else if (sum != (int32_t)i + ADD_OPERAND) {
			printf("call %ld: wrong result %d (expected %ld)\n", i, sum,
			       i + ADD_OPERAND);
			wrong++;
		} else {
			printf("call %ld: ok\n", i);
			ok++;
		}
	}
	binder_object_unref(calculator);
	printf("summary: %ld ok, %ld failed, %ld wrong of %ld calls\n", ok, failed, wrong, count);
	return ok == count ? 0 : 1;
}

/* ---- keep, call-kept, kept-state ---- */

static int command_keep(binder_context *context, int argc, char **argv)
{
	long tag, seconds;
	if (argc != 3 || !parse_number(argv[1], INT32_MIN, INT32_MAX, &tag) ||
	    !parse_number(argv[2], 1, MAX_KEEP_SECONDS, &seconds))
		return usage();
	/* Static: handlers may run until the context is closed. */
	static struct probe_object state;
	state.tag = (int32_t)tag;
	state.verbose = true;
	binder_object *object = NULL, *service = NULL;
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	sigset_t signals;
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);

	int status = data && reply ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_context_start_thread_pool(context);
	if (status == 0)
		status = binder_object_new_local(context, PROBE_OBJECT_DESCRIPTOR, &object_ops,
		                                 &state, &object);
	if (status == 0)
		status = lookup(context, argv[0], &service);
	if (status == 0)
		status = binder_parcel_write_interface_token(data, PROBE_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_object(data, object);
	if (status == 0)
		status = transact_bounded(service, PROBE_KEEP, data, reply);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	binder_object_unref(service);
	if (status != 0) {
		fprintf(stderr, "keep: %s did not keep the object: %s\n", argv[0],
		        binder_status_to_string(status));
		binder_object_unref(object);
		return 1;
	}
	printf("keep: kept by %s\n", argv[0]);
	fflush(stdout);
	struct timespec wait = {.tv_sec = seconds};
	while (sigtimedwait(&signals, NULL, &wait) < 0 && errno == EINTR)
		;
	binder_context_close(context);
	binder_object_unref(object);
	return 0;
}

static int command_call_kept(binder_context *context, int argc, char **argv)
{
	long x;
	if (argc != 2 || !parse_number(argv[1], INT32_MIN, INT32_MAX - 1, &x))
		return usage();
	binder_object *service = NULL;
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int32_t result = 0, tag = 0;
	int status = data && reply ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = lookup(context, argv[0], &service);
	if (status == 0)
		status = binder_parcel_write_interface_token(data, PROBE_DESCRIPTOR);
	if (status == 0)
		status = binder_parcel_write_int32(data, (int32_t)x);
	if (status == 0)
		status = transact_bounded(service, PROBE_CALL_KEPT, data, reply);
	if (status == 0)
		status = binder_parcel_read_int32(reply, &result);
	if (status == 0)
		status = binder_parcel_read_int32(reply, &tag);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	binder_object_unref(service);
	if (status != 0) {
		fprintf(stderr, "call-kept: %s\n", binder_status_to_string(status));
		return 1;
	}
	printf("call-kept: result %d from object %d\n", result, tag);
	return 0;
}

static int command_kept_state(binder_context *context, int argc, char **argv)
{
	static const char *const names[] = {
	        [PROBE_KEPT_NONE] = "none",
	        [PROBE_KEPT_ALIVE] = "alive",
	        [PROBE_KEPT_DEAD] = "dead",
	};
	if (argc != 1)
		return usage();
	binder_object *service = NULL;
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int32_t state = -1;
	int status = data && reply ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = lookup(context, argv[0], &service);
	if (status == 0)
		status = binder_parcel_write_interface_token(data, PROBE_DESCRIPTOR);
	if (status == 0)
		status = transact_bounded(service, PROBE_KEPT_STATE, data, reply);
	if (status == 0)
		status = binder_parcel_read_int32(reply, &state);
	if (status == 0 && (state < PROBE_KEPT_NONE || state > PROBE_KEPT_DEAD))
		status = BINDER_BAD_VALUE;
	binder_parcel_free(data);
	binder_parcel_free(reply);
	binder_object_unref(service);
	if (status != 0) {
		fprintf(stderr, "kept-state: %s\n", binder_status_to_string(status));
		return 1;
	}
	printf("kept: %s\n", names[state]);
	return 0;
}

/* ---- count ---- */

int count_once(binder_object *service, int32_t *counted)
{
	binder_parcel *data = binder_parcel_new();
	binder_parcel *reply = binder_parcel_new();
	int status = data && reply ? 0 : BINDER_NO_MEMORY;
	if (status == 0)
		status = binder_parcel_write_interface_token(data, PROBE_DESCRIPTOR);
	if (status == 0)
		status = transact_bounded(service, PROBE_COUNT, data, reply);
	if (status == 0)
		status = binder_parcel_read_int32(reply, counted);
	binder_parcel_free(data);
	binder_parcel_free(reply);
	return status;
}

static int command_count(binder_context *context, int argc, char **argv)
{
	long count, ok = 0, failed = 0, out_of_order = 0;
	int32_t previous = 0;
	bool first = true;
	if (argc != 2 || !parse_number(argv[1], 1, MAX_COUNT, &count))
		return usage();
	binder_object *service = NULL;
	int status = lookup(context, argv[0], &service);
	if (status != 0) {
		fprintf(stderr, "count: no service %s: %s\n", argv[0],
		        binder_status_to_string(status));
		return 1;
	}
	for (long i = 1; i <= count; i++) {
		int32_t counted = 0;
		status = count_once(service, &counted);
		if (status != 0) {
			printf("call %ld: failed: %s\n", i, binder_status_to_string(status));
			failed++;
		} else if (!first && counted != previous + 1) {
			printf("call %ld: answer %d after %d: a call lost or run twice\n", i,
			       counted, previous);
			out_of_order++;
		} else {
			ok++;
		}
		if (status == 0) {
			previous = counted;
			first = false;
		}
	}
	binder_object_unref(service);
	printf("summary: %ld ok, %ld failed, %ld out of order of %ld calls\n", ok, failed,
	       out_of_order, count);
	return ok == count ? 0 : 1;
}

int main(int argc, char **argv)
{
	int first = 1;
	if (argc > 2 && strcmp(argv[1], "--call-timeout") == 0) {
		long seconds;
		if (!parse_number(argv[2], 1, MAX_CALL_TIMEOUT_S, &seconds))
			return usage();
		call_timeout_s = (unsigned)seconds;
		first = 3;
	}
	if (argc - first < 2)
		return usage();
	/* Line by line: a test reads the output of a program it may kill. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	bound_calls();

	const char *command = argv[first];
	int command_argc = argc - first - 1;
	char **command_argv = argv + first + 1;
	int (*run)(binder_context *, int, char **) = NULL;
	if (strcmp(command, "add") == 0)
		run = command_add;
	else if (strcmp(command, "keep") == 0)
		run = command_keep;
	else if (strcmp(command, "call-kept") == 0)
		run = command_call_kept;
	else if (strcmp(command, "kept-state") == 0)
		run = command_kept_state;
	else if (strcmp(command, "count") == 0)
		run = command_count;
	else if (strcmp(command, "pass") == 0)
		run = command_pass;
	else if (strcmp(command, "nest") == 0)
		run = command_nest;
	else if (strcmp(command, "home") == 0)
		run = command_home;
	else if (strcmp(command, "oneway") == 0)
		run = command_oneway;
	else if (strcmp(command, "watch") == 0)
		run = command_watch;
	else
		return usage();

	binder_context *context;
	int status = binder_context_new(NULL, &context);
	if (status != 0) {
		fprintf(stderr, "bridge_probe_client: cannot open the binder device: %s\n",
		        binder_status_to_string(status));
		return 1;
	}
	int result = run(context, command_argc, command_argv);
	binder_context_close(context);
	binder_context_unref(context);
	return result;
}
