/* SPDX-License-Identifier: ISC */
/*
 * Fuzz URL decoding and parameter lookup (piasim and tests decode what
 * clients send), and check that encoding round-trips.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pia/urlenc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *d, *e, *back;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if ((d = urldec(s, size, true)) != NULL) {
		/* A decoded value re-encodes and decodes to itself. */
		if ((e = urlenc(d)) != NULL) {
			back = urldec(e, strlen(e), false);
			if (back == NULL || strcmp(back, d) != 0)
				abort();
			free(back);
			free(e);
		}
		free(d);
	}
	free(urlenc_param(s, "pt"));
	free(urlenc_param(s, ""));
	free(s);
	return 0;
}
