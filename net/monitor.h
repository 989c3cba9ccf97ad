/* SPDX-License-Identifier: ISC */
/*
 * Link monitor: a non-blocking rtnetlink socket subscribed to RTMGRP_LINK
 * inside one netns, read from a libevent event_base, turning kernel
 * messages into typed link events. It keeps its own table of the links of
 * that netns (filled by a dump when it starts), so it can tell "added" from
 * "changed" and reports only transitions. Each read drains the socket
 * until EAGAIN. If the kernel drops messages (ENOBUFS), the monitor dumps
 * the links again, reports the differences as ordinary events, then one
 * LINK_EV_RESYNC (the consumer should re-check its invariants).
 *
 * "Up" means operational: IFF_UP and IFF_LOWER_UP (carrier), so a veth
 * whose peer went down, or a bridge with no running port, is "down".
 *
 * The only net/ interface that uses libevent.
 */
#ifndef PIAD_NET_MONITOR_H
#define PIAD_NET_MONITOR_H

#include <net/if.h>

#include "net/link.h"

struct event_base;
struct link_monitor;

enum link_event_type {
	LINK_EV_ADDED,		/* a new ifindex (also after a rename) */
	LINK_EV_REMOVED,	/* deleted, moved away, or renamed (old name) */
	LINK_EV_UP,		/* became operationally up (also after ADDED) */
	LINK_EV_DOWN,		/* was up, is not any more */
	LINK_EV_RESYNC,		/* messages were lost; table re-dumped */
	LINK_EV__COUNT
};

struct link_event {
	enum link_event_type	 type;
	const char		*netns;		/* the monitor's label */
	int			 ifindex;	/* 0 for RESYNC */
	char			 name[IFNAMSIZ]; /* "" for RESYNC */
	/* Last known state of the link; NULL for RESYNC. */
	const struct link_info	*info;
};

/* Valid until the callback returns; it may free the monitor. */
typedef void	(*link_event_cb)(const struct link_event *, void *arg);

/*
 * Start monitoring netns nsfd (-1: current; the fd is dup'ed, the caller
 * keeps its own) on base. label names the netns in events and logs
 * (copied). NULL and errno on failure.
 */
struct link_monitor *link_monitor_new(struct event_base *base, int nsfd,
		    const char *label, link_event_cb cb, void *arg);
/* Stop and free; safe from inside the callback. NULL is fine. */
void		link_monitor_free(struct link_monitor *);
/* Re-dump now and report differences, then LINK_EV_RESYNC. */
int		link_monitor_resync(struct link_monitor *);
/* Socket receive buffer in bytes (tests make it small to force ENOBUFS). */
int		link_monitor_set_rcvbuf(struct link_monitor *, int bytes);
/* Resyncs done because of ENOBUFS so far (for metrics). */
unsigned long	link_monitor_overruns(const struct link_monitor *);

/* Up-to-date state of a link by name from the monitor's table, or NULL. */
const struct link_info *link_monitor_find(const struct link_monitor *,
		    const char *name);

/* "added", "removed", "up", "down", "resync". */
const char	*link_event_name(enum link_event_type);

#endif
