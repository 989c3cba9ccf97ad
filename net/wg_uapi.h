/* SPDX-License-Identifier: ISC */
/*
 * The WireGuard cross-platform UAPI: a text protocol on a unix socket,
 * /var/run/wireguard/IFNAME.sock, that userspace implementations such as
 * wireguard-go serve. "set=1" / "get=1", key=value lines, a blank line,
 * and "errno=N" in reply. The socket directory is shared by every netns,
 * so interface names must be unique across namespaces.
 *
 * Builders and parsers are separate from the socket I/O so they can be
 * unit tested and fuzzed. Returns >= 0 on success, -errno on failure.
 */
#ifndef PIAD_NET_WG_UAPI_H
#define PIAD_NET_WG_UAPI_H

#include <stdbool.h>
#include <stddef.h>

#include "net/wg.h"

#define WG_UAPI_DIR		"/var/run/wireguard"
/* A get reply larger than this is refused (thousands of peers). */
#define WG_UAPI_MAX_REPLY	(4 * 1024 * 1024)

/* A growing text buffer; the builder wipes it on free (private keys). */
struct wg_uapi_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	wg_uapi_buf_free(struct wg_uapi_buf *);

/* "/var/run/wireguard/IFNAME.sock" into path; -ENAMETOOLONG. */
int	wg_uapi_path(char *path, size_t len, const char *ifname);

/*
 * The whole "set=1\n...\n\n" request for cfg, appended to buf.
 * -EINVAL for a config that cannot be expressed (bad family).
 */
int	wg_uapi_build_set(struct wg_uapi_buf *,
	    const struct wg_device_config *);

/*
 * Parse a get reply (key=value lines up to and including "errno=N" and
 * the blank line). Fills st (the caller frees it, also on failure).
 * Returns 0, -N for a reply "errno=N" with N != 0, or -EBADMSG for a
 * malformed reply (with a log_warnx naming the line).
 */
int	wg_uapi_parse_get(const char *reply, size_t len,
	    struct wg_device_status *st);
/* The N of a set reply "errno=N\n\n": 0, -N, or -EBADMSG. */
int	wg_uapi_parse_errno(const char *reply, size_t len);

/* Does a program answer on IFNAME's socket right now? */
bool	wg_uapi_alive(const char *ifname);
/* One request/reply exchange each; short local timeouts. */
int	wg_uapi_get(const char *ifname, struct wg_device_status *st);
int	wg_uapi_set(const char *ifname, const struct wg_device_config *cfg);

#endif
