/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of server-list verification, parsing, saving and of region
 * and server selection. The RSA key is made at run time, so the tree holds
 * no private key; the list is the fixture tests/pia/serverlist.json.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pia/select.h"
#include "pia/serverlist.h"
#include "pia_fixture.h"

static EVP_PKEY	*key, *other;
static char	*json, *signed_text;
static size_t	 jlen, slen;

/* Once, in the parent: RSA key generation is the slow part. */
static void
make_keys(void)
{
	key = make_key();
	other = make_key();
}

static void
free_keys(void)
{
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}

static void
setup(void)
{
	json = fixture("serverlist.json", &jlen);
	ck_assert_ptr_nonnull(json);
	signed_text = sign_list(key, json, jlen, &slen);
}

static void
teardown(void)
{
	free(json);
	free(signed_text);
}

START_TEST(verify_and_parse)
{
	struct pia_serverlist	*sl;
	const struct pia_region	*r;
	char			 err[256] = "";

	sl = pia_serverlist_verify_parse(signed_text, slen, key, err,
	    sizeof(err));
	ck_assert_msg(sl != NULL, "%s", err);
	ck_assert_uint_eq(sl->nregions, 5);
	ck_assert_int_eq(sl->wg_port, 1337);
	ck_assert_int_eq(sl->meta_port, 443);
	r = pia_serverlist_region(sl, "swiss");
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->name, "Switzerland");
	ck_assert_str_eq(r->country, "CH");
	ck_assert_str_eq(r->dns, "198.51.100.53");
	ck_assert(r->port_forward && !r->offline && !r->geo && r->auto_region);
	ck_assert_uint_eq(r->nmeta, 1);
	ck_assert_str_eq(r->meta[0].cn, "zurich401");
	ck_assert_uint_eq(r->nwg, 3);
	ck_assert_str_eq(r->wg[2].ip, "198.51.100.13");
	ck_assert_str_eq(r->wg[2].cn, "zurich407");
	r = pia_serverlist_region(sl, "nowg");
	ck_assert_uint_eq(r->nwg, 0);
	ck_assert_uint_eq(r->nmeta, 0);
	r = pia_serverlist_region(sl, "odd");
	ck_assert_uint_eq(r->nwg, 1);
	ck_assert_str_eq(r->wg[0].cn, "odd405");
	ck_assert_uint_eq(sl->nskipped, 3);
	ck_assert_ptr_null(pia_serverlist_region(sl, "mars"));
	ck_assert_mem_eq(sl->raw, signed_text, slen);
	pia_serverlist_free(sl);
}
END_TEST

static void
refused(const char *text, size_t len, EVP_PKEY *k, const char *msg)
{
	char err[256] = "";

	ck_assert_ptr_null(pia_serverlist_verify_parse(text, len, k, err,
	    sizeof(err)));
	ck_assert_str_eq(err, msg);
}

START_TEST(refusals)
{
	char	*t;

	refused(json, jlen, key, "server list: unsigned (no signature after "
	    "a blank line)");
	t = strdup(signed_text);
	/* Change one byte of the signed JSON: "Switzerland" -> "Svitzerland" */
	*strstr(t, "Switzerland") = 'X';
	refused(t, slen, key, "server list: bad signature");
	free(t);
	refused(signed_text, slen, other, "server list: bad signature");
	t = strdup(signed_text);
	memcpy(t + jlen + 2, "!!!!", 4);
	refused(t, slen, key, "server list: signature is not valid base64");
	free(t);
	refused(json, jlen + 0, key, "server list: unsigned (no signature "
	    "after a blank line)");
	t = malloc(jlen + 3);
	memcpy(t, json, jlen);
	memcpy(t + jlen, "\n\n", 3);
	refused(t, jlen + 2, key, "server list: unsigned (empty signature)");
	free(t);
	/* Truncated in transit: the signature no longer matches. */
	refused(signed_text, slen - 20, key,
	    "server list: signature is not valid base64");
	t = calloc(1, PIA_SERVERLIST_MAX + 2);
	memset(t, ' ', PIA_SERVERLIST_MAX + 1);
	refused(t, PIA_SERVERLIST_MAX + 1, key, "server list: larger than "
	    "4194304 bytes");
	free(t);
}
END_TEST

static void
bad_json(const char *j, const char *msg)
{
	char err[256] = "";

	ck_assert_ptr_null(pia_serverlist_parse_json(j, strlen(j), err,
	    sizeof(err)));
	ck_assert_str_eq(err, msg);
}

START_TEST(json_errors)
{
	struct pia_serverlist	*sl;
	char			 err[256];

	bad_json("{\"regions\":", "server list: invalid JSON at line 1 column "
	    "11: unexpected token near end of file");
	bad_json("{\"groups\":{}}", "server list: no regions array");
	bad_json("[]", "server list: no regions array");
	bad_json("{\"regions\":[{\"name\":\"x\"}]}",
	    "server list: regions[0]: missing id");
	bad_json("{\"regions\":[{\"id\":\"a\"},{\"id\":\"a\"}]}",
	    "server list: region a listed twice");
	/* Missing groups and ports: defaults. */
	sl = pia_serverlist_parse_json("{\"regions\":[]}", 14, err,
	    sizeof(err));
	ck_assert_ptr_nonnull(sl);
	ck_assert_int_eq(sl->wg_port, 1337);
	ck_assert_uint_eq(sl->nregions, 0);
	pia_serverlist_free(sl);
}
END_TEST

START_TEST(save_and_load)
{
	struct pia_serverlist	*sl, *back;
	char			 dir[] = "/tmp/piad-test-sl.XXXXXX", path[256];
	char			 err[256] = "", *t;
	struct stat		 st;
	FILE			*f;
	size_t			 n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/serverlist.json", dir);
	sl = pia_serverlist_verify_parse(signed_text, slen, key, err,
	    sizeof(err));
	ck_assert_ptr_nonnull(sl);
	sl->fetched_at = 1700000000;
	ck_assert_int_eq(pia_serverlist_save(sl, path, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	back = pia_serverlist_load(path, key, err, sizeof(err));
	ck_assert_msg(back != NULL, "%s", err);
	ck_assert_int_eq((long long)back->fetched_at, 1700000000LL);
	ck_assert_uint_eq(back->nregions, sl->nregions);
	ck_assert_uint_eq(back->rawlen, sl->rawlen);
	pia_serverlist_free(back);
	/* Load with another key: refused as a bad signature. */
	ck_assert_ptr_null(pia_serverlist_load(path, other, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "server list: bad signature "
	    "(saved in "));
	/* Edited on disk: refused. */
	f = fopen(path, "r+");
	t = malloc(1 << 20);
	n = fread(t, 1, 1 << 20, f);
	*strstr(t, "Switzerland") = 'Q';
	rewind(f);
	ck_assert_uint_eq(fwrite(t, 1, n, f), n);
	fclose(f);
	free(t);
	ck_assert_ptr_null(pia_serverlist_load(path, key, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "server list: bad signature"));
	pia_serverlist_free(sl);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(pubkey_load)
{
	char		 path[] = "/tmp/piad-test-key.XXXXXX", err[256];
	char		 real[1024];
	EVP_PKEY	*k;
	int		 fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	write_pubkey(key, path);
	k = pia_serverlist_load_pubkey(path, err, sizeof(err));
	ck_assert_ptr_nonnull(k);
	EVP_PKEY_free(k);
	unlink(path);
	ck_assert_ptr_null(pia_serverlist_load_pubkey(path, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	/* The shipped PIA key loads. */
	snprintf(real, sizeof(real), "%s/data/serverlist-pubkey.pem",
	    PIAD_SRCDIR);
	k = pia_serverlist_load_pubkey(real, err, sizeof(err));
	ck_assert_msg(k != NULL, "%s", err);
	EVP_PKEY_free(k);
	snprintf(real, sizeof(real), "%s/tests/pia/serverlist.json",
	    PIAD_SRCDIR);
	ck_assert_ptr_null(pia_serverlist_load_pubkey(real, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, ": not a PEM public key"));
}
END_TEST

static time_t fake_now;

static time_t
fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static struct pia_serverlist *
list(void)
{
	struct pia_serverlist	*sl;
	char			 err[256];

	sl = pia_serverlist_parse_json(json, jlen, err, sizeof(err));
	ck_assert_ptr_nonnull(sl);
	return sl;
}

START_TEST(select_region_rules)
{
	struct pia_serverlist	*sl = list();
	char			 err[256] = "";

	ck_assert_ptr_nonnull(pia_select_region(sl, "swiss", true, err,
	    sizeof(err)));
	ck_assert_ptr_null(pia_select_region(sl, "mars", false, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "region mars: not in the server list");
	ck_assert_ptr_null(pia_select_region(sl, "de_berlin", false, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "region de_berlin: offline");
	ck_assert_ptr_nonnull(pia_select_region(sl, "us_east", false, err,
	    sizeof(err)));
	ck_assert_ptr_null(pia_select_region(sl, "us_east", true, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "region us_east: no port forwarding, but a "
	    "container receives the forwarded port");
	ck_assert_ptr_null(pia_select_region(sl, "nowg", false, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "region nowg: no WireGuard servers");
	pia_serverlist_free(sl);
}
END_TEST

START_TEST(select_candidates)
{
	struct pia_serverlist	*sl = list();
	struct pia_select	*s = pia_select_new();
	const struct pia_region	*c[8];
	size_t			 n;

	pia_select_set_clock(s, fake_clock, NULL);
	fake_now = 1000;
	n = pia_select_candidates(s, sl, false, c, 8);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(c[0]->id, "swiss");
	ck_assert_str_eq(c[1]->id, "us_east");
	ck_assert_str_eq(c[2]->id, "odd");
	n = pia_select_candidates(s, sl, true, c, 8);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(c[1]->id, "odd");
	/* A region whose only server is avoided drops out. */
	pia_select_avoid(s, "odd405", 0);
	n = pia_select_candidates(s, sl, true, c, 1);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(c[0]->id, "swiss");
	fake_now += PIA_AVOID_SECONDS;
	ck_assert_uint_eq(pia_select_candidates(s, sl, true, c, 8), 2);
	pia_select_free(s);
	pia_serverlist_free(sl);
}
END_TEST

START_TEST(select_rotation_and_avoid)
{
	struct pia_serverlist	*sl = list();
	struct pia_select	*s = pia_select_new();
	const struct pia_region	*r = pia_serverlist_region(sl, "swiss");

	pia_select_set_clock(s, fake_clock, NULL);
	fake_now = 5000;
	ck_assert_str_eq(pia_select_server(s, r)->cn, "zurich405");
	ck_assert_str_eq(pia_select_server(s, r)->cn, "zurich406");
	ck_assert_str_eq(pia_select_server(s, r)->cn, "zurich407");
	ck_assert_str_eq(pia_select_server(s, r)->cn, "zurich405");
	pia_select_avoid(s, "zurich406", 0);
	ck_assert(pia_select_avoided(s, "zurich406"));
	ck_assert_str_eq(pia_select_server(s, r)->cn, "zurich407");
	ck_assert_str_eq(pia_select_server(s, r)->cn, "zurich405");
	ck_assert_str_eq(pia_select_server(s, r)->cn, "zurich407");
	/* Still avoided one second before the ten minutes are up. */
	fake_now += PIA_AVOID_SECONDS - 1;
	ck_assert(pia_select_avoided(s, "zurich406"));
	fake_now += 1;
	ck_assert(!pia_select_avoided(s, "zurich406"));
	ck_assert_str_eq(pia_select_server(s, r)->cn, "zurich405");
	ck_assert_str_eq(pia_select_server(s, r)->cn, "zurich406");
	/* All avoided: the one whose avoidance ends first. */
	pia_select_avoid(s, "zurich405", 300);
	pia_select_avoid(s, "zurich406", 100);
	pia_select_avoid(s, "zurich407", 200);
	ck_assert_str_eq(pia_select_server(s, r)->cn, "zurich406");
	pia_select_clear_avoid(s);
	ck_assert(!pia_select_avoided(s, "zurich405"));
	ck_assert_ptr_null(pia_select_server(s,
	    pia_serverlist_region(sl, "nowg")));
	pia_select_free(s);
	pia_serverlist_free(sl);
}
END_TEST

static Suite *
suite(void)
{
	Suite	*s = suite_create("pia_serverlist");
	TCase	*tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, make_keys, free_keys);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, verify_and_parse);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, json_errors);
	tcase_add_test(tc, save_and_load);
	tcase_add_test(tc, pubkey_load);
	tcase_add_test(tc, select_region_rules);
	tcase_add_test(tc, select_candidates);
	tcase_add_test(tc, select_rotation_and_avoid);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
