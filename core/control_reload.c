/* SPDX-License-Identifier: ISC */
/*
 * `reload`: as SIGHUP. A bad file leaves the running config alone; the
 * reply carries the validation errors, one per line joined by "; ", after
 * "invalid-config: ".
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/context.h"
#include "core/control_priv.h"

json_t *
control_cmd_reload(struct control_client *c, const json_t *req, char *err,
    size_t errlen)
{
	struct piad_ctx	*ctx = c->ctl->ctx;
	char		 msg[4096], *p;
	int		 n;

	if (ctx->reload == NULL) {
		snprintf(err, errlen, "%s", CTLERR_UNSUPPORTED);
		return NULL;
	}
	msg[0] = '\0';
	if (ctx->reload(ctx, msg, sizeof(msg)) == -1) {
		/* one reply line: newlines in the list become "; " */
		n = snprintf(err, errlen, "%s: ", CTLERR_INVALID_CONFIG);
		for (p = msg; *p != '\0' && n >= 0 && (size_t)n + 3 < errlen;
		    p++) {
			if (*p == '\n') {
				err[n++] = ';';
				err[n++] = ' ';
			} else
				err[n++] = *p;
		}
		if (n >= 0 && (size_t)n < errlen)
			err[n] = '\0';
		return NULL;
	}
	return json_pack("{s:b, s:s}", "reloaded", 1,
	    "state", fsm_state_names[ctx->fsm.state]);
}
