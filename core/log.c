/* SPDX-License-Identifier: ISC */
/*
 * The one log sink. stderr only: under systemd the journal adds time and
 * unit; by hand the user sees the lines as they come. A timestamp is added
 * only when not writing to the journal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "core/log.h"

static enum log_level	 log_level = LOG_LVL_INFO;
static int		 log_journal;
static const char	*log_progname = "piad";
static log_hook_fn	 log_hook;
static void		*log_hook_arg;

static const struct {
	const char	*name;
	enum log_level	 level;
} log_names[] = {
	{ "error", LOG_LVL_ERR },
	{ "warning", LOG_LVL_WARN },
	{ "info", LOG_LVL_INFO },
	{ "debug", LOG_LVL_DEBUG },
};

void
log_init(enum log_level level, const char *progname)
{
	log_level = level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
	if (progname != NULL)
		log_progname = progname;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_set_hook(log_hook_fn fn, void *arg)
{
	log_hook = fn;
	log_hook_arg = arg;
}

int
log_level_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
		if (strcmp(log_names[i].name, name) == 0)
			return log_names[i].level;
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	size_t i;

	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
		if (log_names[i].level == level)
			return log_names[i].name;
	return "unknown";
}

void
log_vmsg(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	char	 msg[1024], *p;
	int	 saved_errno = errno;
	size_t	 len;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, ": %s",
		    strerror(saved_errno));
	}
	/*
	 * One message, one line: text from outside (a server's error, a
	 * hook's output) must not forge further log lines or journal
	 * priorities.
	 */
	for (p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			*p = ' ';
	if (level <= log_level) {
		if (log_journal) {
			fprintf(stderr, "<%d>%s\n", (int)level, msg);
		} else {
			struct timespec	ts;
			struct tm	tm;
			char		stamp[32];

			clock_gettime(CLOCK_REALTIME, &ts);
			localtime_r(&ts.tv_sec, &tm);
			strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
			fprintf(stderr, "%s.%03ld %s: %s\n", stamp,
			    ts.tv_nsec / 1000000, log_progname, msg);
		}
	}
	if (level <= LOG_LVL_WARN && log_hook != NULL)
		log_hook(level, msg, log_hook_arg);
	errno = saved_errno;
}

#define LOG_BODY(level, with_errno) do {		\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_vmsg((level), (with_errno), fmt, ap);	\
	va_end(ap);					\
} while (0)

void
log_libevent(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

void
log_warn(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_WARN, 1);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_WARN, 0);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_INFO, 0);
}

void
log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_DEBUG, 0);
}

void
fatal(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_ERR, 1);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_ERR, 0);
	exit(1);
}
