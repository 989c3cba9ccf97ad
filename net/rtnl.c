/* SPDX-License-Identifier: ISC */
/*
 * rtnetlink request sockets: one per netns, opened inside it, with our own
 * sequence numbers and an ACK for every request so each change reports its
 * own errno. Replies that do not carry our port id and current sequence
 * number (left over from a dump read only partly) are skipped, so an early
 * stop never confuses the next request.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "core/log.h"
#include "net/netns.h"
#include "net/rtnl.h"

/* Requests are small; dumps arrive in several reads of up to 32 KiB. */
#define RTNL_SEND_SIZE	8192
#define RTNL_RECV_SIZE	32768

struct rtnl {
	struct mnl_socket	*nl;
	int			 nsfd;
	unsigned int		 portid;
	uint32_t		 seq;
	unsigned long		 writes;
	_Alignas(8) char	 sendbuf[RTNL_SEND_SIZE];
	_Alignas(8) char	 recvbuf[RTNL_RECV_SIZE];
};

static unsigned long rtnl_total;

static int	rtnl_open_fn(void *);
static int	rtnl_is_get(uint16_t);
static int	rtnl_run(struct rtnl *, struct nlmsghdr *, rtnl_cb, void *);

static int
rtnl_open_fn(void *arg)
{
	struct mnl_socket	**nlp = arg;
	int			  one = 1;

	if ((*nlp = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL)
		return -errno;
	/* Small ACKs (no echo of our request); best effort. */
	(void)mnl_socket_setsockopt(*nlp, NETLINK_CAP_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(*nlp, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(*nlp, 0, MNL_SOCKET_AUTOPID) == -1) {
		int saved = errno;

		mnl_socket_close(*nlp);
		*nlp = NULL;
		return -saved;
	}
	return 0;
}

struct rtnl *
rtnl_open(int nsfd)
{
	struct rtnl	*r;
	int		 rc;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->nsfd = -1;
	if (nsfd >= 0 && (r->nsfd = fcntl(nsfd, F_DUPFD_CLOEXEC, 3)) == -1)
		goto fail_free;
	if ((rc = netns_run(r->nsfd, rtnl_open_fn, &r->nl)) < 0) {
		errno = -rc;
		goto fail_nsfd;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (uint32_t)time(NULL);
	return r;

fail_nsfd:
	if (r->nsfd != -1) {
		int saved = errno;

		close(r->nsfd);
		errno = saved;
	}
fail_free:
	free(r);
	return NULL;
}

void
rtnl_close(struct rtnl *r)
{
	if (r == NULL)
		return;
	mnl_socket_close(r->nl);
	if (r->nsfd != -1)
		close(r->nsfd);
	free(r);
}

int
rtnl_nsfd(const struct rtnl *r)
{
	return r->nsfd;
}

unsigned long
rtnl_writes(const struct rtnl *r)
{
	return r->writes;
}

unsigned long
rtnl_writes_total(void)
{
	return rtnl_total;
}

struct nlmsghdr *
rtnl_msg(struct rtnl *r, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(r->sendbuf, 0, sizeof(struct nlmsghdr) + 256);
	nlh = mnl_nlmsg_put_header(r->sendbuf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = ++r->seq;
	return nlh;
}

/* RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, ...: type % 4 == 2. */
static int
rtnl_is_get(uint16_t type)
{
	return type >= RTM_BASE && (type & 3) == 2;
}

/*
 * Send and read until our ACK (single request) or NLMSG_DONE (dump).
 * Messages not ours are skipped; once cb stops, the rest is drained.
 */
static int
rtnl_run(struct rtnl *r, struct nlmsghdr *nlh, rtnl_cb cb, void *arg)
{
	const struct nlmsghdr	*m;
	uint32_t		 seq = nlh->nlmsg_seq;
	int			 dump = (nlh->nlmsg_flags & NLM_F_DUMP) ==
				    NLM_F_DUMP;
	int			 result = 0, stopped = 0, rc, len;
	ssize_t			 n;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (!rtnl_is_get(nlh->nlmsg_type)) {
		r->writes++;
		rtnl_total++;
	}
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	for (;;) {
		n = mnl_socket_recvfrom(r->nl, r->recvbuf, sizeof(r->recvbuf));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (int)n;
		m = (const struct nlmsghdr *)r->recvbuf;
		for (; rtnl_msg_ok(m, len); m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != seq || m->nlmsg_pid != r->portid)
				continue;
			if (m->nlmsg_type == NLMSG_DONE)
				return result;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e;

				if (m->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
					return -EBADMSG;
				e = mnl_nlmsg_get_payload(m);
				/* A dump error ends the dump too. */
				if (e->error != 0)
					return e->error;
				if (!dump)
					return result;
				continue;
			}
			if (m->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			if (cb == NULL || stopped)
				continue;
			rc = cb(m, arg);
			if (rc < 0) {
				result = rc;
				stopped = 1;
			} else if (rc == MNL_CB_STOP)
				stopped = 1;
		}
	}
}

int
rtnl_request(struct rtnl *r, struct nlmsghdr *nlh)
{
	return rtnl_run(r, nlh, NULL, NULL);
}

int
rtnl_query(struct rtnl *r, struct nlmsghdr *nlh, rtnl_cb cb, void *arg)
{
	return rtnl_run(r, nlh, cb, arg);
}

bool
rtnl_msg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	    nlh->nlmsg_len <= (unsigned int)len;
}
