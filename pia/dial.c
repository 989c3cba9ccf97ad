/* SPDX-License-Identifier: ISC */
/*
 * Direct and via-proxy dialers. A dial owns its bufferevent and its
 * timer until the result is known; then it frees itself before calling
 * back, so the callback may do anything, including starting another dial.
 * Reports are made from a deferred event, never from inside dial_start(),
 * so callers never see a callback before they have the handle.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "core/log.h"
#include "net/netns.h"
#include "pia/dial.h"
#include "pia/http.h"

struct dial {
	struct event_base	*base;
	struct dial_spec	 spec;
	struct bufferevent	*bev;
	struct event		*timer;		/* connect timeout */
	struct event		*report_ev;	/* deferred failure report */
	struct http_msg		*reply;		/* proxy's answer */
	struct timespec		 t0;
	dial_cb			 cb;
	void			*arg;
	struct pia_result	 res;
	char			 addr_str[64];
};

static unsigned
elapsed_ms(const struct timespec *t0)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - t0->tv_sec) * 1000LL +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
	return ms < 0 ? 0 : (unsigned)ms;
}

static int
parse_ip(struct sockaddr_storage *ss, socklen_t *len, const char *ip,
    uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*len = sizeof(*sin6);
		return 0;
	}
	errno = EINVAL;
	return -1;
}

/* A CONNECT target goes into a request line: no spaces, no controls. */
static bool
dial_host_valid(const char *host)
{
	size_t i, n = strnlen(host, DIAL_HOST_MAX);

	if (n == 0 || n == DIAL_HOST_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)host[i] <= 0x20 ||
		    (unsigned char)host[i] >= 0x7f)
			return false;
	return true;
}

int
dial_spec_direct(struct dial_spec *s, int nsfd, const char *ip, uint16_t port)
{
	memset(s, 0, sizeof(*s));
	s->kind = DIAL_DIRECT;
	s->nsfd = nsfd;
	return parse_ip(&s->addr, &s->addrlen, ip, port);
}

int
dial_spec_proxy(struct dial_spec *s, int nsfd, const char *proxy_ip,
    uint16_t proxy_port, const char *host, uint16_t port)
{
	memset(s, 0, sizeof(*s));
	s->kind = DIAL_PROXY;
	s->nsfd = nsfd;
	if (!dial_host_valid(host) || port == 0) {
		errno = EINVAL;
		return -1;
	}
	snprintf(s->host, sizeof(s->host), "%s", host);
	s->port = port;
	return parse_ip(&s->addr, &s->addrlen, proxy_ip, proxy_port);
}

void
dial_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin =
		    (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(sin->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 =
		    (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(sin6->sin6_port));
	} else
		snprintf(buf, len, "(address family %d)", ss->ss_family);
}

static void
dial_free(struct dial *d)
{
	if (d->bev != NULL)
		bufferevent_free(d->bev);
	if (d->timer != NULL)
		event_free(d->timer);
	if (d->report_ev != NULL)
		event_free(d->report_ev);
	free(d->reply);
	free(d);
}

void
dial_cancel(struct dial *d)
{
	if (d != NULL)
		dial_free(d);
}

/* Hand the outcome over; d is freed first. */
static void
dial_finish(struct dial *d, bool ok)
{
	struct bufferevent *bev = NULL;
	struct pia_result res = d->res;
	unsigned ms = elapsed_ms(&d->t0);
	dial_cb cb = d->cb;
	void *arg = d->arg;

	if (ok) {
		bev = d->bev;
		d->bev = NULL;
		bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
		bufferevent_disable(bev, EV_READ | EV_WRITE);
		pia_result_clear(&res);
	}
	dial_free(d);
	cb(bev, &res, ms, arg);
}

static void
dial_fail(struct dial *d, enum pia_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
dial_fail(struct dial *d, enum pia_err err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pia_result_vset(&d->res, err, fmt, ap);
	va_end(ap);
	log_debug("dial %s: %s", d->addr_str, d->res.message);
	dial_finish(d, false);
}

static void
dial_report_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dial *d = arg;

	log_debug("dial %s: %s", d->addr_str, d->res.message);
	dial_finish(d, false);
}

static void
dial_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dial *d = arg;
	unsigned ms = d->spec.connect_timeout_ms;

	if (d->spec.kind == DIAL_PROXY)
		dial_fail(d, PIA_ERR_TIMEOUT, "proxy %s: no tunnel to %s:%u "
		    "within %u ms", d->addr_str, d->spec.host, d->spec.port,
		    ms);
	else
		dial_fail(d, PIA_ERR_TIMEOUT, "connect to %s timed out after "
		    "%u ms", d->addr_str, ms);
}

static void
proxy_read_cb(struct bufferevent *bev, void *arg)
{
	struct dial *d = arg;

	switch (http_head_read(d->reply, bufferevent_get_input(bev))) {
	case HTTP_MORE:
		return;
	case HTTP_ERROR:
		dial_fail(d, PIA_ERR_NETWORK, "proxy %s: malformed answer to "
		    "CONNECT: %s", d->addr_str, http_err_str(d->reply->err));
		return;
	case HTTP_DONE:
		break;
	}
	if (d->reply->status < 200 || d->reply->status > 299) {
		dial_fail(d, PIA_ERR_NETWORK, "proxy %s refused CONNECT "
		    "%s:%u: %d %.60s", d->addr_str, d->spec.host, d->spec.port,
		    d->reply->status, d->reply->reason);
		return;
	}
	/* Bytes after the head already belong to the tunnel: they stay. */
	dial_finish(d, true);
}

static void
dial_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct dial *d = arg;
	int err = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		if (d->spec.kind == DIAL_DIRECT) {
			dial_finish(d, true);
			return;
		}
		if (evbuffer_add_printf(bufferevent_get_output(bev),
		    "CONNECT %s:%u HTTP/1.1\r\nHost: %s:%u\r\n\r\n",
		    d->spec.host, d->spec.port, d->spec.host,
		    d->spec.port) == -1) {
			dial_fail(d, PIA_ERR_NETWORK, "proxy %s: out of memory",
			    d->addr_str);
			return;
		}
		bufferevent_setcb(bev, proxy_read_cb, NULL, dial_event_cb, d);
		bufferevent_enable(bev, EV_READ | EV_WRITE);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		dial_fail(d, PIA_ERR_NETWORK, "proxy %s closed the connection "
		    "before answering CONNECT", d->addr_str);
		return;
	}
	dial_fail(d, PIA_ERR_NETWORK, "connect to %s%s: %s",
	    d->spec.kind == DIAL_PROXY ? "proxy " : "", d->addr_str,
	    evutil_socket_error_to_string(err));
}

struct dial *
dial_start(struct event_base *base, const struct dial_spec *spec,
    dial_cb cb, void *arg, struct pia_result *res)
{
	struct dial *d;
	struct timeval tv;
	int fd, one = 1;

	pia_result_clear(res);
	if (spec->kind == DIAL_PROXY && (!dial_host_valid(spec->host) ||
	    spec->port == 0)) {
		pia_result_set(res, PIA_ERR_NETWORK, "dial: invalid CONNECT "
		    "target");
		return NULL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		pia_result_set(res, PIA_ERR_NETWORK, "dial: out of memory");
		return NULL;
	}
	d->base = base;
	d->spec = *spec;
	d->cb = cb;
	d->arg = arg;
	if (d->spec.connect_timeout_ms == 0)
		d->spec.connect_timeout_ms = DIAL_CONNECT_TIMEOUT_MS;
	dial_addr_str(&spec->addr, d->addr_str, sizeof(d->addr_str));
	clock_gettime(CLOCK_MONOTONIC, &d->t0);

	if ((d->timer = evtimer_new(base, dial_timeout_cb, d)) == NULL ||
	    (d->report_ev = event_new(base, -1, 0, dial_report_cb, d)) ==
	    NULL ||
	    (spec->kind == DIAL_PROXY &&
	    (d->reply = malloc(sizeof(*d->reply))) == NULL)) {
		pia_result_set(res, PIA_ERR_NETWORK, "dial %s: out of memory",
		    d->addr_str);
		dial_free(d);
		return NULL;
	}
	if (d->reply != NULL) {
		http_msg_init(d->reply, HTTP_RESPONSE);
		/* A 2xx to CONNECT has no body: the tunnel follows. */
		d->reply->no_body = true;
	}

	fd = netns_socket(spec->nsfd, spec->addr.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		pia_result_set(&d->res, PIA_ERR_NETWORK, "connect to %s: "
		    "socket: %s", d->addr_str, strerror(-fd));
		event_active(d->report_ev, 0, 0);
		return d;
	}
	/*
	 * TLS sends its Finished and our request in separate small writes;
	 * Nagle would hold the second until the peer's delayed ACK (40 ms).
	 */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((d->bev = bufferevent_socket_new(base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		pia_result_set(res, PIA_ERR_NETWORK, "dial %s: out of memory",
		    d->addr_str);
		dial_free(d);
		return NULL;
	}
	tv.tv_sec = d->spec.connect_timeout_ms / 1000;
	tv.tv_usec = (d->spec.connect_timeout_ms % 1000) * 1000;
	evtimer_add(d->timer, &tv);
	/*
	 * The event callback is set only afterwards: on an immediate failure
	 * libevent runs it from inside the connect call, and the failure is
	 * reported from the deferred event instead.
	 */
	if (bufferevent_socket_connect(d->bev,
	    (const struct sockaddr *)&spec->addr, (int)spec->addrlen) == -1) {
		int err = EVUTIL_SOCKET_ERROR();

		pia_result_set(&d->res, PIA_ERR_NETWORK, "connect to %s%s: %s",
		    spec->kind == DIAL_PROXY ? "proxy " : "", d->addr_str,
		    evutil_socket_error_to_string(err));
		event_active(d->report_ev, 0, 0);
		return d;
	}
	bufferevent_setcb(d->bev, NULL, NULL, dial_event_cb, d);
	return d;
}
