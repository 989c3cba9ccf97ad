/* SPDX-License-Identifier: ISC */
/*
 * The port-forward payload from getSignature: standard base64 of the JSON
 * {"token": "...", "port": N, "expires_at": "RFC 3339 with nanoseconds"}.
 * PIA signs it; piad only reads the port and the expiry and hands the
 * payload back verbatim to bindPort.
 */
#ifndef PIAD_PIA_PAYLOAD_H
#define PIAD_PIA_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Ports below this are refused: a DNAT there would shadow system services. */
#define PIA_PAYLOAD_MIN_PORT	1024
/* Longest payload text accepted (PIA's are about 200 characters). */
#define PIA_PAYLOAD_MAX		4096

enum pia_payload_status {
	PIA_PAYLOAD_OK = 0,
	PIA_PAYLOAD_MALFORMED,	/* not base64, not JSON, field missing/bad */
	PIA_PAYLOAD_LOW_PORT,	/* well formed, but port < 1024 */
};

struct pia_payload {
	char		*token;		/* secret: wiped by pia_payload_clear */
	uint16_t	 port;
	time_t		 expires_at;	/* UTC seconds */
	long		 expires_nsec;
};

/*
 * Decode the base64 text b64[0..len). On PIA_PAYLOAD_OK and
 * PIA_PAYLOAD_LOW_PORT, *p is filled (the caller clears it with
 * pia_payload_clear; on LOW_PORT p->port holds the refused port so the
 * error can name it). On MALFORMED *p is left empty. err gets a one-line
 * reason (never the token) in every non-OK case.
 */
enum pia_payload_status pia_payload_decode(const char *b64, size_t len,
	    struct pia_payload *p, char *err, size_t errlen);

/* Wipe and free the token; leaves *p zeroed. */
void	pia_payload_clear(struct pia_payload *p);

/* 1 if the payload has expired at now (UTC seconds), else 0. */
int	pia_payload_expired(const struct pia_payload *p, time_t now);

/*
 * Parse an RFC 3339 date-time ("2026-11-08T14:20:08.551108225Z", offsets
 * "+hh:mm"/"-hh:mm" too, up to nine fraction digits). 0 or -1.
 */
int	pia_parse_rfc3339(const char *s, time_t *sec, long *nsec);

#endif
