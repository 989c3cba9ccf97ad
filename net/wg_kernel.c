/* SPDX-License-Identifier: ISC */
/*
 * The kernel WireGuard backend: RTM_NEWLINK kind "wireguard" in the host
 * netns (so the UDP socket is created there), moved into the VPN netns,
 * then configured and read over generic netlink from a socket opened in
 * the VPN netns (genetlink looks the device up in the socket's netns).
 * Without the module, ensure() fails with -EOPNOTSUPP and "auto" falls
 * back to userspace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "core/log.h"
#include "net/link.h"
#include "net/rtnl.h"
#include "net/wg.h"
#include "net/wg_genl.h"

static const char *
wg_kernel_name(void)
{
	return "kernel";
}

static void
wg_kernel_close(struct wg_link *wl)
{
	if (wl->genl != NULL)
		mnl_socket_close(wl->genl);
	wl->genl = NULL;
	wl->genl_family = 0;
}

static int
wg_kernel_ensure(struct wg_link *wl)
{
	int rc;

	if ((rc = wg_dev_place(wl, "wireguard", true)) < 0)
		return rc;
	if (wl->genl != NULL)
		return 0;
	if ((wl->genl = wg_genl_open(wl->vpn_nsfd >= 0 ? wl->vpn_nsfd :
	    wl->host_nsfd)) == NULL)
		return -errno;
	if ((rc = wg_genl_family(wl->genl, &wl->genl_seq)) < 0) {
		wg_kernel_close(wl);
		return rc;
	}
	wl->genl_family = (uint16_t)rc;
	return 0;
}

static int
wg_kernel_configure(struct wg_link *wl, const struct wg_device_config *cfg)
{
	struct wg_genl_cursor	 cur = { 0 };
	char			*buf;
	size_t			 buflen = MNL_SOCKET_BUFFER_SIZE;
	int			 len, rc = 0, nmsg = 0;

	if (wl->genl == NULL)
		return -ENODEV;
	if ((buf = calloc(1, buflen)) == NULL)
		return -ENOMEM;
	for (;;) {
		len = wg_genl_build_set(buf, buflen, wl->genl_family,
		    ++wl->genl_seq, wl->ifname, cfg, &cur);
		if (len <= 0) {
			rc = len;
			break;
		}
		nmsg++;
		if ((rc = wg_genl_talk(wl->genl, buf, (size_t)len,
		    wl->genl_seq, NULL, NULL)) < 0) {
			log_warnx("%s: kernel refused WireGuard config "
			    "(message %d): %s", wl->ifname, nmsg,
			    strerror(-rc));
			break;
		}
	}
	/* The first message holds the private key. */
	explicit_bzero(buf, buflen);
	free(buf);
	return rc;
}

static int
wg_kernel_read_cb(const struct nlmsghdr *nlh, void *arg)
{
	return wg_genl_parse_device(nlh, arg);
}

static int
wg_kernel_read(struct wg_link *wl, struct wg_device_status *st)
{
	char	buf[256];
	int	len, rc;

	memset(st, 0, sizeof(*st));
	if (wl->genl == NULL)
		return -ENODEV;
	len = wg_genl_build_get(buf, sizeof(buf), wl->genl_family,
	    ++wl->genl_seq, wl->ifname);
	if (len < 0)
		return len;
	rc = wg_genl_talk(wl->genl, buf, (size_t)len, wl->genl_seq,
	    wg_kernel_read_cb, st);
	return rc;
}

static int
wg_kernel_destroy(struct wg_link *wl)
{
	struct rtnl	*r;
	int		 rc = 0, i;
	int		 fds[2] = { wl->vpn_nsfd, wl->host_nsfd };

	for (i = 0; i < 2; i++) {
		if (i == 0 && fds[0] < 0)
			continue;
		if ((r = rtnl_open(fds[i])) == NULL)
			return -errno;
		rc = wg_dev_find(r, wl->ifname, "wireguard");
		if (rc > 0)
			rc = link_delete(r, wl->ifname);
		rtnl_close(r);
		if (rc != 0)
			break;
	}
	wl->ifindex = 0;
	return rc < 0 ? rc : 0;
}

const struct wg_backend_ops wg_backend_kernel = {
	.name = wg_kernel_name,
	.ensure = wg_kernel_ensure,
	.configure = wg_kernel_configure,
	.read = wg_kernel_read,
	.destroy = wg_kernel_destroy,
	.close = wg_kernel_close,
};
