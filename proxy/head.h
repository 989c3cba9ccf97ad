/* SPDX-License-Identifier: ISC */
/*
 * From a request head to a decision: the bytes a client sent before the
 * proxy says anything, read through the shared HTTP/1.1 head parser
 * (pia/http.h), become either "connect to host:port" or the HTTP status
 * to refuse with. No I/O and no state besides the allowlists, so the
 * fuzzer drives exactly what the proxy runs.
 */
#ifndef PIAD_PROXY_HEAD_H
#define PIAD_PROXY_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pia/http.h"
#include "proxy/allow.h"

#define HEAD_HOST_MAX	256		/* a DNS name (253) or a literal */

#define HEAD_MORE		0	/* head incomplete: read more */
#define HEAD_OK			200
#define HEAD_BAD_REQUEST	400
#define HEAD_FORBIDDEN		403
#define HEAD_BAD_METHOD		405
#define HEAD_TOO_LARGE		431

struct proxy_request {
	char		method[16];	/* for the log, maybe truncated */
	char		host[HEAD_HOST_MAX];	/* as sent, brackets removed */
	uint16_t	port;
	size_t		head_len;	/* bytes of buf that were the head */
	bool		source_denied;	/* why a 403: source, not target */
	const char	*why;		/* static text for the log line */
};

/*
 * Decide on the first len bytes a client sent (all of them so far, not
 * only the new ones). m is the connection's parser state, set up by the
 * caller with http_msg_init(m, HTTP_REQUEST) and kept across calls; it is
 * incremental, so a head arriving byte by byte costs no rescans. src_ok
 * says whether the source is allowed. head_max (at most HTTP_HEAD_MAX)
 * caps the head. Returns HEAD_MORE while the head is incomplete and
 * shorter than head_max, else a status. Precedence, so that a refused
 * source learns nothing: source 403, then 400/431, then 405, then target
 * 403. With HEAD_OK, req->host/port/head_len are set; req->why is always
 * set for a refusal.
 */
int	head_decide(struct http_msg *m, const struct proxy_allow *,
	    bool src_ok, const char *buf, size_t len, size_t head_max,
	    struct proxy_request *req);

/* Reason phrase for the statuses the proxy sends. */
const char *head_status_text(int status);

#endif
