/* SPDX-License-Identifier: ISC */
/*
 * Client driver for the HTTPS integration test: runs piad's HTTPS client
 * the way the PIA calls do and prints what a caller would see.
 *
 * https_get [-n NETNS] [-p PROXYIP:PORT] -a IP:PORT -N TLSNAME [-C CAFILE]
 *     [-t CONNECT_MS] [-T TOTAL_MS] [-X METHOD] [-d BODY] [-1] [-v]
 *     PATH [PATH...]
 * Paths run one after the other on one https_conn (keep-alive), or each
 * with https_fetch() with -1. With -p the socket goes to the proxy, which
 * is asked to CONNECT to the -a address. For each path it prints:
 *   == PATH
 *   err: NAME
 *   status: N
 *   retry_after: N
 *   reused: yes|no
 *   connect_ms: N
 *   total_ms: N
 *   message: TEXT
 *   body: BODY
 * stderr has only the client's own log lines (-v: debug).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "core/log.h"
#include "net/netns.h"
#include "pia/https.h"
#include "pia/tls.h"

static struct event_base	*base;
static struct https_conn	*conn;
static struct https_target	 target;
static struct https_request	 req;
static char			**paths;
static int			 npaths, next_path, oneshot, failures;

int	main(int, char **);
static void	run_next(void);

static void
done_cb(struct https_response *r, void *arg)
{
	const char *path = arg;

	printf("== %s\nerr: %s\nstatus: %d\nretry_after: %u\nreused: %s\n"
	    "connect_ms: %u\ntotal_ms: %u\nmessage: %s\nbody: %s\n", path,
	    pia_err_name(r->res.err), r->res.http_status, r->res.retry_after_s,
	    r->reused ? "yes" : "no", r->connect_ms, r->total_ms,
	    r->res.message, r->body != NULL ? r->body : "");
	fflush(stdout);
	if (r->res.err != PIA_OK)
		failures++;
	run_next();
}

static void
run_next(void)
{
	if (next_path == npaths) {
		if (conn != NULL && !oneshot)
			https_conn_free(conn);
		conn = NULL;
		return;
	}
	req.path = paths[next_path++];
	if (oneshot) {
		if (https_fetch(base, &target, &req, done_cb,
		    (void *)(uintptr_t)req.path) == NULL) {
			perror("https_fetch");
			exit(2);
		}
		return;
	}
	if (https_conn_request(conn, &req, done_cb,
	    (void *)(uintptr_t)req.path) == -1) {
		perror("https_conn_request");
		exit(2);
	}
}

static int
split_addr(const char *s, char *ip, size_t iplen, uint16_t *port)
{
	const char *colon = strrchr(s, ':');

	if (colon == NULL || (size_t)(colon - s) >= iplen)
		return -1;
	memcpy(ip, s, (size_t)(colon - s));
	ip[colon - s] = '\0';
	*port = (uint16_t)atoi(colon + 1);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *ns = NULL, *proxy = NULL, *addr = NULL;
	char ip[64], pip[64];
	uint16_t port, pport;
	int ch, nsfd = -1, verbose = 0;

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	while ((ch = getopt(argc, argv, "n:p:a:N:C:t:T:X:d:H:1v")) != -1) {
		switch (ch) {
		case 'n': ns = optarg; break;
		case 'p': proxy = optarg; break;
		case 'a': addr = optarg; break;
		case 'N': target.tls_name = optarg; break;
		case 'C': target.ca_file = optarg; break;
		case 't':
			req.connect_timeout_ms = (unsigned)atoi(optarg);
			break;
		case 'T': req.total_timeout_ms = (unsigned)atoi(optarg); break;
		case 'X': req.method = optarg; break;
		case 'd':
			req.body = optarg;
			req.body_len = strlen(optarg);
			break;
		case 'H': req.host = optarg; break;
		case '1': oneshot = 1; break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: see the source\n");
			return 2;
		}
	}
	paths = argv + optind;
	npaths = argc - optind;
	if (addr == NULL || target.tls_name == NULL || npaths == 0) {
		fprintf(stderr, "https_get: -a, -N and a path are required\n");
		return 2;
	}
	log_init(verbose ? LOG_LVL_DEBUG : LOG_LVL_WARN, "https_get");
	signal(SIGPIPE, SIG_IGN);
	if (ns != NULL && (nsfd = netns_open(ns)) < 0) {
		fprintf(stderr, "https_get: netns %s: %s\n", ns,
		    strerror(-nsfd));
		return 2;
	}
	if (split_addr(addr, ip, sizeof(ip), &port) == -1) {
		fprintf(stderr, "https_get: bad address %s\n", addr);
		return 2;
	}
	if (proxy != NULL) {
		if (split_addr(proxy, pip, sizeof(pip), &pport) == -1 ||
		    dial_spec_proxy(&target.dial, nsfd, pip, pport, ip,
		    port) == -1) {
			fprintf(stderr, "https_get: bad proxy %s\n", proxy);
			return 2;
		}
	} else if (dial_spec_direct(&target.dial, nsfd, ip, port) == -1) {
		fprintf(stderr, "https_get: bad address %s\n", addr);
		return 2;
	}
	base = event_base_new();
	if (!oneshot && (conn = https_conn_new(base, &target)) == NULL) {
		perror("https_conn_new");
		return 2;
	}
	run_next();
	event_base_dispatch(base);
	tls_ctx_cache_clear();
	event_base_free(base);
	if (nsfd >= 0)
		close(nsfd);
	return failures == 0 ? 0 : 1;
}
