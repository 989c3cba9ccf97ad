/* SPDX-License-Identifier: ISC */
/*
 * piadctl: talk to piad over its control socket.
 *
 *	piadctl [-s SOCKET] status|watch|history|reconnect|renew|reload|
 *	    metrics|port|down [--json]
 *
 * A short human view by default, the daemon's JSON as is with --json.
 * Exit status: 0 ok, 1 the daemon said no (or there is nothing to show,
 * e.g. no forwarded port), 2 cannot connect or talk to the daemon.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/control.h"

#define EXIT_NO		1
#define EXIT_CONNECT	2

static const char	*sock_path = CONTROL_DEFAULT_SOCKET;
static const char	*cmd_name;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: piadctl [-s SOCKET] status|watch|history|"
	    "reconnect|renew|reload|metrics|port|down [--json]\n");
	exit(EXIT_NO);
}

static int
ctl_connect(void)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sock_path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "piadctl: cannot connect to %s: path too "
		    "long\n", sock_path);
		exit(EXIT_CONNECT);
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "piadctl: cannot connect to %s: %s (is piad "
		    "running?)\n", sock_path, strerror(errno));
		exit(EXIT_CONNECT);
	}
	return fd;
}

/* One line from the daemon; NULL at EOF. Exits on a broken frame. */
static char *
ctl_readline(FILE *f, bool eof_ok)
{
	static char	*line;
	static size_t	 cap;
	ssize_t		 n;

	errno = 0;
	if ((n = getline(&line, &cap, f)) == -1) {
		if (eof_ok)
			return NULL;
		fprintf(stderr, "piadctl: %s: connection closed by piad%s%s\n",
		    sock_path, errno ? ": " : "", errno ? strerror(errno) : "");
		exit(EXIT_CONNECT);
	}
	if (n > CONTROL_FRAME_MAX + 1) {
		fprintf(stderr, "piadctl: %s: reply too large\n", sock_path);
		exit(EXIT_CONNECT);
	}
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

static json_t *
ctl_parse(const char *line)
{
	json_t		*o;
	json_error_t	 jerr;

	o = json_loads(line, 0, &jerr);
	if (o == NULL || !json_is_object(o)) {
		fprintf(stderr, "piadctl: %s: unreadable reply\n", sock_path);
		exit(EXIT_CONNECT);
	}
	return o;
}

static const char *
jstr(const json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : dflt;
}

static bool
jhas(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v != NULL && !json_is_null(v);
}

static json_int_t
jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void
fmt_time(json_int_t t, char *buf, size_t len, const char *fmt)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	localtime_r(&tt, &tm);
	strftime(buf, len, fmt, &tm);
}

static void
fmt_age(json_int_t s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm %llds", (long long)(s / 60),
		    (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh %lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lldd %lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
}

static void
fmt_bytes(json_int_t b, char *buf, size_t len)
{
	static const char	*unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double			 v = (double)b;
	int			 u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lld B", (long long)b);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
}

#define ROW(label)	printf("%-12s ", label)

static void
show_status(const json_t *r)
{
	const json_t	*srv, *tun, *pf, *cs, *c;
	char		 t1[64], t2[64], t3[64];
	json_int_t	 now = (json_int_t)time(NULL);
	size_t		 i, w = 4;

	ROW("state");
	fmt_time(jint(r, "since"), t1, sizeof(t1), "%Y-%m-%d %H:%M:%S");
	fmt_age(now - jint(r, "since"), t2, sizeof(t2));
	printf("%s since %s (%s)", jstr(r, "state", "?"), t1, t2);
	if (json_is_true(json_object_get(r, "stopped")))
		printf(", stopped");
	if (jhas(r, "retry_at")) {
		fmt_age(jint(r, "retry_at") - now, t3, sizeof(t3));
		printf(", retry in %s", t3);
	}
	if (json_is_true(json_object_get(r, "credentials_rejected")))
		printf(" (credentials rejected by PIA)");
	printf("\n");

	srv = json_object_get(r, "server");
	ROW("server");
	if (json_is_object(srv))
		printf("%s %s %s:%lld vip %s\n", jstr(srv, "region", "?"),
		    jstr(srv, "cn", "?"), jstr(srv, "ip", "?"),
		    (long long)jint(srv, "port"), jstr(srv, "vip", "?"));
	else
		printf("-\n");

	tun = json_object_get(r, "tunnel");
	ROW("tunnel");
	printf("%s (%s)", jstr(tun, "interface", "?"),
	    jstr(tun, "backend", "none"));
	if (jhas(tun, "peer_ip"))
		printf(" peer %s", jstr(tun, "peer_ip", "?"));
	if (jhas(tun, "last_handshake_age_s")) {
		fmt_age(jint(tun, "last_handshake_age_s"), t1, sizeof(t1));
		printf(", handshake %s ago", t1);
	} else
		printf(", no handshake");
	fmt_bytes(jint(tun, "rx_bytes"), t1, sizeof(t1));
	fmt_bytes(jint(tun, "tx_bytes"), t2, sizeof(t2));
	printf(", rx %s, tx %s\n", t1, t2);

	pf = json_object_get(r, "port_forward");
	ROW("port");
	if (jhas(pf, "port"))
		printf("%lld -> %s (%s", (long long)jint(pf, "port"),
		    jstr(pf, "target", "?"), jstr(pf, "status", "?"));
	else
		printf("- (%s", jstr(pf, "status", "?"));
	if (jhas(pf, "last_bind_age_s")) {
		fmt_age(jint(pf, "last_bind_age_s"), t1, sizeof(t1));
		printf(", bound %s ago", t1);
	}
	if (jhas(pf, "expires_at")) {
		fmt_time(jint(pf, "expires_at"), t1, sizeof(t1), "%Y-%m-%d");
		printf(", expires %s", t1);
	}
	printf(")\n");
	if (jhas(pf, "hook_error")) {
		ROW("hook");
		printf("%s\n", jstr(pf, "hook_error", ""));
	}

	cs = json_object_get(r, "containers");
	json_array_foreach(cs, i, c)
		if (strlen(jstr(c, "name", "")) > w)
			w = strlen(jstr(c, "name", ""));
	ROW("containers");
	if (json_array_size(cs) == 0)
		printf("-\n");
	json_array_foreach(cs, i, c) {
		if (i > 0)
			ROW("");
		printf("%-*s  %-15s  %-8s %s\n", (int)w, jstr(c, "name", "?"),
		    jstr(c, "address", "?"),
		    json_is_true(json_object_get(c, "managed")) ?
		    "managed" : "attached",
		    json_is_true(json_object_get(c, "ok")) ? "ok" : "NOT OK");
	}

	ROW("last error");
	if (jhas(r, "last_error")) {
		fmt_time(jint(r, "last_error_at"), t1, sizeof(t1), "%H:%M:%S");
		printf("%s %s\n", t1, jstr(r, "last_error", ""));
	} else
		printf("-\n");
}

static void
show_transition(const json_t *t)
{
	char tb[32];

	fmt_time(jint(t, "time"), tb, sizeof(tb), "%Y-%m-%d %H:%M:%S");
	printf("%s  %s -> %s  (%s)\n", tb, jstr(t, "from", "?"),
	    jstr(t, "to", "?"), jstr(t, "reason", ""));
}

static void
show_event(const json_t *ev)
{
	const char	*kind = jstr(ev, "event", "?");
	char		 tb[32];

	if (strcmp(kind, "transition") == 0) {
		show_transition(ev);
		return;
	}
	fmt_time(jint(ev, "time"), tb, sizeof(tb), "%Y-%m-%d %H:%M:%S");
	if (strcmp(kind, "port") == 0)
		printf("%s  port %lld -> %s\n", tb, (long long)jint(ev, "port"),
		    jstr(ev, "target", "?"));
	else if (strcmp(kind, "error") == 0)
		printf("%s  %s: %s\n", tb, jstr(ev, "level", "error"),
		    jstr(ev, "message", ""));
	else
		printf("%s  %s\n", tb, kind);
}

int
main(int argc, char **argv)
{
	static const char *const cmds[] = { "status", "watch", "history",
	    "reconnect", "renew", "reload", "metrics", "port", "down" };
	const char	*wire, *err;
	json_t		*reply, *result, *t;
	FILE		*f;
	char		*line, req[128];
	bool		 json = false, known = false;
	size_t		 i;
	int		 ch, fd, rc = 0;

	while ((ch = getopt(argc, argv, "+s:")) != -1) {
		switch (ch) {
		case 's':
			sock_path = optarg;
			break;
		default:
			usage();
		}
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (cmd_name == NULL)
			cmd_name = argv[i];
		else
			usage();
	}
	if (cmd_name == NULL)
		usage();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i], cmd_name) == 0)
			known = true;
	if (!known) {
		fprintf(stderr, "piadctl: unknown command %s\n", cmd_name);
		usage();
	}
	/* `port` is a view of status */
	wire = strcmp(cmd_name, "port") == 0 ? "status" : cmd_name;

	fd = ctl_connect();
	snprintf(req, sizeof(req), "{\"v\":%d,\"cmd\":\"%s\"}\n",
	    CONTROL_VERSION, wire);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		fprintf(stderr, "piadctl: %s: %s\n", sock_path,
		    strerror(errno));
		return EXIT_CONNECT;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		fprintf(stderr, "piadctl: fdopen: %s\n", strerror(errno));
		return EXIT_CONNECT;
	}
	line = ctl_readline(f, false);
	reply = ctl_parse(line);
	if (!json_is_true(json_object_get(reply, "ok"))) {
		err = jstr(reply, "error", "unknown error");
		if (json)
			printf("%s\n", line);
		else
			fprintf(stderr, "piadctl: %s: %s\n", cmd_name, err);
		rc = EXIT_NO;
		goto out;
	}
	result = json_object_get(reply, "result");

	if (strcmp(cmd_name, "port") == 0) {
		t = json_object_get(result, "port_forward");
		if (!jhas(t, "port")) {
			fprintf(stderr, "piadctl: no forwarded port (%s)\n",
			    jstr(t, "status", "unknown"));
			rc = EXIT_NO;
		} else if (json)
			printf("{\"port\":%lld}\n", (long long)jint(t, "port"));
		else
			printf("%lld\n", (long long)jint(t, "port"));
		goto out;
	}
	if (json) {
		printf("%s\n", line);
	} else if (strcmp(cmd_name, "status") == 0) {
		show_status(result);
	} else if (strcmp(cmd_name, "history") == 0) {
		json_array_foreach(result, i, t)
			show_transition(t);
	} else if (strcmp(cmd_name, "metrics") == 0) {
		fputs(json_string_value(result) != NULL ?
		    json_string_value(result) : "", stdout);
	} else if (strcmp(cmd_name, "reload") == 0) {
		printf("reloaded (state %s)\n", jstr(result, "state", "?"));
	} else if (strcmp(cmd_name, "watch") == 0) {
		printf("watching (state %s)\n", jstr(result, "state", "?"));
	} else if (strcmp(cmd_name, "down") == 0) {
		printf("down: piad removes what it created and exits\n");
	} else {
		printf("%s asked (state %s)\n", cmd_name,
		    jstr(result, "state", "?"));
	}
	fflush(stdout);

	if (strcmp(cmd_name, "watch") == 0) {
		while ((line = ctl_readline(f, true)) != NULL) {
			if (json) {
				printf("%s\n", line);
			} else {
				t = ctl_parse(line);
				show_event(t);
				json_decref(t);
			}
			fflush(stdout);
		}
		fprintf(stderr, "piadctl: %s: piad closed the connection\n",
		    sock_path);
		rc = EXIT_CONNECT;
	}
out:
	json_decref(reply);
	fclose(f);
	return rc;
}
