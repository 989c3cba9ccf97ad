/* SPDX-License-Identifier: ISC */
/*
 * The proxy's allowlists and the two questions asked of them: may this
 * source use the proxy, and may it reach this host and port. Pure data,
 * no I/O, so the unit tests and the head fuzzer use it directly.
 */
#ifndef PIAD_PROXY_ALLOW_H
#define PIAD_PROXY_ALLOW_H

#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proxy/proxy.h"

#define ALLOW_PORT_HTTPS	443
#define ALLOW_PORT_ADDKEY	1337

struct proxy_allow {
	struct proxy_net	*nets;
	size_t			 nnets;
	char			**hosts;	/* lower case */
	size_t			 nhosts;
	struct in_addr		*ips;
	size_t			 nips;
};

void	allow_init(struct proxy_allow *);
void	allow_clear(struct proxy_allow *);
/* Each replaces one list with a copy of its argument; 0, or -1 (ENOMEM,
 * EINVAL for a prefix > 32 or an empty or over-long host name), in which
 * case the old list stays. */
int	allow_set_sources(struct proxy_allow *, const struct proxy_net *,
	    size_t);
int	allow_set_hosts(struct proxy_allow *, const char *const *, size_t);
int	allow_set_ips(struct proxy_allow *, const struct in_addr *, size_t);

bool	allow_source(const struct proxy_allow *, const struct in_addr *);
/* host is a name or an IPv4 literal, as it appeared in the request. */
bool	allow_target(const struct proxy_allow *, const char *host,
	    uint16_t port);

#endif
