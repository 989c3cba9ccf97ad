/* SPDX-License-Identifier: ISC */
/*
 * nft-tool: apply and read piad's firewall tables through net/nft.h, for
 * tests/netns/nft.sh, plus a UDP flood and sink to observe atomicity.
 *
 *   nft-tool [-N NETNS] [-r REPEAT] host BRIDGE PROXYPORT [ALLOW/LEN...]
 *   nft-tool [-N NETNS] [-r REPEAT] vpn LANIF WGIF SUBNET/LEN [mss]
 *       [dnat PIAPORT TARGET TPORT tcp|udp|both]
 *   nft-tool [-N NETNS] counters | remove | present
 *   nft-tool flood ADDR PORT MS     (UDP datagrams for MS ms; prints count)
 *   nft-tool sink PORT MS           (counts UDP datagrams for MS ms)
 *
 * counters prints "NAME PACKETS BYTES" lines.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "net/netns.h"
#include "net/nft.h"

int	main(int, char **);

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: nft-tool [-N netns] [-r n] host|vpn|counters|"
	    "remove|present ...\n       nft-tool flood ADDR PORT MS | "
	    "sink PORT MS\n");
	exit(2);
}

static long
num(const char *s, long max)
{
	char	*end;
	long	 n;

	n = strtol(s, &end, 10);
	if (*end != '\0' || n < 0 || n > max)
		usage();
	return n;
}

static void
prefix(const char *s, struct fw_prefix *p)
{
	char		 buf[32];
	const char	*slash = strchr(s, '/');

	if (slash == NULL || (size_t)(slash - s) >= sizeof(buf))
		usage();
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (inet_pton(AF_INET, buf, &p->addr) != 1)
		usage();
	p->len = (uint8_t)num(slash + 1, 32);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
flood(int argc, char **argv)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	int64_t			end;
	long			n = 0;
	int			fd;

	if (argc != 3 || inet_pton(AF_INET, argv[0], &sin.sin_addr) != 1)
		usage();
	sin.sin_port = htons((uint16_t)num(argv[1], 65535));
	end = now_ms() + num(argv[2], 600000);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return 1;
	while (now_ms() < end) {
		/* EPERM from our own output drop is fine: keep sending. */
		if (sendto(fd, "probe", 5, 0, (struct sockaddr *)&sin,
		    sizeof(sin)) == 5)
			n++;
		usleep(50);
	}
	printf("%ld\n", n);
	close(fd);
	return 0;
}

static int
sink(int argc, char **argv)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	struct pollfd		pfd;
	char			buf[64];
	int64_t			end, left;
	long			n = 0;
	int			fd;

	if (argc != 2)
		usage();
	sin.sin_port = htons((uint16_t)num(argv[0], 65535));
	end = now_ms() + num(argv[1], 600000);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("sink");
		return 1;
	}
	/* Tell the test we are listening. */
	printf("ready\n");
	fflush(stdout);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((left = end - now_ms()) > 0) {
		if (poll(&pfd, 1, (int)left) > 0 &&
		    recv(fd, buf, sizeof(buf), 0) > 0)
			n++;
	}
	printf("%ld\n", n);
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	struct fw_host_params	 hp;
	struct fw_vpn_params	 vp;
	struct fw_counters	 cs;
	struct fw_prefix	 allow[16];
	struct fw		*fw;
	const char		*ns = NULL, *cmd;
	long			 repeat = 1, r;
	int			 ch, nsfd = -1, rc = 0, i;
	size_t			 k;

	log_init(LOG_LVL_INFO, "nft-tool");
	while ((ch = getopt(argc, argv, "N:r:")) != -1) {
		switch (ch) {
		case 'N':
			ns = optarg;
			break;
		case 'r':
			repeat = num(optarg, 1000000);
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
	argc--;
	argv++;
	if (strcmp(cmd, "flood") == 0)
		return flood(argc, argv);
	if (strcmp(cmd, "sink") == 0)
		return sink(argc, argv);
	if (ns != NULL && (nsfd = netns_open(ns)) < 0) {
		fprintf(stderr, "nft-tool: netns %s: %s\n", ns,
		    strerror(-nsfd));
		return 1;
	}
	if ((fw = fw_open(nsfd)) == NULL) {
		fprintf(stderr, "nft-tool: fw_open: %s\n", strerror(errno));
		return 1;
	}
	if (strcmp(cmd, "host") == 0) {
		if (argc < 2 || argc - 2 > 16)
			usage();
		memset(&hp, 0, sizeof(hp));
		snprintf(hp.bridge_ifname, sizeof(hp.bridge_ifname), "%s",
		    argv[0]);
		hp.proxy_port = (uint16_t)num(argv[1], 65535);
		for (i = 2; i < argc; i++)
			prefix(argv[i], &allow[i - 2]);
		hp.allow = allow;
		hp.nallow = (size_t)(argc - 2);
		for (r = 0; r < repeat && rc == 0; r++)
			rc = fw_apply_host(fw, &hp);
	} else if (strcmp(cmd, "vpn") == 0) {
		if (argc < 3)
			usage();
		memset(&vp, 0, sizeof(vp));
		snprintf(vp.lan_ifname, sizeof(vp.lan_ifname), "%s", argv[0]);
		snprintf(vp.wg_ifname, sizeof(vp.wg_ifname), "%s", argv[1]);
		prefix(argv[2], &vp.bridge_subnet);
		for (i = 3; i < argc; i++) {
			if (strcmp(argv[i], "mss") == 0)
				vp.mss_clamp = true;
			else if (strcmp(argv[i], "dnat") == 0 &&
			    argc - i >= 5) {
				vp.dnat.enabled = true;
				vp.dnat.pia_port = (uint16_t)num(argv[i + 1],
				    65535);
				if (inet_pton(AF_INET, argv[i + 2],
				    &vp.dnat.target) != 1)
					usage();
				vp.dnat.target_port = (uint16_t)num(argv[i + 3],
				    65535);
				if (strcmp(argv[i + 4], "tcp") == 0)
					vp.dnat.proto = FW_PROTO_TCP;
				else if (strcmp(argv[i + 4], "udp") == 0)
					vp.dnat.proto = FW_PROTO_UDP;
				else if (strcmp(argv[i + 4], "both") == 0)
					vp.dnat.proto = FW_PROTO_BOTH;
				else
					usage();
				i += 4;
			} else
				usage();
		}
		for (r = 0; r < repeat && rc == 0; r++)
			rc = fw_apply_vpn(fw, &vp);
	} else if (strcmp(cmd, "counters") == 0) {
		if ((rc = fw_read_counters(fw, &cs)) == 0)
			for (k = 0; k < cs.n; k++)
				printf("%s %llu %llu\n", cs.c[k].name,
				    (unsigned long long)cs.c[k].packets,
				    (unsigned long long)cs.c[k].bytes);
	} else if (strcmp(cmd, "remove") == 0) {
		rc = fw_remove(fw);
	} else if (strcmp(cmd, "present") == 0) {
		if ((rc = fw_present(fw)) >= 0) {
			printf("%s\n", rc ? "yes" : "no");
			rc = 0;
		}
	} else
		usage();
	fw_close(fw);
	if (nsfd >= 0)
		close(nsfd);
	if (rc < 0) {
		fprintf(stderr, "nft-tool: %s: %s\n", cmd, strerror(-rc));
		return 1;
	}
	return 0;
}
