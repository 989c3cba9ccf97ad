/* SPDX-License-Identifier: ISC */
/*
 * The DNS relay of the VPN netns (design section 10). Containers send
 * their queries to vpn.address:53 (UDP and TCP); the relay forwards them
 * through the tunnel to PIA's DNS servers (learnt from addKey) and sends
 * the answers back. UDP transaction ids are remapped, so two containers
 * that pick the same id never get each other's answer.
 *
 * With no upstream (no tunnel), every query is answered SERVFAIL at once:
 * a resolver fails fast instead of waiting out its timeouts, and nothing
 * can leak because the relay has no other way out than the tunnel.
 */
#ifndef PIAD_NET_DNS_RELAY_H
#define PIAD_NET_DNS_RELAY_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct dns_relay;

#define DNS_RELAY_MAX_UPSTREAMS	4
#define DNS_RELAY_PENDING	1024	/* UDP queries in flight */
#define DNS_RELAY_TCP_MAX	64	/* TCP clients at once */

struct dns_relay_stats {
	uint64_t	queries;	/* UDP and TCP messages from clients */
	uint64_t	answers;	/* answers relayed back */
	uint64_t	servfail;	/* answered SERVFAIL by the relay */
	uint64_t	timeouts;	/* no answer from upstream in time */
	uint64_t	dropped;	/* malformed or unmatched messages */
};

/*
 * Listen on listen:port (UDP and TCP) inside netns nsfd (-1: current);
 * upstream sockets are made in the same netns. upstream_port is 53 except
 * in tests. NULL and errno on failure.
 */
struct dns_relay *dns_relay_new(struct event_base *, int nsfd,
		    struct in_addr listen, uint16_t port,
		    uint16_t upstream_port);
void		 dns_relay_free(struct dns_relay *);
/* Replace the upstream servers; n == 0 means "no tunnel": SERVFAIL. */
void		 dns_relay_set_upstreams(struct dns_relay *,
		    const struct in_addr *servers, size_t n);
/* Seconds to wait for an upstream answer (default 5). */
void		 dns_relay_set_timeout(struct dns_relay *, unsigned ms);
const struct dns_relay_stats *dns_relay_stats(const struct dns_relay *);

/*
 * Turn the query in buf (len bytes, room for cap) into a SERVFAIL answer
 * in place: header flags set (QR, RA, RCODE 2, RD copied), the question
 * kept, every other section dropped. Returns the answer's length, or -1
 * when buf is not a query with exactly one well-formed question.
 */
int		 dns_make_servfail(uint8_t *buf, size_t len);

#endif
