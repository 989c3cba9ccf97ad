/* SPDX-License-Identifier: ISC */
/*
 * HTTP/1.1 message parsing (RFC 9110/9112) for the HTTPS client and the
 * CONNECT proxy. The head is located first (a blank line within
 * HTTP_HEAD_MAX bytes), copied, then split in place into NUL-terminated
 * pieces; the framing decision is made once from the fields. Bodies are
 * decoded straight from the caller's evbuffer. See http.h for the rules on
 * what is rejected and why.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "pia/http.h"

enum body_state {
	BODY_DATA = 0,		/* length/close: copying; chunked: in a chunk */
	BODY_CHUNK_SIZE,	/* expecting a chunk-size line */
	BODY_CHUNK_END,		/* expecting the CRLF after chunk data */
	BODY_TRAILER,		/* reading trailer fields */
	BODY_DONE,
};

static const char *const http_err_strs[] = {
	[HTTP_E_NONE] = "no error",
	[HTTP_E_HEAD_TOO_LARGE] = "message head larger than 8 KiB",
	[HTTP_E_BODY_TOO_LARGE] = "message body larger than 4 MiB",
	[HTTP_E_TOO_MANY_HEADERS] = "more than 100 header fields",
	[HTTP_E_BAD_REQUEST_LINE] = "malformed request line",
	[HTTP_E_BAD_METHOD] = "invalid request method",
	[HTTP_E_BAD_TARGET] = "invalid request target",
	[HTTP_E_BAD_STATUS_LINE] = "malformed status line",
	[HTTP_E_BAD_STATUS_CODE] = "invalid status code",
	[HTTP_E_BAD_VERSION] = "unsupported HTTP version",
	[HTTP_E_BARE_CR] = "bare CR in message head",
	[HTTP_E_FOLDED_HEADER] = "obsolete line folding in header field",
	[HTTP_E_BAD_HEADER_NAME] = "invalid header field name",
	[HTTP_E_NO_COLON] = "header field without colon",
	[HTTP_E_BAD_HEADER_VALUE] = "invalid character in header field value",
	[HTTP_E_BAD_CONTENT_LENGTH] = "invalid Content-Length",
	[HTTP_E_CONFLICTING_CONTENT_LENGTH] =
	    "conflicting Content-Length values",
	[HTTP_E_BAD_TRANSFER_ENCODING] =
	    "unsupported Transfer-Encoding (only chunked)",
	[HTTP_E_LENGTH_AND_CHUNKED] =
	    "both Content-Length and Transfer-Encoding",
	[HTTP_E_BAD_CHUNK_SIZE] = "invalid chunk size line",
	[HTTP_E_BAD_CHUNK_END] = "chunk data not followed by CRLF",
	[HTTP_E_BAD_TRAILER] = "invalid trailer field",
	[HTTP_E_TRAILER_TOO_LARGE] = "trailer section larger than 8 KiB",
	[HTTP_E_TRUNCATED] = "connection closed before the end of the body",
};
_Static_assert(sizeof(http_err_strs) / sizeof(http_err_strs[0]) ==
    HTTP_E__MAX, "http_err_strs must describe every http_err");

const char *
http_err_str(enum http_err err)
{
	if ((unsigned)err >= HTTP_E__MAX)
		return "unknown HTTP parse error";
	return http_err_strs[err];
}

void
http_msg_init(struct http_msg *m, enum http_kind kind)
{
	/* The head copy is overwritten before use; skip clearing 8 KiB. */
	memset(m, 0, offsetof(struct http_msg, head));
	m->kind = kind;
	m->head[0] = '\0';
}

static enum http_parse
http_fail(struct http_msg *m, enum http_err err)
{
	m->err = err;
	return HTTP_ERROR;
}

/* RFC 9110 tchar: the characters of a token. */
static int
is_tchar(unsigned char c)
{
	if (isalnum(c) && c < 0x80)
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Field value characters: VCHAR, obs-text, SP, HTAB. */
static int
is_vchar_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || (c > 0x20 && c != 0x7f);
}

static int
parse_version(struct http_msg *m, const char *v)
{
	if (strncmp(v, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)v[7]) ||
	    v[8] != '\0')
		return -1;
	m->version_minor = v[7] - '0';
	return 0;
}

static enum http_parse
parse_request_line(struct http_msg *m, char *line)
{
	char *sp1, *sp2, *p;

	if ((sp1 = strchr(line, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL ||
	    strchr(sp2 + 1, ' ') != NULL)
		return http_fail(m, HTTP_E_BAD_REQUEST_LINE);
	*sp1 = *sp2 = '\0';
	if (*line == '\0')
		return http_fail(m, HTTP_E_BAD_METHOD);
	for (p = line; *p != '\0'; p++)
		if (!is_tchar((unsigned char)*p))
			return http_fail(m, HTTP_E_BAD_METHOD);
	if (sp1[1] == '\0')
		return http_fail(m, HTTP_E_BAD_TARGET);
	for (p = sp1 + 1; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return http_fail(m, HTTP_E_BAD_TARGET);
	if (parse_version(m, sp2 + 1) == -1)
		return http_fail(m, HTTP_E_BAD_VERSION);
	m->method = line;
	m->target = sp1 + 1;
	return HTTP_DONE;
}

static enum http_parse
parse_status_line(struct http_msg *m, char *line)
{
	char *sp, *p, *reason;
	int code = 0, i;

	if ((sp = strchr(line, ' ')) == NULL)
		return http_fail(m, HTTP_E_BAD_STATUS_LINE);
	*sp = '\0';
	if (strncmp(line, "HTTP/", 5) != 0)
		return http_fail(m, HTTP_E_BAD_STATUS_LINE);
	if (parse_version(m, line) == -1)
		return http_fail(m, HTTP_E_BAD_VERSION);
	p = sp + 1;
	for (i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)p[i]))
			return http_fail(m, HTTP_E_BAD_STATUS_CODE);
		code = code * 10 + (p[i] - '0');
	}
	if (code < 100 || code > 599)
		return http_fail(m, HTTP_E_BAD_STATUS_CODE);
	if (p[3] == ' ')
		reason = p + 4;
	else if (p[3] == '\0')
		reason = p + 3;
	else
		return http_fail(m, HTTP_E_BAD_STATUS_CODE);
	for (p = reason; *p != '\0'; p++)
		if (!is_vchar_ws((unsigned char)*p))
			return http_fail(m, HTTP_E_BAD_STATUS_LINE);
	m->reason = reason;
	m->status = code;
	return HTTP_DONE;
}

/* Split "Name: value" in place; trims the value's OWS. */
static enum http_parse
parse_field(struct http_msg *m, char *line, const char **name,
    const char **value)
{
	char *colon, *p, *end;

	if (*line == ' ' || *line == '\t')
		return http_fail(m, HTTP_E_FOLDED_HEADER);
	if ((colon = strchr(line, ':')) == NULL)
		return http_fail(m, HTTP_E_NO_COLON);
	if (colon == line)
		return http_fail(m, HTTP_E_BAD_HEADER_NAME);
	for (p = line; p < colon; p++)
		if (!is_tchar((unsigned char)*p))
			return http_fail(m, HTTP_E_BAD_HEADER_NAME);
	*colon = '\0';
	p = colon + 1;
	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	for (char *q = p; q < end; q++)
		if (!is_vchar_ws((unsigned char)*q))
			return http_fail(m, HTTP_E_BAD_HEADER_VALUE);
	*name = line;
	*value = p;
	return HTTP_DONE;
}

/*
 * Content-Length may be a list of identical values ("5, 5"), possibly
 * spread over several fields; anything else is an error, because two
 * parties picking different values is how requests get smuggled.
 */
static enum http_parse
parse_content_length(struct http_msg *m, const char *v, bool *seen)
{
	const char *p = v;

	for (;;) {
		uint64_t n = 0;
		int digits = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		while (isdigit((unsigned char)*p)) {
			if (n > (UINT64_MAX - 9) / 10)
				return http_fail(m, HTTP_E_BODY_TOO_LARGE);
			n = n * 10 + (uint64_t)(*p - '0');
			p++;
			digits++;
		}
		if (digits == 0)
			return http_fail(m, HTTP_E_BAD_CONTENT_LENGTH);
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ',' && *p != '\0')
			return http_fail(m, HTTP_E_BAD_CONTENT_LENGTH);
		if (*seen && n != m->content_length)
			return http_fail(m, HTTP_E_CONFLICTING_CONTENT_LENGTH);
		*seen = true;
		m->content_length = n;
		if (*p == '\0')
			break;
		p++;
	}
	return HTTP_DONE;
}

/* Only "chunked" is supported; other codings would need decoding we lack. */
static enum http_parse
parse_transfer_encoding(struct http_msg *m, const char *v, bool *chunked)
{
	if (*chunked || strcasecmp(v, "chunked") != 0)
		return http_fail(m, HTTP_E_BAD_TRANSFER_ENCODING);
	*chunked = true;
	return HTTP_DONE;
}

static enum http_parse
decide_framing(struct http_msg *m)
{
	bool cl = false, chunked = false;
	size_t i;

	for (i = 0; i < m->nheaders; i++) {
		const struct http_header *h = &m->headers[i];

		if (strcasecmp(h->name, "Content-Length") == 0) {
			if (parse_content_length(m, h->value, &cl) != HTTP_DONE)
				return HTTP_ERROR;
		} else if (strcasecmp(h->name, "Transfer-Encoding") == 0) {
			if (parse_transfer_encoding(m, h->value, &chunked) !=
			    HTTP_DONE)
				return HTTP_ERROR;
		}
	}
	if (cl && chunked)
		return http_fail(m, HTTP_E_LENGTH_AND_CHUNKED);
	if (cl && m->content_length > HTTP_BODY_MAX)
		return http_fail(m, HTTP_E_BODY_TOO_LARGE);

	if (m->version_minor >= 1)
		m->keep_alive = !http_header_has_token(m, "Connection",
		    "close");
	else
		m->keep_alive = http_header_has_token(m, "Connection",
		    "keep-alive");

	if (m->kind == HTTP_RESPONSE && (m->no_body ||
	    (m->status >= 100 && m->status < 200) || m->status == 204 ||
	    m->status == 304))
		m->framing = HTTP_BODY_NONE;
	else if (chunked)
		m->framing = HTTP_BODY_CHUNKED;
	else if (cl)
		m->framing = m->content_length > 0 ? HTTP_BODY_LENGTH :
		    HTTP_BODY_NONE;
	else if (m->kind == HTTP_RESPONSE)
		m->framing = HTTP_BODY_CLOSE;
	else
		m->framing = HTTP_BODY_NONE;

	if (m->framing == HTTP_BODY_CLOSE)
		m->keep_alive = false;
	if (m->framing == HTTP_BODY_CHUNKED)
		m->body_state = BODY_CHUNK_SIZE;
	else if (m->framing == HTTP_BODY_NONE)
		m->body_state = BODY_DONE;
	else {
		m->body_state = BODY_DATA;
		m->chunk_left = m->content_length;
	}
	return HTTP_DONE;
}

/* Split the copied head into lines and fields. */
static enum http_parse
parse_head(struct http_msg *m)
{
	char *line = m->head, *nl;
	bool first = true;

	while (*line != '\0') {
		const char **name, **value;
		char *cr;

		if ((nl = strchr(line, '\n')) == NULL)
			break;		/* cannot happen: the head ends in LF */
		*nl = '\0';
		if (nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		if ((cr = strchr(line, '\r')) != NULL)
			return http_fail(m, HTTP_E_BARE_CR);
		if (first) {
			enum http_parse r = m->kind == HTTP_REQUEST ?
			    parse_request_line(m, line) :
			    parse_status_line(m, line);

			if (r != HTTP_DONE)
				return r;
			first = false;
		} else if (*line == '\0') {
			break;		/* the blank line ending the head */
		} else {
			if (m->nheaders == HTTP_HEADERS_MAX)
				return http_fail(m, HTTP_E_TOO_MANY_HEADERS);
			name = &m->headers[m->nheaders].name;
			value = &m->headers[m->nheaders].value;
			if (parse_field(m, line, name, value) != HTTP_DONE)
				return HTTP_ERROR;
			m->nheaders++;
		}
		line = nl + 1;
	}
	return decide_framing(m);
}

enum http_parse
http_head_parse(struct http_msg *m, const char *buf, size_t len, size_t *used)
{
	size_t i, end = 0;
	bool found = false;

	*used = 0;
	if (m->err != HTTP_E_NONE)
		return HTTP_ERROR;
	if (len > HTTP_HEAD_MAX)
		len = HTTP_HEAD_MAX;
	if (len < m->scan_off) {
		/* The caller shows less than before: look again from 0. */
		m->scan_off = 0;
		m->line_start = 0;
	}
	for (i = m->scan_off; i < len; i++) {
		if (buf[i] == '\0')
			return http_fail(m, m->line_start == 0 ?
			    (m->kind == HTTP_REQUEST ?
			    HTTP_E_BAD_REQUEST_LINE : HTTP_E_BAD_STATUS_LINE) :
			    HTTP_E_BAD_HEADER_VALUE);
		if (buf[i] != '\n')
			continue;
		/* A line of nothing (or only CR), not the start line. */
		if (m->line_start != 0 && (i == m->line_start ||
		    (i == m->line_start + 1 && buf[m->line_start] == '\r'))) {
			end = i + 1;
			found = true;
			break;
		}
		m->line_start = i + 1;
	}
	if (!found) {
		m->scan_off = len;
		if (len == HTTP_HEAD_MAX)
			return http_fail(m, HTTP_E_HEAD_TOO_LARGE);
		return HTTP_MORE;
	}
	memcpy(m->head, buf, end);
	m->head[end] = '\0';
	m->head_len = end;
	if (parse_head(m) != HTTP_DONE)
		return HTTP_ERROR;
	m->head_done = true;
	*used = end;
	return HTTP_DONE;
}

enum http_parse
http_head_read(struct http_msg *m, struct evbuffer *in)
{
	size_t len = evbuffer_get_length(in), used;
	const unsigned char *p;
	enum http_parse r;

	if (len > HTTP_HEAD_MAX)
		len = HTTP_HEAD_MAX;
	if (len == 0)
		return m->err != HTTP_E_NONE ? HTTP_ERROR : HTTP_MORE;
	if ((p = evbuffer_pullup(in, (ssize_t)len)) == NULL)
		return HTTP_MORE;
	r = http_head_parse(m, (const char *)p, len, &used);
	if (r == HTTP_DONE)
		evbuffer_drain(in, used);
	return r;
}

/*
 * Copy out one line (without its LF or CRLF) of at most `max` bytes.
 * Returns 1 with the line, 0 if it is not complete yet, -1 if too long.
 */
static int
read_line(struct evbuffer *in, char *line, size_t max, size_t *linelen)
{
	struct evbuffer_ptr pos;
	size_t eol_len = 0;

	pos = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
	if (pos.pos < 0)
		return evbuffer_get_length(in) > max ? -1 : 0;
	if ((size_t)pos.pos > max)
		return -1;
	evbuffer_remove(in, line, (size_t)pos.pos);
	evbuffer_drain(in, eol_len);
	if (pos.pos > 0 && line[pos.pos - 1] == '\r')
		pos.pos--;
	line[pos.pos] = '\0';
	*linelen = (size_t)pos.pos;
	return 1;
}

static enum http_parse
parse_chunk_size(struct http_msg *m, const char *line)
{
	const char *p = line;
	uint64_t n = 0;
	int digits = 0;

	while (isxdigit((unsigned char)*p)) {
		int d = isdigit((unsigned char)*p) ? *p - '0' :
		    tolower((unsigned char)*p) - 'a' + 10;

		if (n > HTTP_BODY_MAX)
			return http_fail(m, HTTP_E_BODY_TOO_LARGE);
		n = n * 16 + (uint64_t)d;
		p++;
		digits++;
	}
	if (digits == 0)
		return http_fail(m, HTTP_E_BAD_CHUNK_SIZE);
	while (*p == ' ' || *p == '\t')
		p++;
	/* Extensions are ignored, but must be printable. */
	if (*p != '\0' && *p != ';')
		return http_fail(m, HTTP_E_BAD_CHUNK_SIZE);
	for (; *p != '\0'; p++)
		if (!is_vchar_ws((unsigned char)*p))
			return http_fail(m, HTTP_E_BAD_CHUNK_SIZE);
	if (n > HTTP_BODY_MAX || m->body_len + n > HTTP_BODY_MAX)
		return http_fail(m, HTTP_E_BODY_TOO_LARGE);
	m->chunk_left = n;
	m->body_state = n == 0 ? BODY_TRAILER : BODY_DATA;
	return HTTP_DONE;
}

/* Move up to `n` bytes of body from in to out (or drop them). */
static size_t
move_body(struct evbuffer *in, struct evbuffer *out, uint64_t n)
{
	size_t avail = evbuffer_get_length(in), k;

	k = n < avail ? (size_t)n : avail;
	if (k == 0)
		return 0;
	if (out != NULL)
		evbuffer_remove_buffer(in, out, k);
	else
		evbuffer_drain(in, k);
	return k;
}

static enum http_parse
body_chunked(struct http_msg *m, struct evbuffer *in, struct evbuffer *out)
{
	char line[HTTP_HEAD_MAX + 1];
	size_t len;
	int r;

	for (;;) {
		switch (m->body_state) {
		case BODY_CHUNK_SIZE:
			r = read_line(in, line, HTTP_CHUNK_LINE_MAX, &len);
			if (r < 0)
				return http_fail(m, HTTP_E_BAD_CHUNK_SIZE);
			if (r == 0)
				return HTTP_MORE;
			if (parse_chunk_size(m, line) != HTTP_DONE)
				return HTTP_ERROR;
			break;
		case BODY_DATA: {
			size_t k = move_body(in, out, m->chunk_left);

			m->chunk_left -= k;
			m->body_len += k;
			if (m->chunk_left > 0)
				return HTTP_MORE;
			m->body_state = BODY_CHUNK_END;
			break;
		}
		case BODY_CHUNK_END:
			r = read_line(in, line, 1, &len);
			if (r < 0 || (r == 1 && len != 0))
				return http_fail(m, HTTP_E_BAD_CHUNK_END);
			if (r == 0)
				return HTTP_MORE;
			m->body_state = BODY_CHUNK_SIZE;
			break;
		case BODY_TRAILER: {
			const char *name, *value;
			size_t left = HTTP_HEAD_MAX - m->trailer_len;

			r = read_line(in, line, left, &len);
			if (r < 0)
				return http_fail(m, HTTP_E_TRAILER_TOO_LARGE);
			if (r == 0)
				return HTTP_MORE;
			m->trailer_len += len + 2;
			if (len == 0) {
				m->body_state = BODY_DONE;
				return HTTP_DONE;
			}
			/* Trailers are checked but not kept. */
			if (memchr(line, '\0', len) != NULL ||
			    strchr(line, '\r') != NULL ||
			    parse_field(m, line, &name, &value) != HTTP_DONE) {
				m->err = HTTP_E_BAD_TRAILER;
				return HTTP_ERROR;
			}
			break;
		}
		default:
			return HTTP_DONE;
		}
	}
}

enum http_parse
http_body_read(struct http_msg *m, struct evbuffer *in, struct evbuffer *out)
{
	size_t k;

	if (m->err != HTTP_E_NONE)
		return HTTP_ERROR;
	if (m->body_state == BODY_DONE)
		return HTTP_DONE;
	switch (m->framing) {
	case HTTP_BODY_NONE:
		return HTTP_DONE;
	case HTTP_BODY_LENGTH:
		k = move_body(in, out, m->chunk_left);
		m->chunk_left -= k;
		m->body_len += k;
		if (m->chunk_left > 0)
			return HTTP_MORE;
		m->body_state = BODY_DONE;
		return HTTP_DONE;
	case HTTP_BODY_CLOSE:
		if (m->body_len + evbuffer_get_length(in) > HTTP_BODY_MAX)
			return http_fail(m, HTTP_E_BODY_TOO_LARGE);
		m->body_len += move_body(in, out, evbuffer_get_length(in));
		return HTTP_MORE;
	case HTTP_BODY_CHUNKED:
		return body_chunked(m, in, out);
	}
	return http_fail(m, HTTP_E_TRUNCATED);
}

enum http_parse
http_body_eof(struct http_msg *m)
{
	if (m->err != HTTP_E_NONE)
		return HTTP_ERROR;
	if (m->head_done && (m->body_state == BODY_DONE ||
	    m->framing == HTTP_BODY_CLOSE)) {
		m->body_state = BODY_DONE;
		return HTTP_DONE;
	}
	return http_fail(m, HTTP_E_TRUNCATED);
}

bool
http_body_done(const struct http_msg *m)
{
	return m->head_done && m->body_state == BODY_DONE;
}

const char *
http_header_get(const struct http_msg *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nheaders; i++)
		if (strcasecmp(m->headers[i].name, name) == 0)
			return m->headers[i].value;
	return NULL;
}

bool
http_header_has_token(const struct http_msg *m, const char *name,
    const char *token)
{
	size_t i, tlen = strlen(token);

	for (i = 0; i < m->nheaders; i++) {
		const char *p;

		if (strcasecmp(m->headers[i].name, name) != 0)
			continue;
		p = m->headers[i].value;
		while (*p != '\0') {
			const char *e;
			size_t n;

			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			e = p;
			while (*e != '\0' && *e != ',')
				e++;
			n = (size_t)(e - p);
			while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
				n--;
			if (n == tlen && n > 0 && strncasecmp(p, token, n) == 0)
				return true;
			p = e;
		}
	}
	return false;
}

int
http_split_authority(const char *authority, char *host, size_t hostsz,
    uint16_t *port)
{
	const char *colon, *hstart, *hend, *p;
	unsigned long n = 0;
	size_t hlen;

	if (authority[0] == '[') {
		hstart = authority + 1;
		if ((hend = strchr(hstart, ']')) == NULL || hend[1] != ':')
			return -1;
		colon = hend + 1;
	} else {
		hstart = authority;
		if ((colon = strrchr(authority, ':')) == NULL ||
		    memchr(authority, ':', (size_t)(colon - authority)) != NULL)
			return -1;
		hend = colon;
	}
	hlen = (size_t)(hend - hstart);
	if (hlen == 0 || hlen >= hostsz)
		return -1;
	for (p = hstart; p < hend; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '/' || *p == '@' || *p == '[' || *p == ']')
			return -1;
	p = colon + 1;
	if (*p == '\0' || strlen(p) > 5)
		return -1;
	for (; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	if (n == 0 || n > 65535)
		return -1;
	memcpy(host, hstart, hlen);
	host[hlen] = '\0';
	*port = (uint16_t)n;
	return 0;
}
