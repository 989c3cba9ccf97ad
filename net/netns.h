/* SPDX-License-Identifier: ISC */
/*
 * Named network namespaces, compatible with iproute2 (`ip netns`): a netns
 * NAME is a bind mount of a namespace file on /run/netns/NAME. And the one
 * helper that creates a socket inside another netns without moving the rest
 * of the process: setns to the target, socket(), setns back. A socket keeps
 * the netns it was created in; so do netlink and libnftables contexts.
 *
 * All functions return >= 0 on success and -errno on failure.
 */
#ifndef PIAD_NET_NETNS_H
#define PIAD_NET_NETNS_H

#include <stdbool.h>

#define NETNS_RUN_DIR	"/run/netns"
/* Longest name we accept (a file name under NETNS_RUN_DIR). */
#define NETNS_NAME_MAX	64

/* Non-empty, at most NETNS_NAME_MAX bytes, no '/', not "." or "..". */
bool	netns_name_valid(const char *name);

/*
 * Create NAME (a no-op returning 0 if it exists). A helper thread unshares
 * and bind mounts its netns; the calling thread never changes netns.
 */
int	netns_create(const char *name);
/* Open NAME; returns an O_RDONLY|O_CLOEXEC fd the caller owns; -ENOENT. */
int	netns_open(const char *name);
/* Unmount and remove NAME; 0 if it did not exist. */
int	netns_delete(const char *name);
bool	netns_exists(const char *name);
/*
 * fd of the netns this process started in (opened at the first call, kept
 * open, owned here: never close it). Call it once early in main().
 */
int	netns_self(void);
/* 1 if both fds refer to the same netns, 0 if not, -errno. */
int	netns_same(int fd_a, int fd_b);

/*
 * Run in netns nsfd (-1: the current one): switch, call fn(arg), switch
 * back. Returns fn's result, or -errno if switching failed. Used for
 * socket(), nft_ctx_new(), mnl_socket_open() and sysctl writes.
 */
int	netns_run(int nsfd, int (*fn)(void *arg), void *arg);
/* socket(domain, type, proto) inside netns nsfd (-1: current); CLOEXEC. */
int	netns_socket(int nsfd, int domain, int type, int proto);

#endif
