/* SPDX-License-Identifier: ISC */
/*
 * rtnetlink request sockets (libmnl). One struct rtnl per netns: the socket
 * is opened inside that netns (netns_run) and keeps talking to it from
 * anywhere. Requests carry our own sequence numbers and ask for an ACK, so
 * every change reports its own errno. Every change request (anything that
 * is not a GET) counts as one "write": topology reports these so "nothing
 * changed" is checkable (zero writes).
 *
 * Building messages: rtnl_msg() gives a zeroed nlmsghdr in the rtnl's own
 * buffer (valid until the next rtnl_msg() on it); add the family header
 * with mnl_nlmsg_put_extra_header() and attributes with mnl_attr_put*(),
 * then rtnl_request() / rtnl_dump(). net/link.h builds on this; other net/
 * code (e.g. wg) may do the same for messages link.h does not offer.
 *
 * All int functions return >= 0 on success and -errno on failure.
 */
#ifndef PIAD_NET_RTNL_H
#define PIAD_NET_RTNL_H

#include <stdbool.h>
#include <stdint.h>

struct nlmsghdr;
struct rtnl;

/*
 * Open a request socket inside netns nsfd (-1: the current netns). The fd
 * is dup'ed and kept (rtnl_nsfd), the caller keeps its own. NULL and errno
 * set on failure.
 */
struct rtnl	*rtnl_open(int nsfd);
/* Close the socket and the kept netns fd; NULL is fine. */
void		 rtnl_close(struct rtnl *);
/* The netns this socket talks to (owned by the rtnl; -1 if "current"). */
int		 rtnl_nsfd(const struct rtnl *);

/* Change requests sent on this socket since it was opened. */
unsigned long	 rtnl_writes(const struct rtnl *);
/* Change requests sent on all sockets of this process. */
unsigned long	 rtnl_writes_total(void);

/* A fresh message of type (RTM_*) with flags (NLM_F_*) and a new seq. */
struct nlmsghdr	*rtnl_msg(struct rtnl *, uint16_t type, uint16_t flags);

/*
 * Send nlh (adds NLM_F_REQUEST|NLM_F_ACK) and wait for the kernel's ACK:
 * 0 or the kernel's -errno. Counts as a write unless nlh is a GET.
 */
int	rtnl_request(struct rtnl *, struct nlmsghdr *nlh);

/*
 * Send nlh (a GET; NLM_F_DUMP if you want a dump) and call cb on each
 * reply message until done. cb returns MNL_CB_OK (>= 1) to go on,
 * MNL_CB_STOP (0) to stop reading early, or a -errno that is returned.
 * A single GET that fails returns the kernel's -errno (e.g. -ENODEV).
 */
typedef int	(*rtnl_cb)(const struct nlmsghdr *nlh, void *arg);
int	rtnl_query(struct rtnl *, struct nlmsghdr *nlh, rtnl_cb cb, void *arg);

/*
 * True if a whole message starts at nlh within len bytes. Use it instead
 * of mnl_nlmsg_ok(), which takes a length >= 2 GiB as negative and so as
 * fitting.
 */
bool	rtnl_msg_ok(const struct nlmsghdr *nlh, int len);

#endif
