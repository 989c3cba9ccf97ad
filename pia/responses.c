/* SPDX-License-Identifier: ISC */
/*
 * PIA reply parsing. The order of the checks is the policy: a rate limit
 * wins over everything (whatever status carries it), then the per-call
 * meanings of 401/409, then PIA's own error message, then the bare HTTP
 * status, and only a 200 with status "OK" (or a token) is a success, and
 * only after every field piad will use has been checked.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "core/b64.h"
#include "pia/responses.h"

#define RETRY_AFTER_CAP	86400
#define QUOTE_MAX	120

unsigned
pia_retry_after(const char *hdr, time_t now)
{
	struct tm	 tm;
	const char	*end;
	char		*ep;
	unsigned long	 v;
	time_t		 t;

	if (hdr == NULL)
		return PIA_RETRY_AFTER_DEFAULT;
	while (*hdr == ' ' || *hdr == '\t')
		hdr++;
	if (isdigit((unsigned char)*hdr)) {
		errno = 0;
		v = strtoul(hdr, &ep, 10);
		while (*ep == ' ' || *ep == '\t')
			ep++;
		if (*ep != '\0')
			return PIA_RETRY_AFTER_DEFAULT;
		if (errno == ERANGE || v > RETRY_AFTER_CAP)
			return RETRY_AFTER_CAP;
		return v == 0 ? 1 : (unsigned)v;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(hdr, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0' || (t = timegm(&tm)) == (time_t)-1)
		return PIA_RETRY_AFTER_DEFAULT;
	if (t <= now)
		return 1;
	if (t - now > RETRY_AFTER_CAP)
		return RETRY_AFTER_CAP;
	return (unsigned)(t - now);
}

/* PIA's message, made safe for a log line. */
static void
quote(const char *s, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < outlen && i < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[i] = '\0';
}

static json_t *
load_body(const struct pia_reply_in *in)
{
	json_error_t jerr;

	if (in->body == NULL || in->len == 0 || in->len > PIA_REPLY_MAX)
		return NULL;
	return json_loadb(in->body, in->len, 0, &jerr);
}

static const char *
jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int
status_ok(json_t *root)
{
	const char *s = jstr(root, "status");

	return s != NULL && strcasecmp(s, "OK") == 0;
}

static int
rate_limited(const char *call, const struct pia_reply_in *in, json_t *root,
    struct pia_result *r)
{
	const char *code = jstr(root, "code");

	if (in->status != 429 && (code == NULL ||
	    strcasecmp(code, "too_many_attempts") != 0))
		return 0;
	r->retry_after_s = pia_retry_after(in->retry_after, time(NULL));
	pia_result_set(r, PIA_ERR_RATE_LIMITED, "%s: rate limited, retry in "
	    "%u s", call, r->retry_after_s);
	return 1;
}

/*
 * A short one-line text body ("Unauthorized client\n") is worth showing
 * with the status; HTML pages and anything long are not.
 */
static int
plain_text(const struct pia_reply_in *in, char *out, size_t outlen)
{
	size_t n = in->len, i;

	while (n > 0 && (in->body[n - 1] == '\n' || in->body[n - 1] == '\r'))
		n--;
	if (n == 0 || n > QUOTE_MAX || n >= outlen)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in->body[i];

		if (c < 0x20 || c >= 0x7f || c == '<')
			return 0;
	}
	memcpy(out, in->body, n);
	out[n] = '\0';
	return 1;
}

/* The generic failure: PIA's message, else the status, else malformed. */
static int
generic_fail(const char *call, const struct pia_reply_in *in, json_t *root,
    const char *what, struct pia_result *r)
{
	const char	*msg = jstr(root, "message");
	char		 q[QUOTE_MAX + 1];

	if (msg != NULL && *msg != '\0') {
		quote(msg, q, sizeof(q));
		if (in->status != 200)
			pia_result_set(r, PIA_ERR_API, "%s: %s (HTTP %d)",
			    call, q, in->status);
		else
			pia_result_set(r, PIA_ERR_API, "%s: %s", call, q);
	} else if (in->status != 200 && root == NULL && plain_text(in, q,
	    sizeof(q)))
		pia_result_set(r, PIA_ERR_HTTP_STATUS, "%s: HTTP %d: %s", call,
		    in->status, q);
	else if (in->status != 200)
		pia_result_set(r, PIA_ERR_HTTP_STATUS, "%s: HTTP %d", call,
		    in->status);
	else if (root == NULL)
		pia_result_set(r, PIA_ERR_PROTOCOL, "%s: response is not JSON",
		    call);
	else
		pia_result_set(r, PIA_ERR_PROTOCOL, "%s: %s", call, what);
	return -1;
}

static void
begin(const struct pia_reply_in *in, struct pia_result *r)
{
	pia_result_clear(r);
	r->http_status = in->status;
}

/*
 * Free the parsed body. jansson keeps its own copy of every string, so the
 * one that holds a secret (the token, the payload) is wiped first.
 */
static void
free_body(json_t *root, const char *secret)
{
	json_t *v;

	if (root == NULL)
		return;
	v = json_object_get(root, secret);
	if (json_is_string(v))
		OPENSSL_cleanse((char *)(uintptr_t)json_string_value(v),
		    json_string_length(v));
	json_decref(root);
}

int
pia_parse_token(const struct pia_reply_in *in, char **token,
    struct pia_result *r)
{
	json_t		*root;
	const char	*t;
	int		 rc = -1;

	*token = NULL;
	begin(in, r);
	root = load_body(in);
	if (rate_limited("token", in, root, r))
		goto out;
	if (in->status == 401) {
		pia_result_set(r, PIA_ERR_BAD_CREDENTIALS, "token: bad "
		    "credentials (HTTP 401)");
		goto out;
	}
	t = jstr(root, "token");
	if (in->status != 200 || t == NULL || *t == '\0') {
		generic_fail("token", in, root, "no token in the response", r);
		goto out;
	}
	if ((*token = strdup(t)) == NULL) {
		pia_result_set(r, PIA_ERR_PROTOCOL, "token: out of memory");
		goto out;
	}
	rc = 0;
out:
	free_body(root, "token");
	return rc;
}

static int
copy_ipv4(const char *s, char *out, int allow_32)
{
	struct in_addr	 a;
	char		 buf[PIA_ADDR_MAX + 3];
	size_t		 n;

	if (s == NULL || (n = strlen(s)) >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	if (allow_32 && n > 3 && strcmp(buf + n - 3, "/32") == 0)
		buf[n - 3] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	/* Re-print so the stored text is canonical. */
	inet_ntop(AF_INET, &a, out, PIA_ADDR_MAX);
	return 0;
}

int
pia_parse_addkey(const struct pia_reply_in *in, const char *our_pubkey,
    struct pia_addkey_reply *out, struct pia_result *r)
{
	json_t		*root, *v, *e;
	const char	*msg, *key, *peer;
	uint8_t		 ours[PIA_WG_KEY_LEN + 3];
	ssize_t		 n;
	size_t		 i;
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	begin(in, r);
	root = load_body(in);
	if (rate_limited("addKey", in, root, r))
		goto out;
	msg = jstr(root, "message");
	if (msg != NULL && strcmp(msg, "Login failed!") == 0)
		out->login_failed = true;
	if (in->status != 200 || !status_ok(root)) {
		generic_fail("addKey", in, root, "status is not OK", r);
		goto out;
	}
	key = jstr(root, "server_key");
	if (key == NULL || b64_decode(key, strlen(key), out->server_key,
	    sizeof(out->server_key), 0) != PIA_WG_KEY_LEN) {
		pia_result_set(r, PIA_ERR_PROTOCOL, "addKey: server_key is "
		    "not a base64 32-byte key");
		goto out;
	}
	memcpy(out->server_key_b64, key, PIA_WG_KEY_B64_LEN);
	peer = jstr(root, "peer_pubkey");
	n = our_pubkey == NULL ? -1 : b64_decode(our_pubkey,
	    strlen(our_pubkey), ours, sizeof(ours), 0);
	if (peer == NULL || n != PIA_WG_KEY_LEN ||
	    strcmp(peer, our_pubkey) != 0) {
		pia_result_set(r, PIA_ERR_PROTOCOL, "addKey: peer_pubkey is "
		    "not the key we sent");
		goto out;
	}
	v = json_object_get(root, "server_port");
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 65535) {
		pia_result_set(r, PIA_ERR_PROTOCOL, "addKey: server_port "
		    "missing or out of range");
		goto out;
	}
	out->server_port = (uint16_t)json_integer_value(v);
	if (copy_ipv4(jstr(root, "server_ip"), out->server_ip, 0) == -1) {
		pia_result_set(r, PIA_ERR_PROTOCOL, "addKey: server_ip is not "
		    "an IPv4 address");
		goto out;
	}
	if (copy_ipv4(jstr(root, "server_vip"), out->server_vip, 0) == -1) {
		pia_result_set(r, PIA_ERR_PROTOCOL, "addKey: server_vip is not "
		    "an IPv4 address");
		goto out;
	}
	if (copy_ipv4(jstr(root, "peer_ip"), out->peer_ip, 1) == -1) {
		pia_result_set(r, PIA_ERR_PROTOCOL, "addKey: peer_ip is not "
		    "an IPv4 address");
		goto out;
	}
	v = json_object_get(root, "dns_servers");
	json_array_foreach(v, i, e) {
		if (out->ndns == PIA_DNS_MAX)
			break;
		/* An odd DNS entry is dropped; the relay has a default. */
		if (copy_ipv4(json_string_value(e), out->dns[out->ndns],
		    0) == 0)
			out->ndns++;
	}
	rc = 0;
out:
	if (rc == -1) {
		bool lf = out->login_failed;

		memset(out, 0, sizeof(*out));
		out->login_failed = lf;
	}
	json_decref(root);
	return rc;
}

static int
mentions_expired(const char *msg)
{
	return msg != NULL && strcasestr(msg, "expired") != NULL;
}

/*
 * A getSignature or bindPort reply that is not OK: a message that says
 * "expired" means a new signature is needed, anything else is generic.
 */
static void
not_ok(const char *call, const struct pia_reply_in *in, json_t *root,
    const char *msg, struct pia_result *r)
{
	char q[QUOTE_MAX + 1];

	if (mentions_expired(msg)) {
		quote(msg, q, sizeof(q));
		pia_result_set(r, PIA_ERR_EXPIRED, "%s: %s", call, q);
	} else
		generic_fail(call, in, root, "status is not OK", r);
}

void
pia_signature_clear(struct pia_signature *s)
{
	if (s->payload != NULL) {
		OPENSSL_cleanse(s->payload, strlen(s->payload));
		free(s->payload);
	}
	if (s->signature != NULL) {
		OPENSSL_cleanse(s->signature, strlen(s->signature));
		free(s->signature);
	}
	pia_payload_clear(&s->decoded);
	memset(s, 0, sizeof(*s));
}

int
pia_parse_getsignature(const struct pia_reply_in *in, time_t now,
    struct pia_signature *out, struct pia_result *r)
{
	json_t		*root;
	const char	*pl, *sig, *msg;
	char		 e[PIA_RESULT_MSG_MAX - 32];
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	begin(in, r);
	root = load_body(in);
	if (rate_limited("getSignature", in, root, r))
		goto out;
	msg = jstr(root, "message");
	if (in->status != 200 || !status_ok(root)) {
		not_ok("getSignature", in, root, msg, r);
		goto out;
	}
	pl = jstr(root, "payload");
	sig = jstr(root, "signature");
	if (pl == NULL || *pl == '\0' || sig == NULL || *sig == '\0') {
		pia_result_set(r, PIA_ERR_PROTOCOL, "getSignature: payload or "
		    "signature missing");
		goto out;
	}
	out->payload_status = pia_payload_decode(pl, strlen(pl),
	    &out->decoded, e, sizeof(e));
	if (out->payload_status != PIA_PAYLOAD_OK) {
		pia_result_set(r, PIA_ERR_PROTOCOL, "getSignature: %s", e);
		goto out;
	}
	if (pia_payload_expired(&out->decoded, now)) {
		pia_result_set(r, PIA_ERR_EXPIRED, "getSignature: payload "
		    "already expired");
		goto out;
	}
	if ((out->payload = strdup(pl)) == NULL ||
	    (out->signature = strdup(sig)) == NULL) {
		pia_result_set(r, PIA_ERR_PROTOCOL, "getSignature: out of "
		    "memory");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1) {
		enum pia_payload_status ps = out->payload_status;
		uint16_t port = out->decoded.port;

		pia_signature_clear(out);
		/* Keep what the caller needs to name a refused low port. */
		out->payload_status = ps;
		if (ps == PIA_PAYLOAD_LOW_PORT)
			out->decoded.port = port;
	}
	free_body(root, "payload");
	return rc;
}

static int
says_busy(const char *msg)
{
	const char	*p;

	/* "Port N is busy. Please use another server", any case. */
	if (msg == NULL || strncasecmp(msg, "port ", 5) != 0)
		return 0;
	p = msg + 5;
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	return strncasecmp(p, " is busy", 8) == 0;
}

int
pia_parse_bindport(const struct pia_reply_in *in, struct pia_bind_reply *out,
    struct pia_result *r)
{
	json_t		*root;
	const char	*msg;
	char		 q[QUOTE_MAX + 1];
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	begin(in, r);
	root = load_body(in);
	if (rate_limited("bindPort", in, root, r))
		goto out;
	msg = jstr(root, "message");
	if (in->status == 409 || (!status_ok(root) && says_busy(msg))) {
		quote(msg != NULL ? msg : "port busy", q, sizeof(q));
		pia_result_set(r, PIA_ERR_PORT_BUSY, "bindPort: %s", q);
		goto out;
	}
	if (in->status != 200 || !status_ok(root)) {
		not_ok("bindPort", in, root, msg, r);
		goto out;
	}
	if (msg != NULL)
		quote(msg, out->message, sizeof(out->message));
	rc = 0;
out:
	json_decref(root);
	return rc;
}
