/* SPDX-License-Identifier: ISC */
/*
 * The proxy's request-head decision (proxy/head.c on top of the shared
 * parser in pia/http.c), fed the way the proxy feeds it: the bytes so far,
 * again and again as more arrive. Byte 0 picks whether the source is
 * allowed and the head limit; byte 1 where the input is split. Whatever
 * the input, the answer must be one of the proxy's statuses, and a 200
 * must name an allowed target inside the bytes given.
 */
#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pia/http.h"
#include "proxy/allow.h"
#include "proxy/head.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct proxy_allow	allow;
static int			ready;

static void
setup(void)
{
	const char	*hosts[] = { "www.privateinternetaccess.com",
			    "serverlist.piaservers.net" };
	struct proxy_net net;
	struct in_addr	 ips[2];

	allow_init(&allow);
	proxy_net_parse("10.100.0.2", &net);
	allow_set_sources(&allow, &net, 1);
	allow_set_hosts(&allow, hosts, 2);
	inet_pton(AF_INET, "203.0.113.20", &ips[0]);
	inet_pton(AF_INET, "198.51.100.5", &ips[1]);
	allow_set_ips(&allow, ips, 2);
	ready = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_msg	 m;
	struct proxy_request	 req;
	const char		*buf;
	size_t			 len, split, head_max;
	bool			 src_ok;
	int			 st;

	if (!ready)
		setup();
	if (size < 2)
		return 0;
	src_ok = (data[0] & 1) == 0;
	head_max = (data[0] & 2) ? 64 + data[0] * 16 : HTTP_HEAD_MAX;
	buf = (const char *)data + 2;
	len = size - 2;
	split = len > 0 ? data[1] % (len + 1) : 0;

	http_msg_init(&m, HTTP_REQUEST);
	memset(&req, 0, sizeof(req));
	st = head_decide(&m, &allow, src_ok, buf, split, head_max, &req);
	if (st == HEAD_MORE)
		st = head_decide(&m, &allow, src_ok, buf, len, head_max, &req);
	switch (st) {
	case HEAD_MORE:
		if (len >= head_max)
			abort();
		break;
	case HEAD_OK:
		if (!src_ok || req.head_len == 0 || req.head_len > len ||
		    req.head_len > head_max || req.host[0] == '\0' ||
		    !allow_target(&allow, req.host, req.port))
			abort();
		break;
	case HEAD_BAD_REQUEST:
	case HEAD_FORBIDDEN:
	case HEAD_BAD_METHOD:
	case HEAD_TOO_LARGE:
		if (req.why == NULL || (st != HEAD_FORBIDDEN && !src_ok))
			abort();
		break;
	default:
		abort();
	}
	return 0;
}
