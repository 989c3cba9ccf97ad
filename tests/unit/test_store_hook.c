/* SPDX-License-Identifier: ISC */
/*
 * The state store (atomic 0600 files in a 0700 directory, corrupt files
 * ignored) and hooks (environment, exit status, timeout kill).
 */
#include <sys/stat.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <event2/event.h>
#include <jansson.h>

#include "core/hook.h"
#include "core/store.h"

static char dir[64];

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Each test's temp dir goes when the test ends (Check forks per test). */
static void
rm_tmp(void)
{
	if (dir[0] != '\0')
		(void)nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void
mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/piad-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	atexit(rm_tmp);
}

START_TEST(store_roundtrip_modes)
{
	char		 sub[128], path[192];
	struct stat	 st;
	json_t		*o, *back;

	mkdir_tmp();
	snprintf(sub, sizeof(sub), "%s/a/state", dir);
	ck_assert_int_eq(store_init(sub), 0);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	o = json_pack("{s:s, s:i}", "token", "secret", "port", 47047);
	ck_assert_int_eq(store_write(sub, "token.json", o), 0);
	snprintf(path, sizeof(path), "%s/token.json", sub);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	back = store_read(sub, "token.json");
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(json_equal(o, back), 1);
	json_decref(back);
	/* No temp file is left behind. */
	snprintf(path, sizeof(path), "%s/.token.json.tmp", sub);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(store_remove(sub, "token.json"), 0);
	ck_assert_int_eq(store_remove(sub, "token.json"), 0);
	ck_assert_ptr_null(store_read(sub, "token.json"));
	json_decref(o);
}
END_TEST

START_TEST(store_ignores_corrupt)
{
	char	 path[128];
	FILE	*f;

	mkdir_tmp();
	snprintf(path, sizeof(path), "%s/session.json", dir);
	f = fopen(path, "w");
	fputs("{\"half\": ", f);
	fclose(f);
	ck_assert_ptr_null(store_read(dir, "session.json"));
	f = fopen(path, "w");
	fputs("[1,2]", f);
	fclose(f);
	ck_assert_ptr_null(store_read(dir, "session.json"));
}
END_TEST

struct outcome {
	bool	called, ok;
	char	why[96];
};

static void
hook_done(bool ok, const char *why, void *arg)
{
	struct outcome *o = arg;

	o->called = true;
	o->ok = ok;
	snprintf(o->why, sizeof(o->why), "%s", why);
}

static void
run_until(struct event_base *base, struct outcome *o)
{
	int i;

	for (i = 0; i < 500 && !o->called; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(10000);
	}
}

START_TEST(hook_env_and_status)
{
	struct event_base	*base = event_base_new();
	struct outcome		 o = { 0 };
	char			 cmd[256], path[128], line[128] = "";
	char			*env[] = { "PORT=47047", "CONTAINER=web", NULL };
	FILE			*f;

	mkdir_tmp();
	snprintf(path, sizeof(path), "%s/out", dir);
	snprintf(cmd, sizeof(cmd),
	    "echo \"$PORT $CONTAINER\" > %s; echo to the log; exit 3", path);
	ck_assert_ptr_nonnull(hook_run(base, "web", cmd, -1, NULL, env, 5,
	    hook_done, &o));
	run_until(base, &o);
	ck_assert(o.called);
	ck_assert(!o.ok);
	ck_assert_str_eq(o.why, "exit 3");
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	ck_assert_str_eq(line, "47047 web\n");
	event_base_free(base);
}
END_TEST

START_TEST(hook_timeout_kills)
{
	struct event_base	*base = event_base_new();
	struct outcome		 o = { 0 };

	ck_assert_ptr_nonnull(hook_run(base, "slow", "sleep 30 & sleep 30",
	    -1, NULL, NULL, 1, hook_done, &o));
	run_until(base, &o);
	ck_assert(o.called);
	ck_assert(!o.ok);
	ck_assert_str_eq(o.why, "killed after the timeout");
	event_base_free(base);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("store_hook");
	TCase	*tc = tcase_create("all");
	SRunner	*sr;
	int	 failed;

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, store_roundtrip_modes);
	tcase_add_test(tc, store_ignores_corrupt);
	tcase_add_test(tc, hook_env_and_status);
	tcase_add_test(tc, hook_timeout_kills);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
