/* SPDX-License-Identifier: ISC */
/*
 * Link, address and route requests, and the RTM_NEWLINK parser shared with
 * the monitor. Each request is one message with an ACK (net/rtnl.c). The
 * "add" calls that must be idempotent look first (a GET costs no write) so
 * that reconciling an intact topology writes nothing.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "net/link.h"
#include "net/rtnl.h"

/* <net/if.h> and <linux/if.h> cannot both be included. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000
#endif

static int	attr_u32_ok(const struct nlattr *);
static int	attrs_parse(const struct nlmsghdr *, unsigned int,
		    mnl_attr_cb_t, void *);
static int	attrs_parse_nested(const struct nlattr *, mnl_attr_cb_t,
		    void *);
static int	link_name_ok(const char *);
static int	link_attr_cb(const struct nlattr *, void *);
static int	link_info_attr_cb(const struct nlattr *, void *);
static int	link_get_cb(const struct nlmsghdr *, void *);
static int	link_list_cb(const struct nlmsghdr *, void *);
static struct nlmsghdr *link_msg(struct rtnl *, uint16_t, uint16_t,
		    int, const char *);
static int	link_set_flags(struct rtnl *, const char *, unsigned int);
static int	addr_attr_cb(const struct nlattr *, void *);
static int	addr_list_cb(const struct nlmsghdr *, void *);
static int	addr_has_fn(const struct addr_entry *, void *);
static int	addr_msg(struct rtnl *, uint16_t, uint16_t, const char *,
		    struct in_addr, int);
static int	route_attr_cb(const struct nlattr *, void *);
static int	route_default_cb(const struct nlmsghdr *, void *);

/*
 * libmnl lets a short integer attribute pass as MNL_TYPE_U32 on some
 * versions; we want exactly four bytes.
 */
static int
attr_u32_ok(const struct nlattr *attr)
{
	return mnl_attr_validate(attr, MNL_TYPE_U32) == 0 &&
	    mnl_attr_get_payload_len(attr) == sizeof(uint32_t);
}

/*
 * mnl_attr_parse() stops quietly at an attribute that overruns the
 * message; we refuse such a message instead (only padding may be left).
 */
static int
attrs_parse(const struct nlmsghdr *nlh, unsigned int offset,
    mnl_attr_cb_t cb, void *data)
{
	const struct nlattr	*attr;
	/* Not mnl_nlmsg_get_payload_tail(): it rounds up past the end. */
	const char		*tail = (const char *)nlh + nlh->nlmsg_len;

	for (attr = (const struct nlattr *)((const char *)nlh +
	    MNL_NLMSG_HDRLEN + MNL_ALIGN(offset));
	    mnl_attr_ok(attr, (int)(tail - (const char *)attr));
	    attr = mnl_attr_next(attr))
		if (cb(attr, data) != MNL_CB_OK)
			return -EINVAL;
	return tail - (const char *)attr < 4 ? 0 : -EINVAL;
}

static int
attrs_parse_nested(const struct nlattr *nest, mnl_attr_cb_t cb, void *data)
{
	const struct nlattr	*attr;
	const char		*tail;

	tail = (const char *)mnl_attr_get_payload(nest) +
	    mnl_attr_get_payload_len(nest);

	mnl_attr_for_each_nested(attr, nest)
		if (cb(attr, data) != MNL_CB_OK)
			return -EINVAL;
	return tail - (const char *)attr < 4 ? 0 : -EINVAL;
}

/* A valid interface name: 1..15 bytes, no '/', no white space. */
static int
link_name_ok(const char *name)
{
	size_t len;

	if (name == NULL || (len = strlen(name)) == 0 || len >= IFNAMSIZ)
		return 0;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	return strpbrk(name, "/: \t\n") == NULL;
}

/* Attributes we read from a link message; all others are ignored. */
static int
link_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr	**tb = data;
	int			  type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_get_payload_len(attr) > IFNAMSIZ)
			return MNL_CB_ERROR;
		break;
	case IFLA_MTU:
	case IFLA_MASTER:
	case IFLA_LINK:
		if (!attr_u32_ok(attr))
			return MNL_CB_ERROR;
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		break;
	case IFLA_ADDRESS:
		/* Any length (tunnels have none, others are longer). */
		if (mnl_attr_validate(attr, MNL_TYPE_BINARY) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_OK;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static int
link_info_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr	**tb = data;
	int			  type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_INFO_MAX) < 0)
		return MNL_CB_OK;
	if (type == IFLA_INFO_KIND) {
		/* Not always NUL terminated: copied with its length below. */
		if (mnl_attr_validate(attr, MNL_TYPE_STRING) < 0)
			return MNL_CB_ERROR;
		tb[type] = attr;
	}
	return MNL_CB_OK;
}

int
link_parse(const struct nlmsghdr *nlh, struct link_info *out)
{
	const struct nlattr	*tb[IFLA_MAX + 1] = { NULL };
	const struct nlattr	*info[IFLA_INFO_MAX + 1] = { NULL };
	const struct ifinfomsg	*ifm;
	size_t			 len;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EPROTO;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifm)))
		return -EINVAL;
	ifm = mnl_nlmsg_get_payload(nlh);
	if (ifm->ifi_index <= 0)
		return -EINVAL;
	if (attrs_parse(nlh, sizeof(*ifm), link_attr_cb, tb) < 0)
		return -EINVAL;
	if (tb[IFLA_IFNAME] == NULL)
		return -EINVAL;

	out->ifindex = ifm->ifi_index;
	out->family = ifm->ifi_family;
	out->flags = ifm->ifi_flags;
	out->up = (ifm->ifi_flags & IFF_UP) != 0;
	out->lower_up = (ifm->ifi_flags & IFF_LOWER_UP) != 0;
	out->deleted = nlh->nlmsg_type == RTM_DELLINK;
	/* Validated as NUL terminated and at most IFNAMSIZ bytes. */
	len = strlen(mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (len == 0 || len >= IFNAMSIZ)
		return -EINVAL;
	memcpy(out->name, mnl_attr_get_str(tb[IFLA_IFNAME]), len + 1);
	if (tb[IFLA_MTU] != NULL)
		out->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER] != NULL)
		out->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK] != NULL)
		out->link = (int)mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_ADDRESS] != NULL &&
	    mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == sizeof(out->mac)) {
		memcpy(out->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]),
		    sizeof(out->mac));
		out->has_mac = true;
	}
	if (tb[IFLA_LINKINFO] != NULL) {
		if (attrs_parse_nested(tb[IFLA_LINKINFO], link_info_attr_cb,
		    info) < 0)
			return -EINVAL;
		if (info[IFLA_INFO_KIND] != NULL) {
			const char *k = mnl_attr_get_payload(
			    info[IFLA_INFO_KIND]);

			len = mnl_attr_get_payload_len(info[IFLA_INFO_KIND]);
			len = strnlen(k, len);
			if (len >= sizeof(out->kind))
				return -EINVAL;
			memcpy(out->kind, k, len);
			out->kind[len] = '\0';
		}
	}
	return 0;
}

/* A link message addressed by index (> 0) or else by name. */
static struct nlmsghdr *
link_msg(struct rtnl *r, uint16_t type, uint16_t flags, int ifindex,
    const char *name)
{
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifm;

	nlh = rtnl_msg(r, type, flags);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex > 0 ? ifindex : 0;
	if (ifindex <= 0 && name != NULL)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

static int
link_get_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct link_info *out = arg;

	if (link_parse(nlh, out) < 0)
		return -EBADMSG;
	return MNL_CB_OK;
}

int
link_get(struct rtnl *r, const char *name, struct link_info *out)
{
	struct nlmsghdr	*nlh;
	int		 rc;

	if (!link_name_ok(name))
		return -EINVAL;
	out->ifindex = 0;
	nlh = link_msg(r, RTM_GETLINK, 0, 0, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if ((rc = rtnl_query(r, nlh, link_get_cb, out)) < 0)
		return rc;
	return out->ifindex > 0 ? 0 : -ENODEV;
}

int
link_index(struct rtnl *r, const char *name)
{
	struct link_info	li;
	int			rc;

	if ((rc = link_get(r, name, &li)) < 0)
		return rc;
	return li.ifindex;
}

struct link_list_ctx {
	int	(*fn)(const struct link_info *, void *);
	void	*arg;
	int	 result;
};

static int
link_list_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct link_list_ctx	*c = arg;
	struct link_info	 li;

	if (link_parse(nlh, &li) < 0)
		return MNL_CB_OK;	/* not ours to judge: skip it */
	if ((c->result = c->fn(&li, c->arg)) != 0)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

int
link_list(struct rtnl *r, int (*fn)(const struct link_info *, void *),
    void *arg)
{
	struct link_list_ctx	c = { fn, arg, 0 };
	struct nlmsghdr		*nlh;
	int			 rc;

	nlh = link_msg(r, RTM_GETLINK, NLM_F_DUMP, 0, NULL);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if ((rc = rtnl_query(r, nlh, link_list_cb, &c)) < 0)
		return rc;
	return c.result;
}

static int
link_set_flags(struct rtnl *r, const char *name, unsigned int flags)
{
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifm;

	if (!link_name_ok(name))
		return -EINVAL;
	nlh = link_msg(r, RTM_NEWLINK, 0, 0, name);
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = flags;
	return rtnl_request(r, nlh);
}

int
link_set_up(struct rtnl *r, const char *name)
{
	return link_set_flags(r, name, IFF_UP);
}

int
link_set_down(struct rtnl *r, const char *name)
{
	return link_set_flags(r, name, 0);
}

int
link_set_mtu(struct rtnl *r, const char *name, unsigned int mtu)
{
	struct nlmsghdr *nlh;

	if (!link_name_ok(name))
		return -EINVAL;
	nlh = link_msg(r, RTM_NEWLINK, 0, 0, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return rtnl_request(r, nlh);
}

int
link_rename(struct rtnl *r, const char *name, const char *newname)
{
	struct nlmsghdr	*nlh;
	int		 idx;

	if (!link_name_ok(newname))
		return -EINVAL;
	if ((idx = link_index(r, name)) < 0)
		return idx;
	nlh = link_msg(r, RTM_NEWLINK, 0, idx, NULL);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, newname);
	return rtnl_request(r, nlh);
}

int
link_set_mac(struct rtnl *r, const char *name, const uint8_t mac[6])
{
	struct nlmsghdr *nlh;

	if (!link_name_ok(name))
		return -EINVAL;
	nlh = link_msg(r, RTM_NEWLINK, 0, 0, name);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	return rtnl_request(r, nlh);
}

int
link_set_master(struct rtnl *r, const char *name, const char *master)
{
	struct nlmsghdr	*nlh;
	int		 midx = 0;

	if (!link_name_ok(name))
		return -EINVAL;
	if (master != NULL && (midx = link_index(r, master)) < 0)
		return midx;
	nlh = link_msg(r, RTM_NEWLINK, 0, 0, name);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)midx);
	return rtnl_request(r, nlh);
}

int
link_delete(struct rtnl *r, const char *name)
{
	if (!link_name_ok(name))
		return -EINVAL;
	return rtnl_request(r, link_msg(r, RTM_DELLINK, 0, 0, name));
}

int
link_move_to_netns(struct rtnl *r, const char *name, int target_nsfd,
    const char *newname)
{
	struct nlmsghdr	*nlh;
	int		 idx;

	if (target_nsfd < 0 || (newname != NULL && !link_name_ok(newname)))
		return -EINVAL;
	if ((idx = link_index(r, name)) < 0)
		return idx;
	nlh = link_msg(r, RTM_NEWLINK, 0, idx, NULL);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)target_nsfd);
	if (newname != NULL)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, newname);
	return rtnl_request(r, nlh);
}

int
link_create_kind(struct rtnl *r, const char *name, const char *kind)
{
	struct nlmsghdr	*nlh;
	struct nlattr	*li;

	if (!link_name_ok(name) || kind == NULL || *kind == '\0' ||
	    strlen(kind) >= LINK_KIND_MAX)
		return -EINVAL;
	nlh = link_msg(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, name);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, li);
	return rtnl_request(r, nlh);
}

int
link_create_bridge(struct rtnl *r, const char *name)
{
	return link_create_kind(r, name, "bridge");
}

int
link_create_veth(struct rtnl *r, const char *name, const char *peer,
    int peer_nsfd)
{
	return link_create_veth_mac(r, name, peer, peer_nsfd, NULL);
}

int
link_create_veth_mac(struct rtnl *r, const char *name, const char *peer,
    int peer_nsfd, const uint8_t *peer_mac)
{
	struct nlmsghdr		*nlh;
	struct nlattr		*li, *data, *pa;
	struct ifinfomsg	*pifm;

	if (!link_name_ok(name) || !link_name_ok(peer))
		return -EINVAL;
	nlh = link_msg(r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, name);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pa = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer's attributes follow its own ifinfomsg. */
	pifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifm));
	pifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_nsfd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_nsfd);
	if (peer_mac != NULL)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, peer_mac);
	mnl_attr_nest_end(nlh, pa);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return rtnl_request(r, nlh);
}

/* Addresses. */

static int
addr_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr	**tb = data;
	int			  type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFA_MAX) < 0)
		return MNL_CB_OK;
	if (type == IFA_LOCAL || type == IFA_ADDRESS) {
		if (mnl_attr_validate2(attr, MNL_TYPE_BINARY,
		    sizeof(struct in_addr)) < 0)
			return MNL_CB_ERROR;
		tb[type] = attr;
	}
	return MNL_CB_OK;
}

struct addr_list_ctx {
	int	  ifindex;
	int	(*fn)(const struct addr_entry *, void *);
	void	 *arg;
	int	  result;
};

static int
addr_list_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr	*tb[IFA_MAX + 1] = { NULL };
	struct addr_list_ctx	*c = arg;
	const struct ifaddrmsg	*ifa;
	const struct nlattr	*a;
	struct addr_entry	 e;

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return MNL_CB_OK;
	ifa = mnl_nlmsg_get_payload(nlh);
	/* Older kernels ignore the filter in the request: filter here. */
	if (ifa->ifa_family != AF_INET ||
	    (c->ifindex > 0 && (int)ifa->ifa_index != c->ifindex))
		return MNL_CB_OK;
	if (attrs_parse(nlh, sizeof(*ifa), addr_attr_cb, tb) < 0)
		return MNL_CB_OK;
	if ((a = tb[IFA_LOCAL]) == NULL && (a = tb[IFA_ADDRESS]) == NULL)
		return MNL_CB_OK;
	e.ifindex = (int)ifa->ifa_index;
	e.prefixlen = ifa->ifa_prefixlen;
	memcpy(&e.addr, mnl_attr_get_payload(a), sizeof(e.addr));
	if ((c->result = c->fn(&e, c->arg)) != 0)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

int
addr_list(struct rtnl *r, const char *name,
    int (*fn)(const struct addr_entry *, void *), void *arg)
{
	int idx = 0;

	if (name != NULL && (idx = link_index(r, name)) < 0)
		return idx;
	return addr_list_index(r, idx, fn, arg);
}

int
addr_list_index(struct rtnl *r, int ifindex,
    int (*fn)(const struct addr_entry *, void *), void *arg)
{
	struct addr_list_ctx	 c = { ifindex, fn, arg, 0 };
	struct nlmsghdr		*nlh;
	struct ifaddrmsg	*ifa;
	int			 rc;

	nlh = rtnl_msg(r, RTM_GETADDR, NLM_F_DUMP);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_index = (unsigned int)c.ifindex;
	if ((rc = rtnl_query(r, nlh, addr_list_cb, &c)) < 0)
		return rc;
	return c.result;
}

struct addr_query {
	struct in_addr	addr;
	int		prefixlen;
};

static int
addr_has_fn(const struct addr_entry *e, void *arg)
{
	const struct addr_query *q = arg;

	return e->addr.s_addr == q->addr.s_addr &&
	    e->prefixlen == q->prefixlen;
}

int
addr_has(struct rtnl *r, const char *name, struct in_addr addr,
    int prefixlen)
{
	struct addr_query q = { addr, prefixlen };

	return addr_list(r, name, addr_has_fn, &q);
}

static int
addr_msg(struct rtnl *r, uint16_t type, uint16_t flags, const char *name,
    struct in_addr addr, int prefixlen)
{
	struct nlmsghdr		*nlh;
	struct ifaddrmsg	*ifa;
	int			 idx;

	if (prefixlen < 0 || prefixlen > 32)
		return -EINVAL;
	if ((idx = link_index(r, name)) < 0)
		return idx;
	nlh = rtnl_msg(r, type, flags);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)idx;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	return rtnl_request(r, nlh);
}

int
addr_add(struct rtnl *r, const char *name, struct in_addr addr,
    int prefixlen)
{
	int rc;

	if ((rc = addr_has(r, name, addr, prefixlen)) != 0)
		return rc < 0 ? rc : 0;
	rc = addr_msg(r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, name, addr,
	    prefixlen);
	return rc == -EEXIST ? 0 : rc;
}

int
addr_del(struct rtnl *r, const char *name, struct in_addr addr,
    int prefixlen)
{
	int rc;

	rc = addr_msg(r, RTM_DELADDR, 0, name, addr, prefixlen);
	return rc == -EADDRNOTAVAIL ? 0 : rc;
}

/* Routes. */

static int
route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr	**tb = data;
	int			  type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, RTA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case RTA_GATEWAY:
		if (mnl_attr_validate2(attr, MNL_TYPE_BINARY,
		    sizeof(struct in_addr)) < 0)
			return MNL_CB_ERROR;
		break;
	case RTA_OIF:
	case RTA_TABLE:
	case RTA_PRIORITY:
		if (!attr_u32_ok(attr))
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_OK;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static int
route_default_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr	*tb[RTA_MAX + 1] = { NULL };
	struct route_default	*out = arg;
	const struct rtmsg	*rtm;
	uint32_t		 table;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)))
		return MNL_CB_OK;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET || rtm->rtm_dst_len != 0 ||
	    rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	if (attrs_parse(nlh, sizeof(*rtm), route_attr_cb, tb) < 0)
		return MNL_CB_OK;
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) :
	    rtm->rtm_table;
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	/* Only the first (best metric is listed first) is the one used. */
	if (out->present)
		return MNL_CB_OK;
	out->present = true;
	if (tb[RTA_GATEWAY] != NULL) {
		out->has_gateway = true;
		memcpy(&out->gateway, mnl_attr_get_payload(tb[RTA_GATEWAY]),
		    sizeof(out->gateway));
	}
	if (tb[RTA_OIF] != NULL)
		out->oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	return MNL_CB_OK;
}

int
route_get_default(struct rtnl *r, struct route_default *out)
{
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;

	memset(out, 0, sizeof(*out));
	nlh = rtnl_msg(r, RTM_GETROUTE, NLM_F_DUMP);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	return rtnl_query(r, nlh, route_default_cb, out);
}

int
route_add_default(struct rtnl *r, const struct in_addr *gw, const char *dev)
{
	struct route_default	 cur;
	struct nlmsghdr		*nlh;
	struct rtmsg		*rtm;
	int			 oif = 0, rc;

	if (gw == NULL && dev == NULL)
		return -EINVAL;
	if (dev != NULL && (oif = link_index(r, dev)) < 0)
		return oif;
	if ((rc = route_get_default(r, &cur)) < 0)
		return rc;
	if (cur.present && (oif == 0 || cur.oif == oif) &&
	    (gw == NULL ? !cur.has_gateway :
	    cur.has_gateway && cur.gateway.s_addr == gw->s_addr))
		return 0;

	nlh = rtnl_msg(r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_scope = gw != NULL ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	if (gw != NULL)
		mnl_attr_put(nlh, RTA_GATEWAY, sizeof(*gw), gw);
	if (oif > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	return rtnl_request(r, nlh);
}

int
route_del_default(struct rtnl *r)
{
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;
	int		 rc;

	nlh = rtnl_msg(r, RTM_DELROUTE, 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_scope = RT_SCOPE_NOWHERE;
	rc = rtnl_request(r, nlh);
	return rc == -ESRCH ? 0 : rc;
}
