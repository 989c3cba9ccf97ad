/* SPDX-License-Identifier: ISC */
/*
 * The HTTP/1.1 parser on every message shape the client and the proxy can
 * meet: good and bad start lines, fields, framing decisions, chunked bodies
 * with extensions and trailers, the size limits, truncation, and bytes
 * arriving split at every possible position.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "pia/http.h"

static struct http_msg *
new_msg(enum http_kind kind)
{
	struct http_msg *m = malloc(sizeof(*m));

	ck_assert_ptr_nonnull(m);
	http_msg_init(m, kind);
	return m;
}

/* Parse a complete head from a string; returns the result, *m kept. */
static enum http_parse
parse_str(struct http_msg *m, const char *s)
{
	size_t used;

	return http_head_parse(m, s, strlen(s), &used);
}

/* Head then body from one buffer; body text into *body (malloc'd). */
static enum http_parse
parse_all(struct http_msg *m, const char *s, size_t len, char **body,
    int eof)
{
	struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
	enum http_parse r;
	size_t n;

	evbuffer_add(in, s, len);
	r = http_head_read(m, in);
	if (r == HTTP_DONE) {
		r = http_body_read(m, in, out);
		if (r == HTTP_MORE && eof)
			r = http_body_eof(m);
	}
	n = evbuffer_get_length(out);
	*body = malloc(n + 1);
	evbuffer_remove(out, *body, n);
	(*body)[n] = '\0';
	evbuffer_free(in);
	evbuffer_free(out);
	return r;
}

START_TEST(request_line)
{
	struct http_msg *m = new_msg(HTTP_REQUEST);
	const char *s = "CONNECT www.example.com:443 HTTP/1.1\r\n"
	    "Host: www.example.com:443\r\n"
	    "Proxy-Connection:keep-alive  \r\n\r\nextra";
	size_t used;

	ck_assert_int_eq(http_head_parse(m, s, strlen(s), &used), HTTP_DONE);
	ck_assert_uint_eq(used, strlen(s) - strlen("extra"));
	ck_assert_str_eq(m->method, "CONNECT");
	ck_assert_str_eq(m->target, "www.example.com:443");
	ck_assert_int_eq(m->version_minor, 1);
	ck_assert_uint_eq(m->nheaders, 2);
	ck_assert_str_eq(http_header_get(m, "host"), "www.example.com:443");
	ck_assert_str_eq(http_header_get(m, "PROXY-CONNECTION"),
	    "keep-alive");
	ck_assert_ptr_null(http_header_get(m, "Content-Length"));
	ck_assert_int_eq(m->framing, HTTP_BODY_NONE);
	ck_assert(m->keep_alive);
	ck_assert(http_body_done(m));
	free(m);
}
END_TEST

START_TEST(status_line)
{
	struct http_msg *m = new_msg(HTTP_RESPONSE);

	ck_assert_int_eq(parse_str(m, "HTTP/1.0 200 Connection established"
	    "\r\n\r\n"), HTTP_DONE);
	ck_assert_int_eq(m->status, 200);
	ck_assert_str_eq(m->reason, "Connection established");
	ck_assert_int_eq(m->version_minor, 0);
	ck_assert(!m->keep_alive);
	ck_assert_int_eq(m->framing, HTTP_BODY_CLOSE);

	/* LF-only lines and a missing reason are accepted. */
	http_msg_init(m, HTTP_RESPONSE);
	ck_assert_int_eq(parse_str(m, "HTTP/1.1 204\nServer: x\n\n"),
	    HTTP_DONE);
	ck_assert_int_eq(m->status, 204);
	ck_assert_str_eq(m->reason, "");
	ck_assert_int_eq(m->framing, HTTP_BODY_NONE);
	ck_assert_str_eq(http_header_get(m, "server"), "x");

	/* The answer to a CONNECT has no body even without a length. */
	http_msg_init(m, HTTP_RESPONSE);
	m->no_body = true;
	ck_assert_int_eq(parse_str(m, "HTTP/1.1 200 OK\r\n\r\n"), HTTP_DONE);
	ck_assert_int_eq(m->framing, HTTP_BODY_NONE);
	free(m);
}
END_TEST

struct bad_case {
	enum http_kind	 kind;
	const char	*text;
	enum http_err	 err;
};

static const struct bad_case bad_heads[] = {
	{ HTTP_REQUEST, "GET /\r\n\r\n", HTTP_E_BAD_REQUEST_LINE },
	{ HTTP_REQUEST, "GET  / HTTP/1.1\r\n\r\n", HTTP_E_BAD_REQUEST_LINE },
	{ HTTP_REQUEST, "G(T / HTTP/1.1\r\n\r\n", HTTP_E_BAD_METHOD },
	{ HTTP_REQUEST, "GET /\x7f HTTP/1.1\r\n\r\n", HTTP_E_BAD_TARGET },
	{ HTTP_REQUEST, "GET / HTTP/2.0\r\n\r\n", HTTP_E_BAD_VERSION },
	{ HTTP_REQUEST, "GET / HTTP/1.1 \r\n\r\n", HTTP_E_BAD_REQUEST_LINE },
	{ HTTP_RESPONSE, "HTTP/1.1 99 Low\r\n\r\n", HTTP_E_BAD_STATUS_CODE },
	{ HTTP_RESPONSE, "HTTP/1.1 600 High\r\n\r\n", HTTP_E_BAD_STATUS_CODE },
	{ HTTP_RESPONSE, "HTTP/1.1 2000 OK\r\n\r\n", HTTP_E_BAD_STATUS_CODE },
	{ HTTP_RESPONSE, "HTTP/1.1\r\n\r\n", HTTP_E_BAD_STATUS_LINE },
	{ HTTP_RESPONSE, "ICY 200 OK\r\n\r\n", HTTP_E_BAD_STATUS_LINE },
	{ HTTP_RESPONSE, "HTTP/3.0 200 OK\r\n\r\n", HTTP_E_BAD_VERSION },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n",
	    HTTP_E_BARE_CR },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n",
	    HTTP_E_FOLDED_HEADER },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nA : b\r\n\r\n",
	    HTTP_E_BAD_HEADER_NAME },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\n: b\r\n\r\n",
	    HTTP_E_BAD_HEADER_NAME },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nAb\r\n\r\n", HTTP_E_NO_COLON },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nA: b\x01\r\n\r\n",
	    HTTP_E_BAD_HEADER_VALUE },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
	    HTTP_E_BAD_CONTENT_LENGTH },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
	    HTTP_E_BAD_CONTENT_LENGTH },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
	    HTTP_E_BAD_CONTENT_LENGTH },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Content-Length: 6\r\n\r\n", HTTP_E_CONFLICTING_CONTENT_LENGTH },
	{ HTTP_REQUEST, "POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n",
	    HTTP_E_CONFLICTING_CONTENT_LENGTH },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nContent-Length: 4194305\r\n\r\n",
	    HTTP_E_BODY_TOO_LARGE },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 99999999999999999999999\r\n\r\n",
	    HTTP_E_BODY_TOO_LARGE },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, "
	    "chunked\r\n\r\n", HTTP_E_BAD_TRANSFER_ENCODING },
	{ HTTP_RESPONSE, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n",
	    HTTP_E_BAD_TRANSFER_ENCODING },
	{ HTTP_REQUEST, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: 3\r\n\r\n", HTTP_E_LENGTH_AND_CHUNKED },
};

START_TEST(bad_head)
{
	const struct bad_case *c = &bad_heads[_i];
	struct http_msg *m = new_msg(c->kind);
	size_t len = strlen(c->text), used;

	ck_assert_int_eq(http_head_parse(m, c->text, len, &used), HTTP_ERROR);
	ck_assert_msg(m->err == c->err, "case %d: got '%s', want '%s'", _i,
	    http_err_str(m->err), http_err_str(c->err));
	ck_assert_uint_eq(used, 0);
	/* An error sticks. */
	ck_assert_int_eq(http_head_parse(m, c->text, len, &used), HTTP_ERROR);
	free(m);
}
END_TEST

START_TEST(nul_bytes)
{
	static const char in_value[] = "GET / HTTP/1.1\r\nA: \0b\r\n\r\n";
	static const char in_line[] = "GET /\0 HTTP/1.1\r\n\r\n";
	struct http_msg *m = new_msg(HTTP_REQUEST);
	size_t used;

	ck_assert_int_eq(http_head_parse(m, in_value, sizeof(in_value) - 1,
	    &used), HTTP_ERROR);
	ck_assert_int_eq(m->err, HTTP_E_BAD_HEADER_VALUE);
	http_msg_init(m, HTTP_REQUEST);
	ck_assert_int_eq(http_head_parse(m, in_line, sizeof(in_line) - 1,
	    &used), HTTP_ERROR);
	ck_assert_int_eq(m->err, HTTP_E_BAD_REQUEST_LINE);
	free(m);
}
END_TEST

START_TEST(error_messages)
{
	ck_assert_str_eq(http_err_str(HTTP_E_HEAD_TOO_LARGE),
	    "message head larger than 8 KiB");
	ck_assert_str_eq(http_err_str(HTTP_E_BODY_TOO_LARGE),
	    "message body larger than 4 MiB");
	ck_assert_str_eq(http_err_str(HTTP_E_CONFLICTING_CONTENT_LENGTH),
	    "conflicting Content-Length values");
	ck_assert_str_eq(http_err_str(HTTP_E_TRUNCATED),
	    "connection closed before the end of the body");
	ck_assert_str_eq(http_err_str(HTTP_E__MAX),
	    "unknown HTTP parse error");
}
END_TEST

START_TEST(head_too_large)
{
	struct http_msg *m = new_msg(HTTP_REQUEST);
	struct evbuffer *in = evbuffer_new();
	const char *start = "GET / HTTP/1.1\r\n";
	char field[64];
	int i;

	evbuffer_add(in, start, strlen(start));
	for (i = 0; evbuffer_get_length(in) < HTTP_HEAD_MAX - 40; i++) {
		snprintf(field, sizeof(field), "X-%d: %040d\r\n", i, i);
		evbuffer_add(in, field, strlen(field));
		ck_assert_int_eq(http_head_read(m, in), HTTP_MORE);
	}
	/* Fill up to exactly the limit without a blank line. */
	while (evbuffer_get_length(in) < HTTP_HEAD_MAX)
		evbuffer_add(in, "x", 1);
	ck_assert_int_eq(http_head_read(m, in), HTTP_ERROR);
	ck_assert_int_eq(m->err, HTTP_E_HEAD_TOO_LARGE);
	ck_assert_str_eq(http_err_str(m->err),
	    "message head larger than 8 KiB");
	evbuffer_free(in);
	free(m);
}
END_TEST

START_TEST(head_at_limit)
{
	struct http_msg *m = new_msg(HTTP_RESPONSE);
	char *buf = malloc(HTTP_HEAD_MAX + 1);
	size_t n, used;

	/* A head of exactly 8 KiB fits; one byte more does not. */
	n = (size_t)snprintf(buf, HTTP_HEAD_MAX, "HTTP/1.1 200 OK\r\nX: ");
	memset(buf + n, 'a', HTTP_HEAD_MAX - n - 4);
	memcpy(buf + HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
	ck_assert_int_eq(http_head_parse(m, buf, HTTP_HEAD_MAX, &used),
	    HTTP_DONE);
	ck_assert_uint_eq(used, HTTP_HEAD_MAX);

	http_msg_init(m, HTTP_RESPONSE);
	memset(buf + n, 'a', HTTP_HEAD_MAX - n - 3);
	memcpy(buf + HTTP_HEAD_MAX - 3, "\r\n\r\n", 4);
	ck_assert_int_eq(http_head_parse(m, buf, HTTP_HEAD_MAX + 1, &used),
	    HTTP_ERROR);
	ck_assert_int_eq(m->err, HTTP_E_HEAD_TOO_LARGE);
	free(buf);
	free(m);
}
END_TEST

START_TEST(too_many_headers)
{
	struct http_msg *m = new_msg(HTTP_REQUEST);
	char buf[HTTP_HEAD_MAX];
	size_t n = 0;
	int i;

	n += (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\n");
	for (i = 0; i <= HTTP_HEADERS_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "A%d: b\r\n",
		    i);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\n");
	ck_assert_int_eq(parse_str(m, buf), HTTP_ERROR);
	ck_assert_int_eq(m->err, HTTP_E_TOO_MANY_HEADERS);
	free(m);
}
END_TEST

START_TEST(content_length_body)
{
	struct http_msg *m = new_msg(HTTP_RESPONSE);
	const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Content-Length: 5\r\n\r\nhelloNEXT";
	struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();

	evbuffer_add(in, s, strlen(s));
	ck_assert_int_eq(http_head_read(m, in), HTTP_DONE);
	ck_assert_int_eq(m->framing, HTTP_BODY_LENGTH);
	ck_assert_uint_eq(m->content_length, 5);
	ck_assert(m->keep_alive);
	ck_assert_int_eq(http_body_read(m, in, out), HTTP_DONE);
	ck_assert_uint_eq(evbuffer_get_length(out), 5);
	ck_assert(memcmp(evbuffer_pullup(out, 5), "hello", 5) == 0);
	/* The pipelined rest stays. */
	ck_assert_uint_eq(evbuffer_get_length(in), 4);
	ck_assert(http_body_done(m));
	evbuffer_free(in);
	evbuffer_free(out);
	free(m);
}
END_TEST

START_TEST(truncated_bodies)
{
	struct http_msg *m = new_msg(HTTP_RESPONSE);
	char *body;

	ck_assert_int_eq(parse_all(m, "HTTP/1.1 200 OK\r\nContent-Length: 10"
	    "\r\n\r\nshort", 44, &body, 1), HTTP_ERROR);
	ck_assert_int_eq(m->err, HTTP_E_TRUNCATED);
	ck_assert_str_eq(body, "short");
	free(body);

	http_msg_init(m, HTTP_RESPONSE);
	ck_assert_int_eq(parse_all(m, "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n5\r\nhel", 54, &body, 1), HTTP_ERROR);
	ck_assert_int_eq(m->err, HTTP_E_TRUNCATED);
	free(body);

	/* EOF before the head is even complete. */
	http_msg_init(m, HTTP_RESPONSE);
	ck_assert_int_eq(http_body_eof(m), HTTP_ERROR);
	ck_assert_int_eq(m->err, HTTP_E_TRUNCATED);
	free(m);
}
END_TEST

START_TEST(close_delimited)
{
	struct http_msg *m = new_msg(HTTP_RESPONSE);
	const char *s = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it";
	char *body;

	ck_assert_int_eq(parse_all(m, s, strlen(s), &body, 1), HTTP_DONE);
	ck_assert_int_eq(m->framing, HTTP_BODY_CLOSE);
	ck_assert(!m->keep_alive);
	ck_assert_str_eq(body, "all of it");
	free(body);
	free(m);
}
END_TEST

static const char chunked_msg[] =
    "HTTP/1.1 200 OK\r\n"
    "Transfer-Encoding: Chunked\r\n"
    "\r\n"
    "5;name=value;flag\r\n"
    "hello\r\n"
    "1\r\n"
    " \r\n"
    "A \r\n"
    "0123456789\r\n"
    "0\r\n"
    "Expires: never\r\n"
    "X-Trailer: yes\r\n"
    "\r\n";

START_TEST(chunked_body)
{
	struct http_msg *m = new_msg(HTTP_RESPONSE);
	char *body;

	ck_assert_int_eq(parse_all(m, chunked_msg, strlen(chunked_msg), &body,
	    0), HTTP_DONE);
	ck_assert_int_eq(m->framing, HTTP_BODY_CHUNKED);
	ck_assert_str_eq(body, "hello 0123456789");
	ck_assert_uint_eq(m->body_len, 16);
	ck_assert(http_body_done(m));
	free(body);
	free(m);
}
END_TEST

static const struct bad_case bad_chunks[] = {
	{ HTTP_RESPONSE, "x\r\n", HTTP_E_BAD_CHUNK_SIZE },
	{ HTTP_RESPONSE, "\r\n", HTTP_E_BAD_CHUNK_SIZE },
	{ HTTP_RESPONSE, "5 x\r\nhello\r\n", HTTP_E_BAD_CHUNK_SIZE },
	{ HTTP_RESPONSE, "5;a\x01\r\nhello\r\n", HTTP_E_BAD_CHUNK_SIZE },
	{ HTTP_RESPONSE, "5\r\nhelloX\r\n", HTTP_E_BAD_CHUNK_END },
	{ HTTP_RESPONSE, "400001\r\n", HTTP_E_BODY_TOO_LARGE },
	{ HTTP_RESPONSE, "ffffffffffffffffffff\r\n", HTTP_E_BODY_TOO_LARGE },
	{ HTTP_RESPONSE, "0\r\nbad trailer\r\n\r\n", HTTP_E_BAD_TRAILER },
	{ HTTP_RESPONSE, "0\r\n folded: x\r\n\r\n", HTTP_E_BAD_TRAILER },
};

START_TEST(bad_chunk)
{
	const struct bad_case *c = &bad_chunks[_i];
	struct http_msg *m = new_msg(c->kind);
	char buf[256];
	char *body;
	int n;

	n = snprintf(buf, sizeof(buf), "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n%s", c->text);
	ck_assert_int_eq(parse_all(m, buf, (size_t)n, &body, 0), HTTP_ERROR);
	ck_assert_msg(m->err == c->err, "case %d: got '%s', want '%s'", _i,
	    http_err_str(m->err), http_err_str(c->err));
	free(body);
	free(m);
}
END_TEST

START_TEST(chunk_size_line_too_long)
{
	struct http_msg *m = new_msg(HTTP_RESPONSE);
	struct evbuffer *in = evbuffer_new();
	const char *h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	char ext[HTTP_CHUNK_LINE_MAX + 10];

	evbuffer_add(in, h, strlen(h));
	ck_assert_int_eq(http_head_read(m, in), HTTP_DONE);
	memset(ext, 'e', sizeof(ext));
	ext[0] = '1';
	ext[1] = ';';
	evbuffer_add(in, ext, sizeof(ext));
	ck_assert_int_eq(http_body_read(m, in, NULL), HTTP_ERROR);
	ck_assert_int_eq(m->err, HTTP_E_BAD_CHUNK_SIZE);
	evbuffer_free(in);
	free(m);
}
END_TEST

START_TEST(body_too_large)
{
	struct http_msg *m = new_msg(HTTP_RESPONSE);
	struct evbuffer *in = evbuffer_new();
	const char *h = "HTTP/1.1 200 OK\r\n\r\n";
	static char block[64 * 1024];
	enum http_parse r = HTTP_MORE;
	size_t total = 0;

	/* A close-delimited body is cut off at 4 MiB too. */
	evbuffer_add(in, h, strlen(h));
	ck_assert_int_eq(http_head_read(m, in), HTTP_DONE);
	while (r == HTTP_MORE && total <= HTTP_BODY_MAX) {
		evbuffer_add(in, block, sizeof(block));
		total += sizeof(block);
		r = http_body_read(m, in, NULL);
	}
	ck_assert_int_eq(r, HTTP_ERROR);
	ck_assert_int_eq(m->err, HTTP_E_BODY_TOO_LARGE);
	ck_assert_uint_eq(m->body_len, HTTP_BODY_MAX);

	/* So is a chunked one made of many acceptable chunks. */
	http_msg_init(m, HTTP_RESPONSE);
	evbuffer_drain(in, evbuffer_get_length(in));
	h = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
	evbuffer_add(in, h, strlen(h));
	ck_assert_int_eq(http_head_read(m, in), HTTP_DONE);
	r = HTTP_MORE;
	total = 0;
	while (r == HTTP_MORE && total <= HTTP_BODY_MAX) {
		evbuffer_add_printf(in, "%zx\r\n", sizeof(block));
		evbuffer_add(in, block, sizeof(block));
		evbuffer_add(in, "\r\n", 2);
		total += sizeof(block);
		r = http_body_read(m, in, NULL);
	}
	ck_assert_int_eq(r, HTTP_ERROR);
	ck_assert_int_eq(m->err, HTTP_E_BODY_TOO_LARGE);
	evbuffer_free(in);
	free(m);
}
END_TEST

/*
 * Deliver a message in two pieces split at every position, and byte by
 * byte: the result must not depend on how the bytes arrived.
 */
static void
check_split(enum http_kind kind, const char *s, size_t len,
    const char *want_body)
{
	size_t split;

	for (split = 0; split <= len + 1; split++) {
		struct http_msg *m = new_msg(kind);
		struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
		enum http_parse r = HTTP_MORE;
		size_t fed = 0, step;
		char *got;

		while (fed < len) {
			/* split == len + 1 means one byte at a time. */
			step = split == len + 1 ? 1 :
			    fed < split ? split - fed : len - fed;
			evbuffer_add(in, s + fed, step);
			fed += step;
			if (!m->head_done) {
				r = http_head_read(m, in);
				if (r != HTTP_DONE) {
					ck_assert_int_eq(r, HTTP_MORE);
					continue;
				}
			}
			r = http_body_read(m, in, out);
			ck_assert_msg(r != HTTP_ERROR, "split %zu: %s", split,
			    http_err_str(m->err));
			if (r == HTTP_DONE)
				ck_assert_uint_eq(fed, len);
		}
		if (r == HTTP_MORE && kind == HTTP_RESPONSE)
			r = http_body_eof(m);
		ck_assert_msg(r == HTTP_DONE, "split %zu: %d %s", split, r,
		    http_err_str(m->err));
		got = (char *)evbuffer_pullup(out, -1);
		ck_assert_uint_eq(evbuffer_get_length(out), strlen(want_body));
		ck_assert(strlen(want_body) == 0 ||
		    memcmp(got, want_body, strlen(want_body)) == 0);
		evbuffer_free(in);
		evbuffer_free(out);
		free(m);
	}
}

START_TEST(split_everywhere)
{
	const char *cl = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n"
	    "Content-Type: text/plain\r\n\r\nhello world";
	const char *close = "HTTP/1.1 200 OK\nServer: t\n\nuntil the end";

	const char *post = "POST /api/client/v2/token HTTP/1.1\r\n"
	    "Host: www.example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "8\r\nusername\r\n3;x\r\n=p1\r\n0\r\n\r\n";
	const char *connect = "CONNECT 192.0.2.1:1337 HTTP/1.1\r\n"
	    "Host: 192.0.2.1:1337\r\n\r\n";

	check_split(HTTP_RESPONSE, chunked_msg, strlen(chunked_msg),
	    "hello 0123456789");
	check_split(HTTP_RESPONSE, cl, strlen(cl), "hello world");
	check_split(HTTP_RESPONSE, close, strlen(close), "until the end");
	check_split(HTTP_REQUEST, post, strlen(post), "username=p1");
	check_split(HTTP_REQUEST, connect, strlen(connect), "");
}
END_TEST

START_TEST(shrinking_view)
{
	struct http_msg *m = new_msg(HTTP_REQUEST);
	const char *s = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	size_t used;

	/* A caller that shows fewer bytes than last time is not misread. */
	ck_assert_int_eq(http_head_parse(m, s, 20, &used), HTTP_MORE);
	ck_assert_int_eq(http_head_parse(m, s, 10, &used), HTTP_MORE);
	ck_assert_int_eq(http_head_parse(m, s, strlen(s), &used), HTTP_DONE);
	ck_assert_uint_eq(used, strlen(s));
	ck_assert_str_eq(http_header_get(m, "host"), "a");
	free(m);
}
END_TEST

START_TEST(tokens_and_authority)
{
	struct http_msg *m = new_msg(HTTP_RESPONSE);
	char host[64];
	uint16_t port;

	ck_assert_int_eq(parse_str(m, "HTTP/1.1 200 OK\r\n"
	    "Connection: Upgrade ,  CLOSE\r\nContent-Length: 0\r\n\r\n"),
	    HTTP_DONE);
	ck_assert(http_header_has_token(m, "connection", "close"));
	ck_assert(http_header_has_token(m, "connection", "upgrade"));
	ck_assert(!http_header_has_token(m, "connection", "clos"));
	ck_assert(!m->keep_alive);
	ck_assert_int_eq(m->framing, HTTP_BODY_NONE);

	ck_assert_int_eq(http_split_authority("www.example.com:443", host,
	    sizeof(host), &port), 0);
	ck_assert_str_eq(host, "www.example.com");
	ck_assert_uint_eq(port, 443);
	ck_assert_int_eq(http_split_authority("[2001:db8::1]:1337", host,
	    sizeof(host), &port), 0);
	ck_assert_str_eq(host, "2001:db8::1");
	ck_assert_uint_eq(port, 1337);
	ck_assert_int_eq(http_split_authority("192.0.2.1:0", host,
	    sizeof(host), &port), -1);
	ck_assert_int_eq(http_split_authority("192.0.2.1:65536", host,
	    sizeof(host), &port), -1);
	ck_assert_int_eq(http_split_authority("192.0.2.1", host,
	    sizeof(host), &port), -1);
	ck_assert_int_eq(http_split_authority(":443", host,
	    sizeof(host), &port), -1);
	ck_assert_int_eq(http_split_authority("a:b:443", host,
	    sizeof(host), &port), -1);
	ck_assert_int_eq(http_split_authority("user@host:443", host,
	    sizeof(host), &port), -1);
	ck_assert_int_eq(http_split_authority("host:44x", host,
	    sizeof(host), &port), -1);
	free(m);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("parser");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, request_line);
	tcase_add_test(tc, status_line);
	tcase_add_loop_test(tc, bad_head, 0,
	    sizeof(bad_heads) / sizeof(bad_heads[0]));
	tcase_add_test(tc, nul_bytes);
	tcase_add_test(tc, error_messages);
	tcase_add_test(tc, head_too_large);
	tcase_add_test(tc, head_at_limit);
	tcase_add_test(tc, too_many_headers);
	tcase_add_test(tc, content_length_body);
	tcase_add_test(tc, truncated_bodies);
	tcase_add_test(tc, close_delimited);
	tcase_add_test(tc, chunked_body);
	tcase_add_loop_test(tc, bad_chunk, 0,
	    sizeof(bad_chunks) / sizeof(bad_chunks[0]));
	tcase_add_test(tc, chunk_size_line_too_long);
	tcase_add_test(tc, body_too_large);
	tcase_add_test(tc, split_everywhere);
	tcase_add_test(tc, shrinking_view);
	tcase_add_test(tc, tokens_and_authority);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
