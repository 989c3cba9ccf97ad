/* SPDX-License-Identifier: ISC */
/*
 * The zero-copy data path of an open tunnel: each direction is a pipe that
 * splice(2) fills from the source socket and drains into the destination
 * socket, so tunnel bytes never enter user space. The pipe is also the
 * back-pressure buffer: its capacity is the high-water mark, and a side is
 * read again only once its pipe has been emptied into the other side, so
 * a stalled receiver costs at most one pipe (kernel memory) per direction.
 * Half-close is passed on as in the buffered path: after EOF and an empty
 * pipe, shutdown(SHUT_WR) the destination.
 *
 * The pipes are made lazily: a tunnel starts by copying through a small
 * stack buffer (recv/send), which is what the first small messages of a
 * tunnel (TLS handshakes, API calls) want anyway, and gets its two pipes
 * only once a direction has moved PUMP_COPY_MAX bytes or a destination
 * did not take a whole chunk. Short tunnels then cost no pipes at all,
 * and none are made on the client's latency path. If no pipes can be
 * had, the tunnel goes on through its bufferevents (tunnel.c).
 *
 * The tunnel's bufferevents keep owning (and finally close) the sockets;
 * while pumping they are disabled.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include <event2/event.h>

#include "proxy/proxy_int.h"

/* Rounds per callback: a busy tunnel yields to the others after this. */
#define PUMP_ROUNDS	4
/* Copy without pipes in chunks of at most this: a fresh pipe (at least a
 * page) always takes the part of a chunk its destination did not. */
#define PUMP_COPY_CHUNK	4096
/* Bytes one direction copies before the tunnel gets its pipes. */
#define PUMP_COPY_MAX	(16 * 1024)

static void	pump_run(struct pump *);

static void
pump_cb(evutil_socket_t fd, short ev, void *arg)
{
	pump_run(arg);
}

static void
set_event(struct event *e, bool *on, bool want)
{
	if (want && !*on)
		event_add(e, NULL);
	else if (!want && *on)
		event_del(e);
	*on = want;
}

static void
pump_fail(struct pump *p, bool src_side, int err)
{
	bool client = src_side == p->up;	/* whose socket failed */

	tunnel_finish(p->t, client ? "client error" : "upstream error", err);
}

static void
pump_count(struct pump *p, size_t n)
{
	struct tunnel	*t = p->t;
	struct proxy	*px = t->px;

	if (p->up) {
		t->bytes_up += (uint64_t)n;
		px->stats.bytes_up += (uint64_t)n;
	} else {
		t->bytes_down += (uint64_t)n;
		px->stats.bytes_down += (uint64_t)n;
	}
	clock_gettime(CLOCK_MONOTONIC, &t->last_io);
}

static int
pump_pipe(struct pump *p)
{
	int fds[2], sz;

	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	p->pr = fds[0];
	p->pw = fds[1];
	/* Best effort: unprivileged users are capped by pipe-max-size. */
	sz = fcntl(p->pw, F_SETPIPE_SZ, (int)p->t->px->lim.hiwat);
	if (sz == -1)
		sz = fcntl(p->pw, F_GETPIPE_SZ);
	p->cap = sz > 0 ? (size_t)sz : 65536;
	return 0;
}

/* Both pipes, or none. */
static int
pump_pipes(struct tunnel *t)
{
	int i;

	if (pump_pipe(&t->pump[0]) == 0 && pump_pipe(&t->pump[1]) == 0)
		return 0;
	for (i = 0; i < 2; i++) {
		if (t->pump[i].pr != -1)
			close(t->pump[i].pr);
		if (t->pump[i].pw != -1)
			close(t->pump[i].pw);
		t->pump[i].pr = t->pump[i].pw = -1;
	}
	return -1;
}

/*
 * One chunk from src to dst through the stack, while the tunnel has no
 * pipes. What dst does not take goes into the pipe made for it then, so
 * nothing is held in user space. Returns 1 to go on, 0 to wait for src
 * (or at its EOF), -1 if the tunnel left the pump (failed, or on to the
 * bufferevents).
 */
static int
pump_copy(struct pump *p)
{
	struct tunnel	*t = p->t;
	char		 buf[PUMP_COPY_CHUNK];
	ssize_t		 n, w;
	size_t		 rest;

	n = recv(p->src, buf, sizeof(buf), 0);
	if (n == 0) {
		p->eof = true;
		return 0;
	}
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		pump_fail(p, true, errno);
		return -1;
	}
	pump_count(p, (size_t)n);
	p->copied += (size_t)n;
	w = send(p->dst, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w == -1) {
		if (errno != EAGAIN && errno != EINTR) {
			pump_fail(p, false, errno);
			return -1;
		}
		w = 0;
	}
	/* A short read emptied src: save the recv that would say EAGAIN. */
	if (w == n && p->copied < PUMP_COPY_MAX)
		return n < (ssize_t)sizeof(buf) ? 0 : 1;
	/* A bulk transfer, or a destination that is falling behind. */
	if (pump_pipes(t) == -1) {
		pump_stop(t);
		tunnel_buffered(t, p->up, buf + w, (size_t)(n - w));
		return -1;
	}
	if (w < n) {
		rest = (size_t)(n - w);
		if ((w = write(p->pw, buf + w, rest)) != (ssize_t)rest) {
			pump_fail(p, false, w == -1 ? errno : EIO);
			return -1;
		}
		p->inpipe = rest;
	}
	return 1;
}

static void
pump_run(struct pump *p)
{
	struct tunnel	*t = p->t;
	ssize_t		 n;
	int		 round, r;

	for (round = 0; round < PUMP_ROUNDS; round++) {
		while (p->inpipe > 0) {
			n = splice(p->pr, NULL, p->dst, NULL, p->inpipe,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n > 0) {
				p->inpipe -= (size_t)n;
				clock_gettime(CLOCK_MONOTONIC, &t->last_io);
				continue;
			}
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				break;
			pump_fail(p, false, n == -1 ? errno : EPIPE);
			return;
		}
		if (p->inpipe > 0 || p->eof)
			break;		/* destination full, or source done */
		if (p->pr == -1) {
			if ((r = pump_copy(p)) == -1)
				return;
			if (r == 0)
				break;
			continue;
		}
		n = splice(p->src, NULL, p->pw, NULL, p->cap,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			p->inpipe = (size_t)n;
			pump_count(p, (size_t)n);
			continue;
		}
		if (n == 0) {
			p->eof = true;
			break;
		}
		if (errno == EAGAIN || errno == EINTR)
			break;
		pump_fail(p, true, errno);
		return;
	}
	if (p->eof && p->inpipe == 0 && !p->shut) {
		shutdown(p->dst, SHUT_WR);
		p->shut = true;
	}
	if (t->pump[0].shut && t->pump[1].shut) {
		tunnel_finish(t, "closed", 0);
		return;
	}
	/* Read only into an empty pipe; write only what is in it. */
	set_event(p->rd, &p->rd_on, !p->eof && p->inpipe == 0);
	set_event(p->wr, &p->wr_on, p->inpipe > 0);
}

static int
pump_init(struct tunnel *t, struct pump *p, int src, int dst, bool up)
{
	struct event_base *base = t->px->base;

	p->t = t;
	p->src = src;
	p->dst = dst;
	p->up = up;
	p->rd = event_new(base, src, EV_READ | EV_PERSIST, pump_cb, p);
	p->wr = event_new(base, dst, EV_WRITE | EV_PERSIST, pump_cb, p);
	if (p->rd == NULL || p->wr == NULL)
		return -1;
	return 0;
}

int
pump_start(struct tunnel *t, int cli, int up)
{
	t->pump[0].pr = t->pump[0].pw = -1;
	t->pump[1].pr = t->pump[1].pw = -1;
	t->pumping = true;
	if (pump_init(t, &t->pump[0], cli, up, true) == -1 ||
	    pump_init(t, &t->pump[1], up, cli, false) == -1) {
		pump_free(t);
		return -1;
	}
	set_event(t->pump[0].rd, &t->pump[0].rd_on, true);
	set_event(t->pump[1].rd, &t->pump[1].rd_on, true);
	return 0;
}

void
pump_stop(struct tunnel *t)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (t->pump[i].rd != NULL)
			event_del(t->pump[i].rd);
		if (t->pump[i].wr != NULL)
			event_del(t->pump[i].wr);
		t->pump[i].rd_on = t->pump[i].wr_on = false;
	}
}

void
pump_free(struct tunnel *t)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct pump *p = &t->pump[i];

		if (p->rd != NULL)
			event_free(p->rd);
		if (p->wr != NULL)
			event_free(p->wr);
		if (p->pr != -1)
			close(p->pr);
		if (p->pw != -1)
			close(p->pw);
		p->rd = p->wr = NULL;
		p->pr = p->pw = -1;
	}
	t->pumping = false;
}
