/*
 * log.h - leveled logging to stderr for the daemons (binderd,
 * servicemanager): "<program>: <level>: text", one line per message.
 * Not thread-safe to change the level while others log.
 */
#ifndef BINDER_DAEMON_LOG_H
#define BINDER_DAEMON_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARNING = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern enum log_level log_threshold;

/* Parses "error", "warning", "info" or "debug". Returns 0 or -EINVAL. */
int log_set_level(const char *name);

void log_message(enum log_level level, const char *format, ...)
        __attribute__((format(printf, 2, 3)));

#define log_error(...)   log_message(LOG_ERROR, __VA_ARGS__)
#define log_warning(...) log_message(LOG_WARNING, __VA_ARGS__)
#define log_info(...)    log_message(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_threshold >= LOG_DEBUG)                                                    \
			log_message(LOG_DEBUG, __VA_ARGS__);                                       \
	} while (0)

#endif
