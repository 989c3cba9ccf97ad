/* SPDX-License-Identifier: ISC */
/*
 * WireGuard devices, whatever implements them. One configuration structure
 * (what we want the device to be), one status structure (what it is: per
 * peer handshake time, counters, endpoint) and a small table of backend
 * operations with two implementations: the kernel module over generic
 * netlink, and a userspace program (wireguard-go) over its UAPI socket.
 *
 * The device is always created in the "host" netns and then moved into
 * the VPN netns, so its encrypted UDP socket stays in the host netns and
 * the VPN netns has no other way out than the tunnel.
 *
 * Everything returns >= 0 on success and -errno on failure.
 */
#ifndef PIAD_NET_WG_H
#define PIAD_NET_WG_H

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define WG_KEYLEN		32
#define WG_KEY_B64_SIZE		45	/* 44 characters and the NUL */
#define WG_KEY_HEX_SIZE		65	/* 64 hex digits and the NUL */

/* An allowed IP range of a peer. */
struct wg_allowedip {
	sa_family_t	family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr	ip4;
		struct in6_addr	ip6;
	}		addr;
	uint8_t		cidr;
};

/* An endpoint: AF_UNSPEC in sa.sa_family means "none". */
union wg_endpoint {
	struct sockaddr		sa;
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
};

/*
 * What a peer should be. Arrays are owned by whoever built the config;
 * nothing here frees them.
 */
struct wg_peer_config {
	uint8_t			 public_key[WG_KEYLEN];
	union wg_endpoint	 endpoint;	/* AF_UNSPEC: leave as is */
	uint16_t		 persistent_keepalive; /* s, 0: off */
	bool			 remove;	/* remove this peer */
	bool			 replace_allowedips;
	size_t			 nallowedips;
	const struct wg_allowedip *allowedips;
};

/*
 * What the device should be. With replace_peers, peers not listed are
 * removed in the same request (make-before-break key swaps use this).
 * The private key is a secret: clear it with wg_device_config_wipe().
 */
struct wg_device_config {
	bool			 set_private_key;
	uint8_t			 private_key[WG_KEYLEN];
	bool			 set_listen_port;
	uint16_t		 listen_port;
	bool			 replace_peers;
	size_t			 npeers;
	const struct wg_peer_config *peers;
};

/* What a peer is. */
struct wg_peer_status {
	uint8_t			 public_key[WG_KEYLEN];
	union wg_endpoint	 endpoint;	/* AF_UNSPEC: none yet */
	/* Wall clock (CLOCK_REALTIME); 0/0: never. */
	struct timespec		 last_handshake;
	uint64_t		 rx_bytes;
	uint64_t		 tx_bytes;
	uint16_t		 persistent_keepalive;
	size_t			 nallowedips;
	struct wg_allowedip	*allowedips;	/* owned by the status */
};

/*
 * What the device is. The private key is never kept: only the public key
 * derived from it (has_public_key false when the device has no key).
 * Release with wg_device_status_free().
 */
struct wg_device_status {
	bool			 has_public_key;
	uint8_t			 public_key[WG_KEYLEN];
	uint16_t		 listen_port;
	size_t			 npeers;
	struct wg_peer_status	*peers;	/* owned by the status */
};

void	wg_device_config_wipe(struct wg_device_config *);
void	wg_device_status_free(struct wg_device_status *);
/* The peer with that public key, or NULL. */
struct wg_peer_status *wg_device_status_peer(const struct wg_device_status *,
	    const uint8_t public_key[WG_KEYLEN]);
/*
 * For the backends' readers: append a zeroed peer to a status (NULL on
 * ENOMEM), or an allowed IP to a peer (0, -ENOMEM). The status owns both.
 */
struct wg_peer_status *wg_device_status_add_peer(struct wg_device_status *);
int	wg_peer_status_add_allowedip(struct wg_peer_status *,
	    const struct wg_allowedip *);

enum wg_backend_kind {
	WG_BACKEND_AUTO,
	WG_BACKEND_KERNEL,
	WG_BACKEND_USERSPACE,
};

/* "auto", "kernel", "userspace" -> kind; -EINVAL if unknown. */
int	wg_backend_kind_from_name(const char *);
const char *wg_backend_kind_name(enum wg_backend_kind);

struct wg_link;
struct mnl_socket;

/*
 * A backend. ensure() makes the device exist in the VPN netns, creating
 * it or adopting one that is already there (kernel link in either netns;
 * a running userspace program answering on its socket); it is idempotent
 * and cheap when the device is already in place. configure() applies a
 * config in one go (the kernel backend may need several netlink messages
 * for a large config, as the kernel API requires). read() fills a status
 * the caller frees. destroy() removes the device (and stops the userspace
 * program); 0 if there was none.
 */
struct wg_backend_ops {
	const char	*(*name)(void);
	int		 (*ensure)(struct wg_link *);
	int		 (*configure)(struct wg_link *,
			    const struct wg_device_config *);
	int		 (*read)(struct wg_link *,
			    struct wg_device_status *);
	int		 (*destroy)(struct wg_link *);
	/* Release the backend's private state (sockets); not the device. */
	void		 (*close)(struct wg_link *);
};

extern const struct wg_backend_ops wg_backend_kernel;
extern const struct wg_backend_ops wg_backend_userspace;

/*
 * For the backends, whose device is a link of one kind ("wireguard",
 * "tun"). wg_dev_find(): 1 if NAME is such a link in r's netns, 0 if
 * there is none, -EEXIST if the name belongs to another kind of link.
 * wg_dev_place(): find the device in the VPN netns, or in the host netns
 * and move it there (with create, make it in the host netns first when
 * it is nowhere; without, -ENODEV), then set wl->ifindex.
 */
struct rtnl;
int	wg_dev_find(struct rtnl *, const char *name, const char *kind);
int	wg_dev_place(struct wg_link *, const char *kind, bool create);

/*
 * One WireGuard interface and the backend that runs it. The caller owns
 * the struct (embed it anywhere) and the two netns fds, which must stay
 * open while the link is used; wg_link_close() closes only what the
 * backend opened (netlink socket), never the device or those fds.
 */
struct wg_link {
	char			 ifname[IF_NAMESIZE];
	int			 host_nsfd;	/* UDP socket; -1: current */
	int			 vpn_nsfd;	/* device; -1: stays in host */
	enum wg_backend_kind	 kind;		/* as configured */
	const char		*program;	/* userspace, argv[0] */
	/*
	 * How long ensure() may wait for a userspace program it started to
	 * create its TUN device and socket. 0: do not wait; ensure() returns
	 * -EINPROGRESS and a later call picks up where it left off (for a
	 * caller that retries from a timer).
	 */
	int			 wait_ms;

	/* Set by wg_link_ensure(); a test may preset ops to a fake backend. */
	const struct wg_backend_ops *ops;
	int			 ifindex;	/* in the VPN netns */
	/* Kernel backend. */
	struct mnl_socket	*genl;		/* in the VPN netns */
	uint16_t		 genl_family;
	uint32_t		 genl_seq;
	/* Userspace backend. */
	pid_t			 pid;		/* ours; 0: adopted/none */
	struct timespec		 started;	/* CLOCK_MONOTONIC */
};

#define WG_DEFAULT_PROGRAM	"wireguard-go"
#define WG_DEFAULT_WAIT_MS	5000

/* Fill defaults; the fds are borrowed. */
void	wg_link_init(struct wg_link *, const char *ifname, int host_nsfd,
	    int vpn_nsfd, enum wg_backend_kind, const char *program);
/*
 * Pick the backend on the first call ("auto": the kernel if it can create
 * the link, else userspace, logged), then ops->ensure().
 */
int	wg_link_ensure(struct wg_link *);
int	wg_link_configure(struct wg_link *, const struct wg_device_config *);
int	wg_link_read(struct wg_link *, struct wg_device_status *);
int	wg_link_destroy(struct wg_link *);
void	wg_link_close(struct wg_link *);
/* "kernel", "userspace", or "none" before the first ensure. */
const char *wg_link_backend_name(const struct wg_link *);

#endif
