/* SPDX-License-Identifier: ISC */
/*
 * Port-forward payload decoding. The payload is authenticated by PIA's
 * signature, checked by PIA itself at bindPort; piad decodes it only to
 * learn the port to DNAT and when to fetch a new one, so a decode that
 * guesses would route traffic to the wrong place: every field is checked.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "core/b64.h"
#include "pia/payload.h"
#include "pia/result.h"

static int
digits(const char **sp, int n, int *out)
{
	const char	*s = *sp;
	int		 v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	*out = v;
	return 0;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
pia_parse_rfc3339(const char *s, time_t *sec, long *nsec)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	struct tm	 tm;
	int		 y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0, nd;
	long		 ns = 0;
	time_t		 t;

	if (digits(&s, 4, &y) == -1 || *s++ != '-' ||
	    digits(&s, 2, &mo) == -1 || *s++ != '-' ||
	    digits(&s, 2, &d) == -1 || (*s != 'T' && *s != 't'))
		return -1;
	s++;
	if (digits(&s, 2, &h) == -1 || *s++ != ':' ||
	    digits(&s, 2, &mi) == -1 || *s++ != ':' ||
	    digits(&s, 2, &se) == -1)
		return -1;
	if (*s == '.') {
		s++;
		for (nd = 0; isdigit((unsigned char)*s); nd++, s++) {
			if (nd >= 9)
				return -1;
			ns = ns * 10 + (*s - '0');
		}
		if (nd == 0)
			return -1;
		for (; nd < 9; nd++)
			ns *= 10;
	}
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s++ == '+' ? 1 : -1;
		if (digits(&s, 2, &oh) == -1 || *s++ != ':' ||
		    digits(&s, 2, &om) == -1 || oh > 23 || om > 59)
			return -1;
	} else
		return -1;
	if (*s != '\0')
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 ||
	    se > 60)
		return -1;
	if (d > mdays[mo - 1] + (mo == 2 && is_leap(y)))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	t -= sign * (oh * 3600 + om * 60);
	*sec = t;
	*nsec = ns;
	return 0;
}

void
pia_payload_clear(struct pia_payload *p)
{
	if (p->token != NULL) {
		OPENSSL_cleanse(p->token, strlen(p->token));
		free(p->token);
	}
	memset(p, 0, sizeof(*p));
}

int
pia_payload_expired(const struct pia_payload *p, time_t now)
{
	return p->expires_at <= now;
}

enum pia_payload_status
pia_payload_decode(const char *b64, size_t len, struct pia_payload *p,
    char *err, size_t errlen)
{
	enum pia_payload_status	 st = PIA_PAYLOAD_MALFORMED;
	json_error_t		 jerr;
	json_t			*root = NULL, *v;
	uint8_t			*raw = NULL;
	size_t			 rawmax = 0;
	ssize_t			 rawlen;
	json_int_t		 port;
	const char		*tok, *exp;

	memset(p, 0, sizeof(*p));
	if (len == 0) {
		pia_errbuf(err, errlen, "payload: empty");
		return st;
	}
	if (len > PIA_PAYLOAD_MAX) {
		pia_errbuf(err, errlen, "payload: longer than %d bytes",
		    PIA_PAYLOAD_MAX);
		return st;
	}
	rawmax = b64_decoded_max(len);
	if ((raw = malloc(rawmax)) == NULL) {
		pia_errbuf(err, errlen, "payload: out of memory");
		return st;
	}
	if ((rawlen = b64_decode(b64, len, raw, rawmax, 0)) == -1) {
		pia_errbuf(err, errlen, "payload: not valid base64");
		goto done;
	}
	root = json_loadb((const char *)raw, (size_t)rawlen,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root)) {
		pia_errbuf(err, errlen, "payload: not a JSON object");
		goto done;
	}
	v = json_object_get(root, "token");
	if (!json_is_string(v) || json_string_length(v) == 0) {
		pia_errbuf(err, errlen, "payload: token missing or not a "
		    "string");
		goto done;
	}
	tok = json_string_value(v);
	v = json_object_get(root, "port");
	if (!json_is_integer(v)) {
		pia_errbuf(err, errlen, "payload: port missing or not an "
		    "integer");
		goto done;
	}
	port = json_integer_value(v);
	if (port < 1 || port > 65535) {
		pia_errbuf(err, errlen, "payload: port %lld out of range",
		    (long long)port);
		goto done;
	}
	v = json_object_get(root, "expires_at");
	if (!json_is_string(v)) {
		pia_errbuf(err, errlen, "payload: expires_at missing or not "
		    "a string");
		goto done;
	}
	exp = json_string_value(v);
	if (pia_parse_rfc3339(exp, &p->expires_at, &p->expires_nsec) == -1) {
		pia_errbuf(err, errlen, "payload: expires_at is not an "
		    "RFC 3339 date");
		goto done;
	}
	if ((p->token = strdup(tok)) == NULL) {
		pia_errbuf(err, errlen, "payload: out of memory");
		goto done;
	}
	p->port = (uint16_t)port;
	if (port < PIA_PAYLOAD_MIN_PORT) {
		pia_errbuf(err, errlen, "payload: port %lld is below %d",
		    (long long)port, PIA_PAYLOAD_MIN_PORT);
		st = PIA_PAYLOAD_LOW_PORT;
	} else
		st = PIA_PAYLOAD_OK;

done:
	if (st == PIA_PAYLOAD_MALFORMED)
		pia_payload_clear(p);
	if (root != NULL) {
		/* The decoded JSON holds the token: wipe the string copy. */
		v = json_object_get(root, "token");
		if (json_is_string(v))
			OPENSSL_cleanse((char *)(uintptr_t)json_string_value(v),
			    json_string_length(v));
		json_decref(root);
	}
	OPENSSL_cleanse(raw, rawmax);
	free(raw);
	return st;
}
