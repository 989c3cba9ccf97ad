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

/*
 * What a state's handle() falls back to for the events it has nothing of
 * its own to say about: a dead tunnel avoids the server and goes back to
 * AUTH for another one, a reconnect does the same without the avoid, link
 * down and reload go to BOOTSTRAP, shutdown stops, anything else is
 * ignored. A state that takes one of these differently handles it first.
 */
int	state_common_event(struct piad_ctx *, enum fsm_event,
	    enum fail_cause);

/* Consecutive failed probes (or a handshake this old) mean a dead tunnel. */
#define STEADY_PROBE_FAILURES	3
#define STEADY_HANDSHAKE_MAX_S	180
/* bindPort refresh jitter, either way. */
#define PF_JITTER_MS		(60U * 1000)

#endif
