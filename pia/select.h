/* SPDX-License-Identifier: ISC */
/*
 * Choosing a region and a WireGuard server from a verified server list.
 * A configured region must exist, be online and, when a container
 * receives the forwarded port, support port forwarding; "auto" takes the
 * candidate with the lowest measured connect latency (pia/probe.h does the
 * measuring). Within a region the WireGuard servers are used in turn, and
 * a server that failed (addKey, handshake, port forwarding) is avoided for
 * a while so a reconnect goes elsewhere.
 */
#ifndef PIAD_PIA_SELECT_H
#define PIAD_PIA_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "pia/serverlist.h"

#define PIA_AVOID_SECONDS	600

/* A clock in seconds; monotonic in the daemon, injected in tests. */
typedef time_t (*pia_clock_fn)(void *arg);

struct pia_select;

/* A new selector (empty avoid list, CLOCK_MONOTONIC); NULL on ENOMEM. */
struct pia_select *pia_select_new(void);
void	pia_select_free(struct pia_select *);
void	pia_select_set_clock(struct pia_select *, pia_clock_fn, void *arg);

/* Avoid server cn for seconds (0: PIA_AVOID_SECONDS) from now. */
void	pia_select_avoid(struct pia_select *, const char *cn,
	    unsigned seconds);
bool	pia_select_avoided(struct pia_select *, const char *cn);
/* Forget every avoidance (e.g. an operator's `reconnect` to a region). */
void	pia_select_clear_avoid(struct pia_select *);

/*
 * The configured region id, checked: NULL with err set if it is not in
 * the list, offline, has no WireGuard server, or (need_pf) has no port
 * forwarding. The message names the region.
 */
const struct pia_region *pia_select_region(const struct pia_serverlist *,
	    const char *id, bool need_pf, char *err, size_t errlen);

/*
 * Regions "auto" may choose from: online, with WireGuard servers and a
 * meta server to probe, with port forwarding if need_pf, and with at
 * least one server not avoided (if sel is not NULL). Fills out[0..max)
 * in list order; returns how many there are (may exceed max).
 */
size_t	pia_select_candidates(struct pia_select *,
	    const struct pia_serverlist *, bool need_pf,
	    const struct pia_region **out, size_t max);

/*
 * The next WireGuard server of region in turn, skipping avoided ones. If
 * every server is avoided, the one whose avoidance ends first is returned
 * anyway: waiting out ten minutes would be worse than retrying it. NULL
 * only if the region has no WireGuard server.
 */
const struct pia_server *pia_select_server(struct pia_select *,
	    const struct pia_region *);

#endif
