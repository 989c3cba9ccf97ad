/* SPDX-License-Identifier: ISC */
/*
 * The daemon context (context.h) and the two cycles that outlive any one
 * state: the port-forward refresh and the session renewal. Their timers
 * run on CLOCK_BOOTTIME; when one fires outside STEADY a flag remembers
 * it, and STEADY's enter acts on it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "core/backend.h"
#include "core/btimer.h"
#include "core/context.h"
#include "core/log.h"
#include "core/metrics.h"

#define CTX_PROBE_MS		(10U * 1000)
#define CTX_PF_REFRESH_MS	(15ULL * 60 * 1000)
#define CTX_RENEW_MS		(30ULL * 24 * 3600 * 1000)

static void
ctx_pf_due(void *arg)
{
	struct piad_ctx *ctx = arg;

	ctx->pf_due = true;
	fsm_dispatch(ctx, EV_PF_DUE, CAUSE_NONE, "port binding due");
}

static void
ctx_renew_due(void *arg)
{
	struct piad_ctx *ctx = arg;

	ctx->renew_due = true;
	fsm_dispatch(ctx, EV_RENEW_DUE, CAUSE_NONE, "session renewal due");
}

int
ctx_init(struct piad_ctx *ctx, struct event_base *base)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->base = base;
	clock_gettime(CLOCK_MONOTONIC, &ctx->started);
	ctx->probe_interval_ms = CTX_PROBE_MS;
	ctx->pf_refresh_ms = CTX_PF_REFRESH_MS;
	ctx->renew_ms = CTX_RENEW_MS;
	snprintf(ctx->status.pf.status, sizeof(ctx->status.pf.status),
	    "pending");
	ctx->pf_timer = btimer_new(base, ctx_pf_due, ctx);
	ctx->renew_timer = btimer_new(base, ctx_renew_due, ctx);
	if (ctx->pf_timer == NULL || ctx->renew_timer == NULL) {
		log_warn("context: timerfd");
		ctx_free(ctx);
		return -1;
	}
	return 0;
}

void
ctx_free(struct piad_ctx *ctx)
{
	if (ctx->be != NULL && ctx->be->free != NULL)
		ctx->be->free(ctx);
	ctx->be = NULL;
	if (ctx->probe_ev != NULL)
		event_free(ctx->probe_ev);
	ctx->probe_ev = NULL;
	btimer_free(ctx->pf_timer);
	btimer_free(ctx->renew_timer);
	ctx->pf_timer = ctx->renew_timer = NULL;
	fsm_free(ctx);
	metrics_free(ctx);
	status_clear(&ctx->status);
}

void
ctx_set_error(struct piad_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->status.last_error, sizeof(ctx->status.last_error), fmt,
	    ap);
	va_end(ap);
	ctx->status.last_error_at = status_now();
}

double
ctx_uptime(const struct piad_ctx *ctx)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - ctx->started.tv_sec) +
	    (double)(now.tv_nsec - ctx->started.tv_nsec) / 1e9;
}
