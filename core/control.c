/* SPDX-License-Identifier: ISC */
/*
 * The control socket server: listener, peer check, line framing and
 * dispatch to the command table; also the fan-out of events to `watch`
 * clients (transitions from the FSM, port changes, warnings from the log).
 *
 * Peers: SO_PEERCRED gives uid, gid and pid. Root is always allowed; with
 * control_group set, so is a peer whose primary group or any of whose
 * supplementary groups (read from /proc/PID/status, i.e. the groups the
 * connecting process really has, no NSS lookup on the loop) is that group.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "core/context.h"
#include "core/control.h"
#include "core/control_priv.h"
#include "core/log.h"

static void	control_client_free(struct control_client *);
static void	control_observer(struct piad_ctx *,
		    const struct fsm_transition *, void *);
static void	control_log_hook(enum log_level, const char *, void *);

size_t
control_nclients(const struct control *ctl)
{
	return ctl->nclients;
}

/* Queue one line; a reply too big for a frame becomes "too-large". */
static void
control_send_line(struct control_client *c, char *line)
{
	if (line == NULL) {
		line = control_reply_error(CTLERR_INTERNAL);
		if (line == NULL)
			return;
	}
	if (strlen(line) > CONTROL_FRAME_MAX + 1) {
		free(line);
		if ((line = control_reply_error(CTLERR_TOO_LARGE)) == NULL)
			return;
	}
	bufferevent_write(c->bev, line, strlen(line));
	free(line);
}

static void
control_send_error_and_close(struct control_client *c, const char *err)
{
	control_send_line(c, control_reply_error(err));
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
}

static void
control_exec(struct control_client *c, const char *buf, size_t len)
{
	const struct control_cmd	*cmd;
	const char			*perr, *name;
	json_t				*req, *result;
	char				 err[CONTROL_FRAME_MAX / 4];

	if ((perr = control_parse_request(buf, len, &req, &name)) != NULL) {
		log_debug("control: pid %ld: %s", (long)c->pid, perr);
		control_send_line(c, control_reply_error(perr));
		return;
	}
	if ((cmd = control_cmd_find(name)) == NULL) {
		log_debug("control: pid %ld: unknown command", (long)c->pid);
		control_send_line(c, control_reply_error(CTLERR_UNKNOWN));
		json_decref(req);
		return;
	}
	log_debug("control: pid %ld: %s", (long)c->pid, cmd->name);
	err[0] = '\0';
	result = cmd->exec(c, req, err, sizeof(err));
	json_decref(req);
	if (result != NULL)
		control_send_line(c, control_reply_ok(result));
	else
		control_send_line(c, control_reply_error(err[0] != '\0' ?
		    err : CTLERR_INTERNAL));
}

static void
control_read_cb(struct bufferevent *bev, void *arg)
{
	struct control_client	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 eol;
	size_t			 eol_len, n;
	char			*line;

	while (!c->closing) {
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if (eol.pos == -1) {
			/* no end of line within the cap: framing is lost */
			if (evbuffer_get_length(in) > CONTROL_FRAME_MAX)
				control_send_error_and_close(c,
				    CTLERR_TOO_LARGE);
			return;
		}
		n = (size_t)eol.pos;
		if (n > CONTROL_FRAME_MAX) {
			control_send_error_and_close(c, CTLERR_TOO_LARGE);
			return;
		}
		if ((line = malloc(n + 1)) == NULL) {
			control_send_error_and_close(c, CTLERR_INTERNAL);
			return;
		}
		evbuffer_remove(in, line, n);
		evbuffer_drain(in, eol_len);
		line[n] = '\0';
		if (n > 0)
			control_exec(c, line, n);
		free(line);
	}
}

static void
control_write_cb(struct bufferevent *bev, void *arg)
{
	struct control_client	*c = arg;
	char			 sink[4096];
	evutil_socket_t		 fd;

	if (!c->closing ||
	    evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	/*
	 * Closing a unix socket with unread input makes the peer's next
	 * read fail with ECONNRESET, possibly before it read our last
	 * reply ("too-large", "denied"): swallow what it sent first.
	 */
	fd = bufferevent_getfd(bev);
	shutdown(fd, SHUT_WR);
	while (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
	control_client_free(c);
}

static void
control_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct control_client *c = arg;

	if (what & BEV_EVENT_ERROR) {
		/* a peer gone mid-reply: nothing more to say */
		control_client_free(c);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		/* half-closed after its request: finish the reply first */
		if (evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
			c->closing = true;
			c->watching = false;
			bufferevent_disable(bev, EV_READ);
			return;
		}
		control_client_free(c);
	}
}

static void
control_client_free(struct control_client *c)
{
	struct control *ctl = c->ctl;

	TAILQ_REMOVE(&ctl->clients, c, entry);
	ctl->nclients--;
	/* libevent defers the real free if this bufferevent is in a callback */
	bufferevent_free(c->bev);
	free(c);
}

/* Is gid among the groups of process pid? */
static bool
control_pid_in_group(pid_t pid, gid_t gid)
{
	char	 path[64], line[4096], *p, *end;
	FILE	*f;
	bool	 found = false;
	unsigned long g;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Groups:", 7) != 0)
			continue;
		for (p = line + 7; *p != '\0' && !found; p = end) {
			errno = 0;
			g = strtoul(p, &end, 10);
			if (end == p)
				break;
			if (errno == 0 && g == (unsigned long)gid)
				found = true;
		}
		break;
	}
	fclose(f);
	return found;
}

static bool
control_peer_allowed(struct control *ctl, const struct ucred *cr)
{
	if (cr->uid == 0)
		return true;
	if (!ctl->have_group)
		return false;
	return cr->gid == ctl->gid || control_pid_in_group(cr->pid, ctl->gid);
}

static void
control_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct control		*ctl = arg;
	struct control_client	*c;
	struct ucred		 cr;
	socklen_t		 crlen = sizeof(cr);

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("control: client");
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->bev = bufferevent_socket_new(ctl->ctx->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		log_warnx("control: bufferevent");
		close(fd);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&ctl->clients, c, entry);
	ctl->nclients++;
	bufferevent_setcb(c->bev, control_read_cb, control_write_cb,
	    control_event_cb, c);
	/* stop reading past one frame; the read callback then says so */
	bufferevent_setwatermark(c->bev, EV_READ, 0, CONTROL_FRAME_MAX + 2);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == -1) {
		log_warn("control: SO_PEERCRED");
		control_send_error_and_close(c, CTLERR_DENIED);
		bufferevent_enable(c->bev, EV_WRITE);
		return;
	}
	c->pid = cr.pid;
	c->uid = cr.uid;
	if (!control_peer_allowed(ctl, &cr)) {
		log_info("control: denied uid %ld gid %ld pid %ld",
		    (long)cr.uid, (long)cr.gid, (long)cr.pid);
		ctl->ctx->status.counters.control_denied++;
		control_send_error_and_close(c, CTLERR_DENIED);
		bufferevent_enable(c->bev, EV_WRITE);
		return;
	}
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void
control_accept_error_cb(struct evconnlistener *l, void *arg)
{
	/* EMFILE and friends: log and keep listening */
	log_warn("control: accept");
}

/* Refuse to take over a socket a live daemon is answering on. */
static int
control_unlink_stale(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	int			 fd, rc;

	if (lstat(path, &sb) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(sb.st_mode)) {
		snprintf(err, errlen, "control socket %s: exists and is not "
		    "a socket", path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		snprintf(err, errlen, "control socket %s: in use by another "
		    "daemon", path);
		return -1;
	}
	return unlink(path);
}

int
control_set_group(struct control *ctl, const char *group, char *err,
    size_t errlen)
{
	struct group	*gr;
	gid_t		 gid = 0;

	if (group != NULL) {
		errno = 0;
		if ((gr = getgrnam(group)) == NULL) {
			snprintf(err, errlen, "control_group: no group %s",
			    group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	/* root owns it either way; only a group widens access */
	if (chown(ctl->path, 0, gid) == -1 && geteuid() == 0) {
		snprintf(err, errlen, "control socket %s: chown: %s",
		    ctl->path, strerror(errno));
		return -1;
	}
	ctl->have_group = group != NULL;
	ctl->gid = gid;
	return 0;
}

struct control *
control_new(struct piad_ctx *ctx, const char *path, const char *group,
    char *err, size_t errlen)
{
	struct control		*ctl;
	struct sockaddr_un	 sun;
	char			*dir, *slash;
	mode_t			 old;
	int			 fd = -1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket %s: path too long", path);
		return NULL;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL ||
	    (ctl->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto free_ctl;
	}
	ctl->ctx = ctx;
	TAILQ_INIT(&ctl->clients);

	/* /run/piad may not exist yet on a fresh boot */
	if ((dir = strdup(path)) != NULL) {
		if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
			*slash = '\0';
			if (mkdir(dir, 0755) == -1 && errno != EEXIST)
				log_warn("control: mkdir %s", dir);
		}
		free(dir);
	}
	if (control_unlink_stale(path, err, errlen) == -1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "control socket %s: %s", path,
			    strerror(errno));
		goto free_ctl;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(err, errlen, "control socket: %s", strerror(errno));
		goto free_ctl;
	}
	/* no window in which the socket is wider open than 0660 */
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		snprintf(err, errlen, "control socket %s: bind: %s", path,
		    strerror(errno));
		goto close_fd;
	}
	umask(old);
	if (chmod(path, 0660) == -1 ||
	    control_set_group(ctl, group, err, errlen) == -1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "control socket %s: chmod: %s",
			    path, strerror(errno));
		goto unlink_path;
	}
	ctl->listener = evconnlistener_new(ctx->base, control_accept_cb, ctl,
	    LEV_OPT_CLOSE_ON_FREE, 128, fd);
	if (ctl->listener == NULL) {
		snprintf(err, errlen, "control socket %s: listen: %s", path,
		    strerror(errno));
		goto unlink_path;
	}
	fd = -1;
	evconnlistener_set_error_cb(ctl->listener, control_accept_error_cb);
	if (fsm_add_observer(ctx, control_observer, ctl) == -1) {
		snprintf(err, errlen, "control: too many observers");
		goto free_listener;
	}
	ctl->published_port = ctx->status.pf.port;
	log_set_hook(control_log_hook, ctl);
	ctx->ctl = ctl;
	log_info("control: listening on %s", path);
	return ctl;

free_listener:
	evconnlistener_free(ctl->listener);
unlink_path:
	unlink(path);
close_fd:
	if (fd != -1)
		close(fd);
free_ctl:
	if (ctl != NULL)
		free(ctl->path);
	free(ctl);
	return NULL;
}

void
control_free(struct control *ctl)
{
	struct control_client *c;

	if (ctl == NULL)
		return;
	log_set_hook(NULL, NULL);
	fsm_del_observer(ctl->ctx, control_observer, ctl);
	while ((c = TAILQ_FIRST(&ctl->clients)) != NULL)
		control_client_free(c);
	evconnlistener_free(ctl->listener);
	unlink(ctl->path);
	if (ctl->ctx->ctl == ctl)
		ctl->ctx->ctl = NULL;
	free(ctl->path);
	free(ctl);
}

void
control_publish(struct control *ctl, json_t *ev)
{
	struct control_client	*c, *next;
	struct evbuffer		*out;
	char			*s;
	size_t			 n;

	if (ctl == NULL || ev == NULL)
		return;
	if ((s = json_dumps(ev, JSON_COMPACT | JSON_ENSURE_ASCII)) == NULL)
		return;
	n = strlen(s);
	for (c = TAILQ_FIRST(&ctl->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (!c->watching || c->closing)
			continue;
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) >
		    CONTROL_WATCH_BACKLOG) {
			/*
			 * Not log_warnx: that would publish again. Not freed
			 * here: we may be inside this client's own callback;
			 * the deferred write callback frees it.
			 */
			log_info("control: pid %ld: watcher too slow, dropped",
			    (long)c->pid);
			c->watching = false;
			c->closing = true;
			bufferevent_disable(c->bev, EV_READ);
			out = bufferevent_get_output(c->bev);
			evbuffer_drain(out, evbuffer_get_length(out));
			bufferevent_trigger(c->bev, EV_WRITE,
			    BEV_TRIG_IGNORE_WATERMARKS |
			    BEV_TRIG_DEFER_CALLBACKS);
			continue;
		}
		bufferevent_write(c->bev, s, n);
		bufferevent_write(c->bev, "\n", 1);
	}
	free(s);
}

static void
control_observer(struct piad_ctx *ctx, const struct fsm_transition *t,
    void *arg)
{
	struct control	*ctl = arg;
	json_t		*ev;

	ev = control_transition_json(t);
	if (ev != NULL) {
		/* "event" names the kind of line; the FSM event moves aside */
		json_object_set(ev, "fsm_event", json_object_get(ev, "event"));
		json_object_set_new(ev, "v", json_integer(CONTROL_VERSION));
		json_object_set_new(ev, "event", json_string("transition"));
		control_publish(ctl, ev);
		json_decref(ev);
	}
	if (ctx->status.pf.port != ctl->published_port) {
		ctl->published_port = ctx->status.pf.port;
		ev = json_pack("{s:i, s:s, s:i, s:o, s:I}", "v",
		    CONTROL_VERSION, "event", "port", "port",
		    (int)ctx->status.pf.port, "target",
		    control_text(ctx->status.pf.target),
		    "time", (json_int_t)status_now());
		control_publish(ctl, ev);
		json_decref(ev);
	}
}

static void
control_log_hook(enum log_level level, const char *msg, void *arg)
{
	struct control	*ctl = arg;
	json_t		*ev;

	if (ctl->in_log_hook)
		return;
	ctl->in_log_hook = true;
	ev = json_pack("{s:i, s:s, s:s, s:o, s:I}", "v", CONTROL_VERSION,
	    "event", "error", "level", log_level_name(level),
	    "message", control_text(msg), "time", (json_int_t)status_now());
	control_publish(ctl, ev);
	json_decref(ev);
	ctl->in_log_hook = false;
}
