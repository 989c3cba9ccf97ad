/* SPDX-License-Identifier: ISC */
/*
 * The UAPI text protocol of userspace WireGuard: building "set" requests,
 * parsing "get" replies, and one blocking exchange over the unix socket.
 * The socket is local and the program answers at once, so a short timeout
 * on a blocking socket is enough and keeps the callers simple. Unknown keys
 * in a reply are skipped (newer implementations add some); malformed values
 * of keys we know are an error.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/log.h"
#include "net/wg_key.h"
#include "net/wg_uapi.h"

#define WG_UAPI_TIMEOUT_MS	2000

static int	wg_uapi_printf(struct wg_uapi_buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

void
wg_uapi_buf_free(struct wg_uapi_buf *b)
{
	if (b->data != NULL) {
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	memset(b, 0, sizeof(*b));
}

static int
wg_uapi_reserve(struct wg_uapi_buf *b, size_t more)
{
	char	*n;
	size_t	 cap;

	if (b->len + more + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1) {
		if (cap > WG_UAPI_MAX_REPLY * 4)
			return -E2BIG;
		cap *= 2;
	}
	/* Not realloc: the old block may hold a private key to wipe. */
	if ((n = malloc(cap)) == NULL)
		return -ENOMEM;
	if (b->data != NULL) {
		memcpy(n, b->data, b->len);
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = n;
	b->cap = cap;
	b->data[b->len] = '\0';
	return 0;
}

static int
wg_uapi_printf(struct wg_uapi_buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((rc = wg_uapi_reserve(b, (size_t)n)) < 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int
wg_uapi_path(char *path, size_t len, const char *ifname)
{
	int n;

	n = snprintf(path, len, "%s/%s.sock", WG_UAPI_DIR, ifname);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int
wg_uapi_put_endpoint(struct wg_uapi_buf *b, const union wg_endpoint *ep)
{
	char addr[INET6_ADDRSTRLEN];

	switch (ep->sa.sa_family) {
	case AF_UNSPEC:
		return 0;
	case AF_INET:
		inet_ntop(AF_INET, &ep->sin.sin_addr, addr, sizeof(addr));
		return wg_uapi_printf(b, "endpoint=%s:%u\n", addr,
		    ntohs(ep->sin.sin_port));
	case AF_INET6:
		inet_ntop(AF_INET6, &ep->sin6.sin6_addr, addr, sizeof(addr));
		return wg_uapi_printf(b, "endpoint=[%s]:%u\n", addr,
		    ntohs(ep->sin6.sin6_port));
	default:
		return -EINVAL;
	}
}

static int
wg_uapi_put_allowedip(struct wg_uapi_buf *b, const struct wg_allowedip *a)
{
	char addr[INET6_ADDRSTRLEN];

	if (a->family == AF_INET && a->cidr <= 32)
		inet_ntop(AF_INET, &a->addr.ip4, addr, sizeof(addr));
	else if (a->family == AF_INET6 && a->cidr <= 128)
		inet_ntop(AF_INET6, &a->addr.ip6, addr, sizeof(addr));
	else
		return -EINVAL;
	return wg_uapi_printf(b, "allowed_ip=%s/%u\n", addr, a->cidr);
}

int
wg_uapi_build_set(struct wg_uapi_buf *b, const struct wg_device_config *cfg)
{
	const struct wg_peer_config	*p;
	char				 hex[WG_KEY_HEX_SIZE];
	size_t				 i, j;
	int				 rc;

	if ((rc = wg_uapi_printf(b, "set=1\n")) < 0)
		return rc;
	if (cfg->set_private_key) {
		wg_key_to_hex(hex, cfg->private_key);
		rc = wg_uapi_printf(b, "private_key=%s\n", hex);
		OPENSSL_cleanse(hex, sizeof(hex));
		if (rc < 0)
			return rc;
	}
	if (cfg->set_listen_port &&
	    (rc = wg_uapi_printf(b, "listen_port=%u\n", cfg->listen_port)) < 0)
		return rc;
	if (cfg->replace_peers &&
	    (rc = wg_uapi_printf(b, "replace_peers=true\n")) < 0)
		return rc;
	for (i = 0; i < cfg->npeers; i++) {
		p = &cfg->peers[i];
		wg_key_to_hex(hex, p->public_key);
		if ((rc = wg_uapi_printf(b, "public_key=%s\n", hex)) < 0)
			return rc;
		if (p->remove) {
			if ((rc = wg_uapi_printf(b, "remove=true\n")) < 0)
				return rc;
			continue;
		}
		if ((rc = wg_uapi_put_endpoint(b, &p->endpoint)) < 0)
			return rc;
		if ((rc = wg_uapi_printf(b,
		    "persistent_keepalive_interval=%u\n",
		    p->persistent_keepalive)) < 0)
			return rc;
		if (p->replace_allowedips &&
		    (rc = wg_uapi_printf(b, "replace_allowed_ips=true\n")) < 0)
			return rc;
		for (j = 0; j < p->nallowedips; j++)
			if ((rc = wg_uapi_put_allowedip(b,
			    &p->allowedips[j])) < 0)
				return rc;
	}
	return wg_uapi_printf(b, "\n");
}

/* A decimal number in [0, max], the whole value; -1 if not. */
static int
wg_uapi_number(const char *v, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t	n = 0;
	size_t		i;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		if (n > (UINT64_MAX - (uint64_t)(v[i] - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	if (n > max)
		return -1;
	*out = n;
	return 0;
}

/* "1.2.3.4:5" or "[v6]:5" (with an optional %scope we drop). */
static int
wg_uapi_endpoint(const char *v, size_t len, union wg_endpoint *ep)
{
	char		 host[INET6_ADDRSTRLEN + 1], *pct;
	const char	*end = v + len, *colon, *hstart, *hend;
	uint64_t	 port;
	size_t		 hlen;

	if (len == 0)
		return -1;
	if (v[0] == '[') {
		if ((hend = memchr(v, ']', len)) == NULL || hend + 1 >= end ||
		    hend[1] != ':')
			return -1;
		hstart = v + 1;
		colon = hend + 1;
	} else {
		if ((colon = memrchr(v, ':', len)) == NULL)
			return -1;
		hstart = v;
		hend = colon;
	}
	hlen = (size_t)(hend - hstart);
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, hstart, hlen);
	host[hlen] = '\0';
	if (wg_uapi_number(colon + 1, (size_t)(end - colon - 1), 65535,
	    &port) < 0)
		return -1;
	memset(ep, 0, sizeof(*ep));
	if (v[0] != '[' && inet_pton(AF_INET, host, &ep->sin.sin_addr) == 1) {
		ep->sin.sin_family = AF_INET;
		ep->sin.sin_port = htons((uint16_t)port);
		return 0;
	}
	if (v[0] == '[') {
		if ((pct = strchr(host, '%')) != NULL)
			*pct = '\0';
		if (inet_pton(AF_INET6, host, &ep->sin6.sin6_addr) == 1) {
			ep->sin6.sin6_family = AF_INET6;
			ep->sin6.sin6_port = htons((uint16_t)port);
			return 0;
		}
	}
	memset(ep, 0, sizeof(*ep));
	return -1;
}

/* "a.b.c.d/n" or "v6/n". */
static int
wg_uapi_allowedip(const char *v, size_t len, struct wg_allowedip *a)
{
	char		 host[INET6_ADDRSTRLEN + 1];
	const char	*slash;
	uint64_t	 cidr;
	size_t		 hlen;

	memset(a, 0, sizeof(*a));
	if ((slash = memchr(v, '/', len)) == NULL)
		return -1;
	hlen = (size_t)(slash - v);
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, v, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, &a->addr.ip4) == 1) {
		a->family = AF_INET;
		if (wg_uapi_number(slash + 1, len - hlen - 1, 32, &cidr) < 0)
			return -1;
	} else if (inet_pton(AF_INET6, host, &a->addr.ip6) == 1) {
		a->family = AF_INET6;
		if (wg_uapi_number(slash + 1, len - hlen - 1, 128, &cidr) < 0)
			return -1;
	} else
		return -1;
	a->cidr = (uint8_t)cidr;
	return 0;
}

static bool
wg_uapi_key_is(const char *k, size_t klen, const char *name)
{
	return strlen(name) == klen && memcmp(k, name, klen) == 0;
}

static bool
wg_uapi_peer_key(const char *k, size_t klen)
{
	static const char *const keys[] = { "endpoint",
	    "last_handshake_time_sec", "last_handshake_time_nsec", "rx_bytes",
	    "tx_bytes", "persistent_keepalive_interval", "allowed_ip" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (wg_uapi_key_is(k, klen, keys[i]))
			return true;
	return false;
}

int
wg_uapi_parse_get(const char *reply, size_t len, struct wg_device_status *st)
{
	struct wg_peer_status	*peer = NULL;
	struct wg_allowedip	 aip;
	const char		*line, *end = reply + len, *nl, *eq, *v;
	uint8_t			 key[WG_KEYLEN];
	uint64_t		 n;
	size_t			 klen, vlen, lineno = 0;
	int			 rc;

	memset(st, 0, sizeof(*st));
	if (len > WG_UAPI_MAX_REPLY)
		return -E2BIG;
	for (line = reply; line < end; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL) {
			log_warnx("wireguard uapi: reply line %zu not "
			    "terminated", lineno);
			return -EBADMSG;
		}
		if (nl == line) {
			log_warnx("wireguard uapi: reply ends without errno");
			return -EBADMSG;
		}
		if ((eq = memchr(line, '=', (size_t)(nl - line))) == NULL ||
		    eq == line) {
			log_warnx("wireguard uapi: reply line %zu is not "
			    "key=value", lineno);
			return -EBADMSG;
		}
		klen = (size_t)(eq - line);
		v = eq + 1;
		vlen = (size_t)(nl - v);
		rc = 0;
		if (wg_uapi_key_is(line, klen, "errno")) {
			if (wg_uapi_number(v, vlen, INT_MAX, &n) < 0) {
				log_warnx("wireguard uapi: bad errno value");
				return -EBADMSG;
			}
			/* Only a blank line may follow. */
			if (end - nl < 2 || nl[1] != '\n') {
				log_warnx("wireguard uapi: no blank line "
				    "after errno");
				return -EBADMSG;
			}
			return n == 0 ? 0 : -(int)n;
		} else if (wg_uapi_key_is(line, klen, "private_key")) {
			if (peer != NULL || wg_key_from_hex(key, v, vlen) < 0)
				goto bad;
			/* Keep only the public half. */
			if (!wg_key_is_zero(key) &&
			    wg_key_public(st->public_key, key) == 0)
				st->has_public_key = true;
			wg_key_wipe(key);
		} else if (wg_uapi_key_is(line, klen, "listen_port")) {
			if (peer != NULL ||
			    wg_uapi_number(v, vlen, 65535, &n) < 0)
				goto bad;
			st->listen_port = (uint16_t)n;
		} else if (wg_uapi_key_is(line, klen, "public_key")) {
			if (wg_key_from_hex(key, v, vlen) < 0)
				goto bad;
			if ((peer = wg_device_status_add_peer(st)) == NULL)
				return -ENOMEM;
			memcpy(peer->public_key, key, WG_KEYLEN);
		} else if (peer == NULL && wg_uapi_peer_key(line, klen)) {
			/* A peer's key before any public_key. */
			goto bad;
		} else if (wg_uapi_key_is(line, klen, "endpoint")) {
			if (wg_uapi_endpoint(v, vlen, &peer->endpoint) < 0)
				goto bad;
		} else if (wg_uapi_key_is(line, klen,
		    "last_handshake_time_sec")) {
			if (wg_uapi_number(v, vlen, INT64_MAX, &n) < 0)
				goto bad;
			peer->last_handshake.tv_sec = (time_t)n;
		} else if (wg_uapi_key_is(line, klen,
		    "last_handshake_time_nsec")) {
			if (wg_uapi_number(v, vlen, 999999999, &n) < 0)
				goto bad;
			peer->last_handshake.tv_nsec = (long)n;
		} else if (wg_uapi_key_is(line, klen, "rx_bytes")) {
			if (wg_uapi_number(v, vlen, UINT64_MAX, &n) < 0)
				goto bad;
			peer->rx_bytes = n;
		} else if (wg_uapi_key_is(line, klen, "tx_bytes")) {
			if (wg_uapi_number(v, vlen, UINT64_MAX, &n) < 0)
				goto bad;
			peer->tx_bytes = n;
		} else if (wg_uapi_key_is(line, klen,
		    "persistent_keepalive_interval")) {
			if (wg_uapi_number(v, vlen, 65535, &n) < 0)
				goto bad;
			peer->persistent_keepalive = (uint16_t)n;
		} else if (wg_uapi_key_is(line, klen, "allowed_ip")) {
			if (wg_uapi_allowedip(v, vlen, &aip) < 0)
				goto bad;
			if ((rc = wg_peer_status_add_allowedip(peer,
			    &aip)) < 0)
				return rc;
		}
		/* Others (preshared_key, protocol_version, ...): skip. */
		continue;
 bad:
		wg_key_wipe(key);
		log_warnx("wireguard uapi: reply line %zu: bad value for "
		    "\"%.*s\"", lineno, (int)(klen > 40 ? 40 : klen), line);
		return -EBADMSG;
	}
	log_warnx("wireguard uapi: reply ends without errno");
	return -EBADMSG;
}

int
wg_uapi_parse_errno(const char *reply, size_t len)
{
	struct wg_device_status	st;
	int			rc;

	/* A set reply is a get reply with nothing but errno. */
	rc = wg_uapi_parse_get(reply, len, &st);
	wg_device_status_free(&st);
	return rc;
}

static int
wg_uapi_connect(const char *ifname)
{
	struct sockaddr_un	sun;
	struct timeval		tv;
	int			fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((rc = wg_uapi_path(sun.sun_path, sizeof(sun.sun_path), ifname)) < 0)
		return rc;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -errno;
	tv.tv_sec = WG_UAPI_TIMEOUT_MS / 1000;
	tv.tv_usec = (WG_UAPI_TIMEOUT_MS % 1000) * 1000;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

/* Send req, read the reply up to its final blank line into out. */
static int
wg_uapi_exchange(const char *ifname, const char *req, size_t reqlen,
    struct wg_uapi_buf *out)
{
	size_t	off = 0;
	ssize_t	n;
	int	fd, rc = 0;

	if ((fd = wg_uapi_connect(ifname)) < 0)
		return fd;
	while (off < reqlen) {
		n = send(fd, req + off, reqlen - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n == 0 ? -EPIPE : -errno;
			goto close_fd;
		}
		off += (size_t)n;
	}
	for (;;) {
		if (out->len >= 2 && out->data[out->len - 1] == '\n' &&
		    out->data[out->len - 2] == '\n')
			break;
		if (out->len >= WG_UAPI_MAX_REPLY) {
			rc = -E2BIG;
			goto close_fd;
		}
		if ((rc = wg_uapi_reserve(out, 4096)) < 0)
			goto close_fd;
		n = recv(fd, out->data + out->len, out->cap - out->len - 1, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto close_fd;
		}
		if (n == 0) {
			/* Closed early: let the parser say what is missing. */
			break;
		}
		out->len += (size_t)n;
		out->data[out->len] = '\0';
	}
	rc = 0;
 close_fd:
	close(fd);
	return rc;
}

bool
wg_uapi_alive(const char *ifname)
{
	struct wg_device_status st;

	if (wg_uapi_get(ifname, &st) < 0) {
		wg_device_status_free(&st);
		return false;
	}
	wg_device_status_free(&st);
	return true;
}

int
wg_uapi_get(const char *ifname, struct wg_device_status *st)
{
	struct wg_uapi_buf	reply = { 0 };
	static const char	req[] = "get=1\n\n";
	int			rc;

	memset(st, 0, sizeof(*st));
	if ((rc = wg_uapi_exchange(ifname, req, sizeof(req) - 1, &reply)) < 0)
		goto free_reply;
	rc = wg_uapi_parse_get(reply.data ? reply.data : "", reply.len, st);
 free_reply:
	wg_uapi_buf_free(&reply);
	return rc;
}

int
wg_uapi_set(const char *ifname, const struct wg_device_config *cfg)
{
	struct wg_uapi_buf	req = { 0 }, reply = { 0 };
	int			rc;

	if ((rc = wg_uapi_build_set(&req, cfg)) < 0)
		goto free_req;
	if ((rc = wg_uapi_exchange(ifname, req.data, req.len, &reply)) < 0)
		goto free_reply;
	rc = wg_uapi_parse_errno(reply.data ? reply.data : "", reply.len);
	if (rc < 0 && rc != -EBADMSG)
		log_warnx("%s: userspace WireGuard refused the config: %s",
		    ifname, strerror(-rc));
 free_reply:
	wg_uapi_buf_free(&reply);
 free_req:
	wg_uapi_buf_free(&req);
	return rc;
}
