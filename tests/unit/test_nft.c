/* SPDX-License-Identifier: ISC */
/*
 * The firewall renderer without root: parameters that would make an
 * invalid or unsafe ruleset are refused with a message naming the field
 * (interface names cannot smuggle nft syntax in), and every transaction we
 * render touches table inet piad only and starts with the create/delete
 * prologue that makes the replace atomic.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "core/log.h"
#include "net/nft.h"

static char last_warning[512];

static void
capture(enum log_level lvl, const char *msg, void *arg)
{
	snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

static void
host_defaults(struct fw_host_params *p, struct fw_prefix *allow)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->bridge_ifname, sizeof(p->bridge_ifname), "br-vpn");
	p->proxy_port = 8888;
	inet_pton(AF_INET, "10.100.0.2", &allow->addr);
	allow->len = 32;
	p->allow = allow;
	p->nallow = 1;
}

static void
vpn_defaults(struct fw_vpn_params *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->lan_ifname, sizeof(p->lan_ifname), "eth0");
	snprintf(p->wg_ifname, sizeof(p->wg_ifname), "piaw");
	inet_pton(AF_INET, "10.100.0.0", &p->bridge_subnet.addr);
	p->bridge_subnet.len = 24;
	p->mss_clamp = true;
	p->dnat.enabled = true;
	p->dnat.pia_port = 51413;
	inet_pton(AF_INET, "10.100.0.10", &p->dnat.target);
	p->dnat.proto = FW_PROTO_BOTH;
}

/* Every "table" keyword names inet piad; the prologue comes first. */
static void
assert_only_our_table(const char *text)
{
	const char *p;

	ck_assert_msg(strncmp(text, "table inet piad {}\n"
	    "delete table inet piad\ntable inet piad {\n", 59) == 0,
	    "prologue: %.80s", text);
	for (p = text; (p = strstr(p, "table")) != NULL; p += 5)
		ck_assert_msg(strncmp(p, "table inet piad", 15) == 0,
		    "foreign table reference: %.40s", p);
	ck_assert_ptr_null(strstr(text, "flush"));
}

START_TEST(render_ok)
{
	struct fw_host_params	 hp;
	struct fw_vpn_params	 vp;
	struct fw_prefix	 allow;
	struct fw_counters	 keep = { 0 };
	char			*text;

	host_defaults(&hp, &allow);
	ck_assert_int_eq(fw_render_host(&hp, NULL, &text), 0);
	assert_only_our_table(text);
	ck_assert_ptr_nonnull(strstr(text, "tcp dport 8888 accept"));
	free(text);

	/* Counters carried into the new definition. */
	keep.n = 1;
	snprintf(keep.c[0].name, sizeof(keep.c[0].name), FW_CTR_FWD_DROP);
	keep.c[0].packets = 12345;
	keep.c[0].bytes = 678901;
	vpn_defaults(&vp);
	ck_assert_int_eq(fw_render_vpn(&vp, &keep, &text), 0);
	assert_only_our_table(text);
	ck_assert_ptr_nonnull(strstr(text,
	    "counter fwd_drop { packets 12345 bytes 678901 }"));
	ck_assert_ptr_nonnull(strstr(text,
	    "counter out_drop { packets 0 bytes 0 }"));
	/* Target port 0 means "same as the PIA port". */
	ck_assert_ptr_nonnull(strstr(text, "dnat ip to 10.100.0.10:51413"));
	free(text);

	/* Host bits below the prefix are dropped, not refused by nft. */
	inet_pton(AF_INET, "10.100.0.77", &vp.bridge_subnet.addr);
	vp.dnat.enabled = false;
	vp.mss_clamp = false;
	ck_assert_int_eq(fw_render_vpn(&vp, NULL, &text), 0);
	ck_assert_ptr_nonnull(strstr(text, "ip daddr 10.100.0.0/24 accept"));
	ck_assert_ptr_null(strstr(text, "dnat ip to"));
	ck_assert_ptr_null(strstr(text, "maxseg"));
	free(text);

	/* No allowed source: no proxy rule at all, still valid. */
	host_defaults(&hp, &allow);
	hp.nallow = 0;
	ck_assert_int_eq(fw_render_host(&hp, NULL, &text), 0);
	ck_assert_ptr_null(strstr(text, "dport 8888"));
	free(text);
}
END_TEST

enum bad {
	BAD_BRIDGE_QUOTE, BAD_BRIDGE_EMPTY, BAD_BRIDGE_LONG, BAD_PROXY_PORT,
	BAD_ALLOW_LEN, BAD_LAN, BAD_WG, BAD_SUBNET, BAD_LOW_PORT, BAD_PROTO,
	BAD_TARGET, BAD_MAX
};

static const char *const bad_messages[BAD_MAX] = {
	[BAD_BRIDGE_QUOTE] = "nftables: host table: bad bridge interface name",
	[BAD_BRIDGE_EMPTY] = "nftables: host table: bad bridge interface name",
	[BAD_BRIDGE_LONG] = "nftables: host table: bad bridge interface name",
	[BAD_PROXY_PORT] = "nftables: host table: proxy port 0",
	[BAD_ALLOW_LEN] = "nftables: host table: allowed source 0: prefix "
	    "length 33",
	[BAD_LAN] = "nftables: VPN table: bad bridge-side interface name",
	[BAD_WG] = "nftables: VPN table: bad WireGuard interface name",
	[BAD_SUBNET] = "nftables: VPN table: bridge subnet prefix length 40",
	[BAD_LOW_PORT] = "nftables: VPN table: forwarded port 1023 is below "
	    "1024",
	[BAD_PROTO] = "nftables: VPN table: bad DNAT protocol 4",
	[BAD_TARGET] = "nftables: VPN table: DNAT without target",
};

START_TEST(render_refused)
{
	struct fw_host_params	 hp;
	struct fw_vpn_params	 vp;
	struct fw_prefix	 allow;
	static char		 dummy;
	char			*text = &dummy;
	int			 rc;

	host_defaults(&hp, &allow);
	vpn_defaults(&vp);
	switch (_i) {
	case BAD_BRIDGE_QUOTE:
		snprintf(hp.bridge_ifname, sizeof(hp.bridge_ifname),
		    "b\" accept;");
		break;
	case BAD_BRIDGE_EMPTY:
		hp.bridge_ifname[0] = '\0';
		break;
	case BAD_BRIDGE_LONG:
		memset(hp.bridge_ifname, 'a', sizeof(hp.bridge_ifname));
		break;
	case BAD_PROXY_PORT:
		hp.proxy_port = 0;
		break;
	case BAD_ALLOW_LEN:
		allow.len = 33;
		break;
	case BAD_LAN:
		snprintf(vp.lan_ifname, sizeof(vp.lan_ifname), "eth 0");
		break;
	case BAD_WG:
		snprintf(vp.wg_ifname, sizeof(vp.wg_ifname), "pia}w");
		break;
	case BAD_SUBNET:
		vp.bridge_subnet.len = 40;
		break;
	case BAD_LOW_PORT:
		vp.dnat.pia_port = 1023;
		break;
	case BAD_PROTO:
		vp.dnat.proto = (enum fw_proto)4;
		break;
	case BAD_TARGET:
		vp.dnat.target.s_addr = 0;
		break;
	}
	last_warning[0] = '\0';
	if (_i <= BAD_ALLOW_LEN)
		rc = fw_render_host(&hp, NULL, &text);
	else
		rc = fw_render_vpn(&vp, NULL, &text);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_null(text);
	ck_assert_str_eq(last_warning, bad_messages[_i]);
}
END_TEST

START_TEST(ifnames)
{
	ck_assert(fw_ifname_ok("br-vpn"));
	ck_assert(fw_ifname_ok("veth.1_a"));
	ck_assert(fw_ifname_ok("abcdefghijklmno"));
	ck_assert(!fw_ifname_ok("abcdefghijklmnop"));
	ck_assert(!fw_ifname_ok(""));
	ck_assert(!fw_ifname_ok(NULL));
	ck_assert(!fw_ifname_ok("a\"b"));
	ck_assert(!fw_ifname_ok("a*"));
	ck_assert(!fw_ifname_ok("a\nb"));
}
END_TEST

int	main(void);

int
main(void)
{
	Suite	*s = suite_create("nft");
	TCase	*tc = tcase_create("nft");
	SRunner	*sr;
	int	 failed;

	log_init(LOG_LVL_ERR, "test_nft");
	log_set_hook(capture, NULL);
	tcase_add_test(tc, render_ok);
	tcase_add_loop_test(tc, render_refused, 0, BAD_MAX);
	tcase_add_test(tc, ifnames);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
