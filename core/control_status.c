/* SPDX-License-Identifier: ISC */
/*
 * `status`: every field of design section 11. Times are CLOCK_REALTIME
 * seconds since the epoch, ages are seconds; what is not known (no server
 * yet, no handshake yet, no port) is null rather than a made-up zero.
 */
#include <stdio.h>

#include <jansson.h>

#include "core/backend.h"
#include "core/context.h"
#include "core/control_priv.h"

static json_t *
str_or_null(const char *s)
{
	return s != NULL && s[0] != '\0' ? control_text(s) : json_null();
}

static json_t *
time_or_null(int64_t t)
{
	return t > 0 ? json_integer(t) : json_null();
}

static json_t *
age_or_null(int64_t t, int64_t now)
{
	return t > 0 ? json_integer(now >= t ? now - t : 0) : json_null();
}

static json_t *
status_server_json(const struct status_server *s)
{
	if (!s->valid)
		return json_null();
	return json_pack("{s:o, s:o, s:o, s:i, s:o}",
	    "region", str_or_null(s->region), "cn", str_or_null(s->cn),
	    "ip", str_or_null(s->ip), "port", (int)s->port,
	    "vip", str_or_null(s->vip));
}

static json_t *
status_tunnel_json(const struct status_tunnel *t, int64_t now)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:I, s:I}",
	    "interface", str_or_null(t->interface),
	    "backend", str_or_null(t->backend),
	    "peer_ip", str_or_null(t->peer_ip),
	    "last_handshake_age_s", age_or_null(t->last_handshake, now),
	    "rx_bytes", (json_int_t)t->rx_bytes,
	    "tx_bytes", (json_int_t)t->tx_bytes);
}

static json_t *
status_pf_json(const struct status_pf *pf, int64_t now)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
	    "status", str_or_null(pf->status),
	    "port", pf->port != 0 ? json_integer(pf->port) : json_null(),
	    "target", str_or_null(pf->target),
	    "expires_at", time_or_null(pf->expires_at),
	    "last_bind_age_s", age_or_null(pf->last_bind, now),
	    "hook_error", str_or_null(pf->hook_error));
}

static json_t *
status_counters_json(const struct status_counters *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "transitions", (json_int_t)c->transitions,
	    "failures", (json_int_t)c->failures,
	    "reconnects", (json_int_t)c->reconnects,
	    "pf_binds", (json_int_t)c->pf_binds,
	    "pf_failures", (json_int_t)c->pf_failures,
	    "renewals", (json_int_t)c->renewals,
	    "probe_failures", (json_int_t)c->probe_failures,
	    "reloads", (json_int_t)c->reloads,
	    "reload_failures", (json_int_t)c->reload_failures,
	    "control_denied", (json_int_t)c->control_denied);
}

json_t *
control_status_json(struct piad_ctx *ctx)
{
	struct piad_status	*st = &ctx->status;
	json_t			*containers, *c;
	int64_t			 now = status_now();
	size_t			 i;

	if (ctx->be != NULL && ctx->be->refresh_status != NULL)
		ctx->be->refresh_status(ctx);
	if ((containers = json_array()) == NULL)
		return NULL;
	for (i = 0; i < st->ncontainers; i++) {
		c = json_pack("{s:o, s:o, s:o, s:b, s:b}",
		    "name", control_text(st->containers[i].name),
		    "address", control_text(st->containers[i].address),
		    "netns", str_or_null(st->containers[i].netns),
		    "managed", st->containers[i].managed,
		    "ok", st->containers[i].ok);
		if (c == NULL || json_array_append_new(containers, c) == -1) {
			json_decref(containers);
			return NULL;
		}
	}
	return json_pack("{s:s, s:I, s:b, s:o, s:o, s:o, s:o, s:o, s:o, "
	    "s:o, s:b, s:o, s:o, s:I}",
	    "state", fsm_state_names[ctx->fsm.state],
	    "since", (json_int_t)ctx->fsm.since.tv_sec,
	    "stopped", ctx->fsm.stopped,
	    "retry_at", time_or_null(st->retry_at),
	    "server", status_server_json(&st->server),
	    "tunnel", status_tunnel_json(&st->tunnel, now),
	    "port_forward", status_pf_json(&st->pf, now),
	    "containers", containers,
	    "last_error", str_or_null(st->last_error),
	    "last_error_at", time_or_null(st->last_error_at),
	    "credentials_rejected", st->credentials_rejected,
	    "backend", str_or_null(ctx->be != NULL ? ctx->be->name : NULL),
	    "counters", status_counters_json(&st->counters),
	    "uptime_s", (json_int_t)ctx_uptime(ctx));
}

json_t *
control_cmd_status(struct control_client *c, const json_t *req, char *err,
    size_t errlen)
{
	json_t *r;

	if ((r = control_status_json(c->ctl->ctx)) == NULL)
		snprintf(err, errlen, "%s", CTLERR_INTERNAL);
	return r;
}
