/* SPDX-License-Identifier: ISC */
/*
 * PIA's server list (v6): one line of JSON, a blank line, and a base64
 * RSA-2048 PKCS#1 v1.5 SHA-256 signature over the exact JSON bytes. The
 * list decides where piad sends its credentials' token, so nothing in it
 * is used unless the signature verifies against the configured key.
 */
#ifndef PIAD_PIA_SERVERLIST_H
#define PIAD_PIA_SERVERLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

/* A real list is about 200 KiB; refuse anything absurd before parsing. */
#define PIA_SERVERLIST_MAX	(4 * 1024 * 1024)

#define PIA_IP_MAX		16	/* dotted IPv4 + NUL */
#define PIA_CN_MAX		64	/* a TLS host name label set */

struct pia_server {
	char		ip[PIA_IP_MAX];
	char		cn[PIA_CN_MAX];
};

struct pia_region {
	char			*id;
	char			*name;		/* "" if absent */
	char			*country;	/* "" if absent */
	char			*dns;		/* "" if absent */
	bool			 port_forward;
	bool			 offline;
	bool			 geo;
	bool			 auto_region;
	struct pia_server	*meta;		/* servers.meta */
	size_t			 nmeta;
	struct pia_server	*wg;		/* servers.wg */
	size_t			 nwg;
};

struct pia_serverlist {
	struct pia_region	*regions;
	size_t			 nregions;
	/* groups.wg[0].ports[0] and groups.meta[0].ports[0], else 1337, 443 */
	uint16_t		 wg_port;
	uint16_t		 meta_port;
	size_t			 nskipped;	/* malformed servers ignored */
	time_t			 fetched_at;	/* set by the caller; saved */
	/* The signed text as fetched: saved, and re-verified on load. */
	char			*raw;
	size_t			 rawlen;
};

/*
 * Load a PEM RSA public key ("BEGIN PUBLIC KEY", as PIA publishes it).
 * Returns NULL and writes err on failure. Caller frees with EVP_PKEY_free.
 */
EVP_PKEY *pia_serverlist_load_pubkey(const char *path, char *err,
	    size_t errlen);

/*
 * Verify text[0..len) (JSON "\n\n" base64-signature) with key and parse
 * it. Returns a new list the caller frees with pia_serverlist_free, or NULL
 * with err set ("server list: ..."). The list keeps a copy of text.
 */
struct pia_serverlist *pia_serverlist_verify_parse(const char *text,
	    size_t len, EVP_PKEY *key, char *err, size_t errlen);

/*
 * Signature check only: 0 if text carries a valid signature by key, else
 * -1 with err set. *jsonlen receives the length of the signed JSON part.
 */
int	pia_serverlist_verify(const char *text, size_t len, EVP_PKEY *key,
	    size_t *jsonlen, char *err, size_t errlen);

/*
 * Parse JSON that has already been verified (or is a test fixture).
 * Unknown fields and server groups are ignored; a server entry without a
 * valid ip and cn is skipped and counted in nskipped; a region without an
 * id, or a list without a regions array, is an error.
 */
struct pia_serverlist *pia_serverlist_parse_json(const char *json,
	    size_t len, char *err, size_t errlen);

void	pia_serverlist_free(struct pia_serverlist *);

/* The region with this id, or NULL. */
const struct pia_region *pia_serverlist_region(
	    const struct pia_serverlist *, const char *id);

/*
 * Persist the list to path (the state dir's serverlist.json) atomically:
 * temp file, fsync, rename, mode 0600. The file is JSON
 * {"fetched_at": SECONDS, "signed": "<the raw signed text>"}, and loading
 * re-verifies the signature, so a file edited on disk is refused like a
 * bad download. 0/-1 and NULL on error with err set.
 */
int	pia_serverlist_save(const struct pia_serverlist *, const char *path,
	    char *err, size_t errlen);
struct pia_serverlist *pia_serverlist_load(const char *path, EVP_PKEY *key,
	    char *err, size_t errlen);

#endif
