/* SPDX-License-Identifier: ISC */
/*
 * `down`: remove everything piad created. Needs the real backend's undo
 * journal; until then `piad --teardown` is the way and this says so.
 */
#include <stdio.h>

#include <jansson.h>

#include "core/control_priv.h"

json_t *
control_cmd_down(struct control_client *c, const json_t *req, char *err,
    size_t errlen)
{
	snprintf(err, errlen, "%s", CTLERR_UNSUPPORTED);
	return NULL;
}
