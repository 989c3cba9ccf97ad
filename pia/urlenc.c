/* SPDX-License-Identifier: ISC */
/*
 * Percent-encoding and decoding. Encoding is deliberately stricter than
 * RFC 3986 needs in a query (it escapes sub-delims too): a token or a
 * password with '&', '=' or '+' must arrive byte for byte, whatever the
 * server's decoder thinks of those characters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <openssl/crypto.h>

#include "pia/urlenc.h"

static const char hexdig[] = "0123456789ABCDEF";

static int
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* Encode into dst (room for 3 * len + 1); returns the length written. */
static size_t
encode_into(char *dst, const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_unreserved(c))
			dst[n++] = (char)c;
		else {
			dst[n++] = '%';
			dst[n++] = hexdig[c >> 4];
			dst[n++] = hexdig[c & 0xf];
		}
	}
	dst[n] = '\0';
	return n;
}

char *
urlenc(const char *s)
{
	size_t len = strlen(s);
	char *dst;

	if (len > (SIZE_MAX - 1) / 3) {
		errno = ENOMEM;
		return NULL;
	}
	if ((dst = malloc(3 * len + 1)) == NULL)
		return NULL;
	encode_into(dst, s, len);
	return dst;
}

int
urlenc_add(struct evbuffer *out, const char *s, size_t len)
{
	char tmp[3 * 64 + 1];
	size_t off, n, k;
	int rc = 0;

	/* In pieces through a stack buffer that is wiped: s may be secret. */
	for (off = 0; off < len; off += k) {
		k = len - off < 64 ? len - off : 64;
		n = encode_into(tmp, s + off, k);
		if (evbuffer_add(out, tmp, n) == -1) {
			rc = -1;
			break;
		}
	}
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return rc;
}

int
urlenc_form_add(struct evbuffer *out, const char *name, const char *value)
{
	if (evbuffer_get_length(out) > 0 && evbuffer_add(out, "&", 1) == -1)
		return -1;
	if (urlenc_add(out, name, strlen(name)) == -1 ||
	    evbuffer_add(out, "=", 1) == -1 ||
	    urlenc_add(out, value, strlen(value)) == -1)
		return -1;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
urldec(const char *s, size_t len, bool form)
{
	char *dst;
	size_t i, n = 0;

	if ((dst = malloc(len + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '\0')
			goto invalid;
		if (s[i] == '+' && form) {
			dst[n++] = ' ';
			continue;
		}
		if (s[i] != '%') {
			dst[n++] = s[i];
			continue;
		}
		if (len - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
		    (lo = hexval(s[i + 2])) < 0 || (hi == 0 && lo == 0))
			goto invalid;
		dst[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	dst[n] = '\0';
	return dst;
invalid:
	OPENSSL_cleanse(dst, len + 1);
	free(dst);
	errno = EINVAL;
	return NULL;
}

char *
urlenc_param(const char *query, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = query;

	while (*p != '\0') {
		const char *end = strchr(p, '&'), *eq;

		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL && (size_t)(eq - p) == nlen &&
		    memcmp(p, name, nlen) == 0)
			return urldec(eq + 1, (size_t)(end - eq - 1), true);
		p = *end == '&' ? end + 1 : end;
	}
	errno = ENOENT;
	return NULL;
}

void
urlenc_free_secret(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}
