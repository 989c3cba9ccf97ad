/* SPDX-License-Identifier: ISC */
/*
 * The table of states handed to the engine, indexed by enum fsm_state.
 */
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
