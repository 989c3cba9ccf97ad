/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the config parser: any bytes in, a config or a message out, never
 * a crash or a leak. A config that parses must also print, and its
 * normalized form must parse again and diff against itself as empty.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			 err[CONFIG_ERRLEN];
	struct piad_config	*cfg, *again;
	struct config_diff	 d;
	json_t			*j;
	char			*text;

	cfg = config_parse_text((const char *)data, size, "fuzz", err,
	    sizeof(err));
	if (cfg == NULL) {
		if (strlen(err) == 0)
			abort();	/* a rejection must say why */
		return 0;
	}
	if ((j = config_to_json(cfg)) == NULL)
		abort();
	text = json_dumps(j, 0);
	json_decref(j);
	if (text == NULL)
		abort();
	again = config_parse_text(text, strlen(text), "normalized", err,
	    sizeof(err));
	free(text);
	if (again == NULL)
		abort();	/* normalized output must be valid */
	if (config_diff(cfg, again, &d, err, sizeof(err)) != 0 ||
	    d.changes != 0)
		abort();
	config_diff_free(&d);
	config_free(again);
	config_free(cfg);
	return 0;
}
