/* SPDX-License-Identifier: ISC */
/*
 * The PIA API calls, on the HTTPS client (pia/https.h): token, server
 * list, addKey, getSignature, bindPort. Every call is asynchronous and
 * ends in one callback with a struct pia_reply: the outcome in the shared
 * taxonomy (pia/result.h) and, on success, the typed data.
 *
 * Where a call goes is the caller's choice, given as a dial spec: through
 * the CONNECT proxy before the tunnel exists (token, server list, addKey),
 * directly from the VPN netns through the tunnel (getSignature, bindPort).
 * For a DIAL_PROXY spec whose host is empty, host and port are taken from
 * the URL (token, server list) or from the server's cn/ip and port
 * (addKey: CONNECT wg.ip:1337, as the proxy only knows IPs of the list).
 *
 * Secrets: the password, tokens and the payload travel only in request
 * bodies and query strings, which the HTTPS client wipes and never logs;
 * result messages never contain them.
 */
#ifndef PIAD_PIA_API_H
#define PIAD_PIA_API_H

#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

#include "pia/dial.h"
#include "pia/responses.h"
#include "pia/result.h"
#include "pia/serverlist.h"

struct event_base;

#define PIA_PORT_ADDKEY		1337
#define PIA_PORT_PF		19999

enum pia_call_kind {
	PIA_CALL_TOKEN,
	PIA_CALL_SERVERLIST,
	PIA_CALL_ADDKEY,
	PIA_CALL_GETSIGNATURE,
	PIA_CALL_BINDPORT,
};

/*
 * Valid during the callback. res.err == PIA_OK means the field for kind
 * is filled. The callee may take `token`, `list` or `sig` (copy the
 * struct / pointer, then zero the field in the reply); whatever is left is
 * wiped and freed after the callback returns.
 */
struct pia_reply {
	enum pia_call_kind	 kind;
	struct pia_result	 res;
	unsigned		 connect_ms;	/* 0 on a reused connection */
	unsigned		 total_ms;
	char			*token;		/* TOKEN; secret */
	struct pia_serverlist	*list;		/* SERVERLIST; verified */
	/* ADDKEY; addkey.login_failed is set on failure too. */
	struct pia_addkey_reply	 addkey;
	/* GETSIGNATURE; sig.payload_status is set on failure too. */
	struct pia_signature	 sig;
	struct pia_bind_reply	 bind;		/* BINDPORT */
};

typedef void (*pia_api_cb)(struct pia_reply *reply, void *arg);

/* A one-shot call in flight. */
struct pia_call;

/*
 * POST token_url with the form username, password. ca_file: the CA for
 * the API host (NULL: system store).
 */
struct pia_call *pia_token(struct event_base *base,
	    const struct dial_spec *dial, const char *token_url,
	    const char *ca_file, const char *username, const char *password,
	    pia_api_cb cb, void *arg);

/*
 * GET url, verify the signature with key (the call takes its own
 * reference), parse. reply->list->fetched_at is set to time(NULL).
 */
struct pia_call *pia_serverlist_fetch(struct event_base *base,
	    const struct dial_spec *dial, const char *url, const char *ca_file,
	    EVP_PKEY *key, pia_api_cb cb, void *arg);

/*
 * GET https://CN:1337/addKey?pt=TOKEN&pubkey=PUBKEY, TLS verified against
 * ca_file (the PIA CA) and the name cn. For DIAL_DIRECT the spec holds the
 * server's ip and port; see above for DIAL_PROXY.
 */
struct pia_call *pia_addkey(struct event_base *base,
	    const struct dial_spec *dial, const char *ca_file,
	    const struct pia_server *server, const char *token,
	    const char *pubkey, pia_api_cb cb, void *arg);

/*
 * Every call above returns NULL (and never calls back) only if it could
 * not start: bad URL, out of memory; errno is set then. Cancelling a call
 * means its callback will not run; a finished call is gone (do not cancel
 * it from or after its callback).
 */
void	pia_call_cancel(struct pia_call *);

/*
 * Port forwarding on one kept-alive connection to https://CN:19999 at
 * server_vip (dial: DIAL_DIRECT from the VPN netns). getSignature and the
 * bindPort calls that follow share the TLS connection while the server
 * keeps it open; it is redialed transparently otherwise. One request at a
 * time. Freeing the session abandons a request in flight (no callback).
 */
struct pia_pf;

struct pia_pf *pia_pf_new(struct event_base *base,
	    const struct dial_spec *dial, const char *ca_file, const char *cn);
void	pia_pf_free(struct pia_pf *);

/* 0, or -1 with errno (EBUSY: a request is running). */
int	pia_pf_getsignature(struct pia_pf *, const char *token,
	    pia_api_cb cb, void *arg);
int	pia_pf_bindport(struct pia_pf *, const char *payload,
	    const char *signature, pia_api_cb cb, void *arg);

/*
 * The request targets, URL-encoded; exposed for tests. Each returns a
 * malloc'd string holding secrets: free it with urlenc_free_secret().
 */
char	*pia_addkey_path(const char *token, const char *pubkey);
char	*pia_getsignature_path(const char *token);
char	*pia_bindport_path(const char *payload, const char *signature);
/* The token form body "username=...&password=...". */
char	*pia_token_form(const char *username, const char *password);

/*
 * Split "https://host[:port]/path?query" (https only; default port 443,
 * path "/"). 0 or -1 with errno EINVAL.
 */
int	pia_url_split(const char *url, char *host, size_t hostlen,
	    uint16_t *port, char *path, size_t pathlen);

#endif
