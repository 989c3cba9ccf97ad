/* SPDX-License-Identifier: ISC */
/*
 * One-shot timers on CLOCK_BOOTTIME (a timerfd in the event loop). libevent
 * timers run on the monotonic clock, which stops during suspend; the port
 * binding and the session renewal must not slip because a laptop slept, so
 * they use these.
 */
#ifndef PIAD_CORE_BTIMER_H
#define PIAD_CORE_BTIMER_H

#include <stdbool.h>
#include <stdint.h>

struct event_base;
struct btimer;

typedef void (*btimer_fn)(void *arg);

/* NULL on failure (errno set). */
struct btimer	*btimer_new(struct event_base *, btimer_fn, void *arg);
/* Fire once after ms (re-arming replaces); 0 / -1. */
int		 btimer_arm(struct btimer *, uint64_t ms);
void		 btimer_disarm(struct btimer *);
bool		 btimer_armed(const struct btimer *);
/* Milliseconds until it fires, -1 when disarmed. */
int64_t		 btimer_remaining_ms(const struct btimer *);
void		 btimer_free(struct btimer *);

#endif
