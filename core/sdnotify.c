/* SPDX-License-Identifier: ISC */
/*
 * sd_notify without libsystemd (see sdnotify.h). A new datagram socket
 * per message: messages are rare (transitions, a watchdog tick every few
 * seconds) and this way a restarted systemd never leaves us with a stale
 * connected socket.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "core/context.h"
#include "core/log.h"
#include "core/sdnotify.h"

int
sdnotify_send(const char *msg)
{
	struct sockaddr_un	 sun;
	const char		*path = getenv("NOTIFY_SOCKET");
	socklen_t		 len;
	size_t			 plen;
	ssize_t			 n;
	int			 fd;

	if (path == NULL || path[0] == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') ||
	    plen >= sizeof(sun.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@') {
		/* abstract: a leading NUL, and the length is exact */
		sun.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    plen);
	} else
		len = (socklen_t)sizeof(sun);
	/* never block the loop on a busy or stuck manager */
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return -1;
	n = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
	    (struct sockaddr *)&sun, len);
	close(fd);
	return n == -1 ? -1 : 1;
}

int
sdnotify_sendf(const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sdnotify_send(msg);
}

uint64_t
sdnotify_watchdog_usec(void)
{
	const char		*s = getenv("WATCHDOG_USEC");
	const char		*p = getenv("WATCHDOG_PID");
	char			*end;
	unsigned long long	 v;

	if (s == NULL)
		return 0;
	if (p != NULL && strtol(p, NULL, 10) != (long)getpid())
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return 0;
	return v;
}

static void
sdnotify_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	if (sdnotify_send("WATCHDOG=1") == -1)
		log_warn("sd_notify: WATCHDOG");
}

static void
sdnotify_observer(struct piad_ctx *ctx, const struct fsm_transition *t,
    void *arg)
{
	const char	*ready = "";
	char		 reason[FSM_REASON_MAX], *p;

	/* a newline would start another assignment: keep it one line */
	snprintf(reason, sizeof(reason), "%s", t->reason);
	for (p = reason; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	/* READY once: the service is up when traffic first flows */
	if (t->to == ST_STEADY && ctx->sd_ready_pending) {
		ready = "READY=1\n";
		ctx->sd_ready_pending = false;
	}
	if (sdnotify_sendf("%sSTATUS=%s (%s)", ready, fsm_state_names[t->to],
	    reason) == -1)
		log_warn("sd_notify: STATUS");
}

int
sdnotify_start(struct piad_ctx *ctx)
{
	struct timeval	tv;
	uint64_t	usec, half;
	const char	*sock = getenv("NOTIFY_SOCKET");

	if (sock == NULL || sock[0] == '\0')
		return 0;
	ctx->sd_ready_pending = true;
	if (fsm_add_observer(ctx, sdnotify_observer, NULL) == -1)
		return -1;
	if ((usec = sdnotify_watchdog_usec()) == 0)
		return 0;
	half = usec / 2;
	if (half == 0)
		half = 1;
	ctx->watchdog_ev = event_new(ctx->base, -1, EV_PERSIST,
	    sdnotify_watchdog_cb, ctx);
	if (ctx->watchdog_ev == NULL)
		return -1;
	tv.tv_sec = (time_t)(half / 1000000);
	tv.tv_usec = (suseconds_t)(half % 1000000);
	if (event_add(ctx->watchdog_ev, &tv) == -1)
		return -1;
	log_debug("sd_notify: watchdog every %llu us",
	    (unsigned long long)half);
	/* one right away: the first interval starts at exec, not here */
	sdnotify_watchdog_cb(-1, 0, ctx);
	return 0;
}

void
sdnotify_stop(struct piad_ctx *ctx)
{
	fsm_del_observer(ctx, sdnotify_observer, NULL);
	if (ctx->watchdog_ev != NULL) {
		event_free(ctx->watchdog_ev);
		ctx->watchdog_ev = NULL;
	}
}
