/* SPDX-License-Identifier: ISC */
/*
 * The state machine engine: states, typed events, their name tables, the
 * transition table (core/fsm.c), the one dispatch entry point and the one
 * state writer. States live in states/, one file each, and only return the
 * next state; the engine writes it, logs "FROM -> TO (reason)", runs leave
 * then enter, records the history ring and publishes the transition.
 *
 * Events may be dispatched from anywhere, even from inside enter() or a
 * backend operation that completes at once: they are queued and handled
 * one at a time, in order, from the outermost dispatch.
 */
#ifndef PIAD_CORE_FSM_H
#define PIAD_CORE_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#include "core/backoff.h"

/*
 * libevent names its timeout flag EV_TIMEOUT (0x01), which is also the
 * name of our event. Ours wins in every file that includes this header
 * (event.h is included first so its guard keeps it from coming back);
 * code that needs libevent's flag uses EVFLAG_TIMEOUT.
 */
#undef EV_TIMEOUT
#define EVFLAG_TIMEOUT	0x01

struct piad_ctx;
struct event;

enum fsm_state {
	ST_BOOTSTRAP,
	ST_AUTH,
	ST_WG_UP,
	ST_NAT,
	ST_PF_BIND,
	ST_STEADY,
	ST_RENEW,
	FSM_NSTATES
};

/* Table values besides real states. */
#define FSM_IGNORE	(-1)	/* stay, nothing runs */
#define FSM_STOP	(-2)	/* leave the state and stop the machine */

enum fsm_event {
	EV_DONE,	/* the state's invariant holds now */
	EV_FAIL,	/* the state's work failed (has a cause) */
	EV_TIMEOUT,	/* the state's work took too long */
	EV_LINK_DOWN,	/* a link piad owns went away */
	EV_LINK_UP,	/* the uplink (or a link piad owns) came back */
	EV_TUNNEL_DEAD,	/* probes or handshake age say the tunnel is dead */
	EV_PF_DUE,	/* time to bindPort again */
	EV_PF_FAIL,	/* a bindPort outside PF_BIND failed */
	EV_RENEW_DUE,	/* time (or the user asks) to refresh the session */
	EV_RELOAD,	/* the configuration changed what must exist */
	EV_RECONNECT,	/* choose another server (user, region change) */
	EV_SHUTDOWN,	/* stop: leave the topology fail-closed */
	FSM_NEVENTS
};

extern const char *const fsm_state_names[FSM_NSTATES];
extern const char *const fsm_event_names[FSM_NEVENTS];
/* The transition table: a state, FSM_IGNORE or FSM_STOP. */
extern const signed char fsm_table[FSM_NSTATES][FSM_NEVENTS];

const char	*fsm_state_name(int);
const char	*fsm_event_name(int);
int		 fsm_state_from_name(const char *);

#define FSM_HISTORY	100
#define FSM_REASON_MAX	160
#define FSM_QUEUE	64
#define FSM_OBSERVERS	4

struct fsm_transition {
	struct timespec	 when;		/* CLOCK_REALTIME */
	enum fsm_state	 from;
	enum fsm_state	 to;
	enum fsm_event	 ev;
	char		 reason[FSM_REASON_MAX];
};

struct fsm_queued {
	enum fsm_event	 ev;
	enum fail_cause	 cause;
	unsigned	 gen;
	char		 reason[FSM_REASON_MAX];
};

/*
 * Per-state behaviour. enter() starts the state's work (or finishes at
 * once when its invariant already holds, by dispatching EV_DONE); leave()
 * cancels whatever enter started; handle() looks at an event and returns
 * the next state (or FSM_IGNORE / FSM_STOP), which must agree with the
 * table. timeout_ms bounds the work started by enter (0: none).
 */
struct state_ops {
	const char	*name;
	unsigned	 timeout_ms;
	void		(*enter)(struct piad_ctx *);
	void		(*leave)(struct piad_ctx *);
	int		(*handle)(struct piad_ctx *, enum fsm_event,
			    enum fail_cause);
	/* STEADY only: a liveness probe finished. */
	void		(*probe_result)(struct piad_ctx *, bool ok,
			    const char *why);
};

/* Observer of transitions (control `watch`, sd_notify STATUS). */
typedef void (*fsm_observer_fn)(struct piad_ctx *,
    const struct fsm_transition *, void *arg);

struct fsm {
	enum fsm_state		 state;
	struct timespec		 since;		/* CLOCK_REALTIME */
	bool			 running;
	bool			 stopped;
	bool			 reached_steady;
	unsigned		 gen;		/* bumps on every transition */
	const struct state_ops	*ops[FSM_NSTATES];

	/* Timers owned by the engine: the state timeout, delayed enter. */
	struct event		*timeout_ev;
	struct event		*enter_ev;
	uint64_t		 enter_delay_ms; /* of the pending enter */
	struct timespec		 enter_at;	/* CLOCK_REALTIME, for status */

	struct backoff		 backoff;

	struct fsm_transition	 hist[FSM_HISTORY];
	size_t			 hist_next;	/* slot written next */
	size_t			 hist_len;

	struct fsm_queued	 queue[FSM_QUEUE];
	size_t			 q_head, q_len;
	bool			 dispatching;

	uint64_t		 transitions[FSM_NSTATES][FSM_NSTATES];
	uint64_t		 events[FSM_NEVENTS];

	fsm_observer_fn		 observer[FSM_OBSERVERS];
	void			*observer_arg[FSM_OBSERVERS];
};

/*
 * Set up the engine in ctx (ctx->base must exist) with the states' ops
 * (states_all from states/states.h, or a test's own). fsm_start enters
 * BOOTSTRAP.
 */
int	fsm_init(struct piad_ctx *, const struct state_ops *const *ops);
void	fsm_start(struct piad_ctx *);
void	fsm_free(struct piad_ctx *);
int	fsm_add_observer(struct piad_ctx *, fsm_observer_fn, void *);
void	fsm_del_observer(struct piad_ctx *, fsm_observer_fn, void *);

/* The one dispatch entry point. reason is copied; cause only for fails. */
void	fsm_dispatch(struct piad_ctx *, enum fsm_event, enum fail_cause,
	    const char *reason_fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Completion of the current state's asynchronous work, for backends. gen
 * is fsm_gen() taken when the work started: a completion of work that
 * belongs to a state already left is dropped.
 */
unsigned fsm_gen(const struct piad_ctx *);
void	fsm_done(struct piad_ctx *, unsigned gen, const char *reason_fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	fsm_fail(struct piad_ctx *, unsigned gen, enum fail_cause,
	    const char *reason_fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/* A backend's liveness probe finished (see backend.h); stale gen dropped. */
void	fsm_probe_result(struct piad_ctx *, unsigned gen, bool ok,
	    const char *why);

/* History, oldest first: i in [0, fsm_history_len). */
size_t	fsm_history_len(const struct piad_ctx *);
const struct fsm_transition *fsm_history_at(const struct piad_ctx *,
	    size_t i);

#endif
