/* SPDX-License-Identifier: ISC */
/*
 * Golden files: every tests/config/NAME.json is parsed; NAME.err holds the
 * exact problem lines an invalid file must produce, NAME.normalized.json
 * the exact `piad -n -v` output of a valid one (@DATADIR@ standing for the
 * build's data directory). The normalized output must also read back to
 * itself. Adding a case is adding files; this test finds them.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

#define GOLDEN_DIR	PIAD_SRCDIR "/tests/config"

static char *
slurp(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*buf;
	long	 len;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	ck_assert_int_ge(len = ftell(f), 0);
	rewind(f);
	ck_assert_ptr_nonnull(buf = malloc((size_t)len + 1));
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	if (lenp != NULL)
		*lenp = (size_t)len;
	return buf;
}

/* Replace every FROM in S by TO; returns a new string. */
static char *
replace(const char *s, const char *from, const char *to)
{
	size_t	 n = 0, fl = strlen(from), tl = strlen(to);
	const char *p, *q;
	char	*out, *o;

	for (p = s; (q = strstr(p, from)) != NULL; p = q + fl)
		n++;
	ck_assert_ptr_nonnull(out = malloc(strlen(s) + n * tl + 1));
	for (o = out, p = s; (q = strstr(p, from)) != NULL; p = q + fl) {
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, to, tl);
		o += tl;
	}
	strcpy(o, p);
	return out;
}

static char *
print(const struct piad_config *cfg)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	ck_assert_ptr_nonnull(f = open_memstream(&buf, &len));
	ck_assert_int_eq(config_print(cfg, f), 0);
	fclose(f);
	return buf;
}

static void
check_one(const char *base)
{
	char			 path[1024], err[CONFIG_ERRLEN];
	char			*text, *want, *got, *norm, *again;
	size_t			 len;
	struct piad_config	*cfg, *cfg2;

	snprintf(path, sizeof(path), "%s/%s.json", GOLDEN_DIR, base);
	ck_assert_ptr_nonnull(text = slurp(path, &len));
	snprintf(path, sizeof(path), "%s.json", base);
	cfg = config_parse_text(text, len, path, err, sizeof(err));
	free(text);

	snprintf(path, sizeof(path), "%s/%s.err", GOLDEN_DIR, base);
	if ((want = slurp(path, NULL)) != NULL) {
		if (cfg != NULL)
			ck_abort_msg("%s.json: accepted, expected:\n%s", base,
			    want);
		/* The file ends with a newline; the message does not. */
		if (*want != '\0' && want[strlen(want) - 1] == '\n')
			want[strlen(want) - 1] = '\0';
		ck_assert_msg(strcmp(err, want) == 0, "%s.json:\nexpected:\n%s"
		    "\ngot:\n%s", base, want, err);
		free(want);
		return;
	}
	if (cfg == NULL)
		ck_abort_msg("%s.json: rejected:\n%s", base, err);
	snprintf(path, sizeof(path), "%s/%s.normalized.json", GOLDEN_DIR,
	    base);
	if ((want = slurp(path, NULL)) == NULL)
		ck_abort_msg("%s.json: valid but no %s", base, path);
	got = print(cfg);
	norm = replace(got, PIAD_DATADIR, "@DATADIR@");
	ck_assert_msg(strcmp(norm, want) == 0, "%s.json normalized:\n"
	    "expected:\n%s\ngot:\n%s", base, want, norm);

	/* A normalized config is a fixed point. */
	cfg2 = config_parse_text(got, strlen(got), "normalized", err,
	    sizeof(err));
	if (cfg2 == NULL)
		ck_abort_msg("%s: normalized output rejected:\n%s", base, err);
	again = print(cfg2);
	ck_assert_str_eq(again, got);
	free(again);
	free(got);
	free(norm);
	free(want);
	config_free(cfg2);
	config_free(cfg);
}

START_TEST(golden)
{
	DIR		*d;
	struct dirent	*de;
	char		 base[256];
	size_t		 n;
	int		 count = 0, errs = 0;

	ck_assert_ptr_nonnull(d = opendir(GOLDEN_DIR));
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 ||
		    strstr(de->d_name, ".normalized.json") != NULL)
			continue;
		ck_assert_uint_lt(n - 5, sizeof(base));
		memcpy(base, de->d_name, n - 5);
		base[n - 5] = '\0';
		check_one(base);
		count++;
		if (strncmp(base, "bad-", 4) == 0)
			errs++;
	}
	closedir(d);
	/* Both kinds must be there, or the directory went missing. */
	ck_assert_int_ge(count, 4);
	ck_assert_int_ge(errs, 2);
	ck_assert_int_gt(count - errs, 1);
}
END_TEST

/* The shipped example is valid and says what the design says. */
START_TEST(example)
{
	char			 err[CONFIG_ERRLEN];
	struct piad_config	*cfg;

	cfg = config_load(PIAD_SRCDIR "/data/piad.example.json", err,
	    sizeof(err));
	if (cfg == NULL)
		ck_abort_msg("data/piad.example.json: %s", err);
	ck_assert_uint_eq(cfg->ncontainers, 2);
	ck_assert_str_eq(cfg->containers[0].name, "transmission");
	ck_assert_uint_eq(cfg->containers[0].receive_forwarded_port.port,
	    51413);
	config_free(cfg);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("config_golden");
	TCase	*tc = tcase_create("golden");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, golden);
	tcase_add_test(tc, example);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
