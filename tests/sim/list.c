/* SPDX-License-Identifier: ISC */
/*
 * The v6 server list, in PIA's own shape: "groups" with the protocol
 * ports, then "regions", each with servers per protocol group. Real lists
 * also carry OpenVPN and IKEv2 groups; they are included so a client that
 * looks only at "wg" and "meta" is tested against a realistic document.
 * The body is one compact JSON line, a blank line, and the base64
 * RSA-SHA256 (PKCS#1 v1.5) signature of exactly the JSON bytes.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "core/log.h"
#include "tests/sim/piasim.h"

#define LIST_MIN_BYTES	1000

static json_t	*server_entry(const char *, const char *);
static json_t	*region_json(struct sim *, int, int);
static json_t	*groups_json(void);
static char	*sign_b64(struct sim *, const char *, size_t, bool);

static json_t *
server_entry(const char *ip, const char *cn)
{
	return json_pack("{s:s,s:s}", "ip", ip, "cn", cn);
}

static json_t *
groups_json(void)
{
	return json_pack("{s:[{s:s,s:[i,i]}],s:[{s:s,s:[i,i,i,i]}],"
	    "s:[{s:s,s:[i,i,i,i]}],s:[{s:s,s:[i]}],s:[{s:s,s:[i,i]}]}",
	    "ikev2", "name", "ikev2", "ports", 500, 4500,
	    "ovpntcp", "name", "openvpn_tcp", "ports", 80, 443, 853, 8443,
	    "ovpnudp", "name", "openvpn_udp", "ports", 8080, 853, 123, 53,
	    "wg", "name", "wireguard", "ports", SIM_ADDKEY_PORT,
	    "meta", "name", "meta", "ports", 443, 8080);
}

/* Region r; pad >= 0 makes an extra offline padding region instead. */
static json_t *
region_json(struct sim *s, int r, int pad)
{
	struct sim_region	 padreg;
	const struct sim_region	*rg;
	json_t			*wg, *meta, *ovpn, *reg;
	char			 ip[32], cn[48], dns[64];
	int			 i;

	if (pad >= 0) {
		memset(&padreg, 0, sizeof(padreg));
		snprintf(padreg.id, sizeof(padreg.id), "pad_%d", pad);
		snprintf(padreg.name, sizeof(padreg.name), "Padding %d", pad);
		snprintf(padreg.city, sizeof(padreg.city), "pad%d", pad);
		strcpy(padreg.country, "AQ");
		padreg.offline = true;
		padreg.meta = -1;
		rg = &padreg;
	} else
		rg = &s->regions[r];
	wg = json_array();
	meta = json_array();
	ovpn = json_array();
	for (i = 0; pad < 0 && i < s->nservers; i++) {
		struct sim_server *sv = &s->servers[i];

		if (sv->region != r)
			continue;
		inet_ntop(AF_INET, &sv->pub, ip, sizeof(ip));
		json_array_append_new(wg, server_entry(ip, sv->cn));
		json_array_append_new(ovpn, server_entry(ip, sv->cn));
		if (rg->meta == i)
			json_array_append_new(meta, server_entry(ip, sv->cn));
	}
	if (json_array_size(wg) == 0) {
		/* Listed but not simulated: nobody answers there. */
		snprintf(ip, sizeof(ip), "203.0.113.%d",
		    100 + (pad >= 0 ? 10 + pad : r));
		snprintf(cn, sizeof(cn), "%s400", rg->city);
		json_array_append_new(wg, server_entry(ip, cn));
		json_array_append_new(meta, server_entry(ip, cn));
		json_array_append_new(ovpn, server_entry(ip, cn));
	}
	snprintf(dns, sizeof(dns), "%s.privacy.network", rg->id);
	reg = json_pack("{s:s,s:s,s:s,s:b,s:s,s:b,s:b,s:b,"
	    "s:{s:o,s:O,s:o,s:O}}",
	    "id", rg->id, "name", rg->name, "country", rg->country,
	    "auto_region", true, "dns", dns, "port_forward", rg->pf,
	    "geo", false, "offline", rg->offline,
	    "servers", "meta", meta, "ovpnudp", ovpn, "wg", wg,
	    "ovpntcp", ovpn);
	json_decref(ovpn);
	return reg;
}

int
sim_list_build(struct sim *s)
{
	json_t	*root, *regions;
	int	 r, pad = 0;

	regions = json_array();
	for (r = 0; r < s->nregions; r++)
		json_array_append_new(regions, region_json(s, r, -1));
	root = json_pack("{s:o,s:o}", "groups", groups_json(),
	    "regions", regions);
	for (;;) {
		free(s->list_json);
		s->list_json = json_dumps(root,
		    JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (s->list_json == NULL) {
			json_decref(root);
			return -1;
		}
		if (strlen(s->list_json) >= LIST_MIN_BYTES)
			break;
		json_array_append_new(regions, region_json(s, 0, pad++));
	}
	json_decref(root);
	return 0;
}

static char *
sign_b64(struct sim *s, const char *data, size_t len, bool corrupt)
{
	EVP_MD_CTX	*md;
	unsigned char	 sig[512];
	size_t		 siglen = sizeof(sig);
	char		*out = NULL;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return NULL;
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL,
	    s->list_sign_key) == 1 &&
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)data,
	    len) == 1) {
		if (corrupt)
			sig[siglen / 2] ^= 0x5a;
		if ((out = malloc(4 * ((siglen + 2) / 3) + 1)) != NULL)
			sim_b64(sig, siglen, out, 4 * ((siglen + 2) / 3) + 1);
	}
	EVP_MD_CTX_free(md);
	return out;
}

char *
sim_list_body(struct sim *s, size_t *lenp)
{
	char	*sig, *body;
	size_t	 jlen = strlen(s->list_json), len;
	bool	 bad = s->faults.on[F_BAD_LIST_SIGNATURE];

	if (bad)
		s->faults.hits[F_BAD_LIST_SIGNATURE]++;
	if ((sig = sign_b64(s, s->list_json, jlen, bad)) == NULL)
		return NULL;
	len = jlen + 2 + strlen(sig);
	if ((body = malloc(len + 1)) != NULL) {
		snprintf(body, len + 1, "%s\n\n%s", s->list_json, sig);
		*lenp = len;
	}
	free(sig);
	return body;
}
