/* SPDX-License-Identifier: ISC */
/*
 * The proxy object: listener, limits, allowlists, the pia.resolve map,
 * counters, and the reaper that frees finished tunnels outside of their
 * own callbacks. The per-connection work is in tunnel.c.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "core/log.h"
#include "pia/http.h"
#include "proxy/proxy_int.h"

/* Clients open many tunnels at once (a burst of SYNs beyond the backlog
 * costs each a 1 s retransmit); the kernel caps it at somaxconn anyway. */
#define PROXY_BACKLOG		1024
#define PROXY_ACCEPT_RETRY_MS	1000

void
proxy_limits_default(struct proxy_limits *lim)
{
	if (lim->max_tunnels == 0)
		lim->max_tunnels = PROXY_DEF_MAX_TUNNELS;
	if (lim->head_max == 0 || lim->head_max > HTTP_HEAD_MAX)
		lim->head_max = PROXY_DEF_HEAD_MAX;
	if (lim->connect_timeout_ms == 0)
		lim->connect_timeout_ms = PROXY_DEF_CONNECT_TIMEOUT_MS;
	if (lim->idle_timeout_ms == 0)
		lim->idle_timeout_ms = PROXY_DEF_IDLE_TIMEOUT_MS;
	if (lim->hiwat == 0)
		lim->hiwat = PROXY_DEF_HIWAT;
	if (lim->lowat == 0 || lim->lowat >= lim->hiwat)
		lim->lowat = lim->hiwat / 4;
}

static void
reaper_cb(evutil_socket_t fd, short ev, void *arg)
{
	tunnel_reap(arg);
}

void
proxy_schedule_reaper(struct proxy *px)
{
	event_active(px->reaper, EV_TIMEOUT, 0);
}

struct proxy *
proxy_new(struct event_base *base, struct evdns_base *dns,
    const struct proxy_limits *lim)
{
	struct proxy *px;

	if ((px = calloc(1, sizeof(*px))) == NULL)
		return NULL;
	px->base = base;
	px->dns = dns;
	if (lim != NULL)
		px->lim = *lim;
	proxy_limits_default(&px->lim);
	allow_init(&px->allow);
	TAILQ_INIT(&px->live);
	TAILQ_INIT(&px->dead);
	if ((px->scratch = malloc(sizeof(*px->scratch))) == NULL ||
	    (px->reaper = event_new(base, -1, 0, reaper_cb, px)) == NULL) {
		free(px->scratch);
		free(px);
		return NULL;
	}
	return px;
}

void
proxy_free(struct proxy *px)
{
	struct tunnel *t;

	if (px == NULL)
		return;
	if (px->lis != NULL)
		evconnlistener_free(px->lis);
	if (px->lis_retry != NULL)
		event_free(px->lis_retry);
	while ((t = TAILQ_FIRST(&px->live)) != NULL)
		tunnel_free(t);
	while ((t = TAILQ_FIRST(&px->dead)) != NULL)
		tunnel_free(t);
	event_free(px->reaper);
	free(px->scratch);
	if (px->own_dns)
		evdns_base_free(px->dns, 1);
	allow_clear(&px->allow);
	proxy_resolve_clear(px);
	free(px);
}

struct evdns_base *
proxy_dns(struct proxy *px)
{
	if (px->dns != NULL)
		return px->dns;
	/*
	 * Made on first use, so a proxy that only ever sees pia.resolve
	 * names or literals never reads resolv.conf. DISABLE_WHEN_INACTIVE
	 * keeps an idle resolver from holding the loop open at shutdown.
	 */
	px->dns = evdns_base_new(px->base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (px->dns == NULL)
		log_warnx("proxy: cannot set up the DNS resolver");
	else
		px->own_dns = true;
	return px->dns;
}

static void
accept_cb(struct evconnlistener *lis, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct proxy		*px = arg;
	struct sockaddr_in	 src;

	px->stats.connections++;
	memset(&src, 0, sizeof(src));
	if (sa->sa_family == AF_INET && (size_t)salen >= sizeof(src))
		memcpy(&src, sa, sizeof(src));
	else
		src.sin_family = AF_UNSPEC;	/* never allowed */
	tunnel_accept(px, fd, &src);
}

static void
accept_retry_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct proxy *px = arg;

	evconnlistener_enable(px->lis);
}

static void
accept_error_cb(struct evconnlistener *lis, void *arg)
{
	struct proxy	*px = arg;
	struct timeval	 tv = { 0, PROXY_ACCEPT_RETRY_MS * 1000 };
	int		 err = EVUTIL_SOCKET_ERROR();

	/*
	 * Out of descriptors: the pending connection stays in the backlog
	 * and the listener would fire again at once. Pause it instead of
	 * spinning; finishing tunnels free descriptors meanwhile.
	 */
	errno = err;
	log_warn("proxy: accept");
	if (px->lis_retry == NULL)
		px->lis_retry = evtimer_new(px->base, accept_retry_cb, px);
	if (px->lis_retry != NULL) {
		evconnlistener_disable(lis);
		evtimer_add(px->lis_retry, &tv);
	}
}

int
proxy_listen_fd(struct proxy *px, int fd)
{
	if (px->lis != NULL) {
		errno = EBUSY;
		return -1;
	}
	if (evutil_make_socket_nonblocking(fd) == -1)
		return -1;
	/* Backlog 0: the socket listens already (-1 would re-listen at 128). */
	px->lis = evconnlistener_new(px->base, accept_cb, px,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (px->lis == NULL)
		return -1;
	evconnlistener_set_error_cb(px->lis, accept_error_cb);
	return 0;
}

int
proxy_listen(struct proxy *px, const struct sockaddr *sa, socklen_t salen)
{
	char	name[INET6_ADDRSTRLEN + 8];
	int	fd, one = 1, saved;

	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	/*
	 * FREEBIND: the bridge address may not be there yet (or may be being
	 * repaired after someone deleted the bridge); the listener still
	 * binds, and takes connections once the address is back.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    (sa->sa_family == AF_INET && setsockopt(fd, IPPROTO_IP,
	    IP_FREEBIND, &one, sizeof(one)) == -1) ||
	    /* CONNECT clients talk first: accept when the head is there. */
	    setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &one,
	    sizeof(one)) == -1 ||
	    bind(fd, sa, salen) == -1 || listen(fd, PROXY_BACKLOG) == -1 ||
	    proxy_listen_fd(px, fd) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
	proxy_addr_str(sa, name, sizeof(name));
	errno = saved;
	log_warn("proxy: listen on %s", name);
	errno = saved;
	return -1;
}

int
proxy_local_addr(const struct proxy *px, struct sockaddr_storage *ss,
    socklen_t *len)
{
	if (px->lis == NULL) {
		errno = ENOTCONN;
		return -1;
	}
	*len = sizeof(*ss);
	return getsockname(evconnlistener_get_fd(px->lis),
	    (struct sockaddr *)ss, len);
}

int
proxy_set_sources(struct proxy *px, const struct proxy_net *nets, size_t n)
{
	return allow_set_sources(&px->allow, nets, n);
}

int
proxy_set_hosts(struct proxy *px, const char *const *hosts, size_t n)
{
	return allow_set_hosts(&px->allow, hosts, n);
}

int
proxy_set_server_ips(struct proxy *px, const struct in_addr *ips, size_t n)
{
	if (allow_set_ips(&px->allow, ips, n) == -1)
		return -1;
	log_debug("proxy: %zu server IPs allowed", n);
	return 0;
}

void
proxy_resolve_clear(struct proxy *px)
{
	size_t i;

	for (i = 0; i < px->nmap; i++)
		free(px->map[i].name);
	free(px->map);
	px->map = NULL;
	px->nmap = 0;
}

int
proxy_resolve_add(struct proxy *px, const char *name, const char *addr)
{
	struct resolve_entry	 e, *map;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;

	memset(&e, 0, sizeof(e));
	sin = (struct sockaddr_in *)&e.ss;
	sin6 = (struct sockaddr_in6 *)&e.ss;
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		e.sslen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		e.sslen = sizeof(*sin6);
	} else {
		errno = EINVAL;
		return -1;
	}
	if (*name == '\0') {
		errno = EINVAL;
		return -1;
	}
	if ((map = reallocarray(px->map, px->nmap + 1, sizeof(*map))) == NULL)
		return -1;
	px->map = map;
	if ((e.name = strdup(name)) == NULL)
		return -1;
	px->map[px->nmap++] = e;
	return 0;
}

const struct resolve_entry *
proxy_resolve_find(const struct proxy *px, const char *name)
{
	size_t i;

	/* Later entries win, as with curl --resolve given twice. */
	for (i = px->nmap; i > 0; i--)
		if (strcasecmp(px->map[i - 1].name, name) == 0)
			return &px->map[i - 1];
	return NULL;
}

const char *
proxy_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char		 a[INET6_ADDRSTRLEN];
	const void	*p;
	unsigned	 port;

	if (sa->sa_family == AF_INET) {
		p = &((const struct sockaddr_in *)sa)->sin_addr;
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		p = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	} else {
		snprintf(buf, len, "?");
		return buf;
	}
	if (inet_ntop(sa->sa_family, p, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, sa->sa_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
	    a, port);
	return buf;
}

void
proxy_get_stats(const struct proxy *px, struct proxy_stats *st)
{
	*st = px->stats;
}

int
proxy_net_parse(const char *s, struct proxy_net *net)
{
	char		 buf[INET_ADDRSTRLEN + 4], *slash, *end;
	unsigned long	 prefix = 32;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	memcpy(buf, s, strlen(s) + 1);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		if (*slash < '0' || *slash > '9')
			goto bad;
		errno = 0;
		prefix = strtoul(slash, &end, 10);
		if (*end != '\0' || errno != 0 || prefix > 32)
			goto bad;
	}
	if (inet_pton(AF_INET, buf, &net->addr) != 1)
		goto bad;
	net->prefix = (unsigned)prefix;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
