/*
 * service_tool.h - the pieces of binder-service (a `service`-like command
 * line client of servicemanager) and how they fit together: main.c parses
 * the global options and runs one command; each command file opens its own
 * binder context once its arguments are known to be good.
 */
#ifndef BINDER_SERVICE_TOOL_H
#define BINDER_SERVICE_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "binder/binder.h"
#include "binder/parcel.h"

/* Exit statuses (documented in the usage text). */
enum tool_exit {
	TOOL_EXIT_OK = 0,
	/* Not found, timed out, dead object, failed transaction, no device. */
	TOOL_EXIT_FAILED = 1,
	/* Bad command line. */
	TOOL_EXIT_USAGE = 2,
	/* The reply does not decode as --reply says, or carries an AIDL
	 * exception. */
	TOOL_EXIT_REPLY = 3,
};

/* usage.c: the man-style help text. */
void tool_print_usage(FILE *stream);
/* "binder-service: <message>\n" on stderr. */
void tool_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* tool_error plus "try --help"; returns TOOL_EXIT_USAGE. */
int tool_usage_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* tool_context.c: opens the device (NULL: the default), reporting errors.
 * with_thread_pool starts libbinder's pool (for commands that wait). */
int tool_open_context(const char *device, bool with_thread_pool, binder_context **out);
/* The Android generation tool_open_context's contexts speak (--android;
 * 0: libbinder's default). */
void tool_set_android(uint32_t android);
/* Looks name up now; prints "Service NAME: not found" style errors. */
int tool_find_service(binder_context *context, const char *name, binder_object **out);

/* The commands. argv[0] is the command's name; each returns an exit
 * status. */
int tool_command_list(const char *device, int argc, char **argv);
int tool_command_check(const char *device, int argc, char **argv);
int tool_command_wait(const char *device, int argc, char **argv);
int tool_command_ping(const char *device, int argc, char **argv);
int tool_command_call(const char *device, int argc, char **argv);

/* number_parsing.c: whole-string numbers, decimal or 0x hex (integers),
 * within [min, max]. 0 or -EINVAL (not a number) / -ERANGE. */
int tool_parse_signed(const char *text, int64_t min, int64_t max, int64_t *out);
int tool_parse_unsigned(const char *text, uint64_t max, uint64_t *out);
int tool_parse_double(const char *text, double *out);

/* call_arguments.c: writes one typed argument ("i32:5", "s16:hi", ...)
 * into parcel. Prints the reason and returns TOOL_EXIT_USAGE for a bad
 * argument, TOOL_EXIT_FAILED when it cannot be written (fd not opened). */
int tool_write_argument(binder_parcel *parcel, const char *argument);

/* reply_dump.c: "Result: Parcel(...)" hex dump of a reply, as Android's
 * `service call` prints it, plus one line per object in it. */
void tool_print_parcel_dump(FILE *stream, binder_parcel *parcel);

/* reply_decoding.c: checks a --reply list ("ex,i32,s16"): 0 or -EINVAL
 * after printing which type is unknown. */
int tool_check_reply_types(const char *types);
/* Prints each value of the reply as "TYPE: VALUE"; returns an exit
 * status (TOOL_EXIT_REPLY if it does not decode, or on an exception). */
int tool_decode_reply(FILE *stream, binder_parcel *reply, const char *types);

#endif
