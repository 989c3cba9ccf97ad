/* SPDX-License-Identifier: ISC */
/*
 * The HTTPS client for PIA calls: dial (direct in a netns, or through the
 * CONNECT proxy), TLS with a per-call CA and name, one HTTP/1.1 exchange,
 * one callback with the outcome. An https_conn keeps its TLS connection
 * between requests so getSignature and bindPort can share one, and
 * reconnects transparently when the server closed it meanwhile.
 *
 * Timeouts: connect (dial, incl. the proxy's answer) 5 s and total (from
 * the request to the last body byte) 15 s by default, both per request.
 *
 * Secrets: the path's query string (tokens) and the body (passwords) are
 * copied, wiped after use, and never logged: logs and result messages name
 * the call as "METHOD host/path" without the query.
 */
#ifndef PIAD_PIA_HTTPS_H
#define PIAD_PIA_HTTPS_H

#include <stdbool.h>
#include <stddef.h>

#include "pia/dial.h"
#include "pia/http.h"
#include "pia/result.h"

struct event_base;

#define HTTPS_TOTAL_TIMEOUT_MS	15000

/* Where to connect and whom to trust; copied by https_conn_new(). */
struct https_target {
	struct dial_spec dial;
	const char	*tls_name;	/* certificate name and SNI */
	const char	*ca_file;	/* NULL: the system store */
};

/* One request; everything is copied before https_conn_request() returns. */
struct https_request {
	const char	*method;	/* "GET", "POST", ... */
	/* "/addKey?pt=...": query never logged */
	const char	*path;
	const char	*host;		/* Host field; NULL: tls_name[:port] */
	const char	*content_type;	/* with a body; NULL: form-urlencoded */
	const void	*body;		/* may be secret; NULL: none */
	size_t		 body_len;
	const char	*extra_headers;	/* "Name: value\r\n"...; NULL: none */
	unsigned	 connect_timeout_ms; /* 0: DIAL_CONNECT_TIMEOUT_MS */
	unsigned	 total_timeout_ms;   /* 0: HTTPS_TOTAL_TIMEOUT_MS */
};

/*
 * What the callback gets. res.err is PIA_OK for a 2xx answer read in full;
 * PIA_ERR_HTTP_STATUS for another status (PIA_ERR_RATE_LIMITED for 429,
 * retry_after_s from Retry-After), with the body still delivered; the
 * transport kinds (network, timeout, tls_verify, protocol) otherwise.
 * res.http_status is the status whenever a head was read.
 *
 * Valid during the callback only. The callee may take `body` (set the
 * field to NULL) and then owns it: free it, wiping it first if it may
 * hold a secret. Otherwise it is wiped and freed after the callback.
 */
struct https_response {
	struct pia_result	 res;
	int			 status;	/* 0 if no head was read */
	const struct http_msg	*head;		/* NULL if no head was read */
	char			*body;		/* NUL-terminated, may be "" */
	size_t			 body_len;
	unsigned		 connect_ms;	/* dial time; 0 if reused */
	unsigned		 total_ms;
	bool			 reused;	/* ran on a kept-alive conn */
};

typedef void (*https_cb)(struct https_response *resp, void *arg);

struct https_conn;

/* A connection object (nothing is dialed until the first request). */
struct https_conn *https_conn_new(struct event_base *base,
	    const struct https_target *target);

/*
 * Run one request; cb is called exactly once, never before this returns,
 * unless the conn is freed first. One request at a time: -1 with errno
 * EBUSY if one is running (calling it from the callback is fine: the
 * previous one is finished by then). -1 with EINVAL for a method, path or
 * host with spaces or control characters.
 */
int	https_conn_request(struct https_conn *c,
	    const struct https_request *req, https_cb cb, void *arg);

/*
 * Close and free. A request in flight is abandoned: its callback does not
 * run. Safe from inside the callback (the memory goes from a deferred
 * event).
 */
void	https_conn_free(struct https_conn *c);

/*
 * One-shot: a private conn that sends "Connection: close" and frees itself
 * after the callback. The handle may be passed to https_conn_free() to
 * abandon the call before its callback; it is invalid afterwards. NULL
 * with errno on failure to start (no callback then).
 */
struct https_conn *https_fetch(struct event_base *base,
	    const struct https_target *target, const struct https_request *req,
	    https_cb cb, void *arg);

#endif
