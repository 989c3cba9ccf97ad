/* SPDX-License-Identifier: ISC */
/*
 * Inside the control server: clients, the command table, and what each
 * command file implements. Not for use outside core/control*.c.
 */
#ifndef PIAD_CORE_CONTROL_PRIV_H
#define PIAD_CORE_CONTROL_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/types.h>

#include <jansson.h>

#include "core/control.h"

struct bufferevent;
struct evconnlistener;

struct control_client {
	TAILQ_ENTRY(control_client) entry;
	struct control		*ctl;
	struct bufferevent	*bev;
	pid_t			 pid;
	uid_t			 uid;
	bool			 watching;
	bool			 closing;	/* free once output drained */
};

TAILQ_HEAD(control_clients, control_client);

struct control {
	struct piad_ctx		*ctx;
	struct evconnlistener	*listener;
	char			*path;
	bool			 have_group;
	gid_t			 gid;
	struct control_clients	 clients;
	size_t			 nclients;
	uint16_t		 published_port;
	bool			 in_log_hook;
};

/*
 * A command: returns the result (a new reference), or NULL with the
 * error word (and details) written to err.
 */
struct control_cmd {
	const char	*name;
	json_t		*(*exec)(struct control_client *, const json_t *req,
			    char *err, size_t errlen);
};

extern const struct control_cmd control_cmds[];
extern const size_t control_ncmds;

const struct control_cmd *control_cmd_find(const char *name);

json_t	*control_cmd_status(struct control_client *, const json_t *,
	    char *, size_t);
json_t	*control_cmd_watch(struct control_client *, const json_t *,
	    char *, size_t);
json_t	*control_cmd_history(struct control_client *, const json_t *,
	    char *, size_t);
json_t	*control_cmd_reload(struct control_client *, const json_t *,
	    char *, size_t);
json_t	*control_cmd_reconnect(struct control_client *, const json_t *,
	    char *, size_t);
json_t	*control_cmd_renew(struct control_client *, const json_t *,
	    char *, size_t);
json_t	*control_cmd_metrics(struct control_client *, const json_t *,
	    char *, size_t);
json_t	*control_cmd_down(struct control_client *, const json_t *,
	    char *, size_t);

/*
 * A JSON string for text that may come from outside (a server's error in
 * a reason, a hook's output): bytes that are not valid UTF-8 become '?'
 * rather than making the whole reply fail. Never NULL but when out of
 * memory.
 */
json_t	*control_text(const char *s);

/* JSON for one history entry / the status (shared by status and watch). */
json_t	*control_transition_json(const void *fsm_transition);
json_t	*control_status_json(struct piad_ctx *);

#endif
