/* SPDX-License-Identifier: ISC */
/*
 * The kernel WireGuard API: generic netlink family "wireguard" (see
 * <linux/wireguard.h>). Message building and reply parsing are separate
 * from the socket so they are unit tested and fuzzed without the module.
 *
 * A set-device request must fit one netlink message buffer; a large
 * config is split across several requests as the kernel API requires:
 * device attributes (key, port, replace-peers flag) only in the first, a
 * peer cut in the middle of its allowed IPs continues in the next message
 * without the replace-allowed-IPs flag (so it adds to what came before).
 *
 * Returns >= 0 on success and -errno on failure.
 */
#ifndef PIAD_NET_WG_GENL_H
#define PIAD_NET_WG_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/wg.h"

struct nlmsghdr;

/* Where the next set-device message resumes. Zero it to start. */
struct wg_genl_cursor {
	bool	started;	/* first message (device attrs) built */
	size_t	peer;		/* next peer */
	size_t	aip;		/* next allowed IP of that peer */
};

/*
 * Build the next SET_DEVICE message for cfg into buf (buflen bytes,
 * at least 512). Returns its length, 0 when everything was sent, or
 * -E2BIG if one item cannot fit an empty message.
 */
int	wg_genl_build_set(void *buf, size_t buflen, uint16_t family,
	    uint32_t seq, const char *ifname,
	    const struct wg_device_config *cfg, struct wg_genl_cursor *cur);

/* A GET_DEVICE dump request for ifname into buf; returns its length. */
int	wg_genl_build_get(void *buf, size_t buflen, uint16_t family,
	    uint32_t seq, const char *ifname);

/*
 * Parse one GET_DEVICE reply message (the dump may have several) into st,
 * merging with what earlier messages of the same dump put there: a peer
 * continued from the previous message gets its further allowed IPs. st
 * must start zeroed; the caller frees it (also on failure). -EBADMSG (and
 * a log_warnx) for a malformed message. Outside data: fuzzed.
 */
int	wg_genl_parse_device(const struct nlmsghdr *nlh,
	    struct wg_device_status *st);

/* Open a generic netlink socket inside netns nsfd (-1: current). */
struct mnl_socket *wg_genl_open(int nsfd);
/* The "wireguard" family id, or -ENOENT without the module. */
int	wg_genl_family(struct mnl_socket *, uint32_t *seq);
/* Send one request and wait for its ACK (cb, if any, gets replies). */
int	wg_genl_talk(struct mnl_socket *, void *buf, size_t len,
	    uint32_t seq,
	    int (*cb)(const struct nlmsghdr *, void *), void *arg);

#endif
