/* SPDX-License-Identifier: ISC */
/*
 * Exponential backoff with jitter, one schedule per failure cause: 1 s
 * doubling to 5 min, and a flat 30 min when PIA rejected the credentials
 * (retrying sooner cannot help and may lock the account). Delays are drawn
 * in [3/4 d, d] of the nominal delay d so that many daemons restarted
 * together spread out, while never waiting longer than the schedule says.
 */
#ifndef PIAD_CORE_BACKOFF_H
#define PIAD_CORE_BACKOFF_H

#include <stdint.h>

enum fail_cause {
	CAUSE_NONE,
	CAUSE_TOPOLOGY,		/* kernel objects: netns, links, addresses */
	CAUSE_NETWORK,		/* cannot reach PIA: connect, TLS, timeout */
	CAUSE_CREDENTIALS,	/* PIA said 401 / bad username or password */
	CAUSE_API,		/* PIA answered nonsense, 429, 5xx */
	CAUSE_SERVERLIST,	/* unsigned or badly signed server list */
	CAUSE_SERVER,		/* this server failed addKey or handshake */
	CAUSE_FIREWALL,		/* nftables transaction refused */
	CAUSE_PORT_FORWARD,	/* getSignature / bindPort trouble */
	CAUSE_RENEW,		/* a make-before-break refresh failed */
	CAUSE_INTERNAL,
	CAUSE_NCAUSES
};

extern const char *const fail_cause_names[CAUSE_NCAUSES];
const char *fail_cause_name(int);

#define BACKOFF_BASE_MS		1000ULL
#define BACKOFF_CAP_MS		(5ULL * 60 * 1000)
#define BACKOFF_CRED_MS		(30ULL * 60 * 1000)

/* Source of randomness in [0, upper): tests pass their own. */
typedef uint32_t (*backoff_rand_fn)(uint32_t upper);

struct backoff {
	unsigned	 attempts[CAUSE_NCAUSES];
	uint64_t	 failures[CAUSE_NCAUSES];	/* ever, for metrics */
	backoff_rand_fn	 rnd;
};

void	 backoff_init(struct backoff *, backoff_rand_fn);
/* The nominal (unjittered) delay the next failure of cause would get. */
uint64_t backoff_nominal_ms(const struct backoff *, enum fail_cause);
/* Count one failure of cause; return the jittered delay to wait. */
uint64_t backoff_next_ms(struct backoff *, enum fail_cause);
/* Success: start cause (or all, with CAUSE_NONE) from 1 s again. */
void	 backoff_reset(struct backoff *, enum fail_cause);

#endif
