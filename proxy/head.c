/* SPDX-License-Identifier: ISC */
/*
 * Request head -> decision. The shared parser (pia/http.c) does the HTTP
 * syntax; this file adds what a CONNECT proxy must ask on top of it: the
 * method, the authority-form target, and the allowlists. A refused source
 * gets the same 403 whatever it sent, so probing the proxy from a service
 * container tells nothing about what it would accept.
 */
#include <stdio.h>
#include <string.h>

#include "proxy/head.h"

const char *
head_status_text(int status)
{
	switch (status) {
	case 200:
		return "Connection established";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 405:
		return "Method Not Allowed";
	case 431:
		return "Request Header Fields Too Large";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "Error";
	}
}

static int
refuse(struct proxy_request *req, int status, const char *why)
{
	req->why = why;
	return status;
}

int
head_decide(struct http_msg *m, const struct proxy_allow *a, bool src_ok,
    const char *buf, size_t len, size_t head_max, struct proxy_request *req)
{
	enum http_parse	r;
	size_t		used;

	if (head_max == 0 || head_max > HTTP_HEAD_MAX)
		head_max = HTTP_HEAD_MAX;
	if (len > head_max)
		len = head_max;
	r = http_head_parse(m, buf, len, &used);
	if (r == HTTP_MORE && len == head_max) {
		/* Our limit may be below the parser's own. */
		m->err = HTTP_E_HEAD_TOO_LARGE;
		r = HTTP_ERROR;
	}
	if (r == HTTP_MORE)
		return HEAD_MORE;
	if (!src_ok) {
		req->source_denied = true;
		return refuse(req, HEAD_FORBIDDEN, "source not allowed");
	}
	if (r == HTTP_ERROR) {
		if (m->err == HTTP_E_HEAD_TOO_LARGE)
			return refuse(req, HEAD_TOO_LARGE,
			    http_err_str(m->err));
		return refuse(req, HEAD_BAD_REQUEST, http_err_str(m->err));
	}
	req->head_len = used;
	snprintf(req->method, sizeof(req->method), "%s", m->method);
	if (strcmp(m->method, "CONNECT") != 0)
		return refuse(req, HEAD_BAD_METHOD, "method not allowed");
	if (http_split_authority(m->target, req->host, sizeof(req->host),
	    &req->port) == -1)
		return refuse(req, HEAD_BAD_REQUEST,
		    "CONNECT target is not host:port");
	if (!allow_target(a, req->host, req->port))
		return refuse(req, HEAD_FORBIDDEN, "target not allowed");
	req->why = NULL;
	return HEAD_OK;
}
