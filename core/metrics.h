/* SPDX-License-Identifier: ISC */
/*
 * Metrics in the Prometheus text exposition format, for `piadctl
 * metrics`. The engine's own series are always there (piad_state,
 * piad_transitions_total, piad_uptime_seconds, ...); other parts add
 * theirs with metrics_register, giving a collector that emits samples
 * when the text is rendered (so values are never stale copies).
 *
 *	static void
 *	drops(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
 *	{
 *		metrics_sample(out, nft_drops(arg), "table", "vpn", NULL);
 *	}
 *	metrics_register(ctx, "piad_nft_drops_total", "counter",
 *	    "Packets dropped by piad's firewall rules.", drops, nft);
 */
#ifndef PIAD_CORE_METRICS_H
#define PIAD_CORE_METRICS_H

struct piad_ctx;
struct metrics_out;

typedef void (*metrics_fn)(struct piad_ctx *, struct metrics_out *,
    void *arg);

/*
 * Add a metric family; name and help are copied, type is "counter",
 * "gauge" or "untyped". 0 / -1 (bad name, duplicate, no memory).
 */
int	metrics_register(struct piad_ctx *, const char *name, const char *type,
	    const char *help, metrics_fn, void *arg);
/* Drop every family registered with this arg (when its owner goes). */
void	metrics_unregister_arg(struct piad_ctx *, void *arg);
/*
 * One sample of the family being collected: value, then label name and
 * value pairs ending with NULL. Label values are escaped here.
 */
void	metrics_sample(struct metrics_out *, double value, ...)
	    __attribute__((sentinel));
/* The whole exposition; caller frees. NULL when out of memory. */
char	*metrics_render(struct piad_ctx *);
void	metrics_free(struct piad_ctx *);

#endif
