/* SPDX-License-Identifier: ISC */
/*
 * STEADY: nothing to do but watch. Every probe_interval a probe goes
 * through the tunnel to server_vip and the handshake age is checked;
 * three failed probes in a row, or a handshake older than 180 s, means
 * the tunnel is dead. Refreshes that fell due while we were busy
 * elsewhere are picked up on entry.
 */
#include <event2/event.h>

#include "core/backend.h"
#include "core/context.h"
#include "core/log.h"
#include "states/states.h"

static void
steady_tick(evutil_socket_t fd, short what, void *arg)
{
	struct piad_ctx	*ctx = arg;
	int64_t		 age;

	age = ctx->be->handshake_age(ctx);
	if (age > STEADY_HANDSHAKE_MAX_S) {
		fsm_dispatch(ctx, EV_TUNNEL_DEAD, CAUSE_SERVER,
		    "last handshake %lld s ago", (long long)age);
		return;
	}
	ctx->be->probe(ctx, fsm_gen(ctx));
}

static void
steady_enter(struct piad_ctx *ctx)
{
	struct timeval tv;

	ctx->probe_failures = 0;
	if (ctx->probe_ev == NULL)
		ctx->probe_ev = event_new(ctx->base, -1, EV_PERSIST,
		    steady_tick, ctx);
	if (ctx->probe_ev != NULL) {
		tv.tv_sec = ctx->probe_interval_ms / 1000;
		tv.tv_usec = (ctx->probe_interval_ms % 1000) * 1000;
		event_add(ctx->probe_ev, &tv);
	} else
		log_warn("steady: probe timer");

	if (ctx->renew_due)
		fsm_dispatch(ctx, EV_RENEW_DUE, CAUSE_NONE,
		    "session renewal fell due");
	else if (ctx->pf_due)
		fsm_dispatch(ctx, EV_PF_DUE, CAUSE_NONE,
		    "port binding fell due");
}

static void
steady_leave(struct piad_ctx *ctx)
{
	if (ctx->probe_ev != NULL)
		event_del(ctx->probe_ev);
}

static void
steady_probe_result(struct piad_ctx *ctx, bool ok, const char *why)
{
	if (ok) {
		ctx->probe_failures = 0;
		return;
	}
	ctx->status.counters.probe_failures++;
	log_info("steady: probe failed (%u of %u): %s",
	    ctx->probe_failures + 1, STEADY_PROBE_FAILURES, why);
	if (++ctx->probe_failures >= STEADY_PROBE_FAILURES)
		fsm_dispatch(ctx, EV_TUNNEL_DEAD, CAUSE_SERVER,
		    "%u probes failed: %s", ctx->probe_failures, why);
}

static int
steady_handle(struct piad_ctx *ctx, enum fsm_event ev, enum fail_cause cause)
{
	switch (ev) {
	case EV_PF_DUE:
	case EV_PF_FAIL:
		ctx->pf_due = true;
		return ST_PF_BIND;
	case EV_RENEW_DUE:
		ctx->renew_due = true;
		return ST_RENEW;
	default:
		/* DONE/FAIL/TIMEOUT: no work is running here */
		return state_common_event(ctx, ev, cause);
	}
}

const struct state_ops st_steady = {
	.name = "STEADY",
	.timeout_ms = 0,
	.enter = steady_enter,
	.leave = steady_leave,
	.handle = steady_handle,
	.probe_result = steady_probe_result,
};
