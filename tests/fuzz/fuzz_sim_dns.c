/* SPDX-License-Identifier: ISC */
/* Fuzz piasim's DNS responder with arbitrary queries. */
#include <stdint.h>
#include <string.h>

#include "tests/sim/dns.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct simdns_zone	zone;
	uint8_t			out[SIMDNS_MAXMSG];
	int			n;

	memset(&zone, 0, sizeof(zone));
	n = simdns_answer(data, size, out, sizeof(out), &zone);
	if (n > (int)sizeof(out))
		__builtin_trap();
	return 0;
}
