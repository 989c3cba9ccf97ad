/* SPDX-License-Identifier: ISC */
/*
 * Allowlists of the CONNECT proxy. Lists are replaced whole (the server
 * list changes as a unit), so a setter builds the new list first and only
 * then swaps it in: a failed update leaves the old, still valid, list.
 * The lists are tiny (a few sources, two hosts, a few hundred IPs), so a
 * linear scan per request is cheaper than keeping anything sorted.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proxy/allow.h"

#define ALLOW_HOST_MAX	253

void
allow_init(struct proxy_allow *a)
{
	memset(a, 0, sizeof(*a));
}

static void
free_hosts(char **hosts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(hosts[i]);
	free(hosts);
}

void
allow_clear(struct proxy_allow *a)
{
	free(a->nets);
	free_hosts(a->hosts, a->nhosts);
	free(a->ips);
	allow_init(a);
}

int
allow_set_sources(struct proxy_allow *a, const struct proxy_net *nets,
    size_t n)
{
	struct proxy_net	*copy = NULL;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (nets[i].prefix > 32) {
			errno = EINVAL;
			return -1;
		}
	}
	if (n > 0) {
		if ((copy = calloc(n, sizeof(*copy))) == NULL)
			return -1;
		memcpy(copy, nets, n * sizeof(*copy));
	}
	free(a->nets);
	a->nets = copy;
	a->nnets = n;
	return 0;
}

int
allow_set_hosts(struct proxy_allow *a, const char *const *hosts, size_t n)
{
	char	**copy = NULL;
	size_t	  i, j, len;

	if (n > 0 && (copy = calloc(n, sizeof(*copy))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		len = strlen(hosts[i]);
		if (len == 0 || len > ALLOW_HOST_MAX) {
			errno = EINVAL;
			goto fail;
		}
		if ((copy[i] = strdup(hosts[i])) == NULL)
			goto fail;
		/* DNS names compare without regard to case (RFC 4343). */
		for (j = 0; j < len; j++)
			copy[i][j] = (char)tolower((unsigned char)copy[i][j]);
	}
	free_hosts(a->hosts, a->nhosts);
	a->hosts = copy;
	a->nhosts = n;
	return 0;
fail:
	free_hosts(copy, i);
	return -1;
}

int
allow_set_ips(struct proxy_allow *a, const struct in_addr *ips, size_t n)
{
	struct in_addr	*copy = NULL;

	if (n > 0) {
		if ((copy = calloc(n, sizeof(*copy))) == NULL)
			return -1;
		memcpy(copy, ips, n * sizeof(*copy));
	}
	free(a->ips);
	a->ips = copy;
	a->nips = n;
	return 0;
}

bool
allow_source(const struct proxy_allow *a, const struct in_addr *src)
{
	uint32_t	mask, s = ntohl(src->s_addr);
	size_t		i;

	for (i = 0; i < a->nnets; i++) {
		mask = a->nets[i].prefix == 0 ? 0 :
		    0xffffffffU << (32 - a->nets[i].prefix);
		if ((s & mask) == (ntohl(a->nets[i].addr.s_addr) & mask))
			return true;
	}
	return false;
}

bool
allow_target(const struct proxy_allow *a, const char *host, uint16_t port)
{
	struct in_addr	ip;
	size_t		i;

	/*
	 * An IPv4 literal is allowed only as a server-list IP: a token or
	 * server-list host reached by address could be any host at all.
	 */
	if (inet_pton(AF_INET, host, &ip) == 1) {
		if (port != ALLOW_PORT_HTTPS && port != ALLOW_PORT_ADDKEY)
			return false;
		for (i = 0; i < a->nips; i++)
			if (a->ips[i].s_addr == ip.s_addr)
				return true;
		return false;
	}
	if (port != ALLOW_PORT_HTTPS)
		return false;
	for (i = 0; i < a->nhosts; i++)
		if (strcasecmp(a->hosts[i], host) == 0)
			return true;
	return false;
}
