/*
 * debug_output.h - writing the debug views into an evbuffer: text, JSON
 * values and the pieces every view shares (the command names). The first
 * failed write is kept and the rest are skipped, so that a view checks
 * for -ENOMEM once, at its end.
 */
#ifndef BINDERD_DEBUG_OUTPUT_H
#define BINDERD_DEBUG_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

struct evbuffer;

struct debug_output {
	struct evbuffer *buffer;
	int error; /* 0, or -ENOMEM after a write failed */
};

void output_printf(struct debug_output *out, const char *format, ...)
        __attribute__((format(printf, 2, 3)));
void output_puts(struct debug_output *out, const char *text);

/* JSON: a quoted, escaped string. */
void json_string(struct debug_output *out, const char *text);
/* JSON members and array elements: *first is true before the first one
 * of an object or array, and a comma goes before every later one. */
void json_separator(struct debug_output *out, bool *first);
void json_key(struct debug_output *out, bool *first, const char *key);
void json_u64(struct debug_output *out, bool *first, const char *key, uint64_t value);
void json_i64(struct debug_output *out, bool *first, const char *key, int64_t value);
void json_bool(struct debug_output *out, bool *first, const char *key, bool value);
void json_str(struct debug_output *out, bool *first, const char *key, const char *value);

/* The kernel's names for BC and BR commands ("BC_TRANSACTION"), or NULL
 * for a command number it has none for. */
const char *debug_command_name(unsigned number);
const char *debug_return_name(unsigned number);
/* The name of a BR code (BR_FAILED_REPLY...), or "BR_OK" for 0. */
const char *debug_return_code_name(uint32_t code);

/* The context name printed on "context" lines: binderd serves one device. */
#define DEBUG_CONTEXT_NAME "binder"

/* debug_state_view.c: the state view (all) or the transactions view
 * (!all: only procs and threads with calls in flight or queued work). */
void debug_render_state(struct debug_output *out, bool json, bool all);

#endif
