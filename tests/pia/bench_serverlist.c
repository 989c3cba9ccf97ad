/* SPDX-License-Identifier: ISC */
/*
 * Benchmark: how long verifying and parsing a server list takes on the
 * event loop (it is done in one go when the download completes). Builds a
 * synthetic list shaped like PIA's (REGIONS regions, a few servers per
 * group), signs it with a key made at run time, and prints the time per
 * verify+parse and per parse alone. Run by bench/pia-serverlist.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "core/b64.h"
#include "pia/serverlist.h"

int	main(int, char **);

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *
make_json(int regions, size_t *len)
{
	size_t	 cap = (size_t)regions * 1024 + 256, o = 0;
	char	*b = malloc(cap);
	int	 i, k;

	o += (size_t)snprintf(b + o, cap - o, "{\"groups\":{\"wg\":[{\"name\":"
	    "\"wireguard\",\"ports\":[1337]}],\"meta\":[{\"name\":\"meta\","
	    "\"ports\":[443,8080]}]},\"regions\":[");
	for (i = 0; i < regions; i++) {
		o += (size_t)snprintf(b + o, cap - o, "%s{\"id\":\"r%d\","
		    "\"name\":\"Region %d\",\"country\":\"XX\",\"auto_region\":"
		    "true,\"dns\":\"198.51.100.%d\",\"port_forward\":%s,\"geo\":"
		    "false,\"offline\":false,\"servers\":{\"meta\":[{\"ip\":"
		    "\"198.51.100.%d\",\"cn\":\"r%dmeta\"}],\"wg\":[",
		    i ? "," : "", i, i, i % 250, i % 2 ? "true" : "false",
		    i % 250, i);
		for (k = 0; k < 4; k++)
			o += (size_t)snprintf(b + o, cap - o, "%s{\"ip\":"
			    "\"203.0.113.%d\",\"cn\":\"r%dwg%d\"}", k ? "," : "",
			    (i * 4 + k) % 250, i, k);
		o += (size_t)snprintf(b + o, cap - o, "],\"ovpnudp\":[{\"ip\":"
		    "\"192.0.2.%d\",\"cn\":\"r%dovpn\",\"van\":false}]}}",
		    i % 250, i);
	}
	o += (size_t)snprintf(b + o, cap - o, "]}");
	*len = o;
	return b;
}

int
main(int argc, char **argv)
{
	int			 regions = argc > 1 ? atoi(argv[1]) : 120;
	int			 iters = argc > 2 ? atoi(argv[2]) : 50, i;
	EVP_PKEY		*key = EVP_RSA_gen(2048);
	EVP_MD_CTX		*md = EVP_MD_CTX_new();
	unsigned char		 sig[512];
	size_t			 siglen = sizeof(sig), jlen, tlen;
	char			*json, *text, err[256];
	struct pia_serverlist	*sl;
	double			 t0, full, parse;

	json = make_json(regions, &jlen);
	EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key);
	EVP_DigestSign(md, sig, &siglen, (unsigned char *)json, jlen);
	text = malloc(jlen + 1024);
	memcpy(text, json, jlen);
	memcpy(text + jlen, "\n\n", 2);
	tlen = jlen + 2 + (size_t)b64_encode(sig, siglen, text + jlen + 2,
	    1000);
	t0 = now_ms();
	for (i = 0; i < iters; i++) {
		if ((sl = pia_serverlist_verify_parse(text, tlen, key, err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		pia_serverlist_free(sl);
	}
	full = (now_ms() - t0) / iters;
	t0 = now_ms();
	for (i = 0; i < iters; i++)
		pia_serverlist_free(pia_serverlist_parse_json(json, jlen, err,
		    sizeof(err)));
	parse = (now_ms() - t0) / iters;
	printf("server list: %d regions, %zu bytes\n", regions, tlen);
	printf("verify+parse: %.3f ms per list\n", full);
	printf("parse only:   %.3f ms per list (%.1f MB/s)\n", parse,
	    jlen / 1e3 / parse);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	free(json);
	free(text);
	return 0;
}
