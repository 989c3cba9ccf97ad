/* SPDX-License-Identifier: ISC */
/*
 * X25519 keys for WireGuard through OpenSSL's EVP_PKEY_X25519 (raw
 * private/public get), so piad needs neither wg(8) nor its own curve code.
 * Base64 decoding is strict on purpose: a key from PIA or a config that is
 * not exactly 32 bytes is refused, never truncated or padded.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/b64.h"
#include "net/wg_key.h"

static int
wg_key_from_pkey(uint8_t priv[WG_KEYLEN], uint8_t pub[WG_KEYLEN],
    EVP_PKEY *pkey)
{
	size_t len;

	if (priv != NULL) {
		len = WG_KEYLEN;
		if (EVP_PKEY_get_raw_private_key(pkey, priv, &len) != 1 ||
		    len != WG_KEYLEN)
			return -EIO;
	}
	len = WG_KEYLEN;
	if (EVP_PKEY_get_raw_public_key(pkey, pub, &len) != 1 ||
	    len != WG_KEYLEN)
		return -EIO;
	return 0;
}

int
wg_keypair_generate(struct wg_keypair *kp)
{
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*pkey = NULL;
	int		 rc = -EIO;

	if ((ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL)) == NULL)
		return -ENOMEM;
	if (EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &pkey) != 1)
		goto free_ctx;
	rc = wg_key_from_pkey(kp->private_key, kp->public_key, pkey);
	EVP_PKEY_free(pkey);
	if (rc < 0)
		wg_keypair_wipe(kp);
 free_ctx:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

void
wg_keypair_wipe(struct wg_keypair *kp)
{
	OPENSSL_cleanse(kp, sizeof(*kp));
}

int
wg_key_public(uint8_t pub[WG_KEYLEN], const uint8_t priv[WG_KEYLEN])
{
	EVP_PKEY	*pkey;
	int		 rc;

	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
	    WG_KEYLEN);
	if (pkey == NULL)
		return -EINVAL;
	rc = wg_key_from_pkey(NULL, pub, pkey);
	/* EVP_PKEY_free cleanses the private key it holds. */
	EVP_PKEY_free(pkey);
	return rc;
}

void
wg_key_wipe(uint8_t key[WG_KEYLEN])
{
	OPENSSL_cleanse(key, WG_KEYLEN);
}

bool
wg_key_equal(const uint8_t a[WG_KEYLEN], const uint8_t b[WG_KEYLEN])
{
	return CRYPTO_memcmp(a, b, WG_KEYLEN) == 0;
}

bool
wg_key_is_zero(const uint8_t key[WG_KEYLEN])
{
	uint8_t acc = 0;
	size_t	i;

	for (i = 0; i < WG_KEYLEN; i++)
		acc |= key[i];
	return acc == 0;
}

void
wg_key_to_base64(char out[WG_KEY_B64_SIZE], const uint8_t key[WG_KEYLEN])
{
	/* 32 bytes -> 44 characters and a NUL, exactly WG_KEY_B64_SIZE. */
	b64_encode(key, WG_KEYLEN, out, WG_KEY_B64_SIZE);
}

/*
 * The strict core/ decoder rather than EVP_DecodeBlock: that one skips
 * whitespace and pads the result with zeros, both of which we refuse. 44
 * characters that decode to exactly 32 bytes are ten full quads and one
 * "XXX=" whose two spare bits are zero: the one canonical spelling.
 */
int
wg_key_from_base64_len(uint8_t key[WG_KEYLEN], const char *b64, size_t len)
{
	uint8_t	out[WG_KEYLEN];
	ssize_t	n;

	if (b64 == NULL || len != WG_KEY_B64_SIZE - 1)
		return -EINVAL;
	n = b64_decode(b64, len, out, sizeof(out), 0);
	if (n != WG_KEYLEN) {
		OPENSSL_cleanse(out, sizeof(out));
		return -EINVAL;
	}
	memcpy(key, out, WG_KEYLEN);
	OPENSSL_cleanse(out, sizeof(out));
	return 0;
}

int
wg_key_from_base64(uint8_t key[WG_KEYLEN], const char *b64)
{
	if (b64 == NULL)
		return -EINVAL;
	return wg_key_from_base64_len(key, b64, strnlen(b64, WG_KEY_B64_SIZE));
}

void
wg_key_to_hex(char out[WG_KEY_HEX_SIZE], const uint8_t key[WG_KEYLEN])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < WG_KEYLEN; i++) {
		out[2 * i] = digits[key[i] >> 4];
		out[2 * i + 1] = digits[key[i] & 0xf];
	}
	out[2 * WG_KEYLEN] = '\0';
}

static int
hex_value(unsigned char c)
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
wg_key_from_hex(uint8_t key[WG_KEYLEN], const char *hex, size_t len)
{
	uint8_t	out[WG_KEYLEN];
	size_t	i;
	int	hi, lo;

	if (hex == NULL || len != WG_KEY_HEX_SIZE - 1)
		return -EINVAL;
	for (i = 0; i < WG_KEYLEN; i++) {
		if ((hi = hex_value((unsigned char)hex[2 * i])) < 0 ||
		    (lo = hex_value((unsigned char)hex[2 * i + 1])) < 0) {
			OPENSSL_cleanse(out, sizeof(out));
			return -EINVAL;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(key, out, WG_KEYLEN);
	OPENSSL_cleanse(out, sizeof(out));
	return 0;
}
