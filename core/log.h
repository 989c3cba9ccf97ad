/* SPDX-License-Identifier: ISC */
/*
 * Logging for every part of piad. One sink: stderr, with "<N>" syslog
 * priority prefixes when stderr is the journal ($JOURNAL_STREAM set), so
 * systemd keeps the levels. Messages start with the object they are about.
 * Secrets (password, token, private keys) are never passed to these.
 */
#ifndef PIAD_LOG_H
#define PIAD_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARN = 4,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

/* Observer of every line logged at warning level or worse (for `watch`). */
typedef void (*log_hook_fn)(enum log_level, const char *msg, void *arg);

void	log_init(enum log_level level, const char *progname);
void	log_set_level(enum log_level level);
enum log_level log_get_level(void);
void	log_set_hook(log_hook_fn fn, void *arg);
/* Parse "error", "warning", "info", "debug"; -1 if unknown. */
int	log_level_from_name(const char *name);
const char *log_level_name(enum log_level level);

/*
 * libevent's own messages (event_set_log_callback): warnings and errors
 * as warnings, the rest at debug level, prefixed "libevent: ".
 */
void	log_libevent(int severity, const char *msg);

/* log_warn appends ": strerror(errno)"; the x variants do not. */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	log_vmsg(enum log_level level, int with_errno, const char *fmt,
	    va_list ap) __attribute__((format(printf, 3, 0)));

#endif
