/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the HTTP/1.1 parser in both modes. The first input byte picks the
 * mode (bit 0: request or response; bit 1: response to HEAD/CONNECT) and
 * where the rest is split in two deliveries, so incremental parsing is
 * exercised too; the head, then the body, then EOF are parsed, and the
 * lookups the client and the proxy use are run on the result.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "pia/http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_msg m;
	struct evbuffer *in, *out;
	enum http_parse r = HTTP_MORE;
	size_t split, off = 0, i;
	char host[256];
	uint16_t port;
	uint8_t ctl;

	if (size < 1)
		return 0;
	ctl = data[0];
	data++;
	size--;
	split = size == 0 ? 0 : (size_t)ctl * 37 % (size + 1);
	http_msg_init(&m, (ctl & 1) ? HTTP_REQUEST : HTTP_RESPONSE);
	m.no_body = (ctl & 2) != 0;
	in = evbuffer_new();
	out = evbuffer_new();

	while (off < size || r == HTTP_MORE) {
		size_t n = off < split ? split - off : size - off;

		if (n == 0 && off == size)
			break;
		evbuffer_add(in, data + off, n);
		off += n;
		if (!m.head_done) {
			r = http_head_read(&m, in);
			if (r != HTTP_DONE)
				continue;
		}
		r = http_body_read(&m, in, out);
		if (r == HTTP_ERROR)
			break;
	}
	if (r == HTTP_MORE)
		(void)http_body_eof(&m);
	if (m.head_done) {
		for (i = 0; i < m.nheaders; i++)
			if (strlen(m.headers[i].name) == 0)
				abort();
		(void)http_header_get(&m, "Content-Length");
		(void)http_header_has_token(&m, "Connection", "close");
		if (m.kind == HTTP_REQUEST && http_split_authority(m.target,
		    host, sizeof(host), &port) == 0 && port == 0)
			abort();
		if (m.body_len > HTTP_BODY_MAX || m.head_len > HTTP_HEAD_MAX)
			abort();
	}
	(void)http_err_str(m.err);
	evbuffer_free(in);
	evbuffer_free(out);
	return 0;
}
