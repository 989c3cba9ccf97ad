/* SPDX-License-Identifier: ISC */
/*
 * BOOTSTRAP: the bridge, the VPN netns, veths, container netns, the WG
 * link (moved into the VPN netns), the proxy listener and the host
 * firewall table exist as configured. Every repair starts here, so enter
 * is a cheap check when nothing is missing.
 */
#include "core/backend.h"
#include "core/context.h"
#include "states/states.h"

static void
bootstrap_enter(struct piad_ctx *ctx)
{
	if (ctx->be->topology_ok(ctx)) {
		fsm_done(ctx, fsm_gen(ctx), "topology in place");
		return;
	}
	ctx->be->topology_ensure(ctx, fsm_gen(ctx));
}

static void
bootstrap_leave(struct piad_ctx *ctx)
{
}

static int
bootstrap_handle(struct piad_ctx *ctx, enum fsm_event ev,
    enum fail_cause cause)
{
	switch (ev) {
	case EV_DONE:
		return ST_AUTH;
	case EV_FAIL:
	case EV_TIMEOUT:
	case EV_LINK_UP:
		return ST_BOOTSTRAP;
	case EV_TUNNEL_DEAD:
	case EV_RECONNECT:
		/* no tunnel to avoid or reconnect before the topology */
		return FSM_IGNORE;
	default:
		return state_common_event(ctx, ev, cause);
	}
}

const struct state_ops st_bootstrap = {
	.name = "BOOTSTRAP",
	.timeout_ms = 30 * 1000,
	.enter = bootstrap_enter,
	.leave = bootstrap_leave,
	.handle = bootstrap_handle,
};
