/* SPDX-License-Identifier: ISC */
/*
 * The backend-independent half of net/wg.h: choosing the backend for
 * "auto", dispatching to it, the structures' lifetimes, and putting a
 * backend's device into the VPN netns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/log.h"
#include "net/link.h"
#include "net/rtnl.h"
#include "net/wg.h"
#include "net/wg_key.h"
#include "net/wg_uapi.h"

static const char *const wg_backend_kind_names[] = {
	[WG_BACKEND_AUTO] = "auto",
	[WG_BACKEND_KERNEL] = "kernel",
	[WG_BACKEND_USERSPACE] = "userspace",
};
_Static_assert(sizeof(wg_backend_kind_names) /
    sizeof(wg_backend_kind_names[0]) == WG_BACKEND_USERSPACE + 1,
    "backend kind name table");

int
wg_backend_kind_from_name(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(wg_backend_kind_names) /
	    sizeof(wg_backend_kind_names[0]); i++)
		if (strcmp(name, wg_backend_kind_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

const char *
wg_backend_kind_name(enum wg_backend_kind kind)
{
	if ((size_t)kind >= sizeof(wg_backend_kind_names) /
	    sizeof(wg_backend_kind_names[0]))
		return "unknown";
	return wg_backend_kind_names[kind];
}

void
wg_device_config_wipe(struct wg_device_config *cfg)
{
	OPENSSL_cleanse(cfg->private_key, sizeof(cfg->private_key));
	cfg->set_private_key = false;
}

void
wg_device_status_free(struct wg_device_status *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->npeers; i++)
		free(st->peers[i].allowedips);
	free(st->peers);
	memset(st, 0, sizeof(*st));
}

struct wg_peer_status *
wg_device_status_peer(const struct wg_device_status *st,
    const uint8_t public_key[WG_KEYLEN])
{
	size_t i;

	for (i = 0; i < st->npeers; i++)
		if (wg_key_equal(st->peers[i].public_key, public_key))
			return &st->peers[i];
	return NULL;
}

/* Grow by doubling: the counts are bounded by the reply size. */
struct wg_peer_status *
wg_device_status_add_peer(struct wg_device_status *st)
{
	struct wg_peer_status *n;

	if ((st->npeers & (st->npeers - 1)) == 0) {
		n = reallocarray(st->peers, st->npeers ? st->npeers * 2 : 1,
		    sizeof(*n));
		if (n == NULL)
			return NULL;
		st->peers = n;
	}
	n = &st->peers[st->npeers++];
	memset(n, 0, sizeof(*n));
	return n;
}

int
wg_peer_status_add_allowedip(struct wg_peer_status *p,
    const struct wg_allowedip *a)
{
	struct wg_allowedip *n;

	if ((p->nallowedips & (p->nallowedips - 1)) == 0) {
		n = reallocarray(p->allowedips,
		    p->nallowedips ? p->nallowedips * 2 : 1, sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		p->allowedips = n;
	}
	p->allowedips[p->nallowedips++] = *a;
	return 0;
}

void
wg_link_init(struct wg_link *wl, const char *ifname, int host_nsfd,
    int vpn_nsfd, enum wg_backend_kind kind, const char *program)
{
	memset(wl, 0, sizeof(*wl));
	strncpy(wl->ifname, ifname, sizeof(wl->ifname) - 1);
	wl->host_nsfd = host_nsfd;
	wl->vpn_nsfd = vpn_nsfd;
	wl->kind = kind;
	wl->program = program != NULL ? program : WG_DEFAULT_PROGRAM;
	wl->wait_ms = WG_DEFAULT_WAIT_MS;
}

/*
 * "auto": a userspace program already answering for this name is adopted
 * first (after a piad restart the kernel may well have the module and we
 * must not shadow the running device); otherwise the kernel if it can make
 * the link; otherwise userspace.
 */
static int
wg_link_choose(struct wg_link *wl)
{
	int rc;

	switch (wl->kind) {
	case WG_BACKEND_KERNEL:
		wl->ops = &wg_backend_kernel;
		return wl->ops->ensure(wl);
	case WG_BACKEND_USERSPACE:
		wl->ops = &wg_backend_userspace;
		return wl->ops->ensure(wl);
	case WG_BACKEND_AUTO:
		break;
	default:
		return -EINVAL;
	}
	if (wg_uapi_alive(wl->ifname)) {
		wl->ops = &wg_backend_userspace;
		log_info("%s: adopting the running userspace WireGuard",
		    wl->ifname);
		return wl->ops->ensure(wl);
	}
	wl->ops = &wg_backend_kernel;
	if ((rc = wl->ops->ensure(wl)) >= 0) {
		log_info("%s: WireGuard backend: kernel", wl->ifname);
		return rc;
	}
	wl->ops->close(wl);
	log_info("%s: kernel WireGuard unavailable (%s), backend: userspace "
	    "(%s)", wl->ifname, strerror(-rc), wl->program);
	wl->ops = &wg_backend_userspace;
	return wl->ops->ensure(wl);
}

int
wg_link_ensure(struct wg_link *wl)
{
	int rc;

	if (wl->ops != NULL)
		return wl->ops->ensure(wl);
	if ((rc = wg_link_choose(wl)) < 0 && rc != -EINPROGRESS) {
		/* Let the next attempt choose again (module loaded since?). */
		wl->ops->close(wl);
		wl->ops = NULL;
	}
	return rc;
}

int
wg_link_configure(struct wg_link *wl, const struct wg_device_config *cfg)
{
	if (wl->ops == NULL)
		return -ENODEV;
	return wl->ops->configure(wl, cfg);
}

int
wg_link_read(struct wg_link *wl, struct wg_device_status *st)
{
	memset(st, 0, sizeof(*st));
	if (wl->ops == NULL)
		return -ENODEV;
	return wl->ops->read(wl, st);
}

int
wg_link_destroy(struct wg_link *wl)
{
	const struct wg_backend_ops *ops = wl->ops;
	int rc;

	if (ops == NULL) {
		/* Not chosen yet (teardown after a restart): what exists? */
		if (wl->kind == WG_BACKEND_KERNEL)
			ops = &wg_backend_kernel;
		else if (wl->kind == WG_BACKEND_USERSPACE ||
		    wg_uapi_alive(wl->ifname))
			ops = &wg_backend_userspace;
		else
			ops = &wg_backend_kernel;
	}
	rc = ops->destroy(wl);
	ops->close(wl);
	if (rc == -EEXIST && wl->ops == NULL && wl->kind == WG_BACKEND_AUTO &&
	    ops == &wg_backend_kernel) {
		/* A TUN device whose program no longer answers. */
		ops = &wg_backend_userspace;
		rc = ops->destroy(wl);
	}
	wl->ops = NULL;
	return rc;
}

void
wg_link_close(struct wg_link *wl)
{
	if (wl->ops != NULL)
		wl->ops->close(wl);
}

const char *
wg_link_backend_name(const struct wg_link *wl)
{
	if (wl->ops == NULL)
		return "none";
	return wl->ops->name();
}

int
wg_dev_find(struct rtnl *r, const char *name, const char *kind)
{
	struct link_info	li;
	int			rc;

	if ((rc = link_get(r, name, &li)) == -ENODEV)
		return 0;
	if (rc < 0)
		return rc;
	if (strcmp(li.kind, kind) != 0) {
		log_warnx("%s: exists but is a \"%s\" link, not \"%s\"",
		    name, li.kind[0] ? li.kind : "plain", kind);
		return -EEXIST;
	}
	return 1;
}

int
wg_dev_place(struct wg_link *wl, const char *kind, bool create)
{
	struct rtnl	*host = NULL, *vpn = NULL;
	int		 rc, idx;

	if ((host = rtnl_open(wl->host_nsfd)) == NULL)
		return -errno;
	if (wl->vpn_nsfd >= 0 && (vpn = rtnl_open(wl->vpn_nsfd)) == NULL) {
		rc = -errno;
		goto close_host;
	}
	if (vpn != NULL && (rc = wg_dev_find(vpn, wl->ifname, kind)) != 0) {
		if (rc < 0)
			goto close_vpn;
		goto index;	/* already in place */
	}
	if ((rc = wg_dev_find(host, wl->ifname, kind)) < 0)
		goto close_vpn;
	if (rc == 0) {
		if (!create) {
			rc = -ENODEV;
			goto close_vpn;
		}
		if ((rc = link_create_kind(host, wl->ifname, kind)) < 0)
			goto close_vpn;
		log_info("%s: created a \"%s\" link", wl->ifname, kind);
	}
	if (vpn != NULL && (rc = link_move_to_netns(host, wl->ifname,
	    wl->vpn_nsfd, NULL)) < 0) {
		log_warnx("%s: cannot move into the VPN netns: %s",
		    wl->ifname, strerror(-rc));
		goto close_vpn;
	}
 index:
	if ((idx = link_index(vpn != NULL ? vpn : host, wl->ifname)) < 0) {
		rc = idx;
		goto close_vpn;
	}
	wl->ifindex = idx;
	rc = 0;
 close_vpn:
	rtnl_close(vpn);
 close_host:
	rtnl_close(host);
	return rc;
}
