/* SPDX-License-Identifier: ISC */
/*
 * `watch`: the reply confirms with the current state, then the connection
 * stays open and carries one event object per line (control_publish):
 * {"v":1,"event":"transition"|"port"|"error",...}.
 */
#include <stdio.h>

#include <jansson.h>

#include "core/context.h"
#include "core/control_priv.h"

json_t *
control_cmd_watch(struct control_client *c, const json_t *req, char *err,
    size_t errlen)
{
	c->watching = true;
	return json_pack("{s:b, s:s}", "watching", 1,
	    "state", fsm_state_names[c->ctl->ctx->fsm.state]);
}
