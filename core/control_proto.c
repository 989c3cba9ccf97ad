/* SPDX-License-Identifier: ISC */
/*
 * Control frames: the request parser (fuzzed: tests/fuzz/fuzz_control.c)
 * and the two reply shapes. A request is one JSON object with "v":1 and
 * a string "cmd"; anything else gets one of the fixed error words.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/control.h"
#include "core/control_priv.h"

const char *
control_parse_request(const char *buf, size_t len, json_t **reqp,
    const char **cmdp)
{
	json_t		*req, *v, *cmd;
	json_error_t	 jerr;

	*reqp = NULL;
	*cmdp = NULL;
	if (len > CONTROL_FRAME_MAX)
		return CTLERR_TOO_LARGE;
	/* a trailing CR from a telnet-ish client is not an error */
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	req = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL)
		return CTLERR_BAD_JSON;
	if (!json_is_object(req)) {
		json_decref(req);
		return CTLERR_BAD_REQUEST;
	}
	v = json_object_get(req, "v");
	if (!json_is_integer(v) || json_integer_value(v) != CONTROL_VERSION) {
		json_decref(req);
		return CTLERR_BAD_VERSION;
	}
	cmd = json_object_get(req, "cmd");
	if (!json_is_string(cmd) || json_string_length(cmd) == 0 ||
	    strlen(json_string_value(cmd)) != json_string_length(cmd)) {
		json_decref(req);
		return CTLERR_BAD_REQUEST;
	}
	*reqp = req;
	*cmdp = json_string_value(cmd);
	return NULL;
}

json_t *
control_text(const char *s)
{
	json_t	*j;
	char	*copy, *p;

	if ((j = json_string(s)) != NULL)
		return j;
	if ((copy = strdup(s)) == NULL)
		return NULL;
	for (p = copy; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static char *
control_dump_line(json_t *o)
{
	char	*s, *line;
	size_t	 n;

	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (s == NULL)
		return NULL;
	n = strlen(s);
	if ((line = realloc(s, n + 2)) == NULL) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

char *
control_reply_ok(json_t *result)
{
	json_t *o;

	if (result == NULL)
		return NULL;
	o = json_pack("{s:i, s:b, s:o}", "v", CONTROL_VERSION, "ok", 1,
	    "result", result);
	return control_dump_line(o);
}

char *
control_reply_error(const char *err)
{
	return control_dump_line(json_pack("{s:i, s:b, s:s}", "v",
	    CONTROL_VERSION, "ok", 0, "error", err));
}
