/*
 * probe_client.h - what the probe client's files share (probe_client.c:
 * main, the bounded calls, the probe object and the simple commands;
 * probe_client_objects.c: objects passed, nested and sent home;
 * probe_client_proxies.c: oneway order and proxies that die). The
 * commands are described in probe_client.c.
 */
#ifndef TESTS_BRIDGE_PROBE_CLIENT_H
#define TESTS_BRIDGE_PROBE_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <binder/binder.h>
#include <binder/parcel.h>

#define DEFAULT_CALL_TIMEOUT_S 60
#define MAX_CALL_TIMEOUT_S     3600
#define LOOKUP_MS              10000
#define ADD_OPERAND            1000
#define PASS_PROGRESS_EVERY    10000
#define PASS_MAX_FAILURE_LINES 20
#define MAX_COUNT              10000000
#define MAX_NEST_CALLS         64
#define MAX_PASS_PADDING       (1 << 20)
#define MAX_HOLD_SECONDS       300
#define MAX_KEEP_SECONDS       3600
#define EXIT_TIMED_OUT         3
#define SEQUENCE_POLL_MS       100
#define MAX_WATCHED            16
#define MAX_WATCH_SECONDS      3600
#define DEATH_SETTLE_MS        1000
#define WATCH_KEPT_SUFFIX      "kept"

/* The call timeout (--call-timeout): every call and wait is bounded by it. */
extern unsigned call_timeout_s;

/* binder_object_transact, ending the program (status EXIT_TIMED_OUT) if it
 * takes longer than the call timeout. */
int transact_bounded(binder_object *object, uint32_t code, binder_parcel *data,
                     binder_parcel *reply);
/* name from the servicemanager, waiting up to LOOKUP_MS. */
int lookup(binder_context *context, const char *name, binder_object **out);
/* A whole decimal number in [minimum, maximum]. */
bool parse_number(const char *text, long minimum, long maximum, long *out);
/* Prints the usage on stderr; returns 2. */
int usage(void);

/* The IBridgeProbeObject this client makes (object_ops: ECHO, NEST). */
struct probe_object {
	int32_t tag;
	bool verbose; /* print each call */
};
extern const struct binder_local_ops object_ops;

/* COUNT() on a probe service: *counted, its answer. */
int count_once(binder_object *service, int32_t *counted);

/* probe_client_objects.c */
/* service's code with the interface token and object (if not NULL). */
int probe_call(binder_object *service, uint32_t code, binder_object *object, binder_parcel *reply);
/* ECHO(x) on an IBridgeProbeObject: *result and *tag. */
int echo_once(binder_object *object, int32_t x, int32_t *result, int32_t *tag);
int command_pass(binder_context *context, int argc, char **argv);
int command_nest(binder_context *context, int argc, char **argv);
int command_home(binder_context *context, int argc, char **argv);

/* probe_client_proxies.c */
int command_oneway(binder_context *context, int argc, char **argv);
int command_watch(binder_context *context, int argc, char **argv);

#endif
