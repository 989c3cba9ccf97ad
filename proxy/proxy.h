/* SPDX-License-Identifier: ISC */
/*
 * The allowlisted CONNECT proxy that carries piad's pre-tunnel PIA calls
 * (token, server list, addKey) out of the host netns. It runs on the
 * daemon's event_base, listens on bridge.host_address:proxy.port, and
 * opens a tunnel only when the source, the method and the target are all
 * allowed:
 *   sources: vpn.address plus proxy.allow (addresses or CIDR prefixes);
 *   targets: the token and server-list host names on 443, and the IPs of
 *            the current verified server list on 443 and 1337.
 * Everything else is answered with an HTTP status and counted; see
 * docs/proxy.md for the exact precedence of the refusals.
 *
 * Ownership: the proxy borrows the event_base (and the evdns_base, if one
 * is given) and never frees them. Every setter copies its arguments; the
 * allowlists can be replaced at any time, which affects only requests that
 * have not yet been decided (open tunnels are left alone).
 */
#ifndef PIAD_PROXY_PROXY_H
#define PIAD_PROXY_PROXY_H

#include <sys/socket.h>
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct evdns_base;
struct proxy;

#define PROXY_DEF_MAX_TUNNELS		64
#define PROXY_DEF_HEAD_MAX		8192
#define PROXY_DEF_CONNECT_TIMEOUT_MS	10000
#define PROXY_DEF_IDLE_TIMEOUT_MS	60000
#define PROXY_DEF_HIWAT			(256 * 1024)
#define PROXY_DEF_LOWAT			(64 * 1024)

/* Zero fields mean "the default above" (proxy_limits_default fills them). */
struct proxy_limits {
	unsigned	max_tunnels;
	size_t		head_max;		/* request head, bytes */
	/* name resolution + TCP connect */
	unsigned	connect_timeout_ms;
	/* no byte either way; head wait */
	unsigned	idle_timeout_ms;
	/* per direction, bytes queued */
	size_t		hiwat;
	size_t		lowat;
	/*
	 * Copy through user-space buffers instead of splice(2). Only for
	 * tests and diagnosis: it is the fallback when pipes run out.
	 */
	int		copy_only;
};

/*
 * Counters since proxy_new, for `metrics`. Every request ends in exactly
 * one of: accepted (200), or one refusal counter. tunnels_open is a gauge.
 */
struct proxy_stats {
	uint64_t	connections;		/* TCP connections accepted */
	uint64_t	accepted;		/* 200 sent */
	uint64_t	denied_source;		/* 403: source not allowed */
	uint64_t	denied_method;		/* 405: not CONNECT */
	uint64_t	denied_target;		/* 403: host/port not allowed */
	uint64_t	bad_request;		/* 400: malformed head */
	uint64_t	head_too_large;		/* 431 */
	uint64_t	busy;			/* 503: max_tunnels open */
	/* 502: refused, unreachable, DNS */
	uint64_t	upstream_failed;
	uint64_t	upstream_timeout;	/* 504: connect timeout */
	uint64_t	aborted;		/* client left before a reply */
	/* open tunnels closed as idle */
	uint64_t	idle_timeouts;
	uint64_t	bytes_up;		/* client -> upstream */
	uint64_t	bytes_down;		/* upstream -> client */
	/* gauge: 200 sent, not yet closed */
	uint64_t	tunnels_open;
};

/* One allowed source: addr/prefix (prefix 32 = one address). */
struct proxy_net {
	struct in_addr	addr;
	unsigned	prefix;
};

void	proxy_limits_default(struct proxy_limits *);

/*
 * New proxy on base. dns may be NULL: the proxy then makes its own
 * evdns_base on base from /etc/resolv.conf of the current (host) netns
 * when it first needs one. lim NULL means all defaults.
 */
struct proxy *proxy_new(struct event_base *base, struct evdns_base *dns,
	    const struct proxy_limits *lim);
/* Closes the listener and every tunnel at once (no replies). */
void	proxy_free(struct proxy *);

/*
 * Bind and listen on addr (the socket is made in the current netns).
 * Returns 0, or -1 with errno set (and logged).
 */
int	proxy_listen(struct proxy *, const struct sockaddr *addr,
	    socklen_t addrlen);
/* Listen on an already bound and listening socket; the proxy owns fd. */
int	proxy_listen_fd(struct proxy *, int fd);
/* Local address actually bound (for port 0); 0 or -1. */
int	proxy_local_addr(const struct proxy *, struct sockaddr_storage *ss,
	    socklen_t *len);

/* Replace the allowed sources (vpn.address + proxy.allow). */
int	proxy_set_sources(struct proxy *, const struct proxy_net *nets,
	    size_t n);
/* Replace the host names allowed on port 443 (token, server-list hosts). */
int	proxy_set_hosts(struct proxy *, const char *const *hosts, size_t n);
/* Replace the server-list IPs allowed on 443 and 1337. */
int	proxy_set_server_ips(struct proxy *, const struct in_addr *ips,
	    size_t n);
/*
 * pia.resolve: name -> address, consulted before DNS. proxy_resolve_add
 * returns -1 (errno EINVAL) if addr is not an IPv4 or IPv6 literal.
 */
void	proxy_resolve_clear(struct proxy *);
int	proxy_resolve_add(struct proxy *, const char *name, const char *addr);

void	proxy_get_stats(const struct proxy *, struct proxy_stats *);

/* "10.100.0.2" or "10.100.0.0/24" -> net. 0, or -1 (errno EINVAL). */
int	proxy_net_parse(const char *s, struct proxy_net *net);

#endif
