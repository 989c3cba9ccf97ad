/* SPDX-License-Identifier: ISC */
/*
 * sd_notify as systemd sees it: a datagram socket (a path, and one in the
 * abstract namespace) receives READY=1 when STEADY is first reached,
 * STATUS= on transitions, and WATCHDOG=1 from the loop at half of
 * $WATCHDOG_USEC.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "core/backend_fake.h"
#include "core/context.h"
#include "core/log.h"
#include "core/sdnotify.h"
#include "states/states.h"

static int	 rx = -1;
static char	 path[108];

/* Bind a datagram socket: a file under /tmp, or abstract ('@'). */
static void
listen_on(bool abstract)
{
	struct sockaddr_un	sun;
	socklen_t		len;

	rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(rx, 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (abstract) {
		snprintf(path, sizeof(path), "@piad-test-notify-%ld",
		    (long)getpid());
		memcpy(sun.sun_path, path, strlen(path));
		sun.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    strlen(path));
	} else {
		snprintf(path, sizeof(path), "/tmp/piad-test-notify-%ld",
		    (long)getpid());
		unlink(path);
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		len = sizeof(sun);
	}
	ck_assert_int_eq(bind(rx, (struct sockaddr *)&sun, len), 0);
	setenv("NOTIFY_SOCKET", path, 1);
}

static void
unlisten(void)
{
	close(rx);
	if (path[0] == '/')
		unlink(path);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

/* Next datagram, or "" when none is waiting. */
static const char *
next_msg(void)
{
	static char	buf[1024];
	ssize_t		n = recv(rx, buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

START_TEST(test_send_path)
{
	listen_on(false);
	ck_assert_int_eq(sdnotify_send("STATUS=hello"), 1);
	ck_assert_str_eq(next_msg(), "STATUS=hello");
	unlisten();
	ck_assert_int_eq(sdnotify_send("STATUS=nobody"), 0);
}
END_TEST

START_TEST(test_send_abstract)
{
	listen_on(true);
	ck_assert_int_eq(sdnotify_sendf("STATUS=%s", "abstract"), 1);
	ck_assert_str_eq(next_msg(), "STATUS=abstract");
	unlisten();
}
END_TEST

START_TEST(test_bad_socket)
{
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	ck_assert_int_eq(sdnotify_send("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}
END_TEST

START_TEST(test_watchdog_env)
{
	char pid[32];

	setenv("WATCHDOG_USEC", "2000000", 1);
	ck_assert_uint_eq(sdnotify_watchdog_usec(), 2000000);
	setenv("WATCHDOG_PID", "1", 1);
	ck_assert_uint_eq(sdnotify_watchdog_usec(), 0);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert_uint_eq(sdnotify_watchdog_usec(), 2000000);
	setenv("WATCHDOG_USEC", "12x", 1);
	ck_assert_uint_eq(sdnotify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}
END_TEST

/* The daemon's view: STATUS per transition, READY once, WATCHDOG ticks. */
static int	n_status, n_ready, n_watchdog, n_auth;

static void
count_msg(const char *m)
{
	if (strcmp(m, "WATCHDOG=1") == 0)
		n_watchdog++;
	if (strncmp(m, "READY=1\n", 8) == 0) {
		n_ready++;
		ck_assert_str_eq(m + 8,
		    "STATUS=STEADY (no port forwarding configured)");
	}
	if (strstr(m, "STATUS=") != NULL)
		n_status++;
	if (strcmp(m, "STATUS=AUTH (test READY=1)") == 0)
		n_auth++;
}

/* Read datagrams as they come, like the service manager would. */
static void
rx_cb(evutil_socket_t fd, short what, void *arg)
{
	const char *m;

	while (*(m = next_msg()) != '\0')
		count_msg(m);
}

static void
run_daemon(bool abstract)
{
	struct event_base	*base;
	struct event		*ev;
	struct piad_ctx		 ctx;
	struct timeval		 tv = { 0, 250000 };

	n_status = n_ready = n_watchdog = n_auth = 0;
	listen_on(abstract);
	setenv("WATCHDOG_USEC", "100000", 1);	/* ticks every 50 ms */
	log_init(LOG_LVL_ERR, "test_sdnotify");
	base = event_base_new();
	ev = event_new(base, rx, EV_READ | EV_PERSIST, rx_cb, NULL);
	event_add(ev, NULL);
	ck_assert_int_eq(ctx_init(&ctx, base), 0);
	ck_assert_int_eq(backend_fake_attach(&ctx), 0);
	backend_fake(&ctx)->delay_ms = 5;
	ck_assert_int_eq(fsm_init(&ctx, states_all), 0);
	ck_assert_int_eq(sdnotify_start(&ctx), 0);
	fsm_start(&ctx);
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	ck_assert_int_eq(ctx.fsm.state, ST_STEADY);
	/* a reconnect later: STATUS again, but no second READY */
	fsm_dispatch(&ctx, EV_RECONNECT, CAUSE_NONE, "test\nREADY=1");
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	rx_cb(rx, 0, NULL);

	ck_assert_int_eq(n_ready, 1);
	ck_assert_int_eq(n_auth, 1);
	ck_assert_int_eq(n_status, 5 + 5);
	/* 0.5 s at 50 ms, plus one at start; lenient for a busy box */
	ck_assert_int_ge(n_watchdog, 4);
	sdnotify_stop(&ctx);
	ctx_free(&ctx);
	event_free(ev);
	event_base_free(base);
	unlisten();
}

START_TEST(test_daemon_path)
{
	run_daemon(false);
}
END_TEST

START_TEST(test_daemon_abstract)
{
	run_daemon(true);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("sdnotify");
	TCase	*tc = tcase_create("sdnotify");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, test_send_path);
	tcase_add_test(tc, test_send_abstract);
	tcase_add_test(tc, test_bad_socket);
	tcase_add_test(tc, test_watchdog_env);
	tcase_add_test(tc, test_daemon_path);
	tcase_add_test(tc, test_daemon_abstract);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
