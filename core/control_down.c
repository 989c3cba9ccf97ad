/* SPDX-License-Identifier: ISC */
/*
 * `down`: remove everything piad created (netns, bridge, tables, the
 * tunnel) and exit, like `piad --teardown` on a running daemon. The reply
 * goes out first; the daemon leaves its loop a moment later.
 */
#include <stdio.h>

#include <jansson.h>

#include "core/context.h"
#include "core/control_priv.h"

json_t *
control_cmd_down(struct control_client *c, const json_t *req, char *err,
    size_t errlen)
{
	struct piad_ctx	*ctx = c->ctl->ctx;
	char		 why[64];

	if (ctx->down == NULL) {
		snprintf(err, errlen, "%s", CTLERR_UNSUPPORTED);
		return NULL;
	}
	snprintf(why, sizeof(why), "down asked by pid %ld", (long)c->pid);
	ctx->down(ctx, why);
	return json_pack("{s:b}", "down", 1);
}
