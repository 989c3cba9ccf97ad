/* SPDX-License-Identifier: ISC */
/*
 * Parsers for the bodies of PIA's API replies: token, addKey, getSignature,
 * bindPort. Each takes what the HTTPS client read (status, Retry-After,
 * body) and yields a typed reply plus a struct pia_result in the shared
 * taxonomy, so the FSM can react to the kind alone. They do no I/O and are
 * fuzzed. PIA pretty-prints some of these bodies and adds fields over
 * time: bodies are always parsed as JSON, never matched as text, and
 * unknown fields are ignored.
 *
 * Result messages start with the call name ("addKey: ...") and may quote
 * PIA's own "message" (sanitized, truncated); they never hold a token,
 * password, key or URL query.
 */
#ifndef PIAD_PIA_RESPONSES_H
#define PIAD_PIA_RESPONSES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pia/payload.h"
#include "pia/result.h"

/* Bodies are small; anything bigger is not PIA talking. */
#define PIA_REPLY_MAX		(64 * 1024)
/* Wait this long after a rate limit that did not say how long. */
#define PIA_RETRY_AFTER_DEFAULT	60
#define PIA_WG_KEY_LEN		32
#define PIA_WG_KEY_B64_LEN	44	/* without NUL */
#define PIA_ADDR_MAX		16	/* dotted IPv4 + NUL */
#define PIA_DNS_MAX		4

/* What the HTTPS client read; retry_after is the raw header or NULL. */
struct pia_reply_in {
	int		 status;
	const char	*retry_after;
	const char	*body;
	size_t		 len;
};

struct pia_addkey_reply {
	uint8_t		server_key[PIA_WG_KEY_LEN];
	char		server_key_b64[PIA_WG_KEY_B64_LEN + 1];
	uint16_t	server_port;
	char		server_ip[PIA_ADDR_MAX];
	char		server_vip[PIA_ADDR_MAX];
	char		peer_ip[PIA_ADDR_MAX];	/* without any "/32" */
	char		dns[PIA_DNS_MAX][PIA_ADDR_MAX];
	size_t		ndns;
	/* PIA said "Login failed!": the token is stale, get a new one once. */
	bool		login_failed;
};

struct pia_signature {
	char			*payload;	/* base64 text, verbatim */
	char			*signature;	/* base64 text, verbatim */
	struct pia_payload	 decoded;
	/* PIA_PAYLOAD_LOW_PORT is reported here as well as in the result. */
	enum pia_payload_status	 payload_status;
};

#define PIA_BIND_MSG_MAX	64
struct pia_bind_reply {
	char		message[PIA_BIND_MSG_MAX];	/* "timer refreshed" */
};

/*
 * Seconds from a Retry-After header value: delta-seconds (capped at one
 * day) or an HTTP-date relative to now; PIA_RETRY_AFTER_DEFAULT if absent
 * or unreadable.
 */
unsigned pia_retry_after(const char *hdr, time_t now);

/*
 * Each returns 0 when r->err is PIA_OK, else -1; r is always filled, and
 * http_status copied into it. On success the caller owns the reply and
 * frees it as noted.
 */

/* *token is a new string: wipe with OPENSSL_cleanse and free. */
int	pia_parse_token(const struct pia_reply_in *in, char **token,
	    struct pia_result *r);

/* our_pubkey is the base64 public key we sent; it must come back. */
int	pia_parse_addkey(const struct pia_reply_in *in, const char *our_pubkey,
	    struct pia_addkey_reply *out, struct pia_result *r);

/*
 * now (UTC seconds) decides whether the payload is already expired.
 * On failure out is empty; on success free with pia_signature_clear.
 */
int	pia_parse_getsignature(const struct pia_reply_in *in, time_t now,
	    struct pia_signature *out, struct pia_result *r);
void	pia_signature_clear(struct pia_signature *);

int	pia_parse_bindport(const struct pia_reply_in *in,
	    struct pia_bind_reply *out, struct pia_result *r);

#endif
