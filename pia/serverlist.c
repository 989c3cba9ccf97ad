/* SPDX-License-Identifier: ISC */
/*
 * Server list verification and parsing. The signature covers the JSON
 * bytes exactly as received (up to the first blank line), so they are
 * verified before being parsed and never re-serialized. Parsing is strict
 * about structure and lenient about entries: PIA adds fields and groups
 * over time, and one odd server must not make every region unusable.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/b64.h"
#include "pia/result.h"
#include "pia/serverlist.h"

EVP_PKEY *
pia_serverlist_load_pubkey(const char *path, char *err, size_t errlen)
{
	EVP_PKEY	*key = NULL;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL) {
		pia_errbuf(err, errlen, "server list key %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	if (key == NULL) {
		pia_errbuf(err, errlen, "server list key %s: not a PEM public "
		    "key", path);
		return NULL;
	}
	if (EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
		EVP_PKEY_free(key);
		pia_errbuf(err, errlen, "server list key %s: not an RSA key",
		    path);
		return NULL;
	}
	return key;
}

int
pia_serverlist_verify(const char *text, size_t len, EVP_PKEY *key,
    size_t *jsonlen, char *err, size_t errlen)
{
	EVP_MD_CTX	*md = NULL;
	const char	*sep, *sig;
	uint8_t		*raw = NULL;
	size_t		 jl, siglen, rawmax;
	ssize_t		 rawlen;
	int		 rc = -1;

	if (len > PIA_SERVERLIST_MAX) {
		pia_errbuf(err, errlen, "server list: larger than %d bytes",
		    PIA_SERVERLIST_MAX);
		return -1;
	}
	sep = len >= 2 ? memmem(text, len, "\n\n", 2) : NULL;
	if (sep == NULL) {
		pia_errbuf(err, errlen, "server list: unsigned (no signature "
		    "after a blank line)");
		return -1;
	}
	jl = (size_t)(sep - text);
	sig = sep + 2;
	siglen = len - jl - 2;
	rawmax = b64_decoded_max(siglen);
	if ((raw = malloc(rawmax)) == NULL) {
		pia_errbuf(err, errlen, "server list: out of memory");
		return -1;
	}
	rawlen = b64_decode(sig, siglen, raw, rawmax, B64_SKIP_WS);
	if (rawlen <= 0) {
		pia_errbuf(err, errlen, "server list: %s",
		    rawlen == 0 ? "unsigned (empty signature)" :
		    "signature is not valid base64");
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) != 1) {
		pia_errbuf(err, errlen, "server list: cannot set up "
		    "verification");
		goto out;
	}
	/* RSA keys default to PKCS#1 v1.5 padding, which PIA uses. */
	if (EVP_DigestVerify(md, raw, (size_t)rawlen,
	    (const unsigned char *)text, jl) != 1) {
		pia_errbuf(err, errlen, "server list: bad signature");
		goto out;
	}
	if (jsonlen != NULL)
		*jsonlen = jl;
	rc = 0;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	free(raw);
	return rc;
}

static int
valid_cn(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= PIA_CN_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.'))
			return 0;
	}
	return s[0] != '.' && s[0] != '-';
}

static int
valid_ip(const char *s)
{
	struct in_addr a;

	return strlen(s) < PIA_IP_MAX && inet_pton(AF_INET, s, &a) == 1;
}

/* Parse servers.NAME; absent or not an array is an empty group. */
static int
parse_servers(json_t *servers, const char *name, struct pia_server **out,
    size_t *nout, size_t *nskipped)
{
	json_t		*arr, *e;
	size_t		 i, n;

	*out = NULL;
	*nout = 0;
	arr = json_is_object(servers) ? json_object_get(servers, name) : NULL;
	if (!json_is_array(arr) || (n = json_array_size(arr)) == 0)
		return 0;
	if ((*out = calloc(n, sizeof(**out))) == NULL)
		return -1;
	json_array_foreach(arr, i, e) {
		const char *ip, *cn;

		ip = json_string_value(json_object_get(e, "ip"));
		cn = json_string_value(json_object_get(e, "cn"));
		if (ip == NULL || cn == NULL || !valid_ip(ip) ||
		    !valid_cn(cn)) {
			(*nskipped)++;
			continue;
		}
		snprintf((*out)[*nout].ip, PIA_IP_MAX, "%s", ip);
		snprintf((*out)[*nout].cn, PIA_CN_MAX, "%s", cn);
		(*nout)++;
	}
	return 0;
}

static char *
dup_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return strdup(s != NULL ? s : "");
}

static bool
get_bool(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* groups.NAME[0].ports[0], or def. */
static uint16_t
group_port(json_t *root, const char *name, uint16_t def)
{
	json_t		*g, *p;
	json_int_t	 v;

	g = json_object_get(json_object_get(root, "groups"), name);
	p = json_array_get(json_object_get(json_array_get(g, 0), "ports"), 0);
	if (!json_is_integer(p))
		return def;
	v = json_integer_value(p);
	return v > 0 && v <= 65535 ? (uint16_t)v : def;
}

struct pia_serverlist *
pia_serverlist_parse_json(const char *json, size_t len, char *err,
    size_t errlen)
{
	struct pia_serverlist	*sl = NULL;
	json_error_t		 jerr;
	json_t			*root, *regions, *r;
	size_t			 i;

	if (len > PIA_SERVERLIST_MAX) {
		pia_errbuf(err, errlen, "server list: larger than %d bytes",
		    PIA_SERVERLIST_MAX);
		return NULL;
	}
	root = json_loadb(json, len, 0, &jerr);
	if (root == NULL) {
		pia_errbuf(err, errlen, "server list: invalid JSON at line %d "
		    "column %d: %s", jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	regions = json_object_get(root, "regions");
	if (!json_is_object(root) || !json_is_array(regions)) {
		pia_errbuf(err, errlen, "server list: no regions array");
		goto fail;
	}
	if ((sl = calloc(1, sizeof(*sl))) == NULL)
		goto nomem;
	sl->wg_port = group_port(root, "wg", 1337);
	sl->meta_port = group_port(root, "meta", 443);
	if (json_array_size(regions) > 0 &&
	    (sl->regions = calloc(json_array_size(regions),
	    sizeof(*sl->regions))) == NULL)
		goto nomem;
	json_array_foreach(regions, i, r) {
		struct pia_region	*rg = &sl->regions[sl->nregions];
		const char		*id;
		json_t			*servers;

		id = json_string_value(json_object_get(r, "id"));
		if (!json_is_object(r) || id == NULL || *id == '\0') {
			pia_errbuf(err, errlen, "server list: regions[%zu]: "
			    "missing id", i);
			goto fail;
		}
		if (pia_serverlist_region(sl, id) != NULL) {
			pia_errbuf(err, errlen, "server list: region %s listed "
			    "twice", id);
			goto fail;
		}
		sl->nregions++;
		if ((rg->id = strdup(id)) == NULL ||
		    (rg->name = dup_str(r, "name")) == NULL ||
		    (rg->country = dup_str(r, "country")) == NULL ||
		    (rg->dns = dup_str(r, "dns")) == NULL)
			goto nomem;
		rg->port_forward = get_bool(r, "port_forward");
		rg->offline = get_bool(r, "offline");
		rg->geo = get_bool(r, "geo");
		rg->auto_region = get_bool(r, "auto_region");
		servers = json_object_get(r, "servers");
		if (parse_servers(servers, "meta", &rg->meta, &rg->nmeta,
		    &sl->nskipped) == -1 ||
		    parse_servers(servers, "wg", &rg->wg, &rg->nwg,
		    &sl->nskipped) == -1)
			goto nomem;
	}
	json_decref(root);
	return sl;

nomem:
	pia_errbuf(err, errlen, "server list: out of memory");
fail:
	json_decref(root);
	pia_serverlist_free(sl);
	return NULL;
}

struct pia_serverlist *
pia_serverlist_verify_parse(const char *text, size_t len, EVP_PKEY *key,
    char *err, size_t errlen)
{
	struct pia_serverlist	*sl;
	size_t			 jl;

	if (pia_serverlist_verify(text, len, key, &jl, err, errlen) == -1)
		return NULL;
	if ((sl = pia_serverlist_parse_json(text, jl, err, errlen)) == NULL)
		return NULL;
	if ((sl->raw = malloc(len + 1)) == NULL) {
		pia_errbuf(err, errlen, "server list: out of memory");
		pia_serverlist_free(sl);
		return NULL;
	}
	memcpy(sl->raw, text, len);
	sl->raw[len] = '\0';
	sl->rawlen = len;
	return sl;
}

void
pia_serverlist_free(struct pia_serverlist *sl)
{
	size_t i;

	if (sl == NULL)
		return;
	for (i = 0; i < sl->nregions; i++) {
		free(sl->regions[i].id);
		free(sl->regions[i].name);
		free(sl->regions[i].country);
		free(sl->regions[i].dns);
		free(sl->regions[i].meta);
		free(sl->regions[i].wg);
	}
	free(sl->regions);
	free(sl->raw);
	free(sl);
}

const struct pia_region *
pia_serverlist_region(const struct pia_serverlist *sl, const char *id)
{
	size_t i;

	for (i = 0; i < sl->nregions; i++)
		if (sl->regions[i].id != NULL &&
		    strcmp(sl->regions[i].id, id) == 0)
			return &sl->regions[i];
	return NULL;
}

int
pia_serverlist_save(const struct pia_serverlist *sl, const char *path,
    char *err, size_t errlen)
{
	json_t	*o = NULL;
	char	*tmp = NULL, *text = NULL;
	size_t	 tlen;
	int	 fd = -1, rc = -1;

	if (sl->raw == NULL) {
		pia_errbuf(err, errlen, "server list: nothing signed to save");
		return -1;
	}
	o = json_pack("{s:I, s:s%}", "fetched_at", (json_int_t)sl->fetched_at,
	    "signed", sl->raw, sl->rawlen);
	if (o == NULL || (text = json_dumps(o, JSON_COMPACT)) == NULL ||
	    asprintf(&tmp, "%s.tmp", path) == -1) {
		tmp = NULL;
		pia_errbuf(err, errlen, "server list: out of memory");
		goto out;
	}
	tlen = strlen(text);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || write(fd, text, tlen) != (ssize_t)tlen ||
	    write(fd, "\n", 1) != 1 || fsync(fd) == -1) {
		pia_errbuf(err, errlen, "server list: write %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		pia_errbuf(err, errlen, "server list: close %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		pia_errbuf(err, errlen, "server list: rename to %s: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (rc == -1 && tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(text);
	json_decref(o);
	return rc;
}

struct pia_serverlist *
pia_serverlist_load(const char *path, EVP_PKEY *key, char *err,
    size_t errlen)
{
	struct pia_serverlist	*sl;
	json_error_t		 jerr;
	json_t			*o, *s, *f;
	char			 e[256];

	o = json_load_file(path, 0, &jerr);
	if (o == NULL) {
		pia_errbuf(err, errlen, "server list %s: %s", path, jerr.text);
		return NULL;
	}
	s = json_object_get(o, "signed");
	f = json_object_get(o, "fetched_at");
	if (!json_is_string(s) || !json_is_integer(f)) {
		pia_errbuf(err, errlen, "server list %s: not a saved server "
		    "list", path);
		json_decref(o);
		return NULL;
	}
	sl = pia_serverlist_verify_parse(json_string_value(s),
	    json_string_length(s), key, e, sizeof(e));
	if (sl == NULL)
		pia_errbuf(err, errlen, "%s (saved in %s)", e, path);
	else
		sl->fetched_at = (time_t)json_integer_value(f);
	json_decref(o);
	return sl;
}
