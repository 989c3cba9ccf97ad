/* SPDX-License-Identifier: ISC */
/*
 * Latency probe for region "auto": a TCP connect to each candidate
 * region's first meta server (port 443), all in parallel; the region that
 * answered fastest wins. Only the TCP handshake is timed: no bytes are
 * sent, so probing reveals nothing but that piad exists.
 */
#ifndef PIAD_PIA_PROBE_H
#define PIAD_PIA_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "pia/result.h"
#include "pia/serverlist.h"

struct event_base;
struct pia_probe;

/*
 * Called once, from the event loop. best is the fastest region (NULL if
 * none answered; res then says why, from the last failure), best_ms its
 * connect time. The probe is freed right after the callback returns.
 */
typedef void (*pia_probe_cb)(const struct pia_region *best,
	    unsigned best_ms, const struct pia_result *res, void *arg);

/*
 * Probe regions[0..n) on port (0: 443) with sockets made in netns nsfd (-1:
 * the current one), each dial timing out after timeout_ms (0: the dialer's
 * default). The regions must outlive the probe (do not free the list
 * while it runs; cancel first). NULL with res set if nothing could start.
 */
struct pia_probe *pia_probe_start(struct event_base *base, int nsfd,
	    const struct pia_region *const *regions, size_t n, uint16_t port,
	    unsigned timeout_ms, pia_probe_cb cb, void *arg,
	    struct pia_result *res);

/* Stop a running probe; its callback will not run. */
void	pia_probe_cancel(struct pia_probe *);

#endif
