/* SPDX-License-Identifier: ISC */
/*
 * WireGuard keys: X25519 through OpenSSL, and their two text forms (base64
 * as PIA and wg(8) show them, lowercase hex as the UAPI protocol wants).
 * Private keys are secrets: wipe them with wg_key_wipe() (OPENSSL_cleanse)
 * when done and never log them.
 *
 * Returns 0 on success, -errno on failure (-EINVAL for malformed text).
 */
#ifndef PIAD_NET_WG_KEY_H
#define PIAD_NET_WG_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/wg.h"

struct wg_keypair {
	uint8_t	private_key[WG_KEYLEN];
	uint8_t	public_key[WG_KEYLEN];
};

/* A fresh keypair from the OpenSSL RNG. */
int	wg_keypair_generate(struct wg_keypair *);
/* Wipe both halves. */
void	wg_keypair_wipe(struct wg_keypair *);
/* The public key of a private key. */
int	wg_key_public(uint8_t pub[WG_KEYLEN], const uint8_t priv[WG_KEYLEN]);
void	wg_key_wipe(uint8_t key[WG_KEYLEN]);
/* Constant time comparison. */
bool	wg_key_equal(const uint8_t a[WG_KEYLEN],
	    const uint8_t b[WG_KEYLEN]);
/* All zero (no key)? */
bool	wg_key_is_zero(const uint8_t key[WG_KEYLEN]);

/* out gets 44 characters and a NUL. */
void	wg_key_to_base64(char out[WG_KEY_B64_SIZE],
	    const uint8_t key[WG_KEYLEN]);
/*
 * Strict: exactly 44 characters of standard base64 ending in one '=',
 * decoding to exactly 32 bytes; anything else is -EINVAL. key is written
 * only on success.
 */
int	wg_key_from_base64(uint8_t key[WG_KEYLEN], const char *b64);
/* Same with an explicit length (text need not be NUL terminated). */
int	wg_key_from_base64_len(uint8_t key[WG_KEYLEN], const char *b64,
	    size_t len);
void	wg_key_to_hex(char out[WG_KEY_HEX_SIZE],
	    const uint8_t key[WG_KEYLEN]);
/* Exactly 64 hex digits (either case) in len bytes; else -EINVAL. */
int	wg_key_from_hex(uint8_t key[WG_KEYLEN], const char *hex, size_t len);

#endif
