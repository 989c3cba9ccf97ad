/* SPDX-License-Identifier: ISC */
/*
 * systemd's notify protocol, written directly: one datagram per message
 * to $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace).
 * piad says READY=1 when STEADY is first reached, STATUS= on each
 * transition, WATCHDOG=1 from the loop at half of $WATCHDOG_USEC, and
 * STOPPING=1 on the way out. Without $NOTIFY_SOCKET all of it is a no-op.
 */
#ifndef PIAD_CORE_SDNOTIFY_H
#define PIAD_CORE_SDNOTIFY_H

#include <stdint.h>

struct piad_ctx;

/* 1 sent, 0 no $NOTIFY_SOCKET, -1 error (errno set). */
int	 sdnotify_send(const char *msg);
int	 sdnotify_sendf(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/*
 * $WATCHDOG_USEC, when it is meant for this process ($WATCHDOG_PID absent
 * or ours); 0 otherwise.
 */
uint64_t sdnotify_watchdog_usec(void);
/* Hook STATUS/READY to the FSM and start the watchdog timer; 0 / -1. */
int	 sdnotify_start(struct piad_ctx *);
void	 sdnotify_stop(struct piad_ctx *);

#endif
