/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the server list: the signature gate (split, base64, verify against
 * the shipped PIA key, which random input never passes) and, since the
 * gate would hide it, the JSON parser on the part before the blank line.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "pia/serverlist.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static EVP_PKEY		*key;
	struct pia_serverlist	*sl;
	const char		*text = (const char *)data;
	const uint8_t		*sep;
	char			 err[256];
	size_t			 jl = size, i;

	if (key == NULL)
		key = pia_serverlist_load_pubkey(PIAD_SRCDIR
		    "/data/serverlist-pubkey.pem", err, sizeof(err));
	if (key != NULL) {
		sl = pia_serverlist_verify_parse(text, size, key, err,
		    sizeof(err));
		pia_serverlist_free(sl);
	}
	if (size >= 2 && (sep = memmem(data, size, "\n\n", 2)) != NULL)
		jl = (size_t)(sep - data);
	sl = pia_serverlist_parse_json(text, jl, err, sizeof(err));
	if (sl != NULL) {
		for (i = 0; i < sl->nregions; i++)
			(void)pia_serverlist_region(sl, sl->regions[i].id);
		pia_serverlist_free(sl);
	}
	return 0;
}
