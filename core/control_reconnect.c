/* SPDX-License-Identifier: ISC */
/*
 * `reconnect`: go to AUTH and choose another server. Before the tunnel
 * exists (BOOTSTRAP) there is nothing to reconnect and the table ignores
 * it; the reply's state says where piad is.
 */
#include <jansson.h>

#include "core/context.h"
#include "core/control_priv.h"

json_t *
control_cmd_reconnect(struct control_client *c, const json_t *req,
    char *err, size_t errlen)
{
	struct piad_ctx *ctx = c->ctl->ctx;

	fsm_dispatch(ctx, EV_RECONNECT, CAUSE_NONE,
	    "reconnect asked by pid %ld", (long)c->pid);
	return json_pack("{s:s}", "state", fsm_state_names[ctx->fsm.state]);
}
