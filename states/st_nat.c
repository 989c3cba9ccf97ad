/* SPDX-License-Identifier: ISC */
/*
 * NAT: the VPN netns nftables table (masquerade out of WG, forward policy,
 * MSS clamp, kill switch) is in place. A refused transaction means the
 * netns itself may be gone, so failure goes back to BOOTSTRAP.
 */
#include "core/backend.h"
#include "core/context.h"
#include "states/states.h"

static void
nat_enter(struct piad_ctx *ctx)
{
	if (ctx->be->nat_ok(ctx)) {
		fsm_done(ctx, fsm_gen(ctx), "VPN table in place");
		return;
	}
	ctx->be->nat_apply(ctx, fsm_gen(ctx));
}

static void
nat_leave(struct piad_ctx *ctx)
{
}

static int
nat_handle(struct piad_ctx *ctx, enum fsm_event ev, enum fail_cause cause)
{
	switch (ev) {
	case EV_DONE:
		return ST_PF_BIND;
	case EV_FAIL:
	case EV_TIMEOUT:
		return ST_BOOTSTRAP;
	default:
		return state_common_event(ctx, ev, cause);
	}
}

const struct state_ops st_nat = {
	.name = "NAT",
	.timeout_ms = 10 * 1000,
	.enter = nat_enter,
	.leave = nat_leave,
	.handle = nat_handle,
};
