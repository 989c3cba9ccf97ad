/* SPDX-License-Identifier: ISC */
/*
 * RENEW: make-before-break refresh of token, key and signature. The old
 * session carries traffic throughout; on success PF_BIND rebinds with the
 * new token, on failure STEADY resumes and the renewal is retried with
 * backoff.
 */
#include "core/backend.h"
#include "core/btimer.h"
#include "core/context.h"
#include "core/log.h"
#include "states/states.h"

static void
renew_enter(struct piad_ctx *ctx)
{
	/* Entered only on demand: there is no "already holds". */
	ctx->be->renew_start(ctx, fsm_gen(ctx));
}

static void
renew_leave(struct piad_ctx *ctx)
{
}

static int
renew_handle(struct piad_ctx *ctx, enum fsm_event ev, enum fail_cause cause)
{
	uint64_t ms;

	switch (ev) {
	case EV_DONE:
		ctx->status.counters.renewals++;
		ctx->renew_due = false;
		btimer_arm(ctx->renew_timer, ctx->renew_ms);
		ctx->pf_due = true;	/* bind again with the new token */
		return ST_PF_BIND;
	case EV_FAIL:
	case EV_TIMEOUT:
		ctx->renew_due = false;
		ms = backoff_next_ms(&ctx->fsm.backoff, CAUSE_RENEW);
		log_info("renew: next attempt in %llu ms",
		    (unsigned long long)ms);
		btimer_arm(ctx->renew_timer, ms);
		return ST_STEADY;
	default:
		return state_common_event(ctx, ev, cause);
	}
}

const struct state_ops st_renew = {
	.name = "RENEW",
	.timeout_ms = 60 * 1000,
	.enter = renew_enter,
	.leave = renew_leave,
	.handle = renew_handle,
};
