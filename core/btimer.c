/* SPDX-License-Identifier: ISC */
/*
 * CLOCK_BOOTTIME one-shot timers, see btimer.h. The timerfd is read when
 * it fires so a level-triggered loop does not spin on it.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <event2/event.h>

#include "core/btimer.h"

struct btimer {
	int		 fd;
	struct event	*ev;
	btimer_fn	 fn;
	void		*arg;
	bool		 armed;
};

static void
btimer_fire(evutil_socket_t fd, short what, void *arg)
{
	struct btimer	*t = arg;
	uint64_t	 n;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return;		/* EAGAIN: re-armed meanwhile */
	t->armed = false;
	t->fn(t->arg);
}

struct btimer *
btimer_new(struct event_base *base, btimer_fn fn, void *arg)
{
	struct btimer	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	t->fd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd == -1)
		goto free_t;
	t->ev = event_new(base, t->fd, EV_READ | EV_PERSIST, btimer_fire, t);
	if (t->ev == NULL || event_add(t->ev, NULL) == -1)
		goto close_fd;
	return t;

close_fd:
	if (t->ev != NULL)
		event_free(t->ev);
	close(t->fd);
free_t:
	free(t);
	return NULL;
}

int
btimer_arm(struct btimer *t, uint64_t ms)
{
	struct itimerspec its = { 0 };

	if (ms == 0)
		ms = 1;		/* all zero would disarm */
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	if (timerfd_settime(t->fd, 0, &its, NULL) == -1)
		return -1;
	t->armed = true;
	return 0;
}

void
btimer_disarm(struct btimer *t)
{
	struct itimerspec its = { 0 };

	if (t == NULL)
		return;
	timerfd_settime(t->fd, 0, &its, NULL);
	t->armed = false;
}

bool
btimer_armed(const struct btimer *t)
{
	return t != NULL && t->armed;
}

int64_t
btimer_remaining_ms(const struct btimer *t)
{
	struct itimerspec its;

	if (t == NULL || !t->armed || timerfd_gettime(t->fd, &its) == -1)
		return -1;
	return (int64_t)its.it_value.tv_sec * 1000 +
	    its.it_value.tv_nsec / 1000000;
}

void
btimer_free(struct btimer *t)
{
	if (t == NULL)
		return;
	event_free(t->ev);
	close(t->fd);
	free(t);
}
