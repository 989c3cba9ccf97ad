/* SPDX-License-Identifier: ISC */
/*
 * The fake backend: every operation succeeds, fails with a chosen cause,
 * or hangs, on command. Unit tests drive it directly; `piad` runs on it
 * until the real backend is wired in, so the whole daemon (states,
 * control socket, piadctl, sd_notify) can be exercised without root.
 *
 * PIAD_FAKE in the environment sets results at start, e.g.
 * "auth=fail:credentials,pf=hang,delay=50": ops are topology, auth, wg,
 * nat, pf, renew, probe; results ok, fail[:cause], hang; delay in ms.
 */
#ifndef PIAD_CORE_BACKEND_FAKE_H
#define PIAD_CORE_BACKEND_FAKE_H

#include <stdbool.h>

#include "core/backend.h"
#include "core/backoff.h"

struct piad_ctx;

enum fake_op {
	FAKE_TOPOLOGY,
	FAKE_AUTH,
	FAKE_WG,
	FAKE_NAT,
	FAKE_PF,
	FAKE_RENEW,
	FAKE_PROBE,
	FAKE_NOPS
};

enum fake_result {
	FAKE_OK,
	FAKE_FAIL,
	FAKE_HANG,
};

struct fake_backend {
	enum fake_result result[FAKE_NOPS];
	enum fail_cause	 cause[FAKE_NOPS];
	bool		 holds[FAKE_NOPS];	/* invariant true already */
	unsigned	 calls[FAKE_NOPS];
	unsigned	 delay_ms;		/* 0: complete before returning */
	bool		 pf_wanted;
	unsigned	 servers_avoided;
	unsigned	 server_seq;		/* picks fake server names */
	unsigned	 teardowns;
	bool		 torn_down_all;
	int		 last_auth_flags;

	/* pending asynchronous completion */
	struct event	*ev;
	enum fake_op	 pending_op;
	unsigned	 pending_gen;
	bool		 pending;
};

extern const struct backend_ops backend_fake_ops;
extern const char *const fake_op_names[FAKE_NOPS];

/* Attach a fresh fake backend to ctx (ctx->be, ctx->be_arg); 0 / -1. */
int	backend_fake_attach(struct piad_ctx *);
struct fake_backend *backend_fake(struct piad_ctx *);
void	fake_set(struct piad_ctx *, enum fake_op, enum fake_result,
	    enum fail_cause);
/* Parse a PIAD_FAKE string; 0, or -1 with a message in err. */
int	fake_configure(struct piad_ctx *, const char *spec, char *err,
	    size_t errlen);

#endif
