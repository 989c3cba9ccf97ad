/* SPDX-License-Identifier: ISC */
/*
 * The real backend's operations table and life cycle: attach (load the
 * server-list key, the state directory, the topology record), cancel,
 * status refresh, teardown and reload. The work itself lives in
 * core/real_*.c, one file per state group (see core/real.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/backend.h"
#include "core/config.h"
#include "core/context.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/real.h"
#include "core/store.h"
#include "net/topology.h"
#include "pia/select.h"
#include "pia/serverlist.h"

static void
real_cancel(struct piad_ctx *ctx)
{
	struct real *r = ctx->be_arg;

	real_auth_cancel(r);
	real_tunnel_cancel(r);
	real_pf_cancel(r);
	/* BOOTSTRAP left while waiting for the WireGuard program to start. */
	if (r->retry_ev != NULL)
		event_del(r->retry_ev);
	if (r->renewing) {
		real_session_wipe(&r->next);
		r->renewing = false;
	}
}

static void
real_refresh_status(struct piad_ctx *ctx)
{
	struct real *r = ctx->be_arg;

	real_status_server(r);
	if (r->sess.valid && r->wg_link_ready)
		(void)real_handshake_age(ctx);
	real_status_pf(r);
}

static void
real_teardown(struct piad_ctx *ctx, bool everything)
{
	struct real *r = ctx->be_arg;

	real_cancel(ctx);
	real_topo_teardown(r, everything);
}

/*
 * A new configuration was swapped in. What must exist is re-checked by
 * BOOTSTRAP (the engine dispatches EV_RELOAD); here we only drop the
 * beliefs the change made stale.
 */
static void
real_config_changed(struct piad_ctx *ctx, const struct piad_config *old)
{
	struct real			*r = ctx->be_arg;
	const struct piad_config	*c = ctx->conf;
	const struct config_container	*of = config_forward_container(old);
	const struct config_container	*nf = config_forward_container(c);

	r->topo_valid = false;
	r->nat_valid = false;
	if (strcmp(old->region, c->region) != 0 && r->sess.valid) {
		log_info("reload: region %s -> %s: a new server", old->region,
		    c->region);
		real_session_wipe(&r->sess);
		real_save_session(r);
		r->wg_valid = false;
	}
	/* A different receiver (or port) needs a new DNAT and a hook run. */
	if ((of == NULL) != (nf == NULL) || (of != NULL &&
	    (strcmp(of->name, nf->name) != 0 ||
	    of->address.s_addr != nf->address.s_addr ||
	    of->receive_forwarded_port.port !=
	    nf->receive_forwarded_port.port ||
	    of->receive_forwarded_port.protocol !=
	    nf->receive_forwarded_port.protocol)))
		r->pf.hooked_port = 0;
}

static void
real_free(struct piad_ctx *ctx)
{
	struct real *r = ctx->be_arg;

	if (r == NULL)
		return;
	metrics_unregister_arg(ctx, r);
	real_pf_free(r);
	real_tunnel_free(r);
	real_auth_free(r);
	real_topo_free(r);
	free(r);
	ctx->be_arg = NULL;
}

const struct backend_ops backend_real_ops = {
	.name = "real",
	.topology_ok = real_topology_ok,
	.topology_ensure = real_topology_ensure,
	.session_ok = real_session_ok,
	.auth_start = real_auth_start,
	.server_avoid = real_server_avoid,
	.wg_ok = real_wg_ok,
	.wg_configure = real_wg_configure,
	.handshake_age = real_handshake_age,
	.nat_ok = real_nat_ok,
	.nat_apply = real_nat_apply,
	.pf_ok = real_pf_ok,
	.pf_bind_start = real_pf_bind_start,
	.renew_start = real_renew_start,
	.probe = real_probe,
	.cancel = real_cancel,
	.refresh_status = real_refresh_status,
	.teardown = real_teardown,
	.config_changed = real_config_changed,
	.free = real_free,
};

int
backend_real_attach(struct piad_ctx *ctx)
{
	const struct piad_config	*c = ctx->conf;
	struct real			*r;
	char				 err[256];

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	r->ctx = ctx;
	r->host_nsfd = -1;
	r->vpn_nsfd = -1;
	r->icmp_fd = -1;
	ctx->be = &backend_real_ops;
	ctx->be_arg = r;
	if (store_init(c->state_dir) < 0) {
		log_warn("state_dir %s", c->state_dir);
		goto fail;
	}
	r->list_key = pia_serverlist_load_pubkey(c->pia.serverlist_pubkey_file,
	    err, sizeof(err));
	if (r->list_key == NULL) {
		log_warnx("pia.serverlist_pubkey_file: %s", err);
		goto fail;
	}
	if ((r->select = pia_select_new()) == NULL ||
	    (r->topo = topo_new(-1)) == NULL) {
		log_warn("backend");
		goto fail;
	}
	real_load_state(r);
	real_metrics_register(r);
	real_status_server(r);
	real_status_pf(r);
	return 0;
fail:
	real_free(ctx);
	ctx->be = NULL;
	return -1;
}
