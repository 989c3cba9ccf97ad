/* SPDX-License-Identifier: ISC */
/*
 * Credentials file (mode check, line rules, $CREDENTIALS_DIRECTORY, no
 * secret in any message) and durations (parse, bounds, format round
 * trip). Works without root: files live in a private temp directory.
 */
#include <sys/stat.h>

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/credentials.h"
#include "core/duration.h"

static char	 tmpdir[256];

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/piad-cred-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	unsetenv("CREDENTIALS_DIRECTORY");
}

static void
teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
write_file(const char *name, const char *content, mode_t mode, char *path,
    size_t len)
{
	int fd;

	snprintf(path, len, "%s/%s", tmpdir, name);
	unlink(path);
	ck_assert_int_ge(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600),
	    0);
	ck_assert_int_eq(write(fd, content, strlen(content)),
	    (ssize_t)strlen(content));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* A config with credentials_file FILE (absolute or relative). */
static struct piad_config *
config_with(const char *file)
{
	char			 text[1024], err[CONFIG_ERRLEN];
	struct piad_config	*cfg;

	snprintf(text, sizeof(text), "{\"credentials_file\":\"%s\","
	    "\"region\":\"swiss\",\"containers\":{}}", file);
	cfg = config_parse_text(text, strlen(text), "t.json", err,
	    sizeof(err));
	if (cfg == NULL)
		ck_abort_msg("%s", err);
	return cfg;
}

/* Load FILE's credentials; returns the result, message in err. */
static int
load(const char *file, struct credentials *c, char *err, size_t errlen)
{
	struct piad_config	*cfg = config_with(file);
	int			 r;

	r = credentials_load(cfg, c, err, errlen);
	config_free(cfg);
	return r;
}

START_TEST(good)
{
	struct credentials	 c;
	char			 path[512], err[512];

	write_file("creds", "p1234567\nsecret pass\n", 0600, path,
	    sizeof(path));
	ck_assert_int_eq(load(path, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.username, "p1234567");
	ck_assert_str_eq(c.password, "secret pass");
	credentials_wipe(&c);
	ck_assert_int_eq(c.username[0], 0);
	ck_assert_int_eq(c.password[0], 0);

	/* CRLF line ends, no final newline, extra lines ignored. */
	write_file("creds", "p1234567\r\nsecret\r\n", 0400, path, sizeof(path));
	ck_assert_int_eq(load(path, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.password, "secret");
	write_file("creds", "p1234567\nsecret", 0600, path, sizeof(path));
	ck_assert_int_eq(load(path, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.password, "secret");
	write_file("creds", "p1234567\nsecret\n# note\n", 0600, path,
	    sizeof(path));
	ck_assert_int_eq(load(path, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.password, "secret");
	credentials_wipe(&c);
}
END_TEST

START_TEST(mode)
{
	static const mode_t	 bad[] = {
		0640, 0604, 0644, 0660, 0606, 0610
	};
	struct credentials	 c;
	char			 path[512], err[512], want[600];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file("creds", "p1234567\nhunter2\n", bad[i], path,
		    sizeof(path));
		ck_assert_int_eq(load(path, &c, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s: mode %04o lets group or "
		    "others access the PIA password; chmod 600 it", path,
		    (unsigned int)bad[i]);
		ck_assert_str_eq(err, want);
		ck_assert_ptr_null(strstr(err, "hunter2"));
		ck_assert_int_eq(c.password[0], 0);
	}
}
END_TEST

START_TEST(content)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "", "line 1 (username) is empty" },
		{ "\nhunter2\n", "line 1 (username) is empty" },
		{ "p1234567", "line 2 (password) is missing" },
		{ "p1234567\n", "line 2 (password) is empty" },
		{ "p1234567\n\r\n", "line 2 (password) is empty" },
	};
	struct credentials	 c;
	char			 path[512], err[512], want[600], big[2000];
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file("creds", cases[i].text, 0600, path, sizeof(path));
		ck_assert_int_eq(load(path, &c, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s: %s", path, cases[i].err);
		ck_assert_str_eq(err, want);
	}

	/* A password longer than the field. */
	memset(big, 'x', sizeof(big));
	memcpy(big, "user\n", 5);
	big[5 + 300] = '\0';
	write_file("creds", big, 0600, path, sizeof(path));
	ck_assert_int_eq(load(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: line 2 (password) is too long",
	    path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(strstr(err, "xxx"));

	/* Not a credentials file at all. */
	big[5 + 300] = 'x';
	big[sizeof(big) - 1] = '\0';
	write_file("creds", big, 0600, path, sizeof(path));
	ck_assert_int_eq(load(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: larger than 1024 bytes; expected "
	    "the username on line 1 and the password on line 2", path);
	ck_assert_str_eq(err, want);

	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	ck_assert_int_eq(load(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	ck_assert_str_eq(err, want);

	ck_assert_int_eq(load(tmpdir, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not a regular file", tmpdir);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(credentials_directory)
{
	struct credentials	 c;
	struct piad_config	*cfg;
	char			 path[512], err[512], want[600];

	write_file("piad-creds", "p7654321\npw\n", 0400, path, sizeof(path));

	/* Relative without $CREDENTIALS_DIRECTORY: refused, explained. */
	ck_assert_int_eq(load("piad-creds", &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "credentials_file: relative path "
	    "\"piad-creds\" needs $CREDENTIALS_DIRECTORY (systemd "
	    "LoadCredential=); use an absolute path otherwise");

	ck_assert_int_eq(setenv("CREDENTIALS_DIRECTORY", tmpdir, 1), 0);
	ck_assert_int_eq(load("piad-creds", &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.username, "p7654321");
	credentials_wipe(&c);

	cfg = config_with("piad-creds");
	ck_assert_int_eq(credentials_path(cfg, path, sizeof(path), err,
	    sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/piad-creds", tmpdir);
	ck_assert_str_eq(path, want);
	config_free(cfg);

	/* Absolute paths ignore it. */
	write_file("abs", "u\np\n", 0600, path, sizeof(path));
	ck_assert_int_eq(setenv("CREDENTIALS_DIRECTORY", "/nonexistent", 1),
	    0);
	ck_assert_int_eq(load(path, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.username, "u");
	credentials_wipe(&c);
	unsetenv("CREDENTIALS_DIRECTORY");
}
END_TEST

START_TEST(durations)
{
	static const struct {
		const char	*s;
		uint64_t	 secs;
		const char	*why;	/* NULL: valid */
	} cases[] = {
		{ "10s", 10, NULL },
		{ "15m", 900, NULL },
		{ "1h", 3600, NULL },
		{ "30d", 2592000, NULL },
		{ "1h30m", 5400, NULL },
		{ "1d2h3m4s", 93784, NULL },
		{ "365d", 31536000, NULL },
		{ "0010s", 10, NULL },
		{ "", 0, "empty" },
		{ "15", 0, "missing unit (s, m, h or d)" },
		{ "15x", 0, "unknown unit 'x' (use s, m, h or d)" },
		{ "500ms", 0, "milliseconds are not supported (whole seconds "
		    "only)" },
		{ "1.5h", 0, "unknown unit '.' (use s, m, h or d)" },
		{ "30m1h", 0, "units must go from larger to smaller, each "
		    "once (like 1h30m)" },
		{ "1m1m", 0, "units must go from larger to smaller, each "
		    "once (like 1h30m)" },
		{ "m", 0, "expected a number followed by a unit (s, m, h or "
		    "d), like 15m" },
		{ " 1m", 0, "expected a number followed by a unit (s, m, h or "
		    "d), like 15m" },
		{ "-1s", 0, "expected a number followed by a unit (s, m, h or "
		    "d), like 15m" },
		{ "0s", 0, "must be longer than 0s" },
		{ "0d0s", 0, "must be longer than 0s" },
		{ "366d", 0, "too long (at most 365d)" },
		{ "365d1s", 0, "too long (at most 365d)" },
		{ "99999999999999999999999s", 0, "too long (at most 365d)" },
		{ "1\xffs", 0, "unknown unit (use s, m, h or d)" },
	};
	char		 why[128];
	uint64_t	 secs;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		secs = 12345;
		if (cases[i].why == NULL) {
			ck_assert_msg(duration_parse(cases[i].s, &secs, why,
			    sizeof(why)) == 0, "%s: %s", cases[i].s, why);
			ck_assert_uint_eq(secs, cases[i].secs);
		} else {
			ck_assert_int_eq(duration_parse(cases[i].s, &secs, why,
			    sizeof(why)), -1);
			ck_assert_str_eq(why, cases[i].why);
			ck_assert_uint_eq(secs, 12345);
		}
	}
}
END_TEST

START_TEST(duration_formats)
{
	static const struct {
		uint64_t	 secs;
		const char	*s;
	} cases[] = {
		{ 0, "0s" }, { 1, "1s" }, { 59, "59s" }, { 60, "1m" },
		{ 900, "15m" }, { 5400, "90m" }, { 3600, "1h" },
		{ 86400, "1d" }, { 2592000, "30d" }, { 90061, "90061s" },
		{ 90000, "25h" },
	};
	char		 buf[32], why[128];
	uint64_t	 secs, back;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		duration_format(cases[i].secs, buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[i].s);
	}
	/* Every value reads back to itself. */
	for (secs = 1; secs < 200000; secs += 37) {
		duration_format(secs, buf, sizeof(buf));
		ck_assert_int_eq(duration_parse(buf, &back, why, sizeof(why)),
		    0);
		ck_assert_uint_eq(back, secs);
	}
	/* Truncation is safe and reported like snprintf. */
	ck_assert_int_eq(duration_format(2592000, buf, 3), 3);
	ck_assert_str_eq(buf, "30");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("config_cred");
	TCase	*tc = tcase_create("credentials");
	TCase	*td = tcase_create("durations");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, good);
	tcase_add_test(tc, mode);
	tcase_add_test(tc, content);
	tcase_add_test(tc, credentials_directory);
	suite_add_tcase(s, tc);
	tcase_add_test(td, durations);
	tcase_add_test(td, duration_formats);
	suite_add_tcase(s, td);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
