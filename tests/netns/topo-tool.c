/* SPDX-License-Identifier: ISC */
/*
 * topo-tool: drives net/topology.c from the command line for the netns
 * tests and the benchmark. It loads the record from a file, reconciles or
 * tears down, saves the record, and prints what it did:
 *
 *	action <text>		one line per change
 *	writes N		netlink change requests
 *	sysctl_writes N
 *	file_writes N
 *	elapsed_us N		time spent in topo_reconcile/topo_teardown
 *	min_elapsed_us N	the fastest of the -k runs
 *
 * With -H NAME the whole tool first moves into netns NAME (only its
 * network namespace: unlike `ip netns exec` no private mount namespace is
 * made, so netns it creates are visible to everyone, as piad's are).
 *
 * -k N reconciles N more times in the same process (the report is the
 * last one's), as a daemon would with its sockets already open. -W first
 * reconciles without the last container given, unreported, so the
 * reported run is "add one container to a running set" in a warm process.
 *
 * usage: topo-tool [-H hostns] [-k N] [-r record.json] [-R dir] reconcile
 *	      -b BRIDGE -a HOSTADDR/PREFIX -v VPNNS=ADDR
 *	      [-c NAME=ADDR]... [-A NAME=ADDR]... [-m PREFIX:COUNT:FIRSTADDR]
 *        topo-tool [-H hostns] [-r record.json] teardown
 *        topo-tool veth-name NAME
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/log.h"
#include "net/netns.h"
#include "net/topology.h"

int	main(int, char **);

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: topo-tool [-H hostns] [-r record] "
	    "[-R resolv_dir] reconcile -b BRIDGE -a ADDR/PREFIX -v NS=ADDR "
	    "[-c NAME=ADDR]... [-A NAME=ADDR]... [-m PFX:COUNT:FIRST]\n"
	    "       topo-tool [-H hostns] [-r record] teardown\n"
	    "       topo-tool veth-name NAME\n");
	exit(2);
}

static void
parse_pair(const char *arg, char *name, size_t len, struct in_addr *a)
{
	const char *eq;

	if ((eq = strchr(arg, '=')) == NULL || (size_t)(eq - arg) >= len ||
	    inet_pton(AF_INET, eq + 1, a) != 1) {
		fprintf(stderr, "topo-tool: bad NAME=ADDR: %s\n", arg);
		exit(2);
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
}

static struct topo_container *
add_container(struct topo_container **v, size_t *n)
{
	struct topo_container *c;

	if ((c = reallocarray(*v, *n + 1, sizeof(**v))) == NULL) {
		perror("topo-tool");
		exit(1);
	}
	*v = c;
	memset(&c[*n], 0, sizeof(c[*n]));
	return &c[(*n)++];
}

static long
usec_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000L +
	    (t1.tv_nsec - t0->tv_nsec) / 1000;
}

static int
save_record(struct topo *t, const char *path)
{
	json_t	*j;
	char	 tmp[4096];
	int	 rc;

	if (path == NULL)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((j = topo_record_to_json(t)) == NULL)
		return -1;
	rc = json_dump_file(j, tmp, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(j);
	if (rc == -1 || rename(tmp, path) == -1) {
		fprintf(stderr, "topo-tool: cannot save %s\n", path);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct topo_desired	 want;
	struct topo_container	*cs = NULL, *c;
	struct topo_report	 rep;
	struct timespec		 t0;
	struct topo		*t;
	const char		*hostns = NULL, *record = NULL, *cmd;
	char			 err[512], buf[IFNAMSIZ], pfx[32];
	size_t			 ncs = 0, i;
	long			 us, min_us = -1;
	size_t			 repeat = 0;
	bool			 warm = false;
	int			 ch, rc, fd, count;
	bool			 have_b = false, have_a = false, have_v = false;

	log_init(getenv("TOPO_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_WARN,
	    "topo-tool");
	memset(&want, 0, sizeof(want));
	while ((ch = getopt(argc, argv, "+H:k:r:R:W")) != -1) {
		switch (ch) {
		case 'W':
			warm = true;
			break;
		case 'k':
			repeat = (size_t)atoi(optarg);
			break;
		case 'H':
			hostns = optarg;
			break;
		case 'r':
			record = optarg;
			break;
		case 'R':
			want.resolv_dir = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = argv[0];
	if (strcmp(cmd, "veth-name") == 0) {
		if (argc != 2)
			usage();
		topo_veth_name(argv[1], buf);
		printf("%s\n", buf);
		return 0;
	}
	optind = 1;
	while ((ch = getopt(argc, argv, "b:a:v:c:A:m:")) != -1) {
		char	*slash, *p1, *p2;
		int	 j, first;

		switch (ch) {
		case 'b':
			snprintf(want.bridge, sizeof(want.bridge), "%s",
			    optarg);
			have_b = true;
			break;
		case 'a':
			if ((slash = strchr(optarg, '/')) == NULL)
				usage();
			*slash = '\0';
			want.prefixlen = atoi(slash + 1);
			if (inet_pton(AF_INET, optarg, &want.host_address) !=
			    1)
				usage();
			have_a = true;
			break;
		case 'v':
			parse_pair(optarg, want.vpn_netns,
			    sizeof(want.vpn_netns), &want.vpn_address);
			have_v = true;
			break;
		case 'c':
		case 'A':
			c = add_container(&cs, &ncs);
			parse_pair(optarg, c->name, sizeof(c->name),
			    &c->address);
			c->managed = ch == 'c';
			break;
		case 'm':
			/* PREFIX:COUNT:FIRST, e.g. t1-c:50:10.100.0.10 */
			if ((p1 = strchr(optarg, ':')) == NULL ||
			    (p2 = strchr(p1 + 1, ':')) == NULL)
				usage();
			snprintf(pfx, sizeof(pfx), "%.*s", (int)(p1 - optarg),
			    optarg);
			count = atoi(p1 + 1);
			{
				struct in_addr a;

				if (inet_pton(AF_INET, p2 + 1, &a) != 1)
					usage();
				first = (int)ntohl(a.s_addr);
			}
			for (j = 0; j < count; j++) {
				c = add_container(&cs, &ncs);
				snprintf(c->name, sizeof(c->name), "%s%d", pfx,
				    j + 1);
				c->address.s_addr = htonl((uint32_t)(first +
				    j));
				c->managed = true;
			}
			break;
		default:
			usage();
		}
	}
	want.containers = cs;
	want.ncontainers = ncs;

	if (hostns != NULL) {
		if ((fd = netns_open(hostns)) < 0) {
			fprintf(stderr, "topo-tool: netns %s: %s\n", hostns,
			    strerror(-fd));
			return 1;
		}
		if (setns(fd, CLONE_NEWNET) == -1) {
			perror("topo-tool: setns");
			return 1;
		}
		close(fd);
	}
	if ((t = topo_new(-1)) == NULL) {
		perror("topo-tool: topo_new");
		return 1;
	}
	if (record != NULL && access(record, F_OK) == 0) {
		json_error_t	 je;
		json_t		*j;

		if ((j = json_load_file(record, 0, &je)) == NULL) {
			fprintf(stderr, "topo-tool: %s: %s\n", record,
			    je.text);
			return 1;
		}
		rc = topo_record_from_json(t, j, err, sizeof(err));
		json_decref(j);
		if (rc < 0) {
			fprintf(stderr, "topo-tool: %s\n", err);
			return 1;
		}
	}

	if (warm && strcmp(cmd, "reconcile") == 0 && ncs > 0) {
		/* As a daemon adding one container to a running set. */
		want.ncontainers = ncs - 1;
		rc = topo_reconcile(t, &want, &rep, err, sizeof(err));
		topo_report_free(&rep);
		want.ncontainers = ncs;
		if (rc < 0) {
			fprintf(stderr, "topo-tool: warm-up: %s\n", err);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (strcmp(cmd, "reconcile") == 0) {
		if (!have_b || !have_a || !have_v)
			usage();
		rc = topo_reconcile(t, &want, &rep, err, sizeof(err));
		/* Again in this process, sockets and fds cached (a daemon). */
		for (i = 0; rc == 0 && i < repeat; i++) {
			us = usec_since(&t0);
			if (min_us < 0 || us < min_us)
				min_us = us;
			topo_report_free(&rep);
			clock_gettime(CLOCK_MONOTONIC, &t0);
			rc = topo_reconcile(t, &want, &rep, err, sizeof(err));
		}
	} else if (strcmp(cmd, "teardown") == 0) {
		rc = topo_teardown(t, &rep);
		snprintf(err, sizeof(err), "teardown: %s", strerror(-rc));
	} else
		usage();
	us = usec_since(&t0);
	if (min_us < 0 || us < min_us)
		min_us = us;

	for (i = 0; i < rep.nactions; i++)
		printf("action %s\n", rep.actions[i]);
	printf("writes %lu\nsysctl_writes %lu\nfile_writes %lu\n"
	    "actions %zu\nelapsed_us %ld\nmin_elapsed_us %ld\nrecorded %zu\n",
	    rep.writes, rep.sysctl_writes, rep.file_writes, rep.nactions, us,
	    min_us, topo_record_count(t));
	topo_report_free(&rep);
	if (save_record(t, record) == -1)
		rc = -EIO;
	if (rc < 0)
		fprintf(stderr, "topo-tool: %s\n", err);
	topo_free(t);
	free(cs);
	return rc < 0 ? 1 : 0;
}
