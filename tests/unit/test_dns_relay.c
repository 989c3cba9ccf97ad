/* SPDX-License-Identifier: ISC */
/*
 * The DNS relay on loopback: a fake upstream answers, clients see their
 * own transaction ids back; with no upstream they get SERVFAIL at once,
 * over UDP and TCP; SERVFAIL building rejects malformed queries.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>

#include "net/dns_relay.h"

/* A query for "a.piasim.test" type A, class IN, with id and RD. */
static size_t
make_query(uint8_t *buf, uint16_t id)
{
	static const uint8_t q[] = {
		0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		1, 'a', 6, 'p', 'i', 'a', 's', 'i', 'm', 4, 't', 'e', 's', 't',
		0, 0, 1, 0, 1,
	};

	memcpy(buf, q, sizeof(q));
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	return sizeof(q);
}

static int
udp_bound(const char *ip, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	inet_pton(AF_INET, ip, &sin.sin_addr);
	sin.sin_port = htons(port);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

static uint16_t
bound_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	return ntohs(sin.sin_port);
}

/* A free loopback port for the relay (it binds UDP and TCP on it). */
static uint16_t
free_port(void)
{
	int fd = udp_bound("127.0.0.1", 0);
	uint16_t p = bound_port(fd);

	close(fd);
	return p;
}

struct world {
	struct event_base	*base;
	struct dns_relay	*relay;
	uint16_t		 relay_port;
	int			 upstream;	/* fake upstream, UDP */
	uint16_t		 upstream_port;
	uint16_t		 upstream_saw_id;
	int			 upstream_queries;
};

static void
world_init(struct world *w, bool with_upstream)
{
	struct in_addr lo = { htonl(INADDR_LOOPBACK) };

	memset(w, 0, sizeof(*w));
	w->base = event_base_new();
	w->upstream = udp_bound("127.0.0.1", 0);
	w->upstream_port = bound_port(w->upstream);
	w->relay_port = free_port();
	w->relay = dns_relay_new(w->base, -1, lo, w->relay_port,
	    w->upstream_port);
	ck_assert_ptr_nonnull(w->relay);
	if (with_upstream)
		dns_relay_set_upstreams(w->relay, &lo, 1);
}

static void
world_free(struct world *w)
{
	dns_relay_free(w->relay);
	close(w->upstream);
	event_base_free(w->base);
}

/* Answer whatever reached the fake upstream: QR set, one A record. */
static void
serve_upstream(struct world *w)
{
	uint8_t			 buf[512];
	struct sockaddr_in	 from;
	socklen_t		 fl = sizeof(from);
	ssize_t			 n;
	static const uint8_t	 rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60,
				    0, 4, 192, 0, 2, 7 };

	while ((n = recvfrom(w->upstream, buf, sizeof(buf), 0,
	    (struct sockaddr *)&from, &fl)) > 0) {
		w->upstream_queries++;
		w->upstream_saw_id = (uint16_t)(buf[0] << 8 | buf[1]);
		buf[2] |= 0x80;
		buf[7] = 1;
		memcpy(buf + n, rr, sizeof(rr));
		sendto(w->upstream, buf, (size_t)n + sizeof(rr), 0,
		    (struct sockaddr *)&from, fl);
		fl = sizeof(from);
	}
}

/* Run the loop until fd is readable (or 2 s pass); read one datagram. */
static ssize_t
pump_until_reply(struct world *w, int fd, uint8_t *buf, size_t cap)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		ssize_t n;

		event_base_loop(w->base, EVLOOP_NONBLOCK);
		serve_upstream(w);
		event_base_loop(w->base, EVLOOP_NONBLOCK);
		if ((n = recv(fd, buf, cap, MSG_DONTWAIT)) >= 0)
			return n;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= 2)
			return -1;
		usleep(1000);
	}
}

static int
client(struct world *w)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	int fd = udp_bound("127.0.0.1", 0);

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(w->relay_port);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	return fd;
}

START_TEST(udp_ids_are_remapped_and_restored)
{
	struct world	w;
	uint8_t		q[64], a[512];
	size_t		ql;
	ssize_t		n;
	int		c1, c2;

	world_init(&w, true);
	c1 = client(&w);
	c2 = client(&w);
	/* Two clients with the same id: each gets its own answer back. */
	ql = make_query(q, 0x1234);
	ck_assert_int_eq(send(c1, q, ql, 0), (ssize_t)ql);
	n = pump_until_reply(&w, c1, a, sizeof(a));
	ck_assert_int_gt(n, (ssize_t)ql);
	ck_assert_int_eq(a[0] << 8 | a[1], 0x1234);
	ck_assert_int_eq(a[2] & 0x80, 0x80);
	ck_assert_int_eq(a[3] & 0x0f, 0);	/* NOERROR from upstream */
	ck_assert_int_eq(w.upstream_saw_id % DNS_RELAY_PENDING,
	    (w.upstream_saw_id & (DNS_RELAY_PENDING - 1)));
	ck_assert_int_eq(send(c2, q, ql, 0), (ssize_t)ql);
	n = pump_until_reply(&w, c2, a, sizeof(a));
	ck_assert_int_gt(n, (ssize_t)ql);
	ck_assert_int_eq(a[0] << 8 | a[1], 0x1234);
	ck_assert_int_eq(w.upstream_queries, 2);
	ck_assert_uint_eq(dns_relay_stats(w.relay)->answers, 2);
	close(c1);
	close(c2);
	world_free(&w);
}
END_TEST

START_TEST(udp_servfail_without_tunnel)
{
	struct world	w;
	uint8_t		q[64], a[512];
	size_t		ql;
	ssize_t		n;
	int		c;

	world_init(&w, false);
	c = client(&w);
	ql = make_query(q, 0xbeef);
	ck_assert_int_eq(send(c, q, ql, 0), (ssize_t)ql);
	n = pump_until_reply(&w, c, a, sizeof(a));
	ck_assert_int_eq(n, (ssize_t)ql);		/* question kept */
	ck_assert_int_eq(a[0] << 8 | a[1], 0xbeef);
	ck_assert_int_eq(a[3] & 0x0f, 2);		/* SERVFAIL */
	ck_assert_int_eq(memcmp(a + 12, q + 12, ql - 12), 0);
	ck_assert_int_eq(w.upstream_queries, 0);	/* nothing left */
	ck_assert_uint_eq(dns_relay_stats(w.relay)->servfail, 1);
	close(c);
	world_free(&w);
}
END_TEST

START_TEST(tcp_servfail_without_tunnel)
{
	struct world		w;
	struct sockaddr_in	to = { .sin_family = AF_INET };
	uint8_t			q[66], a[512];
	size_t			ql;
	ssize_t			n = -1;
	int			c, i;

	world_init(&w, false);
	c = socket(AF_INET, SOCK_STREAM, 0);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(w.relay_port);
	ck_assert_int_eq(connect(c, (struct sockaddr *)&to, sizeof(to)), 0);
	ql = make_query(q + 2, 0x4242);
	q[0] = 0;
	q[1] = (uint8_t)ql;
	ck_assert_int_eq(send(c, q, ql + 2, 0), (ssize_t)(ql + 2));
	for (i = 0; i < 2000 && n <= 0; i++) {
		event_base_loop(w.base, EVLOOP_NONBLOCK);
		n = recv(c, a, sizeof(a), MSG_DONTWAIT);
		usleep(1000);
	}
	ck_assert_int_eq(n, (ssize_t)(ql + 2));
	ck_assert_int_eq(a[0] << 8 | a[1], (int)ql);
	ck_assert_int_eq(a[2] << 8 | a[3], 0x4242);
	ck_assert_int_eq(a[5] & 0x0f, 2);
	close(c);
	world_free(&w);
}
END_TEST

START_TEST(servfail_rejects_malformed)
{
	uint8_t q[64];
	size_t ql = make_query(q, 1);

	ck_assert_int_eq(dns_make_servfail(q, 11), -1);	/* short header */
	ck_assert_int_eq(dns_make_servfail(q, ql - 1), -1); /* cut QCLASS */
	q[5] = 2;					/* QDCOUNT 2 */
	ck_assert_int_eq(dns_make_servfail(q, ql), -1);
	q[5] = 1;
	q[12] = 0xc0;					/* pointer */
	ck_assert_int_eq(dns_make_servfail(q, ql), -1);
	ql = make_query(q, 1);
	q[2] |= 0x80;					/* an answer */
	ck_assert_int_eq(dns_make_servfail(q, ql), -1);
	ql = make_query(q, 1);
	ck_assert_int_eq(dns_make_servfail(q, ql), (int)ql);
	ck_assert_int_eq(q[2], 0x81);			/* QR + RD kept */
	ck_assert_int_eq(q[3], 0x82);			/* RA + SERVFAIL */
}
END_TEST

static Suite *
dns_suite(void)
{
	Suite	*s = suite_create("dns_relay");
	TCase	*tc = tcase_create("relay");

	tcase_add_test(tc, udp_ids_are_remapped_and_restored);
	tcase_add_test(tc, udp_servfail_without_tunnel);
	tcase_add_test(tc, tcp_servfail_without_tunnel);
	tcase_add_test(tc, servfail_rejects_malformed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(dns_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
