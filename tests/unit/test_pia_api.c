/* SPDX-License-Identifier: ISC */
/*
 * The PIA API calls end to end over loopback: a small TLS server in the
 * same event loop (test CA and leaf in tests/pia/certs/) answers with PIA's
 * real reply shapes, and each test checks both what the server received
 * (method, URL-encoded target, form body, Host) and the reply the caller
 * gets (typed data or the error kind with its message). Also the latency
 * probe of region "auto". No root needed: only 127.0.0.0/8.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>
#include <openssl/ssl.h>

#include "core/log.h"
#include "pia/api.h"
#include "pia/http.h"
#include "pia/probe.h"
#include "pia/urlenc.h"
#include "pia_fixture.h"

#define CERTS	PIAD_SRCDIR "/tests/pia/certs/"

struct route {
	const char	*prefix;	/* of the request target */
	int		 status;
	const char	*headers;	/* extra "Name: v\r\n" lines or NULL */
	char		*body;		/* owned */
};

struct srv {
	struct event_base	*base;
	struct evconnlistener	*l;
	SSL_CTX			*ctx;
	uint16_t		 port;
	struct route		 routes[8];
	size_t			 nroutes;
	int			 conns;
	int			 requests;
	char			 method[16];
	char			 target[4096];
	char			 host[256];
	char			 body[4096];
	/* A CONNECT front: answers 200 and then serves TLS itself. */
	struct evconnlistener	*proxy_l;
	uint16_t		 proxy_port;
	char			 connect_target[300];
	/* Open server connections, freed at teardown. */
	struct bufferevent	*bevs[64];
	struct sconn		*scs[64];
};

struct sconn {
	struct srv		*s;
	struct http_msg		*m;
	bool			 in_body;
};

static struct srv	 S;
static struct event_base *base;
static struct pia_reply	 got;
static bool		 done;
static char		*got_token;
static struct pia_serverlist *got_list;

static void
sconn_free(struct bufferevent *bev, struct sconn *sc)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (S.scs[i] == sc) {
			S.scs[i] = NULL;
			S.bevs[i] = NULL;
		}
	bufferevent_free(bev);
	free(sc->m);
	free(sc);
}

static void
respond(struct bufferevent *bev, struct sconn *sc)
{
	struct srv		*s = sc->s;
	const struct route	*r = NULL;
	const char		*h;
	size_t			 i;

	s->requests++;
	snprintf(s->method, sizeof(s->method), "%s", sc->m->method);
	snprintf(s->target, sizeof(s->target), "%s", sc->m->target);
	h = http_header_get(sc->m, "Host");
	snprintf(s->host, sizeof(s->host), "%s", h != NULL ? h : "");
	for (i = 0; i < s->nroutes; i++)
		if (strncmp(sc->m->target, s->routes[i].prefix,
		    strlen(s->routes[i].prefix)) == 0) {
			r = &s->routes[i];
			break;
		}
	if (r == NULL)
		evbuffer_add_printf(bufferevent_get_output(bev),
		    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	else
		evbuffer_add_printf(bufferevent_get_output(bev),
		    "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\n%s\r\n%s", r->status,
		    strlen(r->body), r->headers != NULL ? r->headers : "",
		    r->body);
}

static void
srv_read(struct bufferevent *bev, void *arg)
{
	struct sconn	*sc = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 n;

	for (;;) {
		if (!sc->in_body) {
			if (http_head_read(sc->m, in) != HTTP_DONE)
				return;
			sc->in_body = true;
		}
		n = sc->m->framing == HTTP_BODY_LENGTH ?
		    (size_t)sc->m->content_length : 0;
		if (evbuffer_get_length(in) < n)
			return;
		if (n >= sizeof(sc->s->body))
			n = sizeof(sc->s->body) - 1;
		evbuffer_remove(in, sc->s->body, n);
		sc->s->body[n] = '\0';
		respond(bev, sc);
		http_msg_init(sc->m, HTTP_REQUEST);
		sc->in_body = false;
	}
}

/*
 * The server never closes first: the client reads by Content-Length and
 * closes, and freeing a TLS filter as soon as its own output drained could
 * drop bytes still queued in the socket below it.
 */
static void
srv_event(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		sconn_free(bev, arg);
}

static void	srv_track(struct srv *, struct bufferevent *, struct sconn *);

static void
srv_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct srv		*s = arg;
	struct sconn		*sc = calloc(1, sizeof(*sc));
	struct bufferevent	*bev;

	(void)l;
	(void)sa;
	(void)salen;
	s->conns++;
	sc->s = s;
	sc->m = malloc(sizeof(*sc->m));
	http_msg_init(sc->m, HTTP_REQUEST);
	bev = bufferevent_openssl_socket_new(s->base, fd, SSL_new(s->ctx),
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, srv_read, NULL, srv_event, sc);
	srv_track(s, bev, sc);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static void
srv_track(struct srv *s, struct bufferevent *bev, struct sconn *sc)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (s->scs[i] == NULL) {
			s->scs[i] = sc;
			s->bevs[i] = bev;
			break;
		}
}

/* The CONNECT head is read on the plain socket; then TLS on top of it. */
static void
proxy_read(struct bufferevent *bev, void *arg)
{
	struct sconn		*sc = arg;
	struct srv		*s = sc->s;
	struct bufferevent	*tls;
	size_t			 i;

	if (http_head_read(sc->m, bufferevent_get_input(bev)) != HTTP_DONE)
		return;
	snprintf(s->connect_target, sizeof(s->connect_target), "%s %s",
	    sc->m->method, sc->m->target);
	http_msg_init(sc->m, HTTP_REQUEST);
	evbuffer_add_printf(bufferevent_get_output(bev),
	    "HTTP/1.1 200 Connection established\r\n\r\n");
	for (i = 0; i < 64; i++)
		if (s->bevs[i] == bev)
			s->scs[i] = NULL, s->bevs[i] = NULL;
	tls = bufferevent_openssl_filter_new(s->base, bev, SSL_new(s->ctx),
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(tls, srv_read, NULL, srv_event, sc);
	bufferevent_enable(tls, EV_READ | EV_WRITE);
	srv_track(s, tls, sc);
}

static void
proxy_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct srv		*s = arg;
	struct sconn		*sc = calloc(1, sizeof(*sc));
	struct bufferevent	*bev;

	(void)l;
	(void)sa;
	(void)salen;
	s->conns++;
	sc->s = s;
	sc->m = malloc(sizeof(*sc->m));
	http_msg_init(sc->m, HTTP_REQUEST);
	bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, proxy_read, NULL, srv_event, sc);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	srv_track(s, bev, sc);
}

static void
route(const char *prefix, int status, const char *headers, const char *body)
{
	struct route *r = &S.routes[S.nroutes++];

	r->prefix = prefix;
	r->status = status;
	r->headers = headers;
	r->body = strdup(body);
}

static void
route_fixture(const char *prefix, int status, const char *headers,
    const char *name)
{
	char *b = fixture(name, NULL);

	ck_assert_ptr_nonnull(b);
	route(prefix, status, headers, b);
	free(b);
}

static void
setup(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);

	base = event_base_new();
	memset(&S, 0, sizeof(S));
	S.base = base;
	S.ctx = SSL_CTX_new(TLS_server_method());
	ck_assert_int_eq(SSL_CTX_use_certificate_chain_file(S.ctx,
	    CERTS "server.crt"), 1);
	ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(S.ctx, CERTS "server.key",
	    SSL_FILETYPE_PEM), 1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	S.l = evconnlistener_new_bind(base, srv_accept, &S,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16,
	    (struct sockaddr *)&sin, sizeof(sin));
	ck_assert_ptr_nonnull(S.l);
	getsockname(evconnlistener_get_fd(S.l), (struct sockaddr *)&sin, &len);
	S.port = ntohs(sin.sin_port);
	sin.sin_port = 0;
	S.proxy_l = evconnlistener_new_bind(base, proxy_accept, &S,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16,
	    (struct sockaddr *)&sin, sizeof(sin));
	ck_assert_ptr_nonnull(S.proxy_l);
	len = sizeof(sin);
	getsockname(evconnlistener_get_fd(S.proxy_l), (struct sockaddr *)&sin,
	    &len);
	S.proxy_port = ntohs(sin.sin_port);
	done = false;
	memset(&got, 0, sizeof(got));
	got_token = NULL;
	got_list = NULL;
}

static void
teardown(void)
{
	size_t i;

	for (i = 0; i < S.nroutes; i++)
		free(S.routes[i].body);
	for (i = 0; i < 64; i++)
		if (S.scs[i] != NULL)
			sconn_free(S.bevs[i], S.scs[i]);
	evconnlistener_free(S.l);
	evconnlistener_free(S.proxy_l);
	SSL_CTX_free(S.ctx);
	event_base_free(base);
	if (got_token != NULL)
		urlenc_free_secret(got_token);
	pia_serverlist_free(got_list);
}

/* Keep the reply; take the token and list so they outlive the callback. */
static void
on_reply(struct pia_reply *r, void *arg)
{
	(void)arg;
	got = *r;
	if (r->token != NULL) {
		if (got_token != NULL)
			urlenc_free_secret(got_token);
		got_token = r->token;
		r->token = NULL;
	}
	got.token = NULL;
	if (r->list != NULL) {
		pia_serverlist_free(got_list);
		got_list = r->list;
		r->list = NULL;
	}
	got.list = NULL;
	/* The signature strings stay with the reply; keep the decoded port. */
	memset(&got.sig, 0, sizeof(got.sig));
	got.sig.decoded.port = r->sig.decoded.port;
	got.sig.payload_status = r->sig.payload_status;
	done = true;
	event_base_loopbreak(base);
}

static void
run(void)
{
	struct timeval tv = { 10, 0 };

	event_base_loopexit(base, &tv);
	if (!done)
		event_base_dispatch(base);
	ck_assert_msg(done, "no callback within 10 s");
}

static struct dial_spec
direct(uint16_t port)
{
	struct dial_spec d;

	ck_assert_int_eq(dial_spec_direct(&d, -1, "127.0.0.1", port), 0);
	return d;
}

static char *
token_url(void)
{
	static char u[128];

	snprintf(u, sizeof(u), "https://www.privateinternetaccess.com:%u"
	    "/api/client/v2/token", S.port);
	return u;
}

START_TEST(token_ok)
{
	struct dial_spec d = direct(S.port);

	route_fixture("/api/client/v2/token", 200, NULL, "token-ok.json");
	ck_assert_ptr_nonnull(pia_token(base, &d, token_url(),
	    CERTS "ca.crt", "p1234567@x", "s3cr&t=!", on_reply, NULL));
	run();
	ck_assert_msg(got.res.err == PIA_OK, "%s", got.res.message);
	ck_assert_int_eq(got.kind, PIA_CALL_TOKEN);
	ck_assert_str_eq(got_token, "abcdefTOKEN0123456789");
	ck_assert_str_eq(S.method, "POST");
	ck_assert_str_eq(S.target, "/api/client/v2/token");
	ck_assert_str_eq(S.body, "username=p1234567%40x&password=s3cr%26t%3D%21");
}
END_TEST

START_TEST(token_bad_credentials)
{
	struct dial_spec d = direct(S.port);

	route_fixture("/api/client/v2/token", 401, NULL, "token-noauth.json");
	pia_token(base, &d, token_url(), CERTS "ca.crt", "u", "wrong",
	    on_reply, NULL);
	run();
	ck_assert_int_eq(got.res.err, PIA_ERR_BAD_CREDENTIALS);
	ck_assert_str_eq(got.res.message, "token: bad credentials (HTTP 401)");
	ck_assert_ptr_null(strstr(got.res.message, "wrong"));
}
END_TEST

START_TEST(token_rate_limited_429)
{
	struct dial_spec d = direct(S.port);

	route_fixture("/api/client/v2/token", 429, "Retry-After: 30\r\n",
	    "token-rate.json");
	pia_token(base, &d, token_url(), CERTS "ca.crt", "u", "p", on_reply,
	    NULL);
	run();
	ck_assert_int_eq(got.res.err, PIA_ERR_RATE_LIMITED);
	ck_assert_uint_eq(got.res.retry_after_s, 30);
	ck_assert_str_eq(got.res.message, "token: rate limited, retry in 30 s");
}
END_TEST

START_TEST(token_rate_limited_body)
{
	struct dial_spec d = direct(S.port);

	route_fixture("/api/client/v2/token", 200, NULL, "token-rate.json");
	pia_token(base, &d, token_url(), CERTS "ca.crt", "u", "p", on_reply,
	    NULL);
	run();
	ck_assert_int_eq(got.res.err, PIA_ERR_RATE_LIMITED);
	ck_assert_uint_eq(got.res.retry_after_s, 60);
}
END_TEST

START_TEST(serverlist_ok_and_bad)
{
	struct dial_spec	 d = direct(S.port);
	EVP_PKEY		*key = make_key(), *other = make_key();
	char			*json, *signed_text, url[128];
	size_t			 jlen = 0, slen;

	json = fixture("serverlist.json", &jlen);
	ck_assert_ptr_nonnull(json);
	signed_text = sign_list(key, json, jlen, &slen);
	route("/vpninfo/servers/v6", 200, NULL, signed_text);
	snprintf(url, sizeof(url), "https://serverlist.piaservers.net:%u"
	    "/vpninfo/servers/v6", S.port);
	ck_assert_ptr_nonnull(pia_serverlist_fetch(base, &d, url,
	    CERTS "ca.crt", key, on_reply, NULL));
	run();
	ck_assert_msg(got.res.err == PIA_OK, "%s", got.res.message);
	ck_assert_ptr_nonnull(got_list);
	ck_assert_uint_eq(got_list->nregions, 5);
	ck_assert_int_gt((long long)got_list->fetched_at, 0);
	snprintf(url, sizeof(url), "serverlist.piaservers.net:%u", S.port);
	ck_assert_str_eq(S.host, url);
	snprintf(url, sizeof(url), "https://serverlist.piaservers.net:%u"
	    "/vpninfo/servers/v6", S.port);

	done = false;
	pia_serverlist_fetch(base, &d, url, CERTS "ca.crt", other, on_reply,
	    NULL);
	run();
	ck_assert_int_eq(got.res.err, PIA_ERR_PROTOCOL);
	ck_assert_str_eq(got.res.message, "server list: bad signature");
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
	free(json);
	free(signed_text);
}
END_TEST

static const struct pia_server zurich = { "127.0.0.1", "zurich405" };

START_TEST(addkey_ok)
{
	struct dial_spec	 d = direct(S.port);
	char			*key = fixture("wg-pubkey.txt", NULL);

	key[strcspn(key, "\n")] = '\0';
	route_fixture("/addKey", 200, NULL, "addkey-ok-cidr.json");
	ck_assert_ptr_nonnull(pia_addkey(base, &d, CERTS "ca.crt", &zurich,
	    "tok/en+x=", key, on_reply, NULL));
	run();
	ck_assert_msg(got.res.err == PIA_OK, "%s", got.res.message);
	ck_assert_str_eq(got.addkey.peer_ip, "10.7.130.17");
	ck_assert_str_eq(got.addkey.server_vip, "10.7.128.1");
	ck_assert_int_eq(got.addkey.server_port, 1337);
	ck_assert_str_eq(S.method, "GET");
	ck_assert_str_eq(S.target, "/addKey?pt=tok%2Fen%2Bx%3D&pubkey="
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8%3D");
	free(key);
}
END_TEST

START_TEST(addkey_login_failed)
{
	struct dial_spec	 d = direct(S.port);
	char			*key = fixture("wg-pubkey.txt", NULL);

	key[strcspn(key, "\n")] = '\0';
	route_fixture("/addKey", 200, NULL, "addkey-login-failed.json");
	pia_addkey(base, &d, CERTS "ca.crt", &zurich, "stale", key, on_reply,
	    NULL);
	run();
	ck_assert_int_eq(got.res.err, PIA_ERR_API);
	ck_assert_str_eq(got.res.message, "addKey: Login failed!");
	ck_assert(got.addkey.login_failed);
	free(key);
}
END_TEST

START_TEST(tls_refused)
{
	struct dial_spec	 d = direct(S.port);
	struct pia_server	 wrong = { "127.0.0.1", "zurich999" };

	route_fixture("/addKey", 200, NULL, "addkey-ok.json");
	pia_addkey(base, &d, CERTS "other-ca.crt", &zurich, "t",
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", on_reply, NULL);
	run();
	ck_assert_int_eq(got.res.err, PIA_ERR_TLS_VERIFY);
	ck_assert_int_eq(S.requests, 0);
	ck_assert_ptr_eq(got.res.message, strstr(got.res.message, "addKey: "));

	done = false;
	pia_addkey(base, &d, CERTS "ca.crt", &wrong, "t",
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", on_reply, NULL);
	run();
	ck_assert_int_eq(got.res.err, PIA_ERR_TLS_VERIFY);
	ck_assert_int_eq(S.requests, 0);
}
END_TEST

START_TEST(network_refused)
{
	struct dial_spec d;

	/* 127.0.0.2 has nothing listening on this port. */
	ck_assert_int_eq(dial_spec_direct(&d, -1, "127.0.0.2", S.port), 0);
	pia_token(base, &d, token_url(), CERTS "ca.crt", "u", "p", on_reply,
	    NULL);
	run();
	ck_assert_int_eq(got.res.err, PIA_ERR_NETWORK);
	ck_assert_ptr_eq(got.res.message, strstr(got.res.message, "token: "));
}
END_TEST

START_TEST(pf_keepalive)
{
	struct dial_spec	 d = direct(S.port);
	struct pia_pf		*pf;
	char			*b = fixture("getsig-ok.json", NULL);
	json_t			*j;
	char			 want[2048], *pe, *se;

	route_fixture("/getSignature", 200, NULL, "getsig-ok.json");
	route_fixture("/bindPort", 200, NULL, "bindport-ok.json");
	pf = pia_pf_new(base, &d, CERTS "ca.crt", "zurich405");
	ck_assert_ptr_nonnull(pf);
	ck_assert_int_eq(pia_pf_getsignature(pf, "tok en", on_reply, NULL), 0);
	ck_assert_int_eq(pia_pf_getsignature(pf, "x", on_reply, NULL), -1);
	run();
	ck_assert_msg(got.res.err == PIA_OK, "%s", got.res.message);
	ck_assert_int_eq(got.sig.decoded.port, 47047);
	ck_assert_str_eq(S.target, "/getSignature?token=tok%20en");

	j = json_loads(b, 0, NULL);
	done = false;
	ck_assert_int_eq(pia_pf_bindport(pf, json_string_value(json_object_get(
	    j, "payload")), json_string_value(json_object_get(j,
	    "signature")), on_reply, NULL), 0);
	run();
	ck_assert_msg(got.res.err == PIA_OK, "%s", got.res.message);
	ck_assert_str_eq(got.bind.message, "port scheduled for add");
	ck_assert_int_eq(S.requests, 2);
	ck_assert_int_eq(S.conns, 1);
	pe = urlenc(json_string_value(json_object_get(j, "payload")));
	se = urlenc(json_string_value(json_object_get(j, "signature")));
	snprintf(want, sizeof(want), "/bindPort?payload=%s&signature=%s", pe,
	    se);
	ck_assert_str_eq(S.target, want);
	free(pe);
	free(se);
	json_decref(j);
	free(b);
	pia_pf_free(pf);
}
END_TEST

START_TEST(pf_errors)
{
	struct dial_spec	 d = direct(S.port);
	struct pia_pf		*pf;

	route_fixture("/getSignature", 401, NULL, "getsig-unauth.json");
	route_fixture("/bindPort", 409, NULL, "bindport-busy.json");
	pf = pia_pf_new(base, &d, CERTS "ca.crt", "zurich405");
	pia_pf_getsignature(pf, "t", on_reply, NULL);
	run();
	ck_assert_int_eq(got.res.err, PIA_ERR_API);
	ck_assert_str_eq(got.res.message, "getSignature: Unauthorized client "
	    "(HTTP 401)");
	done = false;
	pia_pf_bindport(pf, "cGF5", "c2ln", on_reply, NULL);
	run();
	ck_assert_int_eq(got.res.err, PIA_ERR_PORT_BUSY);
	ck_assert_int_eq(got.res.http_status, 409);
	ck_assert_str_eq(got.res.message, "bindPort: Port 47047 is busy. "
	    "Please use another server");
	pia_pf_free(pf);
}
END_TEST

/* A proxy spec with no CONNECT target: the call fills it in. */
static struct dial_spec
via_proxy(void)
{
	struct dial_spec d;

	ck_assert_int_eq(dial_spec_proxy(&d, -1, "127.0.0.1", S.proxy_port,
	    "placeholder", 1), 0);
	d.host[0] = '\0';
	d.port = 0;
	return d;
}

START_TEST(via_proxy_targets)
{
	struct dial_spec	 d = via_proxy();
	char			 want[128];

	route_fixture("/api/client/v2/token", 200, NULL, "token-ok.json");
	route_fixture("/addKey", 200, NULL, "addkey-ok.json");
	pia_token(base, &d, token_url(), CERTS "ca.crt", "u", "p", on_reply,
	    NULL);
	run();
	ck_assert_msg(got.res.err == PIA_OK, "%s", got.res.message);
	snprintf(want, sizeof(want), "CONNECT www.privateinternetaccess.com:%u",
	    S.port);
	ck_assert_str_eq(S.connect_target, want);
	ck_assert_str_eq(got_token, "abcdefTOKEN0123456789");

	/* addKey goes to the server's IP (the proxy knows IPs, not cns). */
	done = false;
	pia_addkey(base, &d, CERTS "ca.crt", &zurich, "t",
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", on_reply, NULL);
	run();
	ck_assert_msg(got.res.err == PIA_OK, "%s", got.res.message);
	ck_assert_str_eq(S.connect_target, "CONNECT 127.0.0.1:1337");
	ck_assert_str_eq(S.host, "zurich405:1337");
}
END_TEST

START_TEST(url_split)
{
	char		host[64], path[64];
	uint16_t	port;

	ck_assert_int_eq(pia_url_split("https://a.example/x?y=1", host,
	    sizeof(host), &port, path, sizeof(path)), 0);
	ck_assert_str_eq(host, "a.example");
	ck_assert_int_eq(port, 443);
	ck_assert_str_eq(path, "/x?y=1");
	ck_assert_int_eq(pia_url_split("https://a:8443", host, sizeof(host),
	    &port, path, sizeof(path)), 0);
	ck_assert_int_eq(port, 8443);
	ck_assert_str_eq(path, "/");
	ck_assert_int_eq(pia_url_split("http://a/", host, sizeof(host), &port,
	    path, sizeof(path)), -1);
	ck_assert_int_eq(pia_url_split("https://a:0/", host, sizeof(host),
	    &port, path, sizeof(path)), -1);
	ck_assert_int_eq(pia_url_split("https://u@a/", host, sizeof(host),
	    &port, path, sizeof(path)), -1);
	ck_assert_int_eq(pia_url_split("https:///x", host, sizeof(host),
	    &port, path, sizeof(path)), -1);
}
END_TEST

START_TEST(request_encoding)
{
	char *p;

	p = pia_addkey_path("a b+c/d=e&f", "k+/=");
	ck_assert_str_eq(p, "/addKey?pt=a%20b%2Bc%2Fd%3De%26f&pubkey=k%2B%2F%3D");
	urlenc_free_secret(p);
	p = pia_getsignature_path("t~._-");
	ck_assert_str_eq(p, "/getSignature?token=t~._-");
	urlenc_free_secret(p);
	p = pia_bindport_path("eyJ0=", "c2ln+/==");
	ck_assert_str_eq(p, "/bindPort?payload=eyJ0%3D&signature=c2ln%2B%2F%3D%3D");
	urlenc_free_secret(p);
	p = pia_token_form("user@x", "p\xc3\xa4ss word");
	ck_assert_str_eq(p, "username=user%40x&password=p%C3%A4ss%20word");
	urlenc_free_secret(p);
}
END_TEST

static const struct pia_region *probe_best;
static struct pia_result probe_res;

static void
on_probe(const struct pia_region *best, unsigned ms, const struct
    pia_result *res, void *arg)
{
	(void)ms;
	(void)arg;
	probe_best = best;
	probe_res = *res;
	done = true;
	event_base_loopbreak(base);
}

START_TEST(probe_fastest)
{
	struct pia_server	 up = { "127.0.0.1", "up401" };
	struct pia_server	 down = { "127.0.0.2", "down401" };
	struct pia_region	 a, b;
	const struct pia_region	*c[2] = { &b, &a };
	struct pia_result	 res;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.id = "alive";
	a.meta = &up;
	a.nmeta = 1;
	b.id = "dead";
	b.meta = &down;
	b.nmeta = 1;
	ck_assert_ptr_nonnull(pia_probe_start(base, -1, c, 2, S.port, 2000,
	    on_probe, NULL, &res));
	run();
	ck_assert_ptr_eq(probe_best, &a);
	ck_assert_int_eq(probe_res.err, PIA_OK);

	done = false;
	c[1] = &b;
	pia_probe_start(base, -1, c, 2, S.port, 2000, on_probe, NULL, &res);
	run();
	ck_assert_ptr_null(probe_best);
	ck_assert_int_eq(probe_res.err, PIA_ERR_NETWORK);

	done = false;
	pia_probe_start(base, -1, c, 0, S.port, 2000, on_probe, NULL, &res);
	run();
	ck_assert_ptr_null(probe_best);
	ck_assert_str_eq(probe_res.message, "region auto: no candidate region");
}
END_TEST

static Suite *
suite(void)
{
	Suite	*s = suite_create("pia_api");
	TCase	*tc = tcase_create("loopback");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, token_ok);
	tcase_add_test(tc, token_bad_credentials);
	tcase_add_test(tc, token_rate_limited_429);
	tcase_add_test(tc, token_rate_limited_body);
	tcase_add_test(tc, serverlist_ok_and_bad);
	tcase_add_test(tc, addkey_ok);
	tcase_add_test(tc, addkey_login_failed);
	tcase_add_test(tc, tls_refused);
	tcase_add_test(tc, network_refused);
	tcase_add_test(tc, pf_keepalive);
	tcase_add_test(tc, pf_errors);
	tcase_add_test(tc, via_proxy_targets);
	tcase_add_test(tc, url_split);
	tcase_add_test(tc, request_encoding);
	tcase_add_test(tc, probe_fastest);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(suite());
	int	 failed;

	/* PIAD_TEST_DEBUG=1 shows the client's debug log. */
	if (getenv("PIAD_TEST_DEBUG") != NULL)
		log_init(LOG_LVL_DEBUG, "test_pia_api");

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
