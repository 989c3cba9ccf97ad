/* SPDX-License-Identifier: ISC */
/*
 * The outcome of one PIA call, shared by the HTTPS client (which fills in
 * the transport-level kinds) and the PIA API calls (which add the
 * application-level ones). The FSM picks its backoff from `err` alone, so
 * each kind maps to one reaction: retry soon (network, timeout, 5xx), wait
 * long (bad credentials, rate limited), change server (TLS verify), get a
 * new signature (port busy, expired).
 *
 * `message` is for logs and `status`; it never holds a token, password or
 * query string.
 */
#ifndef PIAD_PIA_RESULT_H
#define PIAD_PIA_RESULT_H

#include <stdarg.h>
#include <stddef.h>

enum pia_err {
	PIA_OK = 0,
	PIA_ERR_NETWORK,	/* connect/read/write failed, proxy refused */
	PIA_ERR_TIMEOUT,	/* connect or total timeout hit */
	PIA_ERR_TLS_VERIFY,	/* certificate chain or name did not verify */
	PIA_ERR_HTTP_STATUS,	/* unexpected HTTP status (http_status set) */
	PIA_ERR_PROTOCOL,	/* malformed response (HTTP or JSON) */
	PIA_ERR_API,		/* PIA said status != OK, message has why */
	PIA_ERR_BAD_CREDENTIALS, /* 401 / "Login failed!" */
	PIA_ERR_RATE_LIMITED,	/* 429; retry_after_s set (0: unknown) */
	PIA_ERR_PORT_BUSY,	/* bindPort 409 */
	PIA_ERR_EXPIRED,	/* payload/signature expired */
	PIA_ERR__MAX
};

#define PIA_RESULT_MSG_MAX	256

struct pia_result {
	enum pia_err	err;
	int		http_status;	/* 0 if no HTTP response was read */
	unsigned	retry_after_s;
	char		message[PIA_RESULT_MSG_MAX];
};

/* "ok", "network", "timeout", "tls_verify", ...; "unknown" if out of range. */
const char	*pia_err_name(enum pia_err err);

/* Reset to PIA_OK, no status, empty message. */
void	pia_result_clear(struct pia_result *r);

/*
 * Set err and a printf-formatted message (truncated to fit). Leaves
 * http_status and retry_after_s alone so callers can set them before or
 * after.
 */
void	pia_result_set(struct pia_result *r, enum pia_err err,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void	pia_result_vset(struct pia_result *r, enum pia_err err,
	    const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/*
 * For the parsers that report into a caller's buffer rather than a
 * pia_result (payload, server list): format into err[0..errlen),
 * truncated; nothing when err is NULL or errlen 0.
 */
void	pia_errbuf(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
