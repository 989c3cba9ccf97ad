/* SPDX-License-Identifier: ISC */
/*
 * Links, IPv4 addresses and routes over a struct rtnl (net/rtnl.h): the
 * small set of rtnetlink requests piad needs, each one request with an ACK,
 * plus the RTM_NEWLINK/RTM_DELLINK parser that both link_get() and the link
 * monitor use (validating attribute callbacks, lengths checked first).
 *
 * Interfaces are named, not indexed, in this API: names are what the
 * config and the topology record hold. Each call acts on the netns of the
 * rtnl it is given.
 *
 * Creating a link of another kind (e.g. "wireguard", "dummy"):
 * link_create_kind(). For anything else build the message with rtnl_msg()
 * and libmnl and send it with rtnl_request().
 *
 * All int functions return >= 0 on success and -errno on failure
 * (-ENODEV: no such link).
 */
#ifndef PIAD_NET_LINK_H
#define PIAD_NET_LINK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;
struct rtnl;

#define LINK_KIND_MAX	16

/* What one RTM_NEWLINK (or RTM_DELLINK) message says about a link. */
struct link_info {
	int		ifindex;
	char		name[IFNAMSIZ];
	char		kind[LINK_KIND_MAX];	/* "" if not an rtnl_link_ops */
	unsigned int	flags;		/* IFF_* */
	bool		up;		/* IFF_UP (administratively) */
	bool		lower_up;	/* IFF_LOWER_UP (carrier) */
	int		master;		/* ifindex of the bridge; 0 if none */
	unsigned int	mtu;		/* 0 if not reported */
	int		link;		/* IFLA_LINK (veth peer index); 0 */
	uint8_t		mac[6];		/* IFLA_ADDRESS if 6 bytes long */
	bool		has_mac;
	bool		deleted;	/* the message was RTM_DELLINK */
	unsigned char	family;		/* ifi_family; AF_BRIDGE: port news */
};

/*
 * Parse one RTM_NEWLINK/RTM_DELLINK message (nlh->nlmsg_len bytes, already
 * checked against the buffer by the caller). 0, or -EINVAL for a malformed
 * or unexpected message, -EPROTO for another type. Outside data: fuzzed.
 */
int	link_parse(const struct nlmsghdr *nlh, struct link_info *out);

/* Interface index of name (> 0) or -ENODEV. */
int	link_index(struct rtnl *, const char *name);
/* Fill *out for name; -ENODEV if absent. */
int	link_get(struct rtnl *, const char *name, struct link_info *out);
/*
 * Call fn for every link in the rtnl's netns (one RTM_GETLINK dump).
 * fn returns 0 to go on, anything else stops and is returned.
 */
int	link_list(struct rtnl *,
	    int (*fn)(const struct link_info *, void *arg), void *arg);

int	link_set_up(struct rtnl *, const char *name);
int	link_set_down(struct rtnl *, const char *name);
int	link_set_mtu(struct rtnl *, const char *name, unsigned int mtu);
int	link_rename(struct rtnl *, const char *name, const char *newname);
/* Set the Ethernet address. */
int	link_set_mac(struct rtnl *, const char *name, const uint8_t mac[6]);
/* Attach to bridge master (NULL: detach from any). */
int	link_set_master(struct rtnl *, const char *name, const char *master);
int	link_delete(struct rtnl *, const char *name);
/*
 * Move name into the netns target_nsfd (an fd the caller keeps), renamed
 * to newname there if newname is not NULL. The link keeps its ifindex
 * when free in the target; it goes down in the move.
 */
int	link_move_to_netns(struct rtnl *, const char *name, int target_nsfd,
	    const char *newname);

/* Create a link of kind ("bridge", "wireguard", "dummy", ...), down. */
int	link_create_kind(struct rtnl *, const char *name, const char *kind);
int	link_create_bridge(struct rtnl *, const char *name);
/*
 * Create veth pair name <-> peer. With peer_nsfd >= 0 the peer is created
 * directly inside that netns (one request: no move, no rename), so peer may
 * be "eth0" even if the rtnl's netns has one.
 */
int	link_create_veth(struct rtnl *, const char *name, const char *peer,
	    int peer_nsfd);
/* The same, the peer getting Ethernet address peer_mac (NULL: random). */
int	link_create_veth_mac(struct rtnl *, const char *name,
	    const char *peer, int peer_nsfd, const uint8_t *peer_mac);

/*
 * IPv4 address on name; idempotent: 0 without a write if it is there with
 * that prefix already.
 */
int	addr_add(struct rtnl *, const char *name, struct in_addr addr,
	    int prefixlen);
int	addr_del(struct rtnl *, const char *name, struct in_addr addr,
	    int prefixlen);
/* One IPv4 address as listed by addr_list. */
struct addr_entry {
	int		ifindex;
	struct in_addr	addr;
	int		prefixlen;
};
/*
 * Call fn for each IPv4 address of name (NULL: of every link). fn returns
 * 0 to go on, anything else stops and is returned.
 */
int	addr_list(struct rtnl *, const char *name,
	    int (*fn)(const struct addr_entry *, void *arg), void *arg);
/* The same by interface index (0: every link). */
int	addr_list_index(struct rtnl *, int ifindex,
	    int (*fn)(const struct addr_entry *, void *arg), void *arg);
/* 1 if name has addr/prefixlen, 0 if not. */
int	addr_has(struct rtnl *, const char *name, struct in_addr addr,
	    int prefixlen);

/* The main table's IPv4 default route, if any. */
struct route_default {
	bool		present;
	bool		has_gateway;
	struct in_addr	gateway;
	int		oif;		/* output ifindex, 0 if none */
};
int	route_get_default(struct rtnl *, struct route_default *out);
/*
 * Set the IPv4 default route (create or replace): via gateway if gw is not
 * NULL (dev may then be NULL), else through dev (point-to-point, e.g. the
 * WireGuard interface). Idempotent: no write if the route already matches.
 */
int	route_add_default(struct rtnl *, const struct in_addr *gw,
	    const char *dev);
/* Remove the IPv4 default route; 0 if there was none. */
int	route_del_default(struct rtnl *);

#endif
