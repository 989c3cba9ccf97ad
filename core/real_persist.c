/* SPDX-License-Identifier: ISC */
/*
 * The state directory files of design section 8, as the real backend
 * reads them on start (adoption) and writes them when something changes.
 * A file that is missing, malformed or inconsistent is ignored: piad then
 * simply does that step again (a new token, a new addKey, a new port).
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "core/config.h"
#include "core/context.h"
#include "core/log.h"
#include "core/real.h"
#include "core/store.h"
#include "net/topology.h"

#define F_TOKEN		"token.json"
#define F_LIST		"serverlist.json"
#define F_SESSION	"session.json"
#define F_PF		"portforward.json"
#define F_TOPOLOGY	"topology.json"

static const char *
sdir(const struct real *r)
{
	return r->ctx->conf->state_dir;
}

static void
copy_str(char *dst, size_t len, const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	snprintf(dst, len, "%s", s != NULL ? s : "");
}

void
real_session_wipe(struct real_session *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

void
real_pf_clear(struct real_pf *pf)
{
	uint16_t dnat = pf->dnat_port, hooked = pf->hooked_port;

	if (pf->payload != NULL) {
		OPENSSL_cleanse(pf->payload, strlen(pf->payload));
		free(pf->payload);
	}
	free(pf->signature);
	memset(pf, 0, sizeof(*pf));
	/* What the kernel and the hook last saw survives a new signature. */
	pf->dnat_port = dnat;
	pf->hooked_port = hooked;
}

void
real_save_token(struct real *r)
{
	json_t *o;

	if (r->token == NULL) {
		(void)store_remove(sdir(r), F_TOKEN);
		return;
	}
	o = json_pack("{s:s, s:I}", "token", r->token, "obtained_at",
	    (json_int_t)r->token_at);
	if (o != NULL)
		(void)store_write(sdir(r), F_TOKEN, o);
	json_decref(o);
}

void
real_save_list(struct real *r)
{
	char path[PATH_MAX], err[256];

	if (r->list == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", sdir(r), F_LIST);
	if (pia_serverlist_save(r->list, path, err, sizeof(err)) < 0)
		log_warnx("state: %s", err);
}

void
real_save_session(struct real *r)
{
	const struct real_session	*s = &r->sess;
	char				 priv[WG_KEY_B64_SIZE];
	char				 skey[WG_KEY_B64_SIZE];
	char				 a[INET_ADDRSTRLEN];
	json_t				*o, *dns;
	size_t				 i;

	if (!s->valid) {
		(void)store_remove(sdir(r), F_SESSION);
		return;
	}
	wg_key_to_base64(priv, s->keys.private_key);
	wg_key_to_base64(skey, s->server_key);
	dns = json_array();
	for (i = 0; i < s->ndns; i++)
		json_array_append_new(dns, json_string(inet_ntop(AF_INET,
		    &s->dns[i], a, sizeof(a))));
	o = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:o, s:I}",
	    "region", s->region, "cn", s->cn, "ip", s->ip, "port", s->port,
	    "vip", s->vip, "peer_ip", s->peer_ip, "server_key", skey,
	    "private_key", priv, "dns", dns,
	    "created_at", (json_int_t)s->created_at);
	OPENSSL_cleanse(priv, sizeof(priv));
	if (o != NULL)
		(void)store_write(sdir(r), F_SESSION, o);
	json_decref(o);
}

void
real_save_pf(struct real *r)
{
	const struct real_pf	*pf = &r->pf;
	json_t			*o;

	if (!pf->valid) {
		(void)store_remove(sdir(r), F_PF);
		return;
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:i}",
	    "cn", pf->cn, "payload", pf->payload, "signature", pf->signature,
	    "token_id", pf->token_id, "port", pf->port,
	    "expires_at", (json_int_t)pf->expires_at,
	    "last_bind", (json_int_t)pf->last_bind,
	    "hooked_port", pf->hooked_port);
	if (o != NULL)
		(void)store_write(sdir(r), F_PF, o);
	json_decref(o);
}

void
real_save_topology(struct real *r)
{
	json_t *o;

	if (r->topo == NULL)
		return;
	if (topo_record_count(r->topo) == 0) {
		(void)store_remove(sdir(r), F_TOPOLOGY);
		return;
	}
	if ((o = topo_record_to_json(r->topo)) != NULL)
		(void)store_write(sdir(r), F_TOPOLOGY, o);
	json_decref(o);
}

static void
load_token(struct real *r)
{
	json_t		*o = store_read(sdir(r), F_TOKEN);
	const char	*t;

	if (o == NULL)
		return;
	t = json_string_value(json_object_get(o, "token"));
	if (t != NULL && *t != '\0') {
		r->token = strdup(t);
		r->token_at = (time_t)json_integer_value(json_object_get(o,
		    "obtained_at"));
	}
	json_decref(o);
}

static void
load_list(struct real *r)
{
	char path[PATH_MAX], err[256];

	if (r->list_key == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", sdir(r), F_LIST);
	r->list = pia_serverlist_load(path, r->list_key, err, sizeof(err));
	if (r->list == NULL)
		log_debug("state: no usable server list on disk: %s", err);
}

static void
load_session(struct real *r)
{
	struct real_session	*s = &r->sess;
	json_t			*o = store_read(sdir(r), F_SESSION), *dns;
	const char		*priv, *skey;
	size_t			 i;

	if (o == NULL)
		return;
	memset(s, 0, sizeof(*s));
	copy_str(s->region, sizeof(s->region), o, "region");
	copy_str(s->cn, sizeof(s->cn), o, "cn");
	copy_str(s->ip, sizeof(s->ip), o, "ip");
	copy_str(s->vip, sizeof(s->vip), o, "vip");
	copy_str(s->peer_ip, sizeof(s->peer_ip), o, "peer_ip");
	s->port = (uint16_t)json_integer_value(json_object_get(o, "port"));
	s->created_at = (time_t)json_integer_value(json_object_get(o,
	    "created_at"));
	priv = json_string_value(json_object_get(o, "private_key"));
	skey = json_string_value(json_object_get(o, "server_key"));
	dns = json_object_get(o, "dns");
	for (i = 0; i < json_array_size(dns) && s->ndns < PIA_DNS_MAX; i++) {
		const char *d = json_string_value(json_array_get(dns, i));

		if (d != NULL && inet_pton(AF_INET, d, &s->dns[s->ndns]) == 1)
			s->ndns++;
	}
	if (priv == NULL || skey == NULL || s->cn[0] == '\0' ||
	    s->ip[0] == '\0' || s->peer_ip[0] == '\0' || s->port == 0 ||
	    wg_key_from_base64(s->keys.private_key, priv) < 0 ||
	    wg_key_public(s->keys.public_key, s->keys.private_key) < 0 ||
	    wg_key_from_base64(s->server_key, skey) < 0) {
		log_warnx("state: %s/%s is incomplete; ignoring it", sdir(r),
		    F_SESSION);
		real_session_wipe(s);
	} else
		s->valid = true;
	json_decref(o);
}

static void
load_pf(struct real *r)
{
	struct real_pf	*pf = &r->pf;
	json_t		*o = store_read(sdir(r), F_PF);
	const char	*payload, *sig;

	if (o == NULL)
		return;
	payload = json_string_value(json_object_get(o, "payload"));
	sig = json_string_value(json_object_get(o, "signature"));
	copy_str(pf->cn, sizeof(pf->cn), o, "cn");
	copy_str(pf->token_id, sizeof(pf->token_id), o, "token_id");
	pf->port = (uint16_t)json_integer_value(json_object_get(o, "port"));
	pf->expires_at = (time_t)json_integer_value(json_object_get(o,
	    "expires_at"));
	pf->last_bind = (time_t)json_integer_value(json_object_get(o,
	    "last_bind"));
	pf->hooked_port = (uint16_t)json_integer_value(json_object_get(o,
	    "hooked_port"));
	if (payload != NULL && sig != NULL && pf->port >= 1024 &&
	    pf->expires_at > time(NULL)) {
		pf->payload = strdup(payload);
		pf->signature = strdup(sig);
		pf->valid = pf->payload != NULL && pf->signature != NULL;
	}
	if (!pf->valid)
		real_pf_clear(pf);
	json_decref(o);
}

void
real_load_state(struct real *r)
{
	json_t	*o;
	char	 err[256];

	load_token(r);
	load_list(r);
	load_session(r);
	load_pf(r);
	if ((o = store_read(sdir(r), F_TOPOLOGY)) != NULL) {
		if (topo_record_from_json(r->topo, o, err, sizeof(err)) < 0)
			log_warnx("state: %s/%s: %s", sdir(r), F_TOPOLOGY,
			    err);
		json_decref(o);
	}
	/* A session only counts for the server the port belongs to. */
	if (r->pf.valid && (!r->sess.valid ||
	    strcmp(r->pf.cn, r->sess.cn) != 0))
		real_pf_clear(&r->pf);
	if (r->sess.valid)
		log_info("state: adopting session on %s (%s), peer %s",
		    r->sess.cn, r->sess.region, r->sess.peer_ip);
	if (r->pf.valid)
		log_info("state: adopting forwarded port %u", r->pf.port);
	/* Run the hook once after a restart (design section 7). */
	r->hook_after_restart = true;
}
