/* SPDX-License-Identifier: ISC */
/*
 * Daemon glue between the config, the context and the loop: applying a
 * config to the context (status skeleton, timers, log level), reload
 * (parse, validate, diff, swap; a bad file changes nothing), and the
 * signals (SIGHUP reload, SIGTERM/SIGINT orderly exit, SIGPIPE ignored).
 */
#ifndef PIAD_CORE_DAEMON_H
#define PIAD_CORE_DAEMON_H

#include <stddef.h>

struct piad_ctx;
struct piad_config;

/*
 * Make ctx reflect conf (ctx->conf is not touched): the container list
 * in status, tunnel interface, region, timer periods, log level unless
 * forced on the command line. 0 / -1.
 */
int	daemon_apply_config(struct piad_ctx *, const struct piad_config *);
/*
 * Re-read ctx->conf_path. 0 when the new config runs now; -1 with every
 * problem in err (one per line) and the running config untouched. Also
 * what ctx->reload points to, for `piadctl reload`.
 */
int	daemon_reload(struct piad_ctx *, char *err, size_t errlen);
/* SIGHUP, SIGTERM, SIGINT through the loop; SIGPIPE ignored. 0 / -1. */
int	daemon_signals(struct piad_ctx *);
void	daemon_signals_free(struct piad_ctx *);
/* Orderly exit: stop the FSM, fail-closed teardown, leave the loop. */
void	daemon_shutdown(struct piad_ctx *, const char *why);
/*
 * `piadctl down`: stop the FSM, remove everything piad created, leave
 * the loop shortly after (so the reply still goes out).
 */
void	daemon_down(struct piad_ctx *, const char *why);

#endif
