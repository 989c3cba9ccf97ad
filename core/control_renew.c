/* SPDX-License-Identifier: ISC */
/*
 * `renew`: enter RENEW now, or as soon as STEADY is reached again.
 */
#include <jansson.h>

#include "core/context.h"
#include "core/control_priv.h"

json_t *
control_cmd_renew(struct control_client *c, const json_t *req, char *err,
    size_t errlen)
{
	struct piad_ctx *ctx = c->ctl->ctx;

	ctx->renew_due = true;
	fsm_dispatch(ctx, EV_RENEW_DUE, CAUSE_NONE, "renew asked by pid %ld",
	    (long)c->pid);
	return json_pack("{s:s}", "state", fsm_state_names[ctx->fsm.state]);
}
