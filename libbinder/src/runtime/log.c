/*
 * log.c - the log hook of <binder/log.h>: the installed handler (guarded by
 * handler_lock) and the default one, which writes to stderr at and above
 * the level BINDER_LOG names.
 */
#include "log_internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longer messages are cut: they are one line for a human. */
#define LOG_MESSAGE_MAX 512

static const char *const level_names[] = {
        [BINDER_LOG_ERROR] = "error",
        [BINDER_LOG_WARN] = "warn",
        [BINDER_LOG_INFO] = "info",
        [BINDER_LOG_DEBUG] = "debug",
};
#define LEVEL_COUNT (sizeof(level_names) / sizeof(level_names[0]))

/* Quiet unless asked: what AOSP would log as W or E. */
#define DEFAULT_LEVEL BINDER_LOG_WARN

static pthread_once_t default_level_once = PTHREAD_ONCE_INIT;
static enum binder_log_level default_level = DEFAULT_LEVEL;

static pthread_mutex_t handler_lock = PTHREAD_MUTEX_INITIALIZER;
/* NULL: the default handler. Under handler_lock. */
static binder_log_handler handler;
static void *handler_user_data;

const char *binder_log_level_name(enum binder_log_level level)
{
	return (unsigned)level < LEVEL_COUNT ? level_names[level] : "?";
}

static void read_default_level(void)
{
	const char *wanted = getenv(BINDER_LOG_ENV);

	if (!wanted)
		return;
	for (unsigned level = 0; level < LEVEL_COUNT; level++)
		if (strcmp(wanted, level_names[level]) == 0)
			default_level = (enum binder_log_level)level;
}

enum binder_log_level binder_log_default_level(void)
{
	pthread_once(&default_level_once, read_default_level);
	return default_level;
}

static void log_to_stderr(enum binder_log_level level, const char *message)
{
	if (level <= binder_log_default_level())
		fprintf(stderr, "libbinder: %s: %s\n", binder_log_level_name(level), message);
}

void binder_set_log_handler(binder_log_handler new_handler, void *user_data)
{
	pthread_mutex_lock(&handler_lock);
	handler = new_handler;
	handler_user_data = new_handler ? user_data : NULL;
	pthread_mutex_unlock(&handler_lock);
}

void runtime_log(enum binder_log_level level, const char *format, ...)
{
	char message[LOG_MESSAGE_MAX];
	binder_log_handler current;
	void *user_data;
	va_list arguments;

	va_start(arguments, format);
	vsnprintf(message, sizeof(message), format, arguments);
	va_end(arguments);

	pthread_mutex_lock(&handler_lock);
	current = handler;
	user_data = handler_user_data;
	pthread_mutex_unlock(&handler_lock);
	if (current)
		current(level, message, user_data);
	else
		log_to_stderr(level, message);
}
