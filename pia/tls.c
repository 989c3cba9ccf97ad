/* SPDX-License-Identifier: ISC */
/*
 * TLS contexts and client bufferevents. Contexts are cached by CA path
 * because loading a 4096-bit CA and building the store costs more than the
 * whole exchange with a nearby server; the cache key includes the file's
 * identity and mtime so a replaced CA file is picked up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "core/log.h"
#include "pia/tls.h"

struct tls_ctx_entry {
	struct tls_ctx_entry	*next;
	char			*path;		/* NULL: system store */
	dev_t			 dev;
	ino_t			 ino;
	struct timespec		 mtime;
	SSL_CTX			*ctx;
};

static struct tls_ctx_entry *tls_cache;

static SSL_CTX *
tls_ctx_build(const char *ca_file, struct pia_result *res)
{
	SSL_CTX *ctx;
	unsigned long e;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		goto fail;
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
		goto fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	/* One exchange or two per connection: tickets buy nothing. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION);
	if (ca_file != NULL) {
		if (SSL_CTX_load_verify_file(ctx, ca_file) != 1)
			goto fail;
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1)
		goto fail;
	return ctx;
fail:
	e = ERR_peek_last_error();
	pia_result_set(res, PIA_ERR_TLS_VERIFY, "CA file %s: %s",
	    ca_file != NULL ? ca_file : "(system default)",
	    e != 0 ? ERR_reason_error_string(e) : "cannot load");
	if (res->message[0] == '\0' || e == 0)
		pia_result_set(res, PIA_ERR_TLS_VERIFY, "CA file %s: cannot "
		    "load", ca_file != NULL ? ca_file : "(system default)");
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
tls_ctx_get(const char *ca_file, struct pia_result *res)
{
	struct tls_ctx_entry *e, **pp;
	struct stat st;

	memset(&st, 0, sizeof(st));
	if (ca_file != NULL && stat(ca_file, &st) == -1) {
		pia_result_set(res, PIA_ERR_TLS_VERIFY, "CA file %s: %s",
		    ca_file, strerror(errno));
		return NULL;
	}
	for (pp = &tls_cache; (e = *pp) != NULL; pp = &e->next) {
		if ((e->path == NULL) != (ca_file == NULL) ||
		    (ca_file != NULL && strcmp(e->path, ca_file) != 0))
			continue;
		if (e->dev == st.st_dev && e->ino == st.st_ino &&
		    e->mtime.tv_sec == st.st_mtim.tv_sec &&
		    e->mtime.tv_nsec == st.st_mtim.tv_nsec)
			return e->ctx;
		/* The file changed: rebuild. */
		*pp = e->next;
		SSL_CTX_free(e->ctx);
		free(e->path);
		free(e);
		break;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (ca_file != NULL && (e->path = strdup(ca_file)) == NULL)) {
		free(e);
		pia_result_set(res, PIA_ERR_NETWORK, "TLS: out of memory");
		return NULL;
	}
	if ((e->ctx = tls_ctx_build(ca_file, res)) == NULL) {
		free(e->path);
		free(e);
		return NULL;
	}
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->mtime = st.st_mtim;
	e->next = tls_cache;
	tls_cache = e;
	return e->ctx;
}

void
tls_ctx_cache_clear(void)
{
	struct tls_ctx_entry *e;

	while ((e = tls_cache) != NULL) {
		tls_cache = e->next;
		SSL_CTX_free(e->ctx);
		free(e->path);
		free(e);
	}
}

struct bufferevent *
tls_client_new(struct event_base *base, struct bufferevent *under,
    const char *ca_file, const char *name, struct pia_result *res)
{
	struct bufferevent *bev;
	unsigned char ipbuf[16];
	SSL_CTX *ctx;
	SSL *ssl;
	int is_ip;

	if ((ctx = tls_ctx_get(ca_file, res)) == NULL)
		goto fail;
	if ((ssl = SSL_new(ctx)) == NULL) {
		pia_result_set(res, PIA_ERR_NETWORK, "TLS: out of memory");
		goto fail;
	}
	is_ip = inet_pton(AF_INET, name, ipbuf) == 1 ||
	    inet_pton(AF_INET6, name, ipbuf) == 1;
	if (is_ip) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) !=
		    1)
			goto bad_name;
	} else {
		/* SNI must be a DNS name; the check must be exact. */
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		/*
		 * SSL_set_tlsext_host_name() casts const away in a macro;
		 * its SSL_ctrl() only copies the name.
		 */
		if (SSL_set1_host(ssl, name) != 1 ||
		    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME,
		    TLSEXT_NAMETYPE_host_name, (void *)(uintptr_t)name) != 1)
			goto bad_name;
	}
	bev = bufferevent_openssl_filter_new(base, under, ssl,
	    BUFFEREVENT_SSL_CONNECTING,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (bev == NULL) {
		/*
		 * Out of memory inside libevent. Whether it already freed ssl
		 * and `under` differs between versions: leak them rather than
		 * risk a double free on a path that cannot happen in practice.
		 */
		pia_result_set(res, PIA_ERR_NETWORK, "TLS: out of memory");
		return NULL;
	}
	/*
	 * Servers often close without close_notify; the HTTP framing (length
	 * or chunked) is what detects truncation, not the TLS layer.
	 */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
bad_name:
	SSL_free(ssl);
	ERR_clear_error();
	pia_result_set(res, PIA_ERR_TLS_VERIFY, "TLS: invalid server name "
	    "'%.64s'", name);
fail:
	bufferevent_free(under);
	return NULL;
}

void
tls_error(struct bufferevent *bev, const char *name, struct pia_result *res)
{
	SSL *ssl = bufferevent_openssl_get_ssl(bev);
	unsigned long e, last = 0;
	long verify;
	int sockerr = EVUTIL_SOCKET_ERROR();

	while ((e = bufferevent_get_openssl_error(bev)) != 0)
		last = e;
	ERR_clear_error();
	if (ssl != NULL && (verify = SSL_get_verify_result(ssl)) != X509_V_OK) {
		pia_result_set(res, PIA_ERR_TLS_VERIFY, "TLS certificate of "
		    "%.64s not accepted: %s", name,
		    X509_verify_cert_error_string(verify));
		return;
	}
	if (last != 0) {
		const char *reason = ERR_reason_error_string(last);

		pia_result_set(res, PIA_ERR_NETWORK, "TLS with %.64s failed: "
		    "%s", name, reason != NULL ? reason : "unknown error");
		return;
	}
	pia_result_set(res, PIA_ERR_NETWORK, "TLS with %.64s failed: %s", name,
	    sockerr != 0 ? evutil_socket_error_to_string(sockerr) :
	    "connection closed");
}
