/* SPDX-License-Identifier: ISC */
/*
 * PF_BIND: a valid signature, bindPort accepted, the DNAT to the
 * receiving container in place, and the hook run if the port changed.
 * Port forwarding trouble never touches the tunnel: on failure we go on
 * to STEADY and the refresh timer retries with backoff.
 */
#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/btimer.h"
#include "core/context.h"
#include "core/log.h"
#include "states/states.h"

static void
pf_set_status(struct piad_ctx *ctx, const char *word)
{
	strncpy(ctx->status.pf.status, word, sizeof(ctx->status.pf.status) - 1);
}

/* The next refresh: port_refresh, give or take a minute. */
static uint64_t
pf_next_refresh_ms(const struct piad_ctx *ctx)
{
	uint64_t	base = ctx->pf_refresh_ms, j = PF_JITTER_MS;

	if (j > base / 4)
		j = base / 4;
	if (j == 0)
		return base;
	return base - j + arc4random_uniform((uint32_t)(2 * j + 1));
}

static void
pf_bind_enter(struct piad_ctx *ctx)
{
	if (!ctx->pf_due && ctx->be->pf_ok(ctx)) {
		fsm_done(ctx, fsm_gen(ctx), "%s",
		    strcmp(ctx->status.pf.status, "disabled") == 0 ?
		    "no port forwarding configured" :
		    "port binding still valid");
		return;
	}
	pf_set_status(ctx, "binding");
	ctx->be->pf_bind_start(ctx, fsm_gen(ctx));
}

static void
pf_bind_leave(struct piad_ctx *ctx)
{
}

static int
pf_bind_handle(struct piad_ctx *ctx, enum fsm_event ev, enum fail_cause cause)
{
	uint64_t ms;

	switch (ev) {
	case EV_DONE:
		if (ctx->pf_due ||
		    strcmp(ctx->status.pf.status, "binding") == 0)
			ctx->status.counters.pf_binds++;
		ctx->pf_due = false;
		if (strcmp(ctx->status.pf.status, "disabled") != 0) {
			pf_set_status(ctx, "ok");
			if (!btimer_armed(ctx->pf_timer))
				btimer_arm(ctx->pf_timer,
				    pf_next_refresh_ms(ctx));
		}
		return ST_STEADY;
	case EV_FAIL:
	case EV_TIMEOUT:
		ctx->status.counters.pf_failures++;
		ctx->pf_due = false;
		pf_set_status(ctx, "retrying");
		ms = backoff_next_ms(&ctx->fsm.backoff, CAUSE_PORT_FORWARD);
		log_info("port forward: next bind in %llu ms",
		    (unsigned long long)ms);
		btimer_arm(ctx->pf_timer, ms);
		return ST_STEADY;
	default:
		/* PF_DUE, RENEW_DUE: flags are set, STEADY acts on them */
		return state_common_event(ctx, ev, cause);
	}
}

const struct state_ops st_pf_bind = {
	.name = "PF_BIND",
	.timeout_ms = 60 * 1000,
	.enter = pf_bind_enter,
	.leave = pf_bind_leave,
	.handle = pf_bind_handle,
};
