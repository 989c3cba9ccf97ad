/* SPDX-License-Identifier: ISC */
/*
 * Topology reconcile (design section 1): from a desired topology (bridge,
 * VPN netns, managed and attached containers) make the kernel match it,
 * creating only what is missing and fixing only what differs; the kernel's
 * state is the truth (dump, compare, fix), so recovery after someone
 * deleted a veth or the bridge is "reconcile again".
 *
 * What piad created is kept in a record (struct topo, serializable to JSON
 * and back) so teardown removes exactly that and nothing else, even from a
 * restarted piad or `piad --teardown`. Things that existed before (a netns
 * or bridge made by someone else) are used, adjusted if needed, never
 * recorded, never removed.
 *
 * Per managed container NAME (and for the VPN netns): netns NAME
 * (/run/netns/NAME), lo up, IPv6 off, a veth pair whose host end
 * (topo_veth_name) is a port of the bridge and whose other end is "eth0"
 * inside NAME with ADDRESS/prefix, up; a container's default route goes via
 * the VPN address; the VPN netns gets net.ipv4.ip_forward=1 and no default
 * route (the WireGuard part adds it). Optionally /etc/netns/NAME/resolv.conf
 * naming the VPN address. Attached containers are only checked for address
 * clashes: someone else owns them.
 *
 * No libevent here. Functions return 0 on success and -errno on failure.
 */
#ifndef PIAD_NET_TOPOLOGY_H
#define PIAD_NET_TOPOLOGY_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "net/netns.h"

struct rtnl;
struct topo;

struct topo_container {
	char		name[NETNS_NAME_MAX + 1];
	struct in_addr	address;
	bool		managed;
};

struct topo_desired {
	char			 bridge[IFNAMSIZ];
	struct in_addr		 host_address;	/* on the bridge */
	int			 prefixlen;	/* of the bridge subnet */
	char			 vpn_netns[NETNS_NAME_MAX + 1];
	struct in_addr		 vpn_address;	/* eth0 of the VPN netns */
	/*
	 * Where NAME/resolv.conf files go ("/etc/netns"); NULL: do not
	 * write any.
	 */
	const char		*resolv_dir;
	const struct topo_container *containers;	/* not owned */
	size_t			 ncontainers;
};

/* What one reconcile or teardown did (not logged at info: log it). */
struct topo_report {
	char		**actions;	/* "create veth pv-web-1a2b3c", ... */
	size_t		  nactions;
	unsigned long	  writes;	/* netlink change requests */
	unsigned long	  sysctl_writes;
	unsigned long	  file_writes;
};

/* Free the report's strings (the struct itself is the caller's). */
void	topo_report_free(struct topo_report *);

/*
 * A topology handle: the record of what piad created plus cached netns
 * fds and rtnl sockets, one per netns touched. host_nsfd is the netns of
 * the bridge (-1: the current one; dup'ed). NULL and errno on failure.
 */
struct topo	*topo_new(int host_nsfd);
void		 topo_free(struct topo *);

/*
 * Make the kernel match *want. On error the report says what was done
 * before it; calling again continues. Recorded things that *want no
 * longer contains (a container removed from the config) are torn down.
 * err (may be NULL) gets a message naming the object that failed.
 */
int	topo_reconcile(struct topo *, const struct topo_desired *want,
	    struct topo_report *rep, char *err, size_t errlen);
/* Remove everything recorded, most dependent first; the record empties. */
int	topo_teardown(struct topo *, struct topo_report *rep);

/* The record as {"version":1,"items":[...]}; a new reference. */
json_t	*topo_record_to_json(const struct topo *);
/*
 * Replace the record with one saved by topo_record_to_json. -EINVAL with a
 * message in err for a malformed record (nothing is changed then).
 */
int	topo_record_from_json(struct topo *, const json_t *,
	    char *err, size_t errlen);
/* Number of recorded objects (0: piad owns nothing). */
size_t	topo_record_count(const struct topo *);

/*
 * Deterministic host-side veth name for a container or VPN netns name:
 * "pv-" + up to 4 of its letters/digits + "-" + 6 hex digits of a hash of
 * the whole name, always <= 14 bytes. buf must hold IFNAMSIZ bytes.
 */
void	topo_veth_name(const char *netns_name, char buf[IFNAMSIZ]);

/*
 * The handle's cached netns fd / rtnl for netns name (NULL: the host
 * netns). Owned by the handle; valid until topo_free, teardown, or the
 * netns being recreated (then the next call returns a different fd
 * number, so comparing with the last one detects it). NULL or -ENOENT if
 * that netns does not exist.
 */
struct rtnl	*topo_rtnl(struct topo *, const char *netns);
int		 topo_nsfd(struct topo *, const char *netns);

#endif
