/* SPDX-License-Identifier: ISC */
/*
 * Durations as people write them in the config: an integer and a unit
 * ("10s", "15m", "1h", "30d"), optionally chained ("1h30m"). Whole
 * seconds only: every timer piad has is seconds or longer, and a bare
 * number is refused because "15" could mean anything.
 */
#ifndef PIAD_CORE_DURATION_H
#define PIAD_CORE_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Upper bound accepted by duration_parse: 365 days. */
#define DURATION_MAX	(365ULL * 24 * 3600)

/*
 * Parse S into seconds. Returns 0, or -1 with a short reason (without the
 * input) in why, e.g. "unknown unit 'x' (use s, m, h or d)".
 */
int	duration_parse(const char *s, uint64_t *secs, char *why,
	    size_t whylen);

/*
 * Format SECS the way duration_parse reads it, in the largest unit that
 * divides it exactly: 900 -> "15m", 5400 -> "90m", 2592000 -> "30d",
 * 90061 -> "90061s"; 0 -> "0s". Returns what snprintf returns.
 */
int	duration_format(uint64_t secs, char *buf, size_t len);

#endif
