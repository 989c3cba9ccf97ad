/* SPDX-License-Identifier: ISC */
/*
 * piasim's own parsers of client data: credentials in token request
 * bodies (urlencoded, multipart, JSON) with their error messages, query
 * parameters, and the test-zone DNS responder (answers, NXDOMAIN,
 * SERVFAIL, FORMERR, dropped queries).
 */
#include <arpa/inet.h>

#include <check.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/dns.h"
#include "tests/sim/form.h"

int	main(void);

static const char *
creds_err(const char *ctype, const char *body)
{
	struct simform_creds	 c;
	const char		*err = NULL;

	if (simform_credentials(ctype, body, strlen(body), &c, &err) == 0)
		return "ok";
	return err;
}

START_TEST(form_urlencoded)
{
	struct simform_creds	 c;
	const char		*err;
	const char		*b = "a=1&username=p%201+2&password=s%3Dx";

	ck_assert_int_eq(simform_credentials(
	    "application/x-www-form-urlencoded", b, strlen(b), &c, &err), 0);
	ck_assert_str_eq(c.username, "p 1 2");
	ck_assert_str_eq(c.password, "s=x");
	ck_assert_str_eq(creds_err(NULL, "username=u&password=%zz"),
	    "bad percent-encoding");
	ck_assert_str_eq(creds_err(NULL, "username=u&password=%4"),
	    "bad percent-encoding");
	ck_assert_str_eq(creds_err(NULL, "username=u&password=%00"),
	    "bad percent-encoding");
	ck_assert_str_eq(creds_err(NULL, "username=u"),
	    "username or password missing");
	ck_assert_str_eq(creds_err(NULL, ""), "username or password missing");
}
END_TEST

START_TEST(form_multipart)
{
	const char *ct = "multipart/form-data; boundary=XyZ";

	ck_assert_str_eq(creds_err(ct,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n"
	    "\r\np1\r\n--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"password\"\r\n\r\npw\r\n--XyZ--\r\n"), "ok");
	ck_assert_str_eq(creds_err("multipart/form-data", "x"),
	    "multipart without a boundary");
	ck_assert_str_eq(creds_err(ct, "nothing here"),
	    "multipart boundary not found");
	ck_assert_str_eq(creds_err(ct, "--XyZ\r\nname=\"username\""),
	    "multipart part without headers");
	ck_assert_str_eq(creds_err(ct,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n"
	    "\r\np1"), "multipart part not terminated");
	ck_assert_str_eq(creds_err(ct,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"username\r\n"
	    "\r\np1\r\n--XyZ--"), "multipart name not terminated");
}
END_TEST

START_TEST(form_json)
{
	const char	*ct = "application/json; charset=utf-8";
	char		 big[SIMFORM_FIELD_MAX + 1], body[512];

	ck_assert_str_eq(creds_err(ct,
	    "{\"username\":\"u\",\"password\":\"p\"}"), "ok");
	ck_assert_str_eq(creds_err(ct, "[1]"), "body is not a JSON object");
	ck_assert_str_eq(creds_err(ct, "{\"username\":\"u\""),
	    "body is not valid JSON");
	ck_assert_str_eq(creds_err(ct, "{\"username\":1,\"password\":\"p\"}"),
	    "credential is not a string");
	ck_assert_str_eq(creds_err(ct,
	    "{\"username\":\"u\\u0000v\",\"password\":\"p\"}"),
	    "body is not valid JSON");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(body, sizeof(body),
	    "{\"username\":\"%s\",\"password\":\"p\"}", big);
	ck_assert_str_eq(creds_err(ct, body), "credential too long");
	ck_assert_str_eq(creds_err(ct, "{\"password\":\"p\"}"),
	    "username or password missing");
}
END_TEST

START_TEST(form_param)
{
	char v[64];

	ck_assert_int_eq(simform_param("pt=abc&pubkey=a+b%2Fc%3D", "pubkey",
	    v, sizeof(v)), 0);
	ck_assert_str_eq(v, "a+b/c=");
	ck_assert_int_eq(simform_param("pt=abc", "pt", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "abc");
	ck_assert_int_eq(simform_param("ptx=abc", "pt", v, sizeof(v)), -1);
	ck_assert_int_eq(simform_param("", "pt", v, sizeof(v)), -1);
	ck_assert_int_eq(simform_param("pt=%G1", "pt", v, sizeof(v)), -1);
	ck_assert_int_eq(simform_param("pt=0123456789", "pt", v, 5), -1);
}
END_TEST

/* A query for name/type with id 0x1234 and RD. */
static size_t
query(uint8_t *q, const char *name, uint16_t type)
{
	size_t		 off = 12;
	const char	*p = name;

	memset(q, 0, 12);
	q[0] = 0x12;
	q[1] = 0x34;
	q[2] = 0x01;
	q[5] = 1;
	while (*p != '\0') {
		size_t l = strcspn(p, ".");

		q[off++] = (uint8_t)l;
		memcpy(q + off, p, l);
		off += l;
		p += l;
		if (*p == '.')
			p++;
	}
	q[off++] = 0;
	q[off++] = (uint8_t)(type >> 8);
	q[off++] = (uint8_t)type;
	q[off++] = 0;
	q[off++] = 1;
	return off;
}

START_TEST(dns_answers)
{
	struct simdns_zone	zone;
	uint8_t			q[512], r[512];
	size_t			ql;
	int			rl;

	inet_pton(AF_INET, "192.0.2.80", &zone.web);
	inet_pton(AF_INET, "203.0.113.10", &zone.whoami);

	ql = query(q, "Web.PiaSim.test", 1);
	rl = simdns_answer(q, ql, r, sizeof(r), &zone);
	ck_assert_int_eq(rl, (int)ql + 16);
	ck_assert_int_eq(r[0], 0x12);
	ck_assert_int_eq(r[1], 0x34);
	ck_assert_int_eq(r[2] & 0x80, 0x80);	/* a response */
	ck_assert_int_eq(r[3] & 0x0f, 0);	/* NOERROR */
	ck_assert_int_eq(r[7], 1);		/* one answer */
	ck_assert_mem_eq(r + rl - 4, &zone.web.s_addr, 4);

	ql = query(q, "whoami.piasim.test", 1);
	rl = simdns_answer(q, ql, r, sizeof(r), &zone);
	ck_assert_mem_eq(r + rl - 4, &zone.whoami.s_addr, 4);

	ql = query(q, "web.piasim.test", 28);	/* AAAA: no data */
	rl = simdns_answer(q, ql, r, sizeof(r), &zone);
	ck_assert_int_eq(rl, (int)ql);
	ck_assert_int_eq(r[3] & 0x0f, 0);
	ck_assert_int_eq(r[7], 0);

	ql = query(q, "nope.piasim.test", 1);
	rl = simdns_answer(q, ql, r, sizeof(r), &zone);
	ck_assert_int_eq(r[3] & 0x0f, 3);	/* NXDOMAIN */

	ql = query(q, "example.com", 1);
	rl = simdns_answer(q, ql, r, sizeof(r), &zone);
	ck_assert_int_eq(r[3] & 0x0f, 2);	/* SERVFAIL */
	ql = query(q, "xpiasim.test", 1);
	rl = simdns_answer(q, ql, r, sizeof(r), &zone);
	ck_assert_int_eq(r[3] & 0x0f, 2);
}
END_TEST

START_TEST(dns_refusals)
{
	struct simdns_zone	zone;
	uint8_t			q[512], r[512];
	size_t			ql;

	memset(&zone, 0, sizeof(zone));
	ql = query(q, "web.piasim.test", 1);
	ck_assert_int_eq(simdns_answer(q, 11, r, sizeof(r), &zone), -1);
	ck_assert_int_eq(simdns_answer(q, ql, r, 100, &zone), -1);
	q[2] |= 0x80;				/* a reply: dropped */
	ck_assert_int_eq(simdns_answer(q, ql, r, sizeof(r), &zone), -1);
	q[2] &= 0x7f;
	q[5] = 2;				/* two questions */
	ck_assert_int_eq(simdns_answer(q, ql, r, sizeof(r), &zone), 12);
	ck_assert_int_eq(r[3] & 0x0f, 1);	/* FORMERR */
	q[5] = 1;
	q[12] = 0xc0;			/* pointer in the question */
	ck_assert_int_eq(simdns_answer(q, ql, r, sizeof(r), &zone), 12);
	ck_assert_int_eq(r[3] & 0x0f, 1);
	ql = query(q, "web.piasim.test", 1);
	ck_assert_int_eq(simdns_answer(q, ql - 2, r, sizeof(r), &zone), 12);
	ck_assert_int_eq(r[3] & 0x0f, 1);	/* truncated question */
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("sim_parsers");
	TCase	*tc = tcase_create("all");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, form_urlencoded);
	tcase_add_test(tc, form_multipart);
	tcase_add_test(tc, form_json);
	tcase_add_test(tc, form_param);
	tcase_add_test(tc, dns_answers);
	tcase_add_test(tc, dns_refusals);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
