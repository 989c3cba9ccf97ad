/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the token, addKey, getSignature and bindPort reply parsers. The
 * first byte picks the HTTP status from a small set (each call gives some
 * statuses a meaning of its own); the rest is the body.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "pia/responses.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int	 statuses[] = { 200, 401, 409, 429, 500, 200,
	    200, 404 };
	struct pia_reply_in	 in;
	struct pia_result	 r;
	struct pia_addkey_reply	 a;
	struct pia_signature	 s;
	struct pia_bind_reply	 b;
	char			*tok;

	if (size < 1)
		return 0;
	in.status = statuses[data[0] % 8];
	in.retry_after = (data[0] & 0x80) ? "17" : NULL;
	in.body = (const char *)data + 1;
	in.len = size - 1;
	if (pia_parse_token(&in, &tok, &r) == 0) {
		OPENSSL_cleanse(tok, 1);
		free(tok);
	}
	(void)pia_parse_addkey(&in,
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", &a, &r);
	if (pia_parse_getsignature(&in, 1794147608, &s, &r) == 0)
		pia_signature_clear(&s);
	(void)pia_parse_bindport(&in, &b, &r);
	return 0;
}
