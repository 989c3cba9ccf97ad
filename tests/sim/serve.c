/* SPDX-License-Identifier: ISC */
/*
 * The piasim daemon: every endpoint of the simulated world in one libevent
 * loop. Listening sockets are made inside the namespace they belong to
 * (net/netns.h netns_socket) before the fork, so `up` reports a bind
 * failure itself; the daemon then only accepts.
 *
 * HTTP is one request per connection ("Connection: close"), parsed with
 * piad's own pia/http.h, which is what PIA's clients see from nginx too.
 * The generic fault knobs act here, before and after the handler: a hung
 * endpoint parks the connection, a 5xx one answers without running the
 * handler (so it has no side effect), latency delays the reply.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/ssl.h>

#include "core/log.h"
#include "net/netns.h"
#include "pia/http.h"
#include "tests/sim/dns.h"
#include "tests/sim/serve.h"

#define MAX_LISTENERS	(8 + SIM_MAX_SERVERS * 9)
#define BODY_MAX	(64 * 1024)
#define CTL_LINE_MAX	4096

enum cstate { C_HEAD, C_BODY, C_WAIT, C_WRITE };

static struct event_base	*base;
static struct listener		 listeners[MAX_LISTENERS];
static int			 nlisteners;
static TAILQ_HEAD(, conn)	 conns = TAILQ_HEAD_INITIALIZER(conns);

static int	tcp_listen(int, const char *, struct in_addr, uint16_t);
static int	udp_bind(int, struct in_addr, uint16_t);
static int	add_listener(struct sim *, struct sim_server *, enum lkind,
		    SSL_CTX *, int);
static int	ctl_listen(struct sim *);
static void	accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	conn_free(struct conn *);
static void	conn_read_cb(struct bufferevent *, void *);
static void	conn_write_cb(struct bufferevent *, void *);
static void	conn_event_cb(struct bufferevent *, short, void *);
static void	conn_request(struct conn *);
static void	conn_send(struct conn *);
static void	conn_delay_cb(evutil_socket_t, short, void *);
static void	dns_udp_cb(evutil_socket_t, short, void *);
static void	dns_tcp_read_cb(struct bufferevent *, void *);
static void	dns_tcp_event_cb(struct bufferevent *, short, void *);
static void	ctl_read_cb(struct bufferevent *, void *);
static void	ctl_write_cb(struct bufferevent *, void *);
static void	ctl_event_cb(struct bufferevent *, short, void *);
static void	tick_cb(evutil_socket_t, short, void *);
static void	stop_cb(evutil_socket_t, short, void *);
static int	open_all(struct sim *);
static int	daemon_main(struct sim *, int);

struct event_base *
sim_base(void)
{
	return base;
}

time_t
sim_now(const struct sim *s)
{
	return time(NULL) + s->clock_offset;
}

static int
tcp_listen(int nsfd, const char *what, struct in_addr a, uint16_t port)
{
	struct sockaddr_in	sin;
	int			fd, one = 1;

	if ((fd = netns_socket(nsfd, AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
	    0)) < 0) {
		log_warnx("%s: socket: %s", what, strerror(-fd));
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = a;
	sin.sin_port = htons(port);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 128) == -1) {
		log_warn("%s: %s:%u", what, inet_ntoa(a), port);
		close(fd);
		return -1;
	}
	return fd;
}

static int
udp_bind(int nsfd, struct in_addr a, uint16_t port)
{
	struct sockaddr_in	sin;
	int			fd;

	if ((fd = netns_socket(nsfd, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK,
	    0)) < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = a;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		log_warn("dns: %s:%u", inet_ntoa(a), port);
		close(fd);
		return -1;
	}
	return fd;
}

static int
add_listener(struct sim *s, struct sim_server *sv, enum lkind kind,
    SSL_CTX *tls, int fd)
{
	struct listener *l;

	if (fd < 0 || nlisteners == MAX_LISTENERS)
		return -1;
	l = &listeners[nlisteners++];
	l->s = s;
	l->sv = sv;
	l->kind = kind;
	l->tls = tls;
	l->fd = fd;
	return 0;
}

static int
ctl_listen(struct sim *s)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s",
	    s->dir, SIM_FILE_SOCK) >= sizeof(sun.sun_path)) {
		log_warnx("control: %s: path too long", s->dir);
		return -1;
	}
	(void)unlink(sun.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(sun.sun_path, 0600) == -1 || listen(fd, 16) == -1) {
		log_warn("control: %s", sun.sun_path);
		close(fd);
		return -1;
	}
	return add_listener(s, NULL, L_CTL, NULL, fd);
}

/* Every listening socket of the world, each in its namespace. */
static int
open_all(struct sim *s)
{
	struct in_addr	a;
	SSL_CTX		*www, *list;
	int		 i, j;

	if ((www = sim_tls_ctx(s->www_cert, s->www_key, s->api_ca)) == NULL ||
	    (list = sim_tls_ctx(s->list_cert, s->list_leaf_key,
	    s->api_ca)) == NULL)
		return -1;
	inet_pton(AF_INET, SIM_WWW_IP, &a);
	if (add_listener(s, NULL, L_WWW, www,
	    tcp_listen(s->api_nsfd, "www", a, 443)) == -1)
		return -1;
	inet_pton(AF_INET, SIM_LIST_IP, &a);
	if (add_listener(s, NULL, L_LIST, list,
	    tcp_listen(s->api_nsfd, "serverlist", a, 443)) == -1)
		return -1;
	inet_pton(AF_INET, SIM_WEB_IP, &a);
	if (add_listener(s, NULL, L_WEB, NULL,
	    tcp_listen(s->web_nsfd, "web", a, 80)) == -1)
		return -1;
	for (i = 0; i < s->nservers; i++) {
		struct sim_server *sv = &s->servers[i];

		if ((sv->tls = sim_tls_ctx(sv->tls_cert, sv->tls_key,
		    s->pia_ca)) == NULL)
			return -1;
		if (add_listener(s, sv, L_ADDKEY, sv->tls,
		    tcp_listen(sv->nsfd, sv->cn, sv->pub,
		    SIM_ADDKEY_PORT)) == -1 ||
		    add_listener(s, sv, L_SIG, sv->tls,
		    tcp_listen(sv->nsfd, sv->cn, sv->vip, SIM_SIGPORT)) == -1 ||
		    add_listener(s, sv, L_SIG, sv->tls,
		    tcp_listen(sv->nsfd, sv->cn, sv->pub, SIM_SIGPORT)) == -1 ||
		    add_listener(s, sv, L_META, NULL,
		    tcp_listen(sv->nsfd, sv->cn, sv->pub, 443)) == -1)
			return -1;
		for (j = 0; j < 2; j++) {
			inet_pton(AF_INET, j ? SIM_DNS2 : SIM_DNS1, &a);
			if (add_listener(s, sv, L_DNS_UDP, NULL,
			    udp_bind(sv->nsfd, a, 53)) == -1 ||
			    add_listener(s, sv, L_DNS_TCP, NULL,
			    tcp_listen(sv->nsfd, sv->cn, a, 53)) == -1)
				return -1;
		}
	}
	return ctl_listen(s);
}

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener		*l = arg;
	struct conn		*c;
	struct bufferevent	*bev;
	SSL			*ssl;

	if (l->kind == L_META) {
		/* A latency probe only needs the handshake. */
		l->s->requests[EP_META]++;
		l->sv->requests[EP_META]++;
		close(fd);
		return;
	}
	if (l->kind == L_CTL) {
		if ((bev = bufferevent_socket_new(base, fd,
		    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
			close(fd);
			return;
		}
		bufferevent_setcb(bev, ctl_read_cb, NULL, ctl_event_cb, l->s);
		bufferevent_enable(bev, EV_READ);
		return;
	}
	if (l->kind == L_DNS_TCP) {
		if ((bev = bufferevent_socket_new(base, fd,
		    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
			close(fd);
			return;
		}
		bufferevent_setcb(bev, dns_tcp_read_cb, NULL,
		    dns_tcp_event_cb, l);
		bufferevent_set_timeouts(bev, &(struct timeval){ 10, 0 },
		    NULL);
		bufferevent_enable(bev, EV_READ);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->msg = malloc(sizeof(*c->msg))) == NULL ||
	    (c->body = evbuffer_new()) == NULL ||
	    (c->out = evbuffer_new()) == NULL)
		goto fail;
	c->l = l;
	c->s = l->s;
	c->sv = l->sv;
	if (sa->sa_family == AF_INET && (size_t)salen >= sizeof(c->peer))
		memcpy(&c->peer, sa, sizeof(c->peer));
	http_msg_init(c->msg, HTTP_REQUEST);
	if (l->tls != NULL) {
		if ((ssl = SSL_new(l->tls)) == NULL)
			goto fail;
		bev = bufferevent_openssl_socket_new(base, fd, ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	} else
		bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		goto fail;
	fd = -1;
	c->bev = bev;
	TAILQ_INSERT_TAIL(&conns, c, entry);
	bufferevent_setcb(bev, conn_read_cb, NULL, conn_event_cb, c);
	bufferevent_set_timeouts(bev, &(struct timeval){ 30, 0 }, NULL);
	bufferevent_enable(bev, EV_READ);
	(void)lev;
	return;
fail:
	if (fd != -1)
		close(fd);
	if (c != NULL) {
		free(c->msg);
		if (c->body)
			evbuffer_free(c->body);
		if (c->out)
			evbuffer_free(c->out);
		free(c);
	}
}

/*
 * Freeing a bufferevent from its own callback is safe in libevent 2 (it
 * is reference counted); the conn goes with it and nothing touches it
 * after this returns.
 */
static void
conn_free(struct conn *c)
{
	TAILQ_REMOVE(&conns, c, entry);
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	evbuffer_free(c->body);
	evbuffer_free(c->out);
	free(c->msg);
	free(c);
}

void
sim_release_hung(void)
{
	struct conn *c, *next;

	for (c = TAILQ_FIRST(&conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->state == C_WAIT && c->timer == NULL)
			conn_free(c);
	}
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	enum http_parse	 r;

	if (c->state == C_HEAD) {
		r = http_head_read(c->msg, in);
		if (r == HTTP_MORE)
			return;
		if (r == HTTP_ERROR) {
			log_info("http: %s: bad request: %s",
			    inet_ntoa(c->peer.sin_addr),
			    http_err_str(c->msg->err));
			api_reply_text(c, 400, "Bad Request\n");
			conn_send(c);
			return;
		}
		c->state = C_BODY;
	}
	if (c->state == C_BODY) {
		if (c->msg->framing != HTTP_BODY_NONE) {
			r = http_body_read(c->msg, in, c->body);
			if (r == HTTP_MORE &&
			    evbuffer_get_length(c->body) <= BODY_MAX)
				return;
			if (r != HTTP_DONE) {
				api_reply_text(c, 400, "Bad Request\n");
				conn_send(c);
				return;
			}
		}
		c->state = C_WAIT;
		conn_request(c);
		return;
	}
	/* Anything after the request is ignored (one request only). */
	evbuffer_drain(in, evbuffer_get_length(in));
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	SSL *ssl;

	if (c->state != C_WRITE ||
	    evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	/* A clean TLS close (close_notify), as nginx does, then free. */
	if (c->l->tls != NULL &&
	    (ssl = bufferevent_openssl_get_ssl(bev)) != NULL)
		(void)SSL_shutdown(ssl);
	conn_free(c);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	/* TLS handshake done: nothing to do until the request arrives. */
	if (what & BEV_EVENT_CONNECTED)
		return;
	/*
	 * A client that half-closes after its request still gets the reply
	 * (now or after a latency delay); a parked (hung) one is let go.
	 */
	if ((what & BEV_EVENT_EOF) && (c->state == C_WRITE ||
	    (c->state == C_WAIT && c->timer != NULL))) {
		bufferevent_disable(bev, EV_READ);
		return;
	}
	/* Error, idle timeout, or EOF before a whole request: gone. */
	conn_free(c);
}

/* The whole request is here: apply the generic knobs around the handler. */
static void
conn_request(struct conn *c)
{
	struct sim_faults	*f = &c->s->faults;
	const char		*t = c->msg->target, *q;
	size_t			 plen;

	q = strchr(t, '?');
	plen = q ? (size_t)(q - t) : strlen(t);
	if (plen >= sizeof(c->path))
		plen = sizeof(c->path) - 1;
	memcpy(c->path, t, plen);
	c->path[plen] = '\0';
	snprintf(c->query, sizeof(c->query), "%s", q ? q + 1 : "");
	c->ep = api_endpoint(c);
	c->s->requests[c->ep]++;
	if (c->sv != NULL)
		c->sv->requests[c->ep]++;

	if (f->on[F_HANG] && (f->hang_eps & (1u << c->ep))) {
		f->hits[F_HANG]++;
		log_info("fault hang: %s request from %s parked",
		    sim_ep_names[c->ep], inet_ntoa(c->peer.sin_addr));
		/* Parked until the client gives up or `fault clear`. */
		bufferevent_set_timeouts(c->bev, NULL, NULL);
		return;
	}
	if (f->on[F_HTTP_5XX] && (f->http5xx_eps & (1u << c->ep))) {
		char text[64];

		f->hits[F_HTTP_5XX]++;
		snprintf(text, sizeof(text), "%d Server Error\n",
		    f->http5xx_code);
		api_reply_text(c, f->http5xx_code, text);
	} else
		api_dispatch(c);

	if (f->on[F_LATENCY] && (f->latency_eps & (1u << c->ep))) {
		struct timeval tv = { f->latency_ms / 1000,
		    (f->latency_ms % 1000) * 1000 };

		f->hits[F_LATENCY]++;
		if ((c->timer = evtimer_new(base, conn_delay_cb, c)) != NULL &&
		    evtimer_add(c->timer, &tv) == 0)
			return;
	}
	conn_send(c);
}

static void
conn_delay_cb(evutil_socket_t fd, short what, void *arg)
{
	conn_send(arg);
}

static const char *
reason(int code)
{
	switch (code) {
	case 200:	return "OK";
	case 400:	return "Bad Request";
	case 401:	return "Unauthorized";
	case 404:	return "Not Found";
	case 405:	return "Method Not Allowed";
	case 409:	return "Conflict";
	case 429:	return "Too Many Requests";
	case 500:	return "Internal Server Error";
	case 502:	return "Bad Gateway";
	case 503:	return "Service Unavailable";
	case 504:	return "Gateway Timeout";
	default:	return "Unknown";
	}
}

static void
conn_send(struct conn *c)
{
	struct evbuffer *o = bufferevent_get_output(c->bev);

	evbuffer_add_printf(o, "HTTP/1.1 %d %s\r\nServer: nginx\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", c->code, reason(c->code),
	    c->ctype ? c->ctype : "text/plain",
	    evbuffer_get_length(c->out));
	evbuffer_add_buffer(o, c->out);
	c->state = C_WRITE;
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb,
	    c);
	bufferevent_enable(c->bev, EV_WRITE);
}

static void
dns_udp_cb(evutil_socket_t fd, short what, void *arg)
{
	struct listener		*l = arg;
	struct simdns_zone	 zone;
	struct sockaddr_in	 from;
	socklen_t		 flen;
	uint8_t			 q[1500], r[SIMDNS_MAXMSG];
	ssize_t			 n;
	int			 rlen;

	inet_pton(AF_INET, SIM_WEB_IP, &zone.web);
	zone.whoami = l->sv->pub;
	for (;;) {
		flen = sizeof(from);
		n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from,
		    &flen);
		if (n < 0)
			return;
		l->s->requests[EP_DNS]++;
		l->sv->requests[EP_DNS]++;
		if (l->s->faults.on[F_HANG] &&
		    (l->s->faults.hang_eps & (1u << EP_DNS))) {
			l->s->faults.hits[F_HANG]++;
			continue;
		}
		rlen = simdns_answer(q, (size_t)n, r, sizeof(r), &zone);
		if (rlen > 0)
			(void)sendto(fd, r, (size_t)rlen, 0,
			    (struct sockaddr *)&from, flen);
	}
}

static void
dns_tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct listener		*l = arg;
	struct sim_server	*sv = l->sv;
	struct sim		*s = l->s;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct simdns_zone	 zone;
	uint8_t			 hdr[2], q[65536], r[SIMDNS_MAXMSG + 2];
	size_t			 len;
	int			 rlen;

	inet_pton(AF_INET, SIM_WEB_IP, &zone.web);
	zone.whoami = sv->pub;
	while (evbuffer_copyout(in, hdr, 2) == 2) {
		len = (size_t)(hdr[0] << 8 | hdr[1]);
		if (evbuffer_get_length(in) < len + 2)
			return;
		evbuffer_drain(in, 2);
		evbuffer_remove(in, q, len);
		s->requests[EP_DNS]++;
		sv->requests[EP_DNS]++;
		if (s->faults.on[F_HANG] &&
		    (s->faults.hang_eps & (1u << EP_DNS))) {
			s->faults.hits[F_HANG]++;
			continue;
		}
		rlen = simdns_answer(q, len, r + 2, sizeof(r) - 2, &zone);
		if (rlen <= 0) {
			bufferevent_free(bev);
			return;
		}
		r[0] = (uint8_t)(rlen >> 8);
		r[1] = (uint8_t)rlen;
		bufferevent_write(bev, r, (size_t)rlen + 2);
	}
}

static void
dns_tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	bufferevent_free(bev);
}

static void
ctl_read_cb(struct bufferevent *bev, void *arg)
{
	struct sim	*s = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line, *reply;
	size_t		 n;

	if ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) == NULL) {
		if (evbuffer_get_length(in) > CTL_LINE_MAX)
			bufferevent_free(bev);
		return;
	}
	reply = ctl_handle(s, line);
	free(line);
	bufferevent_write(bev, reply, strlen(reply));
	bufferevent_write(bev, "\n", 1);
	free(reply);
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, ctl_write_cb, ctl_event_cb, s);
}

static void
ctl_write_cb(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		bufferevent_free(bev);
}

static void
ctl_event_cb(struct bufferevent *bev, short what, void *arg)
{
	bufferevent_free(bev);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	api_expire_bindings(arg);
}

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(base);
}

static int
daemon_main(struct sim *s, int ready_fd)
{
	struct event	*tick, *sigterm, *sigint;
	char		 path[PATH_MAX];
	FILE		*f;
	int		 i;

	if ((base = event_base_new()) == NULL)
		return 1;
	for (i = 0; i < nlisteners; i++) {
		struct listener *l = &listeners[i];

		if (l->kind == L_DNS_UDP) {
			l->ev = event_new(base, l->fd, EV_READ | EV_PERSIST,
			    dns_udp_cb, l);
			if (l->ev == NULL || event_add(l->ev, NULL) == -1)
				return 1;
			continue;
		}
		l->lev = evconnlistener_new(base, accept_cb, l,
		    LEV_OPT_CLOSE_ON_FREE, -1, l->fd);
		if (l->lev == NULL)
			return 1;
	}
	tick = event_new(base, -1, EV_PERSIST, tick_cb, s);
	sigterm = evsignal_new(base, SIGTERM, stop_cb, NULL);
	sigint = evsignal_new(base, SIGINT, stop_cb, NULL);
	if (tick == NULL || sigterm == NULL || sigint == NULL ||
	    event_add(tick, &(struct timeval){ 1, 0 }) == -1 ||
	    event_add(sigterm, NULL) == -1 || event_add(sigint, NULL) == -1)
		return 1;
	signal(SIGPIPE, SIG_IGN);

	snprintf(path, sizeof(path), "%s/%s", s->dir, SIM_FILE_PID);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	log_info("piasim %s: serving %d servers", s->prefix, s->nservers);
	(void)write(ready_fd, "R", 1);
	close(ready_fd);

	event_base_dispatch(base);

	log_info("piasim %s: stopping", s->prefix);
	while (!TAILQ_EMPTY(&conns))
		conn_free(TAILQ_FIRST(&conns));
	for (i = 0; i < nlisteners; i++) {
		if (listeners[i].lev != NULL)
			evconnlistener_free(listeners[i].lev);
		if (listeners[i].ev != NULL) {
			event_free(listeners[i].ev);
			close(listeners[i].fd);
		}
	}
	event_free(tick);
	event_free(sigterm);
	event_free(sigint);
	event_base_free(base);
	(void)unlink(path);
	return 0;
}

int
sim_serve_start(struct sim *s)
{
	char	 path[PATH_MAX], c = 0;
	int	 p[2], fd;
	pid_t	 pid;

	if (open_all(s) == -1)
		return -1;
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		close(p[0]);
		setsid();
		log_set_level(LOG_LVL_INFO);
		snprintf(path, sizeof(path), "%s/%s", s->dir, SIM_FILE_LOG);
		if ((fd = open("/dev/null", O_RDONLY)) != -1) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND,
		    0600)) != -1) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		_exit(daemon_main(s, p[1]));
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1 || c != 'R') {
		close(p[0]);
		log_warnx("serve: the daemon did not start (see %s/%s)",
		    s->dir, SIM_FILE_LOG);
		return -1;
	}
	close(p[0]);
	return 0;
}
