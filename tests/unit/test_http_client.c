/* SPDX-License-Identifier: ISC */
/*
 * The HTTPS client's pieces that need no root and no server: the result
 * names, dial specs and their validation, the SSL_CTX cache and its
 * errors, request validation, and the callback rules (never before the
 * call returns, exactly once, freeing from inside it) against a closed
 * port on loopback.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "pia/dial.h"
#include "pia/https.h"
#include "pia/result.h"
#include "pia/tls.h"

START_TEST(result_names)
{
	struct pia_result r;
	char big[400];

	ck_assert_str_eq(pia_err_name(PIA_OK), "ok");
	ck_assert_str_eq(pia_err_name(PIA_ERR_TLS_VERIFY), "tls_verify");
	ck_assert_str_eq(pia_err_name(PIA_ERR_RATE_LIMITED), "rate_limited");
	ck_assert_str_eq(pia_err_name(PIA_ERR_EXPIRED), "expired");
	ck_assert_str_eq(pia_err_name(PIA_ERR__MAX), "unknown");
	ck_assert_str_eq(pia_err_name((enum pia_err)-1), "unknown");

	pia_result_clear(&r);
	r.http_status = 429;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pia_result_set(&r, PIA_ERR_RATE_LIMITED, "%s", big);
	ck_assert_int_eq(r.err, PIA_ERR_RATE_LIMITED);
	ck_assert_int_eq(r.http_status, 429);
	ck_assert_uint_eq(strlen(r.message), PIA_RESULT_MSG_MAX - 1);
}
END_TEST

START_TEST(dial_specs)
{
	struct dial_spec s;
	char buf[64];

	ck_assert_int_eq(dial_spec_direct(&s, -1, "192.0.2.1", 1337), 0);
	ck_assert_int_eq(s.kind, DIAL_DIRECT);
	dial_addr_str(&s.addr, buf, sizeof(buf));
	ck_assert_str_eq(buf, "192.0.2.1:1337");
	ck_assert_int_eq(dial_spec_direct(&s, -1, "2001:db8::1", 443), 0);
	dial_addr_str(&s.addr, buf, sizeof(buf));
	ck_assert_str_eq(buf, "[2001:db8::1]:443");
	ck_assert_int_eq(dial_spec_direct(&s, -1, "www.example.com", 443),
	    -1);
	ck_assert_int_eq(dial_spec_direct(&s, -1, "192.0.2.300", 443), -1);

	ck_assert_int_eq(dial_spec_proxy(&s, -1, "10.100.0.1", 8888,
	    "www.example.com", 443), 0);
	ck_assert_int_eq(s.kind, DIAL_PROXY);
	ck_assert_str_eq(s.host, "www.example.com");
	ck_assert_uint_eq(s.port, 443);
	/* A CONNECT target must not smuggle a second request line. */
	ck_assert_int_eq(dial_spec_proxy(&s, -1, "10.100.0.1", 8888,
	    "a.example:443 HTTP/1.1\r\nX:", 443), -1);
	ck_assert_int_eq(dial_spec_proxy(&s, -1, "10.100.0.1", 8888,
	    "", 443), -1);
	ck_assert_int_eq(dial_spec_proxy(&s, -1, "10.100.0.1", 8888,
	    "a.example", 0), -1);
}
END_TEST

START_TEST(tls_ctx_cache)
{
	struct pia_result r;
	SSL_CTX *a, *b;
	char path[] = "/tmp/piad-test-ca.XXXXXX";
	int fd;

	pia_result_clear(&r);
	ck_assert_ptr_null(tls_ctx_get("/nonexistent/ca.crt", &r));
	ck_assert_int_eq(r.err, PIA_ERR_TLS_VERIFY);
	ck_assert_str_eq(r.message,
	    "CA file /nonexistent/ca.crt: No such file or directory");

	/* A file that is not a certificate. */
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "not a cert\n", 11), 11);
	close(fd);
	pia_result_clear(&r);
	ck_assert_ptr_null(tls_ctx_get(path, &r));
	ck_assert_int_eq(r.err, PIA_ERR_TLS_VERIFY);
	ck_assert_msg(strncmp(r.message, "CA file ", 8) == 0, "%s",
	    r.message);
	unlink(path);

	/* The PIA CA shipped in data/ loads once and is then shared. */
	a = tls_ctx_get(PIAD_SRCDIR "/data/ca.rsa.4096.crt", &r);
	ck_assert_ptr_nonnull(a);
	b = tls_ctx_get(PIAD_SRCDIR "/data/ca.rsa.4096.crt", &r);
	ck_assert_ptr_eq(a, b);
	ck_assert_ptr_nonnull(tls_ctx_get(NULL, &r));
	tls_ctx_cache_clear();
}
END_TEST

START_TEST(request_validation)
{
	struct event_base *base = event_base_new();
	struct https_target t;
	struct https_request r;
	struct https_conn *c;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(dial_spec_direct(&t.dial, -1, "127.0.0.1", 1), 0);
	ck_assert_ptr_null(https_conn_new(base, &t));	/* no tls_name */
	t.tls_name = "api.test.example";
	c = https_conn_new(base, &t);
	ck_assert_ptr_nonnull(c);

	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.path = "/a b";
	errno = 0;
	ck_assert_int_eq(https_conn_request(c, &r, NULL, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	r.path = "/a\r\nX-Injected: 1";
	ck_assert_int_eq(https_conn_request(c, &r, NULL, NULL), -1);
	r.path = "relative";
	ck_assert_int_eq(https_conn_request(c, &r, NULL, NULL), -1);
	r.path = "/ok";
	r.method = "GE T";
	ck_assert_int_eq(https_conn_request(c, &r, NULL, NULL), -1);
	r.method = "GET";
	r.host = "h\n";
	ck_assert_int_eq(https_conn_request(c, &r, NULL, NULL), -1);
	https_conn_free(c);
	event_base_free(base);
}
END_TEST

struct refused {
	int		 calls;
	bool		 returned;	/* https_conn_request() returned */
	bool		 early;		/* a callback ran before that */
	struct https_conn *conn;
	char		 message[PIA_RESULT_MSG_MAX];
	enum pia_err	 err;
	/* requests to chain from the callback */
	int		 again;
};

static void
refused_cb(struct https_response *resp, void *arg)
{
	struct refused *st = arg;

	st->calls++;
	if (!st->returned)
		st->early = true;
	st->err = resp->res.err;
	snprintf(st->message, sizeof(st->message), "%s", resp->res.message);
	ck_assert_int_eq(resp->status, 0);
	ck_assert_ptr_null(resp->head);
	if (st->again-- > 0) {
		struct https_request r;

		memset(&r, 0, sizeof(r));
		r.method = "GET";
		r.path = "/again?pt=SECRET";
		st->returned = false;
		ck_assert_int_eq(https_conn_request(st->conn, &r, refused_cb,
		    st), 0);
		st->returned = true;
		return;
	}
	/* Freeing from inside the callback is allowed. */
	https_conn_free(st->conn);
}

START_TEST(callback_rules)
{
	struct event_base *base = event_base_new();
	struct https_target t;
	struct https_request r;
	struct refused st;

	memset(&t, 0, sizeof(t));
	memset(&st, 0, sizeof(st));
	/* Port 1 on loopback: nothing listens, the connect is refused. */
	ck_assert_int_eq(dial_spec_direct(&t.dial, -1, "127.0.0.1", 1), 0);
	t.tls_name = "api.test.example";
	st.conn = https_conn_new(base, &t);
	ck_assert_ptr_nonnull(st.conn);
	st.again = 1;

	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.path = "/first?pt=SECRET";
	ck_assert_int_eq(https_conn_request(st.conn, &r, refused_cb, &st), 0);
	st.returned = true;
	/* One at a time. */
	errno = 0;
	ck_assert_int_eq(https_conn_request(st.conn, &r, refused_cb, &st),
	    -1);
	ck_assert_int_eq(errno, EBUSY);
	event_base_dispatch(base);

	ck_assert_int_eq(st.calls, 2);
	ck_assert(!st.early);
	ck_assert_int_eq(st.err, PIA_ERR_NETWORK);
	ck_assert_str_eq(st.message, "GET api.test.example/again: connect to "
	    "127.0.0.1:1: Connection refused");
	ck_assert_ptr_null(strstr(st.message, "SECRET"));
	event_base_free(base);
}
END_TEST

static void
never_cb(struct https_response *resp, void *arg)
{
	ck_abort_msg("callback after https_conn_free");
}

START_TEST(free_before_callback)
{
	struct event_base *base = event_base_new();
	struct https_target t;
	struct https_request r;
	struct https_conn *c;

	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(dial_spec_direct(&t.dial, -1, "127.0.0.1", 1), 0);
	t.tls_name = "api.test.example";
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = "/x";
	r.body = "password=secret";
	r.body_len = 15;
	c = https_fetch(base, &t, &r, never_cb, NULL);
	ck_assert_ptr_nonnull(c);
	https_conn_free(c);
	event_base_dispatch(base);
	event_base_free(base);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("http_client");
	TCase *tc = tcase_create("client");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, result_names);
	tcase_add_test(tc, dial_specs);
	tcase_add_test(tc, tls_ctx_cache);
	tcase_add_test(tc, request_validation);
	tcase_add_test(tc, callback_rules);
	tcase_add_test(tc, free_before_callback);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
