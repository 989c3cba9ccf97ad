/* SPDX-License-Identifier: ISC */
/*
 * Test helpers shared by the pia unit tests: read a fixture from
 * tests/pia/ in the source tree, and make an RSA key and a signed server
 * list at run time so no private key needs to live in the tree.
 */
#ifndef PIAD_TEST_PIA_FIXTURE_H
#define PIAD_TEST_PIA_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "core/b64.h"

/* NUL-terminated contents of tests/pia/NAME; *len gets the length. */
static inline char *
fixture(const char *name, size_t *len)
{
	char	 path[1024];
	FILE	*f;
	char	*buf;
	long	 n;

	snprintf(path, sizeof(path), "%s/tests/pia/%s", PIAD_SRCDIR, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

/* json "\n\n" base64(RSA-SHA256(json)) "\n", signed with key. */
static inline char *
sign_list(EVP_PKEY *key, const char *json, size_t jlen, size_t *outlen)
{
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	unsigned char	 sig[1024];
	size_t		 siglen = sizeof(sig);
	char		*out;
	size_t		 o;

	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)json,
	    jlen) != 1)
		abort();
	EVP_MD_CTX_free(md);
	out = malloc(jlen + 2 + b64_encoded_len(siglen) + 2);
	memcpy(out, json, jlen);
	memcpy(out + jlen, "\n\n", 2);
	o = jlen + 2;
	o += (size_t)b64_encode(sig, siglen, out + o,
	    b64_encoded_len(siglen) + 1);
	out[o++] = '\n';
	out[o] = '\0';
	*outlen = o;
	return out;
}

static inline EVP_PKEY *
make_key(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);

	if (k == NULL)
		abort();
	return k;
}

/* Write key's public half as PEM to path. */
static inline void
write_pubkey(EVP_PKEY *key, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || PEM_write_PUBKEY(f, key) != 1)
		abort();
	fclose(f);
}

#endif
