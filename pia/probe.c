/* SPDX-License-Identifier: ISC */
/*
 * Parallel connect-latency probe. Each region gets one dial; the probe
 * counts answers and reports once all are in (a dial always ends, at the
 * latest at its connect timeout). Completion is reported from a deferred
 * event when no dial could even start, so the callback never runs inside
 * pia_probe_start().
 */
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent.h>
#include <event2/event.h>

#include "core/log.h"
#include "pia/dial.h"
#include "pia/probe.h"

struct probe_slot {
	struct pia_probe	*probe;
	struct dial		*dial;		/* NULL once finished */
	const struct pia_region	*region;
};

struct pia_probe {
	struct probe_slot	*slots;
	size_t			 n;
	size_t			 pending;
	const struct pia_region	*best;
	unsigned		 best_ms;
	struct pia_result	 last;
	struct event		*done_ev;
	pia_probe_cb		 cb;
	void			*arg;
};

static void
probe_free(struct pia_probe *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->slots[i].dial != NULL)
			dial_cancel(p->slots[i].dial);
	if (p->done_ev != NULL)
		event_free(p->done_ev);
	free(p->slots);
	free(p);
}

static void
probe_finish(struct pia_probe *p)
{
	struct pia_result ok;

	if (p->best != NULL) {
		pia_result_clear(&ok);
		log_info("region %s: fastest of %zu probed (%u ms)",
		    p->best->id, p->n, p->best_ms);
		p->cb(p->best, p->best_ms, &ok, p->arg);
	} else {
		log_warnx("region auto: no region answered (%s)",
		    p->last.message);
		p->cb(NULL, 0, &p->last, p->arg);
	}
	probe_free(p);
}

static void
probe_done_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	probe_finish(arg);
}

static void
probe_dial_cb(struct bufferevent *bev, const struct pia_result *res,
    unsigned connect_ms, void *arg)
{
	struct probe_slot	*s = arg;
	struct pia_probe	*p = s->probe;

	s->dial = NULL;
	if (bev != NULL) {
		bufferevent_free(bev);
		log_debug("region %s: meta %s answered in %u ms", s->region->id,
		    s->region->meta[0].cn, connect_ms);
		if (p->best == NULL || connect_ms < p->best_ms) {
			p->best = s->region;
			p->best_ms = connect_ms;
		}
	} else {
		log_debug("region %s: meta %s: %s", s->region->id,
		    s->region->meta[0].cn, res->message);
		p->last = *res;
	}
	if (--p->pending == 0)
		probe_finish(p);
}

struct pia_probe *
pia_probe_start(struct event_base *base, int nsfd,
    const struct pia_region *const *regions, size_t n, uint16_t port,
    unsigned timeout_ms, pia_probe_cb cb, void *arg, struct pia_result *res)
{
	struct pia_probe	*p;
	struct dial_spec	 spec;
	size_t			 i;

	pia_result_clear(res);
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->slots = calloc(n > 0 ? n : 1, sizeof(*p->slots))) == NULL ||
	    (p->done_ev = evtimer_new(base, probe_done_cb, p)) == NULL) {
		pia_result_set(res, PIA_ERR_NETWORK, "region auto: out of "
		    "memory");
		if (p != NULL) {
			free(p->slots);
			free(p);
		}
		return NULL;
	}
	p->n = n;
	p->cb = cb;
	p->arg = arg;
	pia_result_set(&p->last, PIA_ERR_NETWORK, "region auto: no "
	    "candidate region");
	for (i = 0; i < n; i++) {
		struct probe_slot *s = &p->slots[i];

		s->probe = p;
		s->region = regions[i];
		if (regions[i]->nmeta == 0 ||
		    dial_spec_direct(&spec, nsfd, regions[i]->meta[0].ip,
		    port != 0 ? port : 443) == -1) {
			pia_result_set(&p->last, PIA_ERR_NETWORK, "region %s: "
			    "no meta server to probe", regions[i]->id);
			continue;
		}
		spec.connect_timeout_ms = timeout_ms;
		s->dial = dial_start(base, &spec, probe_dial_cb, s, &p->last);
		if (s->dial != NULL)
			p->pending++;
	}
	if (p->pending == 0)
		event_active(p->done_ev, EV_TIMEOUT, 0);
	return p;
}

void
pia_probe_cancel(struct pia_probe *p)
{
	if (p != NULL)
		probe_free(p);
}
