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
pump_run(struct pump *p)
{
	struct tunnel	*t = p->t;
	struct proxy	*px = t->px;
	ssize_t		 n;
	int		 round;

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
		n = splice(p->src, NULL, p->pw, NULL, p->cap,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			p->inpipe = (size_t)n;
			if (p->up) {
				t->bytes_up += (uint64_t)n;
				px->stats.bytes_up += (uint64_t)n;
			} else {
				t->bytes_down += (uint64_t)n;
				px->stats.bytes_down += (uint64_t)n;
			}
			clock_gettime(CLOCK_MONOTONIC, &t->last_io);
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
	struct event_base	*base = t->px->base;
	int			 fds[2], sz;

	p->t = t;
	p->src = src;
	p->dst = dst;
	p->up = up;
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	p->pr = fds[0];
	p->pw = fds[1];
	/* Best effort: unprivileged users are capped by pipe-max-size. */
	sz = fcntl(p->pw, F_SETPIPE_SZ, (int)t->px->lim.hiwat);
	if (sz == -1)
		sz = fcntl(p->pw, F_GETPIPE_SZ);
	p->cap = sz > 0 ? (size_t)sz : 65536;
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
