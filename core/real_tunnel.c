/* SPDX-License-Identifier: ISC */
/*
 * WG_UP, NAT and STEADY's probe for the real backend.
 *
 * WG_UP configures the device for the session in one request (private
 * key, listen port, the one peer with keepalive 25 and 0.0.0.0/0), puts
 * peer_ip/32 on it (and only that), sets the MTU and the default route
 * through it, then waits for the first handshake (the state's timeout
 * bounds the wait). A ping to server_vip nudges the handshake along.
 *
 * The probe is an ICMP echo to server_vip from a raw socket made inside
 * the VPN netns, so it can only travel through the tunnel.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "core/backend.h"
#include "core/config.h"
#include "core/context.h"
#include "core/log.h"
#include "core/real.h"
#include "net/dns_relay.h"
#include "net/link.h"
#include "net/netns.h"
#include "net/topology.h"

#define PROBE_ID	0x7069	/* "pi" */

static struct rtnl *
vpn_rtnl(struct real *r)
{
	return topo_rtnl(r->topo, r->ctx->conf->vpn.netns);
}

#define STALE_MAX	8

/* Addresses to remove, collected first: no request during a dump. */
struct addr_sweep {
	struct in_addr	 keep;
	struct in_addr	 stale[STALE_MAX];
	int		 prefix[STALE_MAX];
	size_t		 n;
};

static int
collect_other_addr(const struct addr_entry *e, void *arg)
{
	struct addr_sweep *s = arg;

	if ((e->addr.s_addr == s->keep.s_addr && e->prefixlen == 32) ||
	    s->n == STALE_MAX)
		return 0;
	s->stale[s->n] = e->addr;
	s->prefix[s->n++] = e->prefixlen;
	return 0;
}

int
real_wg_apply_session(struct real *r, const struct real_session *s,
    char *err, size_t errlen)
{
	const struct piad_config	*c = r->ctx->conf;
	struct wg_allowedip		 all;
	struct wg_peer_config		 peer;
	struct wg_device_config		 dev;
	struct addr_sweep		 sweep;
	struct in_addr			 peer_ip;
	struct rtnl			*rtnl = vpn_rtnl(r);
	const char			*ifname = c->vpn.interface;
	size_t				 i;
	int				 rc;

	if (rtnl == NULL) {
		snprintf(err, errlen, "netns %s: gone", c->vpn.netns);
		return -1;
	}
	memset(&all, 0, sizeof(all));
	all.family = AF_INET;
	memset(&peer, 0, sizeof(peer));
	memcpy(peer.public_key, s->server_key, WG_KEYLEN);
	peer.endpoint.sin.sin_family = AF_INET;
	peer.endpoint.sin.sin_port = htons(s->port);
	if (inet_pton(AF_INET, s->ip, &peer.endpoint.sin.sin_addr) != 1 ||
	    inet_pton(AF_INET, s->peer_ip, &peer_ip) != 1) {
		snprintf(err, errlen, "session: bad address %s or %s", s->ip,
		    s->peer_ip);
		return -1;
	}
	peer.persistent_keepalive = 25;
	peer.replace_allowedips = true;
	peer.nallowedips = 1;
	peer.allowedips = &all;
	memset(&dev, 0, sizeof(dev));
	dev.set_private_key = true;
	memcpy(dev.private_key, s->keys.private_key, WG_KEYLEN);
	dev.set_listen_port = true;
	dev.listen_port = c->vpn.listen_port;
	dev.replace_peers = true;
	dev.npeers = 1;
	dev.peers = &peer;
	rc = wg_link_configure(&r->wg, &dev);
	wg_device_config_wipe(&dev);
	if (rc < 0) {
		snprintf(err, errlen, "%s: configure: %s", ifname,
		    strerror(-rc));
		return -1;
	}
	if ((rc = addr_add(rtnl, ifname, peer_ip, 32)) < 0) {
		snprintf(err, errlen, "%s: address %s/32: %s", ifname,
		    s->peer_ip, strerror(-rc));
		return -1;
	}
	/* Only peer_ip/32: an old session's address must not linger. */
	memset(&sweep, 0, sizeof(sweep));
	sweep.keep = peer_ip;
	(void)addr_list(rtnl, ifname, collect_other_addr, &sweep);
	for (i = 0; i < sweep.n; i++)
		(void)addr_del(rtnl, ifname, sweep.stale[i], sweep.prefix[i]);
	if ((rc = link_set_mtu(rtnl, ifname, c->vpn.mtu)) < 0 ||
	    (rc = link_set_up(rtnl, ifname)) < 0 ||
	    (rc = route_add_default(rtnl, NULL, ifname)) < 0) {
		snprintf(err, errlen, "%s: link or route: %s", ifname,
		    strerror(-rc));
		return -1;
	}
	if (r->relay != NULL)
		dns_relay_set_upstreams(r->relay, s->dns, s->ndns);
	return 0;
}

/* Our peer's last handshake (CLOCK_REALTIME seconds), 0 if none, -1. */
static int64_t
last_handshake(struct real *r, struct status_tunnel *tu)
{
	struct wg_device_status	 st;
	struct wg_peer_status	*p;
	int64_t			 hs = -1;

	memset(&st, 0, sizeof(st));
	if (!r->sess.valid || wg_link_read(&r->wg, &st) < 0)
		return -1;
	if (st.has_public_key &&
	    wg_key_equal(st.public_key, r->sess.keys.public_key) &&
	    (p = wg_device_status_peer(&st, r->sess.server_key)) != NULL) {
		hs = (int64_t)p->last_handshake.tv_sec;
		if (tu != NULL) {
			tu->last_handshake = hs;
			tu->rx_bytes = p->rx_bytes;
			tu->tx_bytes = p->tx_bytes;
		}
	}
	wg_device_status_free(&st);
	return hs;
}

int64_t
real_handshake_age(struct piad_ctx *ctx)
{
	struct real	*r = ctx->be_arg;
	int64_t		 hs = last_handshake(r, &ctx->status.tunnel);

	if (hs <= 0)
		return -1;
	return (int64_t)time(NULL) - hs;
}

bool
real_wg_ok(struct piad_ctx *ctx)
{
	struct real	*r = ctx->be_arg;
	int64_t		 age;

	if (!r->sess.valid || !r->wg_link_ready)
		return false;
	if (r->wg_valid)
		return true;
	/*
	 * Adoption: a device already running this session's key and peer
	 * with a fresh handshake needs nothing (design section 8). Routes
	 * and the address are cheap to check again, so re-apply them.
	 */
	age = real_handshake_age(ctx);
	if (age >= 0 && age < 180) {
		char err[256];

		if (real_wg_apply_session(r, &r->sess, err, sizeof(err)) < 0)
			return false;
		log_info("wg: adopting %s, handshake %lld s ago",
		    ctx->conf->vpn.interface, (long long)age);
		r->wg_valid = true;
	}
	return r->wg_valid;
}

static void send_echo(struct real *);

/*
 * A handshake takes one round trip to the server: poll often at first,
 * then back off to REAL_HS_POLL_MS.
 */
static void
hs_poll_again(struct real *r)
{
	struct timeval tv;

	r->hs_delay_ms = r->hs_delay_ms == 0 ? REAL_HS_FIRST_POLL_MS :
	    r->hs_delay_ms * 2;
	if (r->hs_delay_ms > REAL_HS_POLL_MS)
		r->hs_delay_ms = REAL_HS_POLL_MS;
	tv.tv_sec = 0;
	tv.tv_usec = (suseconds_t)r->hs_delay_ms * 1000;
	event_add(r->hs_ev, &tv);
}

static void
hs_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct real	*r = arg;
	int64_t		 hs = last_handshake(r, &r->ctx->status.tunnel);
	unsigned	 before = r->hs_waited_ms;

	if (hs > 0) {
		r->wg_valid = true;
		fsm_done(r->ctx, r->hs_gen, "handshake with %s", r->sess.cn);
		return;
	}
	/* Nudge every second: the ping makes WireGuard initiate. */
	r->hs_waited_ms += r->hs_delay_ms;
	if (r->hs_waited_ms / 1000 != before / 1000)
		send_echo(r);
	hs_poll_again(r);
}

void
real_wg_configure(struct piad_ctx *ctx, unsigned gen)
{
	struct real	*r = ctx->be_arg;
	char		 err[256];

	r->hs_gen = gen;
	r->hs_delay_ms = 0;
	r->hs_waited_ms = 0;
	if (real_wg_apply_session(r, &r->sess, err, sizeof(err)) < 0) {
		fsm_fail(ctx, gen, CAUSE_TOPOLOGY, "wg: %s", err);
		return;
	}
	log_info("wg: %s configured for %s (%s:%u), peer %s",
	    ctx->conf->vpn.interface, r->sess.cn, r->sess.ip, r->sess.port,
	    r->sess.peer_ip);
	send_echo(r);
	if (r->hs_ev == NULL)
		r->hs_ev = evtimer_new(ctx->base, hs_poll_cb, r);
	if (r->hs_ev == NULL) {
		fsm_fail(ctx, gen, CAUSE_INTERNAL, "wg: timer");
		return;
	}
	hs_poll_again(r);
}

bool
real_nat_ok(struct piad_ctx *ctx)
{
	struct real *r = ctx->be_arg;

	return r->nat_valid && r->pf.dnat_port == real_pf_dnat_port(r);
}

void
real_nat_apply(struct piad_ctx *ctx, unsigned gen)
{
	struct real	*r = ctx->be_arg;
	char		 err[256];

	if (real_apply_vpn_table(r, err, sizeof(err)) < 0) {
		fsm_fail(ctx, gen, CAUSE_FIREWALL, "nat: %s", err);
		return;
	}
	fsm_done(ctx, gen, "table inet piad in %s", ctx->conf->vpn.netns);
}

/* RFC 1071 checksum. */
static uint16_t
icmp_cksum(const void *data, size_t len)
{
	const uint8_t	*p = data;
	uint32_t	 sum = 0;

	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len == 1)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void
probe_finish(struct real *r, bool ok, const char *why)
{
	if (!r->probe_pending)
		return;
	r->probe_pending = false;
	if (r->icmp_timeout_ev != NULL)
		event_del(r->icmp_timeout_ev);
	fsm_probe_result(r->ctx, r->probe_gen, ok, why);
}

static void
icmp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct real		*r = arg;
	uint8_t			 buf[1500];
	const struct iphdr	*ip;
	const struct icmphdr	*ic;
	ssize_t			 n;
	size_t			 hl;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		ip = (const struct iphdr *)buf;
		hl = (size_t)ip->ihl * 4;
		if ((size_t)n < hl + sizeof(*ic))
			continue;
		ic = (const struct icmphdr *)(buf + hl);
		if (ic->type == ICMP_ECHOREPLY &&
		    ntohs(ic->un.echo.id) == PROBE_ID &&
		    ntohs(ic->un.echo.sequence) == r->echo_seq)
			probe_finish(r, true, "echo reply");
	}
}

static void
icmp_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct real *r = arg;

	probe_finish(r, false, "no echo reply from server_vip");
}

static int
icmp_open(struct real *r)
{
	int fd;

	if (r->icmp_fd >= 0)
		return 0;
	fd = netns_socket(r->vpn_nsfd, AF_INET, SOCK_RAW | SOCK_NONBLOCK,
	    IPPROTO_ICMP);
	if (fd < 0)
		return fd;
	r->icmp_fd = fd;
	r->icmp_ev = event_new(r->ctx->base, fd, EV_READ | EV_PERSIST,
	    icmp_read_cb, r);
	r->icmp_timeout_ev = evtimer_new(r->ctx->base, icmp_timeout_cb, r);
	if (r->icmp_ev == NULL || r->icmp_timeout_ev == NULL ||
	    event_add(r->icmp_ev, NULL) < 0)
		return -ENOMEM;
	return 0;
}

static void
send_echo(struct real *r)
{
	struct sockaddr_in	to;
	struct icmphdr		ic;

	if (icmp_open(r) < 0)
		return;
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	if (inet_pton(AF_INET, r->sess.vip, &to.sin_addr) != 1)
		return;
	memset(&ic, 0, sizeof(ic));
	ic.type = ICMP_ECHO;
	ic.un.echo.id = htons(PROBE_ID);
	ic.un.echo.sequence = htons(++r->echo_seq);
	ic.checksum = icmp_cksum(&ic, sizeof(ic));
	(void)sendto(r->icmp_fd, &ic, sizeof(ic), 0, (struct sockaddr *)&to,
	    sizeof(to));
}

void
real_probe(struct piad_ctx *ctx, unsigned gen)
{
	struct real	*r = ctx->be_arg;
	struct timeval	 tv = { REAL_PROBE_TIMEOUT_MS / 1000,
			    (REAL_PROBE_TIMEOUT_MS % 1000) * 1000 };
	int		 rc;

	/* The last probe is still unanswered: that is a failure too. */
	if (r->probe_pending)
		probe_finish(r, false, "no echo reply from server_vip");
	r->probe_gen = gen;
	r->probe_pending = true;
	if ((rc = icmp_open(r)) < 0) {
		probe_finish(r, false, strerror(-rc));
		return;
	}
	send_echo(r);
	event_add(r->icmp_timeout_ev, &tv);
}

void
real_tunnel_cancel(struct real *r)
{
	if (r->hs_ev != NULL)
		event_del(r->hs_ev);
	r->probe_pending = false;
	if (r->icmp_timeout_ev != NULL)
		event_del(r->icmp_timeout_ev);
}

void
real_tunnel_free(struct real *r)
{
	real_tunnel_cancel(r);
	if (r->hs_ev != NULL)
		event_free(r->hs_ev);
	if (r->icmp_ev != NULL)
		event_free(r->icmp_ev);
	if (r->icmp_timeout_ev != NULL)
		event_free(r->icmp_timeout_ev);
	if (r->icmp_fd >= 0)
		close(r->icmp_fd);
	r->hs_ev = r->icmp_ev = r->icmp_timeout_ev = NULL;
	r->icmp_fd = -1;
}
