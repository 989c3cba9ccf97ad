/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the PIA reply parsers, base64 and the port-forward
 * payload, on fixtures in the real (pretty-printed) shapes. Assertions are
 * on what the FSM and the user see: the error kind and the exact message.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/b64.h"
#include "pia/payload.h"
#include "pia/responses.h"
#include "pia_fixture.h"

static struct pia_reply_in
reply(int status, const char *retry, const char *name)
{
	struct pia_reply_in in;

	memset(&in, 0, sizeof(in));
	in.status = status;
	in.retry_after = retry;
	in.body = fixture(name, &in.len);
	ck_assert_ptr_nonnull(in.body);
	return in;
}

static struct pia_reply_in
reply_text(int status, const char *body)
{
	struct pia_reply_in in;

	memset(&in, 0, sizeof(in));
	in.status = status;
	in.body = body;
	in.len = strlen(body);
	return in;
}

static char *
ourkey(void)
{
	char *k = fixture("wg-pubkey.txt", NULL);

	ck_assert_ptr_nonnull(k);
	k[strcspn(k, "\n")] = '\0';
	return k;
}

/* Standard base64 of a JSON text, for payload tests. */
static char *
b64_of(const char *s)
{
	size_t	 n = strlen(s);
	char	*out = malloc(b64_encoded_len(n) + 1);

	b64_encode((const uint8_t *)s, n, out, b64_encoded_len(n) + 1);
	return out;
}

START_TEST(b64_roundtrip)
{
	uint8_t	 in[40], out[64];
	char	 text[64];
	size_t	 n;
	ssize_t	 d;

	for (n = 0; n < sizeof(in); n++)
		in[n] = (uint8_t)(n * 37 + 1);
	for (n = 0; n <= sizeof(in); n++) {
		ck_assert_int_eq(b64_encode(in, n, text, sizeof(text)),
		    (ssize_t)b64_encoded_len(n));
		d = b64_decode(text, strlen(text), out, sizeof(out), 0);
		ck_assert_int_eq(d, (ssize_t)n);
		ck_assert_mem_eq(in, out, n);
	}
	ck_assert_str_eq((b64_encode((const uint8_t *)"foob", 4, text,
	    sizeof(text)), text), "Zm9vYg==");
}
END_TEST

START_TEST(b64_strict)
{
	uint8_t out[16];

	ck_assert_int_eq(b64_decode("Zm9vYg", 6, out, 16, 0), -1);
	ck_assert_int_eq(b64_decode("Zm9vYh==", 8, out, 16, 0), -1);
	ck_assert_int_eq(b64_decode("Zm9=Yg==", 8, out, 16, 0), -1);
	ck_assert_int_eq(b64_decode("Zm9vYg==Zm9v", 12, out, 16, 0), -1);
	ck_assert_int_eq(b64_decode("Zm9v-_==", 8, out, 16, 0), -1);
	ck_assert_int_eq(b64_decode("Zm9v\nYg==", 9, out, 16, 0), -1);
	ck_assert_int_eq(b64_decode("Zm9v\nYg==\n", 10, out, 16,
	    B64_SKIP_WS), 4);
	ck_assert_int_eq(b64_decode("Zm9vYg==", 8, out, 3, 0), -1);
}
END_TEST

START_TEST(payload_good)
{
	struct pia_payload	 p;
	char			 err[128] = "", *b;

	b = b64_of("{\"token\":\"t0k\",\"port\":47047,"
	    "\"expires_at\":\"2026-11-08T14:20:08.551108225Z\",\"x\":1}");
	ck_assert_int_eq(pia_payload_decode(b, strlen(b), &p, err,
	    sizeof(err)), PIA_PAYLOAD_OK);
	ck_assert_int_eq(p.port, 47047);
	ck_assert_str_eq(p.token, "t0k");
	ck_assert_int_eq((long long)p.expires_at, 1794147608LL);
	ck_assert_int_eq(p.expires_nsec, 551108225);
	ck_assert_int_eq(pia_payload_expired(&p, 1794147607), 0);
	ck_assert_int_eq(pia_payload_expired(&p, 1794147608), 1);
	pia_payload_clear(&p);
	ck_assert_ptr_null(p.token);
	free(b);
}
END_TEST

static void
payload_bad(const char *b64, enum pia_payload_status want, const char *msg)
{
	struct pia_payload	p;
	char			err[128] = "";

	ck_assert_int_eq(pia_payload_decode(b64, strlen(b64), &p, err,
	    sizeof(err)), want);
	ck_assert_str_eq(err, msg);
	pia_payload_clear(&p);
}

static void
payload_bad_json(const char *json, enum pia_payload_status want,
    const char *msg)
{
	char *b = b64_of(json);

	payload_bad(b, want, msg);
	free(b);
}

START_TEST(payload_errors)
{
	payload_bad("", PIA_PAYLOAD_MALFORMED, "payload: empty");
	payload_bad("e30", PIA_PAYLOAD_MALFORMED,
	    "payload: not valid base64");
	payload_bad("eyJ0b2tlbiI6-_==", PIA_PAYLOAD_MALFORMED,
	    "payload: not valid base64");
	payload_bad_json("[1]", PIA_PAYLOAD_MALFORMED,
	    "payload: not a JSON object");
	payload_bad_json("{\"port\":47047,\"expires_at\":\"2026-11-08T14:20:08Z\"}",
	    PIA_PAYLOAD_MALFORMED, "payload: token missing or not a string");
	payload_bad_json("{\"token\":\"t\",\"expires_at\":\"2026-11-08T14:20:08Z\"}",
	    PIA_PAYLOAD_MALFORMED, "payload: port missing or not an integer");
	payload_bad_json("{\"token\":\"t\",\"port\":\"47047\",\"expires_at\":\"2026-11-08T14:20:08Z\"}",
	    PIA_PAYLOAD_MALFORMED, "payload: port missing or not an integer");
	payload_bad_json("{\"token\":\"t\",\"port\":70000,\"expires_at\":\"2026-11-08T14:20:08Z\"}",
	    PIA_PAYLOAD_MALFORMED, "payload: port 70000 out of range");
	payload_bad_json("{\"token\":\"t\",\"port\":47047}",
	    PIA_PAYLOAD_MALFORMED,
	    "payload: expires_at missing or not a string");
	payload_bad_json("{\"token\":\"t\",\"port\":47047,\"expires_at\":\"2026-13-08T14:20:08Z\"}",
	    PIA_PAYLOAD_MALFORMED,
	    "payload: expires_at is not an RFC 3339 date");
	payload_bad_json("{\"token\":\"t\",\"port\":47047,\"expires_at\":\"2026-11-08 14:20:08\"}",
	    PIA_PAYLOAD_MALFORMED,
	    "payload: expires_at is not an RFC 3339 date");
	payload_bad_json("{\"token\":\"t\",\"port\":80,\"expires_at\":\"2026-11-08T14:20:08Z\"}",
	    PIA_PAYLOAD_LOW_PORT, "payload: port 80 is below 1024");
}
END_TEST

START_TEST(rfc3339)
{
	time_t	s;
	long	ns;

	ck_assert_int_eq(pia_parse_rfc3339("1970-01-01T00:00:00Z", &s, &ns), 0);
	ck_assert_int_eq((long long)s, 0);
	ck_assert_int_eq(pia_parse_rfc3339("1970-01-01T01:00:00.5+01:00", &s,
	    &ns), 0);
	ck_assert_int_eq((long long)s, 0);
	ck_assert_int_eq(ns, 500000000);
	ck_assert_int_eq(pia_parse_rfc3339("2024-02-29T00:00:00Z", &s, &ns), 0);
	ck_assert_int_eq(pia_parse_rfc3339("2025-02-29T00:00:00Z", &s, &ns), -1);
	ck_assert_int_eq(pia_parse_rfc3339("2025-01-01T00:00:00.1234567890Z",
	    &s, &ns), -1);
	ck_assert_int_eq(pia_parse_rfc3339("2025-01-01T00:00:00.Z", &s, &ns),
	    -1);
	ck_assert_int_eq(pia_parse_rfc3339("2025-01-01T00:00:00", &s, &ns), -1);
	ck_assert_int_eq(pia_parse_rfc3339("2025-01-01T00:00:00Zjunk", &s,
	    &ns), -1);
}
END_TEST

START_TEST(token_replies)
{
	struct pia_reply_in	 in;
	struct pia_result	 r;
	char			*tok;

	in = reply(200, NULL, "token-ok.json");
	ck_assert_int_eq(pia_parse_token(&in, &tok, &r), 0);
	ck_assert_str_eq(tok, "abcdefTOKEN0123456789");
	ck_assert_int_eq(r.err, PIA_OK);
	free(tok);
	free((char *)(uintptr_t)in.body);

	in = reply(429, "120", "token-rate.json");
	ck_assert_int_eq(pia_parse_token(&in, &tok, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_RATE_LIMITED);
	ck_assert_uint_eq(r.retry_after_s, 120);
	ck_assert_str_eq(r.message, "token: rate limited, retry in 120 s");
	ck_assert_ptr_null(tok);
	free((char *)(uintptr_t)in.body);

	/* too_many_attempts under another status, no Retry-After: 60 s. */
	in = reply(200, NULL, "token-rate.json");
	ck_assert_int_eq(pia_parse_token(&in, &tok, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_RATE_LIMITED);
	ck_assert_uint_eq(r.retry_after_s, 60);
	free((char *)(uintptr_t)in.body);

	in = reply(401, NULL, "token-noauth.json");
	ck_assert_int_eq(pia_parse_token(&in, &tok, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_BAD_CREDENTIALS);
	ck_assert_int_eq(r.http_status, 401);
	ck_assert_str_eq(r.message, "token: bad credentials (HTTP 401)");
	free((char *)(uintptr_t)in.body);

	in = reply_text(503, "<html>down</html>");
	ck_assert_int_eq(pia_parse_token(&in, &tok, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_HTTP_STATUS);
	ck_assert_str_eq(r.message, "token: HTTP 503");

	/* A one-line text body is shown with the status. */
	in = reply_text(502, "Bad gateway\r\n");
	ck_assert_int_eq(pia_parse_token(&in, &tok, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_HTTP_STATUS);
	ck_assert_str_eq(r.message, "token: HTTP 502: Bad gateway");

	in = reply_text(200, "{\"tok");
	ck_assert_int_eq(pia_parse_token(&in, &tok, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_PROTOCOL);
	ck_assert_str_eq(r.message, "token: response is not JSON");

	in = reply_text(200, "{\"token\":\"\"}");
	ck_assert_int_eq(pia_parse_token(&in, &tok, &r), -1);
	ck_assert_str_eq(r.message, "token: no token in the response");
}
END_TEST

START_TEST(retry_after)
{
	ck_assert_uint_eq(pia_retry_after(NULL, 0), 60);
	ck_assert_uint_eq(pia_retry_after(" 30 ", 0), 30);
	ck_assert_uint_eq(pia_retry_after("0", 0), 1);
	ck_assert_uint_eq(pia_retry_after("999999999999", 0), 86400);
	ck_assert_uint_eq(pia_retry_after("soon", 0), 60);
	ck_assert_uint_eq(pia_retry_after("Thu, 01 Jan 1970 00:02:00 GMT", 0),
	    120);
}
END_TEST

START_TEST(addkey_replies)
{
	struct pia_reply_in	 in;
	struct pia_addkey_reply	 a;
	struct pia_result	 r;
	char			*key = ourkey();
	const char		*f[] = { "addkey-ok.json", "addkey-ok-cidr.json" };
	size_t			 i;

	for (i = 0; i < 2; i++) {
		in = reply(200, NULL, f[i]);
		ck_assert_int_eq(pia_parse_addkey(&in, key, &a, &r), 0);
		ck_assert_str_eq(a.peer_ip, "10.7.130.17");
		ck_assert_str_eq(a.server_ip, "198.51.100.11");
		ck_assert_str_eq(a.server_vip, "10.7.128.1");
		ck_assert_int_eq(a.server_port, 1337);
		ck_assert_uint_eq(a.ndns, 2);
		ck_assert_str_eq(a.dns[0], "10.0.0.243");
		ck_assert_str_eq(a.dns[1], "10.0.0.242");
		ck_assert_int_eq(a.server_key[0], 100);
		ck_assert_int_eq(a.server_key[31], 131);
		ck_assert_str_eq(a.server_key_b64,
		    "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM=");
		ck_assert(!a.login_failed);
		free((char *)(uintptr_t)in.body);
	}

	in = reply(200, NULL, "addkey-wrong-peer.json");
	ck_assert_int_eq(pia_parse_addkey(&in, key, &a, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_PROTOCOL);
	ck_assert_str_eq(r.message, "addKey: peer_pubkey is not the key we "
	    "sent");
	free((char *)(uintptr_t)in.body);

	in = reply(200, NULL, "addkey-login-failed.json");
	ck_assert_int_eq(pia_parse_addkey(&in, key, &a, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_API);
	ck_assert_str_eq(r.message, "addKey: Login failed!");
	ck_assert(a.login_failed);
	free((char *)(uintptr_t)in.body);

	in = reply(200, NULL, "addkey-truncated.json");
	ck_assert_int_eq(pia_parse_addkey(&in, key, &a, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_PROTOCOL);
	ck_assert_str_eq(r.message, "addKey: response is not JSON");
	free((char *)(uintptr_t)in.body);

	in = reply_text(200, "{\"status\":\"OK\",\"server_key\":\"AAAA\"}");
	ck_assert_int_eq(pia_parse_addkey(&in, key, &a, &r), -1);
	ck_assert_str_eq(r.message, "addKey: server_key is not a base64 "
	    "32-byte key");

	in = reply_text(500, "");
	ck_assert_int_eq(pia_parse_addkey(&in, key, &a, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_HTTP_STATUS);
	ck_assert_str_eq(r.message, "addKey: HTTP 500");
	free(key);
}
END_TEST

START_TEST(getsignature_replies)
{
	struct pia_reply_in	in;
	struct pia_signature	s;
	struct pia_result	r;
	time_t			now = 1794147608;	/* 2026-11-08 */

	in = reply(200, NULL, "getsig-ok.json");
	ck_assert_int_eq(pia_parse_getsignature(&in, now, &s, &r), 0);
	ck_assert_int_eq(s.decoded.port, 47047);
	ck_assert_int_eq(s.payload_status, PIA_PAYLOAD_OK);
	ck_assert_ptr_nonnull(strstr(in.body, s.payload));
	ck_assert_ptr_nonnull(strstr(in.body, s.signature));
	pia_signature_clear(&s);
	free((char *)(uintptr_t)in.body);

	in = reply(200, NULL, "getsig-lowport.json");
	ck_assert_int_eq(pia_parse_getsignature(&in, now, &s, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_PROTOCOL);
	ck_assert_int_eq(s.payload_status, PIA_PAYLOAD_LOW_PORT);
	ck_assert_int_eq(s.decoded.port, 80);
	ck_assert_ptr_null(s.payload);
	ck_assert_str_eq(r.message, "getSignature: payload: port 80 is below "
	    "1024");
	free((char *)(uintptr_t)in.body);

	in = reply(200, NULL, "getsig-expired.json");
	ck_assert_int_eq(pia_parse_getsignature(&in, now, &s, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_EXPIRED);
	ck_assert_str_eq(r.message, "getSignature: payload already expired");
	free((char *)(uintptr_t)in.body);

	in = reply(401, NULL, "getsig-unauth.json");
	ck_assert_int_eq(pia_parse_getsignature(&in, now, &s, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_API);
	ck_assert_int_eq(r.http_status, 401);
	ck_assert_str_eq(r.message, "getSignature: Unauthorized client "
	    "(HTTP 401)");
	free((char *)(uintptr_t)in.body);

	in = reply_text(200, "{\"status\":\"OK\",\"payload\":\"!!\","
	    "\"signature\":\"AA==\"}");
	ck_assert_int_eq(pia_parse_getsignature(&in, now, &s, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_PROTOCOL);
	ck_assert_str_eq(r.message, "getSignature: payload: not valid base64");

	/* PIA saying "expired" asks for a new signature, as for bindPort. */
	in = reply_text(400, "{\"status\":\"ERROR\",\"message\":\"token "
	    "expired\"}");
	ck_assert_int_eq(pia_parse_getsignature(&in, now, &s, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_EXPIRED);
	ck_assert_str_eq(r.message, "getSignature: token expired");

	in = reply_text(401, "Unauthorized client\n");
	ck_assert_int_eq(pia_parse_getsignature(&in, now, &s, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_HTTP_STATUS);
	ck_assert_str_eq(r.message, "getSignature: HTTP 401: Unauthorized "
	    "client");

	in = reply_text(200, "{\"status\":\"OK\",\"signature\":\"AA==\"}");
	ck_assert_int_eq(pia_parse_getsignature(&in, now, &s, &r), -1);
	ck_assert_str_eq(r.message, "getSignature: payload or signature "
	    "missing");
}
END_TEST

START_TEST(bindport_replies)
{
	struct pia_reply_in	in;
	struct pia_bind_reply	b;
	struct pia_result	r;

	in = reply(200, NULL, "bindport-ok.json");
	ck_assert_int_eq(pia_parse_bindport(&in, &b, &r), 0);
	ck_assert_str_eq(b.message, "port scheduled for add");
	free((char *)(uintptr_t)in.body);

	in = reply(200, NULL, "bindport-refresh.json");
	ck_assert_int_eq(pia_parse_bindport(&in, &b, &r), 0);
	ck_assert_str_eq(b.message, "timer refreshed");
	free((char *)(uintptr_t)in.body);

	in = reply(409, NULL, "bindport-busy.json");
	ck_assert_int_eq(pia_parse_bindport(&in, &b, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_PORT_BUSY);
	ck_assert_str_eq(r.message, "bindPort: Port 47047 is busy. Please use "
	    "another server");
	free((char *)(uintptr_t)in.body);

	/* Busy said in the body only, in another case. */
	in = reply_text(200, "{\"status\":\"ERROR\",\"message\":\"PORT 5 IS "
	    "BUSY\"}");
	ck_assert_int_eq(pia_parse_bindport(&in, &b, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_PORT_BUSY);

	in = reply_text(400, "{\"status\":\"ERROR\",\"message\":\"payload "
	    "expired\"}");
	ck_assert_int_eq(pia_parse_bindport(&in, &b, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_EXPIRED);
	ck_assert_str_eq(r.message, "bindPort: payload expired");

	in = reply_text(200, "{\"status\":\"ERROR\",\"message\":\"bad\\u0001"
	    "thing\"}");
	ck_assert_int_eq(pia_parse_bindport(&in, &b, &r), -1);
	ck_assert_int_eq(r.err, PIA_ERR_API);
	ck_assert_str_eq(r.message, "bindPort: bad?thing");
}
END_TEST

static Suite *
pia_parse_suite(void)
{
	Suite	*s = suite_create("pia_parse");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, b64_roundtrip);
	tcase_add_test(tc, b64_strict);
	tcase_add_test(tc, payload_good);
	tcase_add_test(tc, payload_errors);
	tcase_add_test(tc, rfc3339);
	tcase_add_test(tc, token_replies);
	tcase_add_test(tc, retry_after);
	tcase_add_test(tc, addkey_replies);
	tcase_add_test(tc, getsignature_replies);
	tcase_add_test(tc, bindport_replies);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(pia_parse_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
