/* SPDX-License-Identifier: ISC */
/*
 * The command table: one entry per command, each implemented in its own
 * file (control_NAME.c). Adding a command is a new file and a line here.
 */
#include <string.h>

#include "core/control_priv.h"

const struct control_cmd control_cmds[] = {
	{ "status",	control_cmd_status },
	{ "watch",	control_cmd_watch },
	{ "history",	control_cmd_history },
	{ "reload",	control_cmd_reload },
	{ "reconnect",	control_cmd_reconnect },
	{ "renew",	control_cmd_renew },
	{ "metrics",	control_cmd_metrics },
	{ "down",	control_cmd_down },
};

const size_t control_ncmds = sizeof(control_cmds) / sizeof(control_cmds[0]);

const struct control_cmd *
control_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < control_ncmds; i++)
		if (strcmp(control_cmds[i].name, name) == 0)
			return &control_cmds[i];
	return NULL;
}
