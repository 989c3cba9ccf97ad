/* SPDX-License-Identifier: ISC */
/*
 * The control server, for real: a unix socket in a temp dir, the engine
 * on the fake backend, clients speaking the wire protocol. Round trips of
 * status/history/watch/metrics, every error word, oversized frames, a
 * peer that is not allowed (as root: a child that becomes nobody), many
 * clients at once, clients that vanish mid-reply, and reload with a bad
 * file keeping the old config.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "core/backend_fake.h"
#include "core/config.h"
#include "core/context.h"
#include "core/control.h"
#include "core/daemon.h"
#include "core/log.h"
#include "core/metrics.h"
#include "states/states.h"

static struct event_base	*base;
static struct piad_ctx		 ctx;
static char			 dir[64];
static char			 sock[100];
static char			 confpath[128];

static const char good_conf[] =
    "{ \"credentials_file\": \"credentials\", \"region\": \"swiss\",\n"
    "  \"containers\": {\n"
    "    \"transmission\": { \"address\": \"10.100.0.10\",\n"
    "      \"receive_forwarded_port\": { \"port\": 51413 } },\n"
    "    \"servarr\": { \"address\": \"10.100.0.11\" } } }\n";

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
setup(void)
{
	char err[CONFIG_ERRLEN];

	signal(SIGPIPE, SIG_IGN);
	log_init(LOG_LVL_ERR, "test_control");
	snprintf(dir, sizeof(dir), "/tmp/piad-test-control.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/run/control.sock", dir);
	snprintf(confpath, sizeof(confpath), "%s/config.json", dir);
	write_file(confpath, good_conf);

	base = event_base_new();
	ck_assert_int_eq(ctx_init(&ctx, base), 0);
	ctx.log_forced = true;
	ck_assert_int_eq(backend_fake_attach(&ctx), 0);
	ctx.conf = config_load(confpath, err, sizeof(err));
	ck_assert_msg(ctx.conf != NULL, "%s", err);
	ctx.conf_path = strdup(confpath);
	ck_assert_int_eq(daemon_apply_config(&ctx, ctx.conf), 0);
	ck_assert_int_eq(fsm_init(&ctx, states_all), 0);
	ck_assert_ptr_nonnull(control_new(&ctx, sock, NULL, err, sizeof(err)));
	fsm_start(&ctx);
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
}

static void
teardown(void)
{
	char cmd[128];

	control_free(ctx.ctl);
	ctx_free(&ctx);
	config_free(ctx.conf);
	free(ctx.conf_path);
	event_base_free(base);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static int
client(void)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(fd, 0);
	/* a full backlog says EAGAIN: let the server accept, try again */
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		ck_assert_int_eq(errno, EAGAIN);
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	}
	return fd;
}

static void
send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EAGAIN) {
			event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
			continue;
		}
		ck_assert_int_gt(n, 0);
		buf += n;
		len -= (size_t)n;
	}
}

static void
send_str(int fd, const char *s)
{
	send_all(fd, s, strlen(s));
}

/*
 * Run the loop until fd has a full line; returns it (caller frees), or
 * NULL at EOF. Fails after 3 s.
 */
static char *
read_line(int fd)
{
	static char	 pend[1 << 20];
	static size_t	 plen;
	static int	 pfd = -1;
	char		*nl, *line;
	ssize_t		 n;
	time_t		 end = time(NULL) + 3;

	if (pfd != fd) {
		plen = 0;
		pfd = fd;
	}
	for (;;) {
		if ((nl = memchr(pend, '\n', plen)) != NULL) {
			line = strndup(pend, (size_t)(nl - pend));
			plen -= (size_t)(nl - pend) + 1;
			memmove(pend, nl + 1, plen);
			return line;
		}
		n = read(fd, pend + plen, sizeof(pend) - plen);
		if (n == 0)
			return NULL;
		if (n > 0) {
			plen += (size_t)n;
			continue;
		}
		ck_assert_int_eq(errno, EAGAIN);
		ck_assert_msg(time(NULL) <= end, "no reply within 3 s");
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
}

static json_t *
read_json(int fd)
{
	char		*line = read_line(fd);
	json_t		*o;
	json_error_t	 jerr;

	ck_assert_ptr_nonnull(line);
	o = json_loads(line, 0, &jerr);
	ck_assert_msg(o != NULL, "not JSON: %s", line);
	free(line);
	return o;
}

/* One request on a fresh connection; the reply object. */
static json_t *
roundtrip(const char *req)
{
	int	 fd = client();
	json_t	*r;

	send_str(fd, req);
	r = read_json(fd);
	close(fd);
	return r;
}

static void
assert_error(json_t *r, const char *word)
{
	ck_assert_int_eq(json_integer_value(json_object_get(r, "v")), 1);
	ck_assert(json_is_false(json_object_get(r, "ok")));
	ck_assert_str_eq(json_string_value(json_object_get(r, "error")), word);
	json_decref(r);
}

static json_t *
result_of(json_t *r)
{
	ck_assert_msg(json_is_true(json_object_get(r, "ok")), "error: %s",
	    json_string_value(json_object_get(r, "error")));
	return json_object_get(r, "result");
}

static void
assert_keys(const json_t *o, const char *const *keys)
{
	ck_assert(json_is_object(o));
	for (; *keys != NULL; keys++)
		ck_assert_msg(json_object_get(o, *keys) != NULL,
		    "missing key %s", *keys);
}

START_TEST(test_socket_mode)
{
	struct stat sb;

	ck_assert_int_eq(stat(sock, &sb), 0);
	ck_assert(S_ISSOCK(sb.st_mode));
	ck_assert_int_eq(sb.st_mode & 07777, 0660);
	ck_assert_int_eq(sb.st_uid, geteuid());
}
END_TEST

START_TEST(test_status)
{
	static const char *const top[] = { "state", "since", "server",
	    "tunnel", "port_forward", "containers", "last_error", "counters",
	    NULL };
	static const char *const server[] = { "region", "cn", "ip", "port",
	    "vip", NULL };
	static const char *const tunnel[] = { "interface", "backend",
	    "peer_ip", "last_handshake_age_s", "rx_bytes", "tx_bytes", NULL };
	static const char *const pf[] = { "status", "port", "target",
	    "expires_at", "last_bind_age_s", NULL };
	static const char *const cont[] = { "name", "address", "netns",
	    "managed", "ok", NULL };
	json_t *r = roundtrip("{\"v\":1,\"cmd\":\"status\"}\n"), *res, *c;

	res = result_of(r);
	assert_keys(res, top);
	assert_keys(json_object_get(res, "server"), server);
	assert_keys(json_object_get(res, "tunnel"), tunnel);
	assert_keys(json_object_get(res, "port_forward"), pf);
	ck_assert_str_eq(json_string_value(json_object_get(res, "state")),
	    "STEADY");
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_object_get(res, "server"), "region")), "swiss");
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_object_get(res, "tunnel"), "interface")), "piaw");
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_object_get(res, "port_forward"), "target")),
	    "transmission 10.100.0.10:51413");
	ck_assert_int_eq(json_integer_value(json_object_get(
	    json_object_get(res, "port_forward"), "port")), ctx.status.pf.port);
	ck_assert_uint_eq(json_array_size(json_object_get(res, "containers")),
	    2);
	c = json_array_get(json_object_get(res, "containers"), 1);
	assert_keys(c, cont);
	ck_assert_str_eq(json_string_value(json_object_get(c, "name")),
	    "servarr");
	ck_assert_str_eq(json_string_value(json_object_get(c, "address")),
	    "10.100.0.11");
	ck_assert(json_is_true(json_object_get(c, "ok")));
	ck_assert(json_is_null(json_object_get(res, "last_error")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    res, "counters"), "transitions")), 5);
	json_decref(r);
}
END_TEST

/* Text from outside that is not UTF-8 must not break replies. */
START_TEST(test_not_utf8)
{
	json_t *r;

	fsm_dispatch(&ctx, EV_RECONNECT, CAUSE_NONE, "server said \xff\xfe");
	snprintf(ctx.status.last_error, sizeof(ctx.status.last_error),
	    "bad \xc3");
	r = roundtrip("{\"v\":1,\"cmd\":\"history\"}\n");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    result_of(r), 5), "reason")), "server said ??");
	json_decref(r);
	r = roundtrip("{\"v\":1,\"cmd\":\"status\"}\n");
	ck_assert_str_eq(json_string_value(json_object_get(result_of(r),
	    "last_error")), "bad ?");
	json_decref(r);
}
END_TEST

START_TEST(test_history)
{
	json_t *r = roundtrip("{\"v\":1,\"cmd\":\"history\"}\n"), *res, *t;

	res = result_of(r);
	ck_assert_uint_eq(json_array_size(res), 5);
	t = json_array_get(res, 4);
	ck_assert_str_eq(json_string_value(json_object_get(t, "from")),
	    "PF_BIND");
	ck_assert_str_eq(json_string_value(json_object_get(t, "to")), "STEADY");
	ck_assert_str_eq(json_string_value(json_object_get(t, "event")),
	    "EV_DONE");
	ck_assert_str_eq(json_string_value(json_object_get(t, "reason")),
	    "fake pf done");
	ck_assert(json_is_integer(json_object_get(t, "time")));
	json_decref(r);
}
END_TEST

START_TEST(test_watch)
{
	int	 w = client(), i;
	json_t	*r, *ev;
	bool	 port_seen = false;
	uint16_t old_port = ctx.status.pf.port;

	send_str(w, "{\"v\":1,\"cmd\":\"watch\"}\n");
	r = read_json(w);
	ck_assert_str_eq(json_string_value(json_object_get(result_of(r),
	    "state")), "STEADY");
	json_decref(r);

	/* another client asks for a reconnect: the watcher sees it all */
	r = roundtrip("{\"v\":1,\"cmd\":\"reconnect\"}\n");
	result_of(r);
	json_decref(r);
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);

	ev = read_json(w);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "event")),
	    "transition");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "from")),
	    "STEADY");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "to")), "AUTH");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "fsm_event")),
	    "EV_RECONNECT");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(ev,
	    "reason")), "reconnect asked by pid"));
	json_decref(ev);
	for (i = 0; i < 5; i++) {
		ev = read_json(w);
		if (strcmp(json_string_value(json_object_get(ev, "event")),
		    "port") == 0) {
			port_seen = true;
			ck_assert_int_eq(json_integer_value(json_object_get(ev,
			    "port")), ctx.status.pf.port);
		}
		json_decref(ev);
	}
	ck_assert(port_seen);
	ck_assert_uint_ne(ctx.status.pf.port, old_port);

	/* warnings reach watchers as error events */
	log_warnx("test: something broke");
	ev = read_json(w);
	ck_assert_str_eq(json_string_value(json_object_get(ev, "event")),
	    "error");
	ck_assert_str_eq(json_string_value(json_object_get(ev, "message")),
	    "test: something broke");
	json_decref(ev);
	close(w);
}
END_TEST

START_TEST(test_error_words)
{
	int	 fd = client();
	json_t	*r;

	/* errors keep the connection usable */
	send_str(fd, "{nope\n");
	assert_error(read_json(fd), "bad-json");
	send_str(fd, "{\"v\":2,\"cmd\":\"status\"}\n");
	assert_error(read_json(fd), "bad-version");
	send_str(fd, "{\"cmd\":\"status\"}\n");
	assert_error(read_json(fd), "bad-version");
	send_str(fd, "{\"v\":\"1\",\"cmd\":\"status\"}\n");
	assert_error(read_json(fd), "bad-version");
	send_str(fd, "{\"v\":1}\n");
	assert_error(read_json(fd), "bad-request");
	send_str(fd, "[1,2]\n");
	assert_error(read_json(fd), "bad-request");
	send_str(fd, "{\"v\":1,\"cmd\":\"status\",\"cmd\":\"x\"}\n");
	assert_error(read_json(fd), "bad-json");
	send_str(fd, "{\"v\":1,\"cmd\":\"selfdestruct\"}\n");
	assert_error(read_json(fd), "unknown-command");
	/* no down glue here: unsupported */
	send_str(fd, "{\"v\":1,\"cmd\":\"down\"}\n");
	assert_error(read_json(fd), "unsupported");
	/* two requests in one write, CRLF tolerated */
	send_str(fd, "{\"v\":1,\"cmd\":\"status\"}\r\n"
	    "{\"v\":1,\"cmd\":\"history\"}\n");
	r = read_json(fd);
	ck_assert(json_is_object(result_of(r)));
	json_decref(r);
	r = read_json(fd);
	ck_assert(json_is_array(result_of(r)));
	json_decref(r);
	close(fd);
}
END_TEST

START_TEST(test_too_large)
{
	size_t	 n = CONTROL_FRAME_MAX + 4096;
	char	*big = malloc(n);
	int	 fd;
	json_t	*r;

	/* no newline at all: cut off, told, closed */
	memset(big, ' ', n);
	fd = client();
	send_all(fd, big, n);
	assert_error(read_json(fd), "too-large");
	ck_assert_ptr_null(read_line(fd));
	close(fd);

	/* a valid request padded past the cap, newline at the end */
	memcpy(big, "{\"v\":1,\"cmd\":\"status\"", 21);
	big[n - 2] = '}';
	big[n - 1] = '\n';
	fd = client();
	send_all(fd, big, n);
	assert_error(read_json(fd), "too-large");
	close(fd);
	free(big);

	/* the server is fine */
	r = roundtrip("{\"v\":1,\"cmd\":\"status\"}\n");
	assert_keys(result_of(r), (const char *const[]){ "state", NULL });
	json_decref(r);
}
END_TEST

START_TEST(test_many_clients)
{
	enum { N = 60 };
	int	 fds[N], i;
	json_t	*r;

	for (i = 0; i < N; i++) {
		fds[i] = client();
		send_str(fds[i], i % 2 ? "{\"v\":1,\"cmd\":\"status\"}\n" :
		    "{\"v\":1,\"cmd\":\"metrics\"}\n");
	}
	for (i = N - 1; i >= 0; i--) {
		r = read_json(fds[i]);
		result_of(r);
		json_decref(r);
		close(fds[i]);
	}
	/* let the server notice the hang-ups */
	for (i = 0; i < 50 && control_nclients(ctx.ctl) > 0; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
	ck_assert_uint_eq(control_nclients(ctx.ctl), 0);
}
END_TEST

START_TEST(test_vanish_mid_reply)
{
	int	fd, i, opt = 4096;
	json_t	*r;

	fd = client();
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &opt, sizeof(opt));
	/* lots of big replies queued, then gone without reading any */
	for (i = 0; i < 200; i++)
		send_str(fd, "{\"v\":1,\"cmd\":\"metrics\"}\n");
	for (i = 0; i < 20; i++)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	close(fd);
	for (i = 0; i < 200 && control_nclients(ctx.ctl) > 0; i++) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		usleep(1000);
	}
	ck_assert_uint_eq(control_nclients(ctx.ctl), 0);
	r = roundtrip("{\"v\":1,\"cmd\":\"status\"}\n");
	result_of(r);
	json_decref(r);
}
END_TEST

/* Half-closed right after the request: the reply still comes. */
START_TEST(test_half_close)
{
	int	 fd = client();
	json_t	*r;

	send_str(fd, "{\"v\":1,\"cmd\":\"history\"}\n");
	shutdown(fd, SHUT_WR);
	r = read_json(fd);
	ck_assert(json_is_array(result_of(r)));
	json_decref(r);
	ck_assert_ptr_null(read_line(fd));
	close(fd);
}
END_TEST

/* Connect as uid/gid 65534 in a child; the reply line, or NULL. */
static char *
reply_as_nobody(const char *req)
{
	int	 p[2], status;
	pid_t	 pid;
	char	 buf[8192];
	ssize_t	 n;
	size_t	 len = 0;

	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		struct sockaddr_un sun;
		int fd;

		close(p[0]);
		if (setgroups(0, NULL) == -1 || setgid(65534) == -1 ||
		    setuid(65534) == -1)
			_exit(3);
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			_exit(4);
		if (write(fd, req, strlen(req)) == -1)
			_exit(5);
		/* one reply line is all we want */
		while ((n = read(fd, buf, sizeof(buf))) > 0) {
			if (write(p[1], buf, (size_t)n) != n)
				_exit(6);
			if (memchr(buf, '\n', (size_t)n) != NULL)
				break;
		}
		_exit(0);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		n = read(p[0], buf + len, sizeof(buf) - 1 - len);
		if (n > 0)
			len += (size_t)n;
		if (n > 0 && memchr(buf, '\n', len) != NULL)
			break;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			ck_assert_msg(WIFEXITED(status) &&
			    WEXITSTATUS(status) == 0, "child failed: %d",
			    status);
			n = read(p[0], buf + len, sizeof(buf) - 1 - len);
			if (n > 0)
				len += (size_t)n;
			pid = -1;
			break;
		}
		usleep(1000);
	}
	if (pid != -1) {
		while (waitpid(pid, &status, WNOHANG) == 0)
			event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	}
	close(p[0]);
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	return len > 0 ? strdup(buf) : NULL;
}

START_TEST(test_peer_denied)
{
	char *line, err[256];

	if (geteuid() != 0) {
		fprintf(stderr, "test_peer_denied: not root, skipped\n");
		return;
	}
	/* let nobody reach the socket so SO_PEERCRED has to decide */
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(chmod(sock, 0666), 0);
	line = reply_as_nobody("{\"v\":1,\"cmd\":\"status\"}\n");
	ck_assert_ptr_nonnull(line);
	ck_assert_str_eq(line, "{\"v\":1,\"ok\":false,\"error\":\"denied\"}");
	free(line);
	ck_assert_uint_eq(ctx.status.counters.control_denied, 1);

	/* a member of control_group is let in */
	ck_assert_ptr_nonnull(getgrgid(65534));
	ck_assert_int_eq(control_set_group(ctx.ctl, getgrgid(65534)->gr_name,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(chmod(sock, 0666), 0);
	line = reply_as_nobody("{\"v\":1,\"cmd\":\"history\"}\n");
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_nonnull(strstr(line, "\"ok\":true"));
	free(line);
}
END_TEST

START_TEST(test_reload)
{
	struct piad_config	*before = ctx.conf;
	json_t			*r, *st;
	const char		*e;

	/* no reload glue: unsupported */
	assert_error(roundtrip("{\"v\":1,\"cmd\":\"reload\"}\n"),
	    "unsupported");
	ctx.reload = daemon_reload;

	write_file(confpath, "{ \"credentials_file\": \"c\", "
	    "\"region\": \"swiss\", \"containers\": { \"servarr\": "
	    "{ \"address\": \"10.200.0.11\" } } }\n");
	r = roundtrip("{\"v\":1,\"cmd\":\"reload\"}\n");
	ck_assert(json_is_false(json_object_get(r, "ok")));
	e = json_string_value(json_object_get(r, "error"));
	ck_assert_msg(strncmp(e, "invalid-config: containers.servarr.address: ",
	    44) == 0, "got %s", e);
	json_decref(r);
	/* the old config runs on, and status says what went wrong */
	ck_assert_ptr_eq(ctx.conf, before);
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	r = roundtrip("{\"v\":1,\"cmd\":\"status\"}\n");
	st = result_of(r);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(st,
	    "last_error")), "reload: containers.servarr.address: "));
	ck_assert_uint_eq(json_array_size(json_object_get(st, "containers")),
	    2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    st, "counters"), "reload_failures")), 1);
	json_decref(r);

	/* a good file with one more container is taken */
	write_file(confpath, "{ \"credentials_file\": \"credentials\", "
	    "\"region\": \"swiss\", "
	    "\"timers\": { \"probe_interval\": \"5s\" }, "
	    "\"containers\": {\n"
	    "\"transmission\": { \"address\": \"10.100.0.10\",\n"
	    "  \"receive_forwarded_port\": { \"port\": 51413 } },\n"
	    "\"servarr\": { \"address\": \"10.100.0.11\" },\n"
	    "\"jellyfin\": { \"address\": \"10.100.0.12\" } } }\n");
	r = roundtrip("{\"v\":1,\"cmd\":\"reload\"}\n");
	ck_assert(json_is_true(json_object_get(result_of(r), "reloaded")));
	json_decref(r);
	ck_assert_ptr_ne(ctx.conf, before);
	ck_assert_uint_eq(ctx.status.ncontainers, 3);
	ck_assert_str_eq(ctx.status.containers[2].name, "jellyfin");
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	/* it went through BOOTSTRAP for the new container */
	ck_assert_int_eq(fsm_history_at(&ctx, 5)->to, ST_BOOTSTRAP);
	/* the new probe period runs at once */
	ck_assert_uint_eq(ctx.probe_interval_ms, 5000);
	ck_assert(event_pending(ctx.probe_ev, EVFLAG_TIMEOUT, NULL));
}
END_TEST

static void
custom_metric(struct piad_ctx *c, struct metrics_out *out, void *arg)
{
	metrics_sample(out, 42, "table", "vpn \"x\"", NULL);
}

START_TEST(test_metrics)
{
	json_t		*r;
	const char	*text;
	int		 tag;

	ck_assert_int_eq(metrics_register(&ctx, "piad_test_drops_total",
	    "counter", "Test drops.", custom_metric, &tag), 0);
	ck_assert_int_eq(metrics_register(&ctx, "piad_test_drops_total",
	    "counter", "again", custom_metric, &tag), -1);
	ck_assert_int_eq(metrics_register(&ctx, "bad name", "counter", "x",
	    custom_metric, &tag), -1);
	r = roundtrip("{\"v\":1,\"cmd\":\"metrics\"}\n");
	text = json_string_value(result_of(r));
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "# TYPE piad_state gauge\n"));
	ck_assert_ptr_nonnull(strstr(text, "piad_state{state=\"STEADY\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "piad_state{state=\"AUTH\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(text, "piad_transitions_total{from="
	    "\"PF_BIND\",to=\"STEADY\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "\npiad_uptime_seconds "));
	ck_assert_ptr_nonnull(strstr(text,
	    "piad_test_drops_total{table=\"vpn \\\"x\\\"\"} 42\n"));
	json_decref(r);
	metrics_unregister_arg(&ctx, &tag);
	r = roundtrip("{\"v\":1,\"cmd\":\"metrics\"}\n");
	ck_assert_ptr_null(strstr(json_string_value(result_of(r)),
	    "piad_test_drops_total"));
	json_decref(r);
}
END_TEST

START_TEST(test_renew_and_reconnect)
{
	json_t *r;

	r = roundtrip("{\"v\":1,\"cmd\":\"renew\"}\n");
	result_of(r);
	json_decref(r);
	ck_assert_uint_eq(ctx.status.counters.renewals, 1);
	r = roundtrip("{\"v\":1,\"cmd\":\"reconnect\"}\n");
	result_of(r);
	json_decref(r);
	ck_assert_uint_eq(ctx.status.counters.reconnects, 1);
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
}
END_TEST

START_TEST(test_down)
{
	struct timeval	 tv = { 1, 0 };
	json_t		*r;

	ctx.down = daemon_down;
	r = roundtrip("{\"v\":1,\"cmd\":\"down\"}\n");
	ck_assert(json_is_true(json_object_get(result_of(r), "down")));
	json_decref(r);
	ck_assert(ctx.fsm.stopped);
	ck_assert(backend_fake(&ctx)->torn_down_all);
	/* the loop ends by itself, well before this safety net */
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	ck_assert(event_base_got_exit(base));
}
END_TEST

START_TEST(test_socket_in_use)
{
	char	 err[256] = "";
	json_t	*r;

	ck_assert_ptr_null(control_new(&ctx, sock, NULL, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "in use by another daemon"));
	/* and the original still answers */
	r = roundtrip("{\"v\":1,\"cmd\":\"history\"}\n");
	result_of(r);
	json_decref(r);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("control");
	TCase	*tc = tcase_create("control");
	SRunner	*sr;
	int	 failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_socket_mode);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_history);
	tcase_add_test(tc, test_not_utf8);
	tcase_add_test(tc, test_watch);
	tcase_add_test(tc, test_error_words);
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_many_clients);
	tcase_add_test(tc, test_vanish_mid_reply);
	tcase_add_test(tc, test_half_close);
	tcase_add_test(tc, test_peer_denied);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_metrics);
	tcase_add_test(tc, test_renew_and_reconnect);
	tcase_add_test(tc, test_socket_in_use);
	tcase_add_test(tc, test_down);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
