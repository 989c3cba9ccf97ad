/* SPDX-License-Identifier: ISC */
/*
 * wg-tool: drive piad's WireGuard backends from the command line, for the
 * netns tests (and for people poking at a device by hand). Every command
 * but genkey/pubkey first runs ensure(), which creates or adopts the
 * device, exactly as piad does:
 *
 *   wg-tool [-b auto|kernel|userspace] [-H HOSTNS] [-N VPNNS] [-p PROGRAM]
 *       [-w WAITMS] IFNAME ensure | show | destroy
 *   wg-tool ... IFNAME set [private-key FILE] [listen-port N]
 *       [replace-peers] [peer PUBKEY [endpoint IP:PORT] [keepalive N]
 *       [replace-allowed-ips] [allowed-ip A.B.C.D/N]... [remove]]...
 *   wg-tool genkey           (private key, base64, on stdout)
 *   wg-tool pubkey           (private key on stdin -> public key)
 *
 * -w 0 exercises the non-blocking ensure(): the tool then calls it again
 * every 20 ms, as piad's timer would, until it stops saying EINPROGRESS,
 * and reports "ensure polls N" on stderr.
 *
 * show prints "backend NAME", "public-key B64", "listen-port N", then per
 * peer "peer B64", "endpoint IP:PORT", "latest-handshake SEC",
 * "transfer RX TX", "allowed-ip CIDR".
 */
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "net/netns.h"
#include "net/wg.h"
#include "net/wg_key.h"

#define MAX_PEERS	16
#define MAX_AIPS	2048

int	main(int, char **);

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: wg-tool [-b backend] [-H hostns] [-N vpnns] "
	    "[-p program] IFNAME ensure|show|destroy|set ...\n"
	    "       wg-tool genkey | pubkey\n");
	exit(2);
}

static int
parse_endpoint(const char *s, union wg_endpoint *ep)
{
	char	 host[64];
	const char *colon;
	long	 port;
	char	*end;

	memset(ep, 0, sizeof(*ep));
	if ((colon = strrchr(s, ':')) == NULL ||
	    (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535)
		return -1;
	if (inet_pton(AF_INET, host, &ep->sin.sin_addr) != 1)
		return -1;
	ep->sin.sin_family = AF_INET;
	ep->sin.sin_port = htons((uint16_t)port);
	return 0;
}

static int
parse_cidr(const char *s, struct wg_allowedip *a)
{
	char	 host[64];
	const char *slash;
	long	 n;
	char	*end;

	memset(a, 0, sizeof(*a));
	if ((slash = strchr(s, '/')) == NULL ||
	    (size_t)(slash - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(slash - s));
	host[slash - s] = '\0';
	n = strtol(slash + 1, &end, 10);
	if (*end != '\0' || n < 0)
		return -1;
	if (inet_pton(AF_INET, host, &a->addr.ip4) == 1 && n <= 32)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, host, &a->addr.ip6) == 1 && n <= 128)
		a->family = AF_INET6;
	else
		return -1;
	a->cidr = (uint8_t)n;
	return 0;
}

static int
read_key_file(const char *path, uint8_t key[WG_KEYLEN])
{
	char	 buf[128];
	FILE	*f;
	size_t	 n;
	int	 rc;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	if (f != stdin)
		fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	rc = wg_key_from_base64_len(key, buf, n);
	wg_key_wipe((uint8_t *)buf);
	memset(buf, 0, sizeof(buf));
	return rc;
}

static int
cmd_set(struct wg_link *wl, int argc, char **argv)
{
	static struct wg_peer_config	peers[MAX_PEERS];
	static struct wg_allowedip	aips[MAX_PEERS][MAX_AIPS];
	struct wg_device_config		cfg = { 0 };
	struct wg_peer_config		*p = NULL;
	int				i, rc;
	char				*end;
	long				n;

	cfg.peers = peers;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "private-key") == 0 && v != NULL) {
			if ((rc = read_key_file(v, cfg.private_key)) < 0) {
				fprintf(stderr, "wg-tool: %s: bad key: %s\n",
				    v, strerror(-rc));
				return 1;
			}
			cfg.set_private_key = true;
			i++;
		} else if (strcmp(a, "listen-port") == 0 && v != NULL) {
			n = strtol(v, &end, 10);
			if (*end != '\0' || n < 0 || n > 65535)
				usage();
			cfg.set_listen_port = true;
			cfg.listen_port = (uint16_t)n;
			i++;
		} else if (strcmp(a, "replace-peers") == 0) {
			cfg.replace_peers = true;
		} else if (strcmp(a, "peer") == 0 && v != NULL) {
			if (cfg.npeers == MAX_PEERS)
				usage();
			p = &peers[cfg.npeers];
			memset(p, 0, sizeof(*p));
			p->allowedips = aips[cfg.npeers];
			cfg.npeers++;
			if (wg_key_from_base64(p->public_key, v) < 0) {
				fprintf(stderr, "wg-tool: bad peer key\n");
				return 1;
			}
			i++;
		} else if (p != NULL && strcmp(a, "endpoint") == 0 &&
		    v != NULL) {
			if (parse_endpoint(v, &p->endpoint) < 0)
				usage();
			i++;
		} else if (p != NULL && strcmp(a, "keepalive") == 0 &&
		    v != NULL) {
			n = strtol(v, &end, 10);
			if (*end != '\0' || n < 0 || n > 65535)
				usage();
			p->persistent_keepalive = (uint16_t)n;
			i++;
		} else if (p != NULL && strcmp(a, "allowed-ip") == 0 &&
		    v != NULL) {
			if (p->nallowedips == MAX_AIPS ||
			    parse_cidr(v, &aips[p - peers][p->nallowedips]) < 0)
				usage();
			p->nallowedips++;
			i++;
		} else if (p != NULL && strcmp(a, "replace-allowed-ips") == 0) {
			p->replace_allowedips = true;
		} else if (p != NULL && strcmp(a, "remove") == 0) {
			p->remove = true;
		} else
			usage();
	}
	rc = wg_link_configure(wl, &cfg);
	wg_device_config_wipe(&cfg);
	if (rc < 0) {
		fprintf(stderr, "wg-tool: %s: configure: %s\n", wl->ifname,
		    strerror(-rc));
		return 1;
	}
	return 0;
}

static int
cmd_show(struct wg_link *wl)
{
	struct wg_device_status	 st;
	struct wg_peer_status	*p;
	char			 b64[WG_KEY_B64_SIZE];
	char			 addr[INET6_ADDRSTRLEN];
	size_t			 i, j;
	int			 rc;

	if ((rc = wg_link_read(wl, &st)) < 0) {
		wg_device_status_free(&st);
		fprintf(stderr, "wg-tool: %s: read: %s\n", wl->ifname,
		    strerror(-rc));
		return 1;
	}
	printf("backend %s\n", wg_link_backend_name(wl));
	if (st.has_public_key) {
		wg_key_to_base64(b64, st.public_key);
		printf("public-key %s\n", b64);
	}
	printf("listen-port %u\n", st.listen_port);
	for (i = 0; i < st.npeers; i++) {
		p = &st.peers[i];
		wg_key_to_base64(b64, p->public_key);
		printf("peer %s\n", b64);
		if (p->endpoint.sa.sa_family == AF_INET) {
			inet_ntop(AF_INET, &p->endpoint.sin.sin_addr, addr,
			    sizeof(addr));
			printf("endpoint %s:%u\n", addr,
			    ntohs(p->endpoint.sin.sin_port));
		}
		printf("latest-handshake %lld\n",
		    (long long)p->last_handshake.tv_sec);
		printf("transfer %llu %llu\n",
		    (unsigned long long)p->rx_bytes,
		    (unsigned long long)p->tx_bytes);
		printf("keepalive %u\n", p->persistent_keepalive);
		for (j = 0; j < p->nallowedips; j++) {
			inet_ntop(p->allowedips[j].family,
			    &p->allowedips[j].addr, addr, sizeof(addr));
			printf("allowed-ip %s/%u\n", addr,
			    p->allowedips[j].cidr);
		}
	}
	wg_device_status_free(&st);
	return 0;
}

static int
cmd_keys(const char *cmd)
{
	struct wg_keypair	kp;
	char			b64[WG_KEY_B64_SIZE];
	int			rc;

	if (strcmp(cmd, "genkey") == 0) {
		if ((rc = wg_keypair_generate(&kp)) < 0)
			return 1;
		wg_key_to_base64(b64, kp.private_key);
	} else {
		if ((rc = read_key_file("-", kp.private_key)) < 0 ||
		    (rc = wg_key_public(kp.public_key, kp.private_key)) < 0) {
			fprintf(stderr, "wg-tool: bad private key\n");
			return 1;
		}
		wg_key_to_base64(b64, kp.public_key);
	}
	printf("%s\n", b64);
	wg_keypair_wipe(&kp);
	return 0;
}

int
main(int argc, char **argv)
{
	struct wg_link	 wl;
	const char	*hostns = NULL, *vpnns = NULL, *program = NULL;
	const char	*ifname, *cmd;
	int		 kind = WG_BACKEND_AUTO, ch, hfd = -1, vfd = -1, rc;
	int		 wait_ms = -1, polls = 0;

	log_init(getenv("WG_TOOL_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_INFO,
	    "wg-tool");
	while ((ch = getopt(argc, argv, "b:H:N:p:w:")) != -1) {
		switch (ch) {
		case 'b':
			if ((kind = wg_backend_kind_from_name(optarg)) < 0)
				usage();
			break;
		case 'H':
			hostns = optarg;
			break;
		case 'N':
			vpnns = optarg;
			break;
		case 'p':
			program = optarg;
			break;
		case 'w':
			wait_ms = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 1 && (strcmp(argv[0], "genkey") == 0 ||
	    strcmp(argv[0], "pubkey") == 0))
		return cmd_keys(argv[0]);
	if (argc < 2)
		usage();
	ifname = argv[0];
	cmd = argv[1];
	if (strlen(ifname) >= IF_NAMESIZE)
		usage();
	if (hostns != NULL && (hfd = netns_open(hostns)) < 0) {
		fprintf(stderr, "wg-tool: netns %s: %s\n", hostns,
		    strerror(-hfd));
		return 1;
	}
	if (vpnns != NULL && (vfd = netns_open(vpnns)) < 0) {
		fprintf(stderr, "wg-tool: netns %s: %s\n", vpnns,
		    strerror(-vfd));
		return 1;
	}
	wg_link_init(&wl, ifname, hfd, vfd, (enum wg_backend_kind)kind,
	    program);
	if (strcmp(cmd, "destroy") == 0) {
		rc = wg_link_destroy(&wl);
		if (rc < 0)
			fprintf(stderr, "wg-tool: %s: destroy: %s\n", ifname,
			    strerror(-rc));
		return rc < 0;
	}
	if (wait_ms >= 0)
		wl.wait_ms = wait_ms;
	while ((rc = wg_link_ensure(&wl)) == -EINPROGRESS && polls < 500) {
		polls++;
		usleep(20000);
	}
	if (wait_ms == 0)
		fprintf(stderr, "ensure polls %d\n", polls);
	if (rc < 0) {
		fprintf(stderr, "wg-tool: %s: ensure: %s\n", ifname,
		    strerror(-rc));
		return 1;
	}
	if (strcmp(cmd, "ensure") == 0)
		rc = 0;
	else if (strcmp(cmd, "show") == 0)
		rc = cmd_show(&wl);
	else if (strcmp(cmd, "set") == 0)
		rc = cmd_set(&wl, argc - 2, argv + 2);
	else
		usage();
	wg_link_close(&wl);
	return rc;
}
