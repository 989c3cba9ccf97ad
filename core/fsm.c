/* SPDX-License-Identifier: ISC */
/*
 * The state machine engine. The table below is the contract: for every
 * (state, event) pair it says where piad goes. States implement handle()
 * to do their bookkeeping and return the same answer; the engine follows
 * the table and complains loudly if a state disagrees (a unit test drives
 * every pair to keep them in step).
 *
 * Failures go backward: to the earliest state whose invariant may have
 * broken, and that state's enter waits for the per-cause backoff first.
 * Going backward is cheap because every enter finishes at once when its
 * invariant still holds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/backend.h"
#include "core/context.h"
#include "core/fsm.h"
#include "core/log.h"

#define B	ST_BOOTSTRAP
#define A	ST_AUTH
#define W	ST_WG_UP
#define N	ST_NAT
#define P	ST_PF_BIND
#define S	ST_STEADY
#define R	ST_RENEW
#define _	FSM_IGNORE
#define X	FSM_STOP

/*
 * Rows: current state. Columns: event. B=BOOTSTRAP A=AUTH W=WG_UP N=NAT
 * P=PF_BIND S=STEADY R=RENEW, _ = ignored, X = stop (fail-closed).
 *
 * Port forwarding and RENEW trouble fall back to STEADY: the tunnel keeps
 * carrying traffic and their own timers retry with backoff.
 */
const signed char fsm_table[FSM_NSTATES][FSM_NEVENTS] = {
/*               DONE FAIL TIME LDWN LUP  DEAD PFDU PFFL RNDU RELD RCON SHUT */
/* BOOTSTRAP */ { A,   B,   B,   B,   B,   _,   _,   _,   _,   B,   _,   X },
/* AUTH      */ { W,   A,   A,   B,   A,   _,   _,   _,   _,   B,   A,   X },
/* WG_UP     */ { N,   A,   A,   B,   _,   A,   _,   _,   _,   B,   A,   X },
/* NAT       */ { P,   B,   B,   B,   _,   A,   _,   _,   _,   B,   A,   X },
/* PF_BIND   */ { S,   S,   S,   B,   _,   A,   _,   _,   _,   B,   A,   X },
/* STEADY    */ { _,   _,   _,   B,   _,   A,   P,   P,   R,   B,   A,   X },
/* RENEW     */ { P,   S,   S,   B,   _,   A,   _,   _,   _,   B,   A,   X },
};

#undef B
#undef A
#undef W
#undef N
#undef P
#undef S
#undef R
#undef _
#undef X

const char *const fsm_state_names[FSM_NSTATES] = {
	[ST_BOOTSTRAP] = "BOOTSTRAP",
	[ST_AUTH] = "AUTH",
	[ST_WG_UP] = "WG_UP",
	[ST_NAT] = "NAT",
	[ST_PF_BIND] = "PF_BIND",
	[ST_STEADY] = "STEADY",
	[ST_RENEW] = "RENEW",
};

const char *const fsm_event_names[FSM_NEVENTS] = {
	[EV_DONE] = "EV_DONE",
	[EV_FAIL] = "EV_FAIL",
	[EV_TIMEOUT] = "EV_TIMEOUT",
	[EV_LINK_DOWN] = "EV_LINK_DOWN",
	[EV_LINK_UP] = "EV_LINK_UP",
	[EV_TUNNEL_DEAD] = "EV_TUNNEL_DEAD",
	[EV_PF_DUE] = "EV_PF_DUE",
	[EV_PF_FAIL] = "EV_PF_FAIL",
	[EV_RENEW_DUE] = "EV_RENEW_DUE",
	[EV_RELOAD] = "EV_RELOAD",
	[EV_RECONNECT] = "EV_RECONNECT",
	[EV_SHUTDOWN] = "EV_SHUTDOWN",
};

_Static_assert(sizeof(fsm_state_names) / sizeof(fsm_state_names[0]) ==
    FSM_NSTATES, "a state without a name");
_Static_assert(sizeof(fsm_event_names) / sizeof(fsm_event_names[0]) ==
    FSM_NEVENTS, "an event without a name");
_Static_assert(sizeof(fsm_table) == FSM_NSTATES * FSM_NEVENTS,
    "transition table shape");

static void	fsm_drain(struct piad_ctx *);
static void	fsm_enter(struct piad_ctx *);

const char *
fsm_state_name(int s)
{
	if (s == FSM_IGNORE)
		return "(ignore)";
	if (s == FSM_STOP)
		return "(stop)";
	if (s < 0 || s >= FSM_NSTATES)
		return "(invalid)";
	return fsm_state_names[s];
}

const char *
fsm_event_name(int e)
{
	if (e < 0 || e >= FSM_NEVENTS)
		return "(invalid)";
	return fsm_event_names[e];
}

int
fsm_state_from_name(const char *name)
{
	int s;

	for (s = 0; s < FSM_NSTATES; s++)
		if (strcmp(fsm_state_names[s], name) == 0)
			return s;
	return -1;
}

/* The failure cause to charge when an event carries none. */
static enum fail_cause
fsm_default_cause(enum fsm_state s)
{
	switch (s) {
	case ST_BOOTSTRAP:
		return CAUSE_TOPOLOGY;
	case ST_AUTH:
		return CAUSE_NETWORK;
	case ST_WG_UP:
	case ST_STEADY:
		return CAUSE_SERVER;
	case ST_NAT:
		return CAUSE_FIREWALL;
	case ST_PF_BIND:
		return CAUSE_PORT_FORWARD;
	case ST_RENEW:
		return CAUSE_RENEW;
	default:
		return CAUSE_INTERNAL;
	}
}

/* Success of a state clears the backoff of the causes it can suffer. */
static void
fsm_reset_backoff(struct piad_ctx *ctx, enum fsm_state s)
{
	struct backoff *b = &ctx->fsm.backoff;

	switch (s) {
	case ST_AUTH:
		backoff_reset(b, CAUSE_NETWORK);
		backoff_reset(b, CAUSE_CREDENTIALS);
		backoff_reset(b, CAUSE_API);
		backoff_reset(b, CAUSE_SERVERLIST);
		break;
	default:
		backoff_reset(b, fsm_default_cause(s));
		break;
	}
}

static void
fsm_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct piad_ctx		*ctx = arg;
	const struct state_ops	*ops = ctx->fsm.ops[ctx->fsm.state];

	fsm_dispatch(ctx, EV_TIMEOUT, CAUSE_NONE, "%s: no result after %u s",
	    fsm_state_names[ctx->fsm.state], ops->timeout_ms / 1000);
}

static void
fsm_enter_cb(evutil_socket_t fd, short what, void *arg)
{
	struct piad_ctx *ctx = arg;

	ctx->fsm.dispatching = true;
	fsm_enter(ctx);
	ctx->fsm.dispatching = false;
	fsm_drain(ctx);
}

int
fsm_init(struct piad_ctx *ctx, const struct state_ops *const *ops)
{
	struct fsm	*fsm = &ctx->fsm;
	int		 s;

	memset(fsm, 0, sizeof(*fsm));
	for (s = 0; s < FSM_NSTATES; s++) {
		if (ops[s] == NULL)
			fatalx("fsm: no ops for %s", fsm_state_names[s]);
		fsm->ops[s] = ops[s];
	}
	/* memset left the state at ST_BOOTSTRAP (0): the writer is alone */
	clock_gettime(CLOCK_REALTIME, &fsm->since);
	backoff_init(&fsm->backoff, NULL);
	fsm->timeout_ev = evtimer_new(ctx->base, fsm_timeout_cb, ctx);
	fsm->enter_ev = evtimer_new(ctx->base, fsm_enter_cb, ctx);
	if (fsm->timeout_ev == NULL || fsm->enter_ev == NULL) {
		fsm_free(ctx);
		return -1;
	}
	return 0;
}

void
fsm_start(struct piad_ctx *ctx)
{
	log_info("fsm: starting in %s", fsm_state_names[ctx->fsm.state]);
	ctx->fsm.running = true;
	clock_gettime(CLOCK_REALTIME, &ctx->fsm.since);
	ctx->fsm.dispatching = true;
	fsm_enter(ctx);
	ctx->fsm.dispatching = false;
	fsm_drain(ctx);
}

void
fsm_free(struct piad_ctx *ctx)
{
	struct fsm *fsm = &ctx->fsm;

	if (fsm->timeout_ev != NULL)
		event_free(fsm->timeout_ev);
	if (fsm->enter_ev != NULL)
		event_free(fsm->enter_ev);
	fsm->timeout_ev = fsm->enter_ev = NULL;
}

int
fsm_add_observer(struct piad_ctx *ctx, fsm_observer_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < FSM_OBSERVERS; i++) {
		if (ctx->fsm.observer[i] == NULL) {
			ctx->fsm.observer[i] = fn;
			ctx->fsm.observer_arg[i] = arg;
			return 0;
		}
	}
	errno = ENOSPC;
	return -1;
}

void
fsm_del_observer(struct piad_ctx *ctx, fsm_observer_fn fn, void *arg)
{
	size_t i;

	for (i = 0; i < FSM_OBSERVERS; i++) {
		if (ctx->fsm.observer[i] == fn &&
		    ctx->fsm.observer_arg[i] == arg) {
			ctx->fsm.observer[i] = NULL;
			ctx->fsm.observer_arg[i] = NULL;
		}
	}
}

static void
fsm_enter(struct piad_ctx *ctx)
{
	struct fsm		*fsm = &ctx->fsm;
	const struct state_ops	*ops = fsm->ops[fsm->state];
	struct timeval		 tv;

	ctx->status.retry_at = 0;
	fsm->enter_delay_ms = 0;
	if (ops->timeout_ms > 0) {
		tv.tv_sec = ops->timeout_ms / 1000;
		tv.tv_usec = (ops->timeout_ms % 1000) * 1000;
		evtimer_add(fsm->timeout_ev, &tv);
	}
	ops->enter(ctx);
}

/* How long the new state waits before its enter runs. */
static uint64_t
fsm_enter_delay(struct piad_ctx *ctx, enum fsm_state to, enum fsm_event ev,
    enum fail_cause cause)
{
	if (ev != EV_FAIL && ev != EV_TIMEOUT && ev != EV_TUNNEL_DEAD)
		return 0;
	/* PF and RENEW trouble is retried by their own timers. */
	if (to == ST_STEADY)
		return 0;
	return backoff_next_ms(&ctx->fsm.backoff, cause);
}

/*
 * The state writer: the only place the current state changes. Leave,
 * write, record, publish, then enter (at once, or after the backoff).
 */
static void
fsm_change_state(struct piad_ctx *ctx, enum fsm_state to, enum fsm_event ev,
    enum fail_cause cause, const char *reason)
{
	struct fsm		*fsm = &ctx->fsm;
	enum fsm_state		 from = fsm->state;
	struct fsm_transition	*h;
	uint64_t		 delay;
	struct timeval		 tv;
	size_t			 i;

	log_info("%s -> %s (%s)", fsm_state_names[from], fsm_state_names[to],
	    reason);
	evtimer_del(fsm->timeout_ev);
	evtimer_del(fsm->enter_ev);
	fsm->ops[from]->leave(ctx);
	if (ctx->be != NULL && ctx->be->cancel != NULL)
		ctx->be->cancel(ctx);
	fsm->gen++;

	fsm->state = to;

	clock_gettime(CLOCK_REALTIME, &fsm->since);
	if (to == ST_STEADY)
		fsm->reached_steady = true;
	fsm->transitions[from][to]++;
	ctx->status.counters.transitions++;

	h = &fsm->hist[fsm->hist_next];
	h->when = fsm->since;
	h->from = from;
	h->to = to;
	h->ev = ev;
	snprintf(h->reason, sizeof(h->reason), "%s", reason);
	fsm->hist_next = (fsm->hist_next + 1) % FSM_HISTORY;
	if (fsm->hist_len < FSM_HISTORY)
		fsm->hist_len++;

	for (i = 0; i < FSM_OBSERVERS; i++)
		if (fsm->observer[i] != NULL)
			fsm->observer[i](ctx, h, fsm->observer_arg[i]);

	delay = fsm_enter_delay(ctx, to, ev, cause);
	if (delay == 0) {
		fsm_enter(ctx);
		return;
	}
	log_info("%s: retrying in %llu.%03llu s (%s)", fsm_state_names[to],
	    (unsigned long long)(delay / 1000),
	    (unsigned long long)(delay % 1000), fail_cause_name(cause));
	fsm->enter_delay_ms = delay;
	ctx->status.retry_at = status_now() + (int64_t)((delay + 999) / 1000);
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(fsm->enter_ev, &tv);
}

static void
fsm_stop(struct piad_ctx *ctx, const char *reason)
{
	struct fsm *fsm = &ctx->fsm;

	log_info("%s -> stopped (%s)", fsm_state_names[fsm->state], reason);
	evtimer_del(fsm->timeout_ev);
	evtimer_del(fsm->enter_ev);
	fsm->ops[fsm->state]->leave(ctx);
	if (ctx->be != NULL && ctx->be->cancel != NULL)
		ctx->be->cancel(ctx);
	fsm->gen++;
	fsm->stopped = true;
	fsm->q_len = 0;
}

static void
fsm_handle(struct piad_ctx *ctx, const struct fsm_queued *q, bool check_gen)
{
	struct fsm		*fsm = &ctx->fsm;
	enum fsm_state		 cur = fsm->state;
	enum fail_cause		 cause = q->cause;
	int			 want, next;

	if (fsm->stopped)
		return;
	if (check_gen && q->gen != fsm_gen(ctx)) {
		log_debug("fsm: dropping stale %s (%s)", fsm_event_names[q->ev],
		    q->reason);
		return;
	}
	fsm->events[q->ev]++;
	if (cause == CAUSE_NONE && (q->ev == EV_FAIL ||
	    q->ev == EV_TIMEOUT || q->ev == EV_TUNNEL_DEAD))
		cause = fsm_default_cause(cur);

	want = fsm_table[cur][q->ev];
	next = fsm->ops[cur]->handle(ctx, q->ev, cause);
	if (next != want) {
		log_warnx("fsm: %s handled %s as %s but the table says %s",
		    fsm_state_names[cur], fsm_event_names[q->ev],
		    fsm_state_name(next), fsm_state_name(want));
		next = want;
	}
	if (next == FSM_IGNORE) {
		log_debug("fsm: %s ignores %s (%s)", fsm_state_names[cur],
		    fsm_event_names[q->ev], q->reason);
		return;
	}

	if (q->ev == EV_DONE)
		fsm_reset_backoff(ctx, cur);
	if (q->ev == EV_FAIL || q->ev == EV_TIMEOUT ||
	    q->ev == EV_TUNNEL_DEAD || q->ev == EV_PF_FAIL) {
		ctx->status.counters.failures++;
		log_warnx("%s: %s (%s): %s", fsm_state_names[cur],
		    q->ev == EV_FAIL ? "failed" : q->ev == EV_TIMEOUT ?
		    "timed out" : q->ev == EV_TUNNEL_DEAD ? "tunnel dead" :
		    "port binding failed", fail_cause_name(cause), q->reason);
		ctx_set_error(ctx, "%s: %s", fsm_state_names[cur], q->reason);
	}

	if (next == FSM_STOP)
		fsm_stop(ctx, q->reason);
	else
		fsm_change_state(ctx, next, q->ev, cause, q->reason);
}

static void
fsm_drain(struct piad_ctx *ctx)
{
	struct fsm		*fsm = &ctx->fsm;
	struct fsm_queued	 q;

	if (fsm->dispatching)
		return;
	fsm->dispatching = true;
	while (fsm->q_len > 0) {
		q = fsm->queue[fsm->q_head];
		fsm->q_head = (fsm->q_head + 1) % FSM_QUEUE;
		fsm->q_len--;
		/* gen 0 marks events that are not completions */
		fsm_handle(ctx, &q, q.gen != 0);
	}
	fsm->dispatching = false;
}

static void
fsm_enqueue(struct piad_ctx *ctx, enum fsm_event ev, enum fail_cause cause,
    unsigned gen, const char *fmt, va_list ap)
{
	struct fsm		*fsm = &ctx->fsm;
	struct fsm_queued	*q;

	if (ev >= FSM_NEVENTS || cause >= CAUSE_NCAUSES)
		fatalx("fsm: event %d cause %d out of range", ev, cause);
	if (fsm->q_len == FSM_QUEUE) {
		/* A loop of events feeding events: a bug, not a load. */
		log_warnx("fsm: event queue full, dropping %s",
		    fsm_event_names[ev]);
		return;
	}
	q = &fsm->queue[(fsm->q_head + fsm->q_len) % FSM_QUEUE];
	q->ev = ev;
	q->cause = cause;
	q->gen = gen;
	vsnprintf(q->reason, sizeof(q->reason), fmt, ap);
	fsm->q_len++;
}

void
fsm_dispatch(struct piad_ctx *ctx, enum fsm_event ev, enum fail_cause cause,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fsm_enqueue(ctx, ev, cause, 0, fmt, ap);
	va_end(ap);
	fsm_drain(ctx);
}

unsigned
fsm_gen(const struct piad_ctx *ctx)
{
	/* never 0, which marks events that need no generation check */
	return ctx->fsm.gen + 1;
}

void
fsm_done(struct piad_ctx *ctx, unsigned gen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fsm_enqueue(ctx, EV_DONE, CAUSE_NONE, gen, fmt, ap);
	va_end(ap);
	fsm_drain(ctx);
}

void
fsm_fail(struct piad_ctx *ctx, unsigned gen, enum fail_cause cause,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fsm_enqueue(ctx, EV_FAIL, cause, gen, fmt, ap);
	va_end(ap);
	fsm_drain(ctx);
}

void
fsm_probe_result(struct piad_ctx *ctx, unsigned gen, bool ok, const char *why)
{
	const struct state_ops *ops = ctx->fsm.ops[ctx->fsm.state];

	if (gen != fsm_gen(ctx) || ctx->fsm.stopped ||
	    ops->probe_result == NULL)
		return;
	ops->probe_result(ctx, ok, why);
}

size_t
fsm_history_len(const struct piad_ctx *ctx)
{
	return ctx->fsm.hist_len;
}

const struct fsm_transition *
fsm_history_at(const struct piad_ctx *ctx, size_t i)
{
	const struct fsm *fsm = &ctx->fsm;

	if (i >= fsm->hist_len)
		return NULL;
	return &fsm->hist[(fsm->hist_next + FSM_HISTORY - fsm->hist_len + i) %
	    FSM_HISTORY];
}
