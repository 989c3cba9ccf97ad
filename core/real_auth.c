/* SPDX-License-Identifier: ISC */
/*
 * AUTH and RENEW for the real backend.
 *
 * AUTH: a token (cached 24 h) and a verified server list (cached, last
 * good one kept) are fetched in parallel through the CONNECT proxy; then
 * a region (configured, or the lowest connect latency for "auto") and a
 * server in it (rotating, skipping avoided ones); then addKey with a new
 * keypair. "Login failed!" means the token went stale: one new token and
 * one more addKey.
 *
 * RENEW: a new token and a new keypair registered on the same server
 * while the old session carries traffic; then the device is switched to
 * the new key in one request (core/real_tunnel.c). On failure the old
 * session simply stays.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/backend.h"
#include "core/config.h"
#include "core/context.h"
#include "core/credentials.h"
#include "core/log.h"
#include "core/real.h"
#include "pia/api.h"
#include "pia/probe.h"
#include "pia/select.h"

#define PROBE_TIMEOUT_MS	3000
#define MAX_CANDIDATES		256

static void auth_continue(struct real *);
static void addkey_start(struct real *);

const char *const real_reconnect_causes[REAL_NCAUSES] = {
	"tunnel_dead", "no_handshake", "addkey_failed", "other",
};

void
real_token_id(const char *token, char out[17])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;
	int		i;

	out[0] = '\0';
	if (token == NULL ||
	    EVP_Digest(token, strlen(token), md, &mdlen, EVP_sha256(),
	    NULL) != 1)
		return;
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void
drop_token(struct real *r)
{
	if (r->token != NULL) {
		OPENSSL_cleanse(r->token, strlen(r->token));
		free(r->token);
	}
	r->token = NULL;
	r->token_at = 0;
}

/* Which backoff bucket a PIA outcome belongs to. */
static enum fail_cause
cause_of(const struct pia_result *res, bool server_call)
{
	switch (res->err) {
	case PIA_ERR_BAD_CREDENTIALS:
		return CAUSE_CREDENTIALS;
	case PIA_ERR_RATE_LIMITED:
	case PIA_ERR_HTTP_STATUS:
	case PIA_ERR_PROTOCOL:
	case PIA_ERR_API:
		return server_call ? CAUSE_SERVER : CAUSE_API;
	default:
		return server_call ? CAUSE_SERVER : CAUSE_NETWORK;
	}
}

/* The proxy dial spec for a pre-tunnel call to host:port. */
static int
proxy_dial(struct real *r, struct dial_spec *d, const char *host,
    uint16_t port)
{
	const struct piad_config	*c = r->ctx->conf;
	char				 proxy_ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &c->bridge.host_address, proxy_ip,
	    sizeof(proxy_ip));
	return dial_spec_proxy(d, r->vpn_nsfd, proxy_ip, c->proxy.port, host,
	    port);
}

static int
url_dial(struct real *r, struct dial_spec *d, const char *url)
{
	char		host[DIAL_HOST_MAX], path[512];
	uint16_t	port;

	if (pia_url_split(url, host, sizeof(host), &port, path,
	    sizeof(path)) < 0)
		return -1;
	return proxy_dial(r, d, host, port);
}

static void
auth_fail(struct real *r, enum fail_cause cause, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
auth_fail(struct real *r, enum fail_cause cause, const char *fmt, ...)
{
	char	msg[FSM_REASON_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	real_auth_cancel(r);
	if (r->renewing)
		real_session_wipe(&r->next);
	fsm_fail(r->ctx, r->auth_gen, cause, "%s", msg);
}

static void
token_cb(struct pia_reply *reply, void *arg)
{
	struct real *r = arg;

	r->call_token = NULL;
	if (reply->res.err != PIA_OK) {
		auth_fail(r, cause_of(&reply->res, false), "token: %s",
		    reply->res.message);
		return;
	}
	drop_token(r);
	r->token = reply->token;	/* taken */
	reply->token = NULL;
	r->token_at = time(NULL);
	r->want_token = false;
	real_save_token(r);
	log_info("auth: new token");
	auth_continue(r);
}

static int
token_start(struct real *r)
{
	const struct piad_config	*c = r->ctx->conf;
	struct credentials		 cred;
	struct dial_spec		 d;
	char				 err[256];

	if (credentials_load(c, &cred, err, sizeof(err)) < 0) {
		auth_fail(r, CAUSE_CREDENTIALS, "%s", err);
		return -1;
	}
	if (url_dial(r, &d, c->pia.token_url) < 0) {
		credentials_wipe(&cred);
		auth_fail(r, CAUSE_INTERNAL, "pia.token_url: cannot use it");
		return -1;
	}
	r->call_token = pia_token(r->ctx->base, &d, c->pia.token_url,
	    c->pia.api_ca_file, cred.username, cred.password, token_cb, r);
	credentials_wipe(&cred);
	if (r->call_token == NULL) {
		auth_fail(r, CAUSE_INTERNAL, "token: cannot start the call");
		return -1;
	}
	return 0;
}

static void
list_cb(struct pia_reply *reply, void *arg)
{
	struct real *r = arg;

	r->call_list = NULL;
	if (reply->res.err != PIA_OK) {
		if (r->list != NULL) {
			log_warnx("auth: server list: %s; using the last good "
			    "one", reply->res.message);
			r->want_list = false;
			auth_continue(r);
			return;
		}
		auth_fail(r, reply->res.err == PIA_ERR_PROTOCOL ?
		    CAUSE_SERVERLIST : cause_of(&reply->res, false),
		    "server list: %s", reply->res.message);
		return;
	}
	pia_serverlist_free(r->list);
	r->list = reply->list;		/* taken */
	reply->list = NULL;
	r->want_list = false;
	real_save_list(r);
	real_proxy_update_list(r);
	log_info("auth: server list verified, %zu regions", r->list->nregions);
	auth_continue(r);
}

static int
list_start(struct real *r)
{
	const struct piad_config	*c = r->ctx->conf;
	struct dial_spec		 d;

	if (url_dial(r, &d, c->pia.serverlist_url) < 0) {
		auth_fail(r, CAUSE_INTERNAL, "pia.serverlist_url: cannot use it");
		return -1;
	}
	r->call_list = pia_serverlist_fetch(r->ctx->base, &d,
	    c->pia.serverlist_url, c->pia.api_ca_file, r->list_key, list_cb, r);
	if (r->call_list == NULL) {
		auth_fail(r, CAUSE_INTERNAL, "server list: cannot start");
		return -1;
	}
	return 0;
}

static bool
need_pf(const struct real *r)
{
	return config_forward_container(r->ctx->conf) != NULL;
}

static void
choose_server_in(struct real *r, const struct pia_region *reg)
{
	r->server = pia_select_server(r->select, reg);
	if (r->server == NULL) {
		auth_fail(r, CAUSE_SERVERLIST, "region %s: no WireGuard "
		    "server in the list", reg->id);
		return;
	}
	snprintf(r->server_region, sizeof(r->server_region), "%s", reg->id);
	log_info("auth: region %s, server %s (%s)", reg->id, r->server->cn,
	    r->server->ip);
	addkey_start(r);
}

static void
probe_cb(const struct pia_region *best, unsigned best_ms,
    const struct pia_result *res, void *arg)
{
	struct real *r = arg;

	r->probe_regions = NULL;
	if (best == NULL) {
		auth_fail(r, CAUSE_NETWORK, "auto region: no region answered: "
		    "%s", res != NULL ? res->message : "");
		return;
	}
	log_info("auth: auto region %s (%u ms)", best->id, best_ms);
	choose_server_in(r, best);
}

static void
select_start(struct real *r)
{
	const struct piad_config	*c = r->ctx->conf;
	const struct pia_region		*reg, *cands[MAX_CANDIDATES];
	struct pia_result		 res;
	char				 err[256];
	size_t				 n;

	if (strcmp(c->region, "auto") != 0) {
		reg = pia_select_region(r->list, c->region, need_pf(r), err,
		    sizeof(err));
		if (reg == NULL) {
			auth_fail(r, CAUSE_SERVERLIST, "%s", err);
			return;
		}
		choose_server_in(r, reg);
		return;
	}
	n = pia_select_candidates(r->select, r->list, need_pf(r), cands,
	    MAX_CANDIDATES);
	if (n == 0) {
		auth_fail(r, CAUSE_SERVERLIST, "auto region: no candidate "
		    "region%s", need_pf(r) ? " with port forwarding" : "");
		return;
	}
	r->probe_regions = pia_probe_start(r->ctx->base, r->host_nsfd, cands,
	    n, r->list->meta_port ? r->list->meta_port : 443,
	    PROBE_TIMEOUT_MS, probe_cb, r, &res);
	if (r->probe_regions == NULL)
		auth_fail(r, CAUSE_NETWORK, "auto region: %s", res.message);
}

static void
session_from_addkey(struct real *r, struct real_session *s,
    const struct pia_addkey_reply *ak)
{
	size_t i;

	snprintf(s->region, sizeof(s->region), "%s", r->server_region);
	snprintf(s->cn, sizeof(s->cn), "%s", r->server->cn);
	snprintf(s->ip, sizeof(s->ip), "%s",
	    ak->server_ip[0] != '\0' ? ak->server_ip : r->server->ip);
	s->port = ak->server_port != 0 ? ak->server_port : PIA_PORT_ADDKEY;
	snprintf(s->vip, sizeof(s->vip), "%s", ak->server_vip);
	snprintf(s->peer_ip, sizeof(s->peer_ip), "%s", ak->peer_ip);
	memcpy(s->server_key, ak->server_key, WG_KEYLEN);
	s->ndns = 0;
	for (i = 0; i < ak->ndns && s->ndns < PIA_DNS_MAX; i++)
		if (inet_pton(AF_INET, ak->dns[i], &s->dns[s->ndns]) == 1)
			s->ndns++;
	if (s->ndns == 0) {
		/* PIA's documented default resolver. */
		inet_pton(AF_INET, "10.0.0.243", &s->dns[0]);
		s->ndns = 1;
	}
	s->created_at = time(NULL);
	s->valid = true;
}

static void
renew_switch(struct real *r)
{
	char err[256];

	if (real_wg_apply_session(r, &r->next, err, sizeof(err)) < 0) {
		auth_fail(r, CAUSE_RENEW, "renew: %s", err);
		return;
	}
	real_session_wipe(&r->sess);
	r->sess = r->next;
	real_session_wipe(&r->next);
	real_save_session(r);
	real_status_server(r);
	/* The signature belongs to the old token: PF_BIND gets a new one. */
	if (real_apply_vpn_table(r, err, sizeof(err)) < 0)
		log_warnx("renew: %s", err);
	r->renewing = false;
	log_info("renew: switched to the new key on %s", r->sess.cn);
	fsm_done(r->ctx, r->auth_gen, "session renewed on %s", r->sess.cn);
}

static void
addkey_cb(struct pia_reply *reply, void *arg)
{
	struct real		*r = arg;
	struct real_session	*s = r->renewing ? &r->next : &r->sess;

	r->call_addkey = NULL;
	if (reply->res.err != PIA_OK) {
		if (reply->addkey.login_failed && !r->token_retried) {
			log_info("auth: addKey says the token is stale; "
			    "getting a new one");
			r->token_retried = true;
			drop_token(r);
			r->want_token = true;
			auth_continue(r);
			return;
		}
		real_session_wipe(s);
		auth_fail(r, cause_of(&reply->res, true), "addKey on %s: %s",
		    r->server->cn, reply->res.message);
		return;
	}
	session_from_addkey(r, s, &reply->addkey);
	log_info("auth: addKey on %s: peer %s, vip %s", s->cn, s->peer_ip,
	    s->vip);
	if (r->renewing) {
		renew_switch(r);
		return;
	}
	/*
	 * A new session invalidates the device config and the NAT, and the
	 * port binding, which PIA ties to the peer address: bind again.
	 */
	r->wg_valid = false;
	r->nat_valid = false;
	r->pf.last_bind = 0;
	real_save_session(r);
	real_status_server(r);
	fsm_done(r->ctx, r->auth_gen, "addKey on %s", s->cn);
}

static void
addkey_start(struct real *r)
{
	const struct piad_config	*c = r->ctx->conf;
	struct real_session		*s = r->renewing ? &r->next : &r->sess;
	struct dial_spec		 d;
	char				 pub[WG_KEY_B64_SIZE];
	uint16_t			 port;

	real_session_wipe(s);
	if (wg_keypair_generate(&s->keys) < 0) {
		auth_fail(r, CAUSE_INTERNAL, "cannot generate a key");
		return;
	}
	wg_key_to_base64(pub, s->keys.public_key);
	port = r->list != NULL && r->list->wg_port != 0 ? r->list->wg_port :
	    PIA_PORT_ADDKEY;
	if (proxy_dial(r, &d, r->server->ip, port) < 0) {
		auth_fail(r, CAUSE_INTERNAL, "addKey: bad server address %s",
		    r->server->ip);
		return;
	}
	r->call_addkey = pia_addkey(r->ctx->base, &d, c->pia.ca_file,
	    r->server, r->token, pub, addkey_cb, r);
	if (r->call_addkey == NULL)
		auth_fail(r, CAUSE_INTERNAL, "addKey: cannot start");
}

/* Next step once the parallel token and list fetches are both done. */
static void
auth_continue(struct real *r)
{
	if (r->want_token && r->call_token == NULL && token_start(r) < 0)
		return;
	if (r->want_list && r->call_list == NULL && list_start(r) < 0)
		return;
	if (r->call_token != NULL || r->call_list != NULL)
		return;
	if (r->list == NULL) {
		auth_fail(r, CAUSE_SERVERLIST, "no verified server list");
		return;
	}
	if (r->renewing || r->server != NULL) {
		/* RENEW, or a retried addKey after a stale token. */
		addkey_start(r);
		return;
	}
	select_start(r);
}

static bool
token_fresh(const struct real *r)
{
	return r->token != NULL &&
	    time(NULL) - r->token_at < REAL_TOKEN_MAX_AGE_S;
}

bool
real_session_ok(struct piad_ctx *ctx)
{
	struct real *r = ctx->be_arg;

	return r->sess.valid;
}

void
real_auth_start(struct piad_ctx *ctx, unsigned gen, int flags)
{
	struct real *r = ctx->be_arg;

	real_auth_cancel(r);
	r->auth_gen = gen;
	r->auth_flags = flags;
	r->renewing = false;
	r->token_retried = false;
	r->server = NULL;
	/*
	 * "Another server" (a user's reconnect): step over the current one
	 * for a minute, unless a failure already put it aside for longer.
	 * With no other server left, selection still falls back to it.
	 */
	if ((flags & AUTH_NEW_SERVER) && r->sess.valid &&
	    !pia_select_avoided(r->select, r->sess.cn))
		pia_select_avoid(r->select, r->sess.cn, 60);
	if (r->sess.valid) {
		log_info("auth: leaving %s", r->sess.cn);
		real_session_wipe(&r->sess);
		real_save_session(r);
	}
	r->wg_valid = false;
	memset(&ctx->status.server, 0, sizeof(ctx->status.server));
	r->want_token = !token_fresh(r);
	r->want_list = r->list == NULL ||
	    time(NULL) - r->list->fetched_at > REAL_LIST_MAX_AGE_S;
	auth_continue(r);
}

void
real_renew_start(struct piad_ctx *ctx, unsigned gen)
{
	struct real *r = ctx->be_arg;

	real_auth_cancel(r);
	r->auth_gen = gen;
	r->renewing = true;
	r->token_retried = true;	/* the token is brand new anyway */
	if (!r->sess.valid || r->list == NULL) {
		fsm_fail(ctx, gen, CAUSE_RENEW, "renew: no session to renew");
		return;
	}
	/* The same server: a new key there, the tunnel never moves. */
	snprintf(r->renew_server.cn, sizeof(r->renew_server.cn), "%s",
	    r->sess.cn);
	snprintf(r->renew_server.ip, sizeof(r->renew_server.ip), "%s",
	    r->sess.ip);
	r->server = &r->renew_server;
	snprintf(r->server_region, sizeof(r->server_region), "%s",
	    r->sess.region);
	drop_token(r);
	r->want_token = true;
	r->want_list = false;
	auth_continue(r);
}

void
real_server_avoid(struct piad_ctx *ctx, const char *why)
{
	struct real	*r = ctx->be_arg;
	const char	*cn = r->sess.valid ? r->sess.cn :
			    r->server != NULL ? r->server->cn : NULL;

	if (cn == NULL || *cn == '\0')
		return;
	if (strstr(why, "tunnel dead") != NULL)
		r->reconnects[REAL_RC_TUNNEL_DEAD]++;
	else if (strstr(why, "handshake") != NULL)
		r->reconnects[REAL_RC_NO_HANDSHAKE]++;
	else if (strstr(why, "addKey") != NULL)
		r->reconnects[REAL_RC_ADDKEY]++;
	else
		r->reconnects[REAL_RC_OTHER]++;
	log_info("auth: avoiding %s for 10 min: %s", cn, why);
	pia_select_avoid(r->select, cn, 0);
}

void
real_auth_cancel(struct real *r)
{
	if (r->call_token != NULL)
		pia_call_cancel(r->call_token);
	if (r->call_list != NULL)
		pia_call_cancel(r->call_list);
	if (r->call_addkey != NULL)
		pia_call_cancel(r->call_addkey);
	if (r->probe_regions != NULL)
		pia_probe_cancel(r->probe_regions);
	r->call_token = r->call_list = r->call_addkey = NULL;
	r->probe_regions = NULL;
}

void
real_auth_free(struct real *r)
{
	real_auth_cancel(r);
	drop_token(r);
	real_session_wipe(&r->sess);
	real_session_wipe(&r->next);
	pia_serverlist_free(r->list);
	r->list = NULL;
	if (r->list_key != NULL)
		EVP_PKEY_free(r->list_key);
	r->list_key = NULL;
	pia_select_free(r->select);
	r->select = NULL;
}

void
real_status_server(struct real *r)
{
	struct status_server	*st = &r->ctx->status.server;
	struct status_tunnel	*tu = &r->ctx->status.tunnel;

	memset(st, 0, sizeof(*st));
	if (!r->sess.valid)
		return;
	st->valid = true;
	snprintf(st->region, sizeof(st->region), "%s", r->sess.region);
	snprintf(st->cn, sizeof(st->cn), "%s", r->sess.cn);
	snprintf(st->ip, sizeof(st->ip), "%s", r->sess.ip);
	st->port = r->sess.port;
	snprintf(st->vip, sizeof(st->vip), "%s", r->sess.vip);
	snprintf(tu->peer_ip, sizeof(tu->peer_ip), "%s", r->sess.peer_ip);
}
