/* SPDX-License-Identifier: ISC */
/*
 * The status structure's few helpers (see status.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/status.h"

int
status_set_containers(struct piad_status *st, const struct status_container *c,
    size_t n)
{
	struct status_container *copy = NULL;

	if (n > 0) {
		if ((copy = calloc(n, sizeof(*copy))) == NULL)
			return -1;
		memcpy(copy, c, n * sizeof(*copy));
	}
	free(st->containers);
	st->containers = copy;
	st->ncontainers = n;
	return 0;
}

void
status_clear(struct piad_status *st)
{
	free(st->containers);
	memset(st, 0, sizeof(*st));
}

int64_t
status_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}
