/* SPDX-License-Identifier: ISC */
/*
 * WG_UP: the WireGuard device carries our key and the server as its peer
 * (keepalive 25, allowed 0.0.0.0/0), has peer_ip/32, the MTU and the
 * default route, and the first handshake was seen. No handshake within
 * the state's 10 s means this server is no good: avoid it, pick another.
 */
#include "core/backend.h"
#include "core/context.h"
#include "states/states.h"

static void
wg_up_enter(struct piad_ctx *ctx)
{
	if (ctx->be->wg_ok(ctx)) {
		fsm_done(ctx, fsm_gen(ctx),
		    "tunnel configured, handshake fresh");
		return;
	}
	ctx->be->wg_configure(ctx, fsm_gen(ctx));
}

static void
wg_up_leave(struct piad_ctx *ctx)
{
}

static int
wg_up_handle(struct piad_ctx *ctx, enum fsm_event ev, enum fail_cause cause)
{
	switch (ev) {
	case EV_DONE:
		return ST_NAT;
	case EV_FAIL:
	case EV_TIMEOUT:
	case EV_TUNNEL_DEAD:
		ctx->be->server_avoid(ctx, "no handshake");
		ctx->want_new_server = true;
		return ST_AUTH;
	default:
		return state_common_event(ctx, ev, cause);
	}
}

const struct state_ops st_wg_up = {
	.name = "WG_UP",
	.timeout_ms = 10 * 1000,
	.enter = wg_up_enter,
	.leave = wg_up_leave,
	.handle = wg_up_handle,
};
