/* SPDX-License-Identifier: ISC */
/*
 * The control socket server (design section 11): a unix stream socket,
 * one JSON object per line each way, requests {"v":1,"cmd":"..."},
 * replies {"v":1,"ok":true,"result":...} or {"v":1,"ok":false,
 * "error":"..."}. Peers are checked with SO_PEERCRED: root, or a member
 * of control_group. Commands live one per file (core/control_*.c) in a
 * table (control_cmds.c). See docs/control.md.
 */
#ifndef PIAD_CORE_CONTROL_H
#define PIAD_CORE_CONTROL_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

struct piad_ctx;
struct control;

#define CONTROL_VERSION		1
#define CONTROL_FRAME_MAX	(64 * 1024)	/* bytes per line, each way */
#define CONTROL_WATCH_BACKLOG	(1024 * 1024)	/* a watcher this far behind
						   is dropped */
#define CONTROL_DEFAULT_SOCKET	"/run/piad/control.sock"

/* The fixed error words (the reload error adds ": details"). */
#define CTLERR_DENIED		"denied"
#define CTLERR_BAD_JSON		"bad-json"
#define CTLERR_BAD_REQUEST	"bad-request"
#define CTLERR_BAD_VERSION	"bad-version"
#define CTLERR_UNKNOWN		"unknown-command"
#define CTLERR_TOO_LARGE	"too-large"
#define CTLERR_INVALID_CONFIG	"invalid-config"
#define CTLERR_UNSUPPORTED	"unsupported"
#define CTLERR_INTERNAL		"internal"

/*
 * Listen on path (mode 0660, owner root, group `group` if not NULL) for
 * ctx. A stale socket file is replaced; one a live daemon answers on is
 * not. NULL on failure with a message in err. The server registers itself
 * as ctx->ctl and as an FSM observer; control_free undoes both and
 * removes the socket file.
 */
struct control	*control_new(struct piad_ctx *, const char *path,
		    const char *group, char *err, size_t errlen);
void		 control_free(struct control *);
/* Change the allowed group on reload (NULL: root only); 0 / -1. */
int		 control_set_group(struct control *, const char *group,
		    char *err, size_t errlen);

/* Send an event to every `watch` client; ev is borrowed. */
void		 control_publish(struct control *, json_t *ev);
size_t		 control_nclients(const struct control *);

/*
 * Parse one request frame (without its newline). NULL on success with
 * *req (caller owns, json_decref) and *cmd (points into *req); otherwise
 * the error word and nothing to free.
 */
const char	*control_parse_request(const char *buf, size_t len,
		    json_t **req, const char **cmd);
/* One reply line, newline included; caller frees. NULL: out of memory. */
char		*control_reply_ok(json_t *result);	/* steals result */
char		*control_reply_error(const char *err);

#endif
