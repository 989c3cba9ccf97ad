/* SPDX-License-Identifier: ISC */
/*
 * The few bits of request data piasim decodes itself: the credentials in a
 * token request body (PIA accepts urlencoded, multipart and JSON bodies, so
 * the simulator does too) and percent-decoding. The body comes from the
 * client under test, so these are fuzzed (tests/fuzz/fuzz_sim_form.c).
 *
 * Functions return 0 on success and -1 on failure, with a short reason in
 * err (a static string).
 */
#ifndef PIASIM_FORM_H
#define PIASIM_FORM_H

#include <stdbool.h>
#include <stddef.h>

#define SIMFORM_FIELD_MAX	256

struct simform_creds {
	char	username[SIMFORM_FIELD_MAX];
	char	password[SIMFORM_FIELD_MAX];
};

/*
 * Find "username" and "password" in body according to content_type
 * (application/x-www-form-urlencoded, multipart/form-data; boundary=...,
 * application/json; NULL or anything else is tried as urlencoded). The
 * caller wipes creds when done.
 */
int	simform_credentials(const char *content_type, const char *body,
	    size_t len, struct simform_creds *creds, const char **err);
/*
 * Percent-decode src[0..len) into dst (NUL-terminated); with form, '+'
 * becomes a space. -1 if it does not fit, an escape is malformed or it
 * decodes to a NUL byte.
 */
int	simform_urldecode(const char *src, size_t len, char *dst,
	    size_t dstsize, bool form);
/*
 * The decoded value of parameter name in a query string ("a=1&b=2").
 * A '+' stays a '+' (RFC 3986 query; base64 keys and payloads contain
 * it). Returns 0, or -1 if absent, malformed or longer than dstsize - 1.
 */
int	simform_param(const char *query, const char *name, char *dst,
	    size_t dstsize);

#endif
