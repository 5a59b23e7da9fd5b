/*
 * log_internal.h - libbinder's own messages (see <binder/log.h>): the
 * runtime calls runtime_log at the odd turns it cannot report through a
 * return value. Private.
 */
#ifndef BINDER_LOG_INTERNAL_H
#define BINDER_LOG_INTERNAL_H

#include "binder/log.h"

/* Formats one message (printf-style, no newline) and hands it to the
 * installed handler. Thread-safe. */
void runtime_log(enum binder_log_level level, const char *format, ...)
        __attribute__((format(printf, 2, 3)));

#endif
