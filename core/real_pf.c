/* SPDX-License-Identifier: ISC */
/*
 * PF_BIND for the real backend: getSignature when there is no usable
 * signature (none, another server's, another token's, less than 7 days
 * left, or refused as busy or expired), then bindPort, both on one
 * kept-alive TLS connection to server_vip:19999 straight from the VPN
 * netns through the tunnel. A new port updates the DNAT (one nftables
 * transaction) and runs the hook; so does the first bind after a restart.
 *
 * A signature that needs a token we no longer have asks for RENEW, which
 * fetches one, instead of growing a second token path here.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "core/backend.h"
#include "core/config.h"
#include "core/context.h"
#include "core/hook.h"
#include "core/log.h"
#include "core/real.h"
#include "net/topology.h"
#include "pia/api.h"

static void bind_start(struct real *);

static const struct config_container *
receiver(const struct real *r)
{
	return config_forward_container(r->ctx->conf);
}

static const char *
proto_name(enum config_proto p)
{
	switch (p) {
	case CONFIG_PROTO_TCP:
		return "tcp";
	case CONFIG_PROTO_UDP:
		return "udp";
	default:
		return "both";
	}
}

uint16_t
real_pf_dnat_port(const struct real *r)
{
	if (!r->pf.valid || !r->sess.valid || receiver(r) == NULL ||
	    strcmp(r->pf.cn, r->sess.cn) != 0)
		return 0;
	return r->pf.port;
}

void
real_status_pf(struct real *r)
{
	struct status_pf		*st = &r->ctx->status.pf;
	const struct config_container	*c = receiver(r);
	char				 a[INET_ADDRSTRLEN];

	if (c == NULL) {
		snprintf(st->status, sizeof(st->status), "disabled");
		st->port = 0;
		st->target[0] = '\0';
		return;
	}
	inet_ntop(AF_INET, &c->address, a, sizeof(a));
	st->port = real_pf_dnat_port(r);
	if (st->port != 0)
		snprintf(st->target, sizeof(st->target), "%s %s:%u", c->name,
		    a, c->receive_forwarded_port.port != 0 ?
		    c->receive_forwarded_port.port : st->port);
	else
		snprintf(st->target, sizeof(st->target), "%s %s", c->name, a);
	st->expires_at = r->pf.valid ? (int64_t)r->pf.expires_at : 0;
	st->last_bind = r->pf.valid ? (int64_t)r->pf.last_bind : 0;
}

void
real_pf_forget(struct real *r, const char *why)
{
	if (r->pf.valid)
		log_info("port forward: dropping the signature for port %u: "
		    "%s", r->pf.port, why);
	real_pf_clear(&r->pf);
	real_save_pf(r);
}

bool
real_pf_ok(struct piad_ctx *ctx)
{
	struct real	*r = ctx->be_arg;
	time_t		 now = time(NULL);

	if (receiver(r) == NULL) {
		real_status_pf(r);
		return true;
	}
	return real_pf_dnat_port(r) != 0 && r->pf.last_bind != 0 &&
	    now - r->pf.last_bind < (time_t)ctx->conf->timers.port_refresh &&
	    r->pf.dnat_port == r->pf.port;
}

static void
pf_fail(struct real *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
pf_fail(struct real *r, const char *fmt, ...)
{
	char	msg[FSM_REASON_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	real_status_pf(r);
	fsm_fail(r->ctx, r->pf_gen, CAUSE_PORT_FORWARD, "%s", msg);
}

static void
hook_done(bool ok, const char *why, void *arg)
{
	struct real	*r = arg;
	struct status_pf *st = &r->ctx->status.pf;

	r->hook = NULL;
	if (ok)
		st->hook_error[0] = '\0';
	else {
		snprintf(st->hook_error, sizeof(st->hook_error), "%s", why);
		ctx_set_error(r->ctx, "hook on_port_forwarded: %s", why);
	}
}

static void
run_hook(struct real *r)
{
	const struct config_container	*c = receiver(r);
	char				 a[INET_ADDRSTRLEN];
	char				 e_port[32], e_ip[64], e_tport[32];
	char				 e_proto[32], e_cont[128], e_cn[128];
	char				*env[7];
	int				 nsfd = -1;
	uint16_t			 tport;

	if (c == NULL || c->on_port_forwarded == NULL)
		return;
	hook_cancel(r->hook);
	r->hook = NULL;
	tport = c->receive_forwarded_port.port != 0 ?
	    c->receive_forwarded_port.port : r->pf.port;
	inet_ntop(AF_INET, &c->address, a, sizeof(a));
	snprintf(e_port, sizeof(e_port), "PORT=%u", r->pf.port);
	snprintf(e_ip, sizeof(e_ip), "TARGET_IP=%s", a);
	snprintf(e_tport, sizeof(e_tport), "TARGET_PORT=%u", tport);
	snprintf(e_proto, sizeof(e_proto), "PROTOCOL=%s",
	    proto_name(c->receive_forwarded_port.protocol));
	snprintf(e_cont, sizeof(e_cont), "CONTAINER=%s", c->name);
	snprintf(e_cn, sizeof(e_cn), "PIA_SERVER_CN=%s", r->sess.cn);
	env[0] = e_port;
	env[1] = e_ip;
	env[2] = e_tport;
	env[3] = e_proto;
	env[4] = e_cont;
	env[5] = e_cn;
	env[6] = NULL;
	if (c->managed)
		nsfd = topo_nsfd(r->topo, c->name);
	r->hook = hook_run(r->ctx->base, c->name, c->on_port_forwarded,
	    nsfd >= 0 ? nsfd : -1, c->managed ? c->name : NULL, env,
	    HOOK_TIMEOUT_S, hook_done, r);
	if (r->hook == NULL)
		snprintf(r->ctx->status.pf.hook_error,
		    sizeof(r->ctx->status.pf.hook_error), "cannot start");
}

/* The port is bound: make the DNAT and the hook follow it. */
static void
bound(struct real *r)
{
	char err[256];

	r->pf.last_bind = time(NULL);
	r->pf.bind_failures = 0;
	if (r->pf.dnat_port != r->pf.port) {
		if (real_apply_vpn_table(r, err, sizeof(err)) < 0) {
			real_save_pf(r);
			pf_fail(r, "port forward: DNAT for port %u: %s",
			    r->pf.port, err);
			return;
		}
		log_info("port forward: port %u now forwarded", r->pf.port);
	}
	if (r->pf.hooked_port != r->pf.port || r->hook_after_restart) {
		r->pf.hooked_port = r->pf.port;
		r->hook_after_restart = false;
		run_hook(r);
	}
	real_save_pf(r);
	real_status_pf(r);
	fsm_done(r->ctx, r->pf_gen, "port %u bound on %s", r->pf.port,
	    r->pf.cn);
}

static void
signature_cb(struct pia_reply *reply, void *arg);

static void
signature_start(struct real *r)
{
	char tid[17];

	real_token_id(r->token, tid);
	if (r->token == NULL ||
	    time(NULL) - r->token_at >= REAL_TOKEN_MAX_AGE_S) {
		/* RENEW brings a fresh token; PF_BIND runs again after. */
		r->ctx->renew_due = true;
		pf_fail(r, "port forward: the token is too old for a new "
		    "signature; renewing the session first");
		return;
	}
	r->pf_got_new_sig = true;
	if (pia_pf_getsignature(r->pfc, r->token, signature_cb, r) < 0)
		pf_fail(r, "port forward: getSignature: cannot start");
}

static void
signature_cb(struct pia_reply *reply, void *arg)
{
	struct real		*r = arg;
	struct pia_signature	*sig = &reply->sig;

	if (reply->res.err != PIA_OK) {
		real_pf_forget(r, reply->res.message);
		pf_fail(r, "port forward: getSignature: %s",
		    reply->res.message);
		return;
	}
	real_pf_clear(&r->pf);
	r->pf.payload = sig->payload;		/* taken */
	r->pf.signature = sig->signature;
	sig->payload = sig->signature = NULL;
	r->pf.port = sig->decoded.port;
	r->pf.expires_at = sig->decoded.expires_at;
	snprintf(r->pf.cn, sizeof(r->pf.cn), "%s", r->sess.cn);
	real_token_id(r->token, r->pf.token_id);
	r->pf.valid = true;
	real_save_pf(r);
	log_info("port forward: signature for port %u, expires %lld",
	    r->pf.port, (long long)r->pf.expires_at);
	bind_start(r);
}

static void
bind_cb(struct pia_reply *reply, void *arg)
{
	struct real *r = arg;

	switch (reply->res.err) {
	case PIA_OK:
		bound(r);
		return;
	case PIA_ERR_PORT_BUSY:
	case PIA_ERR_EXPIRED:
		real_pf_forget(r, reply->res.message);
		if (!r->pf_got_new_sig) {
			signature_start(r);
			return;
		}
		pf_fail(r, "port forward: bindPort: %s", reply->res.message);
		return;
	default:
		if (++r->pf.bind_failures >= REAL_BIND_RETRIES)
			real_pf_forget(r, "bindPort failed 3 times");
		else
			real_save_pf(r);
		pf_fail(r, "port forward: bindPort: %s", reply->res.message);
	}
}

static void
bind_start(struct real *r)
{
	if (pia_pf_bindport(r->pfc, r->pf.payload, r->pf.signature, bind_cb,
	    r) < 0)
		pf_fail(r, "port forward: bindPort: cannot start");
}

static bool
signature_usable(const struct real *r)
{
	char tid[17];

	if (!r->pf.valid || strcmp(r->pf.cn, r->sess.cn) != 0)
		return false;
	if (r->pf.expires_at - time(NULL) < REAL_SIG_MIN_LEFT_S)
		return false;
	/* Adopted from disk with no token at hand: trust the file. */
	if (r->token == NULL)
		return true;
	real_token_id(r->token, tid);
	return strcmp(tid, r->pf.token_id) == 0;
}

static int
pf_session(struct real *r)
{
	struct dial_spec d;

	if (r->pfc != NULL)
		return 0;
	if (dial_spec_direct(&d, r->vpn_nsfd, r->sess.vip, PIA_PORT_PF) < 0)
		return -1;
	r->pfc = pia_pf_new(r->ctx->base, &d, r->ctx->conf->pia.ca_file,
	    r->sess.cn);
	return r->pfc != NULL ? 0 : -1;
}

void
real_pf_bind_start(struct piad_ctx *ctx, unsigned gen)
{
	struct real *r = ctx->be_arg;

	r->pf_gen = gen;
	r->pf_got_new_sig = false;
	if (receiver(r) == NULL) {
		real_status_pf(r);
		fsm_done(ctx, gen, "no container receives a port");
		return;
	}
	if (!r->sess.valid) {
		pf_fail(r, "port forward: no session");
		return;
	}
	/* One kept-alive connection per attempt (cancel frees it). */
	if (pf_session(r) < 0) {
		pf_fail(r, "port forward: bad server_vip %s", r->sess.vip);
		return;
	}
	if (signature_usable(r))
		bind_start(r);
	else {
		if (r->pf.valid)
			real_pf_forget(r, "not usable for this session");
		signature_start(r);
	}
}

void
real_pf_cancel(struct real *r)
{
	/* Abandon a request in flight: the connection is redialed later. */
	if (r->pfc != NULL) {
		pia_pf_free(r->pfc);
		r->pfc = NULL;
	}
}

void
real_pf_free(struct real *r)
{
	real_pf_cancel(r);
	hook_cancel(r->hook);
	r->hook = NULL;
	real_pf_clear(&r->pf);
}
