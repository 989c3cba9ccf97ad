/* SPDX-License-Identifier: ISC */
/*
 * The PIA endpoints, in PIA's formats: the token service, the v6 server
 * list, addKey on each server's public IP, and getSignature / bindPort /
 * ping on server_vip:19999 through the tunnel. Per-endpoint fault knobs
 * (bad credentials, rate limit, login failed, unauthorized, busy, low port)
 * act here; the generic ones (5xx, latency, hang) in serve.c.
 *
 * Port forwarding is simulated like PIA's: getSignature hands out a
 * random port in a base64 JSON payload with an HMAC "signature"; bindPort
 * checks it, refuses a port another token holds (409), and keeps the
 * binding alive only while it is refreshed within bind_ttl seconds. A
 * live binding is a DNAT from publicIP:PORT to the peer that bound it.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/log.h"
#include "pia/http.h"
#include "tests/sim/form.h"
#include "tests/sim/serve.h"

#define TOKEN_PATH	"/api/client/v2/token"
#define LIST_PATH	"/vpninfo/servers/v6"

static void	api_token(struct conn *);
static void	api_serverlist(struct conn *);
static void	api_web(struct conn *);
static void	api_addkey(struct conn *);
static void	api_getsignature(struct conn *);
static void	api_bindport(struct conn *);
static bool	token_valid(struct sim *, const char *);
static bool	from_tunnel(struct conn *);
static void	reply_error(struct conn *, int, const char *);
static void	pf_sign(struct sim *, const char *, char *, size_t);
static void	fmt_time(time_t, long, char *, size_t);
static int	parse_time(const char *, time_t *);
static struct sim_binding *binding_find(struct sim_server *, uint16_t);

enum sim_ep
api_endpoint(struct conn *c)
{
	switch (c->l->kind) {
	case L_WWW:
		return EP_TOKEN;
	case L_LIST:
		return EP_SERVERLIST;
	case L_WEB:
		return EP_WEB;
	case L_ADDKEY:
		return EP_ADDKEY;
	case L_SIG:
		if (strcmp(c->path, "/bindPort") == 0)
			return EP_BINDPORT;
		if (strcmp(c->path, "/ping") == 0)
			return EP_PING;
		return EP_GETSIG;
	default:
		return EP_META;
	}
}

void
api_reply_json(struct conn *c, int code, json_t *body, bool pretty)
{
	char *text;

	text = json_dumps(body, JSON_PRESERVE_ORDER |
	    (pretty ? JSON_INDENT(4) : JSON_COMPACT));
	c->code = code;
	c->ctype = "application/json";
	evbuffer_drain(c->out, evbuffer_get_length(c->out));
	if (text != NULL) {
		evbuffer_add_printf(c->out, "%s%s", text, pretty ? "\n" : "");
		free(text);
	}
	json_decref(body);
}

void
api_reply_text(struct conn *c, int code, const char *text)
{
	c->code = code;
	c->ctype = "text/plain";
	evbuffer_drain(c->out, evbuffer_get_length(c->out));
	evbuffer_add(c->out, text, strlen(text));
}

/* PIA's server-side error shape. */
static void
reply_error(struct conn *c, int code, const char *message)
{
	api_reply_json(c, code, json_pack("{s:s,s:s}", "status", "ERROR",
	    "message", message), true);
}

void
api_dispatch(struct conn *c)
{
	switch (c->ep) {
	case EP_TOKEN:
		api_token(c);
		break;
	case EP_SERVERLIST:
		api_serverlist(c);
		break;
	case EP_WEB:
		api_web(c);
		break;
	case EP_ADDKEY:
		api_addkey(c);
		break;
	case EP_GETSIG:
		api_getsignature(c);
		break;
	case EP_BINDPORT:
		api_bindport(c);
		break;
	case EP_PING:
		if (!from_tunnel(c))
			api_reply_text(c, 401, "Unauthorized client\n");
		else
			api_reply_text(c, 200, "pong\n");
		break;
	default:
		api_reply_text(c, 404, "Not Found\n");
	}
}

static bool
token_valid(struct sim *s, const char *token)
{
	int i;

	if (strlen(token) != SIM_TOKEN_LEN)
		return false;
	for (i = 0; i < SIM_MAX_TOKENS; i++)
		if (CRYPTO_memcmp(s->tokens[i], token, SIM_TOKEN_LEN) == 0 &&
		    s->tokens[i][0] != '\0')
			return true;
	return false;
}

static void
api_token(struct conn *c)
{
	struct sim		*s = c->s;
	struct simform_creds	 cr;
	const char		*err;
	char			*body;
	size_t			 len;
	bool			 ok;

	if (strcmp(c->path, TOKEN_PATH) != 0) {
		api_reply_text(c, 404, "Not Found\n");
		return;
	}
	if (strcmp(c->msg->method, "POST") != 0) {
		api_reply_text(c, 405, "Method Not Allowed\n");
		return;
	}
	if (s->faults.on[F_RATE_LIMIT]) {
		s->faults.hits[F_RATE_LIMIT]++;
		api_reply_json(c, 429, json_pack("{s:s,s:s,s:s}", "status",
		    "error", "code", "too_many_attempts", "message",
		    "Try again later."), false);
		return;
	}
	len = evbuffer_get_length(c->body);
	body = (char *)evbuffer_pullup(c->body, -1);
	if (simform_credentials(http_header_get(c->msg, "Content-Type"),
	    body ? body : "", body ? len : 0, &cr, &err) == -1) {
		log_info("token: %s: %s", inet_ntoa(c->peer.sin_addr), err);
		OPENSSL_cleanse(&cr, sizeof(cr));
		api_reply_json(c, 400, json_pack("{s:s,s:s,s:s}", "status",
		    "error", "code", "bad_request", "message", err), false);
		return;
	}
	ok = strcmp(cr.username, s->username) == 0 &&
	    strcmp(cr.password, s->password) == 0;
	OPENSSL_cleanse(&cr, sizeof(cr));
	if (s->faults.on[F_BAD_CREDENTIALS]) {
		s->faults.hits[F_BAD_CREDENTIALS]++;
		ok = false;
	}
	if (!ok) {
		api_reply_json(c, 401, json_pack("{s:s,s:s,s:s}", "status",
		    "error", "code", "unauthorized", "message",
		    "Invalid credentials"), false);
		return;
	}
	sim_random_hex(s->tokens[s->ntokens], SIM_TOKEN_LEN);
	api_reply_json(c, 200, json_pack("{s:s}", "token",
	    s->tokens[s->ntokens]), false);
	s->ntokens = (s->ntokens + 1) % SIM_MAX_TOKENS;
}

static void
api_serverlist(struct conn *c)
{
	char	*body;
	size_t	 len;

	if (strcmp(c->path, LIST_PATH) != 0) {
		api_reply_text(c, 404, "Not Found\n");
		return;
	}
	if ((body = sim_list_body(c->s, &len)) == NULL) {
		api_reply_text(c, 500, "Internal Server Error\n");
		return;
	}
	c->code = 200;
	c->ctype = "text/plain; charset=utf-8";
	evbuffer_add(c->out, body, len);
	free(body);
}

static void
api_web(struct conn *c)
{
	char text[32];

	snprintf(text, sizeof(text), "%s\n", inet_ntoa(c->peer.sin_addr));
	api_reply_text(c, 200, text);
}

static void
api_addkey(struct conn *c)
{
	struct sim		*s = c->s;
	struct sim_server	*sv = c->sv;
	struct sim_peer		*p = NULL;
	char			 token[SIM_TOKEN_LEN + 1], pub[64];
	char			 key_b64[48], ip[INET_ADDRSTRLEN + 4];
	char			 vip[INET_ADDRSTRLEN], sip[INET_ADDRSTRLEN];
	uint8_t			 key[SIM_WG_KEYLEN];
	unsigned		 i, slot;

	if (strcmp(c->path, "/addKey") != 0) {
		api_reply_text(c, 404, "Not Found\n");
		return;
	}
	if (simform_param(c->query, "pt", token, sizeof(token)) == -1 ||
	    !token_valid(s, token) || sim_fault_on(s, sv, F_LOGIN_FAILED)) {
		if (sim_fault_on(s, sv, F_LOGIN_FAILED))
			s->faults.hits[F_LOGIN_FAILED]++;
		reply_error(c, 200, "Login failed!");
		return;
	}
	if (simform_param(c->query, "pubkey", pub, sizeof(pub)) == -1 ||
	    strlen(pub) != 44 || sim_unb64(pub, key, sizeof(key)) !=
	    SIM_WG_KEYLEN) {
		reply_error(c, 400, "Invalid public key");
		return;
	}
	/* The same key again keeps its address; another key of the same
	 * token on this server evicts the older one, as PIA does. */
	for (i = 0; i < SIM_PEERS_PER_SERVER; i++) {
		struct sim_peer *q = &sv->peers[i];

		if (!q->used)
			continue;
		if (memcmp(q->pubkey, key, SIM_WG_KEYLEN) == 0)
			p = q;
		else if (strcmp(q->token, token) == 0) {
			log_info("%s: key %s evicted by a new key of its "
			    "token", sv->cn, q->pubkey_b64);
			(void)sim_wg_set_peer(sv, q, true);
			q->used = false;
		}
	}
	/*
	 * A new key of the account (piasim has one) takes over the address
	 * of the account's earlier key on this server, which is dropped: a
	 * client renewing its key and token keeps its address, so its
	 * connections survive the key swap (docs/piasim.md).
	 */
	for (i = 0; p == NULL && i < SIM_PEERS_PER_SERVER; i++) {
		struct sim_peer *q = &sv->peers[i];

		if (!q->used)
			continue;
		log_info("%s: key %s replaced by a new key of the account",
		    sv->cn, q->pubkey_b64);
		(void)sim_wg_set_peer(sv, q, true);
		q->used = false;
		p = q;
		memset(p, 0, sizeof(*p));
		memcpy(p->pubkey, key, SIM_WG_KEYLEN);
		snprintf(p->pubkey_b64, sizeof(p->pubkey_b64), "%s", pub);
		p->ip.s_addr = htonl(ntohl(sv->net.s_addr) + 2 + i);
	}
	if (p == NULL) {
		slot = sv->next_peer;
		for (i = 0; i < SIM_PEERS_PER_SERVER; i++) {
			unsigned k = (sv->next_peer + i) % SIM_PEERS_PER_SERVER;

			if (!sv->peers[k].used) {
				slot = k;
				break;
			}
		}
		p = &sv->peers[slot];
		if (p->used) {	/* full: the oldest slot goes */
			(void)sim_wg_set_peer(sv, p, true);
			p->used = false;
		}
		sv->next_peer = (slot + 1) % SIM_PEERS_PER_SERVER;
		memset(p, 0, sizeof(*p));
		memcpy(p->pubkey, key, SIM_WG_KEYLEN);
		snprintf(p->pubkey_b64, sizeof(p->pubkey_b64), "%s", pub);
		p->ip.s_addr = htonl(ntohl(sv->net.s_addr) + 2 + slot);
	}
	snprintf(p->token, sizeof(p->token), "%s", token);
	if (sim_wg_set_peer(sv, p, false) == -1) {
		reply_error(c, 500, "Internal error");
		return;
	}
	p->used = true;
	log_info("%s: added key %s as %s", sv->cn, p->pubkey_b64,
	    inet_ntoa(p->ip));

	sim_b64(sv->wg_pub, SIM_WG_KEYLEN, key_b64, sizeof(key_b64));
	inet_ntop(AF_INET, &sv->pub, sip, sizeof(sip));
	inet_ntop(AF_INET, &sv->vip, vip, sizeof(vip));
	inet_ntop(AF_INET, &p->ip, ip, sizeof(ip));
	/* PIA sometimes leaves the /32 off: odd servers do. */
	if (sv->idx % 2 == 0)
		strcat(ip, "/32");
	api_reply_json(c, 200, json_pack(
	    "{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:[s,s]}",
	    "status", "OK", "server_key", key_b64,
	    "server_port", (int)sv->wg_port, "server_ip", sip,
	    "server_vip", vip, "peer_ip", ip, "peer_pubkey", p->pubkey_b64,
	    "dns_servers", SIM_DNS1, SIM_DNS2), true);
}

/* Did the request come through this server's tunnel? */
static bool
from_tunnel(struct conn *c)
{
	return (c->peer.sin_addr.s_addr & htonl(0xfffffff0)) ==
	    c->sv->net.s_addr;
}

static void
fmt_time(time_t t, long nsec, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, nsec);
}

static int
parse_time(const char *text, time_t *t)
{
	struct tm	 tm;
	const char	*p;

	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	*t = timegm(&tm);
	return 0;
}

static void
pf_sign(struct sim *s, const char *payload, char *out, size_t outsize)
{
	uint8_t		mac[EVP_MAX_MD_SIZE];
	unsigned	maclen = 0;

	HMAC(EVP_sha512(), s->pf_secret, sizeof(s->pf_secret),
	    (const unsigned char *)payload, strlen(payload), mac, &maclen);
	sim_b64(mac, maclen, out, outsize);
}

static struct sim_binding *
binding_find(struct sim_server *sv, uint16_t port)
{
	int i;

	for (i = 0; i < SIM_BINDS_PER_SERVER; i++)
		if (sv->binds[i].used && sv->binds[i].port == port)
			return &sv->binds[i];
	return NULL;
}

static void
api_getsignature(struct conn *c)
{
	struct sim		*s = c->s;
	struct timespec		 ts;
	json_t			*pj;
	char			 token[SIM_TOKEN_LEN + 1], exp[64], *json;
	char			 payload[512], sig[128];
	uint16_t		 port;
	uint32_t		 r;

	if (!from_tunnel(c)) {
		api_reply_text(c, 401, "Unauthorized client\n");
		return;
	}
	if (strcmp(c->path, "/getSignature") != 0) {
		api_reply_text(c, 404, "Not Found\n");
		return;
	}
	if (sim_fault_on(s, c->sv, F_UNAUTHORIZED)) {
		s->faults.hits[F_UNAUTHORIZED]++;
		api_reply_text(c, 401, "Unauthorized client\n");
		return;
	}
	if (simform_param(c->query, "token", token, sizeof(token)) == -1 ||
	    !token_valid(s, token)) {
		reply_error(c, 401, "Login failed!");
		return;
	}
	do {
		if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
			r = (uint32_t)random();
		if (sim_fault_on(s, c->sv, F_LOW_PORT))
			port = (uint16_t)(1 + r % 1023);
		else
			port = (uint16_t)(10000 + r % 50000);
	} while (binding_find(c->sv, port) != NULL);
	if (sim_fault_on(s, c->sv, F_LOW_PORT))
		s->faults.hits[F_LOW_PORT]++;
	clock_gettime(CLOCK_REALTIME, &ts);
	fmt_time(ts.tv_sec + s->clock_offset + s->pf_lifetime, ts.tv_nsec,
	    exp, sizeof(exp));
	pj = json_pack("{s:s,s:i,s:s}", "token", token, "port", (int)port,
	    "expires_at", exp);
	json = json_dumps(pj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(pj);
	if (json == NULL) {
		reply_error(c, 500, "Internal error");
		return;
	}
	sim_b64((const uint8_t *)json, strlen(json), payload,
	    sizeof(payload));
	free(json);
	pf_sign(s, payload, sig, sizeof(sig));
	api_reply_json(c, 200, json_pack("{s:s,s:s,s:s}", "status", "OK",
	    "payload", payload, "signature", sig), true);
}

static void
api_bindport(struct conn *c)
{
	struct sim		*s = c->s;
	struct sim_server	*sv = c->sv;
	struct sim_binding	*b;
	json_t			*pj = NULL;
	json_error_t		 jerr;
	char			 payload[512], sig[128], want[128], msg[96];
	uint8_t			 raw[512];
	const char		*token, *exp;
	time_t			 expires;
	json_int_t		 port;
	int			 n, i;

	if (!from_tunnel(c)) {
		api_reply_text(c, 401, "Unauthorized client\n");
		return;
	}
	if (simform_param(c->query, "payload", payload,
	    sizeof(payload)) == -1 ||
	    simform_param(c->query, "signature", sig, sizeof(sig)) == -1) {
		reply_error(c, 400, "payload and signature are required");
		return;
	}
	pf_sign(s, payload, want, sizeof(want));
	if (strlen(sig) != strlen(want) ||
	    CRYPTO_memcmp(sig, want, strlen(want)) != 0) {
		reply_error(c, 400, "Invalid signature");
		return;
	}
	if ((n = sim_unb64(payload, raw, sizeof(raw) - 1)) < 0 ||
	    (pj = json_loadb((const char *)raw, (size_t)n, 0,
	    &jerr)) == NULL ||
	    json_unpack(pj, "{s:s,s:I,s:s}", "token", &token, "port", &port,
	    "expires_at", &exp) != 0 || parse_time(exp, &expires) == -1) {
		json_decref(pj);
		reply_error(c, 400, "Invalid payload");
		return;
	}
	if (sim_now(s) >= expires) {
		json_decref(pj);
		reply_error(c, 400, "Payload expired");
		return;
	}
	b = binding_find(sv, (uint16_t)port);
	if (sim_fault_on(s, sv, F_BUSY) || (b != NULL && strcmp(b->token,
	    token) != 0)) {
		if (sim_fault_on(s, sv, F_BUSY))
			s->faults.hits[F_BUSY]++;
		snprintf(msg, sizeof(msg),
		    "Port %d is busy. Please use another server", (int)port);
		json_decref(pj);
		reply_error(c, 409, msg);
		return;
	}
	if (b != NULL) {
		b->deadline = sim_now(s) + s->bind_ttl;
		if (b->peer.s_addr != c->peer.sin_addr.s_addr) {
			b->peer = c->peer.sin_addr;
			(void)sim_nft_server(s, sv);
		}
		json_decref(pj);
		api_reply_json(c, 200, json_pack("{s:s,s:s}", "status", "OK",
		    "message", "timer refreshed"), true);
		return;
	}
	for (i = 0; i < SIM_BINDS_PER_SERVER && sv->binds[i].used; i++)
		;
	if (i == SIM_BINDS_PER_SERVER) {
		json_decref(pj);
		reply_error(c, 503, "Too many ports");
		return;
	}
	b = &sv->binds[i];
	b->used = true;
	b->port = (uint16_t)port;
	snprintf(b->token, sizeof(b->token), "%s", token);
	b->peer = c->peer.sin_addr;
	b->deadline = sim_now(s) + s->bind_ttl;
	json_decref(pj);
	(void)sim_nft_server(s, sv);
	log_info("%s: port %u bound to %s", sv->cn, b->port,
	    inet_ntoa(b->peer));
	api_reply_json(c, 200, json_pack("{s:s,s:s}", "status", "OK",
	    "message", "port scheduled for add"), true);
}

void
api_expire_bindings(struct sim *s)
{
	int i, j, changed;

	for (i = 0; i < s->nservers; i++) {
		struct sim_server *sv = &s->servers[i];

		changed = 0;
		for (j = 0; j < SIM_BINDS_PER_SERVER; j++) {
			struct sim_binding *b = &sv->binds[j];

			if (b->used && sim_now(s) >= b->deadline) {
				log_info("%s: port %u expired", sv->cn,
				    b->port);
				b->used = false;
				changed = 1;
			}
		}
		if (changed)
			(void)sim_nft_server(s, sv);
	}
}
