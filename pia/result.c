/* SPDX-License-Identifier: ISC */
/*
 * Names for the PIA call outcomes. These words appear in logs, in the
 * `status` reply (last_error) and in metrics labels, so they are stable,
 * lower case and free of spaces. Also the message formatters.
 */
#include <stdio.h>
#include <string.h>

#include "pia/result.h"

static const char *const pia_err_names[] = {
	[PIA_OK] = "ok",
	[PIA_ERR_NETWORK] = "network",
	[PIA_ERR_TIMEOUT] = "timeout",
	[PIA_ERR_TLS_VERIFY] = "tls_verify",
	[PIA_ERR_HTTP_STATUS] = "http_status",
	[PIA_ERR_PROTOCOL] = "protocol",
	[PIA_ERR_API] = "api",
	[PIA_ERR_BAD_CREDENTIALS] = "bad_credentials",
	[PIA_ERR_RATE_LIMITED] = "rate_limited",
	[PIA_ERR_PORT_BUSY] = "port_busy",
	[PIA_ERR_EXPIRED] = "expired",
};
_Static_assert(sizeof(pia_err_names) / sizeof(pia_err_names[0]) ==
    PIA_ERR__MAX, "pia_err_names must name every pia_err");

const char *
pia_err_name(enum pia_err err)
{
	if ((unsigned)err >= PIA_ERR__MAX)
		return "unknown";
	return pia_err_names[err];
}

void
pia_result_clear(struct pia_result *r)
{
	memset(r, 0, sizeof(*r));
	r->err = PIA_OK;
}

void
pia_result_vset(struct pia_result *r, enum pia_err err, const char *fmt,
    va_list ap)
{
	r->err = err;
	(void)vsnprintf(r->message, sizeof(r->message), fmt, ap);
}

void
pia_result_set(struct pia_result *r, enum pia_err err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pia_result_vset(r, err, fmt, ap);
	va_end(ap);
}

void
pia_errbuf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
