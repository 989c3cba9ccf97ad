/* SPDX-License-Identifier: ISC */
/*
 * The state machine against its table and on the fake backend: every
 * (state, event) pair, the walk to STEADY, backoff on failure (30 min for
 * rejected credentials, shown in status), stale completions, the
 * history ring wrapping, probes, PF and RENEW falling back to STEADY, and
 * the state timeout firing through the real event loop.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/backend.h"
#include "core/backend_fake.h"
#include "core/btimer.h"
#include "core/context.h"
#include "core/log.h"
#include "states/states.h"

static struct event_base	*base;
static struct piad_ctx		 ctx;

static void
setup(void)
{
	log_init(LOG_LVL_ERR, "test_fsm");
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	ck_assert_int_eq(ctx_init(&ctx, base), 0);
	ck_assert_int_eq(backend_fake_attach(&ctx), 0);
	ck_assert_int_eq(fsm_init(&ctx, states_all), 0);
}

static void
teardown(void)
{
	ctx_free(&ctx);
	event_base_free(base);
}

static struct fake_backend *
fake(void)
{
	return backend_fake(&ctx);
}

/* Park the machine in state s with its work hanging. */
static void
park_in(enum fsm_state s)
{
	static const enum fake_op op_of[FSM_NSTATES] = {
		[ST_BOOTSTRAP] = FAKE_TOPOLOGY,
		[ST_AUTH] = FAKE_AUTH,
		[ST_WG_UP] = FAKE_WG,
		[ST_NAT] = FAKE_NAT,
		[ST_PF_BIND] = FAKE_PF,
		[ST_STEADY] = FAKE_NOPS,
		[ST_RENEW] = FAKE_RENEW,
	};

	fake()->pf_wanted = true;
	if (s != ST_STEADY && s != ST_RENEW)
		fake_set(&ctx, op_of[s], FAKE_HANG, CAUSE_NONE);
	fsm_start(&ctx);
	if (s == ST_RENEW) {
		fake_set(&ctx, FAKE_RENEW, FAKE_HANG, CAUSE_NONE);
		fsm_dispatch(&ctx, EV_RENEW_DUE, CAUSE_NONE, "test");
	}
	ck_assert_str_eq(fsm_state_name(ctx.fsm.state), fsm_state_name(s));
}

/*
 * Every pair: the state's handle() agrees with the table, and the engine
 * records exactly the table's transition (or none, or a stop).
 */
START_TEST(test_every_pair)
{
	enum fsm_state		 s = (enum fsm_state)(_i / FSM_NEVENTS);
	enum fsm_event		 e = (enum fsm_event)(_i % FSM_NEVENTS);
	int			 want = fsm_table[s][e];
	size_t			 before;
	const struct fsm_transition *t;

	park_in(s);
	before = fsm_history_len(&ctx);

	/* the state's own answer, for both kinds of failure cause */
	ck_assert_msg(states_all[s]->handle(&ctx, e, CAUSE_NETWORK) == want,
	    "%s/%s: handle says %s, table says %s", fsm_state_name(s),
	    fsm_event_name(e), fsm_state_name(states_all[s]->handle(&ctx, e,
	    CAUSE_NETWORK)), fsm_state_name(want));
	ck_assert_int_eq(states_all[s]->handle(&ctx, e, CAUSE_SERVER), want);

	/* and what the engine does with it */
	if (e == EV_DONE)
		fsm_done(&ctx, fsm_gen(&ctx), "pair test");
	else if (e == EV_FAIL)
		fsm_fail(&ctx, fsm_gen(&ctx), CAUSE_NETWORK, "pair test");
	else
		fsm_dispatch(&ctx, e, CAUSE_NONE, "pair test");

	if (want == FSM_IGNORE) {
		ck_assert_uint_eq(fsm_history_len(&ctx), before);
		ck_assert_int_eq(ctx.fsm.state, s);
		ck_assert(!ctx.fsm.stopped);
	} else if (want == FSM_STOP) {
		ck_assert(ctx.fsm.stopped);
		ck_assert_uint_eq(fsm_history_len(&ctx), before);
	} else {
		ck_assert_uint_gt(fsm_history_len(&ctx), before);
		t = fsm_history_at(&ctx, before);
		ck_assert_str_eq(fsm_state_name(t->from), fsm_state_name(s));
		ck_assert_str_eq(fsm_state_name(t->to), fsm_state_name(want));
		ck_assert_int_eq(t->ev, e);
		ck_assert_str_eq(t->reason, "pair test");
	}
}
END_TEST

START_TEST(test_table_is_complete)
{
	int s, e;

	for (s = 0; s < FSM_NSTATES; s++) {
		ck_assert_str_eq(states_all[s]->name, fsm_state_names[s]);
		for (e = 0; e < FSM_NEVENTS; e++) {
			int t = fsm_table[s][e];

			ck_assert(t == FSM_IGNORE || t == FSM_STOP ||
			    (t >= 0 && t < FSM_NSTATES));
		}
		/* every state can be shut down */
		ck_assert_int_eq(fsm_table[s][EV_SHUTDOWN], FSM_STOP);
	}
	ck_assert_int_eq(fsm_state_from_name("PF_BIND"), ST_PF_BIND);
	ck_assert_int_eq(fsm_state_from_name("nope"), -1);
}
END_TEST

START_TEST(test_walk_to_steady)
{
	static const enum fsm_state path[] = { ST_AUTH, ST_WG_UP, ST_NAT,
	    ST_PF_BIND, ST_STEADY };
	size_t i;

	fake()->pf_wanted = true;
	fsm_start(&ctx);
	ck_assert_str_eq(fsm_state_name(ctx.fsm.state), "STEADY");
	ck_assert(ctx.fsm.reached_steady);
	ck_assert_uint_eq(fsm_history_len(&ctx), 5);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(fsm_history_at(&ctx, i)->to, path[i]);
		ck_assert_int_eq(fsm_history_at(&ctx, i)->ev, EV_DONE);
	}
	ck_assert_str_eq(fsm_history_at(&ctx, 0)->reason,
	    "fake topology done");
	ck_assert(ctx.status.server.valid);
	ck_assert_str_eq(ctx.status.pf.status, "ok");
	ck_assert_uint_ne(ctx.status.pf.port, 0);
	ck_assert(btimer_armed(ctx.pf_timer));
	ck_assert(btimer_armed(ctx.renew_timer));
	ck_assert_uint_eq(ctx.status.counters.transitions, 5);
	ck_assert_uint_eq(ctx.fsm.transitions[ST_PF_BIND][ST_STEADY], 1);
}
END_TEST

/* Recovery walks forward: invariants that still hold finish at once. */
START_TEST(test_link_down_walks_forward)
{
	fsm_start(&ctx);
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	fake()->holds[FAKE_TOPOLOGY] = false;
	fsm_dispatch(&ctx, EV_LINK_DOWN, CAUSE_NONE, "veth gone");
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	ck_assert_uint_eq(fake()->calls[FAKE_TOPOLOGY], 2);
	/* no new addKey, no new WG configuration */
	ck_assert_uint_eq(fake()->calls[FAKE_AUTH], 1);
	ck_assert_uint_eq(fake()->calls[FAKE_WG], 1);
	ck_assert_str_eq(fsm_history_at(&ctx, 5)->reason, "veth gone");
}
END_TEST

START_TEST(test_credentials_backoff)
{
	fake_set(&ctx, FAKE_AUTH, FAKE_FAIL, CAUSE_CREDENTIALS);
	fsm_start(&ctx);
	ck_assert_int_eq(ctx.fsm.state, ST_AUTH);
	ck_assert(ctx.status.credentials_rejected);
	ck_assert_uint_eq(ctx.fsm.enter_delay_ms, 30ULL * 60 * 1000);
	ck_assert_int_ge(ctx.status.retry_at, status_now() + 1799);
	ck_assert_ptr_nonnull(strstr(ctx.status.last_error, "AUTH: fake auth"));
	/* only one attempt until the delay passes */
	ck_assert_uint_eq(fake()->calls[FAKE_AUTH], 1);
	ck_assert_uint_eq(ctx.status.counters.failures, 1);
}
END_TEST

START_TEST(test_backoff_grows)
{
	fake_set(&ctx, FAKE_AUTH, FAKE_FAIL, CAUSE_NETWORK);
	fsm_start(&ctx);
	ck_assert_uint_le(ctx.fsm.enter_delay_ms, 1000);
	ck_assert_uint_ge(ctx.fsm.enter_delay_ms, 750);
	fsm_dispatch(&ctx, EV_LINK_UP, CAUSE_NONE, "uplink back");
	/* re-entered at once, failed again: the second delay doubles */
	ck_assert_uint_eq(fake()->calls[FAKE_AUTH], 2);
	ck_assert_uint_ge(ctx.fsm.enter_delay_ms, 1500);
	ck_assert_uint_le(ctx.fsm.enter_delay_ms, 2000);
	/* success clears it */
	fake_set(&ctx, FAKE_AUTH, FAKE_OK, CAUSE_NONE);
	fsm_dispatch(&ctx, EV_LINK_UP, CAUSE_NONE, "uplink back");
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	ck_assert_uint_eq(backoff_nominal_ms(&ctx.fsm.backoff, CAUSE_NETWORK),
	    1000);
}
END_TEST

/* The delayed enter runs from the loop once the backoff passed. */
START_TEST(test_delayed_enter_runs)
{
	struct timeval tv = { 1, 200000 };

	fake_set(&ctx, FAKE_NAT, FAKE_FAIL, CAUSE_FIREWALL);
	fsm_start(&ctx);
	ck_assert_int_eq(ctx.fsm.state, ST_BOOTSTRAP);
	fake_set(&ctx, FAKE_NAT, FAKE_OK, CAUSE_NONE);
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	ck_assert_uint_eq(fake()->calls[FAKE_NAT], 2);
}
END_TEST

START_TEST(test_stale_completion_dropped)
{
	unsigned old;

	fake_set(&ctx, FAKE_AUTH, FAKE_HANG, CAUSE_NONE);
	fsm_start(&ctx);
	ck_assert_int_eq(ctx.fsm.state, ST_AUTH);
	old = fsm_gen(&ctx);
	fsm_dispatch(&ctx, EV_RECONNECT, CAUSE_NONE, "user");
	ck_assert_int_eq(ctx.fsm.state, ST_AUTH);
	fsm_done(&ctx, old, "late answer from the first server");
	ck_assert_int_eq(ctx.fsm.state, ST_AUTH);
	fsm_done(&ctx, fsm_gen(&ctx), "second server");
	ck_assert_int_eq(fsm_history_at(&ctx, 2)->to, ST_WG_UP);
	ck_assert_str_eq(fsm_history_at(&ctx, 2)->reason, "second server");
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
}
END_TEST

START_TEST(test_history_wraps)
{
	const struct fsm_transition	*t;
	char				 want[32];
	int				 i;

	fake_set(&ctx, FAKE_AUTH, FAKE_HANG, CAUSE_NONE);
	fsm_start(&ctx);	/* 1 transition: BOOTSTRAP -> AUTH */
	for (i = 0; i < 250; i++)
		fsm_dispatch(&ctx, EV_RECONNECT, CAUSE_NONE, "r%d", i);
	ck_assert_uint_eq(fsm_history_len(&ctx), FSM_HISTORY);
	/* the oldest kept is reconnect 150, the newest 249, in order */
	for (i = 0; i < FSM_HISTORY; i++) {
		t = fsm_history_at(&ctx, (size_t)i);
		snprintf(want, sizeof(want), "r%d", 150 + i);
		ck_assert_str_eq(t->reason, want);
		ck_assert_int_eq(t->from, ST_AUTH);
	}
	ck_assert_ptr_null(fsm_history_at(&ctx, FSM_HISTORY));
	ck_assert_uint_eq(ctx.status.counters.reconnects, 250);
	ck_assert_uint_eq(ctx.status.counters.transitions, 251);
}
END_TEST

START_TEST(test_probes_declare_dead)
{
	fsm_start(&ctx);
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	fake_set(&ctx, FAKE_AUTH, FAKE_HANG, CAUSE_NONE);
	fsm_probe_result(&ctx, fsm_gen(&ctx), false, "no echo");
	fsm_probe_result(&ctx, fsm_gen(&ctx), true, "echo");
	fsm_probe_result(&ctx, fsm_gen(&ctx), false, "no echo");
	fsm_probe_result(&ctx, fsm_gen(&ctx), false, "no echo");
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	fsm_probe_result(&ctx, fsm_gen(&ctx), false, "no echo");
	ck_assert_int_eq(ctx.fsm.state, ST_AUTH);
	ck_assert_uint_eq(ctx.status.counters.probe_failures, 4);
	ck_assert_uint_eq(fake()->servers_avoided, 1);
	ck_assert(ctx.want_new_server);
	ck_assert_ptr_nonnull(strstr(ctx.status.last_error,
	    "3 probes failed: no echo"));
}
END_TEST

START_TEST(test_reconnect_picks_other_server)
{
	char first[128];

	fsm_start(&ctx);
	snprintf(first, sizeof(first), "%s", ctx.status.server.cn);
	fsm_dispatch(&ctx, EV_RECONNECT, CAUSE_NONE, "user asked");
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	ck_assert_int_eq(fake()->last_auth_flags & AUTH_NEW_SERVER,
	    AUTH_NEW_SERVER);
	ck_assert_str_ne(ctx.status.server.cn, first);
	ck_assert_uint_eq(fake()->calls[FAKE_WG], 2);
}
END_TEST

START_TEST(test_pf_failure_keeps_tunnel)
{
	fake()->pf_wanted = true;
	fake_set(&ctx, FAKE_PF, FAKE_FAIL, CAUSE_PORT_FORWARD);
	fsm_start(&ctx);
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	ck_assert_str_eq(ctx.status.pf.status, "retrying");
	ck_assert(btimer_armed(ctx.pf_timer));
	ck_assert_int_le(btimer_remaining_ms(ctx.pf_timer), 1000);
	ck_assert_uint_eq(ctx.status.counters.pf_failures, 1);
	/* the refresh comes due: bind again, now it works */
	fake_set(&ctx, FAKE_PF, FAKE_OK, CAUSE_NONE);
	fsm_dispatch(&ctx, EV_PF_DUE, CAUSE_NONE, "timer");
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	ck_assert_str_eq(ctx.status.pf.status, "ok");
	ck_assert_uint_eq(ctx.status.counters.pf_binds, 1);
	ck_assert_uint_eq(fake()->calls[FAKE_WG], 1);
}
END_TEST

START_TEST(test_pf_disabled)
{
	fsm_start(&ctx);
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	ck_assert_str_eq(ctx.status.pf.status, "disabled");
	ck_assert_uint_eq(fake()->calls[FAKE_PF], 0);
	ck_assert(!btimer_armed(ctx.pf_timer));
}
END_TEST

START_TEST(test_renew)
{
	fake()->pf_wanted = true;
	fsm_start(&ctx);
	fake_set(&ctx, FAKE_RENEW, FAKE_FAIL, CAUSE_API);
	fsm_dispatch(&ctx, EV_RENEW_DUE, CAUSE_NONE, "user");
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	ck_assert_int_le(btimer_remaining_ms(ctx.renew_timer), 1000);
	ck_assert_uint_eq(fake()->calls[FAKE_WG], 1);
	fake_set(&ctx, FAKE_RENEW, FAKE_OK, CAUSE_NONE);
	fsm_dispatch(&ctx, EV_RENEW_DUE, CAUSE_NONE, "user");
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	ck_assert_uint_eq(ctx.status.counters.renewals, 1);
	/* rebinding with the new token happened */
	ck_assert_uint_eq(fake()->calls[FAKE_PF], 2);
	ck_assert_int_gt(btimer_remaining_ms(ctx.renew_timer), 1000);
}
END_TEST

/* A due refresh that fired while busy is taken up on reaching STEADY. */
START_TEST(test_due_flags)
{
	fake()->pf_wanted = true;
	fake_set(&ctx, FAKE_NAT, FAKE_HANG, CAUSE_NONE);
	fsm_start(&ctx);
	ctx.renew_due = true;
	fsm_dispatch(&ctx, EV_RENEW_DUE, CAUSE_NONE, "timer");
	ck_assert_int_eq(ctx.fsm.state, ST_NAT);
	fsm_done(&ctx, fsm_gen(&ctx), "nat done");
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	ck_assert_uint_eq(fake()->calls[FAKE_RENEW], 1);
}
END_TEST

static struct state_ops	quick_wg;

/* The state timeout fires through the loop: no handshake, next server. */
START_TEST(test_timeout_through_loop)
{
	const struct state_ops	*ops[FSM_NSTATES];
	struct timeval		 tv = { 0, 300000 };
	int			 i;

	for (i = 0; i < FSM_NSTATES; i++)
		ops[i] = states_all[i];
	quick_wg = st_wg_up;
	quick_wg.timeout_ms = 50;
	ops[ST_WG_UP] = &quick_wg;
	fsm_free(&ctx);
	ck_assert_int_eq(fsm_init(&ctx, ops), 0);

	fake_set(&ctx, FAKE_WG, FAKE_HANG, CAUSE_NONE);
	fsm_start(&ctx);
	ck_assert_int_eq(ctx.fsm.state, ST_WG_UP);
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	ck_assert_uint_eq(fsm_history_len(&ctx), 3);
	ck_assert_int_eq(fsm_history_at(&ctx, 2)->ev, EV_TIMEOUT);
	ck_assert_int_eq(fsm_history_at(&ctx, 2)->to, ST_AUTH);
	ck_assert_str_eq(fsm_history_at(&ctx, 2)->reason,
	    "WG_UP: no result after 0 s");
	ck_assert_uint_eq(fake()->servers_avoided, 1);
}
END_TEST

static int	observed;

static void
observer(struct piad_ctx *c, const struct fsm_transition *t, void *arg)
{
	observed++;
	ck_assert_ptr_eq(arg, &observed);
	/* the state is written before observers run */
	ck_assert_int_eq(c->fsm.state, t->to);
}

START_TEST(test_observer_and_shutdown)
{
	ck_assert_int_eq(fsm_add_observer(&ctx, observer, &observed), 0);
	fsm_start(&ctx);
	ck_assert_int_eq(observed, 5);
	fsm_dispatch(&ctx, EV_SHUTDOWN, CAUSE_NONE, "SIGTERM");
	ck_assert(ctx.fsm.stopped);
	fsm_dispatch(&ctx, EV_RECONNECT, CAUSE_NONE, "too late");
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	ck_assert_int_eq(observed, 5);
	fsm_del_observer(&ctx, observer, &observed);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("fsm");
	TCase	*tc = tcase_create("fsm");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_every_pair, 0, FSM_NSTATES * FSM_NEVENTS);
	tcase_add_test(tc, test_table_is_complete);
	tcase_add_test(tc, test_walk_to_steady);
	tcase_add_test(tc, test_link_down_walks_forward);
	tcase_add_test(tc, test_credentials_backoff);
	tcase_add_test(tc, test_backoff_grows);
	tcase_add_test(tc, test_delayed_enter_runs);
	tcase_add_test(tc, test_stale_completion_dropped);
	tcase_add_test(tc, test_history_wraps);
	tcase_add_test(tc, test_probes_declare_dead);
	tcase_add_test(tc, test_reconnect_picks_other_server);
	tcase_add_test(tc, test_pf_failure_keeps_tunnel);
	tcase_add_test(tc, test_pf_disabled);
	tcase_add_test(tc, test_renew);
	tcase_add_test(tc, test_due_flags);
	tcase_add_test(tc, test_timeout_through_loop);
	tcase_add_test(tc, test_observer_and_shutdown);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
