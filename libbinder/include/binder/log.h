/*
 * binder/log.h - where libbinder's messages go.
 *
 * libbinder reports what it cannot return to anybody: a oneway handler's
 * error (the caller is gone), a command from the driver it does not know,
 * a BR_ERROR, a write the driver did not take, a pool thread that could not
 * start, a context that could not be closed.
 *
 * By default messages go to stderr as "libbinder: <level>: <message>",
 * those at or above the level named by the environment variable BINDER_LOG
 * (error, warn, info or debug; read once, at the first message), warn when
 * it is unset or unknown. A program may send them elsewhere with
 * binder_set_log_handler.
 */
#ifndef BINDER_LOG_H
#define BINDER_LOG_H

#include "binder/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Message levels, most severe first (as BINDER_LOG names them). */
enum binder_log_level {
	BINDER_LOG_ERROR = 0,
	BINDER_LOG_WARN = 1,
	BINDER_LOG_INFO = 2,
	BINDER_LOG_DEBUG = 3,
};

/* Environment variable that sets the default handler's level. */
#define BINDER_LOG_ENV "BINDER_LOG"

/*
 * Receives one message: message is one line without its newline, valid
 * only during the call (copy it to keep it). Called on whatever thread met
 * the event (a binder thread, a caller), possibly from several threads at
 * once: it must be thread-safe, and must not call back into libbinder.
 */
typedef void (*binder_log_handler)(enum binder_log_level level, const char *message,
                                   void *user_data);

/*
 * Sends every later message (all levels: the handler filters) to handler
 * with user_data, or restores the default stderr handler when handler is
 * NULL. user_data stays the caller's: libbinder neither copies nor frees
 * it, and may still pass it to a call of the previous handler that is
 * running on another thread when this returns. Thread-safe; a program
 * usually sets it once, before opening a context.
 */
BINDER_API void binder_set_log_handler(binder_log_handler handler, void *user_data);

/*
 * The level the default handler writes at and above: BINDER_LOG's, or
 * BINDER_LOG_WARN. Thread-safe.
 */
BINDER_API enum binder_log_level binder_log_default_level(void);

/* "error", "warn", "info" or "debug" (static strings); "?" otherwise. */
BINDER_API const char *binder_log_level_name(enum binder_log_level level);

#ifdef __cplusplus
}
#endif

#endif
