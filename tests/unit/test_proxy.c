/* SPDX-License-Identifier: ISC */
/*
 * The CONNECT proxy without root: allowlist answers, the request-head
 * decision with its exact reasons, the small parsers, and the whole proxy
 * on loopback (127.77.0.0/16, ports above 1024 so no privilege is needed)
 * with its loop in a thread and a blocking client: each refusal code and
 * its counter, a 200 tunnel echoing bytes, and an upstream refusal (502).
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "pia/http.h"
#include "proxy/allow.h"
#include "proxy/head.h"
#include "proxy/proxy.h"

static void
setup_allow(struct proxy_allow *a)
{
	struct proxy_net	nets[2];
	struct in_addr		ips[2];
	const char		*hosts[] = { "www.Example.test", "list.test" };

	allow_init(a);
	ck_assert_int_eq(proxy_net_parse("10.100.0.2", &nets[0]), 0);
	ck_assert_int_eq(proxy_net_parse("192.0.2.0/28", &nets[1]), 0);
	ck_assert_int_eq(allow_set_sources(a, nets, 2), 0);
	ck_assert_int_eq(allow_set_hosts(a, hosts, 2), 0);
	inet_pton(AF_INET, "203.0.113.20", &ips[0]);
	inet_pton(AF_INET, "203.0.113.21", &ips[1]);
	ck_assert_int_eq(allow_set_ips(a, ips, 2), 0);
}

static bool
src_allowed(const struct proxy_allow *a, const char *s)
{
	struct in_addr in;

	ck_assert_int_eq(inet_pton(AF_INET, s, &in), 1);
	return allow_source(a, &in);
}

START_TEST(sources)
{
	struct proxy_allow a;

	setup_allow(&a);
	ck_assert(src_allowed(&a, "10.100.0.2"));
	ck_assert(!src_allowed(&a, "10.100.0.10"));
	ck_assert(src_allowed(&a, "192.0.2.15"));
	ck_assert(!src_allowed(&a, "192.0.2.16"));
	allow_clear(&a);
	ck_assert(!src_allowed(&a, "10.100.0.2"));
}
END_TEST

START_TEST(targets)
{
	struct proxy_allow	a;
	struct in_addr		ip;

	setup_allow(&a);
	ck_assert(allow_target(&a, "www.example.test", 443));
	ck_assert(allow_target(&a, "WWW.EXAMPLE.TEST", 443));
	ck_assert(!allow_target(&a, "www.example.test", 1337));
	ck_assert(!allow_target(&a, "www.example.test", 80));
	ck_assert(!allow_target(&a, "evil.test", 443));
	ck_assert(allow_target(&a, "203.0.113.20", 443));
	ck_assert(allow_target(&a, "203.0.113.21", 1337));
	ck_assert(!allow_target(&a, "203.0.113.20", 22));
	ck_assert(!allow_target(&a, "203.0.113.22", 443));
	/* The server list changed: the old IPs are out at once. */
	inet_pton(AF_INET, "198.51.100.7", &ip);
	ck_assert_int_eq(allow_set_ips(&a, &ip, 1), 0);
	ck_assert(!allow_target(&a, "203.0.113.20", 443));
	ck_assert(allow_target(&a, "198.51.100.7", 1337));
	ck_assert_int_eq(allow_set_ips(&a, NULL, 0), 0);
	ck_assert(!allow_target(&a, "198.51.100.7", 1337));
	allow_clear(&a);
}
END_TEST

static const struct {
	const char	*head;
	bool		 src_ok;
	int		 status;
	const char	*why;
} heads[] = {
	{ "CONNECT www.example.test:443 HTTP/1.1\r\nHost: x\r\n\r\n", true,
	    200, NULL },
	{ "CONNECT 203.0.113.21:1337 HTTP/1.1\r\n\r\n", true, 200, NULL },
	{ "CONNECT 203.0.113.21:1337 HTTP/1.0\r\n\r\n", true, 200, NULL },
	{ "CONNECT www.example.test:443 HTTP/1.1\r\n\r\n", false, 403,
	    "source not allowed" },
	{ "garbage\r\n\r\n", false, 403, "source not allowed" },
	{ "GET http://www.example.test/ HTTP/1.1\r\n\r\n", true, 405,
	    "method not allowed" },
	{ "CONNECT evil.test:443 HTTP/1.1\r\n\r\n", true, 403,
	    "target not allowed" },
	{ "CONNECT www.example.test:80 HTTP/1.1\r\n\r\n", true, 403,
	    "target not allowed" },
	{ "CONNECT [2001:db8::1]:443 HTTP/1.1\r\n\r\n", true, 403,
	    "target not allowed" },
	{ "CONNECT www.example.test HTTP/1.1\r\n\r\n", true, 400,
	    "CONNECT target is not host:port" },
	{ "CONNECT www.example.test:0 HTTP/1.1\r\n\r\n", true, 400,
	    "CONNECT target is not host:port" },
	{ "CONNECT www.example.test:443\r\n\r\n", true, 400, NULL },
	{ "CONNECT www.example.test:443 HTTP/2.0\r\n\r\n", true, 400, NULL },
	{ "CONNECT a:443 HTTP/1.1\r\n folded\r\n\r\n", true, 400, NULL },
	{ "CONNECT a:443 HTTP/1.1\r\nBad : x\r\n\r\n", true, 400, NULL },
};

START_TEST(head_table)
{
	struct proxy_allow	 a;
	struct proxy_request	 req;
	struct http_msg		*m = malloc(sizeof(*m));
	const char		*h = heads[_i].head;
	int			 st;

	ck_assert_ptr_nonnull(m);
	setup_allow(&a);
	http_msg_init(m, HTTP_REQUEST);
	memset(&req, 0, sizeof(req));
	st = head_decide(m, &a, heads[_i].src_ok, h, strlen(h),
	    PROXY_DEF_HEAD_MAX, &req);
	ck_assert_msg(st == heads[_i].status, "%s: got %d want %d (%s)", h,
	    st, heads[_i].status, req.why ? req.why : "-");
	if (heads[_i].why != NULL)
		ck_assert_str_eq(req.why, heads[_i].why);
	if (st == 200) {
		ck_assert_int_eq(req.head_len, strlen(h));
		ck_assert(req.port == 443 || req.port == 1337);
	} else
		ck_assert_ptr_nonnull(req.why);
	free(m);
	allow_clear(&a);
}
END_TEST

START_TEST(head_split_and_limits)
{
	const char		*h = "CONNECT list.test:443 HTTP/1.1\r\n"
	    "User-Agent: t\r\n\r\nTLS-bytes";
	size_t			 hl = strlen(h) - strlen("TLS-bytes"), i;
	struct proxy_allow	 a;
	struct proxy_request	 req;
	struct http_msg		*m = malloc(sizeof(*m));
	char			*big;
	int			 st = HEAD_MORE;

	ck_assert_ptr_nonnull(m);
	setup_allow(&a);
	/* One byte at a time: nothing is decided before the blank line. */
	http_msg_init(m, HTTP_REQUEST);
	memset(&req, 0, sizeof(req));
	for (i = 1; i <= strlen(h) && st == HEAD_MORE; i++)
		st = head_decide(m, &a, true, h, i, 8192, &req);
	ck_assert_int_eq(st, 200);
	ck_assert_uint_eq(i - 1, hl);
	ck_assert_uint_eq(req.head_len, hl);
	ck_assert_str_eq(req.host, "list.test");

	/* Over the configured limit, with no end in sight: 431. */
	big = malloc(9000);
	ck_assert_ptr_nonnull(big);
	memcpy(big, "CONNECT list.test:443 HTTP/1.1\r\nX: ", 35);
	memset(big + 35, 'a', 9000 - 35);
	http_msg_init(m, HTTP_REQUEST);
	st = head_decide(m, &a, true, big, 9000, 8192, &req);
	ck_assert_int_eq(st, 431);
	ck_assert_str_eq(req.why, "message head larger than 8 KiB");
	http_msg_init(m, HTTP_REQUEST);
	ck_assert_int_eq(head_decide(m, &a, true, big, 500, 100, &req), 431);
	http_msg_init(m, HTTP_REQUEST);
	ck_assert_int_eq(head_decide(m, &a, true, big, 500, 1000, &req),
	    HEAD_MORE);
	free(big);
	free(m);
	allow_clear(&a);
}
END_TEST

START_TEST(small_parsers)
{
	struct proxy_net	 n;
	struct proxy		*px;
	struct event_base	*base = event_base_new();

	ck_assert_int_eq(proxy_net_parse("10.0.0.0/8", &n), 0);
	ck_assert_uint_eq(n.prefix, 8);
	ck_assert_int_eq(proxy_net_parse("10.0.0.1", &n), 0);
	ck_assert_uint_eq(n.prefix, 32);
	ck_assert_int_eq(proxy_net_parse("10.0.0.0/33", &n), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(proxy_net_parse("10.0.0.0/", &n), -1);
	ck_assert_int_eq(proxy_net_parse("10.0.0.0/-1", &n), -1);
	ck_assert_int_eq(proxy_net_parse("example", &n), -1);
	ck_assert_int_eq(proxy_net_parse("", &n), -1);
	ck_assert_str_eq(head_status_text(431),
	    "Request Header Fields Too Large");

	px = proxy_new(base, NULL, NULL);
	ck_assert_ptr_nonnull(px);
	ck_assert_int_eq(proxy_resolve_add(px, "a.test", "203.0.113.1"), 0);
	ck_assert_int_eq(proxy_resolve_add(px, "b.test", "2001:db8::1"), 0);
	ck_assert_int_eq(proxy_resolve_add(px, "c.test", "not-an-ip"), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(proxy_resolve_add(px, "", "203.0.113.1"), -1);
	proxy_free(px);
	event_base_free(base);
}
END_TEST

/* ---- the proxy on loopback ---- */

#define LO_PROXY	"127.77.0.1"
#define LO_TARGET	"127.77.0.2"	/* echo server on 1337 */
#define LO_CLOSED	"127.77.0.4"	/* allowed, nothing listens */
#define LO_PORT		1337

struct loop {
	struct event_base	*base;
	struct proxy		*px;
	struct event		*stop;
	int			 stopfd[2];
	int			 echofd;
	pthread_t		 th, echo;
	struct sockaddr_in	 at;
};

static void
stop_cb(evutil_socket_t fd, short ev, void *arg)
{
	event_base_loopbreak(arg);
}

static void *
loop_main(void *arg)
{
	struct loop *l = arg;

	event_base_dispatch(l->base);
	return NULL;
}

static void *
echo_main(void *arg)
{
	struct loop	*l = arg;
	char		 buf[4096];
	ssize_t		 n;
	int		 fd;

	while ((fd = accept(l->echofd, NULL, NULL)) != -1) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (write(fd, buf, (size_t)n) != n)
				break;
		close(fd);
	}
	return NULL;
}

static void
loop_start(struct loop *l, int copy_only)
{
	struct proxy_net	net;
	struct in_addr		ips[2];
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(l->at);
	int			one = 1;
	struct proxy_limits	lim;

	memset(&lim, 0, sizeof(lim));
	lim.connect_timeout_ms = 2000;
	lim.copy_only = copy_only;
	l->base = event_base_new();
	ck_assert_ptr_nonnull(l->base);
	l->px = proxy_new(l->base, NULL, &lim);
	ck_assert_ptr_nonnull(l->px);
	proxy_net_parse("127.0.0.1", &net);
	ck_assert_int_eq(proxy_set_sources(l->px, &net, 1), 0);
	inet_pton(AF_INET, LO_TARGET, &ips[0]);
	inet_pton(AF_INET, LO_CLOSED, &ips[1]);
	ck_assert_int_eq(proxy_set_server_ips(l->px, ips, 2), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, LO_PROXY, &sin.sin_addr);
	ck_assert_int_eq(proxy_listen(l->px, (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	ck_assert_int_eq(proxy_local_addr(l->px,
	    (struct sockaddr_storage *)&l->at, &len), 0);

	l->echofd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l->echofd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_pton(AF_INET, LO_TARGET, &sin.sin_addr);
	sin.sin_port = htons(LO_PORT);
	ck_assert_int_eq(bind(l->echofd, (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	ck_assert_int_eq(listen(l->echofd, 8), 0);
	ck_assert_int_eq(pthread_create(&l->echo, NULL, echo_main, l), 0);

	ck_assert_int_eq(pipe(l->stopfd), 0);
	l->stop = event_new(l->base, l->stopfd[0], EV_READ, stop_cb, l->base);
	event_add(l->stop, NULL);
	ck_assert_int_eq(pthread_create(&l->th, NULL, loop_main, l), 0);
}

static void
loop_stop(struct loop *l, struct proxy_stats *st)
{
	ck_assert_int_eq(write(l->stopfd[1], "x", 1), 1);
	pthread_join(l->th, NULL);
	proxy_get_stats(l->px, st);
	proxy_free(l->px);
	event_free(l->stop);
	event_base_free(l->base);
	shutdown(l->echofd, SHUT_RDWR);
	close(l->echofd);
	pthread_join(l->echo, NULL);
}

/* Status of the reply head on fd, read byte by byte (so no tunnel byte
 * is taken); -1 if none comes within 200 ms. */
static int
read_code(int fd)
{
	struct timeval	tv = { 0, 200000 };
	char		buf[512];
	size_t		got = 0;
	int		code = -1;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (got < sizeof(buf) - 1 && read(fd, buf + got, 1) == 1) {
		got++;
		buf[got] = '\0';
		if (got >= 4 && strcmp(buf + got - 4, "\r\n\r\n") == 0)
			break;
	}
	buf[got] = '\0';
	tv.tv_usec = 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	sscanf(buf, "HTTP/1.1 %d", &code);
	return code;
}

/* Send req from source src; return the status of the proxy's reply and
 * leave the connection in *fdp (or close it if fdp is NULL). */
static int
ask(struct loop *l, const char *src, const char *req, size_t len, int *fdp)
{
	struct sockaddr_in	sin;
	int			fd, code;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, src, &sin.sin_addr);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&l->at,
	    sizeof(l->at)), 0);
	ck_assert_int_eq(write(fd, req, len), (ssize_t)len);
	code = read_code(fd);
	if (fdp != NULL)
		*fdp = fd;
	else
		close(fd);
	return code;
}

#define ASK(req)	ask(&l, "127.0.0.1", (req), strlen(req), NULL)

START_TEST(loopback_codes)
{
	struct loop		 l;
	struct proxy_stats	 st;
	char			*big, buf[16];
	int			 fd;
	const char		*ok =
	    "CONNECT " LO_TARGET ":1337 HTTP/1.1\r\n\r\n";

	memset(&l, 0, sizeof(l));
	/* _i 0: the splice(2) path; 1: the buffered fallback. */
	loop_start(&l, _i);

	ck_assert_int_eq(ask(&l, "127.0.0.1", ok, strlen(ok), &fd), 200);
	ck_assert_int_eq(write(fd, "ping", 4), 4);
	ck_assert_int_eq(read(fd, buf, 4), 4);
	ck_assert_int_eq(memcmp(buf, "ping", 4), 0);
	close(fd);

	/* A head in two pieces takes the proxy's slow path; same answer. */
	ck_assert_int_eq(ask(&l, "127.0.0.1", ok, 12, &fd), -1);
	ck_assert_int_eq(write(fd, ok + 12, strlen(ok) - 12),
	    (ssize_t)(strlen(ok) - 12));
	ck_assert_int_eq(read_code(fd), 200);
	close(fd);

	ck_assert_int_eq(ask(&l, "127.0.0.5", ok, strlen(ok), NULL), 403);
	ck_assert_int_eq(ASK("CONNECT 127.77.0.3:1337 HTTP/1.1\r\n\r\n"),
	    403);
	ck_assert_int_eq(ASK("GET / HTTP/1.1\r\n\r\n"), 405);
	ck_assert_int_eq(ASK("\x01\x02\r\n\r\n"), 400);
	ck_assert_int_eq(ASK("CONNECT " LO_CLOSED ":1337 HTTP/1.1\r\n\r\n"),
	    502);
	big = malloc(20000);
	memcpy(big, "CONNECT a:443 HTTP/1.1\r\nX: ", 27);
	memset(big + 27, 'a', 20000 - 27);
	ck_assert_int_eq(ask(&l, "127.0.0.1", big, 20000, NULL), 431);
	free(big);

	loop_stop(&l, &st);
	ck_assert_uint_eq(st.accepted, 2);
	ck_assert_uint_eq(st.denied_source, 1);
	ck_assert_uint_eq(st.denied_target, 1);
	ck_assert_uint_eq(st.denied_method, 1);
	ck_assert_uint_eq(st.bad_request, 1);
	ck_assert_uint_eq(st.upstream_failed, 1);
	ck_assert_uint_eq(st.head_too_large, 1);
	ck_assert_uint_eq(st.bytes_up, 4);
	ck_assert_uint_eq(st.connections, 8);
}
END_TEST

static Suite *
proxy_suite(void)
{
	Suite *s = suite_create("proxy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, sources);
	tcase_add_test(tc, targets);
	tcase_add_loop_test(tc, head_table, 0,
	    sizeof(heads) / sizeof(heads[0]));
	tcase_add_test(tc, head_split_and_limits);
	tcase_add_test(tc, small_parsers);
	tcase_add_loop_test(tc, loopback_codes, 0, 2);
	tcase_set_timeout(tc, 20);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(proxy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
