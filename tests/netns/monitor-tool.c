/* SPDX-License-Identifier: ISC */
/*
 * monitor-tool: runs a link monitor (net/monitor.c) on netns NAME and
 * prints one line per event, "EVENT NAME IFINDEX" ("resync - 0"), flushed,
 * for tests/netns/monitor.sh. It prints "ready" once the monitor is set up
 * and exits on SIGTERM/SIGINT or after -t seconds.
 *
 * -b BYTES	socket receive buffer (small, to make the kernel drop)
 * -w FILE	after "ready", wait until FILE exists before reading events,
 *		so a test can pile up more messages than the buffer holds
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "core/log.h"
#include "net/monitor.h"
#include "net/netns.h"

int	main(int, char **);

static void
on_event(const struct link_event *ev, void *arg)
{
	printf("%s %s %d\n", link_event_name(ev->type),
	    ev->name[0] ? ev->name : "-", ev->ifindex);
	fflush(stdout);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopbreak(arg);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	struct event_base	*base;
	struct link_monitor	*m;
	struct event		*sigterm, *sigint, *timer;
	struct timeval		 tv = { 30, 0 };
	const char		*waitfile = NULL;
	int			 ch, fd, rcvbuf = 0;

	log_init(getenv("TOPO_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_WARN,
	    "monitor-tool");
	while ((ch = getopt(argc, argv, "b:t:w:")) != -1) {
		switch (ch) {
		case 'b':
			rcvbuf = atoi(optarg);
			break;
		case 't':
			tv.tv_sec = atoi(optarg);
			break;
		case 'w':
			waitfile = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 1)
		goto usage;
	if ((fd = netns_open(argv[optind])) < 0) {
		fprintf(stderr, "monitor-tool: netns %s: %s\n", argv[optind],
		    strerror(-fd));
		return 1;
	}
	if ((base = event_base_new()) == NULL)
		return 1;
	if ((m = link_monitor_new(base, fd, argv[optind], on_event, NULL)) ==
	    NULL) {
		perror("monitor-tool: link_monitor_new");
		return 1;
	}
	close(fd);
	if (rcvbuf > 0 && link_monitor_set_rcvbuf(m, rcvbuf) < 0) {
		perror("monitor-tool: rcvbuf");
		return 1;
	}
	sigterm = evsignal_new(base, SIGTERM, on_signal, base);
	sigint = evsignal_new(base, SIGINT, on_signal, base);
	timer = evtimer_new(base, on_timeout, base);
	evsignal_add(sigterm, NULL);
	evsignal_add(sigint, NULL);
	evtimer_add(timer, &tv);
	printf("ready\n");
	fflush(stdout);
	if (waitfile != NULL)
		while (access(waitfile, F_OK) == -1)
			usleep(10000);
	event_base_dispatch(base);
	printf("overruns %lu\n", link_monitor_overruns(m));
	link_monitor_free(m);
	event_free(sigterm);
	event_free(sigint);
	event_free(timer);
	event_base_free(base);
	return 0;

usage:
	fprintf(stderr, "usage: monitor-tool [-b rcvbuf] [-t secs] "
	    "[-w file] NETNS\n");
	return 2;
}
