/* SPDX-License-Identifier: ISC */
/*
 * net/ without root: the RTM_NEWLINK parser on messages built here (good
 * ones and each kind of malformed one), veth naming, names we refuse,
 * sysctl keys we refuse, the topology record's JSON round trip and its
 * error messages, and read-only requests on a real rtnetlink socket
 * (allowed unprivileged).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "net/link.h"
#include "net/netns.h"
#include "net/rtnl.h"
#include "net/sysctl.h"
#include "net/topology.h"

static _Alignas(8) char buf[4096];

/* Namespaces the root-only cases make; the parent removes them after. */
static char ns_a[64], ns_b[64], ns_c[64];

static void
ns_names(void)
{
	snprintf(ns_a, sizeof(ns_a), "piad-unit-a%d", (int)getpid());
	snprintf(ns_b, sizeof(ns_b), "piad-unit-b%d", (int)getpid());
	snprintf(ns_c, sizeof(ns_c), "piad-unit-c%d", (int)getpid());
}

static void
ns_cleanup(void)
{
	if (geteuid() != 0)
		return;
	netns_delete(ns_a);
	netns_delete(ns_b);
	netns_delete(ns_c);
}

/* An RTM_NEWLINK with a name (if name != NULL) and nothing else. */
static struct nlmsghdr *
newlink(uint16_t type, int ifindex, const char *name)
{
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifm;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = IFF_UP | 0x10000;	/* IFF_LOWER_UP */
	if (name != NULL)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

START_TEST(parse_full)
{
	struct nlmsghdr		*nlh;
	struct nlattr		*li;
	struct link_info	 out;
	uint8_t			 mac[6] = { 2, 0x70, 10, 100, 0, 10 };

	nlh = newlink(RTM_NEWLINK, 7, "pv-web-123456");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1420);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	mnl_attr_put_u32(nlh, IFLA_LINK, 2);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	/* Kind without its NUL, as some kernels send it. */
	mnl_attr_put(nlh, IFLA_INFO_KIND, 4, "veth");
	mnl_attr_nest_end(nlh, li);
	mnl_attr_put_u32(nlh, 999, 1);		/* unknown: ignored */

	ck_assert_int_eq(link_parse(nlh, &out), 0);
	ck_assert_int_eq(out.ifindex, 7);
	ck_assert_str_eq(out.name, "pv-web-123456");
	ck_assert_str_eq(out.kind, "veth");
	ck_assert_uint_eq(out.mtu, 1420);
	ck_assert_int_eq(out.master, 3);
	ck_assert_int_eq(out.link, 2);
	ck_assert(out.up);
	ck_assert(out.lower_up);
	ck_assert(!out.deleted);
	ck_assert(out.has_mac);
	ck_assert_mem_eq(out.mac, mac, 6);

	nlh = newlink(RTM_DELLINK, 9, "eth0");
	ck_assert_int_eq(link_parse(nlh, &out), 0);
	ck_assert(out.deleted);
	ck_assert_str_eq(out.kind, "");
	ck_assert_int_eq(out.master, 0);
	ck_assert(!out.has_mac);
}
END_TEST

START_TEST(parse_refuses)
{
	struct nlmsghdr		*nlh;
	struct nlattr		*li;
	struct link_info	 out;

	/* Not a link message. */
	nlh = newlink(RTM_NEWADDR, 1, "lo");
	ck_assert_int_eq(link_parse(nlh, &out), -EPROTO);
	/* Shorter than its ifinfomsg. */
	nlh = newlink(RTM_NEWLINK, 1, NULL);
	nlh->nlmsg_len = sizeof(*nlh) + 4;
	ck_assert_int_eq(link_parse(nlh, &out), -EINVAL);
	/* No name, or index 0. */
	nlh = newlink(RTM_NEWLINK, 1, NULL);
	ck_assert_int_eq(link_parse(nlh, &out), -EINVAL);
	nlh = newlink(RTM_NEWLINK, 0, "lo");
	ck_assert_int_eq(link_parse(nlh, &out), -EINVAL);
	/* A name of 16 bytes plus NUL does not fit IFNAMSIZ. */
	nlh = newlink(RTM_NEWLINK, 1, "0123456789abcdef");
	ck_assert_int_eq(link_parse(nlh, &out), -EINVAL);
	/* A name without its NUL. */
	nlh = newlink(RTM_NEWLINK, 1, NULL);
	mnl_attr_put(nlh, IFLA_IFNAME, 3, "abc");
	ck_assert_int_eq(link_parse(nlh, &out), -EINVAL);
	/* An empty name. */
	nlh = newlink(RTM_NEWLINK, 1, "");
	ck_assert_int_eq(link_parse(nlh, &out), -EINVAL);
	/* MTU of the wrong size. */
	nlh = newlink(RTM_NEWLINK, 1, "lo");
	mnl_attr_put_u16(nlh, IFLA_MTU, 1500);
	ck_assert_int_eq(link_parse(nlh, &out), -EINVAL);
	/* Attribute longer than the message. */
	nlh = newlink(RTM_NEWLINK, 1, "lo");
	mnl_attr_put_u32(nlh, IFLA_MASTER, 1);
	((struct nlattr *)((char *)nlh + nlh->nlmsg_len - 8))->nla_len = 64;
	ck_assert_int_eq(link_parse(nlh, &out), -EINVAL);
	/* A name whose last bytes lie past nlmsg_len (in the padding). */
	nlh = newlink(RTM_NEWLINK, 1, "abcdefg");
	nlh->nlmsg_len -= 2;
	ck_assert_int_eq(link_parse(nlh, &out), -EINVAL);
	/* A message claiming 2 GiB or more does not fit any buffer. */
	nlh = newlink(RTM_NEWLINK, 1, "lo");
	ck_assert(rtnl_msg_ok(nlh, (int)nlh->nlmsg_len));
	ck_assert(!rtnl_msg_ok(nlh, (int)nlh->nlmsg_len - 1));
	nlh->nlmsg_len = 0x8181005c;
	ck_assert(!rtnl_msg_ok(nlh, 4096));
	nlh->nlmsg_len = 8;
	ck_assert(!rtnl_msg_ok(nlh, 4096));
	/* A kind longer than we keep. */
	nlh = newlink(RTM_NEWLINK, 1, "x");
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "averyveryverylongkind");
	mnl_attr_nest_end(nlh, li);
	ck_assert_int_eq(link_parse(nlh, &out), -EINVAL);
}
END_TEST

START_TEST(veth_names)
{
	char	a[IFNAMSIZ], b[IFNAMSIZ], c[IFNAMSIZ];
	char	longname[NETNS_NAME_MAX + 1];

	topo_veth_name("transmission", a);
	topo_veth_name("transmission", b);
	ck_assert_str_eq(a, b);
	ck_assert_int_eq(strncmp(a, "pv-tran-", 8), 0);
	ck_assert_uint_eq(strlen(a), 14);
	topo_veth_name("transmission2", c);
	ck_assert_str_ne(a, c);
	ck_assert_int_eq(strncmp(c, "pv-tran-", 8), 0);

	memset(longname, 'z', NETNS_NAME_MAX);
	longname[NETNS_NAME_MAX] = '\0';
	topo_veth_name(longname, a);
	ck_assert_uint_le(strlen(a), IFNAMSIZ - 1);
	/* Only letters and digits make the prefix. */
	topo_veth_name("a.b-c_d.e", a);
	ck_assert_int_eq(strncmp(a, "pv-abcd-", 8), 0);
	topo_veth_name("-", a);
	ck_assert_int_eq(strncmp(a, "pv--", 4), 0);
	ck_assert_uint_eq(strlen(a), 10);
}
END_TEST

START_TEST(names_refused)
{
	ck_assert(netns_name_valid("pia-vpn"));
	ck_assert(!netns_name_valid(""));
	ck_assert(!netns_name_valid("."));
	ck_assert(!netns_name_valid(".."));
	ck_assert(!netns_name_valid("a/b"));
	ck_assert_int_eq(netns_open("../etc"), -EINVAL);
	ck_assert_int_eq(netns_create("a/b"), -EINVAL);
	ck_assert_int_eq(netns_delete(""), -EINVAL);
	ck_assert(!netns_exists("no-such-netns-for-piad-tests"));
	ck_assert_int_eq(netns_open("no-such-netns-for-piad-tests"),
	    -ENOENT);
}
END_TEST

START_TEST(sysctl_keys)
{
	char v[32];

	ck_assert_int_eq(sysctl_read(-1, "kernel.hostname", v, sizeof(v)),
	    -EINVAL);
	ck_assert_int_eq(sysctl_read(-1, "net/../../etc/passwd", v, sizeof(v)),
	    -EINVAL);
	ck_assert_int_eq(sysctl_write(-1, "", "1"), -EINVAL);
	ck_assert_int_eq(sysctl_read(-1, "net.ipv4.ip_forward", v, sizeof(v)),
	    0);
	ck_assert(strcmp(v, "0") == 0 || strcmp(v, "1") == 0);
	ck_assert_int_eq(sysctl_read(-1, "net.ipv4.no_such_key", v,
	    sizeof(v)), -ENOENT);
}
END_TEST

/*
 * As root only (else it passes without checking): creating a netns never
 * moves the caller, a second create is a no-op, an empty mount point left
 * by a crash is reused, and delete removes it all.
 */
START_TEST(netns_lifecycle)
{
	const char	*name = ns_c;
	char		 path[128];
	int		 before, after, fd;

	if (geteuid() != 0)
		return;
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	ck_assert_int_ge(before = open("/proc/thread-self/ns/net",
	    O_RDONLY | O_CLOEXEC), 0);
	ck_assert_int_eq(netns_create(name), 0);
	ck_assert_int_ge(after = open("/proc/thread-self/ns/net",
	    O_RDONLY | O_CLOEXEC), 0);
	ck_assert_int_eq(netns_same(before, after), 1);
	ck_assert_int_eq(netns_same(netns_self(), after), 1);
	ck_assert(netns_exists(name));
	ck_assert_int_eq(netns_create(name), 0);
	ck_assert_int_ge(fd = netns_open(name), 0);
	ck_assert_int_eq(netns_same(fd, after), 0);
	close(fd);
	ck_assert_int_eq(netns_delete(name), 0);
	ck_assert(!netns_exists(name));
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(netns_delete(name), 0);

	/* An empty file where the mount point should be. */
	ck_assert_int_ge(fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0),
	    0);
	close(fd);
	ck_assert(!netns_exists(name));
	ck_assert_int_eq(netns_open(name), -ENOENT);
	ck_assert_int_eq(netns_create(name), 0);
	ck_assert(netns_exists(name));
	ck_assert_int_eq(netns_delete(name), 0);
	close(before);
	close(after);
}
END_TEST

/*
 * As root only: the requests others build on (the WireGuard part moves
 * its link, sets MTU, address and a device route), inside two namespaces
 * of the test's own, never in the caller's.
 */
START_TEST(link_requests)
{
	struct route_default	 rd;
	struct link_info	 li;
	struct in_addr		 a, gw;
	struct rtnl		*ra, *rb;
	const char		*na = ns_a, *nb = ns_b;
	int			 fa, fb;

	if (geteuid() != 0)
		return;
	ck_assert_int_eq(netns_create(na), 0);
	ck_assert_int_eq(netns_create(nb), 0);
	ck_assert_int_ge(fa = netns_open(na), 0);
	ck_assert_int_ge(fb = netns_open(nb), 0);
	ck_assert_ptr_nonnull(ra = rtnl_open(fa));
	ck_assert_ptr_nonnull(rb = rtnl_open(fb));
	inet_pton(AF_INET, "10.100.0.2", &a);
	inet_pton(AF_INET, "10.100.0.1", &gw);

	ck_assert_int_eq(link_create_bridge(ra, "br0"), 0);
	ck_assert_int_eq(link_create_bridge(ra, "br0"), -EEXIST);
	ck_assert_int_eq(link_create_veth(ra, "va", "vb", -1), 0);
	ck_assert_int_eq(link_set_master(ra, "va", "br0"), 0);
	ck_assert_int_eq(link_get(ra, "va", &li), 0);
	ck_assert_int_eq(li.master, link_index(ra, "br0"));
	ck_assert_str_eq(li.kind, "veth");
	ck_assert_int_eq(link_set_master(ra, "va", NULL), 0);
	ck_assert_int_eq(link_get(ra, "va", &li), 0);
	ck_assert_int_eq(li.master, 0);

	/* Move vb into B as eth1; it keeps its index there if free. */
	ck_assert_int_eq(link_move_to_netns(ra, "vb", fb, "eth1"), 0);
	ck_assert_int_eq(link_index(ra, "vb"), -ENODEV);
	ck_assert_int_eq(link_get(rb, "eth1", &li), 0);
	ck_assert(!li.up);
	ck_assert_int_eq(link_set_mtu(rb, "eth1", 1420), 0);
	ck_assert_int_eq(link_set_up(rb, "eth1"), 0);
	ck_assert_int_eq(link_get(rb, "eth1", &li), 0);
	ck_assert_uint_eq(li.mtu, 1420);
	ck_assert(li.up);
	ck_assert(!li.lower_up);		/* va is still down */
	ck_assert_int_eq(link_set_down(rb, "eth1"), 0);
	ck_assert_int_eq(link_rename(rb, "eth1", "wgx"), 0);
	ck_assert_int_eq(link_index(rb, "eth1"), -ENODEV);
	ck_assert_int_gt(link_index(rb, "wgx"), 0);
	ck_assert_int_eq(link_set_up(rb, "wgx"), 0);

	/* Address: idempotent add (no second write), has, del. */
	ck_assert_int_eq(addr_add(rb, "wgx", a, 32), 0);
	{
		unsigned long w = rtnl_writes(rb);

		ck_assert_int_eq(addr_add(rb, "wgx", a, 32), 0);
		ck_assert_uint_eq(rtnl_writes(rb), w);
	}
	ck_assert_int_eq(addr_has(rb, "wgx", a, 32), 1);
	ck_assert_int_eq(addr_has(rb, "wgx", a, 24), 0);

	/* Default route through a device, then via a gateway. */
	ck_assert_int_eq(route_add_default(rb, NULL, "wgx"), 0);
	ck_assert_int_eq(route_get_default(rb, &rd), 0);
	ck_assert(rd.present);
	ck_assert(!rd.has_gateway);
	ck_assert_int_eq(rd.oif, link_index(rb, "wgx"));
	{
		unsigned long w = rtnl_writes(rb);

		ck_assert_int_eq(route_add_default(rb, NULL, "wgx"), 0);
		ck_assert_uint_eq(rtnl_writes(rb), w);
	}
	ck_assert_int_eq(addr_add(rb, "wgx", gw, 24), 0);
	ck_assert_int_eq(route_add_default(rb, &gw, NULL), 0);
	ck_assert_int_eq(route_get_default(rb, &rd), 0);
	ck_assert(rd.has_gateway);
	ck_assert_uint_eq(rd.gateway.s_addr, gw.s_addr);
	ck_assert_int_eq(route_del_default(rb), 0);
	ck_assert_int_eq(route_get_default(rb, &rd), 0);
	ck_assert(!rd.present);
	ck_assert_int_eq(route_del_default(rb), 0);
	ck_assert_int_eq(addr_del(rb, "wgx", a, 32), 0);
	ck_assert_int_eq(addr_has(rb, "wgx", a, 32), 0);

	/* A kind this kernel lacks reports the kernel's error. */
	ck_assert_int_lt(link_create_kind(ra, "nokind0", "nosuchkind"), 0);
	ck_assert_int_eq(link_delete(ra, "va"), 0);
	ck_assert_int_eq(link_index(rb, "wgx"), -ENODEV);	/* the peer */
	ck_assert_int_eq(link_delete(ra, "va"), -ENODEV);

	rtnl_close(ra);
	rtnl_close(rb);
	close(fa);
	close(fb);
	ck_assert_int_eq(netns_delete(na), 0);
	ck_assert_int_eq(netns_delete(nb), 0);
}
END_TEST

static int
count_links(const struct link_info *li, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

START_TEST(rtnl_readonly)
{
	struct rtnl		*r;
	struct link_info	 li;
	unsigned long		 w0 = rtnl_writes_total();
	int			 n = 0;

	ck_assert_ptr_nonnull(r = rtnl_open(-1));
	ck_assert_int_eq(link_get(r, "lo", &li), 0);
	ck_assert_int_eq(li.ifindex, 1);
	ck_assert_str_eq(li.name, "lo");
	ck_assert_int_eq(link_index(r, "lo"), 1);
	ck_assert_int_eq(link_index(r, "nosuchlink0"), -ENODEV);
	ck_assert_int_eq(link_index(r, "bad/name"), -EINVAL);
	ck_assert_int_eq(link_index(r, "0123456789abcdef"), -EINVAL);
	ck_assert_int_eq(link_list(r, count_links, &n), 0);
	ck_assert_int_ge(n, 1);
	/* GETs are not writes. */
	ck_assert_uint_eq(rtnl_writes(r), 0);
	ck_assert_uint_eq(rtnl_writes_total(), w0);
	rtnl_close(r);
}
END_TEST

static json_t *
load(const char *s)
{
	json_error_t	 e;
	json_t		*j = json_loads(s, 0, &e);

	ck_assert_ptr_nonnull(j);
	return j;
}

START_TEST(record_json)
{
	struct topo	*t;
	json_t		*j, *back;
	char		 err[256];
	char		*s1, *s2;
	const char	*good = "{\"version\":1,\"items\":["
	    "{\"type\":\"link\",\"name\":\"br-vpn\"},"
	    "{\"type\":\"netns\",\"name\":\"pia-vpn\"},"
	    "{\"type\":\"link\",\"name\":\"pv-piav-123abc\"},"
	    "{\"type\":\"addr\",\"name\":\"br0\","
	    "\"address\":\"10.100.0.1/24\"},"
	    "{\"type\":\"dir\",\"path\":\"/etc/netns/web\"},"
	    "{\"type\":\"file\",\"path\":\"/etc/netns/web/resolv.conf\"}]}";
	struct {
		const char *json, *msg;
	} bad[] = {
		{ "[]", "topology record: not an object" },
		{ "{\"items\":[]}", "topology record: version: expected 1" },
		{ "{\"version\":2,\"items\":[]}",
		    "topology record: version: expected 1" },
		{ "{\"version\":1}",
		    "topology record: items: expected an array" },
		{ "{\"version\":1,\"items\":[1]}",
		    "topology record: items[0]: no type" },
		{ "{\"version\":1,\"items\":[{\"type\":\"route\"}]}",
		    "topology record: items[0].type: unknown" },
		{ "{\"version\":1,\"items\":[{\"type\":\"netns\","
		    "\"name\":\"a/b\"}]}",
		    "topology record: items[0]: bad name" },
		{ "{\"version\":1,\"items\":[{\"type\":\"link\","
		    "\"name\":\"0123456789abcdef\"}]}",
		    "topology record: items[0]: bad name" },
		{ "{\"version\":1,\"items\":[{\"type\":\"file\","
		    "\"path\":\"relative\"}]}",
		    "topology record: items[0]: bad name" },
		{ "{\"version\":1,\"items\":["
		    "{\"type\":\"link\",\"name\":\"a\"},"
		    "{\"type\":\"addr\",\"name\":\"a\","
		    "\"address\":\"10.0.0.1/33\"}]}",
		    "topology record: items[1].address: bad" },
		{ "{\"version\":1,\"items\":[{\"type\":\"addr\",\"name\":\"a\","
		    "\"address\":\"10.0.0.1\"}]}",
		    "topology record: items[0].address: bad" },
	};
	size_t i;

	ck_assert_ptr_nonnull(t = topo_new(-1));
	j = load(good);
	ck_assert_int_eq(topo_record_from_json(t, j, err, sizeof(err)), 0);
	ck_assert_uint_eq(topo_record_count(t), 6);
	back = topo_record_to_json(t);
	s1 = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	s2 = json_dumps(back, JSON_SORT_KEYS | JSON_COMPACT);
	ck_assert_str_eq(s1, s2);
	free(s1);
	free(s2);
	json_decref(back);
	json_decref(j);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = load(bad[i].json);
		err[0] = '\0';
		ck_assert_int_eq(topo_record_from_json(t, j, err, sizeof(err)),
		    -EINVAL);
		ck_assert_str_eq(err, bad[i].msg);
		/* A bad record changes nothing. */
		ck_assert_uint_eq(topo_record_count(t), 6);
		json_decref(j);
	}
	topo_free(t);
}
END_TEST

START_TEST(reconcile_refuses)
{
	struct topo_container	c[2];
	struct topo_desired	w;
	struct topo_report	rep;
	struct topo		*t;
	char			err[256];

	memset(&w, 0, sizeof(w));
	memset(c, 0, sizeof(c));
	snprintf(w.bridge, sizeof(w.bridge), "br-vpn");
	inet_pton(AF_INET, "10.100.0.1", &w.host_address);
	inet_pton(AF_INET, "10.100.0.2", &w.vpn_address);
	snprintf(w.vpn_netns, sizeof(w.vpn_netns), "pia-vpn");
	w.prefixlen = 24;
	w.containers = c;
	w.ncontainers = 2;
	snprintf(c[0].name, sizeof(c[0].name), "web");
	snprintf(c[1].name, sizeof(c[1].name), "pia-vpn");
	c[0].managed = c[1].managed = true;

	ck_assert_ptr_nonnull(t = topo_new(-1));
	ck_assert_int_eq(topo_reconcile(t, &w, &rep, err, sizeof(err)),
	    -EEXIST);
	ck_assert_str_eq(err, "netns pia-vpn: clashes with pia-vpn: "
	    "File exists");
	ck_assert_uint_eq(rep.writes, 0);
	ck_assert_uint_eq(rep.nactions, 0);
	topo_report_free(&rep);

	snprintf(c[1].name, sizeof(c[1].name), "a/b");
	ck_assert_int_eq(topo_reconcile(t, &w, &rep, err, sizeof(err)),
	    -EINVAL);
	ck_assert_str_eq(err, "netns 'a/b': Invalid argument");
	topo_report_free(&rep);

	w.prefixlen = 31;
	ck_assert_int_eq(topo_reconcile(t, &w, &rep, err, sizeof(err)),
	    -EINVAL);
	ck_assert_str_eq(err, "bridge br-vpn: prefix length 31: "
	    "Invalid argument");
	topo_report_free(&rep);
	topo_free(t);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rtnl");
	TCase	*tc = tcase_create("rtnl");
	SRunner	*sr;
	int	 failed;

	tcase_add_unchecked_fixture(tc, ns_names, ns_cleanup);
	tcase_add_test(tc, parse_full);
	tcase_add_test(tc, parse_refuses);
	tcase_add_test(tc, veth_names);
	tcase_add_test(tc, names_refused);
	tcase_add_test(tc, sysctl_keys);
	tcase_add_test(tc, rtnl_readonly);
	tcase_add_test(tc, netns_lifecycle);
	tcase_add_test(tc, link_requests);
	tcase_add_test(tc, record_json);
	tcase_add_test(tc, reconcile_refuses);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
