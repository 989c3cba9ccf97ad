/* SPDX-License-Identifier: ISC */
/*
 * URL encoding: unreserved characters kept, everything else %XX, form
 * bodies, decoding and its refusals, parameter lookup.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "pia/urlenc.h"

START_TEST(encode)
{
	char *s;

	s = urlenc("AZaz09-._~");
	ck_assert_str_eq(s, "AZaz09-._~");
	free(s);
	s = urlenc("a b&c=d+e/f?g#h%");
	ck_assert_str_eq(s, "a%20b%26c%3Dd%2Be%2Ff%3Fg%23h%25");
	free(s);
	s = urlenc("\xc3\xa9\x01\xff");
	ck_assert_str_eq(s, "%C3%A9%01%FF");
	free(s);
	s = urlenc("");
	ck_assert_str_eq(s, "");
	urlenc_free_secret(s);
	/* A base64 key: '+', '/', '=' must all be escaped. */
	s = urlenc("ab+/cd==");
	ck_assert_str_eq(s, "ab%2B%2Fcd%3D%3D");
	free(s);
}
END_TEST

START_TEST(form)
{
	struct evbuffer *b = evbuffer_new();
	char longval[300];
	size_t n;

	ck_assert_int_eq(urlenc_form_add(b, "username", "p1234567"), 0);
	ck_assert_int_eq(urlenc_form_add(b, "password", "s3cr&t =+"), 0);
	n = evbuffer_get_length(b);
	ck_assert_int_eq(memcmp(evbuffer_pullup(b, -1),
	    "username=p1234567&password=s3cr%26t%20%3D%2B", n), 0);
	ck_assert_uint_eq(n, strlen("username=p1234567&password="
	    "s3cr%26t%20%3D%2B"));

	/* Longer than the internal piece size. */
	evbuffer_drain(b, n);
	memset(longval, '/', sizeof(longval) - 1);
	longval[sizeof(longval) - 1] = '\0';
	ck_assert_int_eq(urlenc_form_add(b, "k", longval), 0);
	ck_assert_uint_eq(evbuffer_get_length(b), 2 + 3 * 299);
	evbuffer_free(b);
}
END_TEST

START_TEST(decode)
{
	char *s;

	s = urldec("a%20b+c%2B%3d", 13, true);
	ck_assert_str_eq(s, "a b c+=");
	free(s);
	s = urldec("a+b", 3, false);
	ck_assert_str_eq(s, "a+b");
	free(s);

	errno = 0;
	ck_assert_ptr_null(urldec("%4", 2, true));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(urldec("%zz", 3, true));
	ck_assert_ptr_null(urldec("a%00b", 5, true));
	ck_assert_ptr_null(urldec("a\0b", 3, true));

	/* Round trip of every byte but NUL. */
	{
		char all[256], *e, *d;
		int i;

		for (i = 1; i < 256; i++)
			all[i - 1] = (char)i;
		all[255] = '\0';
		e = urlenc(all);
		d = urldec(e, strlen(e), false);
		ck_assert_str_eq(d, all);
		free(e);
		free(d);
	}
}
END_TEST

START_TEST(param)
{
	char *s;

	s = urlenc_param("pt=t%2Bk&pubkey=abc%3D", "pubkey");
	ck_assert_str_eq(s, "abc=");
	free(s);
	s = urlenc_param("pt=t%2Bk&pubkey=abc%3D", "pt");
	ck_assert_str_eq(s, "t+k");
	free(s);
	s = urlenc_param("a&b=&c=1", "b");
	ck_assert_str_eq(s, "");
	free(s);
	errno = 0;
	ck_assert_ptr_null(urlenc_param("pt=1&ptx=2", "p"));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(urlenc_param("pt=%zz", "pt"));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("urlenc");
	TCase *tc = tcase_create("urlenc");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, encode);
	tcase_add_test(tc, form);
	tcase_add_test(tc, decode);
	tcase_add_test(tc, param);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
