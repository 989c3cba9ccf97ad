/* SPDX-License-Identifier: ISC */
/*
 * Dialers: get a connected TCP bufferevent to where a PIA call must go.
 * Two ways there, as in design section 5:
 *  - direct: a socket made inside a given netns (the VPN netns for calls
 *    through the tunnel) connects to addr:port;
 *  - via proxy: a socket (made in a given netns, usually the VPN netns, so
 *    it can only reach the bridge) connects to the CONNECT proxy and asks
 *    for host:port; a 2xx answer means the tunnel is open.
 * Both time out after connect_timeout_ms (connect plus, for the proxy, its
 * answer) and report how long it took.
 */
#ifndef PIAD_PIA_DIAL_H
#define PIAD_PIA_DIAL_H

#include <stdint.h>
#include <sys/socket.h>

#include "pia/result.h"

struct bufferevent;
struct event_base;

#define DIAL_CONNECT_TIMEOUT_MS	5000
#define DIAL_HOST_MAX		256

enum dial_kind {
	DIAL_DIRECT,
	DIAL_PROXY,
};

struct dial_spec {
	enum dial_kind	 kind;
	int		 nsfd;		/* netns for the socket; -1: current */
	/* DIAL_DIRECT: the destination. DIAL_PROXY: the proxy. */
	struct sockaddr_storage addr;
	socklen_t	 addrlen;
	/* DIAL_PROXY only: what to CONNECT to (name or IP literal). */
	char		 host[DIAL_HOST_MAX];
	uint16_t	 port;
	unsigned	 connect_timeout_ms; /* 0: DIAL_CONNECT_TIMEOUT_MS */
};

/*
 * Fill a spec from text, for callers and tests: dial_spec_direct(s, nsfd,
 * "192.0.2.1", 1337) and dial_spec_proxy(s, nsfd, "10.100.0.1", 8888,
 * "www.example.com", 443). IPv4 or IPv6 literals only. 0 or -1 (EINVAL).
 */
int	dial_spec_direct(struct dial_spec *s, int nsfd, const char *ip,
	    uint16_t port);
int	dial_spec_proxy(struct dial_spec *s, int nsfd, const char *proxy_ip,
	    uint16_t proxy_port, const char *host, uint16_t port);

/* "192.0.2.1:443" or "[2001:db8::1]:443" for logs. */
void	dial_addr_str(const struct sockaddr_storage *ss, char *buf,
	    size_t len);

/*
 * Called exactly once. On success bev is connected (and, through a proxy,
 * the tunnel is open): the callee owns it (BEV_OPT_CLOSE_ON_FREE, no
 * callbacks set, not enabled). On failure bev is NULL and res says why
 * (PIA_ERR_NETWORK or PIA_ERR_TIMEOUT). connect_ms is the time since
 * dial_start(). The dial handle is already gone when this runs.
 */
typedef void (*dial_cb)(struct bufferevent *bev,
	    const struct pia_result *res, unsigned connect_ms, void *arg);

struct dial;

/*
 * Start dialing; the callback never runs before this returns. NULL (with
 * res filled) only if nothing could be started at all: a socket that
 * cannot be made or connect() that fails at once is reported through the
 * callback like any other failure.
 */
struct dial *dial_start(struct event_base *base, const struct dial_spec *spec,
	    dial_cb cb, void *arg, struct pia_result *res);

/* Abort a dial in progress; its callback will not run. */
void	dial_cancel(struct dial *d);

#endif
