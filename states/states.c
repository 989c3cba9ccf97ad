/* SPDX-License-Identifier: ISC */
/*
 * The table of states handed to the engine, indexed by enum fsm_state,
 * and the answer to the events most states take the same way.
 */
#include "core/backend.h"
#include "core/context.h"
#include "states/states.h"

const struct state_ops *const states_all[FSM_NSTATES] = {
	[ST_BOOTSTRAP] = &st_bootstrap,
	[ST_AUTH] = &st_auth,
	[ST_WG_UP] = &st_wg_up,
	[ST_NAT] = &st_nat,
	[ST_PF_BIND] = &st_pf_bind,
	[ST_STEADY] = &st_steady,
	[ST_RENEW] = &st_renew,
};

_Static_assert(sizeof(states_all) / sizeof(states_all[0]) == FSM_NSTATES,
    "a state without ops");

int
state_common_event(struct piad_ctx *ctx, enum fsm_event ev,
    enum fail_cause cause)
{
	switch (ev) {
	case EV_TUNNEL_DEAD:
		ctx->be->server_avoid(ctx, "tunnel dead");
		ctx->want_new_server = true;
		return ST_AUTH;
	case EV_RECONNECT:
		ctx->want_new_server = true;
		ctx->status.counters.reconnects++;
		return ST_AUTH;
	case EV_LINK_DOWN:
	case EV_RELOAD:
		return ST_BOOTSTRAP;
	case EV_SHUTDOWN:
		return FSM_STOP;
	default:
		return FSM_IGNORE;
	}
}
