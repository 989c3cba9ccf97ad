/* SPDX-License-Identifier: ISC */
/*
 * TLS client side for PIA calls, on bufferevent_openssl. Each call names
 * the CA file to trust (the PIA CA for the WireGuard servers' ports 1337
 * and 19999; pia.api_ca_file, or the system store when NULL, for the token
 * and server-list hosts) and the name the certificate must carry, which may
 * differ from the address dialed (we connect to wg.ip but verify wg.cn).
 * TLS 1.2 or later only. One SSL_CTX per CA file, reloaded when the file
 * changes.
 */
#ifndef PIAD_PIA_TLS_H
#define PIAD_PIA_TLS_H

#include <openssl/ssl.h>

#include "pia/result.h"

struct bufferevent;
struct event_base;

/*
 * The cached context for ca_file (NULL: the system default store). The
 * cache owns it: do not free. NULL with res filled (PIA_ERR_TLS_VERIFY,
 * "CA file ...: ...") if the file cannot be loaded.
 */
SSL_CTX	*tls_ctx_get(const char *ca_file, struct pia_result *res);

/* Drop every cached context (tests, shutdown). */
void	 tls_ctx_cache_clear(void);

/*
 * Start a TLS client over `under` (a connected bufferevent; ownership
 * passes to the returned one, which frees it: BEV_OPT_CLOSE_ON_FREE).
 * SNI and the certificate name check use `name`; an IP literal is checked
 * against the certificate's IP SANs and sends no SNI. On failure returns
 * NULL, frees `under`, and fills res.
 */
struct bufferevent *tls_client_new(struct event_base *base,
	    struct bufferevent *under, const char *ca_file, const char *name,
	    struct pia_result *res);

/*
 * After BEV_EVENT_ERROR on a TLS bufferevent: say why. A certificate that
 * did not verify gives PIA_ERR_TLS_VERIFY with X509's reason ("TLS
 * certificate of NAME not accepted: hostname mismatch"); anything else
 * PIA_ERR_NETWORK with the OpenSSL reason or the socket error.
 */
void	 tls_error(struct bufferevent *bev, const char *name,
	    struct pia_result *res);

#endif
