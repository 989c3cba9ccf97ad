/* SPDX-License-Identifier: ISC */
/*
 * Per-cause exponential backoff with jitter, see backoff.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core/backoff.h"

const char *const fail_cause_names[CAUSE_NCAUSES] = {
	[CAUSE_NONE] = "none",
	[CAUSE_TOPOLOGY] = "topology",
	[CAUSE_NETWORK] = "network",
	[CAUSE_CREDENTIALS] = "credentials",
	[CAUSE_API] = "api",
	[CAUSE_SERVERLIST] = "serverlist",
	[CAUSE_SERVER] = "server",
	[CAUSE_FIREWALL] = "firewall",
	[CAUSE_PORT_FORWARD] = "port_forward",
	[CAUSE_RENEW] = "renew",
	[CAUSE_INTERNAL] = "internal",
};

_Static_assert(sizeof(fail_cause_names) / sizeof(fail_cause_names[0]) ==
    CAUSE_NCAUSES, "a failure cause without a name");

const char *
fail_cause_name(int c)
{
	if (c < 0 || c >= CAUSE_NCAUSES)
		return "(invalid)";
	return fail_cause_names[c];
}

static uint32_t
backoff_arc4(uint32_t upper)
{
	return arc4random_uniform(upper);
}

void
backoff_init(struct backoff *b, backoff_rand_fn rnd)
{
	memset(b, 0, sizeof(*b));
	b->rnd = rnd != NULL ? rnd : backoff_arc4;
}

uint64_t
backoff_nominal_ms(const struct backoff *b, enum fail_cause cause)
{
	unsigned n;

	if (cause == CAUSE_CREDENTIALS)
		return BACKOFF_CRED_MS;
	n = b->attempts[cause];
	/* 2^9 s > 5 min already: stop shifting before it can overflow */
	if (n >= 9)
		return BACKOFF_CAP_MS;
	if ((BACKOFF_BASE_MS << n) > BACKOFF_CAP_MS)
		return BACKOFF_CAP_MS;
	return BACKOFF_BASE_MS << n;
}

uint64_t
backoff_next_ms(struct backoff *b, enum fail_cause cause)
{
	uint64_t d;

	if (cause >= CAUSE_NCAUSES)
		cause = CAUSE_INTERNAL;
	d = backoff_nominal_ms(b, cause);
	if (b->attempts[cause] < 64)
		b->attempts[cause]++;
	b->failures[cause]++;
	/* Credentials: exactly the 30 min that status announces. */
	if (cause == CAUSE_CREDENTIALS)
		return d;
	return d - b->rnd((uint32_t)(d / 4) + 1);
}

void
backoff_reset(struct backoff *b, enum fail_cause cause)
{
	if (cause == CAUSE_NONE) {
		memset(b->attempts, 0, sizeof(b->attempts));
		return;
	}
	if (cause < CAUSE_NCAUSES)
		b->attempts[cause] = 0;
}
