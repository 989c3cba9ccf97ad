/* SPDX-License-Identifier: ISC */
/*
 * WireGuard keys: X25519 against the RFC 7748 test vector, generated
 * pairs agree with derivation, base64 and hex round trips, and the strict
 * decoder's refusals (length, padding, alphabet, non-canonical bits).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/wg_key.h"

/* RFC 7748 section 6.1, Alice. */
static const char alice_priv_hex[] =
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char alice_pub_hex[] =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";

START_TEST(rfc7748_vector)
{
	uint8_t	priv[WG_KEYLEN], pub[WG_KEYLEN], want[WG_KEYLEN];
	char	hex[WG_KEY_HEX_SIZE];

	ck_assert_int_eq(wg_key_from_hex(priv, alice_priv_hex, 64), 0);
	ck_assert_int_eq(wg_key_from_hex(want, alice_pub_hex, 64), 0);
	ck_assert_int_eq(wg_key_public(pub, priv), 0);
	ck_assert(wg_key_equal(pub, want));
	wg_key_to_hex(hex, pub);
	ck_assert_str_eq(hex, alice_pub_hex);
}
END_TEST

START_TEST(generate)
{
	struct wg_keypair	a, b;
	uint8_t			pub[WG_KEYLEN];

	ck_assert_int_eq(wg_keypair_generate(&a), 0);
	ck_assert_int_eq(wg_keypair_generate(&b), 0);
	ck_assert(!wg_key_equal(a.private_key, b.private_key));
	ck_assert(!wg_key_is_zero(a.public_key));
	ck_assert_int_eq(wg_key_public(pub, a.private_key), 0);
	ck_assert(wg_key_equal(pub, a.public_key));
	wg_keypair_wipe(&a);
	ck_assert(wg_key_is_zero(a.private_key));
	ck_assert(wg_key_is_zero(a.public_key));
}
END_TEST

START_TEST(base64_roundtrip)
{
	uint8_t	key[WG_KEYLEN], back[WG_KEYLEN];
	char	b64[WG_KEY_B64_SIZE];
	int	i, v;

	for (v = 0; v < 256; v += 51) {
		for (i = 0; i < WG_KEYLEN; i++)
			key[i] = (uint8_t)(v + i * 7);
		wg_key_to_base64(b64, key);
		ck_assert_uint_eq(strlen(b64), 44);
		ck_assert_int_eq(b64[43], '=');
		ck_assert_int_eq(wg_key_from_base64(back, b64), 0);
		ck_assert_mem_eq(back, key, WG_KEYLEN);
	}
	/* A real-looking key from wg(8). */
	ck_assert_int_eq(wg_key_from_base64(back,
	    "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="), 0);
	wg_key_to_base64(b64, back);
	ck_assert_str_eq(b64, "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=");
}
END_TEST

START_TEST(base64_strict)
{
	uint8_t	key[WG_KEYLEN], orig[WG_KEYLEN];
	const char *good = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
	char	buf[64];

	memset(key, 0xaa, sizeof(key));
	memcpy(orig, key, sizeof(key));
	ck_assert_int_eq(wg_key_from_base64(key, NULL), -EINVAL);
	ck_assert_int_eq(wg_key_from_base64(key, ""), -EINVAL);
	/* 43 characters, no padding. */
	ck_assert_int_eq(wg_key_from_base64(key,
	    "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk"), -EINVAL);
	/* 45 characters. */
	snprintf(buf, sizeof(buf), "%s=", good);
	ck_assert_int_eq(wg_key_from_base64(key, buf), -EINVAL);
	/* Trailing newline or leading space. */
	snprintf(buf, sizeof(buf), "%s\n", good);
	ck_assert_int_eq(wg_key_from_base64(key, buf), -EINVAL);
	snprintf(buf, sizeof(buf), " %.43s", good);
	ck_assert_int_eq(wg_key_from_base64(key, buf), -EINVAL);
	/* URL-safe alphabet is not standard base64. */
	snprintf(buf, sizeof(buf), "%s", good);
	buf[6] = '-';
	ck_assert_int_eq(wg_key_from_base64(key, buf), -EINVAL);
	/* 33 bytes worth ("==" padding on 44 chars would be 32 + junk). */
	snprintf(buf, sizeof(buf), "%.42s==", good);
	ck_assert_int_eq(wg_key_from_base64(key, buf), -EINVAL);
	/* Non-canonical: the spare low bits of the last character set. */
	snprintf(buf, sizeof(buf), "%s", good);
	buf[42] = 'l';		/* 'k' = 36, 'l' = 37: low bit set */
	ck_assert_int_eq(wg_key_from_base64(key, buf), -EINVAL);
	/* 44 characters without padding (33 bytes), or '=' inside. */
	snprintf(buf, sizeof(buf), "%.43sA", good);
	ck_assert_int_eq(wg_key_from_base64(key, buf), -EINVAL);
	snprintf(buf, sizeof(buf), "%s", good);
	buf[20] = '=';
	ck_assert_int_eq(wg_key_from_base64(key, buf), -EINVAL);
	/* Nothing written on failure. */
	ck_assert_mem_eq(key, orig, WG_KEYLEN);
	/* Explicit length variant: not NUL terminated is fine. */
	memcpy(buf, good, 44);
	buf[44] = 'X';
	ck_assert_int_eq(wg_key_from_base64_len(key, buf, 44), 0);
	ck_assert_int_eq(wg_key_from_base64_len(key, buf, 45), -EINVAL);
}
END_TEST

START_TEST(hex_text)
{
	uint8_t	key[WG_KEYLEN];
	char	hex[WG_KEY_HEX_SIZE];

	ck_assert_int_eq(wg_key_from_hex(key,
	    "77076D0A7318A57D3C16C17251B26645DF4C2F87EBC0992AB177FBA51DB92C2A",
	    64), 0);
	wg_key_to_hex(hex, key);
	ck_assert_str_eq(hex, alice_priv_hex);
	ck_assert_int_eq(wg_key_from_hex(key, alice_priv_hex, 63), -EINVAL);
	ck_assert_int_eq(wg_key_from_hex(key, alice_priv_hex, 65), -EINVAL);
	memcpy(hex, alice_priv_hex, 65);
	hex[10] = 'g';
	ck_assert_int_eq(wg_key_from_hex(key, hex, 64), -EINVAL);
}
END_TEST

int	main(void);

int
main(void)
{
	Suite	*s = suite_create("wg_key");
	TCase	*tc = tcase_create("wg_key");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, rfc7748_vector);
	tcase_add_test(tc, generate);
	tcase_add_test(tc, base64_roundtrip);
	tcase_add_test(tc, base64_strict);
	tcase_add_test(tc, hex_text);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
