/* SPDX-License-Identifier: ISC */
/*
 * `metrics`: the Prometheus text exposition (core/metrics.h) as the
 * result string.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "core/context.h"
#include "core/control_priv.h"
#include "core/metrics.h"

json_t *
control_cmd_metrics(struct control_client *c, const json_t *req, char *err,
    size_t errlen)
{
	char	*text;
	json_t	*r;

	if ((text = metrics_render(c->ctl->ctx)) == NULL) {
		snprintf(err, errlen, "%s", CTLERR_INTERNAL);
		return NULL;
	}
	r = json_string(text);
	free(text);
	if (r == NULL)
		snprintf(err, errlen, "%s", CTLERR_INTERNAL);
	return r;
}
