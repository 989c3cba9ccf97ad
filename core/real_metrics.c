/* SPDX-License-Identifier: ISC */
/*
 * The real backend's metrics: tunnel, reconnects by cause, port
 * forwarding, proxy, DNS relay and firewall drop counters. Collectors
 * read the live objects when `metrics` is rendered, so nothing here keeps
 * copies that could go stale.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/context.h"
#include "core/metrics.h"
#include "core/real.h"
#include "net/dns_relay.h"
#include "net/nft.h"
#include "proxy/proxy.h"

/* A counter of a stats structure, sampled with one label value. */
struct stat_sample {
	const char	*label;
	size_t		 off;		/* of a uint64_t in the structure */
};

#define NSTATS(t)	(sizeof(t) / sizeof((t)[0]))

static const struct stat_sample proxy_outcomes[] = {
	{ "accepted", offsetof(struct proxy_stats, accepted) },
	{ "denied_source", offsetof(struct proxy_stats, denied_source) },
	{ "denied_target", offsetof(struct proxy_stats, denied_target) },
	{ "denied_method", offsetof(struct proxy_stats, denied_method) },
	{ "bad_request", offsetof(struct proxy_stats, bad_request) },
	{ "busy", offsetof(struct proxy_stats, busy) },
	{ "upstream_failed", offsetof(struct proxy_stats, upstream_failed) },
	{ "upstream_timeout", offsetof(struct proxy_stats, upstream_timeout) },
};

static const struct stat_sample proxy_directions[] = {
	{ "up", offsetof(struct proxy_stats, bytes_up) },
	{ "down", offsetof(struct proxy_stats, bytes_down) },
};

static const struct stat_sample dns_outcomes[] = {
	{ "answered", offsetof(struct dns_relay_stats, answers) },
	{ "servfail", offsetof(struct dns_relay_stats, servfail) },
	{ "timeout", offsetof(struct dns_relay_stats, timeouts) },
	{ "dropped", offsetof(struct dns_relay_stats, dropped) },
};

/* One sample per table row: the counter at its offset in stats. */
static void
stat_samples(struct metrics_out *out, const void *stats, const char *name,
    const struct stat_sample *t, size_t n)
{
	uint64_t	v;
	size_t		i;

	for (i = 0; i < n; i++) {
		memcpy(&v, (const char *)stats + t[i].off, sizeof(v));
		metrics_sample(out, (double)v, name, t[i].label, NULL);
	}
}

static void
m_tunnel(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	const struct status_tunnel *tu = &ctx->status.tunnel;

	if (tu->last_handshake > 0)
		metrics_sample(out, (double)(time(NULL) - tu->last_handshake),
		    NULL);
}

static void
m_rx(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	metrics_sample(out, (double)ctx->status.tunnel.rx_bytes, NULL);
}

static void
m_tx(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	metrics_sample(out, (double)ctx->status.tunnel.tx_bytes, NULL);
}

static void
m_reconnects(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	struct real	*r = arg;
	size_t		 i;

	for (i = 0; i < REAL_NCAUSES; i++)
		metrics_sample(out, (double)r->reconnects[i], "cause",
		    real_reconnect_causes[i], NULL);
}

static void
m_pf(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	metrics_sample(out, (double)ctx->status.counters.pf_binds, "result",
	    "ok", NULL);
	metrics_sample(out, (double)ctx->status.counters.pf_failures,
	    "result", "failed", NULL);
}

static void
m_port(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	metrics_sample(out, (double)real_pf_dnat_port(arg), NULL);
}

/* The proxy's counters now; false when there is no proxy. */
static bool
proxy_stats_now(const struct real *r, struct proxy_stats *s)
{
	if (r->proxy == NULL)
		return false;
	proxy_get_stats(r->proxy, s);
	return true;
}

static void
m_proxy(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	struct proxy_stats s;

	if (proxy_stats_now(arg, &s))
		stat_samples(out, &s, "outcome", proxy_outcomes,
		    NSTATS(proxy_outcomes));
}

static void
m_proxy_bytes(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	struct proxy_stats s;

	if (proxy_stats_now(arg, &s))
		stat_samples(out, &s, "direction", proxy_directions,
		    NSTATS(proxy_directions));
}

static void
m_proxy_open(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	struct proxy_stats s;

	if (proxy_stats_now(arg, &s))
		metrics_sample(out, (double)s.tunnels_open, NULL);
}

static void
m_dns(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	struct real			*r = arg;
	const struct dns_relay_stats	*s;

	if (r->relay == NULL)
		return;
	s = dns_relay_stats(r->relay);
	stat_samples(out, s, "outcome", dns_outcomes, NSTATS(dns_outcomes));
}

static void
drops_of(struct metrics_out *out, struct real *r, bool vpn)
{
	struct fw_counters	 c;
	const char		*table = vpn ? "vpn" : "host";
	size_t			 i;

	if (real_fw_counters(r, vpn, &c) < 0)
		return;
	for (i = 0; i < c.n; i++)
		metrics_sample(out, (double)c.c[i].packets, "table", table,
		    "rule", c.c[i].name, NULL);
}

static void
m_drops(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	struct real *r = arg;

	drops_of(out, r, false);
	drops_of(out, r, true);
}

void
real_metrics_register(struct real *r)
{
	struct piad_ctx *ctx = r->ctx;

	metrics_register(ctx, "piad_tunnel_handshake_age_seconds", "gauge",
	    "Seconds since the last WireGuard handshake.", m_tunnel, r);
	metrics_register(ctx, "piad_tunnel_rx_bytes_total", "counter",
	    "Bytes received through the tunnel.", m_rx, r);
	metrics_register(ctx, "piad_tunnel_tx_bytes_total", "counter",
	    "Bytes sent through the tunnel.", m_tx, r);
	metrics_register(ctx, "piad_reconnects_total", "counter",
	    "Moves to another server, by cause.", m_reconnects, r);
	metrics_register(ctx, "piad_pf_binds_total", "counter",
	    "bindPort attempts by result.", m_pf, r);
	metrics_register(ctx, "piad_pf_port", "gauge",
	    "The forwarded port (0: none).", m_port, r);
	metrics_register(ctx, "piad_proxy_requests_total", "counter",
	    "CONNECT requests by outcome.", m_proxy, r);
	metrics_register(ctx, "piad_proxy_bytes_total", "counter",
	    "Bytes spliced by the proxy.", m_proxy_bytes, r);
	metrics_register(ctx, "piad_proxy_tunnels_open", "gauge",
	    "Open CONNECT tunnels.", m_proxy_open, r);
	metrics_register(ctx, "piad_dns_queries_total", "counter",
	    "DNS relay queries by outcome.", m_dns, r);
	metrics_register(ctx, "piad_firewall_drops_total", "counter",
	    "Packets dropped by piad's nftables rules.", m_drops, r);
}
