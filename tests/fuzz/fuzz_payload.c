/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the port-forward payload decoder (base64, JSON, RFC 3339 date) and
 * the date parser on its own, on the raw input as a string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pia/payload.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pia_payload	 p;
	char			 err[128], *s;
	time_t			 sec;
	long			 nsec;

	if (pia_payload_decode((const char *)data, size, &p, err,
	    sizeof(err)) != PIA_PAYLOAD_MALFORMED)
		(void)pia_payload_expired(&p, 0);
	pia_payload_clear(&p);
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)pia_parse_rfc3339(s, &sec, &nsec);
	free(s);
	return 0;
}
