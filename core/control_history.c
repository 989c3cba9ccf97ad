/* SPDX-License-Identifier: ISC */
/*
 * `history`: the last FSM_HISTORY transitions, oldest first, each with
 * its time (epoch seconds and milliseconds), from, to, event and reason.
 */
#include <stdio.h>

#include <jansson.h>

#include "core/context.h"
#include "core/control_priv.h"

json_t *
control_transition_json(const void *p)
{
	const struct fsm_transition *t = p;

	return json_pack("{s:I, s:i, s:s, s:s, s:s, s:o}",
	    "time", (json_int_t)t->when.tv_sec,
	    "ms", (int)(t->when.tv_nsec / 1000000),
	    "from", fsm_state_names[t->from],
	    "to", fsm_state_names[t->to],
	    "event", fsm_event_names[t->ev],
	    "reason", control_text(t->reason));
}

json_t *
control_cmd_history(struct control_client *c, const json_t *req, char *err,
    size_t errlen)
{
	struct piad_ctx	*ctx = c->ctl->ctx;
	json_t		*a, *t;
	size_t		 i;

	if ((a = json_array()) == NULL)
		goto fail;
	for (i = 0; i < fsm_history_len(ctx); i++) {
		t = control_transition_json(fsm_history_at(ctx, i));
		if (t == NULL || json_array_append_new(a, t) == -1) {
			json_decref(a);
			goto fail;
		}
	}
	return a;
fail:
	snprintf(err, errlen, "%s", CTLERR_INTERNAL);
	return NULL;
}
