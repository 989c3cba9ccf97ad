/* SPDX-License-Identifier: ISC */
/*
 * proxyd: the CONNECT proxy alone on an event_base, configured from argv,
 * so the netns tests and bench/proxy.sh can drive it before (and apart
 * from) piad. Counters are written to a file on SIGUSR1 (and at exit) as
 * "name value" lines; SIGHUP re-reads the server-IP file (-I), which is
 * how tests replace the allowed IP set while the proxy runs.
 *
 * proxyd -l ADDR:PORT [-s NET]... [-H HOST]... [-i IP]... [-I FILE]
 *        [-r NAME=ADDR]... [-m MAX] [-c CONNECT_MS] [-t IDLE_MS]
 *        [-b HEAD_MAX] [-w HIWAT] [-W LOWAT] [-S STATSFILE] [-R READYFILE]
 *        [-B] [-v]
 * -B copies through buffers instead of splice(2) (the fallback path).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/util.h>

#include "core/log.h"
#include "proxy/proxy.h"

#define MAXLIST	256

static struct proxy	*px;
static const char	*statsfile;
static const char	*ipfile;
static struct in_addr	 ips[MAXLIST];
static size_t		 nips;

int	main(int, char **);

static void
usage(void)
{
	fprintf(stderr, "usage: proxyd -l ADDR:PORT [-s NET] [-H HOST] "
	    "[-i IP] [-I FILE] [-r NAME=ADDR] [-m MAX] [-c MS] [-t MS] "
	    "[-b BYTES] [-w BYTES] [-W BYTES] [-S FILE] [-R FILE] [-B] [-v]\n");
	exit(2);
}

static void
write_stats(void)
{
	struct proxy_stats	 st;
	char			 tmp[4096];
	FILE			*f;

	if (statsfile == NULL)
		return;
	proxy_get_stats(px, &st);
	snprintf(tmp, sizeof(tmp), "%s.tmp", statsfile);
	if ((f = fopen(tmp, "w")) == NULL) {
		log_warn("proxyd: %s", tmp);
		return;
	}
#define S(x) fprintf(f, "%s %llu\n", #x, (unsigned long long)st.x)
	S(connections); S(accepted); S(denied_source); S(denied_method);
	S(denied_target); S(bad_request); S(head_too_large); S(busy);
	S(upstream_failed); S(upstream_timeout); S(aborted);
	S(idle_timeouts); S(bytes_up); S(bytes_down); S(tunnels_open);
#undef S
	fclose(f);
	if (rename(tmp, statsfile) == -1)
		log_warn("proxyd: rename %s", statsfile);
}

static int
add_ip(const char *s)
{
	if (nips == MAXLIST || inet_pton(AF_INET, s, &ips[nips]) != 1)
		return -1;
	nips++;
	return 0;
}

static void
read_ipfile(void)
{
	FILE	*f;
	char	 line[64];

	if (ipfile == NULL)
		return;
	if ((f = fopen(ipfile, "r")) == NULL) {
		log_warn("proxyd: %s", ipfile);
		return;
	}
	nips = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] != '\0' && add_ip(line) == -1)
			log_warnx("proxyd: %s: bad IP '%s'", ipfile, line);
	}
	fclose(f);
	if (proxy_set_server_ips(px, ips, nips) == -1)
		log_warn("proxyd: set server IPs");
	log_info("proxyd: %zu server IPs allowed", nips);
}

static void
signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct event_base *base = arg;

	switch (sig) {
	case SIGUSR1:
		write_stats();
		break;
	case SIGHUP:
		read_ipfile();
		break;
	default:
		event_base_loopbreak(base);
	}
}

/* libevent's own complaints (e.g. a dead nameserver) into our log. */
static unsigned long
num(const char *s)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0)
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	struct event_base	*base;
	struct event		*sigs[5];
	struct proxy_limits	 lim;
	struct proxy_net	 nets[MAXLIST];
	const char		*hosts[MAXLIST], *listen_at = NULL;
	const char		*readyfile = NULL;
	char			*rnames[MAXLIST], *raddrs[MAXLIST], *eq;
	size_t			 nnets = 0, nhosts = 0, nres = 0, i;
	struct sockaddr_storage	 ss;
	int			 sslen = sizeof(ss), ch, sigv[5] = {
	    SIGUSR1, SIGHUP, SIGTERM, SIGINT, 0 };
	FILE			*f;

	memset(&lim, 0, sizeof(lim));
	log_init(LOG_LVL_INFO, "proxyd");
	while ((ch = getopt(argc, argv, "l:s:H:i:I:r:m:c:t:b:w:W:S:R:Bv")) !=
	    -1) {
		switch (ch) {
		case 'l':
			listen_at = optarg;
			break;
		case 's':
			if (nnets == MAXLIST ||
			    proxy_net_parse(optarg, &nets[nnets++]) == -1)
				usage();
			break;
		case 'H':
			if (nhosts == MAXLIST)
				usage();
			hosts[nhosts++] = optarg;
			break;
		case 'i':
			if (add_ip(optarg) == -1)
				usage();
			break;
		case 'I':
			ipfile = optarg;
			break;
		case 'r':
			if (nres == MAXLIST ||
			    (eq = strchr(optarg, '=')) == NULL)
				usage();
			*eq = '\0';
			rnames[nres] = optarg;
			raddrs[nres++] = eq + 1;
			break;
		case 'm':
			lim.max_tunnels = (unsigned)num(optarg);
			break;
		case 'c':
			lim.connect_timeout_ms = (unsigned)num(optarg);
			break;
		case 't':
			lim.idle_timeout_ms = (unsigned)num(optarg);
			break;
		case 'b':
			lim.head_max = num(optarg);
			break;
		case 'w':
			lim.hiwat = num(optarg);
			break;
		case 'W':
			lim.lowat = num(optarg);
			break;
		case 'S':
			statsfile = optarg;
			break;
		case 'R':
			readyfile = optarg;
			break;
		case 'B':
			lim.copy_only = 1;
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		default:
			usage();
		}
	}
	if (listen_at == NULL || optind != argc)
		usage();
	if (evutil_parse_sockaddr_port(listen_at, (struct sockaddr *)&ss,
	    &sslen) == -1)
		usage();
	signal(SIGPIPE, SIG_IGN);
	event_set_log_callback(log_libevent);
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if ((px = proxy_new(base, NULL, &lim)) == NULL)
		fatal("proxy_new");
	if (proxy_set_sources(px, nets, nnets) == -1 ||
	    proxy_set_hosts(px, hosts, nhosts) == -1 ||
	    proxy_set_server_ips(px, ips, nips) == -1)
		fatal("proxy allowlists");
	for (i = 0; i < nres; i++)
		if (proxy_resolve_add(px, rnames[i], raddrs[i]) == -1)
			fatal("resolve %s=%s", rnames[i], raddrs[i]);
	read_ipfile();
	if (proxy_listen(px, (struct sockaddr *)&ss, (socklen_t)sslen) == -1)
		exit(1);
	for (i = 0; sigv[i] != 0; i++) {
		sigs[i] = evsignal_new(base, sigv[i], signal_cb, base);
		if (sigs[i] == NULL || evsignal_add(sigs[i], NULL) == -1)
			fatalx("signals");
	}
	sigs[i] = NULL;
	write_stats();
	if (readyfile != NULL) {
		if ((f = fopen(readyfile, "w")) == NULL)
			fatal("%s", readyfile);
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	log_info("proxyd: listening on %s", listen_at);
	event_base_dispatch(base);
	write_stats();
	for (i = 0; sigs[i] != NULL; i++)
		event_free(sigs[i]);
	proxy_free(px);
	event_base_free(base);
	return 0;
}
