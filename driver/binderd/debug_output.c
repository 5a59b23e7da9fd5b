/*
 * debug_output.c - text and JSON writing for the debug views (see
 * debug_output.h), and the kernel's names for BC and BR commands
 * (binder_command_strings, binder_return_strings).
 */
#include <errno.h>
#include <event2/buffer.h>
#include <inttypes.h>
#include <linux/android/binder.h>
#include <stdarg.h>

#include "debug_output.h"
#include "debug_record.h"

void output_printf(struct debug_output *out, const char *format, ...)
{
	if (out->error)
		return;
	va_list args;
	va_start(args, format);
	if (evbuffer_add_vprintf(out->buffer, format, args) < 0)
		out->error = -ENOMEM;
	va_end(args);
}

void output_puts(struct debug_output *out, const char *text)
{
	output_printf(out, "%s", text);
}

void json_string(struct debug_output *out, const char *text)
{
	output_puts(out, "\"");
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		if (*c == '"' || *c == '\\')
			output_printf(out, "\\%c", *c);
		else if (*c < 0x20 || *c >= 0x7f)
			output_printf(out, "\\u%04x", *c);
		else
			output_printf(out, "%c", *c);
	}
	output_puts(out, "\"");
}

void json_separator(struct debug_output *out, bool *first)
{
	if (!*first)
		output_puts(out, ",");
	*first = false;
}

void json_key(struct debug_output *out, bool *first, const char *key)
{
	json_separator(out, first);
	json_string(out, key);
	output_puts(out, ":");
}

void json_u64(struct debug_output *out, bool *first, const char *key, uint64_t value)
{
	json_key(out, first, key);
	output_printf(out, "%" PRIu64, value);
}

void json_i64(struct debug_output *out, bool *first, const char *key, int64_t value)
{
	json_key(out, first, key);
	output_printf(out, "%" PRId64, value);
}

void json_bool(struct debug_output *out, bool *first, const char *key, bool value)
{
	json_key(out, first, key);
	output_puts(out, value ? "true" : "false");
}

void json_str(struct debug_output *out, bool *first, const char *key, const char *value)
{
	json_key(out, first, key);
	if (value)
		json_string(out, value);
	else
		output_puts(out, "null");
}

static const char *const command_names[DEBUG_BC_COUNT] = {
        [_IOC_NR(BC_TRANSACTION)] = "BC_TRANSACTION",
        [_IOC_NR(BC_REPLY)] = "BC_REPLY",
        [_IOC_NR(BC_ACQUIRE_RESULT)] = "BC_ACQUIRE_RESULT",
        [_IOC_NR(BC_FREE_BUFFER)] = "BC_FREE_BUFFER",
        [_IOC_NR(BC_INCREFS)] = "BC_INCREFS",
        [_IOC_NR(BC_ACQUIRE)] = "BC_ACQUIRE",
        [_IOC_NR(BC_RELEASE)] = "BC_RELEASE",
        [_IOC_NR(BC_DECREFS)] = "BC_DECREFS",
        [_IOC_NR(BC_INCREFS_DONE)] = "BC_INCREFS_DONE",
        [_IOC_NR(BC_ACQUIRE_DONE)] = "BC_ACQUIRE_DONE",
        [_IOC_NR(BC_ATTEMPT_ACQUIRE)] = "BC_ATTEMPT_ACQUIRE",
        [_IOC_NR(BC_REGISTER_LOOPER)] = "BC_REGISTER_LOOPER",
        [_IOC_NR(BC_ENTER_LOOPER)] = "BC_ENTER_LOOPER",
        [_IOC_NR(BC_EXIT_LOOPER)] = "BC_EXIT_LOOPER",
        [_IOC_NR(BC_REQUEST_DEATH_NOTIFICATION)] = "BC_REQUEST_DEATH_NOTIFICATION",
        [_IOC_NR(BC_CLEAR_DEATH_NOTIFICATION)] = "BC_CLEAR_DEATH_NOTIFICATION",
        [_IOC_NR(BC_DEAD_BINDER_DONE)] = "BC_DEAD_BINDER_DONE",
        [_IOC_NR(BC_TRANSACTION_SG)] = "BC_TRANSACTION_SG",
        [_IOC_NR(BC_REPLY_SG)] = "BC_REPLY_SG",
};

static const char *const return_names[DEBUG_BR_COUNT] = {
        [_IOC_NR(BR_ERROR)] = "BR_ERROR",
        [_IOC_NR(BR_OK)] = "BR_OK",
        [_IOC_NR(BR_TRANSACTION)] = "BR_TRANSACTION",
        [_IOC_NR(BR_REPLY)] = "BR_REPLY",
        [_IOC_NR(BR_ACQUIRE_RESULT)] = "BR_ACQUIRE_RESULT",
        [_IOC_NR(BR_DEAD_REPLY)] = "BR_DEAD_REPLY",
        [_IOC_NR(BR_TRANSACTION_COMPLETE)] = "BR_TRANSACTION_COMPLETE",
        [_IOC_NR(BR_INCREFS)] = "BR_INCREFS",
        [_IOC_NR(BR_ACQUIRE)] = "BR_ACQUIRE",
        [_IOC_NR(BR_RELEASE)] = "BR_RELEASE",
        [_IOC_NR(BR_DECREFS)] = "BR_DECREFS",
        [_IOC_NR(BR_ATTEMPT_ACQUIRE)] = "BR_ATTEMPT_ACQUIRE",
        [_IOC_NR(BR_NOOP)] = "BR_NOOP",
        [_IOC_NR(BR_SPAWN_LOOPER)] = "BR_SPAWN_LOOPER",
        [_IOC_NR(BR_FINISHED)] = "BR_FINISHED",
        [_IOC_NR(BR_DEAD_BINDER)] = "BR_DEAD_BINDER",
        [_IOC_NR(BR_CLEAR_DEATH_NOTIFICATION_DONE)] = "BR_CLEAR_DEATH_NOTIFICATION_DONE",
        [_IOC_NR(BR_FAILED_REPLY)] = "BR_FAILED_REPLY",
        [_IOC_NR(BR_FROZEN_REPLY)] = "BR_FROZEN_REPLY",
        [_IOC_NR(BR_ONEWAY_SPAM_SUSPECT)] = "BR_ONEWAY_SPAM_SUSPECT",
};

const char *debug_command_name(unsigned number)
{
	return number < DEBUG_BC_COUNT ? command_names[number] : NULL;
}

const char *debug_return_name(unsigned number)
{
	return number < DEBUG_BR_COUNT ? return_names[number] : NULL;
}

const char *debug_return_code_name(uint32_t code)
{
	const char *name = _IOC_TYPE(code) == 'r' ? debug_return_name(_IOC_NR(code)) : NULL;
	return name ? name : "unknown";
}
