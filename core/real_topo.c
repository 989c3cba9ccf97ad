/* SPDX-License-Identifier: ISC */
/*
 * BOOTSTRAP for the real backend: the topology (bridge, VPN netns,
 * managed containers), the WireGuard link in the VPN netns, the host
 * firewall table, the CONNECT proxy on the bridge, the DNS relay in the
 * VPN netns, and one link monitor per netns piad owns.
 *
 * Every step is idempotent: reconcile writes nothing when the kernel
 * already matches, an existing WireGuard device is adopted, the firewall
 * table is replaced atomically, the proxy and relay are made once. The
 * monitors turn a vanished link into EV_LINK_DOWN, which brings us back
 * here to repair exactly that.
 *
 * The userspace WireGuard program takes a moment to create its device;
 * rather than block the loop, ensure returns "in progress" and a short
 * timer calls it again.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "core/backend.h"
#include "core/config.h"
#include "core/context.h"
#include "core/log.h"
#include "core/real.h"
#include "net/dns_relay.h"
#include "net/monitor.h"
#include "net/netns.h"
#include "net/topology.h"
#include "pia/api.h"
#include "proxy/proxy.h"

#define WG_RETRY_MS	50
#define WG_START_MAX	200	/* retries: 10 s for the program to start */

static void ensure_continue(struct real *);

static bool
owned_link(struct real *r, const char *netns, const char *name)
{
	const struct piad_config	*c = r->ctx->conf;
	char				 veth[IFNAMSIZ];
	size_t				 i;

	if (strcmp(netns, "vpn") == 0)
		return strcmp(name, c->vpn.interface) == 0 ||
		    strcmp(name, "eth0") == 0;
	if (strcmp(name, c->bridge.name) == 0)
		return true;
	topo_veth_name(c->vpn.netns, veth);
	if (strcmp(name, veth) == 0)
		return true;
	for (i = 0; i < c->ncontainers; i++) {
		if (!c->containers[i].managed)
			continue;
		topo_veth_name(c->containers[i].name, veth);
		if (strcmp(name, veth) == 0)
			return true;
	}
	return false;
}

static void
link_event(const struct link_event *ev, void *arg)
{
	struct real		*r = arg;
	const struct piad_config *c = r->ctx->conf;
	bool			 wg;

	if (ev->type == LINK_EV_RESYNC) {
		r->topo_valid = false;
		fsm_dispatch(r->ctx, EV_LINK_DOWN, CAUSE_TOPOLOGY,
		    "link events lost in %s; checking everything", ev->netns);
		return;
	}
	if (!owned_link(r, ev->netns, ev->name))
		return;
	wg = strcmp(ev->netns, "vpn") == 0 &&
	    strcmp(ev->name, c->vpn.interface) == 0;
	if (ev->type == LINK_EV_REMOVED ||
	    (wg && ev->type == LINK_EV_DOWN)) {
		log_info("monitor: %s %s in %s netns", ev->name,
		    link_event_name(ev->type), ev->netns);
		r->topo_valid = false;
		if (wg) {
			r->wg_valid = false;
			r->wg_link_ready = false;
			r->nat_valid = false;
		}
		fsm_dispatch(r->ctx, EV_LINK_DOWN, CAUSE_TOPOLOGY,
		    "%s %s in %s netns", ev->name,
		    link_event_name(ev->type), ev->netns);
	}
}

bool
real_topology_ok(struct piad_ctx *ctx)
{
	struct real *r = ctx->be_arg;

	return r->topo_valid && r->wg_link_ready;
}

static int
reconcile(struct real *r, char *err, size_t errlen)
{
	const struct piad_config	*c = r->ctx->conf;
	struct topo_container		*tc;
	struct topo_desired		 want;
	struct topo_report		 rep;
	size_t				 i;
	int				 rc;

	if ((tc = calloc(c->ncontainers + 1, sizeof(*tc))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < c->ncontainers; i++) {
		snprintf(tc[i].name, sizeof(tc[i].name), "%s",
		    c->containers[i].name);
		tc[i].address = c->containers[i].address;
		tc[i].managed = c->containers[i].managed;
	}
	memset(&want, 0, sizeof(want));
	snprintf(want.bridge, sizeof(want.bridge), "%s", c->bridge.name);
	want.host_address = c->bridge.host_address;
	want.prefixlen = c->bridge.prefixlen;
	snprintf(want.vpn_netns, sizeof(want.vpn_netns), "%s", c->vpn.netns);
	want.vpn_address = c->vpn.address;
	want.resolv_dir = "/etc/netns";
	want.containers = tc;
	want.ncontainers = c->ncontainers;
	memset(&rep, 0, sizeof(rep));
	rc = topo_reconcile(r->topo, &want, &rep, err, errlen);
	for (i = 0; i < rep.nactions; i++)
		log_info("topology: %s", rep.actions[i]);
	if (rep.writes > 0 || rep.nactions > 0)
		real_save_topology(r);
	topo_report_free(&rep);
	free(tc);
	return rc < 0 ? -1 : 0;
}

static void
update_status_containers(struct real *r)
{
	const struct piad_config	*c = r->ctx->conf;
	struct status_container		*sc;
	size_t				 i;

	if ((sc = calloc(c->ncontainers + 1, sizeof(*sc))) == NULL)
		return;
	for (i = 0; i < c->ncontainers; i++) {
		snprintf(sc[i].name, sizeof(sc[i].name), "%s",
		    c->containers[i].name);
		inet_ntop(AF_INET, &c->containers[i].address, sc[i].address,
		    sizeof(sc[i].address));
		if (c->containers[i].managed)
			snprintf(sc[i].netns, sizeof(sc[i].netns), "%s",
			    c->containers[i].name);
		sc[i].managed = c->containers[i].managed;
		sc[i].ok = !c->containers[i].managed ||
		    netns_exists(c->containers[i].name);
	}
	status_set_containers(&r->ctx->status, sc, c->ncontainers);
	free(sc);
}

/* The proxy's allowed sources, hosts and name map follow the config. */
static int
proxy_configure(struct real *r)
{
	const struct piad_config	*c = r->ctx->conf;
	struct proxy_net		*nets;
	const char			*hosts[2];
	char				 h0[DIAL_HOST_MAX], h1[DIAL_HOST_MAX];
	char				 path[512], a[INET_ADDRSTRLEN];
	uint16_t			 port;
	size_t				 i, n = 0;

	if ((nets = calloc(c->proxy.nallow + 1, sizeof(*nets))) == NULL)
		return -1;
	nets[n].addr = c->vpn.address;
	nets[n++].prefix = 32;
	for (i = 0; i < c->proxy.nallow; i++) {
		nets[n].addr = c->proxy.allow[i];
		nets[n++].prefix = 32;
	}
	(void)proxy_set_sources(r->proxy, nets, n);
	free(nets);
	n = 0;
	if (pia_url_split(c->pia.token_url, h0, sizeof(h0), &port, path,
	    sizeof(path)) == 0)
		hosts[n++] = h0;
	if (pia_url_split(c->pia.serverlist_url, h1, sizeof(h1), &port, path,
	    sizeof(path)) == 0)
		hosts[n++] = h1;
	(void)proxy_set_hosts(r->proxy, hosts, n);
	proxy_resolve_clear(r->proxy);
	for (i = 0; i < c->pia.nresolve; i++) {
		inet_ntop(AF_INET, &c->pia.resolve[i].addr, a, sizeof(a));
		(void)proxy_resolve_add(r->proxy, c->pia.resolve[i].host, a);
	}
	real_proxy_update_list(r);
	return 0;
}

void
real_proxy_update_list(struct real *r)
{
	struct in_addr	*ips;
	size_t		 i, j, n = 0, cap = 0;

	if (r->proxy == NULL || r->list == NULL)
		return;
	for (i = 0; i < r->list->nregions; i++)
		cap += r->list->regions[i].nmeta + r->list->regions[i].nwg;
	if ((ips = calloc(cap + 1, sizeof(*ips))) == NULL)
		return;
	for (i = 0; i < r->list->nregions; i++) {
		const struct pia_region *reg = &r->list->regions[i];

		for (j = 0; j < reg->nmeta; j++)
			if (inet_pton(AF_INET, reg->meta[j].ip, &ips[n]) == 1)
				n++;
		for (j = 0; j < reg->nwg; j++)
			if (inet_pton(AF_INET, reg->wg[j].ip, &ips[n]) == 1)
				n++;
	}
	(void)proxy_set_server_ips(r->proxy, ips, n);
	free(ips);
}

static int
proxy_ensure(struct real *r, char *err, size_t errlen)
{
	const struct piad_config	*c = r->ctx->conf;
	struct sockaddr_in		 sin;

	if (r->proxy != NULL)
		return proxy_configure(r);
	if (r->evdns == NULL)
		r->evdns = evdns_base_new(r->ctx->base,
		    EVDNS_BASE_INITIALIZE_NAMESERVERS);
	if (r->evdns == NULL)
		r->evdns = evdns_base_new(r->ctx->base, 0);
	if ((r->proxy = proxy_new(r->ctx->base, r->evdns, NULL)) == NULL) {
		snprintf(err, errlen, "proxy: %s", strerror(errno));
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = c->bridge.host_address;
	sin.sin_port = htons(c->proxy.port);
	if (proxy_listen(r->proxy, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		snprintf(err, errlen, "proxy: listen on port %u: %s",
		    c->proxy.port, strerror(errno));
		proxy_free(r->proxy);
		r->proxy = NULL;
		return -1;
	}
	return proxy_configure(r);
}

static int
relay_ensure(struct real *r, char *err, size_t errlen)
{
	const struct piad_config *c = r->ctx->conf;

	if (r->relay != NULL)
		return 0;
	r->relay = dns_relay_new(r->ctx->base, r->vpn_nsfd, c->vpn.address,
	    53, 53);
	if (r->relay == NULL) {
		snprintf(err, errlen, "dns relay: %s", strerror(errno));
		return -1;
	}
	if (r->sess.valid && r->wg_valid)
		dns_relay_set_upstreams(r->relay, r->sess.dns, r->sess.ndns);
	return 0;
}

static int
monitors_ensure(struct real *r, char *err, size_t errlen)
{
	if (r->mon_host == NULL)
		r->mon_host = link_monitor_new(r->ctx->base, r->host_nsfd,
		    "host", link_event, r);
	if (r->mon_vpn == NULL)
		r->mon_vpn = link_monitor_new(r->ctx->base, r->vpn_nsfd,
		    "vpn", link_event, r);
	if (r->mon_host == NULL || r->mon_vpn == NULL) {
		snprintf(err, errlen, "link monitor: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void
wg_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	ensure_continue(arg);
}

/* The WG link: ensure, or come back in WG_RETRY_MS while it starts. */
static int
wg_ensure(struct real *r, char *err, size_t errlen)
{
	const struct piad_config	*c = r->ctx->conf;
	struct timeval			 tv = { 0, WG_RETRY_MS * 1000 };
	int				 rc;

	if (r->wg.ifname[0] == '\0') {
		wg_link_init(&r->wg, c->vpn.interface, r->host_nsfd,
		    r->vpn_nsfd, (enum wg_backend_kind)c->wireguard.backend,
		    c->wireguard.userspace_program);
		r->wg.wait_ms = 0;
	}
	r->wg.vpn_nsfd = r->vpn_nsfd;
	rc = wg_link_ensure(&r->wg);
	if (rc == -EINPROGRESS) {
		if (++r->wg_tries > WG_START_MAX) {
			snprintf(err, errlen, "%s: %s did not create its "
			    "device", c->vpn.interface,
			    c->wireguard.userspace_program);
			return -1;
		}
		if (r->retry_ev == NULL)
			r->retry_ev = evtimer_new(r->ctx->base, wg_retry_cb, r);
		event_add(r->retry_ev, &tv);
		return 1;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", c->vpn.interface,
		    strerror(-rc));
		return -1;
	}
	snprintf(r->ctx->status.tunnel.interface,
	    sizeof(r->ctx->status.tunnel.interface), "%s", c->vpn.interface);
	snprintf(r->ctx->status.tunnel.backend,
	    sizeof(r->ctx->status.tunnel.backend), "%s",
	    wg_link_backend_name(&r->wg));
	r->wg_link_ready = true;
	return 0;
}

static void
ensure_fail(struct real *r, const char *err)
{
	fsm_fail(r->ctx, r->boot_gen, CAUSE_TOPOLOGY, "%s", err);
}

static void
ensure_continue(struct real *r)
{
	char	err[256];
	int	rc;

	if ((rc = wg_ensure(r, err, sizeof(err))) != 0) {
		if (rc < 0)
			ensure_fail(r, err);
		return;
	}
	if (real_apply_host_table(r, err, sizeof(err)) < 0 ||
	    proxy_ensure(r, err, sizeof(err)) < 0 ||
	    relay_ensure(r, err, sizeof(err)) < 0 ||
	    monitors_ensure(r, err, sizeof(err)) < 0) {
		ensure_fail(r, err);
		return;
	}
	r->topo_valid = true;
	update_status_containers(r);
	fsm_done(r->ctx, r->boot_gen, "topology in place");
}

void
real_topology_ensure(struct piad_ctx *ctx, unsigned gen)
{
	struct real	*r = ctx->be_arg;
	char		 err[256];
	int		 fd;

	r->boot_gen = gen;
	if (reconcile(r, err, sizeof(err)) < 0) {
		ensure_fail(r, err);
		return;
	}
	if ((fd = topo_nsfd(r->topo, ctx->conf->vpn.netns)) < 0) {
		ensure_fail(r, "vpn netns: cannot open it");
		return;
	}
	if (r->vpn_nsfd != fd) {
		/* The VPN netns was recreated: everything in it is new. */
		if (r->vpn_nsfd >= 0)
			log_info("topology: netns %s was recreated",
			    ctx->conf->vpn.netns);
		r->vpn_nsfd = fd;
		dns_relay_free(r->relay);
		r->relay = NULL;
		link_monitor_free(r->mon_vpn);
		r->mon_vpn = NULL;
		r->nat_valid = false;
		r->wg_valid = false;
		r->wg_link_ready = false;
		real_tunnel_free(r);
	}
	r->wg_tries = 0;
	ensure_continue(r);
}

void
real_topo_teardown(struct real *r, bool everything)
{
	struct topo_report	rep;
	size_t			i;
	int			rc;

	if (r->retry_ev != NULL)
		event_del(r->retry_ev);
	link_monitor_free(r->mon_host);
	link_monitor_free(r->mon_vpn);
	r->mon_host = r->mon_vpn = NULL;
	dns_relay_free(r->relay);
	r->relay = NULL;
	if (r->proxy != NULL)
		proxy_free(r->proxy);
	r->proxy = NULL;
	if (r->wg.ifname[0] != '\0' && (r->wg.ops != NULL || everything)) {
		if ((rc = wg_link_destroy(&r->wg)) < 0)
			log_warnx("teardown: %s: %s", r->wg.ifname,
			    strerror(-rc));
		else
			log_info("teardown: %s removed", r->wg.ifname);
	}
	r->wg_link_ready = r->wg_valid = false;
	if (!everything)
		return;
	real_fw_remove(r);
	memset(&rep, 0, sizeof(rep));
	if (topo_teardown(r->topo, &rep) < 0)
		log_warnx("teardown: some objects could not be removed");
	for (i = 0; i < rep.nactions; i++)
		log_info("teardown: %s", rep.actions[i]);
	topo_report_free(&rep);
	real_save_topology(r);
	r->topo_valid = false;
}

void
real_topo_free(struct real *r)
{
	if (r->retry_ev != NULL)
		event_free(r->retry_ev);
	r->retry_ev = NULL;
	link_monitor_free(r->mon_host);
	link_monitor_free(r->mon_vpn);
	dns_relay_free(r->relay);
	if (r->proxy != NULL)
		proxy_free(r->proxy);
	if (r->evdns != NULL)
		evdns_base_free(r->evdns, 0);
	wg_link_close(&r->wg);
	topo_free(r->topo);
	r->mon_host = r->mon_vpn = NULL;
	r->relay = NULL;
	r->proxy = NULL;
	r->evdns = NULL;
	r->topo = NULL;
}
