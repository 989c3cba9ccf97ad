/* SPDX-License-Identifier: ISC */
/*
 * Region and server choice. Rotation state is kept per region as the cn
 * of the last server handed out, not an index, so it survives a server
 * list refresh that adds, drops or reorders servers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "pia/select.h"

struct avoid {
	char		cn[PIA_CN_MAX];
	time_t		until;
};

struct last_used {
	char		*region;
	char		 cn[PIA_CN_MAX];
};

struct pia_select {
	struct avoid		*avoid;
	size_t			 navoid;
	struct last_used	*last;
	size_t			 nlast;
	pia_clock_fn		 clock;
	void			*clock_arg;
};

static time_t
monotonic_now(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

struct pia_select *
pia_select_new(void)
{
	struct pia_select *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->clock = monotonic_now;
	return s;
}

void
pia_select_free(struct pia_select *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nlast; i++)
		free(s->last[i].region);
	free(s->last);
	free(s->avoid);
	free(s);
}

void
pia_select_set_clock(struct pia_select *s, pia_clock_fn fn, void *arg)
{
	s->clock = fn != NULL ? fn : monotonic_now;
	s->clock_arg = arg;
}

/* Drop expired entries so the list stays as small as the failures. */
static void
expire(struct pia_select *s, time_t now)
{
	size_t i = 0;

	while (i < s->navoid) {
		if (s->avoid[i].until <= now)
			s->avoid[i] = s->avoid[--s->navoid];
		else
			i++;
	}
}

static struct avoid *
find_avoid(struct pia_select *s, const char *cn)
{
	size_t i;

	expire(s, s->clock(s->clock_arg));
	for (i = 0; i < s->navoid; i++)
		if (strcmp(s->avoid[i].cn, cn) == 0)
			return &s->avoid[i];
	return NULL;
}

void
pia_select_avoid(struct pia_select *s, const char *cn, unsigned seconds)
{
	struct avoid	*a, *na;
	time_t		 until;

	until = s->clock(s->clock_arg) +
	    (seconds != 0 ? seconds : PIA_AVOID_SECONDS);
	if ((a = find_avoid(s, cn)) == NULL) {
		na = reallocarray(s->avoid, s->navoid + 1, sizeof(*na));
		if (na == NULL) {
			log_warnx("server %s: cannot remember to avoid it: "
			    "out of memory", cn);
			return;
		}
		s->avoid = na;
		a = &s->avoid[s->navoid++];
		snprintf(a->cn, sizeof(a->cn), "%s", cn);
	}
	a->until = until;
	log_info("server %s: avoided for %u s", cn,
	    seconds != 0 ? seconds : PIA_AVOID_SECONDS);
}

bool
pia_select_avoided(struct pia_select *s, const char *cn)
{
	return find_avoid(s, cn) != NULL;
}

void
pia_select_clear_avoid(struct pia_select *s)
{
	free(s->avoid);
	s->avoid = NULL;
	s->navoid = 0;
}

const struct pia_region *
pia_select_region(const struct pia_serverlist *sl, const char *id,
    bool need_pf, char *err, size_t errlen)
{
	const struct pia_region *r;

	if ((r = pia_serverlist_region(sl, id)) == NULL) {
		snprintf(err, errlen, "region %s: not in the server list", id);
		return NULL;
	}
	if (r->offline) {
		snprintf(err, errlen, "region %s: offline", id);
		return NULL;
	}
	if (r->nwg == 0) {
		snprintf(err, errlen, "region %s: no WireGuard servers", id);
		return NULL;
	}
	if (need_pf && !r->port_forward) {
		snprintf(err, errlen, "region %s: no port forwarding, but a "
		    "container receives the forwarded port", id);
		return NULL;
	}
	return r;
}

static bool
any_usable(struct pia_select *s, const struct pia_region *r)
{
	size_t i;

	if (s == NULL)
		return r->nwg > 0;
	for (i = 0; i < r->nwg; i++)
		if (!pia_select_avoided(s, r->wg[i].cn))
			return true;
	return false;
}

size_t
pia_select_candidates(struct pia_select *s, const struct pia_serverlist *sl,
    bool need_pf, const struct pia_region **out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < sl->nregions; i++) {
		const struct pia_region *r = &sl->regions[i];

		if (r->offline || r->nwg == 0 || r->nmeta == 0 ||
		    (need_pf && !r->port_forward) || !any_usable(s, r))
			continue;
		if (n < max)
			out[n] = r;
		n++;
	}
	return n;
}

static struct last_used *
last_for(struct pia_select *s, const char *region)
{
	struct last_used	*nl;
	size_t			 i;

	for (i = 0; i < s->nlast; i++)
		if (strcmp(s->last[i].region, region) == 0)
			return &s->last[i];
	if ((nl = reallocarray(s->last, s->nlast + 1, sizeof(*nl))) == NULL)
		return NULL;
	s->last = nl;
	nl = &s->last[s->nlast];
	memset(nl, 0, sizeof(*nl));
	if ((nl->region = strdup(region)) == NULL)
		return NULL;
	s->nlast++;
	return nl;
}

const struct pia_server *
pia_select_server(struct pia_select *s, const struct pia_region *r)
{
	const struct pia_server	*pick = NULL;
	struct last_used	*lu;
	struct avoid		*a;
	time_t			 soonest = 0;
	size_t			 i, start = 0, k;

	if (r->nwg == 0)
		return NULL;
	lu = last_for(s, r->id);
	if (lu != NULL && lu->cn[0] != '\0') {
		for (i = 0; i < r->nwg; i++)
			if (strcmp(r->wg[i].cn, lu->cn) == 0) {
				start = i + 1;
				break;
			}
	}
	for (k = 0; k < r->nwg; k++) {
		const struct pia_server *sv = &r->wg[(start + k) % r->nwg];

		if ((a = find_avoid(s, sv->cn)) == NULL) {
			pick = sv;
			break;
		}
		if (pick == NULL || a->until < soonest) {
			pick = sv;
			soonest = a->until;
		}
	}
	if (find_avoid(s, pick->cn) != NULL)
		log_info("region %s: every WireGuard server is avoided, "
		    "retrying %s", r->id, pick->cn);
	if (lu != NULL)
		snprintf(lu->cn, sizeof(lu->cn), "%s", pick->cn);
	return pick;
}
