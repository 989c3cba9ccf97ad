/* SPDX-License-Identifier: ISC */
/*
 * Parse and format durations ("15m", "30d", "1h30m"). The formatter emits
 * the shortest exact form so that a normalized config reads back to the
 * same number of seconds.
 */
#include <stdio.h>
#include <string.h>

#include "core/duration.h"

static const struct {
	char		 unit;
	uint64_t	 secs;
} duration_units[] = {
	{ 'd', 86400 },
	{ 'h', 3600 },
	{ 'm', 60 },
	{ 's', 1 },
};

#define NUNITS	(sizeof(duration_units) / sizeof(duration_units[0]))

static int
duration_unit(char c, uint64_t *secs)
{
	size_t i;

	for (i = 0; i < NUNITS; i++)
		if (duration_units[i].unit == c) {
			*secs = duration_units[i].secs;
			return 0;
		}
	return -1;
}

int
duration_parse(const char *s, uint64_t *secs, char *why, size_t whylen)
{
	const char	*p = s;
	uint64_t	 total = 0, n, mult;
	int		 last = -1;	/* index of the previous unit */
	size_t		 i;

	if (*p == '\0') {
		snprintf(why, whylen, "empty");
		return -1;
	}
	while (*p != '\0') {
		if (*p < '0' || *p > '9') {
			snprintf(why, whylen, "expected a number followed by "
			    "a unit (s, m, h or d), like 15m");
			return -1;
		}
		n = 0;
		while (*p >= '0' && *p <= '9') {
			/* Saturate: the bound check below rejects it. */
			if (n <= DURATION_MAX)
				n = n * 10 + (uint64_t)(*p - '0');
			p++;
		}
		if (*p == '\0') {
			snprintf(why, whylen, "missing unit (s, m, h or d)");
			return -1;
		}
		if (p[0] == 'm' && p[1] == 's') {
			snprintf(why, whylen, "milliseconds are not supported "
			    "(whole seconds only)");
			return -1;
		}
		if (duration_unit(*p, &mult) == -1) {
			if (*p >= 0x21 && *p <= 0x7e)
				snprintf(why, whylen, "unknown unit '%c' "
				    "(use s, m, h or d)", *p);
			else
				snprintf(why, whylen, "unknown unit "
				    "(use s, m, h or d)");
			return -1;
		}
		/* Units must go from large to small, each once ("1h30m"). */
		for (i = 0; duration_units[i].unit != *p; i++)
			;
		if ((int)i <= last) {
			snprintf(why, whylen, "units must go from larger to "
			    "smaller, each once (like 1h30m)");
			return -1;
		}
		last = (int)i;
		p++;
		if (n > DURATION_MAX || n * mult > DURATION_MAX ||
		    total + n * mult > DURATION_MAX) {
			snprintf(why, whylen, "too long (at most 365d)");
			return -1;
		}
		total += n * mult;
	}
	if (total == 0) {
		snprintf(why, whylen, "must be longer than 0s");
		return -1;
	}
	*secs = total;
	return 0;
}

int
duration_format(uint64_t secs, char *buf, size_t len)
{
	size_t i;

	/*
	 * The largest single unit that divides exactly ("90m" rather than
	 * "1h30m"): that is how people write timers, and it reads back to
	 * the same number of seconds.
	 */
	for (i = 0; i + 1 < NUNITS; i++)
		if (secs != 0 && secs % duration_units[i].secs == 0)
			break;
	return snprintf(buf, len, "%llu%c",
	    (unsigned long long)(secs / duration_units[i].secs),
	    duration_units[i].unit);
}
