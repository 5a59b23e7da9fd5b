/*
 * fuzz_log.c - binderd's logging (driver/binderd/log.h) for the fuzzer, in
 * place of log.c: quiet below errors, and an error is fatal, because
 * binderd logs errors only for broken internal state (a corrupt
 * transaction stack), never for what a client sent. With FUZZ_BINDERD_TRACE
 * set, the lower levels are printed with the trace.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

enum log_level log_threshold = LOG_ERROR;

int log_set_level(const char *name)
{
	(void)name;
	return -EINVAL;
}

void log_message(enum log_level level, const char *format, ...)
{
	va_list args;
	if (level > log_threshold) {
		/* With FUZZ_BINDERD_TRACE, the rest goes along with the trace. */
		static int tracing = -1;
		if (tracing < 0)
			tracing = getenv("FUZZ_BINDERD_TRACE") != NULL;
		if (tracing) {
			va_start(args, format);
			fprintf(stderr, "  binderd: ");
			vfprintf(stderr, format, args);
			fprintf(stderr, "\n");
			va_end(args);
		}
		return;
	}
	va_start(args, format);
	fprintf(stderr, "binderd (fuzzed) logged an error: ");
	vfprintf(stderr, format, args);
	fprintf(stderr, "\n");
	va_end(args);
	abort();
}
