/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the control request parser: any bytes in one frame must yield a
 * request with a string command or one of the fixed error words, never a
 * crash or a leak; and the reply builders must cope with any error text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/control.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t		*req;
	const char	*cmd, *err;
	char		*line;

	err = control_parse_request((const char *)data, size, &req, &cmd);
	if (err == NULL) {
		if (req == NULL || cmd == NULL || strlen(cmd) == 0)
			abort();
		if ((line = control_reply_error(cmd)) != NULL) {
			if (line[strlen(line) - 1] != '\n' ||
			    strchr(line, '\n') != line + strlen(line) - 1)
				abort();
			free(line);
		}
		json_decref(req);
	} else {
		if (req != NULL || cmd != NULL)
			abort();
		if (strcmp(err, CTLERR_BAD_JSON) != 0 &&
		    strcmp(err, CTLERR_BAD_REQUEST) != 0 &&
		    strcmp(err, CTLERR_BAD_VERSION) != 0 &&
		    strcmp(err, CTLERR_TOO_LARGE) != 0)
			abort();
	}
	return 0;
}
