/* SPDX-License-Identifier: ISC */
/*
 * One client connection of the CONNECT proxy, from accept to close:
 *   HEAD     read the request head (bounded), decide (head.c);
 *   RESOLVE  pia.resolve map, else evdns (never blocking);
 *   CONNECT  non-blocking TCP connect under the connect timeout;
 *   SPLICE   200 sent; bytes copied both ways with watermark back-pressure,
 *            half-close passed on, idle timeout;
 *   REPLY    a refusal was sent; we half-close and drain the client until
 *            it closes (or a short linger ends), so the kernel does not
 *            answer its unread bytes with a RST that would destroy the
 *            reply before the client read it;
 *   DEAD     waiting for the reaper: a tunnel is never freed from one of
 *            its own callbacks.
 * Each connection logs exactly one line when its outcome is known.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "core/log.h"
#include "pia/http.h"
#include "proxy/proxy_int.h"

#define TUNNEL_LINGER_MS	2000
/* libevent moves at most 16 KiB per read/write call by default; bulk
 * transfers want fewer, larger system calls. */
#define TUNNEL_IO_CHUNK		(128 * 1024)
/* Connections not yet holding a tunnel slot (heads, refusals) beyond
 * max_tunnels are closed at once: a flood cannot exhaust descriptors. */
#define TUNNEL_PENDING_SLACK	16

/*
 * The argument of an evdns lookup. A cancelled lookup still calls back
 * (later, from the loop), possibly after its tunnel is gone, so the tunnel
 * is reached through this small box that only the callback frees.
 */
struct dns_ctx {
	struct tunnel	*t;
};

static void	tunnel_connect(struct tunnel *);
static void	handoff(struct tunnel *);
static void	buffered_start(struct tunnel *);
static void	handoff_write_cb(struct bufferevent *, void *);
static void	handoff_event_cb(struct bufferevent *, short, void *);
static void	tunnel_reply(struct tunnel *, int status, const char *why,
		    int err);

static void
now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

static uint64_t
ms_between(const struct timespec *a, const struct timespec *b)
{
	int64_t ms;

	ms = (int64_t)(b->tv_sec - a->tv_sec) * 1000 +
	    (b->tv_nsec - a->tv_nsec) / 1000000;
	return ms < 0 ? 0 : (uint64_t)ms;
}

static void
timer_arm(struct tunnel *t, uint64_t ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	evtimer_add(t->timer, &tv);
}

static const char *
src_str(const struct tunnel *t, char *buf, size_t len)
{
	return proxy_addr_str((const struct sockaddr *)&t->src, buf, len);
}

static const char *
target_str(const struct tunnel *t, char *buf, size_t len)
{
	if (t->req.host[0] == '\0')
		snprintf(buf, len, "?");
	else if (strchr(t->req.host, ':') != NULL)
		snprintf(buf, len, "[%s]:%u", t->req.host, t->req.port);
	else
		snprintf(buf, len, "%s:%u", t->req.host, t->req.port);
	return buf;
}

/* Free a bufferevent later: the caller may be running in its callback. */
static void
bev_free_cb(evutil_socket_t fd, short ev, void *arg)
{
	bufferevent_free(arg);
}

static void
bev_free_later(struct proxy *px, struct bufferevent *bev)
{
	struct timeval zero = { 0, 0 };

	bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
	bufferevent_disable(bev, EV_READ | EV_WRITE);
	if (event_base_once(px->base, -1, EV_TIMEOUT, bev_free_cb, bev,
	    &zero) == -1)
		bufferevent_free(bev);	/* libevent defers it itself */
}

void
tunnel_free(struct tunnel *t)
{
	struct proxy *px = t->px;

	if (t->phase == TP_DEAD)
		TAILQ_REMOVE(&px->dead, t, entry);
	else {
		TAILQ_REMOVE(&px->live, t, entry);
		px->conns--;
		if (t->has_slot)
			px->slots--;
		if (t->phase == TP_SPLICE)
			px->stats.tunnels_open--;
	}
	if (t->dnsctx != NULL) {
		t->dnsctx->t = NULL;
		evdns_getaddrinfo_cancel(t->dnsreq);
	}
	if (t->pumping)
		pump_free(t);
	if (t->cli != NULL)
		bufferevent_free(t->cli);
	if (t->up != NULL)
		bufferevent_free(t->up);
	if (t->timer != NULL)
		event_free(t->timer);
	free(t->msg);
	free(t);
}

void
tunnel_reap(struct proxy *px)
{
	struct tunnel *t;

	while ((t = TAILQ_FIRST(&px->dead)) != NULL)
		tunnel_free(t);
}

/* Stop everything now; the reaper frees it from a fresh callback. */
static void
tunnel_kill(struct tunnel *t)
{
	struct proxy *px = t->px;

	if (t->phase == TP_DEAD)
		return;
	if (t->has_slot) {
		px->slots--;
		t->has_slot = false;
	}
	if (t->phase == TP_SPLICE)
		px->stats.tunnels_open--;
	t->phase = TP_DEAD;
	px->conns--;
	if (t->dnsctx != NULL) {
		t->dnsctx->t = NULL;
		t->dnsctx = NULL;
		evdns_getaddrinfo_cancel(t->dnsreq);
		t->dnsreq = NULL;
	}
	if (t->cli != NULL) {
		bufferevent_setcb(t->cli, NULL, NULL, NULL, NULL);
		bufferevent_disable(t->cli, EV_READ | EV_WRITE);
	}
	if (t->up != NULL) {
		bufferevent_setcb(t->up, NULL, NULL, NULL, NULL);
		bufferevent_disable(t->up, EV_READ | EV_WRITE);
	}
	if (t->pumping)
		pump_stop(t);
	event_del(t->timer);
	TAILQ_REMOVE(&px->live, t, entry);
	TAILQ_INSERT_TAIL(&px->dead, t, entry);
	proxy_schedule_reaper(px);
}

/* The one line for a tunnel that got its 200. */
void
tunnel_finish(struct tunnel *t, const char *outcome, int err)
{
	struct timespec	ts;
	char		src[64], dst[HEAD_HOST_MAX + 16];
	uint64_t	ms;

	if (!t->logged) {
		t->logged = true;
		now(&ts);
		ms = ms_between(&t->started, &ts);
		log_info("proxy: %s -> %s: 200, up %llu B, down %llu B, "
		    "%llu.%03llu s, %s%s%s", src_str(t, src, sizeof(src)),
		    target_str(t, dst, sizeof(dst)),
		    (unsigned long long)t->bytes_up,
		    (unsigned long long)t->bytes_down,
		    (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000), outcome,
		    err != 0 ? ": " : "", err != 0 ? strerror(err) : "");
	}
	tunnel_kill(t);
}

/* A client that left (or stalled) before it got any answer. */
static void
tunnel_abort(struct tunnel *t, const char *why)
{
	char src[64];

	if (!t->logged) {
		t->logged = true;
		t->px->stats.aborted++;
		log_info("proxy: %s: %s before a request was answered",
		    src_str(t, src, sizeof(src)), why);
	}
	tunnel_kill(t);
}

/* ---- splice ---- */

static struct bufferevent *
other(struct tunnel *t, struct bufferevent *bev)
{
	return bev == t->cli ? t->up : t->cli;
}

static bool *
paused_flag(struct tunnel *t, struct bufferevent *bev)
{
	return bev == t->cli ? &t->cli_paused : &t->up_paused;
}

/* Move what `from` has read into the other side, pausing `from` when the
 * other side's output is above high water. */
static void
splice_move(struct tunnel *t, struct bufferevent *from)
{
	struct proxy		*px = t->px;
	struct bufferevent	*to = other(t, from);
	struct evbuffer		*in = bufferevent_get_input(from);
	struct evbuffer		*out = bufferevent_get_output(to);
	size_t			 n;
	bool			*paused;

	if ((n = evbuffer_get_length(in)) == 0)
		return;
	evbuffer_add_buffer(out, in);
	if (from == t->cli) {
		t->bytes_up += n;
		px->stats.bytes_up += n;
	} else {
		t->bytes_down += n;
		px->stats.bytes_down += n;
	}
	now(&t->last_io);
	paused = paused_flag(t, from);
	if (!*paused && evbuffer_get_length(out) >= px->lim.hiwat) {
		*paused = true;
		bufferevent_disable(from, EV_READ);
		/* The write callback of `to` fires at low water. */
		bufferevent_setwatermark(to, EV_WRITE, px->lim.lowat, 0);
	}
}

/* Pass on a FIN once everything before it went out; done when both did. */
static void
splice_shutdowns(struct tunnel *t)
{
	if (t->cli_eof && !t->up_shut &&
	    evbuffer_get_length(bufferevent_get_output(t->up)) == 0) {
		shutdown(bufferevent_getfd(t->up), SHUT_WR);
		t->up_shut = true;
	}
	if (t->up_eof && !t->cli_shut &&
	    evbuffer_get_length(bufferevent_get_output(t->cli)) == 0) {
		shutdown(bufferevent_getfd(t->cli), SHUT_WR);
		t->cli_shut = true;
	}
	if (t->up_shut && t->cli_shut)
		tunnel_finish(t, "closed", 0);
}

static void
splice_read_cb(struct bufferevent *bev, void *arg)
{
	splice_move(arg, bev);
}

static void
splice_write_cb(struct bufferevent *bev, void *arg)
{
	struct tunnel		*t = arg;
	struct bufferevent	*from = other(t, bev);
	bool			*paused = paused_flag(t, from);
	bool			 eof = from == t->cli ? t->cli_eof : t->up_eof;

	if (*paused) {
		*paused = false;
		bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
		if (!eof)
			bufferevent_enable(from, EV_READ);
	}
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		splice_shutdowns(t);
}

static void
splice_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tunnel *t = arg;

	if (what & BEV_EVENT_EOF) {
		splice_move(t, bev);
		if (bev == t->cli)
			t->cli_eof = true;
		else
			t->up_eof = true;
		splice_shutdowns(t);
		return;
	}
	if (what & BEV_EVENT_ERROR)
		tunnel_finish(t, bev == t->cli ? "client error" :
		    "upstream error", EVUTIL_SOCKET_ERROR());
}

static void
tunnel_open(struct tunnel *t)
{
	struct proxy	*px = t->px;
	char		 reply[64];
	ssize_t		 w;
	int		 one = 1, n;

	t->phase = TP_SPLICE;
	t->status = 200;
	px->stats.accepted++;
	px->stats.tunnels_open++;
	/* TLS handshakes are ping-pong: do not let Nagle delay them. */
	setsockopt(bufferevent_getfd(t->cli), IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one));
	setsockopt(bufferevent_getfd(t->up), IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one));
	/*
	 * The 200 goes out now, not one loop round later: it is the client's
	 * go-ahead and sits on its latency path. A short write leaves the
	 * rest to the bufferevent.
	 */
	n = snprintf(reply, sizeof(reply), "HTTP/1.1 200 %s\r\n\r\n",
	    head_status_text(200));
	w = send(bufferevent_getfd(t->cli), reply, (size_t)n,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0)
		w = 0;
	if (w < n)
		evbuffer_add(bufferevent_get_output(t->cli), reply + w,
		    (size_t)(n - w));
	/* Bytes the client sent right behind its head go upstream first. */
	splice_move(t, t->cli);
	now(&t->last_io);
	event_del(t->timer);
	timer_arm(t, px->lim.idle_timeout_ms);
	/*
	 * Flush the 200 and those bytes through the bufferevents, then hand
	 * the sockets to the zero-copy pump; the buffered path below is the
	 * fallback when no pipes can be had. Nearly always nothing is left
	 * to flush, and the pump starts in this same loop round.
	 */
	bufferevent_disable(t->cli, EV_READ);
	bufferevent_disable(t->up, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(t->cli)) == 0 &&
	    evbuffer_get_length(bufferevent_get_output(t->up)) == 0) {
		handoff(t);
		return;
	}
	bufferevent_setcb(t->cli, NULL, handoff_write_cb, handoff_event_cb, t);
	bufferevent_setcb(t->up, NULL, handoff_write_cb, handoff_event_cb, t);
	bufferevent_enable(t->cli, EV_WRITE);
	bufferevent_enable(t->up, EV_WRITE);
	handoff(t);
}

/* Both outputs flushed: pump, or splice through the bufferevents. */
static void
handoff(struct tunnel *t)
{
	if (evbuffer_get_length(bufferevent_get_output(t->cli)) > 0 ||
	    evbuffer_get_length(bufferevent_get_output(t->up)) > 0)
		return;
	bufferevent_disable(t->cli, EV_READ | EV_WRITE);
	bufferevent_disable(t->up, EV_READ | EV_WRITE);
	bufferevent_setcb(t->cli, NULL, NULL, NULL, NULL);
	bufferevent_setcb(t->up, NULL, NULL, NULL, NULL);
	if (!t->px->lim.copy_only && pump_start(t, bufferevent_getfd(t->cli),
	    bufferevent_getfd(t->up)) == 0)
		return;
	if (!t->px->lim.copy_only)
		log_debug("proxy: cannot pump a tunnel, copying through "
		    "buffers");
	buffered_start(t);
}

/* The buffered path, from here on. */
static void
buffered_start(struct tunnel *t)
{
	bufferevent_setcb(t->cli, splice_read_cb, splice_write_cb,
	    splice_event_cb, t);
	bufferevent_setcb(t->up, splice_read_cb, splice_write_cb,
	    splice_event_cb, t);
	bufferevent_set_max_single_read(t->cli, TUNNEL_IO_CHUNK);
	bufferevent_set_max_single_write(t->cli, TUNNEL_IO_CHUNK);
	bufferevent_set_max_single_read(t->up, TUNNEL_IO_CHUNK);
	bufferevent_set_max_single_write(t->up, TUNNEL_IO_CHUNK);
	bufferevent_enable(t->up, (t->up_eof ? 0 : EV_READ) | EV_WRITE);
	bufferevent_enable(t->cli, (t->cli_eof ? 0 : EV_READ) | EV_WRITE);
}

void
tunnel_buffered(struct tunnel *t, bool up, const void *rest, size_t len)
{
	struct bufferevent *to = up ? t->up : t->cli;

	log_debug("proxy: no pipes for a tunnel, copying through buffers");
	t->cli_eof = t->pump[0].eof;
	t->up_shut = t->pump[0].shut;
	t->up_eof = t->pump[1].eof;
	t->cli_shut = t->pump[1].shut;
	if (len > 0 && evbuffer_add(bufferevent_get_output(to), rest,
	    len) == -1) {
		tunnel_finish(t, "out of memory", ENOMEM);
		return;
	}
	buffered_start(t);
}

static void
handoff_write_cb(struct bufferevent *bev, void *arg)
{
	handoff(arg);
}

static void
handoff_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tunnel *t = arg;

	tunnel_finish(t, bev == t->cli ? "client error" : "upstream error",
	    EVUTIL_SOCKET_ERROR());
}

/* ---- refusals ---- */

static void
reply_read_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);

	evbuffer_drain(in, evbuffer_get_length(in));
}

static void
reply_write_cb(struct bufferevent *bev, void *arg)
{
	struct tunnel *t = arg;

	if (!t->cli_shut) {
		shutdown(bufferevent_getfd(bev), SHUT_WR);
		t->cli_shut = true;
	}
}

static void
reply_event_cb(struct bufferevent *bev, short what, void *arg)
{
	tunnel_kill(arg);
}

static void
tunnel_reply(struct tunnel *t, int status, const char *why, int err)
{
	struct proxy	*px = t->px;
	struct timespec	 ts;
	char		 src[64], dst[HEAD_HOST_MAX + 16], ip[64] = "";
	uint64_t	 ms;

	switch (status) {
	case 400:
		px->stats.bad_request++;
		break;
	case 403:
		if (t->req.source_denied)
			px->stats.denied_source++;
		else
			px->stats.denied_target++;
		break;
	case 405:
		px->stats.denied_method++;
		break;
	case 431:
		px->stats.head_too_large++;
		break;
	case 502:
		px->stats.upstream_failed++;
		break;
	case 503:
		px->stats.busy++;
		break;
	case 504:
		px->stats.upstream_timeout++;
		break;
	}
	now(&ts);
	ms = ms_between(&t->started, &ts);
	if (t->dstlen > 0)
		snprintf(ip, sizeof(ip), " (%s)", proxy_addr_str(
		    (const struct sockaddr *)&t->dst, src, sizeof(src)));
	if (status == 405)
		log_warnx("proxy: %s: %s: %d (%s)",
		    src_str(t, src, sizeof(src)), t->req.method, status, why);
	else
		log_warnx("proxy: %s -> %s%s: %d (%s%s%s), %llu.%03llu s",
		    src_str(t, src, sizeof(src)),
		    target_str(t, dst, sizeof(dst)), ip, status, why,
		    err != 0 ? ": " : "", err != 0 ? strerror(err) : "",
		    (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000));
	t->logged = true;

	if (t->has_slot) {
		px->slots--;
		t->has_slot = false;
	}
	if (t->dnsctx != NULL) {
		t->dnsctx->t = NULL;
		t->dnsctx = NULL;
		evdns_getaddrinfo_cancel(t->dnsreq);
		t->dnsreq = NULL;
	}
	if (t->up != NULL) {
		bev_free_later(px, t->up);
		t->up = NULL;
	}
	free(t->msg);
	t->msg = NULL;
	t->status = status;
	t->phase = TP_REPLY;
	evbuffer_drain(bufferevent_get_input(t->cli),
	    evbuffer_get_length(bufferevent_get_input(t->cli)));
	evbuffer_add_printf(bufferevent_get_output(t->cli),
	    "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	    status, head_status_text(status));
	bufferevent_setwatermark(t->cli, EV_READ, 0, 0);
	bufferevent_setwatermark(t->cli, EV_WRITE, 0, 0);
	bufferevent_setcb(t->cli, reply_read_cb, reply_write_cb,
	    reply_event_cb, t);
	bufferevent_enable(t->cli, EV_READ | EV_WRITE);
	event_del(t->timer);
	timer_arm(t, TUNNEL_LINGER_MS < px->lim.idle_timeout_ms ?
	    TUNNEL_LINGER_MS : px->lim.idle_timeout_ms);
}

/* ---- connect ---- */

static void
connect_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tunnel	*t = arg;
	int		 err;

	if (what & BEV_EVENT_CONNECTED) {
		tunnel_open(t);
		return;
	}
	err = EVUTIL_SOCKET_ERROR();
	tunnel_reply(t, 502, "connect", err != 0 ? err : ECONNREFUSED);
}

/*
 * Connect upstream. The handshake with a near server (and on loopback)
 * is often complete by the time connect(2) returns: then the 200 goes out
 * in this same loop round. Otherwise the bufferevent waits for it.
 */
static void
tunnel_connect(struct tunnel *t)
{
	struct pollfd	pfd;
	socklen_t	len = sizeof(int);
	int		fd, err = 0;
	bool		done = false;

	t->phase = TP_CONNECT;
	if ((fd = socket(t->dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		tunnel_reply(t, 502, "connect", errno);
		return;
	}
	if (connect(fd, (struct sockaddr *)&t->dst, t->dstlen) == 0)
		done = true;
	else if (errno != EINPROGRESS && errno != EINTR)
		err = errno;
	else {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 0) == 1) {
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &len) == -1)
				err = errno;
			done = err == 0;
		}
	}
	if (err != 0) {
		close(fd);
		tunnel_reply(t, 502, "connect", err);
		return;
	}
	if ((t->up = bufferevent_socket_new(t->px->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		err = errno;
		close(fd);
		tunnel_reply(t, 502, "connect", err);
		return;
	}
	if (done) {
		tunnel_open(t);
		return;
	}
	bufferevent_setcb(t->up, NULL, NULL, connect_event_cb, t);
	/* No address: the socket is connecting already. */
	if (bufferevent_socket_connect(t->up, NULL, 0) == -1)
		tunnel_reply(t, 502, "connect", errno);
}

static void
set_dst(struct tunnel *t, const struct sockaddr *sa, socklen_t len)
{
	memset(&t->dst, 0, sizeof(t->dst));
	memcpy(&t->dst, sa, len);
	t->dstlen = len;
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)&t->dst)->sin_port = htons(t->req.port);
	else
		((struct sockaddr_in6 *)&t->dst)->sin6_port =
		    htons(t->req.port);
}

static void
dns_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct dns_ctx		*ctx = arg;
	struct tunnel		*t = ctx->t;
	struct evutil_addrinfo	*ai, *pick = NULL;

	free(ctx);
	if (t == NULL) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		return;
	}
	t->dnsctx = NULL;
	t->dnsreq = NULL;
	if (result != 0) {
		char why[128];

		snprintf(why, sizeof(why), "resolve: %s",
		    evutil_gai_strerror(result));
		/* tunnel_reply logs now; why need not outlive it. */
		tunnel_reply(t, 502, why, 0);
		return;
	}
	/* Prefer IPv4: PIA and the host's uplink are IPv4. */
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			pick = ai;
			break;
		}
		if (pick == NULL && ai->ai_family == AF_INET6)
			pick = ai;
	}
	if (pick == NULL) {
		evutil_freeaddrinfo(res);
		tunnel_reply(t, 502, "resolve: no address", 0);
		return;
	}
	set_dst(t, pick->ai_addr, (socklen_t)pick->ai_addrlen);
	evutil_freeaddrinfo(res);
	tunnel_connect(t);
}

static void
tunnel_resolve(struct tunnel *t)
{
	const struct resolve_entry	*e;
	struct evutil_addrinfo		 hints;
	struct evdns_base		*dns;
	struct evdns_getaddrinfo_request *req;
	struct sockaddr_in		 sin;
	struct sockaddr_in6		 sin6;
	struct dns_ctx			*ctx;

	t->phase = TP_RESOLVE;
	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (evutil_inet_pton(AF_INET, t->req.host, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		set_dst(t, (struct sockaddr *)&sin, sizeof(sin));
		tunnel_connect(t);
		return;
	}
	if (evutil_inet_pton(AF_INET6, t->req.host, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		set_dst(t, (struct sockaddr *)&sin6, sizeof(sin6));
		tunnel_connect(t);
		return;
	}
	if ((e = proxy_resolve_find(t->px, t->req.host)) != NULL) {
		set_dst(t, (const struct sockaddr *)&e->ss, e->sslen);
		tunnel_connect(t);
		return;
	}
	if ((dns = proxy_dns(t->px)) == NULL ||
	    (ctx = calloc(1, sizeof(*ctx))) == NULL) {
		tunnel_reply(t, 502, "resolve: no resolver", 0);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	ctx->t = t;
	t->dnsctx = ctx;
	req = evdns_getaddrinfo(dns, t->req.host, NULL, &hints, dns_cb, ctx);
	/* The callback may already have run (and cleared dnsctx). */
	if (t->dnsctx != NULL)
		t->dnsreq = req;
}

/* ---- head ---- */

static void
head_read_cb(struct bufferevent *bev, void *arg)
{
	struct tunnel	*t = arg;
	struct proxy	*px = t->px;
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 len = evbuffer_get_length(in);
	const char	*p;
	bool		 src_ok;
	int		 st;

	if (len > px->lim.head_max)
		len = px->lim.head_max;
	if ((p = (const char *)evbuffer_pullup(in, (ssize_t)len)) == NULL)
		return;
	src_ok = t->src.sin_family == AF_INET &&
	    allow_source(&px->allow, &t->src.sin_addr);
	/*
	 * Nearly every head arrives in one read: parse it with the proxy's
	 * one scratch parser. Only a head that comes in pieces gets a parser
	 * of its own (about 10 KiB) to keep its place; 500 idle tunnels then
	 * do not leave 5 MB of freed parsers fragmenting the heap.
	 */
	if (t->msg == NULL) {
		http_msg_init(px->scratch, HTTP_REQUEST);
		st = head_decide(px->scratch, &px->allow, src_ok, p, len,
		    px->lim.head_max, &t->req);
		if (st == HEAD_MORE) {
			if ((t->msg = malloc(sizeof(*t->msg))) == NULL) {
				tunnel_abort(t, "out of memory");
				return;
			}
			http_msg_init(t->msg, HTTP_REQUEST);
			st = head_decide(t->msg, &px->allow, src_ok, p, len,
			    px->lim.head_max, &t->req);
		}
	} else
		st = head_decide(t->msg, &px->allow, src_ok, p, len,
		    px->lim.head_max, &t->req);
	if (st == HEAD_MORE)
		return;
	if (st != HEAD_OK) {
		tunnel_reply(t, st, t->req.why, 0);
		return;
	}
	free(t->msg);
	t->msg = NULL;
	evbuffer_drain(in, t->req.head_len);
	if (px->slots >= px->lim.max_tunnels) {
		tunnel_reply(t, 503, "tunnel limit reached", 0);
		return;
	}
	t->has_slot = true;
	px->slots++;
	/* Nothing more is read from the client until upstream is there. */
	bufferevent_disable(bev, EV_READ);
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	event_del(t->timer);
	timer_arm(t, px->lim.connect_timeout_ms);
	tunnel_resolve(t);
}

static void
head_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tunnel *t = arg;

	tunnel_abort(t, (what & BEV_EVENT_EOF) ? "client closed" :
	    "client error");
}

/* ---- timer ---- */

static void
timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct tunnel	*t = arg;
	struct timespec	 ts;
	uint64_t	 idle, lim = t->px->lim.idle_timeout_ms;

	switch (t->phase) {
	case TP_HEAD:
		tunnel_abort(t, "head timeout");
		break;
	case TP_RESOLVE:
	case TP_CONNECT:
		tunnel_reply(t, 504, "connect timeout", 0);
		break;
	case TP_SPLICE:
		now(&ts);
		idle = ms_between(&t->last_io, &ts);
		if (idle >= lim) {
			t->px->stats.idle_timeouts++;
			tunnel_finish(t, "idle timeout", 0);
		} else
			timer_arm(t, lim - idle);
		break;
	case TP_REPLY:
		tunnel_kill(t);
		break;
	case TP_DEAD:
		break;
	}
}

/*
 * One read of a new connection into its input buffer, outside the
 * bufferevent's own read callback. The bufferevent keeps the end of its
 * input frozen against everyone else, so thaw it for the add. The bytes
 * go through the stack so the buffer gets a chain of their size, not of
 * head_max (as libevent's own read would). Returns recv(2)'s result.
 */
static ssize_t
head_read_now(struct tunnel *t, int fd)
{
	struct evbuffer	*in = bufferevent_get_input(t->cli);
	char		 buf[HTTP_HEAD_MAX];
	size_t		 max = t->px->lim.head_max;
	ssize_t		 n;

	if (max > sizeof(buf))
		max = sizeof(buf);
	if ((n = recv(fd, buf, max, 0)) <= 0)
		return n;
	evbuffer_unfreeze(in, 0);
	if (evbuffer_add(in, buf, (size_t)n) == -1)
		n = -1;
	evbuffer_freeze(in, 0);
	if (n == -1)
		errno = ENOMEM;
	return n;
}

void
tunnel_accept(struct proxy *px, int fd, const struct sockaddr_in *src)
{
	struct tunnel	*t;
	char		 name[64];
	ssize_t		 n;

	if (px->conns - px->slots >=
	    px->lim.max_tunnels + TUNNEL_PENDING_SLACK) {
		px->stats.busy++;
		log_warnx("proxy: %s: too many pending connections, closed",
		    proxy_addr_str((const struct sockaddr *)src, name,
		    sizeof(name)));
		close(fd);
		return;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto fail;
	t->px = px;
	t->src = *src;
	t->phase = TP_HEAD;
	now(&t->started);
	if ((t->timer = evtimer_new(px->base, timer_cb, t)) == NULL)
		goto fail;
	if ((t->cli = bufferevent_socket_new(px->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		goto fail;
	TAILQ_INSERT_TAIL(&px->live, t, entry);
	px->conns++;
	bufferevent_setcb(t->cli, head_read_cb, NULL, head_event_cb, t);
	/* Never buffer more than a head before deciding. */
	bufferevent_setwatermark(t->cli, EV_READ, 0, px->lim.head_max);
	timer_arm(t, px->lim.idle_timeout_ms);
	/*
	 * The listener defers accept until data arrived, so the head is
	 * usually here already: read it now rather than one loop round
	 * later (it is on the client's latency path). Only a head still
	 * incomplete (or an EOF, reported by the callback) waits for the
	 * read event, so a whole head costs no event changes at all.
	 */
	if ((n = head_read_now(t, fd)) > 0)
		head_read_cb(t->cli, t);
	else if (n == -1 && errno != EAGAIN && errno != EINTR) {
		tunnel_abort(t, errno == ENOMEM ? "out of memory" :
		    "client error");
		return;
	}
	if (t->phase == TP_HEAD)
		bufferevent_enable(t->cli, EV_READ);
	return;
fail:
	log_warn("proxy: new connection");
	if (t != NULL) {
		if (t->cli != NULL)
			bufferevent_free(t->cli);
		else
			close(fd);
		if (t->timer != NULL)
			event_free(t->timer);
		free(t->msg);
		free(t);
	} else
		close(fd);
}
