/* SPDX-License-Identifier: ISC */
/*
 * The fake PIA DNS server's answers. Each simulated server answers for the
 * test zone piasim.test: web.piasim.test (and the apex) is the web host,
 * whoami.piasim.test is the answering server's public IP, so a test sees
 * which server (and that the query went through the tunnel); other names
 * in the zone are NXDOMAIN, names outside it SERVFAIL (no recursion here).
 * Queries come from the client under test: the parser is fuzzed
 * (tests/fuzz/fuzz_sim_dns.c).
 */
#ifndef PIASIM_DNS_H
#define PIASIM_DNS_H

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#define SIMDNS_ZONE	"piasim.test"
#define SIMDNS_MAXMSG	512

struct simdns_zone {
	struct in_addr	web;	/* web.piasim.test, piasim.test */
	struct in_addr	whoami;	/* whoami.piasim.test */
};

/*
 * Build the reply to the query q[0..qlen) into out (outsize >= 512 is
 * enough for every answer). Returns the reply length, or -1 when the query
 * is too broken to answer at all (shorter than a header, or a reply).
 */
int	simdns_answer(const uint8_t *q, size_t qlen, uint8_t *out,
	    size_t outsize, const struct simdns_zone *zone);

#endif
