/* SPDX-License-Identifier: ISC */
/*
 * Strict standard base64, the one codec of the tree (WireGuard keys in
 * net/, PIA's signatures and payloads in pia/). OpenSSL's EVP_DecodeBlock
 * accepts whitespace anywhere, pads its output with zeros and reports
 * padding only implicitly, so decoding is done here with exact rules:
 * length a multiple of four (after optional whitespace removal), '=' only
 * as the last one or two characters, unused bits zero.
 */
#include <errno.h>
#include <string.h>

#include "core/b64.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int
b64_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

size_t
b64_decoded_max(size_t inlen)
{
	return inlen / 4 * 3 + 3;
}

size_t
b64_encoded_len(size_t inlen)
{
	return (inlen + 2) / 3 * 4;
}

ssize_t
b64_decode(const char *in, size_t inlen, uint8_t *out, size_t outlen,
    int flags)
{
	unsigned char	 quad[4];
	size_t		 i, nq = 0, o = 0;
	int		 pad = 0, v, k;
	uint32_t	 acc;

	for (i = 0; i < inlen; i++) {
		unsigned char c = (unsigned char)in[i];

		if ((flags & B64_SKIP_WS) && b64_is_space(c))
			continue;
		/* Nothing may follow a padded quad. */
		if (pad)
			goto invalid;
		quad[nq++] = c;
		if (nq < 4)
			continue;
		nq = 0;
		acc = 0;
		for (k = 0; k < 4; k++) {
			if (quad[k] == '=') {
				/* Only "xx==" and "xxx=" are valid. */
				if (k < 2 || (k == 2 && quad[3] != '='))
					goto invalid;
				pad++;
				acc <<= 6;
				continue;
			}
			if (pad || (v = b64_value(quad[k])) < 0)
				goto invalid;
			acc = acc << 6 | (uint32_t)v;
		}
		/* Refuse non-canonical encodings (bits set under padding). */
		if ((pad == 1 && (acc & 0xff) != 0) ||
		    (pad == 2 && (acc & 0xffff) != 0))
			goto invalid;
		if (outlen - o < (size_t)(3 - pad)) {
			errno = ENOSPC;
			return -1;
		}
		out[o++] = acc >> 16;
		if (pad < 2)
			out[o++] = (acc >> 8) & 0xff;
		if (pad < 1)
			out[o++] = acc & 0xff;
	}
	if (nq != 0)
		goto invalid;
	return (ssize_t)o;

invalid:
	errno = EINVAL;
	return -1;
}

ssize_t
b64_encode(const uint8_t *in, size_t inlen, char *out, size_t outlen)
{
	size_t		 i, o = 0;
	uint32_t	 acc;

	if (outlen < b64_encoded_len(inlen) + 1) {
		errno = ENOSPC;
		return -1;
	}
	for (i = 0; i + 2 < inlen; i += 3) {
		acc = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = b64_alphabet[acc >> 18];
		out[o++] = b64_alphabet[(acc >> 12) & 0x3f];
		out[o++] = b64_alphabet[(acc >> 6) & 0x3f];
		out[o++] = b64_alphabet[acc & 0x3f];
	}
	if (i < inlen) {
		acc = (uint32_t)in[i] << 16;
		if (i + 1 < inlen)
			acc |= (uint32_t)in[i + 1] << 8;
		out[o++] = b64_alphabet[acc >> 18];
		out[o++] = b64_alphabet[(acc >> 12) & 0x3f];
		out[o++] = i + 1 < inlen ?
		    b64_alphabet[(acc >> 6) & 0x3f] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return (ssize_t)o;
}
