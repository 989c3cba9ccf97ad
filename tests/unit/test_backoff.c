/* SPDX-License-Identifier: ISC */
/*
 * Backoff schedule: 1 s doubling to 5 min, jitter only ever shortens a
 * delay by at most a quarter, causes are independent, bad credentials
 * wait a flat 30 min, success starts over.
 */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/backoff.h"

static uint32_t	rnd_value;

static uint32_t
rnd_fixed(uint32_t upper)
{
	return rnd_value < upper ? rnd_value : upper - 1;
}

START_TEST(test_growth_and_cap)
{
	struct backoff	b;
	uint64_t	want = 1000;
	int		i;

	backoff_init(&b, rnd_fixed);
	rnd_value = 0;
	for (i = 0; i < 20; i++) {
		ck_assert_uint_eq(backoff_next_ms(&b, CAUSE_NETWORK), want);
		want *= 2;
		if (want > 300000)
			want = 300000;
	}
	ck_assert_uint_eq(backoff_nominal_ms(&b, CAUSE_NETWORK), 300000);
	ck_assert_uint_eq(b.failures[CAUSE_NETWORK], 20);
}
END_TEST

START_TEST(test_jitter_bounds)
{
	struct backoff	b;
	uint64_t	d, nominal;
	int		i, j;
	bool		below = false;

	/* the extremes of the random source give the extremes of the range */
	backoff_init(&b, rnd_fixed);
	rnd_value = UINT32_MAX;
	ck_assert_uint_eq(backoff_next_ms(&b, CAUSE_API), 750);
	ck_assert_uint_eq(backoff_next_ms(&b, CAUSE_API), 1500);

	/* the real source stays inside [3/4 d, d] and does vary */
	for (j = 0; j < 50; j++) {
		backoff_init(&b, NULL);
		for (i = 0; i < 12; i++) {
			nominal = backoff_nominal_ms(&b, CAUSE_SERVER);
			d = backoff_next_ms(&b, CAUSE_SERVER);
			ck_assert_uint_le(d, nominal);
			ck_assert_uint_ge(d, nominal - nominal / 4);
			if (d < nominal)
				below = true;
		}
	}
	ck_assert(below);
}
END_TEST

START_TEST(test_credentials_30min)
{
	struct backoff	b;
	int		i;

	backoff_init(&b, NULL);
	for (i = 0; i < 5; i++)
		ck_assert_uint_eq(backoff_next_ms(&b, CAUSE_CREDENTIALS),
		    30ULL * 60 * 1000);
	/* other causes are unaffected */
	ck_assert_uint_eq(backoff_nominal_ms(&b, CAUSE_NETWORK), 1000);
}
END_TEST

START_TEST(test_reset)
{
	struct backoff b;

	backoff_init(&b, rnd_fixed);
	rnd_value = 0;
	backoff_next_ms(&b, CAUSE_NETWORK);
	backoff_next_ms(&b, CAUSE_NETWORK);
	backoff_next_ms(&b, CAUSE_FIREWALL);
	ck_assert_uint_eq(backoff_nominal_ms(&b, CAUSE_NETWORK), 4000);
	backoff_reset(&b, CAUSE_NETWORK);
	ck_assert_uint_eq(backoff_nominal_ms(&b, CAUSE_NETWORK), 1000);
	ck_assert_uint_eq(backoff_nominal_ms(&b, CAUSE_FIREWALL), 2000);
	backoff_reset(&b, CAUSE_NONE);
	ck_assert_uint_eq(backoff_nominal_ms(&b, CAUSE_FIREWALL), 1000);
	/* failures are history, not schedule: they survive a reset */
	ck_assert_uint_eq(b.failures[CAUSE_NETWORK], 2);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(fail_cause_name(CAUSE_CREDENTIALS), "credentials");
	ck_assert_str_eq(fail_cause_name(CAUSE_NCAUSES), "(invalid)");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("backoff");
	TCase	*tc = tcase_create("backoff");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_growth_and_cap);
	tcase_add_test(tc, test_jitter_bounds);
	tcase_add_test(tc, test_credentials_30min);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
