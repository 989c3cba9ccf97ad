/* SPDX-License-Identifier: ISC */
/*
 * A small TLS/HTTP test server for the HTTPS client's integration test.
 * It answers by path, so one process covers every case:
 *   /ok            200, Content-Length body "hello"
 *   /chunked       200, chunked body with an extension and a trailer
 *   /close         200, no length, body ended by closing the connection
 *   /slow?ms=N     head at once, body after N ms
 *   /hang          never answers
 *   /status/N      status N (429 adds "Retry-After: 7")
 *   /echo          200, body "METHOD PATH\nhost=...\nlength=...\nBODY"
 *   /ka            200, body "conn=C req=R" (connection and request count)
 *   /closeafter    like /ka, then closes without saying so
 *   /dropnext      like /ka, but the next request on this connection is
 *                  answered by closing it (a server-side idle timeout that
 *                  races with the client's next request)
 *   /big           a close-delimited body larger than 4 MiB
 * Usage: tls_server -l IP:PORT -c CERT -k KEY [-r READYFILE]
 * It uses piad's own request parser: a second, hostile-free consumer of it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "pia/http.h"

struct client {
	struct bufferevent	*bev;
	struct event		*timer;
	struct http_msg		 req;
	struct evbuffer		*body;
	int			 id;
	int			 nreq;
	int			 close_after;
	int			 slow_left;
	int			 hung;
	int			 drop_next;
};

static SSL_CTX		*ctx;
static int		 nconns;
static struct event_base *base;

int	main(int, char **);

static void
client_free(struct client *cl)
{
	if (cl->timer != NULL)
		event_free(cl->timer);
	bufferevent_free(cl->bev);
	evbuffer_free(cl->body);
	free(cl);
}

static void
flush_close_cb(struct bufferevent *bev, void *arg)
{
	struct client *cl = arg;

	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		client_free(cl);
}

/* Close once everything queued has been written. */
static void
close_when_flushed(struct client *cl)
{
	bufferevent_setcb(cl->bev, NULL, flush_close_cb, NULL, cl);
	bufferevent_disable(cl->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(cl->bev)) == 0)
		client_free(cl);
}

static void
slow_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client *cl = arg;

	evbuffer_add_printf(bufferevent_get_output(cl->bev), "late");
}

static void	read_cb(struct bufferevent *, void *);

/* Returns 0 if cl was freed (or is closing) and must not be touched. */
static int
respond(struct client *cl)
{
	struct evbuffer *out = bufferevent_get_output(cl->bev);
	const char *path = cl->req.target;
	size_t blen = evbuffer_get_length(cl->body);

	cl->nreq++;
	if (cl->drop_next) {
		client_free(cl);
		return 0;
	}
	if (strcmp(path, "/ok") == 0) {
		evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n"
		    "Content-Length: 5\r\n\r\nhello");
	} else if (strcmp(path, "/chunked") == 0) {
		evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n"
		    "6;ext=1\r\nchunk-\r\n5\r\ned ok\r\n0\r\nX-T: 1\r\n\r\n");
	} else if (strcmp(path, "/close") == 0) {
		evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n"
		    "Connection: close\r\n\r\nuntil close");
		close_when_flushed(cl);
		return 0;
	} else if (strncmp(path, "/slow?ms=", 9) == 0) {
		struct timeval tv;
		int ms = atoi(path + 9);

		evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n"
		    "Content-Length: 4\r\n\r\n");
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		cl->timer = evtimer_new(base, slow_cb, cl);
		evtimer_add(cl->timer, &tv);
	} else if (strncmp(path, "/hang", 5) == 0) {
		cl->hung = 1;
	} else if (strncmp(path, "/status/", 8) == 0) {
		int code = atoi(path + 8);

		evbuffer_add_printf(out, "HTTP/1.1 %d Test\r\n%s"
		    "Content-Length: 6\r\n\r\nstatus", code,
		    code == 429 ? "Retry-After: 7\r\n" : "");
	} else if (strcmp(path, "/echo") == 0 ||
	    strncmp(path, "/echo?", 6) == 0) {
		const char *host = http_header_get(&cl->req, "Host");
		const char *ct = http_header_get(&cl->req, "Content-Type");
		struct evbuffer *b = evbuffer_new();

		evbuffer_add_printf(b, "%s %s\nhost=%s\ntype=%s\nlength=%zu\n",
		    cl->req.method, path, host ? host : "-", ct ? ct : "-",
		    blen);
		evbuffer_add_buffer(b, cl->body);
		evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n"
		    "Content-Length: %zu\r\n\r\n", evbuffer_get_length(b));
		evbuffer_add_buffer(out, b);
		evbuffer_free(b);
	} else if (strcmp(path, "/ka") == 0 ||
	    strcmp(path, "/closeafter") == 0 ||
	    strcmp(path, "/dropnext") == 0) {
		char msg[64];
		int n = snprintf(msg, sizeof(msg), "conn=%d req=%d", cl->id,
		    cl->nreq);

		evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n"
		    "Content-Length: %d\r\n\r\n%s", n, msg);
		if (path[1] == 'c') {
			close_when_flushed(cl);
			return 0;
		}
		if (path[1] == 'd')
			cl->drop_next = 1;
	} else if (strcmp(path, "/big") == 0) {
		static char block[65536];
		int i;

		memset(block, 'b', sizeof(block));
		evbuffer_add_printf(out, "HTTP/1.1 200 OK\r\n\r\n");
		for (i = 0; i < 66; i++)
			evbuffer_add(out, block, sizeof(block));
		close_when_flushed(cl);
		return 0;
	} else {
		evbuffer_add_printf(out, "HTTP/1.1 404 Not Found\r\n"
		    "Content-Length: 9\r\n\r\nnot found");
	}
	evbuffer_drain(cl->body, evbuffer_get_length(cl->body));
	http_msg_init(&cl->req, HTTP_REQUEST);
	return 1;
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	while (!cl->hung && evbuffer_get_length(in) > 0) {
		enum http_parse r;

		if (!cl->req.head_done) {
			r = http_head_read(&cl->req, in);
			if (r == HTTP_MORE)
				return;
			if (r == HTTP_ERROR) {
				fprintf(stderr, "tls_server: bad request: %s\n",
				    http_err_str(cl->req.err));
				client_free(cl);
				return;
			}
		}
		r = http_body_read(&cl->req, in, cl->body);
		if (r == HTTP_MORE)
			return;
		if (r == HTTP_ERROR) {
			client_free(cl);
			return;
		}
		if (!respond(cl) || cl->hung)
			return;
	}
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct client *cl = arg;

	if (what & BEV_EVENT_CONNECTED)
		return;
	if (what & BEV_EVENT_ERROR) {
		unsigned long e;

		while ((e = bufferevent_get_openssl_error(bev)) != 0)
			fprintf(stderr, "tls_server: %s\n",
			    ERR_reason_error_string(e));
	}
	client_free(cl);
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct client *cl = calloc(1, sizeof(*cl));
	SSL *ssl = SSL_new(ctx);
	int one = 1;

	/* Like a real server: no Nagle delay between TLS records. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	cl->id = ++nconns;
	cl->body = evbuffer_new();
	http_msg_init(&cl->req, HTTP_REQUEST);
	cl->bev = bufferevent_openssl_socket_new(base, fd, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_openssl_set_allow_dirty_shutdown(cl->bev, 1);
	bufferevent_setcb(cl->bev, read_cb, NULL, event_cb, cl);
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct evconnlistener *l;
	const char *listen_at = NULL, *cert = NULL, *key = NULL, *ready = NULL;
	char ip[64], *colon;
	int ch, salen;

	while ((ch = getopt(argc, argv, "l:c:k:r:")) != -1) {
		switch (ch) {
		case 'l': listen_at = optarg; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'r': ready = optarg; break;
		default:
			fprintf(stderr, "usage: tls_server -l IP:PORT -c CERT "
			    "-k KEY [-r READYFILE]\n");
			return 2;
		}
	}
	if (listen_at == NULL || cert == NULL || key == NULL) {
		fprintf(stderr, "tls_server: -l, -c and -k are required\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(ip, sizeof(ip), "%s", listen_at);
	if ((colon = strrchr(ip, ':')) == NULL)
		return 2;
	*colon = '\0';
	memset(&ss, 0, sizeof(ss));
	{
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)atoi(colon + 1));
		if (inet_pton(AF_INET, ip, &sin->sin_addr) != 1) {
			fprintf(stderr, "tls_server: bad address %s\n", ip);
			return 2;
		}
		salen = sizeof(*sin);
	}
	ctx = SSL_CTX_new(TLS_server_method());
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		fprintf(stderr, "tls_server: cannot load %s / %s\n", cert, key);
		return 1;
	}
	base = event_base_new();
	l = evconnlistener_new_bind(base, accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16,
	    (struct sockaddr *)&ss, salen);
	if (l == NULL) {
		perror("tls_server: listen");
		return 1;
	}
	if (ready != NULL) {
		FILE *f = fopen(ready, "w");

		if (f != NULL)
			fclose(f);
	}
	event_base_dispatch(base);
	evconnlistener_free(l);
	event_base_free(base);
	SSL_CTX_free(ctx);
	return 0;
}
