/* SPDX-License-Identifier: ISC */
/*
 * Percent-encoding for PIA query strings and form bodies (RFC 3986: the
 * unreserved characters A-Z a-z 0-9 - . _ ~ are kept, every other byte
 * becomes %XX with upper-case hex), and the matching decoder for piasim and
 * tests. Values are often secrets (token, password): callers wipe the
 * results with urlenc_free_secret().
 */
#ifndef PIAD_PIA_URLENC_H
#define PIAD_PIA_URLENC_H

#include <stdbool.h>
#include <stddef.h>

struct evbuffer;

/* Encoded copy of s, malloc'd (caller frees); NULL on ENOMEM. */
char	*urlenc(const char *s);

/* Append the encoding of len bytes of s to out. 0, or -1 on ENOMEM. */
int	 urlenc_add(struct evbuffer *out, const char *s, size_t len);

/*
 * Append "name=value" (both encoded) to an application/x-www-form-
 * urlencoded body or a query string, preceded by '&' unless out is empty.
 * Spaces become %20, which every form decoder accepts. 0 or -1.
 */
int	 urlenc_form_add(struct evbuffer *out, const char *name,
	    const char *value);

/*
 * Decode len bytes of s; with `form`, '+' means space. Returns a malloc'd
 * NUL-terminated string, or NULL with errno EINVAL for a malformed escape
 * or an encoded NUL byte, ENOMEM otherwise.
 */
char	*urldec(const char *s, size_t len, bool form);

/*
 * The decoded value of the first `name` parameter in a query string or
 * form body ("a=1&b=x%20y"), malloc'd; NULL with errno ENOENT if absent,
 * EINVAL if malformed.
 */
char	*urlenc_param(const char *query, const char *name);

/* Wipe a NUL-terminated string (with OPENSSL_cleanse) and free it. */
void	 urlenc_free_secret(char *s);

#endif
