/* SPDX-License-Identifier: ISC */
/*
 * Generic netlink messages for the kernel WireGuard family, with libmnl.
 * Builders use the *_check variants so a full buffer is noticed and the
 * config continues in the next message; parsers validate every attribute
 * (type and exact length) before reading it.
 */
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/wireguard.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "core/log.h"
#include "net/netns.h"
#include "net/wg_genl.h"

/* The kernel's struct __kernel_timespec. */
struct wg_genl_timespec {
	int64_t	tv_sec;
	int64_t	tv_nsec;
};

/* Refuse what the kernel would, before the first of several messages. */
static int
wg_genl_validate(const struct wg_device_config *cfg)
{
	const struct wg_allowedip *a;
	size_t i, j;

	for (i = 0; i < cfg->npeers; i++)
		for (j = 0; j < cfg->peers[i].nallowedips; j++) {
			a = &cfg->peers[i].allowedips[j];
			if (!(a->family == AF_INET && a->cidr <= 32) &&
			    !(a->family == AF_INET6 && a->cidr <= 128))
				return -EINVAL;
		}
	return 0;
}

/*
 * Put one peer (or the part of it from cur->aip on) into the open peers
 * nest. Returns 1 if the whole peer went in, 0 if the message is full
 * (cur->aip says where to resume; nothing of the peer stays if not even
 * its head fit).
 */
static int
wg_genl_put_peer(struct nlmsghdr *nlh, size_t buflen,
    const struct wg_peer_config *p, struct wg_genl_cursor *cur)
{
	struct nlattr	*pnest, *anest, *a;
	const struct wg_allowedip *aip;
	uint32_t	 flags = 0;
	size_t		 start = cur->aip, j;
	size_t		 salen;

	if ((pnest = mnl_attr_nest_start_check(nlh, buflen, 0)) == NULL)
		return 0;
	if (!mnl_attr_put_check(nlh, buflen, WGPEER_A_PUBLIC_KEY, WG_KEYLEN,
	    p->public_key))
		goto cancel;
	if (p->remove)
		flags |= WGPEER_F_REMOVE_ME;
	else if (p->replace_allowedips && start == 0)
		flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
	if (flags != 0 &&
	    !mnl_attr_put_u32_check(nlh, buflen, WGPEER_A_FLAGS, flags))
		goto cancel;
	if (p->remove)
		goto done;
	if (start == 0) {
		salen = 0;
		if (p->endpoint.sa.sa_family == AF_INET)
			salen = sizeof(p->endpoint.sin);
		else if (p->endpoint.sa.sa_family == AF_INET6)
			salen = sizeof(p->endpoint.sin6);
		if (salen != 0 && !mnl_attr_put_check(nlh, buflen,
		    WGPEER_A_ENDPOINT, salen, &p->endpoint))
			goto cancel;
		if (!mnl_attr_put_u16_check(nlh, buflen,
		    WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
		    p->persistent_keepalive))
			goto cancel;
	}
	if (start >= p->nallowedips)
		goto done;
	if ((anest = mnl_attr_nest_start_check(nlh, buflen,
	    WGPEER_A_ALLOWEDIPS)) == NULL)
		goto cancel;
	for (j = start; j < p->nallowedips; j++) {
		aip = &p->allowedips[j];
		if ((a = mnl_attr_nest_start_check(nlh, buflen, 0)) == NULL)
			break;
		if (!mnl_attr_put_u16_check(nlh, buflen, WGALLOWEDIP_A_FAMILY,
		    aip->family) ||
		    !mnl_attr_put_check(nlh, buflen, WGALLOWEDIP_A_IPADDR,
		    aip->family == AF_INET ? 4 : 16, &aip->addr) ||
		    !mnl_attr_put_u8_check(nlh, buflen, WGALLOWEDIP_A_CIDR_MASK,
		    aip->cidr)) {
			mnl_attr_nest_cancel(nlh, a);
			break;
		}
		mnl_attr_nest_end(nlh, a);
	}
	if (j == start) {
		/* Not one allowed IP fit: resume the peer in the next one. */
		mnl_attr_nest_cancel(nlh, anest);
		goto cancel;
	}
	mnl_attr_nest_end(nlh, anest);
	mnl_attr_nest_end(nlh, pnest);
	cur->aip = j;
	if (j < p->nallowedips)
		return 0;
	return 1;
 done:
	mnl_attr_nest_end(nlh, pnest);
	return 1;
 cancel:
	mnl_attr_nest_cancel(nlh, pnest);
	return 0;
}

int
wg_genl_build_set(void *buf, size_t buflen, uint16_t family, uint32_t seq,
    const char *ifname, const struct wg_device_config *cfg,
    struct wg_genl_cursor *cur)
{
	struct nlmsghdr		*nlh;
	struct genlmsghdr	*genl;
	struct nlattr		*peers;
	const struct wg_peer_config *p;
	size_t			 before_peer, before_aip;
	int			 progress = 0, r;

	if (cur->started && cur->peer >= cfg->npeers)
		return 0;
	if (!cur->started && (r = wg_genl_validate(cfg)) < 0)
		return r;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = WG_CMD_SET_DEVICE;
	genl->version = WG_GENL_VERSION;
	if (!mnl_attr_put_strz_check(nlh, buflen, WGDEVICE_A_IFNAME, ifname))
		return -E2BIG;
	if (!cur->started) {
		if (cfg->set_private_key && !mnl_attr_put_check(nlh, buflen,
		    WGDEVICE_A_PRIVATE_KEY, WG_KEYLEN, cfg->private_key))
			return -E2BIG;
		if (cfg->set_listen_port && !mnl_attr_put_u16_check(nlh,
		    buflen, WGDEVICE_A_LISTEN_PORT, cfg->listen_port))
			return -E2BIG;
		if (!mnl_attr_put_u32_check(nlh, buflen, WGDEVICE_A_FLAGS,
		    cfg->replace_peers ? WGDEVICE_F_REPLACE_PEERS : 0))
			return -E2BIG;
		cur->started = true;
		progress = 1;
	}
	if (cur->peer >= cfg->npeers)
		return (int)nlh->nlmsg_len;
	if ((peers = mnl_attr_nest_start_check(nlh, buflen,
	    WGDEVICE_A_PEERS)) == NULL)
		goto full;
	while (cur->peer < cfg->npeers) {
		p = &cfg->peers[cur->peer];
		before_peer = cur->peer;
		before_aip = cur->aip;
		r = wg_genl_put_peer(nlh, buflen, p, cur);
		if (r == 1) {
			cur->peer++;
			cur->aip = 0;
			progress = 1;
			continue;
		}
		if (cur->peer != before_peer || cur->aip != before_aip)
			progress = 1;
		break;
	}
	if (progress && mnl_attr_get_payload_len(peers) > 0)
		mnl_attr_nest_end(nlh, peers);
	else
		mnl_attr_nest_cancel(nlh, peers);
 full:
	if (!progress)
		return -E2BIG;
	return (int)nlh->nlmsg_len;
}

int
wg_genl_build_get(void *buf, size_t buflen, uint16_t family, uint32_t seq,
    const char *ifname)
{
	struct nlmsghdr		*nlh;
	struct genlmsghdr	*genl;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = WG_CMD_GET_DEVICE;
	genl->version = WG_GENL_VERSION;
	if (!mnl_attr_put_strz_check(nlh, buflen, WGDEVICE_A_IFNAME, ifname))
		return -E2BIG;
	return (int)nlh->nlmsg_len;
}

/* Attribute tables filled by the validating callbacks below. */
struct wg_genl_tb {
	const struct nlattr	*a[16];
	int			 max;
};

static int
wg_genl_check(const struct nlattr *attr, int type)
{
	switch (type) {
	case 'k':	/* a key */
		return mnl_attr_validate2(attr, MNL_TYPE_BINARY, WG_KEYLEN);
	case 's':
		return mnl_attr_validate(attr, MNL_TYPE_NUL_STRING);
	case 'n':
		return mnl_attr_validate(attr, MNL_TYPE_NESTED);
	case '1':
		return mnl_attr_validate(attr, MNL_TYPE_U8);
	case '2':
		return mnl_attr_validate(attr, MNL_TYPE_U16);
	case '4':
		return mnl_attr_validate(attr, MNL_TYPE_U32);
	case '8':
		return mnl_attr_validate(attr, MNL_TYPE_U64);
	case 'b':	/* binary, length checked by the reader */
		return 0;
	default:	/* unknown to us: ignore */
		return 1;
	}
}

/*
 * One validator per nesting level: a string of type letters indexed by
 * attribute type. Attributes we do not know are skipped (newer kernels).
 */
static const char wg_genl_device_types[] = {
	[WGDEVICE_A_IFINDEX] = '4', [WGDEVICE_A_IFNAME] = 's',
	[WGDEVICE_A_PRIVATE_KEY] = 'k', [WGDEVICE_A_PUBLIC_KEY] = 'k',
	[WGDEVICE_A_FLAGS] = '4', [WGDEVICE_A_LISTEN_PORT] = '2',
	[WGDEVICE_A_FWMARK] = '4', [WGDEVICE_A_PEERS] = 'n',
};
static const char wg_genl_peer_types[] = {
	[WGPEER_A_PUBLIC_KEY] = 'k', [WGPEER_A_PRESHARED_KEY] = 'k',
	[WGPEER_A_FLAGS] = '4', [WGPEER_A_ENDPOINT] = 'b',
	[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL] = '2',
	[WGPEER_A_LAST_HANDSHAKE_TIME] = 'b', [WGPEER_A_RX_BYTES] = '8',
	[WGPEER_A_TX_BYTES] = '8', [WGPEER_A_ALLOWEDIPS] = 'n',
	[WGPEER_A_PROTOCOL_VERSION] = '4',
};
static const char wg_genl_aip_types[] = {
	[WGALLOWEDIP_A_FAMILY] = '2', [WGALLOWEDIP_A_IPADDR] = 'b',
	[WGALLOWEDIP_A_CIDR_MASK] = '1',
};

struct wg_genl_level {
	const char		*types;
	size_t			 ntypes;
	struct wg_genl_tb	*tb;
};

static int
wg_genl_attr_cb(const struct nlattr *attr, void *arg)
{
	struct wg_genl_level	*lv = arg;
	uint16_t		 type = mnl_attr_get_type(attr);
	int			 rc;

	if (type >= lv->ntypes || lv->types[type] == 0)
		return MNL_CB_OK;
	if ((rc = wg_genl_check(attr, lv->types[type])) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (rc == 0)
		lv->tb->a[type] = attr;
	return MNL_CB_OK;
}

/*
 * libmnl stops quietly at an attribute that runs past its container; the
 * kernel never sends one, so a leftover means a malformed message.
 */
static bool
wg_genl_exact(const void *payload, size_t len)
{
	const struct nlattr	*a = payload;
	int			 rem = (int)len;

	while (mnl_attr_ok(a, rem)) {
		rem -= (int)MNL_ALIGN(a->nla_len);
		a = mnl_attr_next(a);
	}
	return rem <= 0;
}

/*
 * Walk a nest's children. libmnl's mnl_attr_for_each_nested() casts the
 * const away, which -Wcast-qual (clang) rejects.
 */
static const struct nlattr *
wg_genl_first(const struct nlattr *nest, int *rem)
{
	*rem = (int)mnl_attr_get_payload_len(nest);
	return mnl_attr_get_payload(nest);
}

static const struct nlattr *
wg_genl_next(const struct nlattr *a, int *rem)
{
	*rem -= (int)MNL_ALIGN(a->nla_len);
	return mnl_attr_next(a);
}

static int
wg_genl_parse_level(const struct nlattr *nest, const char *types,
    size_t ntypes, struct wg_genl_tb *tb)
{
	struct wg_genl_level lv = { types, ntypes, tb };

	memset(tb, 0, sizeof(*tb));
	if (!wg_genl_exact(mnl_attr_get_payload(nest),
	    mnl_attr_get_payload_len(nest)) ||
	    mnl_attr_parse_nested(nest, wg_genl_attr_cb, &lv) < 0)
		return -EBADMSG;
	return 0;
}

static int
wg_genl_parse_aip(const struct nlattr *nest, struct wg_allowedip *out)
{
	struct wg_genl_tb	tb;
	uint16_t		fam;
	uint16_t		len;

	if (wg_genl_parse_level(nest, wg_genl_aip_types,
	    sizeof(wg_genl_aip_types), &tb) < 0)
		return -EBADMSG;
	if (tb.a[WGALLOWEDIP_A_FAMILY] == NULL ||
	    tb.a[WGALLOWEDIP_A_IPADDR] == NULL ||
	    tb.a[WGALLOWEDIP_A_CIDR_MASK] == NULL)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	fam = mnl_attr_get_u16(tb.a[WGALLOWEDIP_A_FAMILY]);
	len = mnl_attr_get_payload_len(tb.a[WGALLOWEDIP_A_IPADDR]);
	out->cidr = mnl_attr_get_u8(tb.a[WGALLOWEDIP_A_CIDR_MASK]);
	if (fam == AF_INET && len == 4 && out->cidr <= 32)
		memcpy(&out->addr.ip4, mnl_attr_get_payload(
		    tb.a[WGALLOWEDIP_A_IPADDR]), 4);
	else if (fam == AF_INET6 && len == 16 && out->cidr <= 128)
		memcpy(&out->addr.ip6, mnl_attr_get_payload(
		    tb.a[WGALLOWEDIP_A_IPADDR]), 16);
	else
		return -EBADMSG;
	out->family = fam;
	return 0;
}

static int
wg_genl_parse_peer(const struct nlattr *nest, struct wg_device_status *st,
    bool first_in_msg)
{
	struct wg_genl_tb	 tb;
	struct wg_peer_status	*p;
	struct wg_genl_timespec	 ts;
	struct wg_allowedip	 aip;
	const struct nlattr	*pos;
	const void		*pl;
	uint16_t		 len;
	int			 rc, rem;

	if (wg_genl_parse_level(nest, wg_genl_peer_types,
	    sizeof(wg_genl_peer_types), &tb) < 0)
		return -EBADMSG;
	if (tb.a[WGPEER_A_PUBLIC_KEY] == NULL)
		return -EBADMSG;
	pl = mnl_attr_get_payload(tb.a[WGPEER_A_PUBLIC_KEY]);
	/* The kernel continues a peer that did not fit in the next message. */
	if (first_in_msg && st->npeers > 0 &&
	    memcmp(st->peers[st->npeers - 1].public_key, pl, WG_KEYLEN) == 0)
		p = &st->peers[st->npeers - 1];
	else {
		if ((p = wg_device_status_add_peer(st)) == NULL)
			return -ENOMEM;
		memcpy(p->public_key, pl, WG_KEYLEN);
	}
	if ((pos = tb.a[WGPEER_A_ENDPOINT]) != NULL) {
		len = mnl_attr_get_payload_len(pos);
		pl = mnl_attr_get_payload(pos);
		memset(&p->endpoint, 0, sizeof(p->endpoint));
		if (len == sizeof(struct sockaddr_in) &&
		    ((const struct sockaddr *)pl)->sa_family == AF_INET)
			memcpy(&p->endpoint.sin, pl, len);
		else if (len == sizeof(struct sockaddr_in6) &&
		    ((const struct sockaddr *)pl)->sa_family == AF_INET6)
			memcpy(&p->endpoint.sin6, pl, len);
		else
			return -EBADMSG;
	}
	if ((pos = tb.a[WGPEER_A_LAST_HANDSHAKE_TIME]) != NULL) {
		if (mnl_attr_get_payload_len(pos) != sizeof(ts))
			return -EBADMSG;
		memcpy(&ts, mnl_attr_get_payload(pos), sizeof(ts));
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
		    ts.tv_nsec > 999999999)
			return -EBADMSG;
		p->last_handshake.tv_sec = (time_t)ts.tv_sec;
		p->last_handshake.tv_nsec = (long)ts.tv_nsec;
	}
	if (tb.a[WGPEER_A_RX_BYTES] != NULL)
		p->rx_bytes = mnl_attr_get_u64(tb.a[WGPEER_A_RX_BYTES]);
	if (tb.a[WGPEER_A_TX_BYTES] != NULL)
		p->tx_bytes = mnl_attr_get_u64(tb.a[WGPEER_A_TX_BYTES]);
	if (tb.a[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL] != NULL)
		p->persistent_keepalive = mnl_attr_get_u16(
		    tb.a[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]);
	if (tb.a[WGPEER_A_ALLOWEDIPS] == NULL)
		return 0;
	pos = tb.a[WGPEER_A_ALLOWEDIPS];
	if (!wg_genl_exact(mnl_attr_get_payload(pos),
	    mnl_attr_get_payload_len(pos)))
		return -EBADMSG;
	for (pos = wg_genl_first(tb.a[WGPEER_A_ALLOWEDIPS], &rem);
	    mnl_attr_ok(pos, rem); pos = wg_genl_next(pos, &rem)) {
		if (wg_genl_parse_aip(pos, &aip) < 0)
			return -EBADMSG;
		if ((rc = wg_peer_status_add_allowedip(p, &aip)) < 0)
			return rc;
	}
	return 0;
}

static int
wg_genl_device_cb(const struct nlattr *attr, void *arg)
{
	struct wg_genl_level lv = { wg_genl_device_types,
	    sizeof(wg_genl_device_types), arg };

	return wg_genl_attr_cb(attr, &lv);
}

int
wg_genl_parse_device(const struct nlmsghdr *nlh, struct wg_device_status *st)
{
	struct wg_genl_tb	 tb;
	const struct genlmsghdr	*genl;
	const struct nlattr	*pos;
	bool			 first = true;
	int			 rc, rem;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*genl)) {
		log_warnx("wireguard genl: reply too short (%u bytes)",
		    nlh->nlmsg_len);
		return -EBADMSG;
	}
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != WG_CMD_GET_DEVICE) {
		log_warnx("wireguard genl: unexpected reply command %u",
		    genl->cmd);
		return -EBADMSG;
	}
	memset(&tb, 0, sizeof(tb));
	if (!wg_genl_exact(mnl_nlmsg_get_payload_offset(nlh, sizeof(*genl)),
	    nlh->nlmsg_len - MNL_NLMSG_HDRLEN - MNL_ALIGN(sizeof(*genl))) ||
	    mnl_attr_parse(nlh, sizeof(*genl), wg_genl_device_cb, &tb) < 0) {
		log_warnx("wireguard genl: malformed device attribute");
		return -EBADMSG;
	}
	if (tb.a[WGDEVICE_A_PUBLIC_KEY] != NULL) {
		memcpy(st->public_key,
		    mnl_attr_get_payload(tb.a[WGDEVICE_A_PUBLIC_KEY]),
		    WG_KEYLEN);
		st->has_public_key = true;
	}
	if (tb.a[WGDEVICE_A_LISTEN_PORT] != NULL)
		st->listen_port =
		    mnl_attr_get_u16(tb.a[WGDEVICE_A_LISTEN_PORT]);
	if (tb.a[WGDEVICE_A_PEERS] == NULL)
		return 0;
	pos = tb.a[WGDEVICE_A_PEERS];
	if (!wg_genl_exact(mnl_attr_get_payload(pos),
	    mnl_attr_get_payload_len(pos))) {
		log_warnx("wireguard genl: malformed peer attribute");
		return -EBADMSG;
	}
	for (pos = wg_genl_first(tb.a[WGDEVICE_A_PEERS], &rem);
	    mnl_attr_ok(pos, rem); pos = wg_genl_next(pos, &rem)) {
		if ((rc = wg_genl_parse_peer(pos, st, first)) < 0) {
			if (rc == -EBADMSG)
				log_warnx("wireguard genl: malformed peer "
				    "attribute");
			return rc;
		}
		first = false;
	}
	return 0;
}

static int
wg_genl_open_fn(void *arg)
{
	struct mnl_socket **nl = arg;

	if ((*nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC)) == NULL)
		return -errno;
	if (mnl_socket_bind(*nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int rc = -errno;

		mnl_socket_close(*nl);
		*nl = NULL;
		return rc;
	}
	return 0;
}

struct mnl_socket *
wg_genl_open(int nsfd)
{
	struct mnl_socket	*nl = NULL;
	int			 rc;

	if ((rc = netns_run(nsfd, wg_genl_open_fn, &nl)) < 0) {
		errno = -rc;
		return NULL;
	}
	return nl;
}

struct wg_genl_talk_ctx {
	int	(*cb)(const struct nlmsghdr *, void *);
	void	*arg;
	int	 error;
};

static int
wg_genl_talk_cb(const struct nlmsghdr *nlh, void *data)
{
	struct wg_genl_talk_ctx *t = data;
	int rc;

	if (t->cb == NULL)
		return MNL_CB_OK;
	if ((rc = t->cb(nlh, t->arg)) < 0) {
		t->error = rc;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int
wg_genl_talk(struct mnl_socket *nl, void *buf, size_t len, uint32_t seq,
    int (*cb)(const struct nlmsghdr *, void *), void *arg)
{
	struct wg_genl_talk_ctx	 t = { cb, arg, 0 };
	char			*rbuf;
	size_t			 rlen = 32768;	/* dump messages are large */
	ssize_t			 n;
	int			 rc;

	if (mnl_socket_sendto(nl, buf, len) < 0)
		return -errno;
	if ((rbuf = malloc(rlen)) == NULL)
		return -ENOMEM;
	for (;;) {
		n = mnl_socket_recvfrom(nl, rbuf, rlen);
		if (n < 0) {
			rc = -errno;
			break;
		}
		rc = mnl_cb_run(rbuf, (size_t)n, seq,
		    mnl_socket_get_portid(nl), wg_genl_talk_cb, &t);
		if (rc == MNL_CB_ERROR) {
			rc = t.error ? t.error : -errno;
			break;
		}
		if (rc == MNL_CB_STOP) {
			rc = 0;
			break;
		}
	}
	free(rbuf);
	return rc;
}

static int
wg_genl_family_attr_cb(const struct nlattr *attr, void *arg)
{
	uint16_t *id = arg;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID) {
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		*id = mnl_attr_get_u16(attr);
	}
	return MNL_CB_OK;
}

static int
wg_genl_family_cb(const struct nlmsghdr *nlh, void *arg)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr),
	    wg_genl_family_attr_cb, arg) < 0)
		return -EBADMSG;
	return 0;
}

int
wg_genl_family(struct mnl_socket *nl, uint32_t *seq)
{
	char			 buf[256];
	struct nlmsghdr		*nlh;
	struct genlmsghdr	*genl;
	uint16_t		 id = 0;
	int			 rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++*seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME);
	rc = wg_genl_talk(nl, buf, nlh->nlmsg_len, *seq, wg_genl_family_cb,
	    &id);
	if (rc < 0)
		return rc;
	if (id == 0)
		return -ENOENT;
	return id;
}
