/* SPDX-License-Identifier: ISC */
/*
 * Credentials out of a token request body, in the three encodings the real
 * token endpoint accepts. Hand-written rather than borrowed from libevent so
 * that multipart and JSON share one small, fuzzed, bounded decoder and a
 * malformed body gets a precise reason in the simulator's log.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "tests/sim/form.h"

static int	hexval(int);
static int	form_urlencoded(const char *, size_t, struct simform_creds *,
		    const char **);
static int	form_multipart(const char *, const char *, size_t,
		    struct simform_creds *, const char **);
static int	form_json(const char *, size_t, struct simform_creds *,
		    const char **);
static const char *memfind(const char *, size_t, const char *, size_t);
static char	*field_for(struct simform_creds *, const char *, size_t);

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
simform_urldecode(const char *src, size_t len, char *dst, size_t dstsize,
    bool form)
{
	size_t	i, o = 0;

	if (dstsize == 0)
		return -1;
	for (i = 0; i < len; i++) {
		int c = (unsigned char)src[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -1;
			if ((hi = hexval((unsigned char)src[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)src[i + 2])) < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		} else if (c == '+' && form)
			c = ' ';
		if (c == '\0' || o + 1 >= dstsize)
			return -1;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return 0;
}

/* The creds field a form name refers to, or NULL for other fields. */
static char *
field_for(struct simform_creds *creds, const char *name, size_t len)
{
	if (len == 8 && memcmp(name, "username", 8) == 0)
		return creds->username;
	if (len == 8 && memcmp(name, "password", 8) == 0)
		return creds->password;
	return NULL;
}

int
simform_param(const char *query, const char *name, char *dst,
    size_t dstsize)
{
	const char	*p = query;
	size_t		 nlen = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);

		if (len > nlen && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == '=')
			return simform_urldecode(p + nlen + 1, len - nlen - 1,
			    dst, dstsize, false);
		p = amp ? amp + 1 : NULL;
	}
	return -1;
}

static int
form_urlencoded(const char *body, size_t len, struct simform_creds *creds,
    const char **err)
{
	const char	*p = body, *end = body + len;

	while (p < end) {
		const char	*amp, *eq;
		char		*field;

		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if ((field = field_for(creds, p, (size_t)(eq - p))) != NULL) {
			const char *v = eq < amp ? eq + 1 : amp;

			if (simform_urldecode(v, (size_t)(amp - v), field,
			    SIMFORM_FIELD_MAX, true) == -1) {
				*err = "bad percent-encoding";
				return -1;
			}
		}
		p = amp < end ? amp + 1 : end;
	}
	return 0;
}

static const char *
memfind(const char *hay, size_t haylen, const char *needle, size_t nlen)
{
	size_t i;

	if (nlen == 0 || haylen < nlen)
		return NULL;
	for (i = 0; i + nlen <= haylen; i++)
		if (memcmp(hay + i, needle, nlen) == 0)
			return hay + i;
	return NULL;
}

static int
form_multipart(const char *ctype, const char *body, size_t len,
    struct simform_creds *creds, const char **err)
{
	char		 delim[80];
	const char	*b, *p, *end = body + len;
	size_t		 blen, dlen;

	if ((b = strcasestr(ctype, "boundary=")) == NULL) {
		*err = "multipart without a boundary";
		return -1;
	}
	b += strlen("boundary=");
	if (*b == '"')
		b++;
	blen = strcspn(b, "\";, \t");
	if (blen == 0 || blen > 70) {
		*err = "bad multipart boundary";
		return -1;
	}
	delim[0] = '-';
	delim[1] = '-';
	memcpy(delim + 2, b, blen);
	dlen = blen + 2;
	delim[dlen] = '\0';

	if ((p = memfind(body, len, delim, dlen)) == NULL) {
		*err = "multipart boundary not found";
		return -1;
	}
	for (;;) {
		const char	*hdr_end, *next, *name, *q;
		const char	*data;
		char		*field;
		size_t		 n, datalen;

		p += dlen;
		if ((size_t)(end - p) >= 2 && p[0] == '-' && p[1] == '-')
			return 0;	/* closing delimiter */
		if ((hdr_end = memfind(p, (size_t)(end - p), "\r\n\r\n",
		    4)) == NULL) {
			*err = "multipart part without headers";
			return -1;
		}
		data = hdr_end + 4;
		if ((next = memfind(data, (size_t)(end - data), delim,
		    dlen)) == NULL) {
			*err = "multipart part not terminated";
			return -1;
		}
		datalen = (size_t)(next - data);
		if (datalen >= 2 && next[-2] == '\r' && next[-1] == '\n')
			datalen -= 2;
		name = memfind(p, (size_t)(hdr_end - p), "name=\"", 6);
		if (name != NULL) {
			name += 6;
			q = memchr(name, '"', (size_t)(hdr_end - name));
			if (q == NULL) {
				*err = "multipart name not terminated";
				return -1;
			}
			n = (size_t)(q - name);
			if ((field = field_for(creds, name, n)) != NULL) {
				if (datalen >= SIMFORM_FIELD_MAX ||
				    memchr(data, '\0', datalen) != NULL) {
					*err = "multipart field too long";
					return -1;
				}
				memcpy(field, data, datalen);
				field[datalen] = '\0';
			}
		}
		p = next;
	}
}

static int
form_json(const char *body, size_t len, struct simform_creds *creds,
    const char **err)
{
	json_t		*root;
	json_error_t	 jerr;
	const char	*names[2] = { "username", "password" };
	char		*dst[2] = { creds->username, creds->password };
	int		 i, rc = 0;

	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL) {
		*err = "body is not valid JSON";
		return -1;
	}
	if (!json_is_object(root)) {
		*err = "body is not a JSON object";
		json_decref(root);
		return -1;
	}
	for (i = 0; i < 2; i++) {
		json_t		*v = json_object_get(root, names[i]);
		const char	*s;

		if (v == NULL)
			continue;
		if (!json_is_string(v)) {
			*err = "credential is not a string";
			rc = -1;
			break;
		}
		s = json_string_value(v);
		if (json_string_length(v) >= SIMFORM_FIELD_MAX ||
		    strlen(s) != json_string_length(v)) {
			*err = "credential too long";
			rc = -1;
			break;
		}
		memcpy(dst[i], s, json_string_length(v) + 1);
	}
	json_decref(root);
	return rc;
}

int
simform_credentials(const char *ctype, const char *body, size_t len,
    struct simform_creds *creds, const char **err)
{
	int rc;

	memset(creds, 0, sizeof(*creds));
	*err = NULL;
	if (ctype != NULL && strncasecmp(ctype, "multipart/form-data",
	    strlen("multipart/form-data")) == 0)
		rc = form_multipart(ctype, body, len, creds, err);
	else if (ctype != NULL && strncasecmp(ctype, "application/json",
	    strlen("application/json")) == 0)
		rc = form_json(body, len, creds, err);
	else
		rc = form_urlencoded(body, len, creds, err);
	if (rc == 0 && (creds->username[0] == '\0' ||
	    creds->password[0] == '\0')) {
		*err = "username or password missing";
		rc = -1;
	}
	return rc;
}
