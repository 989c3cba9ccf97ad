/* SPDX-License-Identifier: ISC */
/*
 * Fuzz piasim's token-body decoder: the first line of the input is the
 * Content-Type, the rest the body; the first byte also picks a query
 * parameter lookup on the body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sim/form.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct simform_creds	 c;
	const char		*err, *nl, *rest;
	char			*ctype, *body, v[64];
	size_t			 clen, blen;

	if ((nl = memchr(data, '\n', size)) == NULL)
		nl = (const char *)data + size;
	clen = (size_t)(nl - (const char *)data);
	rest = clen < size ? nl + 1 : nl;
	blen = size - (size_t)(rest - (const char *)data);
	if ((ctype = malloc(clen + 1)) == NULL)
		return 0;
	memcpy(ctype, data, clen);
	ctype[clen] = '\0';
	if ((body = malloc(blen + 1)) == NULL) {
		free(ctype);
		return 0;
	}
	memcpy(body, rest, blen);
	body[blen] = '\0';
	(void)simform_credentials(ctype, body, blen, &c, &err);
	(void)simform_param(body, "pubkey", v, sizeof(v));
	free(body);
	free(ctype);
	return 0;
}
