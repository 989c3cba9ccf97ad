/* SPDX-License-Identifier: ISC */
/*
 * The daemon context: the one event_base and everything hung on it. One
 * per process (tests make several). Every part gets the context rather
 * than globals so the unit tests can run an engine on a fake backend and
 * a control server on a temp socket side by side.
 */
#ifndef PIAD_CORE_CONTEXT_H
#define PIAD_CORE_CONTEXT_H

#include <stdbool.h>
#include <time.h>

#include "core/fsm.h"
#include "core/status.h"

struct event_base;
struct event;
struct piad_config;
struct backend_ops;
struct control;
struct metrics;
struct btimer;

struct piad_ctx {
	struct event_base	*base;
	struct piad_config	*conf;		/* owned; swapped on reload */
	char			*conf_path;	/* owned */

	const struct backend_ops *be;
	void			*be_arg;	/* the backend's own state */

	struct fsm		 fsm;
	struct piad_status	 status;
	struct control		*ctl;		/* NULL when none */
	struct metrics		*metrics;
	struct timespec		 started;	/* CLOCK_MONOTONIC */
	bool			 sd_ready_pending; /* READY=1 not sent yet */

	/*
	 * Reload glue (core/daemon.c sets it): parse, validate, diff, swap.
	 * 0 or -1 with the validation errors in err.
	 */
	int			(*reload)(struct piad_ctx *, char *err,
				    size_t errlen);
	/* `down` glue (core/daemon.c): remove everything, then exit. */
	void			(*down)(struct piad_ctx *, const char *why);

	/* STEADY's monitors and the cycles that outlive a state. */
	struct event		*probe_ev;	/* armed while STEADY */
	unsigned		 probe_failures;
	unsigned		 probe_interval_ms;
	struct btimer		*pf_timer;	/* CLOCK_BOOTTIME */
	struct btimer		*renew_timer;	/* CLOCK_BOOTTIME */
	bool			 pf_due;	/* fired outside STEADY */
	bool			 renew_due;
	uint64_t		 pf_refresh_ms;
	uint64_t		 renew_ms;
	bool			 want_new_server; /* AUTH must not reuse */

	/* Daemon glue (core/daemon.c, core/sdnotify.c). */
	struct event		*sig_ev[3];	/* HUP, TERM, INT */
	struct event		*watchdog_ev;
	bool			 log_forced;	/* -d/-v beat log.level */
};

/* Set up base, fsm and status; 0 / -1. The caller sets be and be_arg. */
int	ctx_init(struct piad_ctx *, struct event_base *);
void	ctx_free(struct piad_ctx *);
/* Record an error for `status` and `watch` (also logged by the caller). */
void	ctx_set_error(struct piad_ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Seconds since ctx_init. */
double	ctx_uptime(const struct piad_ctx *);

#endif
