/* SPDX-License-Identifier: ISC */
/*
 * The UAPI text protocol: the exact "set" request we send for a config,
 * a "get" reply as wireguard-go writes it parsed field by field, errno
 * replies, and the refusals of malformed replies with their messages.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "core/log.h"
#include "net/wg_key.h"
#include "net/wg_uapi.h"

static char last_warning[512];

static void
capture(enum log_level lvl, const char *msg, void *arg)
{
	snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

#define KEY_A	"e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a"
#define KEY_B	"58402e695ba1772b1cc9309755f043251ea77fdcf10fbe63989ceae2a89f2a53"

START_TEST(build_set)
{
	struct wg_allowedip	aips[2];
	struct wg_peer_config	peers[2];
	struct wg_device_config	cfg;
	struct wg_uapi_buf	b = { 0 };

	memset(&cfg, 0, sizeof(cfg));
	memset(peers, 0, sizeof(peers));
	memset(aips, 0, sizeof(aips));
	ck_assert_int_eq(wg_key_from_hex(cfg.private_key, KEY_A, 64), 0);
	cfg.set_private_key = true;
	cfg.set_listen_port = true;
	cfg.listen_port = 51820;
	cfg.replace_peers = true;
	cfg.peers = peers;
	cfg.npeers = 2;
	ck_assert_int_eq(wg_key_from_hex(peers[0].public_key, KEY_B, 64), 0);
	peers[0].endpoint.sin.sin_family = AF_INET;
	peers[0].endpoint.sin.sin_port = htons(1337);
	inet_pton(AF_INET, "203.0.113.7", &peers[0].endpoint.sin.sin_addr);
	peers[0].persistent_keepalive = 25;
	peers[0].replace_allowedips = true;
	aips[0].family = AF_INET;
	aips[0].cidr = 0;
	aips[1].family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::", &aips[1].addr.ip6);
	aips[1].cidr = 32;
	peers[0].allowedips = aips;
	peers[0].nallowedips = 2;
	ck_assert_int_eq(wg_key_from_hex(peers[1].public_key, KEY_A, 64), 0);
	peers[1].remove = true;
	peers[1].endpoint.sin6.sin6_family = AF_INET6;

	ck_assert_int_eq(wg_uapi_build_set(&b, &cfg), 0);
	ck_assert_str_eq(b.data,
	    "set=1\n"
	    "private_key=" KEY_A "\n"
	    "listen_port=51820\n"
	    "replace_peers=true\n"
	    "public_key=" KEY_B "\n"
	    "endpoint=203.0.113.7:1337\n"
	    "persistent_keepalive_interval=25\n"
	    "replace_allowed_ips=true\n"
	    "allowed_ip=0.0.0.0/0\n"
	    "allowed_ip=2001:db8::/32\n"
	    "public_key=" KEY_A "\n"
	    "remove=true\n"
	    "\n");
	ck_assert_uint_eq(b.len, strlen(b.data));
	wg_uapi_buf_free(&b);

	/* Nothing to set but the device: still a well formed request. */
	memset(&cfg, 0, sizeof(cfg));
	ck_assert_int_eq(wg_uapi_build_set(&b, &cfg), 0);
	ck_assert_str_eq(b.data, "set=1\n\n");
	wg_uapi_buf_free(&b);

	/* An allowed IP of an unknown family cannot be expressed. */
	cfg.peers = peers;
	cfg.npeers = 1;
	aips[1].family = AF_UNIX;
	ck_assert_int_eq(wg_uapi_build_set(&b, &cfg), -EINVAL);
	wg_uapi_buf_free(&b);
}
END_TEST

static const char get_reply[] =
    "private_key=" KEY_A "\n"
    "listen_port=51820\n"
    "public_key=" KEY_B "\n"
    "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
    "protocol_version=1\n"
    "endpoint=192.0.2.2:51820\n"
    "last_handshake_time_sec=1700000000\n"
    "last_handshake_time_nsec=123456789\n"
    "tx_bytes=532\n"
    "rx_bytes=476\n"
    "persistent_keepalive_interval=25\n"
    "allowed_ip=10.100.0.2/32\n"
    "allowed_ip=0.0.0.0/0\n"
    "public_key=" KEY_A "\n"
    "endpoint=[2001:db8::1%eth0]:443\n"
    "allowed_ip=2001:db8::/64\n"
    "some_future_key=whatever\n"
    "errno=0\n"
    "\n";

START_TEST(parse_get)
{
	struct wg_device_status	 st;
	struct wg_peer_status	*p;
	uint8_t			 priv[WG_KEYLEN], pub[WG_KEYLEN];
	char			 a[INET6_ADDRSTRLEN];

	ck_assert_int_eq(wg_uapi_parse_get(get_reply, strlen(get_reply), &st),
	    0);
	ck_assert(st.has_public_key);
	wg_key_from_hex(priv, KEY_A, 64);
	wg_key_public(pub, priv);
	ck_assert_mem_eq(st.public_key, pub, WG_KEYLEN);
	ck_assert_uint_eq(st.listen_port, 51820);
	ck_assert_uint_eq(st.npeers, 2);
	p = &st.peers[0];
	ck_assert_int_eq(p->endpoint.sa.sa_family, AF_INET);
	inet_ntop(AF_INET, &p->endpoint.sin.sin_addr, a, sizeof(a));
	ck_assert_str_eq(a, "192.0.2.2");
	ck_assert_uint_eq(ntohs(p->endpoint.sin.sin_port), 51820);
	ck_assert_int_eq(p->last_handshake.tv_sec, 1700000000);
	ck_assert_int_eq(p->last_handshake.tv_nsec, 123456789);
	ck_assert_uint_eq(p->rx_bytes, 476);
	ck_assert_uint_eq(p->tx_bytes, 532);
	ck_assert_uint_eq(p->persistent_keepalive, 25);
	ck_assert_uint_eq(p->nallowedips, 2);
	ck_assert_uint_eq(p->allowedips[0].cidr, 32);
	ck_assert_uint_eq(p->allowedips[1].cidr, 0);
	p = &st.peers[1];
	ck_assert_ptr_eq(wg_device_status_peer(&st, priv), p);
	ck_assert_int_eq(p->endpoint.sa.sa_family, AF_INET6);
	ck_assert_uint_eq(ntohs(p->endpoint.sin6.sin6_port), 443);
	ck_assert_int_eq(p->last_handshake.tv_sec, 0);
	ck_assert_uint_eq(p->nallowedips, 1);
	ck_assert_int_eq(p->allowedips[0].family, AF_INET6);
	wg_device_status_free(&st);
	ck_assert_uint_eq(st.npeers, 0);
}
END_TEST

struct bad_case {
	const char	*reply;
	int		 rc;
	const char	*message;
};

static const struct bad_case bad[] = {
	{ "errno=0\n\n", 0, NULL },
	{ "errno=22\n\n", -22, NULL },
	{ "listen_port=1\n", -EBADMSG,
	    "wireguard uapi: reply ends without errno" },
	{ "listen_port=1\n\n", -EBADMSG,
	    "wireguard uapi: reply ends without errno" },
	{ "listen_port=1", -EBADMSG,
	    "wireguard uapi: reply line 1 not terminated" },
	{ "listen_port\nerrno=0\n\n", -EBADMSG,
	    "wireguard uapi: reply line 1 is not key=value" },
	{ "=1\nerrno=0\n\n", -EBADMSG,
	    "wireguard uapi: reply line 1 is not key=value" },
	{ "listen_port=65536\nerrno=0\n\n", -EBADMSG,
	    "wireguard uapi: reply line 1: bad value for \"listen_port\"" },
	{ "listen_port=-1\nerrno=0\n\n", -EBADMSG,
	    "wireguard uapi: reply line 1: bad value for \"listen_port\"" },
	{ "private_key=abc\nerrno=0\n\n", -EBADMSG,
	    "wireguard uapi: reply line 1: bad value for \"private_key\"" },
	{ "rx_bytes=1\nerrno=0\n\n", -EBADMSG,
	    "wireguard uapi: reply line 1: bad value for \"rx_bytes\"" },
	{ "public_key=" KEY_B "\nendpoint=192.0.2.1\nerrno=0\n\n", -EBADMSG,
	    "wireguard uapi: reply line 2: bad value for \"endpoint\"" },
	{ "public_key=" KEY_B "\nendpoint=[::1:5\nerrno=0\n\n", -EBADMSG,
	    "wireguard uapi: reply line 2: bad value for \"endpoint\"" },
	{ "public_key=" KEY_B "\nendpoint=300.1.1.1:5\nerrno=0\n\n", -EBADMSG,
	    "wireguard uapi: reply line 2: bad value for \"endpoint\"" },
	{ "public_key=" KEY_B "\nallowed_ip=10.0.0.0/33\nerrno=0\n\n",
	    -EBADMSG,
	    "wireguard uapi: reply line 2: bad value for \"allowed_ip\"" },
	{ "public_key=" KEY_B "\nlast_handshake_time_nsec=1000000000\n"
	    "errno=0\n\n", -EBADMSG, "wireguard uapi: reply line 2: bad "
	    "value for \"last_handshake_time_nsec\"" },
	{ "public_key=" KEY_B "\ntx_bytes=18446744073709551616\nerrno=0\n\n",
	    -EBADMSG,
	    "wireguard uapi: reply line 2: bad value for \"tx_bytes\"" },
	{ "errno=x\n\n", -EBADMSG, "wireguard uapi: bad errno value" },
	{ "errno=0\n", -EBADMSG, "wireguard uapi: no blank line after errno" },
};

START_TEST(parse_bad)
{
	const struct bad_case	*c = &bad[_i];
	struct wg_device_status	 st;
	int			 rc;

	last_warning[0] = '\0';
	rc = wg_uapi_parse_get(c->reply, strlen(c->reply), &st);
	wg_device_status_free(&st);
	ck_assert_msg(rc == c->rc, "case %d: rc %d, want %d", _i, rc, c->rc);
	if (c->message != NULL)
		ck_assert_str_eq(last_warning, c->message);
	ck_assert_int_eq(wg_uapi_parse_errno(c->reply, strlen(c->reply)),
	    c->rc);
}
END_TEST

START_TEST(path)
{
	char p[108];

	ck_assert_int_eq(wg_uapi_path(p, sizeof(p), "piaw"), 0);
	ck_assert_str_eq(p, "/var/run/wireguard/piaw.sock");
	ck_assert_int_eq(wg_uapi_path(p, 10, "piaw"), -ENAMETOOLONG);
	/* No program answers for a name nobody uses. */
	ck_assert(!wg_uapi_alive("piad-nonexist"));
}
END_TEST

int	main(void);

int
main(void)
{
	Suite	*s = suite_create("wg_uapi");
	TCase	*tc = tcase_create("wg_uapi");
	SRunner	*sr;
	int	 failed;

	log_init(LOG_LVL_ERR, "test_wg_uapi");
	log_set_hook(capture, NULL);
	tcase_add_test(tc, build_set);
	tcase_add_test(tc, parse_get);
	tcase_add_loop_test(tc, parse_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, path);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
