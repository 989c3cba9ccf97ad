/* SPDX-License-Identifier: ISC */
/*
 * HTTPS exchanges on a dialed, TLS-wrapped bufferevent. One https_conn runs
 * one request at a time; its lifetime rules follow the house style: the
 * user callback is the only foreign code we run, the conn is marked dead if
 * freed from inside it, and the memory goes from a deferred event. Failures
 * found before the caller has its handle are also reported from a deferred
 * event, so a callback never runs inside https_conn_request().
 *
 * The request bytes live in one malloc'd buffer referenced (not copied) by
 * the output evbuffer, so that the only plaintext copy of a token or
 * password we control is wiped once the exchange is over.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <openssl/crypto.h>

#include "core/log.h"
#include "pia/https.h"
#include "pia/tls.h"

struct https_conn {
	struct event_base	*base;
	struct dial_spec	 dial_spec;
	char			*tls_name;
	char			*ca_file;
	bool			 oneshot;
	bool			 dead;		/* freed by the user */
	bool			 in_cb;		/* user callback on the stack */
	struct event		*free_ev;	/* deferred free */
	struct event		*fail_ev;	/* deferred early failure */
	struct event		*timer;		/* total timeout */

	/* The connection. */
	struct dial		*dial;
	struct bufferevent	*bev;		/* TLS over the dialed socket */
	bool			 handshaken;
	unsigned		 served;	/* requests done on this bev */

	/* The request in flight. */
	bool			 busy;
	https_cb		 cb;
	void			*cb_arg;
	/* wire bytes; may hold secrets */
	char			*req;
	size_t			 req_len;
	char			 what[160];	/* "GET host/path" for logs */
	bool			 no_body;	/* HEAD */
	bool			 got_bytes;	/* any response byte seen */
	bool			 retried;
	bool			 reused;
	unsigned		 connect_timeout_ms;
	unsigned		 total_timeout_ms;
	unsigned		 connect_ms;
	struct timespec		 t0;
	struct http_msg		*msg;
	struct evbuffer		*body;
	struct pia_result	 pending;	/* for fail_ev */
};

static void	conn_connect(struct https_conn *);
static void	conn_complete(struct https_conn *,
		    const struct pia_result *);

static unsigned
since_ms(const struct timespec *t0)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - t0->tv_sec) * 1000LL +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
	return ms < 0 ? 0 : (unsigned)ms;
}

/* Only what may appear in a request line or Host field. */
static bool
token_ok(const char *s, size_t max)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= max || (unsigned char)s[i] <= 0x20 ||
		    (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

static void
conn_drop_bev(struct https_conn *c)
{
	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	c->handshaken = false;
	c->served = 0;
}

static void
conn_wipe_request(struct https_conn *c)
{
	if (c->req != NULL) {
		OPENSSL_cleanse(c->req, c->req_len);
		free(c->req);
		c->req = NULL;
	}
	c->req_len = 0;
	free(c->msg);
	c->msg = NULL;
	if (c->body != NULL) {
		size_t n = evbuffer_get_length(c->body);
		unsigned char *p;

		if (n > 0 && (p = evbuffer_pullup(c->body, -1)) != NULL)
			OPENSSL_cleanse(p, n);
		evbuffer_free(c->body);
		c->body = NULL;
	}
	c->busy = false;
}

static void
conn_destroy(struct https_conn *c)
{
	if (c->dial != NULL)
		dial_cancel(c->dial);
	conn_drop_bev(c);
	conn_wipe_request(c);
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->fail_ev != NULL)
		event_free(c->fail_ev);
	if (c->free_ev != NULL)
		event_free(c->free_ev);
	free(c->tls_name);
	free(c->ca_file);
	free(c);
}

static void
conn_free_cb(evutil_socket_t fd, short what, void *arg)
{
	conn_destroy(arg);
}

void
https_conn_free(struct https_conn *c)
{
	if (c == NULL || c->dead)
		return;
	c->dead = true;
	/* Abandon everything now; only the memory waits. */
	if (c->dial != NULL) {
		dial_cancel(c->dial);
		c->dial = NULL;
	}
	conn_drop_bev(c);
	event_del(c->timer);
	event_del(c->fail_ev);
	conn_wipe_request(c);
	if (c->in_cb)
		event_active(c->free_ev, 0, 0);
	else
		conn_destroy(c);
}

static void
conn_fail_cb(evutil_socket_t fd, short what, void *arg)
{
	struct https_conn *c = arg;
	struct pia_result res = c->pending;

	conn_complete(c, &res);
}

/* Report a failure found inside https_conn_request() a moment later. */
static void
conn_fail_later(struct https_conn *c, const struct pia_result *res)
{
	c->pending = *res;
	event_active(c->fail_ev, 0, 0);
}

static void
conn_fail(struct https_conn *c, enum pia_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
conn_fail(struct https_conn *c, enum pia_err err, const char *fmt, ...)
{
	struct pia_result res;
	char msg[PIA_RESULT_MSG_MAX];
	va_list ap;

	pia_result_clear(&res);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pia_result_set(&res, err, "%s: %s", c->what, msg);
	conn_complete(c, &res);
}

/* Delta-seconds only; an HTTP-date counts as "unknown" (0). */
static unsigned
retry_after(const struct http_msg *m)
{
	const char *v = http_header_get(m, "Retry-After");
	unsigned long n;
	char *end;

	if (v == NULL || *v < '0' || *v > '9')
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || n > 86400)
		return 0;
	return (unsigned)n;
}

static void
conn_idle_read_cb(struct bufferevent *bev, void *arg)
{
	struct https_conn *c = arg;

	/* Nothing is expected between requests: do not reuse. */
	log_debug("https %s: unsolicited data on idle connection",
	    c->tls_name);
	conn_drop_bev(c);
}

static void
conn_idle_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct https_conn *c = arg;

	log_debug("https %s: idle connection closed by the server",
	    c->tls_name);
	conn_drop_bev(c);
}

/*
 * The end of a request, good or bad: settle the connection, then call the
 * user. After the callback the conn may be dead (freed by the user) or
 * running the next request; touch nothing of the old one.
 */
static void
conn_complete(struct https_conn *c, const struct pia_result *in)
{
	struct https_response resp;
	struct http_msg *msg = c->msg;
	size_t n;
	bool keep;

	memset(&resp, 0, sizeof(resp));
	resp.res = *in;
	resp.connect_ms = c->connect_ms;
	resp.total_ms = since_ms(&c->t0);
	resp.reused = c->reused;
	event_del(c->timer);
	event_del(c->fail_ev);
	if (c->dial != NULL) {
		dial_cancel(c->dial);
		c->dial = NULL;
	}

	if (msg != NULL && msg->head_done) {
		resp.status = msg->status;
		resp.head = msg;
		resp.res.http_status = msg->status;
	}
	if (resp.res.err == PIA_OK && resp.status / 100 != 2) {
		if (resp.status == 429) {
			resp.res.retry_after_s = retry_after(msg);
			pia_result_set(&resp.res, PIA_ERR_RATE_LIMITED,
			    "%s: HTTP 429 %.60s (retry after %u s)", c->what,
			    msg->reason, resp.res.retry_after_s);
		} else
			pia_result_set(&resp.res, PIA_ERR_HTTP_STATUS,
			    "%s: HTTP %d %.60s", c->what, resp.status,
			    msg->reason);
	}

	/* Reuse only a clean connection after a complete exchange. */
	keep = !c->oneshot && c->bev != NULL && msg != NULL &&
	    http_body_done(msg) && msg->keep_alive &&
	    (in->err == PIA_OK) &&
	    evbuffer_get_length(bufferevent_get_input(c->bev)) == 0 &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0;
	if (keep) {
		c->served++;
		bufferevent_setcb(c->bev, conn_idle_read_cb, NULL,
		    conn_idle_event_cb, c);
	} else
		conn_drop_bev(c);

	if (c->body != NULL && (n = evbuffer_get_length(c->body)) > 0) {
		if ((resp.body = malloc(n + 1)) != NULL) {
			evbuffer_copyout(c->body, resp.body, n);
			resp.body[n] = '\0';
			resp.body_len = n;
		}
	} else if ((resp.body = malloc(1)) != NULL)
		resp.body[0] = '\0';
	/* The parsed head stays alive for the callback; the rest goes. */
	c->msg = NULL;
	conn_wipe_request(c);

	if (resp.res.err == PIA_OK)
		log_debug("https %s: %d in %u ms (connect %u ms%s)", c->what,
		    resp.status, resp.total_ms, resp.connect_ms,
		    resp.reused ? ", reused" : "");
	else
		log_debug("https %s", resp.res.message);

	c->in_cb = true;
	c->cb(&resp, c->cb_arg);
	c->in_cb = false;

	if (resp.body != NULL) {
		OPENSSL_cleanse(resp.body, resp.body_len);
		free(resp.body);
	}
	free(msg);
	if (c->dead)
		return;		/* free_ev is pending */
	if (c->oneshot && !c->busy)
		https_conn_free(c);
}

static void
conn_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct https_conn *c = arg;

	conn_drop_bev(c);
	conn_fail(c, PIA_ERR_TIMEOUT, "no complete response within %u ms",
	    c->total_timeout_ms);
}

/* A kept connection died before answering: dial again, once. */
static bool
conn_maybe_retry(struct https_conn *c)
{
	if (c->served == 0 || c->got_bytes || c->retried)
		return false;
	log_debug("https %s: kept connection was closed, reconnecting",
	    c->what);
	c->retried = true;
	c->reused = false;
	conn_drop_bev(c);
	conn_connect(c);
	return true;
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct https_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	enum http_parse r;

	if (evbuffer_get_length(in) > 0)
		c->got_bytes = true;
	for (;;) {
		if (!c->msg->head_done) {
			r = http_head_read(c->msg, in);
			if (r == HTTP_MORE)
				return;
			if (r == HTTP_ERROR) {
				conn_fail(c, PIA_ERR_PROTOCOL, "malformed "
				    "response: %s", http_err_str(c->msg->err));
				return;
			}
			/* Interim answers (100 Continue) come first. */
			if (c->msg->status < 200) {
				if (c->msg->status == 101) {
					conn_fail(c, PIA_ERR_PROTOCOL,
					    "unexpected 101 Switching "
					    "Protocols");
					return;
				}
				http_msg_init(c->msg, HTTP_RESPONSE);
				c->msg->no_body = c->no_body;
				continue;
			}
		}
		r = http_body_read(c->msg, in, c->body);
		if (r == HTTP_MORE)
			return;
		if (r == HTTP_ERROR) {
			conn_fail(c, PIA_ERR_PROTOCOL, "malformed response: %s",
			    http_err_str(c->msg->err));
			return;
		}
		{
			struct pia_result ok;

			pia_result_clear(&ok);
			conn_complete(c, &ok);
		}
		return;
	}
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct https_conn *c = arg;
	struct pia_result res;

	if (what & BEV_EVENT_CONNECTED) {
		c->handshaken = true;
		log_debug("https %s: TLS established with %s", c->what,
		    c->tls_name);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		/* Close-delimited bodies end here. */
		if (c->msg->head_done && http_body_eof(c->msg) == HTTP_DONE) {
			pia_result_clear(&res);
			conn_drop_bev(c);
			conn_complete(c, &res);
			return;
		}
		if (conn_maybe_retry(c))
			return;
		conn_drop_bev(c);
		if (!c->handshaken)
			conn_fail(c, PIA_ERR_NETWORK, "connection closed "
			    "during the TLS handshake with %s", c->tls_name);
		else if (!c->msg->head_done)
			conn_fail(c, PIA_ERR_NETWORK, "connection closed "
			    "before the response");
		else
			conn_fail(c, PIA_ERR_NETWORK, "%s",
			    http_err_str(HTTP_E_TRUNCATED));
		return;
	}
	/* BEV_EVENT_ERROR, possibly with READING/WRITING. */
	if (!c->handshaken) {
		pia_result_clear(&res);
		tls_error(bev, c->tls_name, &res);
		conn_drop_bev(c);
		conn_fail(c, res.err, "%s", res.message);
		return;
	}
	if (conn_maybe_retry(c))
		return;
	pia_result_clear(&res);
	tls_error(bev, c->tls_name, &res);
	conn_drop_bev(c);
	conn_fail(c, PIA_ERR_NETWORK, "%s", res.message);
}

static void
conn_send(struct https_conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	c->got_bytes = false;
	http_msg_init(c->msg, HTTP_RESPONSE);
	c->msg->no_body = c->no_body;
	bufferevent_setcb(c->bev, conn_read_cb, NULL, conn_event_cb, c);
	/* Referenced, not copied: c->req is wiped when the exchange ends. */
	if (evbuffer_add_reference(out, c->req, c->req_len, NULL, NULL) ==
	    -1) {
		conn_drop_bev(c);
		conn_fail(c, PIA_ERR_NETWORK, "out of memory");
		return;
	}
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void
conn_dialed(struct bufferevent *bev, const struct pia_result *res,
    unsigned connect_ms, void *arg)
{
	struct https_conn *c = arg;
	struct pia_result tres;

	c->dial = NULL;
	c->connect_ms = connect_ms;
	if (bev == NULL) {
		conn_fail(c, res->err, "%s", res->message);
		return;
	}
	pia_result_clear(&tres);
	c->bev = tls_client_new(c->base, bev, c->ca_file, c->tls_name, &tres);
	if (c->bev == NULL) {
		conn_fail(c, tres.err, "%s", tres.message);
		return;
	}
	c->handshaken = false;
	c->served = 0;
	conn_send(c);
}

static void
conn_connect(struct https_conn *c)
{
	struct dial_spec spec = c->dial_spec;
	struct pia_result res;

	spec.connect_timeout_ms = c->connect_timeout_ms;
	c->dial = dial_start(c->base, &spec, conn_dialed, c, &res);
	if (c->dial == NULL)
		conn_fail_later(c, &res);
}

/* Build the wire request into c->req. */
static int
conn_build(struct https_conn *c, const struct https_request *r)
{
	struct evbuffer *b;
	char hostbuf[DIAL_HOST_MAX + 8];
	const char *host = r->host;
	size_t n;
	int rc = -1;

	if (host == NULL) {
		const struct sockaddr_storage *ss = &c->dial_spec.addr;
		uint16_t port;

		if (c->dial_spec.kind == DIAL_PROXY)
			port = c->dial_spec.port;
		else if (ss->ss_family == AF_INET6)
			port = ntohs(((const struct sockaddr_in6 *)ss)->
			    sin6_port);
		else
			port = ntohs(((const struct sockaddr_in *)ss)->
			    sin_port);

		if (port == 443)
			snprintf(hostbuf, sizeof(hostbuf), "%s", c->tls_name);
		else
			snprintf(hostbuf, sizeof(hostbuf), "%s:%u",
			    c->tls_name, port);
		host = hostbuf;
	}
	if ((b = evbuffer_new()) == NULL)
		return -1;
	if (evbuffer_add_printf(b, "%s %s HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: piad/%s\r\nAccept: */*\r\n", r->method, r->path, host,
	    PACKAGE_VERSION) == -1)
		goto out;
	if (c->oneshot && evbuffer_add_printf(b, "Connection: close\r\n") == -1)
		goto out;
	if (r->body != NULL && evbuffer_add_printf(b, "Content-Type: %s\r\n",
	    r->content_type != NULL ? r->content_type :
	    "application/x-www-form-urlencoded") == -1)
		goto out;
	if ((r->body != NULL || strcmp(r->method, "POST") == 0 ||
	    strcmp(r->method, "PUT") == 0) &&
	    evbuffer_add_printf(b, "Content-Length: %zu\r\n", r->body != NULL ?
	    r->body_len : 0) == -1)
		goto out;
	if (r->extra_headers != NULL &&
	    evbuffer_add(b, r->extra_headers, strlen(r->extra_headers)) == -1)
		goto out;
	if (evbuffer_add(b, "\r\n", 2) == -1)
		goto out;
	if (r->body != NULL && r->body_len > 0 &&
	    evbuffer_add(b, r->body, r->body_len) == -1)
		goto out;
	n = evbuffer_get_length(b);
	if ((c->req = malloc(n)) == NULL)
		goto out;
	evbuffer_copyout(b, c->req, n);
	c->req_len = n;
	rc = 0;
out:
	/* The scratch buffer held the body too. */
	if ((n = evbuffer_get_length(b)) > 0) {
		unsigned char *p = evbuffer_pullup(b, -1);

		if (p != NULL)
			OPENSSL_cleanse(p, n);
	}
	evbuffer_free(b);
	return rc;
}

int
https_conn_request(struct https_conn *c, const struct https_request *r,
    https_cb cb, void *arg)
{
	struct timeval tv;
	size_t plen;

	if (c->dead) {
		errno = EINVAL;
		return -1;
	}
	if (c->busy) {
		errno = EBUSY;
		return -1;
	}
	if (!token_ok(r->method, 16) || !token_ok(r->path, 4096) ||
	    r->path[0] != '/' ||
	    (r->host != NULL && !token_ok(r->host, DIAL_HOST_MAX))) {
		errno = EINVAL;
		return -1;
	}
	/* Name the call without its query string: it carries tokens. */
	plen = strcspn(r->path, "?");
	snprintf(c->what, sizeof(c->what), "%s %s%.*s", r->method,
	    c->tls_name, (int)(plen > 80 ? 80 : plen), r->path);

	if ((c->msg = malloc(sizeof(*c->msg))) == NULL ||
	    (c->body = evbuffer_new()) == NULL ||
	    conn_build(c, r) == -1) {
		conn_wipe_request(c);
		errno = ENOMEM;
		return -1;
	}
	http_msg_init(c->msg, HTTP_RESPONSE);
	c->busy = true;
	c->cb = cb;
	c->cb_arg = arg;
	c->no_body = strcmp(r->method, "HEAD") == 0;
	c->retried = false;
	c->connect_ms = 0;
	c->connect_timeout_ms = r->connect_timeout_ms != 0 ?
	    r->connect_timeout_ms : DIAL_CONNECT_TIMEOUT_MS;
	c->total_timeout_ms = r->total_timeout_ms != 0 ?
	    r->total_timeout_ms : HTTPS_TOTAL_TIMEOUT_MS;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	tv.tv_sec = c->total_timeout_ms / 1000;
	tv.tv_usec = (c->total_timeout_ms % 1000) * 1000;
	evtimer_add(c->timer, &tv);

	if (c->bev != NULL && c->handshaken) {
		c->reused = true;
		conn_send(c);
	} else {
		c->reused = false;
		conn_drop_bev(c);
		conn_connect(c);
	}
	return 0;
}

struct https_conn *
https_conn_new(struct event_base *base, const struct https_target *t)
{
	struct https_conn *c;

	if (t->tls_name == NULL || *t->tls_name == '\0') {
		errno = EINVAL;
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->base = base;
	c->dial_spec = t->dial;
	if ((c->tls_name = strdup(t->tls_name)) == NULL ||
	    (t->ca_file != NULL && (c->ca_file = strdup(t->ca_file)) ==
	    NULL) ||
	    (c->timer = evtimer_new(base, conn_timeout_cb, c)) == NULL ||
	    (c->fail_ev = event_new(base, -1, 0, conn_fail_cb, c)) == NULL ||
	    (c->free_ev = event_new(base, -1, 0, conn_free_cb, c)) == NULL) {
		conn_destroy(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

struct https_conn *
https_fetch(struct event_base *base, const struct https_target *t,
    const struct https_request *r, https_cb cb, void *arg)
{
	struct https_conn *c;
	int saved;

	if ((c = https_conn_new(base, t)) == NULL)
		return NULL;
	c->oneshot = true;
	if (https_conn_request(c, r, cb, arg) == -1) {
		saved = errno;
		conn_destroy(c);
		errno = saved;
		return NULL;
	}
	return c;
}
