/* SPDX-License-Identifier: ISC */
/*
 * PIA API calls: build the request (URL-encoded, secrets kept out of
 * anything logged), hand it to the HTTPS client, and turn its response
 * into a typed reply with the parsers of pia/responses.h. A call owns its
 * one-shot connection until the callback; a pia_pf session owns one
 * kept-alive connection for getSignature and bindPort.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <openssl/crypto.h>

#include "core/log.h"
#include "pia/api.h"
#include "pia/https.h"
#include "pia/urlenc.h"

struct pia_call {
	enum pia_call_kind	 kind;
	struct https_conn	*conn;		/* one-shot; NULL for pf */
	struct pia_pf		*pf;		/* pf session, or NULL */
	pia_api_cb		 cb;
	void			*arg;
	char			*pubkey;	/* ADDKEY: must come back */
	EVP_PKEY		*key;		/* SERVERLIST: our reference */
};

struct pia_pf {
	struct https_conn	*conn;
	struct pia_call		*cur;		/* request in flight */
};

static const char *const call_names[] = {
	[PIA_CALL_TOKEN] = "token",
	[PIA_CALL_SERVERLIST] = "server list",
	[PIA_CALL_ADDKEY] = "addKey",
	[PIA_CALL_GETSIGNATURE] = "getSignature",
	[PIA_CALL_BINDPORT] = "bindPort",
};

int
pia_url_split(const char *url, char *host, size_t hostlen, uint16_t *port,
    char *path, size_t pathlen)
{
	const char	*h, *end, *colon;
	char		*ep;
	unsigned long	 p = 443;
	size_t		 n;

	if (strncasecmp(url, "https://", 8) != 0)
		goto invalid;
	h = url + 8;
	end = h + strcspn(h, "/?#");
	colon = memchr(h, ':', (size_t)(end - h));
	n = (size_t)((colon != NULL ? colon : end) - h);
	if (n == 0 || n >= hostlen || memchr(h, '@', (size_t)(end - h)))
		goto invalid;
	if (colon != NULL) {
		errno = 0;
		p = strtoul(colon + 1, &ep, 10);
		if (ep != end || ep == colon + 1 || p == 0 || p > 65535)
			goto invalid;
	}
	memcpy(host, h, n);
	host[n] = '\0';
	*port = (uint16_t)p;
	if (*end == '#')
		goto invalid;
	if (*end == '\0')
		end = "/";
	else if (*end == '?') {
		if (snprintf(path, pathlen, "/%s", end) >= (int)pathlen)
			goto invalid;
		return 0;
	}
	if (strchr(end, '#') != NULL ||
	    snprintf(path, pathlen, "%s", end) >= (int)pathlen)
		goto invalid;
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}

/* prefix followed by "n1=v1&n2=v2" (n2 optional), as a C string. */
static char *
build(const char *prefix, const char *n1, const char *v1, const char *n2,
    const char *v2)
{
	struct evbuffer	*b;
	char		*out = NULL;
	size_t		 len;

	if ((b = evbuffer_new()) == NULL)
		return NULL;
	if (urlenc_form_add(b, n1, v1) == -1 ||
	    (n2 != NULL && urlenc_form_add(b, n2, v2) == -1))
		goto out;
	len = evbuffer_get_length(b);
	if ((out = malloc(strlen(prefix) + len + 1)) == NULL)
		goto out;
	memcpy(out, prefix, strlen(prefix));
	evbuffer_remove(b, out + strlen(prefix), len);
	out[strlen(prefix) + len] = '\0';
out:
	/* The buffer held secrets: overwrite what is left of it. */
	while ((len = evbuffer_get_length(b)) > 0) {
		char junk[256];

		evbuffer_remove(b, junk, len < sizeof(junk) ? len :
		    sizeof(junk));
		OPENSSL_cleanse(junk, sizeof(junk));
	}
	evbuffer_free(b);
	return out;
}

char *
pia_addkey_path(const char *token, const char *pubkey)
{
	return build("/addKey?", "pt", token, "pubkey", pubkey);
}

char *
pia_getsignature_path(const char *token)
{
	return build("/getSignature?", "token", token, NULL, NULL);
}

char *
pia_bindport_path(const char *payload, const char *signature)
{
	return build("/bindPort?", "payload", payload, "signature", signature);
}

char *
pia_token_form(const char *username, const char *password)
{
	return build("", "username", username, "password", password);
}

static void
reply_clear(struct pia_reply *r)
{
	if (r->token != NULL)
		urlenc_free_secret(r->token);
	pia_serverlist_free(r->list);
	pia_signature_clear(&r->sig);
	OPENSSL_cleanse(&r->addkey, sizeof(r->addkey));
	memset(r, 0, sizeof(*r));
}

static void
call_free(struct pia_call *c)
{
	if (c->pubkey != NULL)
		free(c->pubkey);
	EVP_PKEY_free(c->key);
	free(c);
}

/* Turn what the HTTPS client got into a reply; parse only what is whole. */
static void
decode(struct pia_call *c, struct https_response *resp, struct pia_reply *r)
{
	struct pia_reply_in	 in;
	enum pia_err		 e = resp->res.err;
	char			 err[PIA_RESULT_MSG_MAX];

	if (resp->head == NULL || (e != PIA_OK && e != PIA_ERR_HTTP_STATUS &&
	    e != PIA_ERR_RATE_LIMITED)) {
		/* Transport failure: the client's wording, prefixed. */
		r->res = resp->res;
		pia_result_set(&r->res, e, "%s: %.*s", call_names[c->kind],
		    PIA_RESULT_MSG_MAX - 24, resp->res.message);
		return;
	}
	memset(&in, 0, sizeof(in));
	in.status = resp->status;
	in.retry_after = http_header_get(resp->head, "Retry-After");
	in.body = resp->body;
	in.len = resp->body_len;
	switch (c->kind) {
	case PIA_CALL_TOKEN:
		(void)pia_parse_token(&in, &r->token, &r->res);
		break;
	case PIA_CALL_ADDKEY:
		(void)pia_parse_addkey(&in, c->pubkey, &r->addkey, &r->res);
		break;
	case PIA_CALL_GETSIGNATURE:
		(void)pia_parse_getsignature(&in, time(NULL), &r->sig,
		    &r->res);
		break;
	case PIA_CALL_BINDPORT:
		(void)pia_parse_bindport(&in, &r->bind, &r->res);
		break;
	case PIA_CALL_SERVERLIST:
		pia_result_clear(&r->res);
		r->res.http_status = in.status;
		if (in.status != 200) {
			pia_result_set(&r->res, e == PIA_ERR_RATE_LIMITED ?
			    e : PIA_ERR_HTTP_STATUS, "server list: HTTP %d",
			    in.status);
			r->res.retry_after_s = resp->res.retry_after_s;
			break;
		}
		r->list = pia_serverlist_verify_parse(in.body, in.len, c->key,
		    err, sizeof(err));
		if (r->list == NULL)
			pia_result_set(&r->res, PIA_ERR_PROTOCOL, "%s", err);
		else
			r->list->fetched_at = time(NULL);
		break;
	}
}

static void
report(struct pia_call *c, struct https_response *resp)
{
	struct pia_reply r;

	memset(&r, 0, sizeof(r));
	r.kind = c->kind;
	r.connect_ms = resp->connect_ms;
	r.total_ms = resp->total_ms;
	decode(c, resp, &r);
	if (r.res.err == PIA_OK)
		log_debug("%s: ok (%u ms)", call_names[c->kind], r.total_ms);
	else
		log_debug("%s: %s: %s", call_names[c->kind],
		    pia_err_name(r.res.err), r.res.message);
	c->cb(&r, c->arg);
	reply_clear(&r);
}

static void
oneshot_cb(struct https_response *resp, void *arg)
{
	struct pia_call *c = arg;

	/* https_fetch frees its conn after this returns. */
	c->conn = NULL;
	report(c, resp);
	call_free(c);
}

static void
pf_cb(struct https_response *resp, void *arg)
{
	struct pia_call	*c = arg;

	c->pf->cur = NULL;
	report(c, resp);
	call_free(c);
}

/* Fill a spec for a URL's host: proxy spec without host gets the URL's. */
static int
target_for(struct https_target *t, const struct dial_spec *dial,
    const char *host, uint16_t port)
{
	memset(t, 0, sizeof(*t));
	t->dial = *dial;
	if (dial->kind == DIAL_PROXY && dial->host[0] == '\0') {
		if (strlen(host) >= sizeof(t->dial.host)) {
			errno = EINVAL;
			return -1;
		}
		snprintf(t->dial.host, sizeof(t->dial.host), "%s", host);
		t->dial.port = port;
	}
	return 0;
}

static struct pia_call *
call_new(enum pia_call_kind kind, pia_api_cb cb, void *arg)
{
	struct pia_call *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->kind = kind;
	c->cb = cb;
	c->arg = arg;
	return c;
}

static struct pia_call *
start(struct event_base *base, struct pia_call *c,
    const struct https_target *t, const struct https_request *req)
{
	if ((c->conn = https_fetch(base, t, req, oneshot_cb, c)) == NULL) {
		int saved = errno;

		call_free(c);
		errno = saved;
		return NULL;
	}
	return c;
}

struct pia_call *
pia_token(struct event_base *base, const struct dial_spec *dial,
    const char *token_url, const char *ca_file, const char *username,
    const char *password, pia_api_cb cb, void *arg)
{
	struct https_target	 t;
	struct https_request	 req;
	struct pia_call		*c, *ret = NULL;
	char			 host[DIAL_HOST_MAX], path[512], *form;
	uint16_t		 port;

	if (pia_url_split(token_url, host, sizeof(host), &port, path,
	    sizeof(path)) == -1 || target_for(&t, dial, host, port) == -1)
		return NULL;
	t.tls_name = host;
	t.ca_file = ca_file;
	if ((form = pia_token_form(username, password)) == NULL)
		return NULL;
	if ((c = call_new(PIA_CALL_TOKEN, cb, arg)) != NULL) {
		memset(&req, 0, sizeof(req));
		req.method = "POST";
		req.path = path;
		req.content_type = "application/x-www-form-urlencoded";
		req.body = form;
		req.body_len = strlen(form);
		ret = start(base, c, &t, &req);
	}
	urlenc_free_secret(form);
	return ret;
}

struct pia_call *
pia_serverlist_fetch(struct event_base *base, const struct dial_spec *dial,
    const char *url, const char *ca_file, EVP_PKEY *key, pia_api_cb cb,
    void *arg)
{
	struct https_target	 t;
	struct https_request	 req;
	struct pia_call		*c;
	char			 host[DIAL_HOST_MAX], path[512];
	uint16_t		 port;

	if (pia_url_split(url, host, sizeof(host), &port, path,
	    sizeof(path)) == -1 || target_for(&t, dial, host, port) == -1)
		return NULL;
	t.tls_name = host;
	t.ca_file = ca_file;
	if ((c = call_new(PIA_CALL_SERVERLIST, cb, arg)) == NULL)
		return NULL;
	if (EVP_PKEY_up_ref(key) != 1) {
		call_free(c);
		errno = EINVAL;
		return NULL;
	}
	c->key = key;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = path;
	return start(base, c, &t, &req);
}

struct pia_call *
pia_addkey(struct event_base *base, const struct dial_spec *dial,
    const char *ca_file, const struct pia_server *server, const char *token,
    const char *pubkey, pia_api_cb cb, void *arg)
{
	struct https_target	 t;
	struct https_request	 req;
	struct pia_call		*c, *ret = NULL;
	char			*path;

	/* The proxy allows server-list IPs, not names: CONNECT to the ip. */
	if (target_for(&t, dial, server->ip, PIA_PORT_ADDKEY) == -1)
		return NULL;
	t.tls_name = server->cn;
	t.ca_file = ca_file;
	if ((path = pia_addkey_path(token, pubkey)) == NULL)
		return NULL;
	if ((c = call_new(PIA_CALL_ADDKEY, cb, arg)) != NULL &&
	    (c->pubkey = strdup(pubkey)) == NULL) {
		call_free(c);
		c = NULL;
	}
	if (c != NULL) {
		memset(&req, 0, sizeof(req));
		req.method = "GET";
		req.path = path;
		ret = start(base, c, &t, &req);
	}
	urlenc_free_secret(path);
	return ret;
}

void
pia_call_cancel(struct pia_call *c)
{
	if (c == NULL)
		return;
	if (c->conn != NULL)
		https_conn_free(c->conn);
	call_free(c);
}

struct pia_pf *
pia_pf_new(struct event_base *base, const struct dial_spec *dial,
    const char *ca_file, const char *cn)
{
	struct https_target	 t;
	struct pia_pf		*pf;

	if (target_for(&t, dial, cn, PIA_PORT_PF) == -1)
		return NULL;
	t.tls_name = cn;
	t.ca_file = ca_file;
	if ((pf = calloc(1, sizeof(*pf))) == NULL)
		return NULL;
	if ((pf->conn = https_conn_new(base, &t)) == NULL) {
		free(pf);
		return NULL;
	}
	return pf;
}

void
pia_pf_free(struct pia_pf *pf)
{
	if (pf == NULL)
		return;
	https_conn_free(pf->conn);
	if (pf->cur != NULL)
		call_free(pf->cur);
	free(pf);
}

static int
pf_request(struct pia_pf *pf, enum pia_call_kind kind, char *path,
    pia_api_cb cb, void *arg)
{
	struct https_request	 req;
	struct pia_call		*c;
	int			 rc = -1, saved;

	if (path == NULL)
		return -1;
	if (pf->cur != NULL) {
		urlenc_free_secret(path);
		errno = EBUSY;
		return -1;
	}
	if ((c = call_new(kind, cb, arg)) == NULL) {
		urlenc_free_secret(path);
		return -1;
	}
	c->pf = pf;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = path;
	if (https_conn_request(pf->conn, &req, pf_cb, c) == -1) {
		saved = errno;
		call_free(c);
		errno = saved;
	} else {
		pf->cur = c;
		rc = 0;
	}
	urlenc_free_secret(path);
	return rc;
}

int
pia_pf_getsignature(struct pia_pf *pf, const char *token, pia_api_cb cb,
    void *arg)
{
	return pf_request(pf, PIA_CALL_GETSIGNATURE,
	    pia_getsignature_path(token), cb, arg);
}

int
pia_pf_bindport(struct pia_pf *pf, const char *payload,
    const char *signature, pia_api_cb cb, void *arg)
{
	return pf_request(pf, PIA_CALL_BINDPORT,
	    pia_bindport_path(payload, signature), cb, arg);
}
