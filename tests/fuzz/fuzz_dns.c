/* SPDX-License-Identifier: ISC */
/* Fuzz the DNS relay's only parser: the question walk of SERVFAIL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns_relay.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	*buf;
	int	 n;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	n = dns_make_servfail(buf, size);
	if (n > (int)size)
		abort();
	free(buf);
	return 0;
}
