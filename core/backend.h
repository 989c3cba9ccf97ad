/* SPDX-License-Identifier: ISC */
/*
 * What the states ask of the world. The states in states/ only decide;
 * a backend does the work: the real one (net/ pia/ proxy/, wired in
 * later) or the fake one (core/backend_fake.c) that succeeds or fails on
 * command for tests and for running piad without a kernel or PIA.
 *
 * Checks (*_ok) are synchronous and cheap: each state's enter asks first
 * and finishes at once when its invariant already holds, which makes
 * recovery a walk forward from the earliest broken state.
 *
 * Work (*_start and friends) is asynchronous. It is given the engine's
 * generation number `gen` and completes, later or even before returning,
 * with fsm_done(ctx, gen, reason) or fsm_fail(ctx, gen, cause, reason).
 * A completion whose gen is stale (the state was left meanwhile) is
 * dropped by the engine, and cancel() is called on every leave so the
 * backend can stop the work early.
 *
 * The backend fills ctx->status (server, tunnel, port_forward,
 * containers) as it learns things. Secrets never go into status.
 */
#ifndef PIAD_CORE_BACKEND_H
#define PIAD_CORE_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

struct piad_ctx;
struct piad_config;

#define AUTH_NEW_SERVER	0x1	/* do not reuse the current server */

struct backend_ops {
	const char	*name;

	/* BOOTSTRAP: bridge, netns, veths, WG link, proxy, host table. */
	bool	(*topology_ok)(struct piad_ctx *);
	void	(*topology_ensure)(struct piad_ctx *, unsigned gen);

	/* AUTH: token, verified server list, chosen server, addKey. */
	bool	(*session_ok)(struct piad_ctx *);
	void	(*auth_start)(struct piad_ctx *, unsigned gen, int flags);
	/* The current server failed (addKey, handshake, PF): avoid 10 min. */
	void	(*server_avoid)(struct piad_ctx *, const char *why);

	/* WG_UP: device configured; completes on the first handshake. */
	bool	(*wg_ok)(struct piad_ctx *);
	void	(*wg_configure)(struct piad_ctx *, unsigned gen);
	/* Seconds since the last handshake, -1 if none. */
	int64_t	(*handshake_age)(struct piad_ctx *);

	/* NAT: the VPN netns table. */
	bool	(*nat_ok)(struct piad_ctx *);
	void	(*nat_apply)(struct piad_ctx *, unsigned gen);

	/* PF_BIND: true when no container wants a port, or bound lately. */
	bool	(*pf_ok)(struct piad_ctx *);
	void	(*pf_bind_start)(struct piad_ctx *, unsigned gen);

	/* RENEW: new token, key and signature; old session kept on failure. */
	void	(*renew_start)(struct piad_ctx *, unsigned gen);

	/*
	 * STEADY: one liveness probe through the tunnel; completes with
	 * steady_probe_result(ctx, gen, ok, why) (states/states.h).
	 */
	void	(*probe)(struct piad_ctx *, unsigned gen);

	/* Abandon the current asynchronous work (called on every leave). */
	void	(*cancel)(struct piad_ctx *);
	/* Refresh byte counters and handshake time before a status reply. */
	void	(*refresh_status)(struct piad_ctx *);
	/*
	 * Stop: everything == false leaves the topology fail-closed (netns,
	 * bridge, firewall stay; the tunnel goes); true removes all piad made.
	 */
	void	(*teardown)(struct piad_ctx *, bool everything);
	/* A new config was swapped in (old is still valid during the call). */
	void	(*config_changed)(struct piad_ctx *,
		    const struct piad_config *old);
	void	(*free)(struct piad_ctx *);
};

#endif
