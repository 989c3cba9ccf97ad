/* SPDX-License-Identifier: ISC */
/*
 * AUTH: a valid token, a verified server list, a chosen server and our
 * WireGuard key registered with it (addKey). A session that is still
 * valid is reused unless a server change was asked for (reconnect, dead
 * tunnel, failed handshake).
 */
#include "core/backend.h"
#include "core/btimer.h"
#include "core/context.h"
#include "states/states.h"

static void
auth_enter(struct piad_ctx *ctx)
{
	if (!ctx->want_new_server && ctx->be->session_ok(ctx)) {
		fsm_done(ctx, fsm_gen(ctx), "session still valid");
		return;
	}
	ctx->be->auth_start(ctx, fsm_gen(ctx),
	    ctx->want_new_server ? AUTH_NEW_SERVER : 0);
}

static void
auth_leave(struct piad_ctx *ctx)
{
}

static int
auth_handle(struct piad_ctx *ctx, enum fsm_event ev, enum fail_cause cause)
{
	switch (ev) {
	case EV_DONE:
		ctx->want_new_server = false;
		ctx->status.credentials_rejected = false;
		/* a fresh session: its renewal is renew_ms away */
		if (!ctx->renew_due)
			btimer_arm(ctx->renew_timer, ctx->renew_ms);
		return ST_WG_UP;
	case EV_FAIL:
		if (cause == CAUSE_CREDENTIALS)
			ctx->status.credentials_rejected = true;
		if (cause == CAUSE_SERVER) {
			ctx->be->server_avoid(ctx, "addKey failed");
			ctx->want_new_server = true;
		}
		return ST_AUTH;
	case EV_TIMEOUT:
	case EV_LINK_UP:
		return ST_AUTH;
	case EV_TUNNEL_DEAD:
		/* AUTH ends in WG_UP, which (re)builds the tunnel anyway */
		return FSM_IGNORE;
	default:
		return state_common_event(ctx, ev, cause);
	}
}

const struct state_ops st_auth = {
	.name = "AUTH",
	.timeout_ms = 60 * 1000,
	.enter = auth_enter,
	.leave = auth_leave,
	.handle = auth_handle,
};
