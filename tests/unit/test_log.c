/* SPDX-License-Identifier: ISC */
/*
 * Logging as the user sees it on stderr: "<N>" priority prefixes under
 * the journal ($JOURNAL_STREAM), a timestamp and program name otherwise,
 * level filtering, strerror for log_warn, and the warning hook that feeds
 * `watch`.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

static char	captured[4096];

/* Run fn with stderr going to a temp file; its text in captured. */
static void
capture(void (*fn)(void))
{
	FILE	*tmp = tmpfile();
	int	 saved = dup(2);
	size_t	 n;

	ck_assert_ptr_nonnull(tmp);
	fflush(stderr);
	dup2(fileno(tmp), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(captured, 1, sizeof(captured) - 1, tmp);
	captured[n] = '\0';
	fclose(tmp);
}

static void
emit(void)
{
	log_debug("fsm: hidden at info");
	log_info("fsm: AUTH -> WG_UP (test)");
	errno = ENOENT;
	log_warn("control: open %s", "/nope");
	log_warnx("reload: bad");
	log_info("hook: %s", "line one\n<0>forged");
}

START_TEST(test_journal_prefixes)
{
	setenv("JOURNAL_STREAM", "8:1234", 1);
	log_init(LOG_LVL_INFO, "piad");
	capture(emit);
	unsetenv("JOURNAL_STREAM");
	ck_assert_str_eq(captured, "<6>fsm: AUTH -> WG_UP (test)\n"
	    "<4>control: open /nope: No such file or directory\n"
	    "<4>reload: bad\n"
	    "<6>hook: line one <0>forged\n");
}
END_TEST

START_TEST(test_terminal_format)
{
	unsetenv("JOURNAL_STREAM");
	log_init(LOG_LVL_DEBUG, "piad");
	capture(emit);
	/* HH:MM:SS.mmm piad: message */
	ck_assert_ptr_nonnull(strstr(captured, " piad: fsm: hidden at info\n"));
	ck_assert_int_eq(captured[2], ':');
	ck_assert_int_eq(captured[8], '.');
	ck_assert_int_ne(captured[0], '<');
}
END_TEST

START_TEST(test_levels)
{
	unsetenv("JOURNAL_STREAM");
	log_init(LOG_LVL_WARN, "piad");
	capture(emit);
	ck_assert_ptr_null(strstr(captured, "AUTH -> WG_UP"));
	ck_assert_ptr_nonnull(strstr(captured, "reload: bad"));
	ck_assert_int_eq(log_level_from_name("debug"), LOG_LVL_DEBUG);
	ck_assert_int_eq(log_level_from_name("loud"), -1);
	ck_assert_str_eq(log_level_name(LOG_LVL_WARN), "warning");
}
END_TEST

static int	hooked;
static char	hook_msg[256];

static void
hook(enum log_level level, const char *msg, void *arg)
{
	hooked++;
	snprintf(hook_msg, sizeof(hook_msg), "%s", msg);
}

/* Warnings reach the hook even when the sink filters them out. */
START_TEST(test_hook)
{
	log_init(LOG_LVL_ERR, "piad");
	log_set_hook(hook, NULL);
	capture(emit);
	log_set_hook(NULL, NULL);
	ck_assert_int_eq(hooked, 2);
	ck_assert_str_eq(hook_msg, "reload: bad");
	ck_assert_str_eq(captured, "");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("log");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_journal_prefixes);
	tcase_add_test(tc, test_terminal_format);
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_hook);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
