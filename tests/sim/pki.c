/* SPDX-License-Identifier: ISC */
/*
 * The simulator's test PKI, made fresh on every `up` with the OpenSSL API
 * (no openssl(1) runs, so `up` stays fast): a "PIA CA" that signs one leaf
 * per fake server (CN and SAN = the server's cn), a separate "public" CA
 * for the token and server-list hosts (as in real life, where those names
 * carry ordinary web PKI certificates), and an RSA-2048 key that signs the
 * server list. Leaf keys are EC P-256 to keep `up` quick.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "core/log.h"
#include "tests/sim/piasim.h"

static X509	*make_cert(const char *, EVP_PKEY *, X509 *, EVP_PKEY *,
		    bool);
static int	add_ext(X509 *, X509 *, int, const char *);
static int	write_pem(const char *, const char *, X509 *, EVP_PKEY *,
		    bool, mode_t);

static int
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 rc;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return -1;
	rc = X509_add_ext(cert, ext, -1) ? 0 : -1;
	X509_EXTENSION_free(ext);
	return rc;
}

/* A certificate for key, signed by issuer (NULL: self-signed). */
static X509 *
make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
    bool ca)
{
	X509		*x;
	X509_NAME	*name;
	char		 san[128];
	uint64_t	 serial;

	if ((x = X509_new()) == NULL)
		return NULL;
	if (RAND_bytes((unsigned char *)&serial, sizeof(serial)) != 1)
		goto fail;
	serial &= 0x7fffffffffffffffULL;
	if (!X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -86400) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 825) == NULL ||
	    !X509_set_pubkey(x, key))
		goto fail;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"piasim", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0))
		goto fail;
	if (!X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name))
		goto fail;
	if (issuer == NULL)
		issuer = x;
	if (add_ext(x, issuer, NID_subject_key_identifier, "hash") == -1 ||
	    add_ext(x, issuer, NID_authority_key_identifier,
	    "keyid:always") == -1)
		goto fail;
	if (ca) {
		if (add_ext(x, issuer, NID_basic_constraints,
		    "critical,CA:TRUE") == -1 ||
		    add_ext(x, issuer, NID_key_usage,
		    "critical,keyCertSign,cRLSign") == -1)
			goto fail;
	} else {
		snprintf(san, sizeof(san), "DNS:%s", cn);
		if (add_ext(x, issuer, NID_basic_constraints,
		    "critical,CA:FALSE") == -1 ||
		    add_ext(x, issuer, NID_key_usage,
		    "critical,digitalSignature,keyEncipherment") == -1 ||
		    add_ext(x, issuer, NID_ext_key_usage, "serverAuth") == -1 ||
		    add_ext(x, issuer, NID_subject_alt_name, san) == -1)
			goto fail;
	}
	if (X509_sign(x, issuer_key, EVP_sha256()) == 0)
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

int
sim_pki_create(struct sim *s)
{
	int i;

	if ((s->pia_ca_key = EVP_EC_gen("P-256")) == NULL ||
	    (s->api_ca_key = EVP_EC_gen("P-256")) == NULL ||
	    (s->www_key = EVP_EC_gen("P-256")) == NULL ||
	    (s->list_leaf_key = EVP_EC_gen("P-256")) == NULL ||
	    (s->list_sign_key = EVP_RSA_gen(2048)) == NULL)
		goto fail;
	if ((s->pia_ca = make_cert("piasim PIA CA", s->pia_ca_key, NULL,
	    s->pia_ca_key, true)) == NULL ||
	    (s->api_ca = make_cert("piasim public CA", s->api_ca_key, NULL,
	    s->api_ca_key, true)) == NULL ||
	    (s->www_cert = make_cert(SIM_WWW_NAME, s->www_key, s->api_ca,
	    s->api_ca_key, false)) == NULL ||
	    (s->list_cert = make_cert(SIM_LIST_NAME, s->list_leaf_key,
	    s->api_ca, s->api_ca_key, false)) == NULL)
		goto fail;
	for (i = 0; i < s->nservers; i++) {
		struct sim_server *sv = &s->servers[i];

		if ((sv->tls_key = EVP_EC_gen("P-256")) == NULL ||
		    (sv->tls_cert = make_cert(sv->cn, sv->tls_key, s->pia_ca,
		    s->pia_ca_key, false)) == NULL)
			goto fail;
		if (sim_x25519(sv->wg_priv, sv->wg_pub) == -1)
			goto fail;
	}
	if (RAND_bytes(s->pf_secret, sizeof(s->pf_secret)) != 1)
		goto fail;
	return 0;
fail:
	log_warnx("pki: cannot create the test PKI: %s",
	    ERR_reason_error_string(ERR_get_error()));
	return -1;
}

static int
write_pem(const char *dir, const char *file, X509 *cert, EVP_PKEY *key,
    bool private, mode_t mode)
{
	char	 path[PATH_MAX];
	FILE	*f;
	int	 ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((f = fopen(path, "w")) == NULL) {
		log_warn("pki: %s", path);
		return -1;
	}
	(void)fchmod(fileno(f), mode);
	if (cert != NULL)
		ok = PEM_write_X509(f, cert);
	else if (private)
		ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_PUBKEY(f, key);
	if (fclose(f) != 0 || !ok) {
		log_warnx("pki: cannot write %s", path);
		return -1;
	}
	return 0;
}

int
sim_pki_write(struct sim *s)
{
	if (write_pem(s->dir, SIM_FILE_PIA_CA, s->pia_ca, NULL, false,
	    0644) == -1 ||
	    write_pem(s->dir, "pia-ca.key", NULL, s->pia_ca_key, true,
	    0600) == -1 ||
	    write_pem(s->dir, SIM_FILE_API_CA, s->api_ca, NULL, false,
	    0644) == -1 ||
	    write_pem(s->dir, "api-ca.key", NULL, s->api_ca_key, true,
	    0600) == -1 ||
	    write_pem(s->dir, SIM_FILE_LIST_PUB, NULL, s->list_sign_key,
	    false, 0644) == -1 ||
	    write_pem(s->dir, SIM_FILE_LIST_KEY, NULL, s->list_sign_key,
	    true, 0600) == -1)
		return -1;
	return 0;
}

SSL_CTX *
sim_tls_ctx(X509 *cert, EVP_PKEY *key, X509 *ca)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return NULL;
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	(void)ca;	/* clients hold the CA; servers send only the leaf */
	return ctx;
}

int
sim_x25519(uint8_t priv[SIM_WG_KEYLEN], uint8_t pub[SIM_WG_KEYLEN])
{
	EVP_PKEY	*k;
	size_t		 plen = SIM_WG_KEYLEN, qlen = SIM_WG_KEYLEN;
	int		 rc = -1;

	if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519")) == NULL)
		return -1;
	if (EVP_PKEY_get_raw_private_key(k, priv, &plen) == 1 &&
	    EVP_PKEY_get_raw_public_key(k, pub, &qlen) == 1 &&
	    plen == SIM_WG_KEYLEN && qlen == SIM_WG_KEYLEN)
		rc = 0;
	EVP_PKEY_free(k);
	return rc;
}

void
sim_b64(const uint8_t *in, size_t len, char *out, size_t outsize)
{
	if (outsize < 4 * ((len + 2) / 3) + 1) {
		out[0] = '\0';
		return;
	}
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

int
sim_unb64(const char *in, uint8_t *out, size_t outsize)
{
	size_t	len = strlen(in), pad = 0;
	uint8_t	tmp[4096];
	int	n;

	if (len == 0 || len % 4 != 0 || len / 4 * 3 > sizeof(tmp))
		return -1;
	if (in[len - 1] == '=')
		pad++;
	if (len >= 2 && in[len - 2] == '=')
		pad++;
	if (strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/") != len - pad)
		return -1;
	if ((n = EVP_DecodeBlock(tmp, (const unsigned char *)in,
	    (int)len)) < 0)
		return -1;
	n -= (int)pad;
	if ((size_t)n > outsize)
		return -1;
	memcpy(out, tmp, (size_t)n);
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return n;
}

void
sim_random_hex(char *out, size_t nhex)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t	b[128];
	size_t	i;

	if (nhex / 2 > sizeof(b))
		nhex = sizeof(b) * 2;
	if (RAND_bytes(b, (int)((nhex + 1) / 2)) != 1)
		fatalx("pki: no randomness");
	for (i = 0; i < nhex; i++)
		out[i] = hex[(b[i / 2] >> ((i & 1) ? 0 : 4)) & 0xf];
	out[nhex] = '\0';
}
