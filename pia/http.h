/* SPDX-License-Identifier: ISC */
/*
 * One HTTP/1.1 message parser for both sides of piad: the HTTPS client
 * reads PIA's responses with it and the CONNECT proxy reads its clients'
 * request heads with it. It is incremental: feed it whatever has arrived so
 * far and it answers "need more", "done" or a precise error; nothing is
 * consumed from the input until the whole head is there. Hard limits keep a
 * hostile peer from making it buffer much: an 8 KiB head, a 4 MiB body.
 *
 * It is strict where laxness enables request smuggling or confusion (obs-
 * fold, whitespace before the colon, conflicting Content-Length, both
 * Content-Length and Transfer-Encoding, any transfer coding but "chunked"),
 * and lenient where real servers differ harmlessly (LF without CR ends a
 * line, an empty reason phrase may lack its space).
 *
 * Usage:
 *	struct http_msg *m = calloc(1, sizeof(*m));
 *	http_msg_init(m, HTTP_REQUEST);
 *	on each read: switch (http_head_read(m, input)) ...
 *	then, if m->framing != HTTP_BODY_NONE:
 *	    on each read: http_body_read(m, input, output)
 *	    on EOF: http_body_eof(m)
 * struct http_msg holds a copy of the head (about 10 KiB): allocate it, do
 * not put it on the stack of a callback. It owns no heap memory; drop it
 * with free() (or reuse it after http_msg_init()).
 */
#ifndef PIAD_PIA_HTTP_H
#define PIAD_PIA_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;

#define HTTP_HEAD_MAX		(8 * 1024)	/* start line + fields + CRLF */
#define HTTP_BODY_MAX		(4 * 1024 * 1024) /* decoded body bytes */
#define HTTP_HEADERS_MAX	100
#define HTTP_CHUNK_LINE_MAX	1024		/* size + extensions */

enum http_kind {
	HTTP_REQUEST,
	HTTP_RESPONSE,
};

/* What a parse step returns. On HTTP_ERROR, m->err says why. */
enum http_parse {
	HTTP_DONE = 0,
	HTTP_MORE,
	HTTP_ERROR,
};

enum http_err {
	HTTP_E_NONE = 0,
	HTTP_E_HEAD_TOO_LARGE,
	HTTP_E_BODY_TOO_LARGE,
	HTTP_E_TOO_MANY_HEADERS,
	HTTP_E_BAD_REQUEST_LINE,
	HTTP_E_BAD_METHOD,
	HTTP_E_BAD_TARGET,
	HTTP_E_BAD_STATUS_LINE,
	HTTP_E_BAD_STATUS_CODE,
	HTTP_E_BAD_VERSION,
	HTTP_E_BARE_CR,
	HTTP_E_FOLDED_HEADER,
	HTTP_E_BAD_HEADER_NAME,
	HTTP_E_NO_COLON,
	HTTP_E_BAD_HEADER_VALUE,
	HTTP_E_BAD_CONTENT_LENGTH,
	HTTP_E_CONFLICTING_CONTENT_LENGTH,
	HTTP_E_BAD_TRANSFER_ENCODING,
	HTTP_E_LENGTH_AND_CHUNKED,
	HTTP_E_BAD_CHUNK_SIZE,
	HTTP_E_BAD_CHUNK_END,
	HTTP_E_BAD_TRAILER,
	HTTP_E_TRAILER_TOO_LARGE,
	HTTP_E_TRUNCATED,
	HTTP_E__MAX
};

/* How the body is delimited (RFC 9112 section 6.3). */
enum http_framing {
	HTTP_BODY_NONE,		/* no body: request without length, 204, ... */
	HTTP_BODY_LENGTH,	/* Content-Length bytes */
	HTTP_BODY_CHUNKED,	/* Transfer-Encoding: chunked */
	HTTP_BODY_CLOSE,	/* response read until the peer closes */
};

/* Points into the message's own copy of the head; NUL-terminated. */
struct http_header {
	const char	*name;
	const char	*value;		/* surrounding whitespace trimmed */
};

struct http_msg {
	enum http_kind	 kind;
	/*
	 * Set by the caller before parsing a response whose request was HEAD,
	 * or a CONNECT answered 2xx: such a response has no body whatever its
	 * header fields say.
	 */
	bool		 no_body;

	/* Filled once http_head_read() returns HTTP_DONE. */
	int		 version_minor;	/* HTTP/1.x; major is always 1 */
	const char	*method;	/* requests */
	const char	*target;	/* requests */
	int		 status;	/* responses, 100..599 */
	const char	*reason;	/* responses, may be "" */
	struct http_header headers[HTTP_HEADERS_MAX];
	size_t		 nheaders;
	size_t		 head_len;	/* bytes the head took on the wire */
	enum http_framing framing;
	uint64_t	 content_length; /* HTTP_BODY_LENGTH */
	bool		 keep_alive;	/* connection usable after this one */

	/* Running totals. */
	uint64_t	 body_len;	/* decoded body bytes delivered */
	enum http_err	 err;

	/* Private to http.c. */
	size_t		 scan_off;
	size_t		 line_start;
	int		 body_state;
	uint64_t	 chunk_left;
	size_t		 trailer_len;
	bool		 head_done;
	char		 head[HTTP_HEAD_MAX + 1];
};

void	http_msg_init(struct http_msg *m, enum http_kind kind);

/*
 * Parse the head from the start of `buf` (all bytes received so far for
 * this message, not only the new ones; the parser remembers how far it
 * already looked). On HTTP_DONE, *used is the head length and the caller
 * discards that many bytes. Never reads past `len`.
 */
enum http_parse http_head_parse(struct http_msg *m, const char *buf,
	    size_t len, size_t *used);

/* The same on an evbuffer; drains the head on HTTP_DONE. */
enum http_parse http_head_read(struct http_msg *m, struct evbuffer *in);

/*
 * Move decoded body bytes from `in` to `out` (NULL: discard them). HTTP_DONE
 * when the body is complete; bytes after it (a pipelined next message) stay
 * in `in`. Enforces HTTP_BODY_MAX on the decoded length.
 */
enum http_parse http_body_read(struct http_msg *m, struct evbuffer *in,
	    struct evbuffer *out);

/*
 * The peer closed the connection: HTTP_DONE if that ends the body (close-
 * delimited, or the body was already complete), else HTTP_ERROR with
 * HTTP_E_TRUNCATED.
 */
enum http_parse http_body_eof(struct http_msg *m);

/* True once the body has been read completely (or there is none). */
bool	http_body_done(const struct http_msg *m);

/* A short English description, e.g. "message head larger than 8 KiB". */
const char	*http_err_str(enum http_err err);

/* First value of the named field (case-insensitive), or NULL. */
const char	*http_header_get(const struct http_msg *m, const char *name);

/*
 * Whether any `name` field's comma-separated list holds `token` (case-
 * insensitive), e.g. http_header_has_token(m, "Connection", "close").
 */
bool	http_header_has_token(const struct http_msg *m, const char *name,
	    const char *token);

/*
 * Split an authority "host:port" or "[v6addr]:port" (as in a CONNECT
 * target) into host (brackets removed) and port 1..65535. 0 or -1 if
 * malformed or the host does not fit in hostsz.
 */
int	http_split_authority(const char *authority, char *host,
	    size_t hostsz, uint16_t *port);

#endif
