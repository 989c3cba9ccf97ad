/* SPDX-License-Identifier: ISC */
/*
 * Standard base64 (RFC 4648 section 4, with padding), as PIA uses it for
 * the server-list signature, WireGuard keys and the port-forward payload,
 * and wg(8) for keys. In core/ so that net/ and pia/ share one codec.
 * The decoder is strict: wrong alphabet, missing or misplaced padding and
 * non-zero trailing bits are refused, so one value has one spelling (a key
 * compared as text then compares as bytes too).
 */
#ifndef PIAD_CORE_B64_H
#define PIAD_CORE_B64_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Skip ASCII whitespace (the signature may end in, or wrap at, newlines). */
#define B64_SKIP_WS		0x01

/* Bytes needed to decode inlen characters (an upper bound). */
size_t	b64_decoded_max(size_t inlen);
/* Characters b64 of inlen bytes takes, without the terminating NUL. */
size_t	b64_encoded_len(size_t inlen);

/*
 * Decode in[0..inlen) into out (outlen bytes). Returns the decoded length,
 * or -1 with errno EINVAL (not base64) or ENOSPC (out too small).
 */
ssize_t	b64_decode(const char *in, size_t inlen, uint8_t *out,
	    size_t outlen, int flags);

/*
 * Encode in[0..inlen) into out as a NUL-terminated string. Returns its
 * length, or -1 with errno ENOSPC when out is too small.
 */
ssize_t	b64_encode(const uint8_t *in, size_t inlen, char *out,
	    size_t outlen);

#endif
