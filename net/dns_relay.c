/* SPDX-License-Identifier: ISC */
/*
 * DNS relay: UDP with transaction-id remapping, TCP as a per-connection
 * stream to the upstream. Only the 12-byte header and the question are
 * ever parsed (to remap ids and to build SERVFAIL answers); everything
 * else is passed through untouched.
 *
 * UDP ids: a pending query lives in slot (new_id % DNS_RELAY_PENDING) and
 * the upper bits of new_id are random, so lookup is one array access and
 * ids stay unpredictable. A slot older than the timeout is reclaimed.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/rand.h>

#include "core/log.h"
#include "net/dns_relay.h"
#include "net/netns.h"

#define DNS_HDR		12
#define DNS_UDP_MAX	4096
#define DNS_TCP_IDLE_S	10
#define DNS_TCP_MSG_MAX	65535

struct pending {
	bool			used;
	uint16_t		new_id;
	uint16_t		old_id;
	struct sockaddr_in	client;
	struct timespec		sent;	/* CLOCK_MONOTONIC */
};

struct tcp_client;

struct dns_relay {
	struct event_base	*base;
	int			 nsfd;		/* dup'ed, owned */
	uint16_t		 upstream_port;
	struct in_addr		 upstreams[DNS_RELAY_MAX_UPSTREAMS];
	size_t			 nupstreams;
	unsigned		 timeout_ms;

	int			 udp_fd;	/* clients talk to this */
	int			 up_fd;		/* to the upstreams */
	struct event		*udp_ev;
	struct event		*up_ev;
	struct event		*sweep_ev;
	struct evconnlistener	*tcp;
	struct pending		 pending[DNS_RELAY_PENDING];
	unsigned		 cursor;
	struct tcp_client	*clients;
	unsigned		 nclients;
	struct dns_relay_stats	 stats;
};

struct tcp_client {
	struct dns_relay	*relay;
	struct bufferevent	*client;
	struct bufferevent	*upstream;	/* NULL: no tunnel */
	struct tcp_client	*next;
};

static uint64_t
elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - since->tv_sec) * 1000 +
	    (uint64_t)((now.tv_nsec - since->tv_nsec) / 1000000);
}

/* Length of the name at buf[off], or -1 if it runs past len or loops. */
static int
name_len(const uint8_t *buf, size_t len, size_t off)
{
	size_t start = off;

	while (off < len) {
		uint8_t l = buf[off];

		if (l == 0)
			return (int)(off + 1 - start);
		if ((l & 0xc0) != 0)	/* no compression in a question */
			return -1;
		off += 1 + (size_t)l;
		if (off - start > 255)
			return -1;
	}
	return -1;
}

int
dns_make_servfail(uint8_t *buf, size_t len)
{
	size_t	qend;
	int	nl;

	if (len < DNS_HDR)
		return -1;
	if ((buf[2] & 0x80) != 0)		/* QR: already an answer */
		return -1;
	if (buf[4] != 0 || buf[5] != 1)		/* QDCOUNT == 1 */
		return -1;
	if ((nl = name_len(buf, len, DNS_HDR)) < 0)
		return -1;
	qend = DNS_HDR + (size_t)nl + 4;	/* QTYPE, QCLASS */
	if (qend > len)
		return -1;
	buf[2] = (uint8_t)(0x80 | (buf[2] & 0x79));	/* QR, opcode, RD */
	buf[3] = 0x80 | 2;				/* RA, SERVFAIL */
	memset(buf + 6, 0, 6);			/* AN, NS, AR counts */
	return (int)qend;
}

static void
reply_servfail_udp(struct dns_relay *r, uint8_t *buf, size_t len,
    const struct sockaddr_in *to)
{
	int n;

	if ((n = dns_make_servfail(buf, len)) < 0) {
		r->stats.dropped++;
		return;
	}
	r->stats.servfail++;
	(void)sendto(r->udp_fd, buf, (size_t)n, 0,
	    (const struct sockaddr *)to, sizeof(*to));
}

static struct pending *
pending_alloc(struct dns_relay *r)
{
	unsigned	i;
	uint16_t	rnd;

	for (i = 0; i < DNS_RELAY_PENDING; i++) {
		unsigned	 slot = (r->cursor + i) % DNS_RELAY_PENDING;
		struct pending	*p = &r->pending[slot];

		if (p->used && elapsed_ms(&p->sent) > r->timeout_ms) {
			p->used = false;
			r->stats.timeouts++;
		}
		if (!p->used) {
			r->cursor = slot + 1;
			if (RAND_bytes((unsigned char *)&rnd, sizeof(rnd)) != 1)
				rnd = (uint16_t)random();
			p->new_id = (uint16_t)((rnd & ~(DNS_RELAY_PENDING - 1))
			    | slot);
			return p;
		}
	}
	return NULL;
}

static void
udp_client_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_relay	*r = arg;
	uint8_t			 buf[DNS_UDP_MAX];
	struct sockaddr_in	 from, to;
	socklen_t		 fromlen;
	ssize_t			 n;
	struct pending		*p;

	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			break;		/* EAGAIN: drained */
		if (n < DNS_HDR || (buf[2] & 0x80) != 0) {
			r->stats.dropped++;
			continue;
		}
		r->stats.queries++;
		if (r->nupstreams == 0 || (p = pending_alloc(r)) == NULL) {
			reply_servfail_udp(r, buf, (size_t)n, &from);
			continue;
		}
		p->used = true;
		p->old_id = (uint16_t)(buf[0] << 8 | buf[1]);
		p->client = from;
		clock_gettime(CLOCK_MONOTONIC, &p->sent);
		buf[0] = (uint8_t)(p->new_id >> 8);
		buf[1] = (uint8_t)(p->new_id & 0xff);
		memset(&to, 0, sizeof(to));
		to.sin_family = AF_INET;
		to.sin_port = htons(r->upstream_port);
		to.sin_addr = r->upstreams[p->new_id % r->nupstreams];
		if (sendto(r->up_fd, buf, (size_t)n, 0,
		    (struct sockaddr *)&to, sizeof(to)) < 0) {
			p->used = false;
			buf[0] = (uint8_t)(p->old_id >> 8);
			buf[1] = (uint8_t)(p->old_id & 0xff);
			reply_servfail_udp(r, buf, (size_t)n, &from);
		}
	}
}

static bool
is_upstream(const struct dns_relay *r, const struct sockaddr_in *from)
{
	size_t i;

	if (from->sin_port != htons(r->upstream_port))
		return false;
	for (i = 0; i < r->nupstreams; i++)
		if (r->upstreams[i].s_addr == from->sin_addr.s_addr)
			return true;
	return false;
}

static void
udp_upstream_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_relay	*r = arg;
	uint8_t			 buf[DNS_UDP_MAX];
	struct sockaddr_in	 from;
	socklen_t		 fromlen;
	ssize_t			 n;
	struct pending		*p;
	uint16_t		 id;

	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			break;
		id = n >= 2 ? (uint16_t)(buf[0] << 8 | buf[1]) : 0;
		p = &r->pending[id % DNS_RELAY_PENDING];
		if (n < DNS_HDR || !is_upstream(r, &from) || !p->used ||
		    p->new_id != id) {
			r->stats.dropped++;
			continue;
		}
		buf[0] = (uint8_t)(p->old_id >> 8);
		buf[1] = (uint8_t)(p->old_id & 0xff);
		p->used = false;
		r->stats.answers++;
		(void)sendto(r->udp_fd, buf, (size_t)n, 0,
		    (struct sockaddr *)&p->client, sizeof(p->client));
	}
}

/* Expire queries the upstream never answered (their clients retry). */
static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_relay	*r = arg;
	unsigned		 i;

	for (i = 0; i < DNS_RELAY_PENDING; i++) {
		struct pending *p = &r->pending[i];

		if (p->used && elapsed_ms(&p->sent) > r->timeout_ms) {
			p->used = false;
			r->stats.timeouts++;
		}
	}
}

static void
tcp_client_free(struct tcp_client *c)
{
	struct dns_relay	 *r = c->relay;
	struct tcp_client	**pp;

	for (pp = &r->clients; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	r->nclients--;
	if (c->upstream != NULL)
		bufferevent_free(c->upstream);
	bufferevent_free(c->client);
	free(c);
}

/* Count complete length-prefixed messages in src, without consuming. */
static void
count_tcp_queries(struct dns_relay *r, struct evbuffer *src, size_t from)
{
	size_t		len = evbuffer_get_length(src), off = from;
	uint8_t		pfx[2];
	struct evbuffer_ptr pos;

	while (off + 2 <= len) {
		evbuffer_ptr_set(src, &pos, off, EVBUFFER_PTR_SET);
		if (evbuffer_copyout_from(src, &pos, pfx, 2) != 2)
			break;
		off += 2 + (size_t)(pfx[0] << 8 | pfx[1]);
		if (off <= len)
			r->stats.queries++;
	}
}

/* No tunnel: answer each complete message with SERVFAIL. */
static void
tcp_answer_servfail(struct tcp_client *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->client);
	uint8_t		 msg[2 + DNS_TCP_MSG_MAX];
	size_t		 mlen;
	int		 n;

	while (evbuffer_get_length(in) >= 2) {
		if (evbuffer_copyout(in, msg, 2) != 2)
			return;
		mlen = (size_t)(msg[0] << 8 | msg[1]);
		if (evbuffer_get_length(in) < 2 + mlen)
			return;
		evbuffer_remove(in, msg, 2 + mlen);
		c->relay->stats.queries++;
		if ((n = dns_make_servfail(msg + 2, mlen)) < 0) {
			c->relay->stats.dropped++;
			continue;
		}
		c->relay->stats.servfail++;
		msg[0] = (uint8_t)(n >> 8);
		msg[1] = (uint8_t)(n & 0xff);
		bufferevent_write(c->client, msg, 2 + (size_t)n);
	}
}

static void
tcp_client_read_cb(struct bufferevent *bev, void *arg)
{
	struct tcp_client	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);

	if (c->upstream == NULL) {
		tcp_answer_servfail(c);
		return;
	}
	count_tcp_queries(c->relay, in, 0);
	bufferevent_write_buffer(c->upstream, in);
}

static void
tcp_upstream_read_cb(struct bufferevent *bev, void *arg)
{
	struct tcp_client *c = arg;

	c->relay->stats.answers++;
	bufferevent_write_buffer(c->client, bufferevent_get_input(bev));
}

static void
tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tcp_client *c = arg;

	if (what & BEV_EVENT_CONNECTED)
		return;
	if (bev == c->upstream && (what & BEV_EVENT_ERROR))
		c->relay->stats.timeouts++;
	/* Either side closed, failed or idled out: the exchange is over. */
	tcp_client_free(c);
}

static int
upstream_connect(struct tcp_client *c)
{
	struct dns_relay	*r = c->relay;
	struct sockaddr_in	 to;
	struct timeval		 tv = { DNS_TCP_IDLE_S, 0 };
	int			 fd;

	fd = netns_socket(r->nsfd, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	c->upstream = bufferevent_socket_new(r->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (c->upstream == NULL) {
		close(fd);
		return -1;
	}
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(r->upstream_port);
	to.sin_addr = r->upstreams[0];
	bufferevent_setcb(c->upstream, tcp_upstream_read_cb, NULL,
	    tcp_event_cb, c);
	bufferevent_set_timeouts(c->upstream, &tv, &tv);
	if (bufferevent_socket_connect(c->upstream, (struct sockaddr *)&to,
	    sizeof(to)) < 0)
		return -1;
	bufferevent_enable(c->upstream, EV_READ | EV_WRITE);
	return 0;
}

static void
tcp_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct dns_relay	*r = arg;
	struct tcp_client	*c;
	struct timeval		 tv = { DNS_TCP_IDLE_S, 0 };

	if (r->nclients >= DNS_RELAY_TCP_MAX ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		r->stats.dropped++;
		return;
	}
	c->relay = r;
	c->client = bufferevent_socket_new(r->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (c->client == NULL) {
		close(fd);
		free(c);
		return;
	}
	c->next = r->clients;
	r->clients = c;
	r->nclients++;
	bufferevent_setcb(c->client, tcp_client_read_cb, NULL, tcp_event_cb,
	    c);
	bufferevent_set_timeouts(c->client, &tv, &tv);
	if (r->nupstreams > 0 && upstream_connect(c) < 0) {
		log_warnx("dns relay: cannot reach upstream over TCP");
		if (c->upstream != NULL) {
			bufferevent_free(c->upstream);
			c->upstream = NULL;
		}
	}
	bufferevent_enable(c->client, EV_READ | EV_WRITE);
}

static int
udp_socket(int nsfd, struct in_addr addr, uint16_t port)
{
	struct sockaddr_in	sin;
	int			fd;

	fd = netns_socket(nsfd, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		errno = -fd;
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = addr;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

struct dns_relay *
dns_relay_new(struct event_base *base, int nsfd, struct in_addr listen,
    uint16_t port, uint16_t upstream_port)
{
	struct dns_relay	*r;
	struct sockaddr_in	 sin;
	struct in_addr		 any = { INADDR_ANY };
	struct timeval		 sweep = { 1, 0 };
	char			 addr[INET_ADDRSTRLEN];
	int			 tfd, one = 1;

	inet_ntop(AF_INET, &listen, addr, sizeof(addr));
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->base = base;
	r->upstream_port = upstream_port;
	r->timeout_ms = 5000;
	r->udp_fd = r->up_fd = -1;
	r->nsfd = nsfd >= 0 ? fcntl(nsfd, F_DUPFD_CLOEXEC, 0) : -1;
	if (nsfd >= 0 && r->nsfd < 0)
		goto fail;
	if ((r->udp_fd = udp_socket(nsfd, listen, port)) < 0) {
		log_warn("dns relay: bind %s:%u/udp", addr, port);
		goto fail;
	}
	if ((r->up_fd = udp_socket(nsfd, any, 0)) < 0) {
		log_warn("dns relay: upstream socket");
		goto fail;
	}
	tfd = netns_socket(nsfd, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (tfd < 0) {
		errno = -tfd;
		log_warn("dns relay: tcp socket");
		goto fail;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = listen;
	sin.sin_port = htons(port);
	(void)setsockopt(tfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(tfd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		log_warn("dns relay: bind %s:%u/tcp", addr, port);
		close(tfd);
		goto fail;
	}
	r->tcp = evconnlistener_new(base, tcp_accept_cb, r,
	    LEV_OPT_CLOSE_ON_FREE, 16, tfd);
	if (r->tcp == NULL) {
		close(tfd);
		goto fail;
	}
	r->udp_ev = event_new(base, r->udp_fd, EV_READ | EV_PERSIST,
	    udp_client_cb, r);
	r->up_ev = event_new(base, r->up_fd, EV_READ | EV_PERSIST,
	    udp_upstream_cb, r);
	r->sweep_ev = event_new(base, -1, EV_PERSIST, sweep_cb, r);
	if (r->udp_ev == NULL || r->up_ev == NULL || r->sweep_ev == NULL ||
	    event_add(r->udp_ev, NULL) < 0 || event_add(r->up_ev, NULL) < 0 ||
	    event_add(r->sweep_ev, &sweep) < 0)
		goto fail;
	log_debug("dns relay: listening on %s:%u", addr, port);
	return r;
fail:
	dns_relay_free(r);
	return NULL;
}

void
dns_relay_free(struct dns_relay *r)
{
	if (r == NULL)
		return;
	while (r->clients != NULL)
		tcp_client_free(r->clients);
	if (r->tcp != NULL)
		evconnlistener_free(r->tcp);
	if (r->udp_ev != NULL)
		event_free(r->udp_ev);
	if (r->up_ev != NULL)
		event_free(r->up_ev);
	if (r->sweep_ev != NULL)
		event_free(r->sweep_ev);
	if (r->udp_fd >= 0)
		close(r->udp_fd);
	if (r->up_fd >= 0)
		close(r->up_fd);
	if (r->nsfd >= 0)
		close(r->nsfd);
	free(r);
}

void
dns_relay_set_upstreams(struct dns_relay *r, const struct in_addr *servers,
    size_t n)
{
	if (n > DNS_RELAY_MAX_UPSTREAMS)
		n = DNS_RELAY_MAX_UPSTREAMS;
	memcpy(r->upstreams, servers, n * sizeof(*servers));
	r->nupstreams = n;
	if (n == 0) {
		/* Queries in flight can no longer be answered. */
		memset(r->pending, 0, sizeof(r->pending));
	}
}

void
dns_relay_set_timeout(struct dns_relay *r, unsigned ms)
{
	r->timeout_ms = ms;
}

const struct dns_relay_stats *
dns_relay_stats(const struct dns_relay *r)
{
	return &r->stats;
}
