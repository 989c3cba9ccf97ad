/* SPDX-License-Identifier: ISC */
/*
 * piad's firewall: one nftables table, `inet piad`, per netns (design
 * section 9), built from plain parameters and applied as ONE libnftables
 * transaction that replaces only that table ("table inet piad {}; delete
 * table inet piad; table inet piad {...}" in one buffer: atomic, and no
 * other table is ever touched).
 *
 * Drop rules count into named counters, read back for metrics. Their
 * values are carried over when the table is replaced (read just before,
 * written into the new definition), so a re-apply does not reset them;
 * packets counted between that read and the commit are lost (a few, at
 * most, and only on re-apply).
 *
 * Functions return >= 0 on success and -errno on failure; -EINVAL for
 * parameters that would not make a valid (or safe) ruleset, with a
 * log_warnx naming the field.
 */
#ifndef PIAD_NET_NFT_H
#define PIAD_NET_NFT_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_TABLE	"piad"		/* family inet */

/* Counter names (metrics labels). */
#define FW_CTR_FWD_DROP	"fwd_drop"	/* forward: dropped */
#define FW_CTR_IN_DROP	"in_drop"	/* host input from the bridge */
#define FW_CTR_OUT_DROP	"out_drop"	/* VPN output elsewhere */
#define FW_CTR_IP6_DROP	"ip6_drop"	/* VPN: any IPv6 */

struct fw_prefix {
	struct in_addr	addr;
	uint8_t		len;		/* 0..32 */
};

/* Host netns table. */
struct fw_host_params {
	char			 bridge_ifname[IF_NAMESIZE];
	uint16_t		 proxy_port;
	/* Sources allowed to reach the proxy (vpn.address + proxy.allow). */
	size_t			 nallow;
	const struct fw_prefix	*allow;
};

enum fw_proto {
	FW_PROTO_TCP = 1,
	FW_PROTO_UDP = 2,
	FW_PROTO_BOTH = 3,
};

/* Port forwarding: PIA port on the WG interface -> a container. */
struct fw_dnat {
	bool		enabled;
	uint16_t	pia_port;
	struct in_addr	target;
	uint16_t	target_port;	/* 0: same as pia_port */
	enum fw_proto	proto;
};

/* VPN netns table. */
struct fw_vpn_params {
	char			lan_ifname[IF_NAMESIZE]; /* eth0 */
	char			wg_ifname[IF_NAMESIZE];
	struct fw_prefix	bridge_subnet;
	bool			mss_clamp;
	struct fw_dnat		dnat;
};

#define FW_MAX_COUNTERS	8

struct fw_counter {
	char		name[32];
	uint64_t	packets;
	uint64_t	bytes;
};

struct fw_counters {
	size_t			n;	/* 0: no table inet piad */
	struct fw_counter	c[FW_MAX_COUNTERS];
};

struct fw;

/*
 * An nftables context for netns nsfd (-1: current), created inside it and
 * usable from anywhere. NULL and errno on failure. fw_close(NULL) is fine.
 */
struct fw	*fw_open(int nsfd);
void		 fw_close(struct fw *);

/*
 * The ruleset text (the whole transaction) for the parameters, with the
 * given counter values carried into the new table (keep may be NULL).
 * *out is malloc'ed for the caller.
 */
int	fw_render_host(const struct fw_host_params *,
	    const struct fw_counters *keep, char **out);
int	fw_render_vpn(const struct fw_vpn_params *,
	    const struct fw_counters *keep, char **out);

/* Replace table inet piad in fw's netns, atomically. */
int	fw_apply_host(struct fw *, const struct fw_host_params *);
int	fw_apply_vpn(struct fw *, const struct fw_vpn_params *);
/* Remove table inet piad; 0 if it was not there. */
int	fw_remove(struct fw *);
/* 1 if table inet piad exists, 0 if not. */
int	fw_present(struct fw *);
/* The named counters of table inet piad (n = 0 if there is none). */
int	fw_read_counters(struct fw *, struct fw_counters *);
/* One counter by name; NULL if absent. */
const struct fw_counter *fw_counter_get(const struct fw_counters *,
	    const char *name);

/* Interface names we accept in rules: 1-15 of [A-Za-z0-9_.-]. */
bool	fw_ifname_ok(const char *);

#endif
