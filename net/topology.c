/* SPDX-License-Identifier: ISC */
/*
 * Topology reconcile: dump what the kernel has, compare it with what the
 * config wants, and send only the requests that close the gap. Everything
 * piad creates is appended to the record in creation order; teardown (and
 * pruning of what the config no longer wants) undoes it in reverse order,
 * so veths go before their netns and the bridge goes last.
 *
 * A veth pair is "intact" only if both ends exist and point at each other
 * (IFLA_LINK of each is the other's ifindex); anything else (one end
 * missing, a stale eth0 left over) is deleted and the pair made again in
 * one request, with the peer created directly inside the container netns.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "net/link.h"
#include "net/netns.h"
#include "net/rtnl.h"
#include "net/sysctl.h"
#include "net/topology.h"

#define TOPO_PATH_MAX	256
#define TOPO_PEER	"eth0"

enum topo_item_type {
	TOPO_ITEM_NETNS,	/* name: netns */
	TOPO_ITEM_LINK,		/* name: link in the host netns */
	TOPO_ITEM_ADDR,		/* name: link in the host netns, + addr */
	TOPO_ITEM_FILE,		/* name: path */
	TOPO_ITEM_DIR,		/* name: path */
};

static const char *const topo_item_names[] = {
	[TOPO_ITEM_NETNS] = "netns",
	[TOPO_ITEM_LINK] = "link",
	[TOPO_ITEM_ADDR] = "addr",
	[TOPO_ITEM_FILE] = "file",
	[TOPO_ITEM_DIR] = "dir",
};

struct topo_item {
	enum topo_item_type	type;
	char			name[TOPO_PATH_MAX];
	struct in_addr		addr;
	int			prefixlen;
	bool			with_netns;	/* teardown: goes with it */
};

/* A netns we talk to: its fd and request socket, opened once. */
struct topo_ns {
	char		 name[NETNS_NAME_MAX + 1];
	int		 fd;
	struct rtnl	*rtnl;
	dev_t		 dev;
	ino_t		 ino;
};

struct topo {
	int			 host_fd;
	struct rtnl		*host;
	struct topo_item	*items;
	size_t			 nitems;
	struct topo_ns		*ns;
	size_t			 nns;
};

/* The links of one netns, from one dump. */
struct topo_links {
	struct link_info	*v;
	size_t			 n;
	size_t			 cap;
};

/* What one reconcile pass needs besides the handle. */
struct topo_run {
	struct topo			*t;
	const struct topo_desired	*want;
	struct topo_report		*rep;
	struct topo_links		 host;
	int				 bridge_index;
	char				*err;
	size_t				 errlen;
};

static void	topo_action(struct topo_report *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static int	topo_fail(struct topo_run *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	topo_record(struct topo *, enum topo_item_type, const char *,
		    struct in_addr, int);
static struct topo_item *topo_find(struct topo *, enum topo_item_type,
		    const char *);
static void	topo_forget(struct topo *, size_t);
static void	topo_ns_drop(struct topo *, const char *);
static struct topo_ns *topo_ns_get(struct topo *, const char *);
static int	topo_links_add(const struct link_info *, void *);
static int	topo_links_dump(struct rtnl *, struct topo_links *);
static const struct link_info *topo_links_find(const struct topo_links *,
		    const char *);
static void	topo_mac(struct in_addr, uint8_t[6]);
static int	topo_check(struct topo_run *);
static int	topo_bridge(struct topo_run *);
static int	topo_netns(struct topo_run *, const char *, struct in_addr,
		    bool);
static int	topo_veth(struct topo_run *, struct topo_ns *, const char *,
		    struct in_addr, struct link_info *, struct link_info *);
static int	topo_addr_fix(struct topo_run *, struct rtnl *, const char *,
		    const struct link_info *, struct in_addr, bool);
static int	topo_sysctls(struct topo_run *, struct topo_ns *, bool);
static int	topo_resolv(struct topo_run *, const char *);
static bool	topo_item_wanted(const struct topo_item *,
		    const struct topo_desired *);
static int	topo_undo(struct topo *, const struct topo_item *,
		    struct topo_report *);
static int	topo_undo_where(struct topo *, struct topo_report *,
		    const struct topo_desired *);
static size_t	topo_mark_with_netns(struct topo *);
static int	topo_gone_cb(const struct link_info *, void *);
static int	topo_wait_with_netns(struct topo *, struct topo_report *);

void
topo_veth_name(const char *netns_name, char buf[IFNAMSIZ])
{
	uint32_t	h = 2166136261u;	/* FNV-1a */
	size_t		i, n = 0;
	char		pfx[5];

	for (i = 0; netns_name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)netns_name[i];

		h = (h ^ c) * 16777619u;
		if (n < 4 && ((c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			pfx[n++] = (char)c;
	}
	pfx[n] = '\0';
	/* FNV-1a mixes the last bytes poorly: finish like murmur3. */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	snprintf(buf, IFNAMSIZ, "pv-%s-%06x", pfx,
	    (unsigned int)(h & 0xffffff));
}

/*
 * Ethernet address of an IPv4 address on the bridge: 02:70 (locally
 * administered) + the four address bytes. Fixed MACs survive recreating a
 * veth or the bridge, so neighbours' ARP entries stay right and nobody
 * waits for them to time out.
 */
static void
topo_mac(struct in_addr a, uint8_t mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x70;
	memcpy(mac + 2, &a.s_addr, 4);
}

void
topo_report_free(struct topo_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->nactions; i++)
		free(rep->actions[i]);
	free(rep->actions);
	memset(rep, 0, sizeof(*rep));
}

static void
topo_action(struct topo_report *rep, const char *fmt, ...)
{
	va_list	  ap;
	char	**v, *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		return;
	if ((v = reallocarray(rep->actions, rep->nactions + 1,
	    sizeof(*v))) == NULL) {
		free(s);
		return;
	}
	rep->actions = v;
	rep->actions[rep->nactions++] = s;
}

/* Put "OBJECT: strerror" in the caller's buffer and log it; returns rc. */
static int
topo_fail(struct topo_run *run, int rc, const char *fmt, ...)
{
	va_list	ap;
	char	obj[256];

	va_start(ap, fmt);
	vsnprintf(obj, sizeof(obj), fmt, ap);
	va_end(ap);
	log_warnx("topology: %s: %s", obj, strerror(-rc));
	if (run->err != NULL && run->errlen > 0)
		snprintf(run->err, run->errlen, "%s: %s", obj, strerror(-rc));
	return rc;
}

struct topo *
topo_new(int host_nsfd)
{
	struct topo *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->host_fd = -1;
	if (host_nsfd >= 0 &&
	    (t->host_fd = fcntl(host_nsfd, F_DUPFD_CLOEXEC, 3)) == -1)
		goto fail;
	if ((t->host = rtnl_open(t->host_fd)) == NULL)
		goto fail;
	return t;

fail:
	topo_free(t);
	return NULL;
}

void
topo_free(struct topo *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nns; i++) {
		rtnl_close(t->ns[i].rtnl);
		close(t->ns[i].fd);
	}
	free(t->ns);
	free(t->items);
	rtnl_close(t->host);
	if (t->host_fd != -1)
		close(t->host_fd);
	free(t);
}

size_t
topo_record_count(const struct topo *t)
{
	return t->nitems;
}

static struct topo_item *
topo_find(struct topo *t, enum topo_item_type type, const char *name)
{
	size_t i;

	for (i = 0; i < t->nitems; i++)
		if (t->items[i].type == type &&
		    strcmp(t->items[i].name, name) == 0)
			return &t->items[i];
	return NULL;
}

/* Append to the record unless it is there already. */
static int
topo_record(struct topo *t, enum topo_item_type type, const char *name,
    struct in_addr addr, int prefixlen)
{
	struct topo_item *v, *it;

	if ((it = topo_find(t, type, name)) != NULL &&
	    (type != TOPO_ITEM_ADDR || (it->addr.s_addr == addr.s_addr &&
	    it->prefixlen == prefixlen)))
		return 0;
	if (strlen(name) >= TOPO_PATH_MAX)
		return -ENAMETOOLONG;
	if ((v = reallocarray(t->items, t->nitems + 1, sizeof(*v))) == NULL)
		return -ENOMEM;
	t->items = v;
	it = &t->items[t->nitems++];
	memset(it, 0, sizeof(*it));
	it->type = type;
	snprintf(it->name, sizeof(it->name), "%s", name);
	it->addr = addr;
	it->prefixlen = prefixlen;
	return 0;
}

static void
topo_forget(struct topo *t, size_t i)
{
	memmove(&t->items[i], &t->items[i + 1],
	    (t->nitems - i - 1) * sizeof(*t->items));
	t->nitems--;
}

static void
topo_ns_drop(struct topo *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nns; i++) {
		if (strcmp(t->ns[i].name, name) != 0)
			continue;
		rtnl_close(t->ns[i].rtnl);
		close(t->ns[i].fd);
		t->ns[i] = t->ns[--t->nns];
		return;
	}
}

/*
 * The cached fd and socket of netns name, (re)opened when the name now
 * refers to another netns than the cached one (deleted and made again).
 * NULL with errno if the netns does not exist.
 */
static struct topo_ns *
topo_ns_get(struct topo *t, const char *name)
{
	struct topo_ns	*n = NULL, *v;
	struct stat	 st;
	char		 path[PATH_MAX];
	size_t		 i;
	int		 fd;

	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	for (i = 0; i < t->nns; i++)
		if (strcmp(t->ns[i].name, name) == 0)
			n = &t->ns[i];
	if (n != NULL && stat(path, &st) == 0 && st.st_dev == n->dev &&
	    st.st_ino == n->ino)
		return n;
	fd = netns_open(name);
	/*
	 * Drop a stale entry only after opening the new netns: the new fd
	 * then cannot reuse the old number, so a caller comparing fds sees
	 * that the netns was recreated.
	 */
	if (n != NULL)
		topo_ns_drop(t, name);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	if (fstat(fd, &st) == -1 ||
	    (v = reallocarray(t->ns, t->nns + 1, sizeof(*v))) == NULL) {
		close(fd);
		return NULL;
	}
	t->ns = v;
	n = &t->ns[t->nns];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->fd = fd;
	n->dev = st.st_dev;
	n->ino = st.st_ino;
	if ((n->rtnl = rtnl_open(fd)) == NULL) {
		int saved = errno;

		close(fd);
		errno = saved;
		return NULL;
	}
	t->nns++;
	return n;
}

struct rtnl *
topo_rtnl(struct topo *t, const char *netns)
{
	struct topo_ns *n;

	if (netns == NULL)
		return t->host;
	return (n = topo_ns_get(t, netns)) != NULL ? n->rtnl : NULL;
}

int
topo_nsfd(struct topo *t, const char *netns)
{
	struct topo_ns *n;

	if (netns == NULL)
		return t->host_fd;
	return (n = topo_ns_get(t, netns)) != NULL ? n->fd : -errno;
}

static int
topo_links_add(const struct link_info *li, void *arg)
{
	struct topo_links	*l = arg;
	struct link_info	*v;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		if ((v = reallocarray(l->v, l->cap, sizeof(*v))) == NULL)
			return -ENOMEM;
		l->v = v;
	}
	l->v[l->n++] = *li;
	return 0;
}

static int
topo_links_dump(struct rtnl *r, struct topo_links *l)
{
	l->n = 0;
	return link_list(r, topo_links_add, l);
}

static const struct link_info *
topo_links_find(const struct topo_links *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

/* Refuse a desired topology we cannot build unambiguously. */
static int
topo_check(struct topo_run *run)
{
	const struct topo_desired	*w = run->want;
	char				 a[IFNAMSIZ], b[IFNAMSIZ];
	size_t				 i, j;

	if (w->prefixlen < 1 || w->prefixlen > 30)
		return topo_fail(run, -EINVAL, "bridge %s: prefix length %d",
		    w->bridge, w->prefixlen);
	if (!netns_name_valid(w->vpn_netns))
		return topo_fail(run, -EINVAL, "netns '%s'", w->vpn_netns);
	for (i = 0; i < w->ncontainers; i++) {
		if (!w->containers[i].managed)
			continue;
		if (!netns_name_valid(w->containers[i].name))
			return topo_fail(run, -EINVAL, "netns '%s'",
			    w->containers[i].name);
		topo_veth_name(w->containers[i].name, a);
		topo_veth_name(w->vpn_netns, b);
		if (strcmp(a, b) == 0 ||
		    strcmp(w->containers[i].name, w->vpn_netns) == 0)
			return topo_fail(run, -EEXIST, "netns %s: clashes "
			    "with %s", w->containers[i].name, w->vpn_netns);
		for (j = 0; j < i; j++) {
			if (!w->containers[j].managed)
				continue;
			topo_veth_name(w->containers[j].name, b);
			if (strcmp(a, b) == 0)
				return topo_fail(run, -EEXIST, "veth %s: "
				    "needed by both %s and %s", a,
				    w->containers[j].name,
				    w->containers[i].name);
		}
	}
	return 0;
}

static int
topo_bridge(struct topo_run *run)
{
	const struct topo_desired	*w = run->want;
	struct topo			*t = run->t;
	const struct link_info		*br;
	struct link_info		 li;
	uint8_t				 mac[6];
	bool				 ours;
	int				 rc;

	if ((br = topo_links_find(&run->host, w->bridge)) == NULL) {
		if ((rc = link_create_bridge(t->host, w->bridge)) < 0)
			return topo_fail(run, rc, "bridge %s", w->bridge);
		topo_action(run->rep, "create bridge %s", w->bridge);
		if ((rc = topo_record(t, TOPO_ITEM_LINK, w->bridge,
		    (struct in_addr){ 0 }, 0)) < 0)
			return topo_fail(run, rc, "bridge %s", w->bridge);
		topo_mac(w->host_address, mac);
		if ((rc = link_set_mac(t->host, w->bridge, mac)) < 0)
			return topo_fail(run, rc, "bridge %s", w->bridge);
		if ((rc = link_get(t->host, w->bridge, &li)) < 0)
			return topo_fail(run, rc, "bridge %s", w->bridge);
		br = &li;
	} else if (strcmp(br->kind, "bridge") != 0)
		return topo_fail(run, -EEXIST, "bridge %s: exists as a %s "
		    "link", w->bridge, br->kind[0] ? br->kind : "non-bridge");
	run->bridge_index = br->ifindex;
	if (!br->up) {
		if ((rc = link_set_up(t->host, w->bridge)) < 0)
			return topo_fail(run, rc, "bridge %s", w->bridge);
		topo_action(run->rep, "set bridge %s up", w->bridge);
	}
	/*
	 * On a bridge of ours other addresses are stale config and go, and
	 * ours goes with the bridge; on someone else's bridge we only add
	 * ours and record it.
	 */
	ours = topo_find(t, TOPO_ITEM_LINK, w->bridge) != NULL;
	if ((rc = topo_addr_fix(run, t->host, "the host", br,
	    w->host_address, ours)) < 0)
		return rc;
	if (rc == 1 && !ours && (rc = topo_record(t, TOPO_ITEM_ADDR,
	    w->bridge, w->host_address, w->prefixlen)) < 0)
		return topo_fail(run, rc, "bridge %s", w->bridge);
	return 0;
}

/* IPv6 off (and, in the VPN netns, forwarding on) with one netns switch. */
static int
topo_sysctls(struct topo_run *run, struct topo_ns *n, bool vpn)
{
	struct sysctl_want	v[] = {
		{ "net.ipv6.conf.all.disable_ipv6", "1", 0 },
		{ "net.ipv6.conf.default.disable_ipv6", "1", 0 },
		{ "net.ipv4.ip_forward", "1", 0 },
	};
	size_t			i, cnt = vpn ? 3 : 2;
	int			rc;

	rc = sysctl_ensure_all(n->fd, v, cnt);
	for (i = 0; i < cnt; i++) {
		if (!v[i].changed)
			continue;
		run->rep->sysctl_writes++;
		topo_action(run->rep, "set %s=%s in netns %s", v[i].key,
		    v[i].value, n->name);
	}
	if (rc < 0)
		return topo_fail(run, rc, "netns %s: sysctl", n->name);
	return 0;
}

struct topo_addr_ctx {
	struct in_addr	want;
	int		prefixlen;
	bool		have;
	struct in_addr	stale[8];
	int		stale_len[8];
	size_t		nstale;
};

static int
topo_addr_collect(const struct addr_entry *e, void *arg)
{
	struct topo_addr_ctx *c = arg;

	if (e->addr.s_addr == c->want.s_addr && e->prefixlen == c->prefixlen)
		c->have = true;
	else if (c->nstale < sizeof(c->stale) / sizeof(c->stale[0])) {
		c->stale[c->nstale] = e->addr;
		c->stale_len[c->nstale++] = e->prefixlen;
	}
	return 0;
}

/*
 * Link li (in netns `where` names, reached through r) carries want/prefix;
 * with prune, every other IPv4 address on it goes (a changed config).
 */
static int
topo_addr_fix(struct topo_run *run, struct rtnl *r, const char *where,
    const struct link_info *li, struct in_addr want, bool prune)
{
	struct topo_addr_ctx	c;
	char			ab[INET_ADDRSTRLEN];
	size_t			i;
	int			rc;

	memset(&c, 0, sizeof(c));
	c.want = want;
	c.prefixlen = run->want->prefixlen;
	if ((rc = addr_list_index(r, li->ifindex, topo_addr_collect, &c)) < 0)
		return topo_fail(run, rc, "%s: %s addresses", where, li->name);
	for (i = 0; prune && i < c.nstale; i++) {
		inet_ntop(AF_INET, &c.stale[i], ab, sizeof(ab));
		if ((rc = addr_del(r, li->name, c.stale[i],
		    c.stale_len[i])) < 0)
			return topo_fail(run, rc, "%s: %s address %s", where,
			    li->name, ab);
		topo_action(run->rep, "remove address %s/%d from %s in %s",
		    ab, c.stale_len[i], li->name, where);
	}
	if (!c.have) {
		inet_ntop(AF_INET, &want, ab, sizeof(ab));
		if ((rc = addr_add(r, li->name, want, c.prefixlen)) < 0)
			return topo_fail(run, rc, "%s: %s address %s", where,
			    li->name, ab);
		topo_action(run->rep, "add address %s/%d to %s in %s", ab,
		    c.prefixlen, li->name, where);
	}
	return c.have ? 0 : 1;
}

/*
 * Make the pair host <-> n:eth0 intact; *h and *e get both ends' state.
 */
static int
topo_veth(struct topo_run *run, struct topo_ns *n, const char *host,
    struct in_addr addr, struct link_info *h, struct link_info *e)
{
	struct topo			*t = run->t;
	const struct link_info		*hp, *ep;
	struct topo_links		 nl = { NULL, 0, 0 };
	uint8_t				 mac[6];
	int				 rc;

	if ((rc = topo_links_dump(n->rtnl, &nl)) < 0) {
		free(nl.v);
		return topo_fail(run, rc, "netns %s: links", n->name);
	}
	if ((ep = topo_links_find(&nl, "lo")) != NULL && !ep->up) {
		if ((rc = link_set_up(n->rtnl, "lo")) < 0)
			goto fail_lo;
		topo_action(run->rep, "set lo up in netns %s", n->name);
	}
	hp = topo_links_find(&run->host, host);
	ep = topo_links_find(&nl, TOPO_PEER);
	if (hp != NULL && ep != NULL && strcmp(hp->kind, "veth") == 0 &&
	    strcmp(ep->kind, "veth") == 0 && hp->link == ep->ifindex &&
	    ep->link == hp->ifindex) {
		*h = *hp;
		*e = *ep;
		free(nl.v);
		return 0;
	}
	if (ep != NULL) {
		if ((rc = link_delete(n->rtnl, TOPO_PEER)) < 0 && rc != -ENODEV)
			goto fail_eth;
		topo_action(run->rep, "delete stale %s in netns %s", TOPO_PEER,
		    n->name);
	}
	if (hp != NULL) {
		if ((rc = link_delete(t->host, host)) < 0 && rc != -ENODEV)
			goto fail_host;
		topo_action(run->rep, "delete stale veth %s", host);
	}
	free(nl.v);
	topo_mac(addr, mac);
	if ((rc = link_create_veth_mac(t->host, host, TOPO_PEER, n->fd,
	    mac)) < 0)
		return topo_fail(run, rc, "veth %s", host);
	topo_action(run->rep, "create veth %s <-> %s in netns %s", host,
	    TOPO_PEER, n->name);
	if ((rc = topo_record(t, TOPO_ITEM_LINK, host, (struct in_addr){ 0 },
	    0)) < 0)
		return topo_fail(run, rc, "veth %s", host);
	if ((rc = link_get(t->host, host, h)) < 0)
		return topo_fail(run, rc, "veth %s", host);
	if ((rc = link_get(n->rtnl, TOPO_PEER, e)) < 0)
		return topo_fail(run, rc, "netns %s: %s", n->name, TOPO_PEER);
	return 0;

fail_lo:
	free(nl.v);
	return topo_fail(run, rc, "netns %s: lo", n->name);
fail_eth:
	free(nl.v);
	return topo_fail(run, rc, "netns %s: %s", n->name, TOPO_PEER);
fail_host:
	free(nl.v);
	return topo_fail(run, rc, "veth %s", host);
}

/* One netns on the bridge: the VPN netns (vpn) or a managed container. */
static int
topo_netns(struct topo_run *run, const char *name, struct in_addr addr,
    bool vpn)
{
	const struct topo_desired	*w = run->want;
	struct topo			*t = run->t;
	struct topo_ns			*n;
	struct link_info		 h, e;
	struct route_default		 rd;
	char				 host[IFNAMSIZ];
	char				 ab[INET_ADDRSTRLEN];
	char				 where[NETNS_NAME_MAX + 8];
	uint8_t				 mac[6];
	int				 rc;

	if (!netns_exists(name)) {
		if ((rc = netns_create(name)) < 0)
			return topo_fail(run, rc, "netns %s", name);
		topo_action(run->rep, "create netns %s", name);
		if ((rc = topo_record(t, TOPO_ITEM_NETNS, name,
		    (struct in_addr){ 0 }, 0)) < 0)
			return topo_fail(run, rc, "netns %s", name);
	}
	if ((n = topo_ns_get(t, name)) == NULL)
		return topo_fail(run, -errno, "netns %s", name);

	/* Before eth0 exists, so it never gets an IPv6 address. */
	if ((rc = topo_sysctls(run, n, vpn)) < 0)
		return rc;

	topo_veth_name(name, host);
	if ((rc = topo_veth(run, n, host, addr, &h, &e)) < 0)
		return rc;
	if (h.master != run->bridge_index) {
		if ((rc = link_set_master(t->host, host, w->bridge)) < 0)
			return topo_fail(run, rc, "veth %s", host);
		topo_action(run->rep, "attach veth %s to bridge %s", host,
		    w->bridge);
	}
	if (!h.up) {
		if ((rc = link_set_up(t->host, host)) < 0)
			return topo_fail(run, rc, "veth %s", host);
		topo_action(run->rep, "set veth %s up", host);
	}
	snprintf(where, sizeof(where), "netns %s", name);
	if ((rc = topo_addr_fix(run, n->rtnl, where, &e, addr, true)) < 0)
		return rc;
	topo_mac(addr, mac);
	if (e.has_mac && memcmp(e.mac, mac, sizeof(mac)) != 0) {
		/* The address changed: keep MAC and address in step. */
		if ((rc = link_set_mac(n->rtnl, TOPO_PEER, mac)) < 0)
			return topo_fail(run, rc, "netns %s: %s MAC", name,
			    TOPO_PEER);
		topo_action(run->rep, "set MAC of %s in netns %s", TOPO_PEER,
		    name);
	}
	if (!e.up) {
		if ((rc = link_set_up(n->rtnl, TOPO_PEER)) < 0)
			return topo_fail(run, rc, "netns %s: %s", name,
			    TOPO_PEER);
		topo_action(run->rep, "set %s up in netns %s", TOPO_PEER, name);
	}
	if (vpn)
		return 0;

	if ((rc = route_get_default(n->rtnl, &rd)) < 0)
		return topo_fail(run, rc, "netns %s: routes", name);
	if (!rd.present || !rd.has_gateway ||
	    rd.gateway.s_addr != w->vpn_address.s_addr || rd.oif != e.ifindex) {
		inet_ntop(AF_INET, &w->vpn_address, ab, sizeof(ab));
		if ((rc = route_add_default(n->rtnl, &w->vpn_address,
		    TOPO_PEER)) < 0)
			return topo_fail(run, rc, "netns %s: default route "
			    "via %s", name, ab);
		topo_action(run->rep, "set default route via %s in netns %s",
		    ab, name);
	}
	return topo_resolv(run, name);
}

/* /etc/netns/NAME/resolv.conf naming the VPN address, written atomically. */
static int
topo_resolv(struct topo_run *run, const char *name)
{
	const struct topo_desired	*w = run->want;
	char				 dir[TOPO_PATH_MAX];
	char				 path[TOPO_PATH_MAX];
	char				 tmp[TOPO_PATH_MAX + 8];
	char				 want[64], cur[64];
	char				 ab[INET_ADDRSTRLEN];
	ssize_t				 n;
	bool				 existed;
	int				 fd, rc, wl;

	if (w->resolv_dir == NULL)
		return 0;
	inet_ntop(AF_INET, &w->vpn_address, ab, sizeof(ab));
	wl = snprintf(want, sizeof(want), "nameserver %s\n", ab);
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", w->resolv_dir, name) >=
	    sizeof(dir) || (size_t)snprintf(path, sizeof(path),
	    "%s/resolv.conf", dir) >= sizeof(path))
		return topo_fail(run, -ENAMETOOLONG, "%s/%s", w->resolv_dir,
		    name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, cur, sizeof(cur) - 1);
		close(fd);
		if (n == wl && memcmp(cur, want, (size_t)wl) == 0)
			return 0;
		existed = true;
	} else
		existed = false;

	if (mkdir(w->resolv_dir, 0755) == -1 && errno != EEXIST)
		return topo_fail(run, -errno, "%s", w->resolv_dir);
	if (mkdir(dir, 0755) == 0) {
		if ((rc = topo_record(run->t, TOPO_ITEM_DIR, dir,
		    (struct in_addr){ 0 }, 0)) < 0)
			return topo_fail(run, rc, "%s", dir);
	} else if (errno != EEXIST)
		return topo_fail(run, -errno, "%s", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) ==
	    -1)
		return topo_fail(run, -errno, "%s", tmp);
	if (write(fd, want, (size_t)wl) != wl || fsync(fd) == -1) {
		rc = -errno;
		close(fd);
		unlink(tmp);
		return topo_fail(run, rc ? rc : -EIO, "%s", tmp);
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		rc = -errno;
		unlink(tmp);
		return topo_fail(run, rc, "%s", path);
	}
	run->rep->file_writes++;
	topo_action(run->rep, "write %s", path);
	if (!existed && (rc = topo_record(run->t, TOPO_ITEM_FILE, path,
	    (struct in_addr){ 0 }, 0)) < 0)
		return topo_fail(run, rc, "%s", path);
	return 0;
}

/* Would reconciling want create this item? (Else it is pruned.) */
static bool
topo_item_wanted(const struct topo_item *it, const struct topo_desired *w)
{
	char	buf[TOPO_PATH_MAX];
	size_t	i;

	switch (it->type) {
	case TOPO_ITEM_NETNS:
		if (strcmp(it->name, w->vpn_netns) == 0)
			return true;
		for (i = 0; i < w->ncontainers; i++)
			if (w->containers[i].managed &&
			    strcmp(it->name, w->containers[i].name) == 0)
				return true;
		return false;
	case TOPO_ITEM_LINK:
		if (strcmp(it->name, w->bridge) == 0)
			return true;
		topo_veth_name(w->vpn_netns, buf);
		if (strcmp(it->name, buf) == 0)
			return true;
		for (i = 0; i < w->ncontainers; i++) {
			if (!w->containers[i].managed)
				continue;
			topo_veth_name(w->containers[i].name, buf);
			if (strcmp(it->name, buf) == 0)
				return true;
		}
		return false;
	case TOPO_ITEM_ADDR:
		return strcmp(it->name, w->bridge) == 0 &&
		    it->addr.s_addr == w->host_address.s_addr &&
		    it->prefixlen == w->prefixlen;
	case TOPO_ITEM_FILE:
	case TOPO_ITEM_DIR:
		if (w->resolv_dir == NULL)
			return false;
		for (i = 0; i < w->ncontainers; i++) {
			if (!w->containers[i].managed)
				continue;
			snprintf(buf, sizeof(buf), it->type == TOPO_ITEM_DIR ?
			    "%s/%s" : "%s/%s/resolv.conf", w->resolv_dir,
			    w->containers[i].name);
			if (strcmp(it->name, buf) == 0)
				return true;
		}
		return false;
	}
	return false;
}

/* Undo one recorded item; what is already gone counts as undone. */
static int
topo_undo(struct topo *t, const struct topo_item *it,
    struct topo_report *rep)
{
	char	ab[INET_ADDRSTRLEN];
	int	rc = 0;

	switch (it->type) {
	case TOPO_ITEM_LINK:
		if ((rc = link_delete(t->host, it->name)) == -ENODEV)
			return 0;
		if (rc == 0)
			topo_action(rep, "delete link %s", it->name);
		break;
	case TOPO_ITEM_ADDR:
		inet_ntop(AF_INET, &it->addr, ab, sizeof(ab));
		if ((rc = addr_has(t->host, it->name, it->addr,
		    it->prefixlen)) <= 0)
			return rc == -ENODEV ? 0 : rc;
		if ((rc = addr_del(t->host, it->name, it->addr,
		    it->prefixlen)) == 0)
			topo_action(rep, "remove address %s/%d from %s", ab,
			    it->prefixlen, it->name);
		break;
	case TOPO_ITEM_NETNS: {
		bool existed = netns_exists(it->name);

		topo_ns_drop(t, it->name);
		/* Also removes an empty mount point left by a crash. */
		if ((rc = netns_delete(it->name)) == 0 && existed)
			topo_action(rep, "delete netns %s", it->name);
		break;
	}
	case TOPO_ITEM_FILE:
		if (unlink(it->name) == -1)
			return errno == ENOENT ? 0 : -errno;
		topo_action(rep, "remove %s", it->name);
		break;
	case TOPO_ITEM_DIR:
		if (rmdir(it->name) == -1)
			return errno == ENOENT ? 0 : -errno;
		topo_action(rep, "remove %s", it->name);
		break;
	}
	if (rc < 0)
		log_warnx("topology: %s %s: %s", topo_item_names[it->type],
		    it->name, strerror(-rc));
	return rc;
}

/*
 * Undo, newest first, every recorded item that w does not want (all of
 * them if w is NULL). Items that fail stay recorded; the first error is
 * returned after trying the rest.
 */
/*
 * Teardown: mark the veths whose other end sits in a netns that is being
 * removed too. Deleting a veth waits for the kernel to quiesce (tens of
 * ms each); a removed netns takes its veths along in one batch.
 */
static size_t
topo_mark_with_netns(struct topo *t)
{
	char	buf[IFNAMSIZ];
	size_t	i, j, n = 0;

	for (i = 0; i < t->nitems; i++) {
		t->items[i].with_netns = false;
		if (t->items[i].type != TOPO_ITEM_LINK)
			continue;
		for (j = 0; j < t->nitems; j++) {
			if (t->items[j].type != TOPO_ITEM_NETNS)
				continue;
			topo_veth_name(t->items[j].name, buf);
			if (strcmp(buf, t->items[i].name) == 0) {
				t->items[i].with_netns = true;
				n++;
				break;
			}
		}
	}
	return n;
}

static int
topo_gone_cb(const struct link_info *li, void *arg)
{
	struct topo	*t = arg;
	size_t		 i;

	for (i = 0; i < t->nitems; i++)
		if (t->items[i].with_netns &&
		    strcmp(t->items[i].name, li->name) == 0)
			t->items[i].with_netns = false;	/* still there */
	return 0;
}

/*
 * Wait (up to TOPO_NETNS_WAIT_MS) for the marked veths to vanish with
 * their netns, then delete what is left the slow way: a netns that still
 * has processes in it lives on, and so would its veth.
 */
#define TOPO_NETNS_WAIT_MS	2000
static int
topo_wait_with_netns(struct topo *t, struct topo_report *rep)
{
	struct timespec	ts = { 0, 10 * 1000 * 1000 };
	size_t		i, left;
	int		waited, rc, first = 0;

	for (waited = 0; waited <= TOPO_NETNS_WAIT_MS; waited += 10) {
		/* Unmark what still exists; what stays marked is gone. */
		for (i = 0; i < t->nitems; i++)
			t->items[i].with_netns =
			    t->items[i].type == TOPO_ITEM_LINK;
		if ((rc = link_list(t->host, topo_gone_cb, t)) < 0)
			break;
		for (i = t->nitems, left = 0; i-- > 0;) {
			if (t->items[i].type != TOPO_ITEM_LINK)
				continue;
			if (t->items[i].with_netns) {
				topo_action(rep, "delete link %s (with its "
				    "netns)", t->items[i].name);
				topo_forget(t, i);
			} else
				left++;
		}
		if (left == 0)
			return 0;
		nanosleep(&ts, NULL);
	}
	for (i = t->nitems; i-- > 0;) {
		if ((rc = topo_undo(t, &t->items[i], rep)) < 0) {
			if (first == 0)
				first = rc;
			continue;
		}
		topo_forget(t, i);
	}
	return first;
}

/*
 * Undo, newest first, every recorded item that w does not want (all of
 * them if w is NULL, i.e. teardown). Items that fail stay recorded; the
 * first error is returned after trying the rest.
 */
static int
topo_undo_where(struct topo *t, struct topo_report *rep,
    const struct topo_desired *w)
{
	size_t	i, deferred = 0;
	int	rc, first = 0;

	/*
	 * Only a full teardown defers (it may wait): pruning runs on the
	 * daemon's loop and deletes veths directly.
	 */
	if (w == NULL)
		deferred = topo_mark_with_netns(t);
	else
		for (i = 0; i < t->nitems; i++)
			t->items[i].with_netns = false;
	for (i = t->nitems; i-- > 0;) {
		if (w != NULL && topo_item_wanted(&t->items[i], w))
			continue;
		if (t->items[i].with_netns)
			continue;
		if ((rc = topo_undo(t, &t->items[i], rep)) < 0) {
			if (first == 0)
				first = rc;
			continue;
		}
		topo_forget(t, i);
	}
	if (deferred > 0 && (rc = topo_wait_with_netns(t, rep)) < 0 &&
	    first == 0)
		first = rc;
	return first;
}

int
topo_reconcile(struct topo *t, const struct topo_desired *want,
    struct topo_report *rep, char *err, size_t errlen)
{
	struct topo_run	run;
	unsigned long	w0 = rtnl_writes_total();
	size_t		i;
	int		rc;

	memset(rep, 0, sizeof(*rep));
	memset(&run, 0, sizeof(run));
	run.t = t;
	run.want = want;
	run.rep = rep;
	run.err = err;
	run.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	if ((rc = topo_check(&run)) < 0)
		goto out;
	/* First what the config dropped, so names and addresses free up. */
	if ((rc = topo_undo_where(t, rep, want)) < 0) {
		topo_fail(&run, rc, "removing what the config dropped");
		goto out;
	}
	if ((rc = topo_links_dump(t->host, &run.host)) < 0) {
		topo_fail(&run, rc, "host links");
		goto out;
	}
	if ((rc = topo_bridge(&run)) < 0)
		goto out;
	if ((rc = topo_netns(&run, want->vpn_netns, want->vpn_address,
	    true)) < 0)
		goto out;
	for (i = 0; i < want->ncontainers; i++) {
		if (!want->containers[i].managed)
			continue;
		if ((rc = topo_netns(&run, want->containers[i].name,
		    want->containers[i].address, false)) < 0)
			goto out;
	}
out:
	free(run.host.v);
	rep->writes = rtnl_writes_total() - w0;
	return rc;
}

int
topo_teardown(struct topo *t, struct topo_report *rep)
{
	unsigned long	w0 = rtnl_writes_total();
	int		rc;

	memset(rep, 0, sizeof(*rep));
	rc = topo_undo_where(t, rep, NULL);
	rep->writes = rtnl_writes_total() - w0;
	return rc;
}

json_t *
topo_record_to_json(const struct topo *t)
{
	json_t	*items, *o, *it;
	char	 ab[INET_ADDRSTRLEN + 4];
	size_t	 i;

	if ((items = json_array()) == NULL)
		return NULL;
	for (i = 0; i < t->nitems; i++) {
		const struct topo_item *x = &t->items[i];

		it = json_pack("{s:s, s:s}", "type",
		    topo_item_names[x->type],
		    x->type == TOPO_ITEM_FILE || x->type == TOPO_ITEM_DIR ?
		    "path" : "name", x->name);
		if (it != NULL && x->type == TOPO_ITEM_ADDR) {
			inet_ntop(AF_INET, &x->addr, ab, sizeof(ab));
			snprintf(ab + strlen(ab), sizeof(ab) - strlen(ab),
			    "/%d", x->prefixlen);
			json_object_set_new(it, "address", json_string(ab));
		}
		if (it == NULL || json_array_append_new(items, it) == -1) {
			json_decref(items);
			return NULL;
		}
	}
	if ((o = json_pack("{s:i, s:o}", "version", 1, "items", items)) ==
	    NULL)
		return NULL;
	return o;
}

int
topo_record_from_json(struct topo *t, const json_t *j, char *err,
    size_t errlen)
{
	struct topo_item	*v = NULL;
	const json_t		*items, *it, *jt, *jn, *ja;
	size_t			 i, n, k;
	char			 abuf[INET_ADDRSTRLEN + 4], *slash, *end;
	long			 plen;

#define BAD(...) do {							\
	if (err != NULL && errlen > 0)					\
		snprintf(err, errlen, __VA_ARGS__);			\
	goto bad;							\
} while (0)

	if (!json_is_object(j))
		BAD("topology record: not an object");
	if (!json_is_integer(json_object_get(j, "version")) ||
	    json_integer_value(json_object_get(j, "version")) != 1)
		BAD("topology record: version: expected 1");
	if (!json_is_array(items = json_object_get(j, "items")))
		BAD("topology record: items: expected an array");
	n = json_array_size(items);
	if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL)
		BAD("topology record: out of memory");
	for (i = 0; i < n; i++) {
		it = json_array_get(items, i);
		if (!json_is_object(it) ||
		    !json_is_string(jt = json_object_get(it, "type")))
			BAD("topology record: items[%zu]: no type", i);
		for (k = 0; k < sizeof(topo_item_names) /
		    sizeof(topo_item_names[0]); k++)
			if (strcmp(json_string_value(jt),
			    topo_item_names[k]) == 0)
				break;
		if (k == sizeof(topo_item_names) / sizeof(topo_item_names[0]))
			BAD("topology record: items[%zu].type: unknown", i);
		v[i].type = (enum topo_item_type)k;
		jn = json_object_get(it, k == TOPO_ITEM_FILE ||
		    k == TOPO_ITEM_DIR ? "path" : "name");
		if (!json_is_string(jn) ||
		    json_string_length(jn) >= sizeof(v[i].name) ||
		    json_string_length(jn) == 0)
			BAD("topology record: items[%zu]: bad name", i);
		memcpy(v[i].name, json_string_value(jn),
		    json_string_length(jn) + 1);
		if ((k == TOPO_ITEM_NETNS && !netns_name_valid(v[i].name)) ||
		    ((k == TOPO_ITEM_LINK || k == TOPO_ITEM_ADDR) &&
		    strlen(v[i].name) >= IFNAMSIZ) ||
		    ((k == TOPO_ITEM_FILE || k == TOPO_ITEM_DIR) &&
		    v[i].name[0] != '/'))
			BAD("topology record: items[%zu]: bad name", i);
		if (k != TOPO_ITEM_ADDR)
			continue;
		ja = json_object_get(it, "address");
		if (!json_is_string(ja) ||
		    json_string_length(ja) >= sizeof(abuf))
			BAD("topology record: items[%zu].address: bad", i);
		memcpy(abuf, json_string_value(ja), json_string_length(ja) + 1);
		if ((slash = strchr(abuf, '/')) == NULL)
			BAD("topology record: items[%zu].address: bad", i);
		*slash++ = '\0';
		errno = 0;
		plen = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || errno || plen < 0 ||
		    plen > 32 || inet_pton(AF_INET, abuf, &v[i].addr) != 1)
			BAD("topology record: items[%zu].address: bad", i);
		v[i].prefixlen = (int)plen;
	}
#undef BAD
	free(t->items);
	t->items = v;
	t->nitems = n;
	return 0;

bad:
	free(v);
	return -EINVAL;
}
