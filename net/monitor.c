/* SPDX-License-Identifier: ISC */
/*
 * Link monitor: RTMGRP_LINK notifications of one netns, read on a libevent
 * loop. The monitor keeps the links it knows (ifindex -> last state) and
 * compares each message with that, so the consumer sees transitions only,
 * and the same comparison serves a re-dump after the kernel dropped
 * messages (ENOBUFS): what changed meanwhile comes out as ordinary events,
 * followed by LINK_EV_RESYNC.
 *
 * Subscribing happens before the first dump, so nothing falls between
 * them; a message that repeats what the dump showed compares equal and is
 * silent. Bridge-port messages (AF_BRIDGE) are not about the link itself
 * and are ignored.
 *
 * The callback may free the monitor: freeing then only marks it dead, and
 * the read handler frees it once the callback has returned.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "core/log.h"
#include "net/link.h"
#include "net/monitor.h"
#include "net/netns.h"
#include "net/rtnl.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000
#endif
#ifndef AF_BRIDGE
#define AF_BRIDGE	7
#endif

#define MONITOR_RECV_SIZE	32768

struct link_table {
	struct link_info	*v;
	size_t			 n;
	size_t			 cap;
};

struct link_monitor {
	struct event		*ev;
	struct mnl_socket	*nl;
	struct rtnl		*req;		/* for dumps */
	char			*label;
	link_event_cb		 cb;
	void			*arg;
	struct link_table	 links;
	unsigned long		 overruns;
	int			 busy;		/* callbacks on the stack */
	bool			 dead;		/* freed from a callback */
	_Alignas(8) char		 buf[MONITOR_RECV_SIZE];
};

static const char *const link_event_names[] = {
	[LINK_EV_ADDED] = "added",
	[LINK_EV_REMOVED] = "removed",
	[LINK_EV_UP] = "up",
	[LINK_EV_DOWN] = "down",
	[LINK_EV_RESYNC] = "resync",
};
_Static_assert(sizeof(link_event_names) / sizeof(link_event_names[0]) ==
    LINK_EV__COUNT, "link_event_names out of step with link_event_type");

static int	monitor_open_fn(void *);
static bool	oper_up(const struct link_info *);
static bool	monitor_emit(struct link_monitor *, enum link_event_type,
		    const struct link_info *);
static struct link_info *table_find(struct link_table *, int);
static int	table_put(struct link_table *, const struct link_info *);
static int	table_add_cb(const struct link_info *, void *);
static bool	monitor_apply(struct link_monitor *, const struct link_info *);
static bool	monitor_resync_run(struct link_monitor *);
static void	monitor_read_cb(evutil_socket_t, short, void *);
static void	monitor_destroy(struct link_monitor *);

const char *
link_event_name(enum link_event_type t)
{
	if ((unsigned int)t >= LINK_EV__COUNT)
		return "unknown";
	return link_event_names[t];
}

static bool
oper_up(const struct link_info *li)
{
	return li->up && li->lower_up;
}

static int
monitor_open_fn(void *arg)
{
	struct mnl_socket **nlp = arg;

	*nlp = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (*nlp == NULL)
		return -errno;
	if (mnl_socket_bind(*nlp, RTMGRP_LINK, MNL_SOCKET_AUTOPID) == -1) {
		int saved = errno;

		mnl_socket_close(*nlp);
		*nlp = NULL;
		return -saved;
	}
	return 0;
}

static struct link_info *
table_find(struct link_table *t, int ifindex)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].ifindex == ifindex)
			return &t->v[i];
	return NULL;
}

static int
table_put(struct link_table *t, const struct link_info *li)
{
	struct link_info *v;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;

		if ((v = reallocarray(t->v, cap, sizeof(*v))) == NULL)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = *li;
	return 0;
}

static int
table_add_cb(const struct link_info *li, void *arg)
{
	return table_put(arg, li);
}

/* Call the consumer; true if it freed the monitor (stop touching it). */
static bool
monitor_emit(struct link_monitor *m, enum link_event_type type,
    const struct link_info *li)
{
	struct link_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.netns = m->label;
	if (li != NULL) {
		ev.ifindex = li->ifindex;
		memcpy(ev.name, li->name, sizeof(ev.name));
		ev.info = li;
	}
	log_debug("monitor %s: %s %s (%d)", m->label, link_event_name(type),
	    ev.name, ev.ifindex);
	m->busy++;
	m->cb(&ev, m->arg);
	m->busy--;
	return m->dead;
}

/*
 * Fold one link state into the table and report the transition. Returns
 * true if the consumer freed the monitor.
 */
static bool
monitor_apply(struct link_monitor *m, const struct link_info *li)
{
	struct link_info	*old, copy;
	bool			 was_up;

	old = table_find(&m->links, li->ifindex);
	if (li->deleted) {
		if (old == NULL)
			return false;
		copy = *old;
		*old = m->links.v[--m->links.n];
		return monitor_emit(m, LINK_EV_REMOVED, &copy);
	}
	if (old != NULL && strcmp(old->name, li->name) != 0) {
		/* A rename: the old name is gone, a new one appears. */
		copy = *old;
		*old = m->links.v[--m->links.n];
		if (monitor_emit(m, LINK_EV_REMOVED, &copy))
			return true;
		old = NULL;
	}
	if (old == NULL) {
		if (table_put(&m->links, li) < 0) {
			log_warnx("monitor %s: out of memory", m->label);
			return false;
		}
		copy = *li;
		if (monitor_emit(m, LINK_EV_ADDED, &copy))
			return true;
		return oper_up(&copy) && monitor_emit(m, LINK_EV_UP, &copy);
	}
	was_up = oper_up(old);
	*old = *li;
	old->deleted = false;
	if (was_up == oper_up(li))
		return false;
	copy = *li;
	return monitor_emit(m, oper_up(li) ? LINK_EV_UP : LINK_EV_DOWN, &copy);
}

/* Dump again and report differences, then RESYNC; true if freed. */
static bool
monitor_resync_run(struct link_monitor *m)
{
	struct link_table	 now = { NULL, 0, 0 };
	struct link_info	 gone;
	size_t			 i;
	int			 rc;

	if ((rc = link_list(m->req, table_add_cb, &now)) < 0) {
		log_warnx("monitor %s: link dump: %s", m->label, strerror(-rc));
		free(now.v);
		return monitor_emit(m, LINK_EV_RESYNC, NULL);
	}
	for (i = 0; i < m->links.n;) {
		if (table_find(&now, m->links.v[i].ifindex) != NULL) {
			i++;
			continue;
		}
		gone = m->links.v[i];
		m->links.v[i] = m->links.v[--m->links.n];
		if (monitor_emit(m, LINK_EV_REMOVED, &gone))
			goto freed;
	}
	for (i = 0; i < now.n; i++)
		if (monitor_apply(m, &now.v[i]))
			goto freed;
	free(now.v);
	return monitor_emit(m, LINK_EV_RESYNC, NULL);

freed:
	free(now.v);
	return true;
}

static void
monitor_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct link_monitor	*m = arg;
	const struct nlmsghdr	*nlh;
	struct link_info	 li;
	struct sockaddr_nl	 sa;
	socklen_t		 alen;
	ssize_t			 n;
	int			 len;

	m->busy++;
	for (;;) {
		alen = sizeof(sa);
		n = recvfrom(fd, m->buf, sizeof(m->buf), 0,
		    (struct sockaddr *)&sa, &alen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == ENOBUFS) {
			/*
			 * Messages were lost. What is queued is older than
			 * the dump that follows: throw it away first.
			 */
			m->overruns++;
			log_warnx("monitor %s: kernel dropped link messages, "
			    "resyncing", m->label);
			for (;;) {
				n = recv(fd, m->buf, sizeof(m->buf), 0);
				if (n > 0 || (n == -1 && (errno == EINTR ||
				    errno == ENOBUFS)))
					continue;
				break;
			}
			if (monitor_resync_run(m))
				break;
			continue;
		}
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("monitor %s: recv", m->label);
			break;
		}
		if (n == 0)
			break;
		/*
		 * Only the kernel (port 0) may tell us about links. Not
		 * nlmsg_pid: a notification caused by a request carries the
		 * requester's port there.
		 */
		if (alen != sizeof(sa) || sa.nl_family != AF_NETLINK ||
		    sa.nl_pid != 0)
			continue;
		len = (int)n;
		nlh = (const struct nlmsghdr *)m->buf;
		for (; rtnl_msg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type != RTM_NEWLINK &&
			    nlh->nlmsg_type != RTM_DELLINK)
				continue;
			if (link_parse(nlh, &li) < 0) {
				log_debug("monitor %s: malformed link message",
				    m->label);
				continue;
			}
			if (li.family == AF_BRIDGE)
				continue;
			if (monitor_apply(m, &li))
				goto out;
		}
	}
out:
	m->busy--;
	if (m->dead && m->busy == 0)
		monitor_destroy(m);
}

struct link_monitor *
link_monitor_new(struct event_base *base, int nsfd, const char *label,
    link_event_cb cb, void *arg)
{
	struct link_monitor	*m;
	int			 rc, saved;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->cb = cb;
	m->arg = arg;
	if ((m->label = strdup(label != NULL ? label : "")) == NULL)
		goto fail;
	if ((rc = netns_run(nsfd, monitor_open_fn, &m->nl)) < 0) {
		errno = -rc;
		goto fail;
	}
	if ((m->req = rtnl_open(nsfd)) == NULL)
		goto fail;
	if ((rc = link_list(m->req, table_add_cb, &m->links)) < 0) {
		errno = -rc;
		goto fail;
	}
	if ((m->ev = event_new(base, mnl_socket_get_fd(m->nl),
	    EV_READ | EV_PERSIST, monitor_read_cb, m)) == NULL ||
	    event_add(m->ev, NULL) == -1) {
		errno = ENOMEM;
		goto fail;
	}
	return m;

fail:
	saved = errno;
	monitor_destroy(m);
	errno = saved;
	return NULL;
}

static void
monitor_destroy(struct link_monitor *m)
{
	if (m->ev != NULL)
		event_free(m->ev);
	if (m->nl != NULL)
		mnl_socket_close(m->nl);
	rtnl_close(m->req);
	free(m->links.v);
	free(m->label);
	free(m);
}

void
link_monitor_free(struct link_monitor *m)
{
	if (m == NULL)
		return;
	if (m->busy > 0) {
		/* A callback is on the stack: stop reading, free later. */
		m->dead = true;
		if (m->ev != NULL)
			event_del(m->ev);
		return;
	}
	monitor_destroy(m);
}

int
link_monitor_resync(struct link_monitor *m)
{
	m->busy++;
	(void)monitor_resync_run(m);
	m->busy--;
	if (m->dead && m->busy == 0)
		monitor_destroy(m);
	return 0;
}

int
link_monitor_set_rcvbuf(struct link_monitor *m, int bytes)
{
	if (setsockopt(mnl_socket_get_fd(m->nl), SOL_SOCKET, SO_RCVBUF,
	    &bytes, sizeof(bytes)) == -1)
		return -errno;
	return 0;
}

unsigned long
link_monitor_overruns(const struct link_monitor *m)
{
	return m->overruns;
}

const struct link_info *
link_monitor_find(const struct link_monitor *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->links.n; i++)
		if (strcmp(m->links.v[i].name, name) == 0)
			return &m->links.v[i];
	return NULL;
}
