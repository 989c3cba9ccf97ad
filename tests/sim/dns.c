/* SPDX-License-Identifier: ISC */
/*
 * A tiny authoritative DNS responder for the test zone. It answers exactly
 * one question per query, never follows compression pointers in queries
 * (real resolvers do not compress the question) and bounds every read, so
 * a hostile query can only earn FORMERR.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "tests/sim/dns.h"

#define DNS_HDRLEN	12
#define DNS_TYPE_A	1
#define DNS_TYPE_ANY	255
#define DNS_CLASS_IN	1
#define DNS_RCODE_OK	0
#define DNS_RCODE_FORMERR 1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_NAME_MAX	255

static int	read_qname(const uint8_t *, size_t, size_t *, char *);
static bool	name_is(const char *, const char *);
static bool	name_in_zone(const char *);

/*
 * Read the question name at *off as dotted lower-case text into name
 * (DNS_NAME_MAX + 1 bytes). -1 on a pointer, a bad label or overflow.
 */
static int
read_qname(const uint8_t *q, size_t qlen, size_t *off, char *name)
{
	size_t	o = *off, n = 0;

	for (;;) {
		size_t	len, i;

		if (o >= qlen)
			return -1;
		len = q[o++];
		if (len == 0)
			break;
		if (len > 63 || o + len > qlen || n + len + 1 > DNS_NAME_MAX)
			return -1;
		if (n > 0)
			name[n++] = '.';
		for (i = 0; i < len; i++) {
			int c = q[o + i];

			if (c == '.' || c == '\0')
				return -1;
			name[n++] = (char)tolower(c);
		}
		o += len;
	}
	name[n] = '\0';
	*off = o;
	return 0;
}

static bool
name_is(const char *name, const char *label)
{
	size_t	l = strlen(label);

	if (l == 0)
		return strcmp(name, SIMDNS_ZONE) == 0;
	return strncmp(name, label, l) == 0 && name[l] == '.' &&
	    strcmp(name + l + 1, SIMDNS_ZONE) == 0;
}

static bool
name_in_zone(const char *name)
{
	size_t	n = strlen(name), z = strlen(SIMDNS_ZONE);

	if (n == z)
		return strcmp(name, SIMDNS_ZONE) == 0;
	return n > z && name[n - z - 1] == '.' &&
	    strcmp(name + n - z, SIMDNS_ZONE) == 0;
}

int
simdns_answer(const uint8_t *q, size_t qlen, uint8_t *out, size_t outsize,
    const struct simdns_zone *zone)
{
	char		 name[DNS_NAME_MAX + 1];
	size_t		 off = DNS_HDRLEN, qend;
	uint16_t	 qtype, qclass;
	int		 rcode = DNS_RCODE_OK;
	const struct in_addr *addr = NULL;

	if (qlen < DNS_HDRLEN || outsize < SIMDNS_MAXMSG || (q[2] & 0x80))
		return -1;
	memset(out, 0, DNS_HDRLEN);
	out[0] = q[0];
	out[1] = q[1];
	/* QR, the query's opcode and RD; AA since the zone is ours. */
	out[2] = 0x80 | (q[2] & 0x79) | 0x04;
	out[3] = 0x80;	/* RA: we pretend to be a full resolver */

	if (((q[2] >> 3) & 0x0f) != 0 || q[4] != 0 || q[5] != 1 ||
	    read_qname(q, qlen, &off, name) == -1 || off + 4 > qlen) {
		out[3] |= DNS_RCODE_FORMERR;
		return DNS_HDRLEN;
	}
	qtype = (uint16_t)(q[off] << 8 | q[off + 1]);
	qclass = (uint16_t)(q[off + 2] << 8 | q[off + 3]);
	qend = off + 4;
	if (qend > SIMDNS_MAXMSG - 16) {
		out[3] |= DNS_RCODE_FORMERR;
		return DNS_HDRLEN;
	}

	if (!name_in_zone(name))
		rcode = DNS_RCODE_SERVFAIL;
	else if (name_is(name, "") || name_is(name, "web") ||
	    name_is(name, "www"))
		addr = &zone->web;
	else if (name_is(name, "whoami"))
		addr = &zone->whoami;
	else
		rcode = DNS_RCODE_NXDOMAIN;
	if (qclass != DNS_CLASS_IN ||
	    (qtype != DNS_TYPE_A && qtype != DNS_TYPE_ANY))
		addr = NULL;	/* the name exists, no data of that type */

	/* Echo the question. */
	out[5] = 1;
	memcpy(out + DNS_HDRLEN, q + DNS_HDRLEN, qend - DNS_HDRLEN);
	out[3] |= (uint8_t)rcode;
	if (addr == NULL)
		return (int)qend;

	out[7] = 1;	/* one answer */
	off = qend;
	out[off++] = 0xc0;	/* pointer to the question name */
	out[off++] = DNS_HDRLEN;
	out[off++] = 0;
	out[off++] = DNS_TYPE_A;
	out[off++] = 0;
	out[off++] = DNS_CLASS_IN;
	out[off++] = 0;		/* TTL 60 */
	out[off++] = 0;
	out[off++] = 0;
	out[off++] = 60;
	out[off++] = 0;
	out[off++] = 4;
	memcpy(out + off, &addr->s_addr, 4);
	off += 4;
	return (int)off;
}
