/* SPDX-License-Identifier: ISC */
/*
 * The fake backend (see backend_fake.h). It keeps one flag per invariant
 * and fills the status with plausible values from the documentation
 * address ranges, so `piadctl status` on a fake piad looks like the real
 * thing without pretending to be it: the tunnel backend reads "fake".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/backend_fake.h"
#include "core/context.h"
#include "core/log.h"

const char *const fake_op_names[FAKE_NOPS] = {
	[FAKE_TOPOLOGY] = "topology",
	[FAKE_AUTH] = "auth",
	[FAKE_WG] = "wg",
	[FAKE_NAT] = "nat",
	[FAKE_PF] = "pf",
	[FAKE_RENEW] = "renew",
	[FAKE_PROBE] = "probe",
};

_Static_assert(sizeof(fake_op_names) / sizeof(fake_op_names[0]) ==
    FAKE_NOPS, "a fake op without a name");

struct fake_backend *
backend_fake(struct piad_ctx *ctx)
{
	return ctx->be == &backend_fake_ops ? ctx->be_arg : NULL;
}

static struct fake_backend *
fb(struct piad_ctx *ctx)
{
	return ctx->be_arg;
}

/* The visible effect of a successful op. */
static void
fake_apply(struct piad_ctx *ctx, enum fake_op op)
{
	struct fake_backend	*f = fb(ctx);
	struct piad_status	*st = &ctx->status;
	unsigned		 n = f->server_seq % 200 + 10;
	size_t			 i;

	f->holds[op] = true;
	switch (op) {
	case FAKE_TOPOLOGY:
		for (i = 0; i < st->ncontainers; i++)
			st->containers[i].ok = true;
		break;
	case FAKE_AUTH:
		st->server.valid = true;
		if (st->server.region[0] == '\0')
			snprintf(st->server.region, sizeof(st->server.region),
			    "fake");
		snprintf(st->server.cn, sizeof(st->server.cn), "fake%u", n);
		snprintf(st->server.ip, sizeof(st->server.ip), "203.0.113.%u",
		    n);
		st->server.port = 1337;
		snprintf(st->server.vip, sizeof(st->server.vip), "10.0.0.1");
		snprintf(st->tunnel.peer_ip, sizeof(st->tunnel.peer_ip),
		    "10.13.0.%u", n);
		/* a new key must be configured on the device again, and a
		   port binding belongs to the server it was made with */
		f->holds[FAKE_WG] = false;
		f->holds[FAKE_PF] = false;
		break;
	case FAKE_WG:
		snprintf(st->tunnel.backend, sizeof(st->tunnel.backend),
		    "fake");
		st->tunnel.last_handshake = status_now();
		break;
	case FAKE_PF:
		st->pf.port = (uint16_t)(40000 + n);
		st->pf.last_bind = status_now();
		st->pf.expires_at = status_now() + 60 * 24 * 3600;
		break;
	case FAKE_RENEW:
		/* same server, new token: the binding is redone */
		f->holds[FAKE_PF] = false;
		break;
	default:
		break;
	}
}

static void
fake_complete(struct piad_ctx *ctx, enum fake_op op, unsigned gen)
{
	struct fake_backend *f = fb(ctx);

	if (op == FAKE_PROBE) {
		if (f->result[op] == FAKE_OK)
			ctx->status.tunnel.last_handshake = status_now();
		fsm_probe_result(ctx, gen, f->result[op] == FAKE_OK,
		    "fake probe");
		return;
	}
	if (f->result[op] == FAKE_OK) {
		fake_apply(ctx, op);
		fsm_done(ctx, gen, "fake %s done", fake_op_names[op]);
	} else
		fsm_fail(ctx, gen, f->cause[op], "fake %s failed",
		    fake_op_names[op]);
}

static void
fake_timer(evutil_socket_t fd, short what, void *arg)
{
	struct piad_ctx		*ctx = arg;
	struct fake_backend	*f = fb(ctx);

	if (!f->pending)
		return;
	f->pending = false;
	fake_complete(ctx, f->pending_op, f->pending_gen);
}

static void
fake_start(struct piad_ctx *ctx, enum fake_op op, unsigned gen)
{
	struct fake_backend	*f = fb(ctx);
	struct timeval		 tv;

	f->calls[op]++;
	if (f->result[op] == FAKE_HANG)
		return;
	if (f->delay_ms == 0 || f->ev == NULL) {
		fake_complete(ctx, op, gen);
		return;
	}
	f->pending = true;
	f->pending_op = op;
	f->pending_gen = gen;
	tv.tv_sec = f->delay_ms / 1000;
	tv.tv_usec = (f->delay_ms % 1000) * 1000;
	evtimer_add(f->ev, &tv);
}

static bool
fake_topology_ok(struct piad_ctx *ctx)
{
	size_t i;

	/* a container added by a reload is topology not yet made */
	for (i = 0; i < ctx->status.ncontainers; i++)
		if (!ctx->status.containers[i].ok)
			return false;
	return fb(ctx)->holds[FAKE_TOPOLOGY];
}

static void
fake_topology_ensure(struct piad_ctx *ctx, unsigned gen)
{
	fake_start(ctx, FAKE_TOPOLOGY, gen);
}

static bool
fake_session_ok(struct piad_ctx *ctx)
{
	return fb(ctx)->holds[FAKE_AUTH];
}

static void
fake_auth_start(struct piad_ctx *ctx, unsigned gen, int flags)
{
	struct fake_backend *f = fb(ctx);

	f->last_auth_flags = flags;
	if (flags & AUTH_NEW_SERVER)
		f->server_seq++;
	fake_start(ctx, FAKE_AUTH, gen);
}

static void
fake_server_avoid(struct piad_ctx *ctx, const char *why)
{
	struct fake_backend *f = fb(ctx);

	f->servers_avoided++;
	f->holds[FAKE_AUTH] = false;
	log_info("fake: avoiding server %s (%s)", ctx->status.server.cn, why);
}

static bool
fake_wg_ok(struct piad_ctx *ctx)
{
	return fb(ctx)->holds[FAKE_WG];
}

static void
fake_wg_configure(struct piad_ctx *ctx, unsigned gen)
{
	fake_start(ctx, FAKE_WG, gen);
}

static int64_t
fake_handshake_age(struct piad_ctx *ctx)
{
	if (!fb(ctx)->holds[FAKE_WG] || ctx->status.tunnel.last_handshake == 0)
		return -1;
	return status_now() - ctx->status.tunnel.last_handshake;
}

static bool
fake_nat_ok(struct piad_ctx *ctx)
{
	return fb(ctx)->holds[FAKE_NAT];
}

static void
fake_nat_apply(struct piad_ctx *ctx, unsigned gen)
{
	fake_start(ctx, FAKE_NAT, gen);
}

static bool
fake_pf_ok(struct piad_ctx *ctx)
{
	struct fake_backend *f = fb(ctx);

	if (!f->pf_wanted) {
		snprintf(ctx->status.pf.status, sizeof(ctx->status.pf.status),
		    "disabled");
		return true;
	}
	return f->holds[FAKE_PF];
}

static void
fake_pf_bind_start(struct piad_ctx *ctx, unsigned gen)
{
	fake_start(ctx, FAKE_PF, gen);
}

static void
fake_renew_start(struct piad_ctx *ctx, unsigned gen)
{
	fake_start(ctx, FAKE_RENEW, gen);
}

static void
fake_probe(struct piad_ctx *ctx, unsigned gen)
{
	fake_start(ctx, FAKE_PROBE, gen);
}

static void
fake_cancel(struct piad_ctx *ctx)
{
	struct fake_backend *f = fb(ctx);

	if (f->pending && f->ev != NULL)
		event_del(f->ev);
	f->pending = false;
}

static void
fake_refresh_status(struct piad_ctx *ctx)
{
	if (fb(ctx)->holds[FAKE_WG]) {
		ctx->status.tunnel.rx_bytes += 1480;
		ctx->status.tunnel.tx_bytes += 148;
	}
}

static void
fake_teardown(struct piad_ctx *ctx, bool everything)
{
	struct fake_backend *f = fb(ctx);

	f->teardowns++;
	f->holds[FAKE_WG] = false;
	if (everything) {
		f->torn_down_all = true;
		memset(f->holds, 0, sizeof(f->holds));
	}
}

static void
fake_config_changed(struct piad_ctx *ctx, const struct piad_config *old)
{
}

static void
fake_free(struct piad_ctx *ctx)
{
	struct fake_backend *f = fb(ctx);

	if (f == NULL)
		return;
	if (f->ev != NULL)
		event_free(f->ev);
	free(f);
	ctx->be_arg = NULL;
}

const struct backend_ops backend_fake_ops = {
	.name = "fake",
	.topology_ok = fake_topology_ok,
	.topology_ensure = fake_topology_ensure,
	.session_ok = fake_session_ok,
	.auth_start = fake_auth_start,
	.server_avoid = fake_server_avoid,
	.wg_ok = fake_wg_ok,
	.wg_configure = fake_wg_configure,
	.handshake_age = fake_handshake_age,
	.nat_ok = fake_nat_ok,
	.nat_apply = fake_nat_apply,
	.pf_ok = fake_pf_ok,
	.pf_bind_start = fake_pf_bind_start,
	.renew_start = fake_renew_start,
	.probe = fake_probe,
	.cancel = fake_cancel,
	.refresh_status = fake_refresh_status,
	.teardown = fake_teardown,
	.config_changed = fake_config_changed,
	.free = fake_free,
};

int
backend_fake_attach(struct piad_ctx *ctx)
{
	struct fake_backend *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	f->ev = evtimer_new(ctx->base, fake_timer, ctx);
	if (f->ev == NULL) {
		free(f);
		return -1;
	}
	ctx->be = &backend_fake_ops;
	ctx->be_arg = f;
	return 0;
}

void
fake_set(struct piad_ctx *ctx, enum fake_op op, enum fake_result r,
    enum fail_cause cause)
{
	struct fake_backend *f = fb(ctx);

	f->result[op] = r;
	f->cause[op] = r == FAKE_FAIL && cause == CAUSE_NONE ?
	    CAUSE_INTERNAL : cause;
}

int
fake_configure(struct piad_ctx *ctx, const char *spec, char *err,
    size_t errlen)
{
	char		*copy, *item, *save = NULL, *val, *c;
	int		 op, cause, rc = -1;
	enum fake_result r;

	if ((copy = strdup(spec)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		if ((val = strchr(item, '=')) == NULL) {
			snprintf(err, errlen,
			    "PIAD_FAKE: %s: expected op=result", item);
			goto out;
		}
		*val++ = '\0';
		if (strcmp(item, "delay") == 0) {
			fb(ctx)->delay_ms = (unsigned)strtoul(val, NULL, 10);
			continue;
		}
		if (strcmp(item, "pf_wanted") == 0) {
			fb(ctx)->pf_wanted = strcmp(val, "0") != 0;
			continue;
		}
		for (op = 0; op < FAKE_NOPS; op++)
			if (strcmp(fake_op_names[op], item) == 0)
				break;
		if (op == FAKE_NOPS) {
			snprintf(err, errlen, "PIAD_FAKE: %s: unknown op",
			    item);
			goto out;
		}
		cause = CAUSE_NONE;
		if ((c = strchr(val, ':')) != NULL) {
			*c++ = '\0';
			for (cause = 1; cause < CAUSE_NCAUSES; cause++)
				if (strcmp(fail_cause_names[cause], c) == 0)
					break;
			if (cause == CAUSE_NCAUSES) {
				snprintf(err, errlen,
				    "PIAD_FAKE: %s: unknown cause", c);
				goto out;
			}
		}
		if (strcmp(val, "ok") == 0)
			r = FAKE_OK;
		else if (strcmp(val, "fail") == 0)
			r = FAKE_FAIL;
		else if (strcmp(val, "hang") == 0)
			r = FAKE_HANG;
		else {
			snprintf(err, errlen, "PIAD_FAKE: %s: unknown result",
			    val);
			goto out;
		}
		fake_set(ctx, (enum fake_op)op, r, (enum fail_cause)cause);
	}
	rc = 0;
out:
	free(copy);
	return rc;
}
