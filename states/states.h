/* SPDX-License-Identifier: ISC */
/*
 * The seven states, one file each (st_NAME.c), and the table of them the
 * engine is started with: fsm_init(ctx, states_all).
 */
#ifndef PIAD_STATES_STATES_H
#define PIAD_STATES_STATES_H

#include "core/fsm.h"

extern const struct state_ops st_bootstrap;
extern const struct state_ops st_auth;
extern const struct state_ops st_wg_up;
extern const struct state_ops st_nat;
extern const struct state_ops st_pf_bind;
extern const struct state_ops st_steady;
extern const struct state_ops st_renew;

extern const struct state_ops *const states_all[FSM_NSTATES];

/* Consecutive failed probes (or a handshake this old) mean a dead tunnel. */
#define STEADY_PROBE_FAILURES	3
#define STEADY_HANDSHAKE_MAX_S	180
/* bindPort refresh jitter, either way. */
#define PF_JITTER_MS		(60U * 1000)

#endif
