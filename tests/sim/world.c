/* SPDX-License-Identifier: ISC */
/*
 * Building and removing the simulated world. This is test infrastructure,
 * so links and addresses are made with ip(8) in batch mode (one process
 * per namespace keeps `up` fast); namespaces, sysctls and the WireGuard
 * UAPI go through piad's own net/ helpers, and the firewall through
 * libnftables with one context per namespace (made while inside it).
 *
 * Names: every namespace is PREFIX-something and every WireGuard device
 * starts with PREFIX, so `down --prefix P` can find all of it even when
 * the daemon is gone.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <nftables/libnftables.h>

#include "core/log.h"
#include "net/netns.h"
#include "net/sysctl.h"
#include "net/wg.h"
#include "net/wg_uapi.h"
#include "tests/sim/piasim.h"

static int	spawn(char *const [], const char *, int);
static int	ip_batch(const char *, const char *);
static int	nft_ctx_fn(void *);
static struct nft_ctx *nft_in(int);
static int	nft_apply(struct nft_ctx *, const char *, const char *);
static int	wg_start(struct sim *, struct sim_server *);
static int	wg_wait(struct sim_server *);
static int	ns_setup(struct sim *);
static int	nft_inet(struct sim *);
static void	kill_netns_procs(const char *);
static int	sleep_ms(int);
static bool	proc_alive(pid_t);

/* Running (a zombie counts as gone: its parent may be slow to reap it). */
static bool
proc_alive(pid_t pid)
{
	char	 path[64], buf[256], *p;
	FILE	*f;
	bool	 alive = false;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL && p[1] == ' ')
		alive = p[2] != 'Z' && p[2] != 'X';
	fclose(f);
	return alive;
}

static int
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	return nanosleep(&ts, NULL);
}

/*
 * Run argv, feeding it `input` on stdin when not NULL; stdout goes to
 * /dev/null unless keep_stdout. Returns the exit status or -1.
 */
static int
spawn(char *const argv[], const char *input, int keep_stdout)
{
	int	p[2] = { -1, -1 }, st;
	pid_t	pid;

	if (input != NULL && pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		if (p[0] != -1) {
			close(p[0]);
			close(p[1]);
		}
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (p[0] != -1)
			dup2(p[0], STDIN_FILENO);
		else
			dup2(null, STDIN_FILENO);
		if (!keep_stdout)
			dup2(null, STDOUT_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (p[0] != -1) {
		size_t len = strlen(input), off = 0;

		close(p[0]);
		while (off < len) {
			ssize_t n = write(p[1], input + off, len - off);

			if (n <= 0)
				break;
			off += (size_t)n;
		}
		close(p[1]);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
sim_run(const char *fmt, ...)
{
	char	 cmd[1024], *argv[64], *p, *save = NULL;
	int	 n = 0;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	for (p = strtok_r(cmd, " ", &save); p != NULL && n < 63;
	    p = strtok_r(NULL, " ", &save))
		argv[n++] = p;
	argv[n] = NULL;
	return n == 0 ? -1 : spawn(argv, NULL, 0);
}

/* `ip [-n ns] -batch -` with the given lines; stops at the first error. */
static int
ip_batch(const char *ns, const char *lines)
{
	char	*argv[6];
	int	 n = 0, rc;

	argv[n++] = (char *)(uintptr_t)"ip";
	if (ns != NULL) {
		argv[n++] = (char *)(uintptr_t)"-n";
		argv[n++] = (char *)(uintptr_t)ns;
	}
	argv[n++] = (char *)(uintptr_t)"-batch";
	argv[n++] = (char *)(uintptr_t)"-";
	argv[n] = NULL;
	if ((rc = spawn(argv, lines, 0)) != 0) {
		log_warnx("world: ip -n %s -batch failed (%d) on:\n%s",
		    ns ? ns : "(root)", rc, lines);
		return -1;
	}
	return 0;
}

static int
nft_ctx_fn(void *arg)
{
	struct nft_ctx **ctx = arg;

	if ((*ctx = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL)
		return -ENOMEM;
	nft_ctx_buffer_output(*ctx);
	nft_ctx_buffer_error(*ctx);
	return 0;
}

static struct nft_ctx *
nft_in(int nsfd)
{
	struct nft_ctx *ctx = NULL;

	if (netns_run(nsfd, nft_ctx_fn, &ctx) < 0)
		return NULL;
	return ctx;
}

static int
nft_apply(struct nft_ctx *ctx, const char *what, const char *ruleset)
{
	if (nft_run_cmd_from_buffer(ctx, ruleset) != 0) {
		log_warnx("%s: nftables: %s", what,
		    nft_ctx_get_error_buffer(ctx));
		return -1;
	}
	return 0;
}

/*
 * The server's table, rebuilt whole on each change (one transaction): NAT
 * of tunnel traffic to its public IP, the DNAT of each bound port to the
 * peer that bound it, and the "dead server" drop.
 */
int
sim_nft_server(struct sim *s, struct sim_server *sv)
{
	char	 rules[8192], pub[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN];
	char	 peer[INET_ADDRSTRLEN];
	size_t	 off = 0;
	int	 i;

	inet_ntop(AF_INET, &sv->pub, pub, sizeof(pub));
	inet_ntop(AF_INET, &sv->net, net, sizeof(net));
	off += (size_t)snprintf(rules + off, sizeof(rules) - off,
	    "table ip piasim\ndelete table ip piasim\n"
	    "table ip piasim {\n"
	    " chain c_pre { type nat hook prerouting priority dstnat;\n");
	for (i = 0; i < SIM_BINDS_PER_SERVER; i++) {
		struct sim_binding *b = &sv->binds[i];

		if (!b->used)
			continue;
		inet_ntop(AF_INET, &b->peer, peer, sizeof(peer));
		off += (size_t)snprintf(rules + off, sizeof(rules) - off,
		    "  iifname \"eth0\" ip daddr %s tcp dport %u "
		    "dnat to %s:%u\n"
		    "  iifname \"eth0\" ip daddr %s udp dport %u "
		    "dnat to %s:%u\n",
		    pub, b->port, peer, b->port, pub, b->port, peer, b->port);
	}
	off += (size_t)snprintf(rules + off, sizeof(rules) - off,
	    " }\n"
	    " chain c_post { type nat hook postrouting priority srcnat;\n"
	    "  oifname \"eth0\" ip saddr %s/28 masquerade\n }\n"
	    " chain c_in { type filter hook input priority filter;\n%s }\n"
	    " chain c_fwd { type filter hook forward priority filter;\n%s }\n"
	    "}\n", net,
	    sv->dead ? "  iifname \"eth0\" drop\n" : "",
	    sv->dead ? "  drop\n" : "");
	if (off >= sizeof(rules))
		return -1;
	(void)s;
	return nft_apply(sv->nft, sv->cn, rules);
}

/*
 * The internet router's table: the leak observer and the per-region
 * "latency" of meta servers. Without netem, latency is made by dropping
 * the first SYN of each connection, so connect() takes one SYN
 * retransmission (~1 s) longer.
 *
 * A leak is any packet from the host's side that is either from the
 * host's uplink address to something that is no PIA API or server
 * address, or from any other source at all (a container's packet routed
 * out without NAT); each is counted once and its destination remembered.
 */
static int
nft_inet(struct sim *s)
{
	char	 rules[4096], ip[INET_ADDRSTRLEN];
	size_t	 off = 0;
	int	 i, r;

	off += (size_t)snprintf(rules + off, sizeof(rules) - off,
	    "table ip piasim\ndelete table ip piasim\n"
	    "table ip piasim {\n"
	    " counter leaks { }\n"
	    " set allowed { type ipv4_addr; elements = { %s, %s",
	    SIM_WWW_IP, SIM_LIST_IP);
	for (i = 0; i < s->nservers; i++) {
		inet_ntop(AF_INET, &s->servers[i].pub, ip, sizeof(ip));
		off += (size_t)snprintf(rules + off, sizeof(rules) - off,
		    ", %s", ip);
	}
	for (r = 0; r < s->nregions + 20; r++)	/* listed-only servers */
		off += (size_t)snprintf(rules + off, sizeof(rules) - off,
		    ", 203.0.113.%d", 100 + r);
	off += (size_t)snprintf(rules + off, sizeof(rules) - off,
	    " } }\n"
	    " set leakdst { type ipv4_addr; size 256; flags dynamic; }\n"
	    " set slowmeta { type ipv4_addr; }\n"
	    " set synseen { type ipv4_addr . inet_service;"
	    " flags dynamic,timeout; timeout 60s; }\n"
	    " chain c_delay { type filter hook forward priority -10;\n"
	    "  ip daddr @slowmeta tcp dport 443 tcp flags & (syn|ack) == syn"
	    " ip saddr . tcp sport @synseen accept\n"
	    "  ip daddr @slowmeta tcp dport 443 tcp flags & (syn|ack) == syn"
	    " add @synseen { ip saddr . tcp sport } drop\n }\n"
	    " chain c_fwd { type filter hook forward priority filter;\n"
	    "  iifname \"h0\" ip saddr != %s"
	    " add @leakdst { ip daddr } counter name leaks accept\n"
	    "  iifname \"h0\" ip daddr != @allowed"
	    " add @leakdst { ip daddr } counter name leaks\n }\n"
	    " chain c_in { type filter hook input priority filter;\n"
	    "  iifname \"h0\" ip saddr != %s"
	    " add @leakdst { ip daddr } counter name leaks accept\n"
	    "  iifname \"h0\" ip daddr != @allowed"
	    " add @leakdst { ip daddr } counter name leaks\n }\n"
	    "}\n", SIM_UPLINK_HOST, SIM_UPLINK_HOST);
	if (off >= sizeof(rules))
		return -1;
	return nft_apply(s->inet_nft, "internet", rules);
}

/* The meta servers of regions with meta_delay set get the SYN drop. */
int
sim_nft_meta(struct sim *s)
{
	char	 rules[1024], ip[INET_ADDRSTRLEN];
	size_t	 off = 0;
	int	 r, n = 0;

	off += (size_t)snprintf(rules, sizeof(rules),
	    "flush set ip piasim slowmeta\n");
	for (r = 0; r < s->nregions; r++) {
		const struct sim_region *rg = &s->regions[r];

		if (!rg->meta_delay || rg->meta < 0)
			continue;
		inet_ntop(AF_INET, &s->servers[rg->meta].pub, ip, sizeof(ip));
		off += (size_t)snprintf(rules + off, sizeof(rules) - off,
		    "%s%s", n++ ? ", " : "add element ip piasim slowmeta { ",
		    ip);
	}
	if (n > 0)
		off += (size_t)snprintf(rules + off, sizeof(rules) - off,
		    " }\n");
	if (off >= sizeof(rules))
		return -1;
	return nft_apply(s->inet_nft, "internet", rules);
}

int
sim_leaks(struct sim *s, uint64_t *packets, uint64_t *bytes, char *dsts,
    size_t dstsize)
{
	json_t		*root, *arr, *it, *c, *elem, *e;
	json_error_t	 jerr;
	size_t		 i, j, off = 0;
	unsigned	 flags;
	int		 rc = -1;

	*packets = *bytes = 0;
	dsts[0] = '\0';
	flags = nft_ctx_output_get_flags(s->inet_nft);
	nft_ctx_output_set_flags(s->inet_nft, flags | NFT_CTX_OUTPUT_JSON);
	if (nft_run_cmd_from_buffer(s->inet_nft,
	    "list counter ip piasim leaks\nlist set ip piasim leakdst\n") != 0)
		goto out;
	/* Two JSON documents back to back: parse them one by one. */
	{
		const char	*buf = nft_ctx_get_output_buffer(s->inet_nft);
		size_t		 len = strlen(buf), pos = 0;

		while (pos < len) {
			if ((root = json_loadb(buf + pos, len - pos,
			    JSON_DISABLE_EOF_CHECK, &jerr)) == NULL)
				break;
			pos += jerr.position;
			arr = json_object_get(root, "nftables");
			json_array_foreach(arr, i, it) {
				if ((c = json_object_get(it, "counter"))) {
					*packets = (uint64_t)json_integer_value(
					    json_object_get(c, "packets"));
					*bytes = (uint64_t)json_integer_value(
					    json_object_get(c, "bytes"));
					rc = 0;
				}
				if ((c = json_object_get(it, "set")) &&
				    (elem = json_object_get(c, "elem")))
					json_array_foreach(elem, j, e) {
						if (!json_is_string(e) ||
						    off + 20 > dstsize)
							continue;
						off += (size_t)snprintf(
						    dsts + off, dstsize - off,
						    "%s%s", off ? " " : "",
						    json_string_value(e));
					}
			}
			json_decref(root);
			while (pos < len && (buf[pos] == '\n' ||
			    buf[pos] == ' '))
				pos++;
		}
	}
out:
	nft_ctx_output_set_flags(s->inet_nft, flags);
	return rc;
}

/* One peer added (allowed IP = its peer_ip) or removed. */
int
sim_wg_set_peer(struct sim_server *sv, const struct sim_peer *p, bool remove)
{
	struct wg_allowedip	aip;
	struct wg_peer_config	peer;
	struct wg_device_config	cfg;
	int			rc;

	memset(&aip, 0, sizeof(aip));
	aip.family = AF_INET;
	aip.addr.ip4 = p->ip;
	aip.cidr = 32;
	memset(&peer, 0, sizeof(peer));
	memcpy(peer.public_key, p->pubkey, WG_KEYLEN);
	peer.remove = remove;
	peer.replace_allowedips = true;
	if (!remove) {
		peer.nallowedips = 1;
		peer.allowedips = &aip;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.npeers = 1;
	cfg.peers = &peer;
	if ((rc = wg_link_configure(&sv->wg, &cfg)) < 0)
		log_warnx("%s: wg set peer: %s", sv->cn, strerror(-rc));
	return rc < 0 ? -1 : 0;
}

/*
 * The server's WireGuard device through piad's own userspace backend:
 * wireguard-go started in the server's netns (host_nsfd), where its UDP
 * socket and TUN device both stay (no VPN netns). wait_ms 0 makes ensure()
 * return at once, so all servers start in parallel; wg_wait() then polls.
 */
static int
wg_start(struct sim *s, struct sim_server *sv)
{
	int rc;

	wg_link_init(&sv->wg, sv->ifname, sv->nsfd, -1, WG_BACKEND_USERSPACE,
	    WG_DEFAULT_PROGRAM);
	sv->wg.wait_ms = 0;
	if ((rc = wg_link_ensure(&sv->wg)) < 0 && rc != -EINPROGRESS) {
		log_warnx("%s: cannot start WireGuard %s: %s", sv->cn,
		    sv->ifname, strerror(-rc));
		return -1;
	}
	(void)s;
	return 0;
}

static int
wg_wait(struct sim_server *sv)
{
	struct wg_device_config	cfg;
	int			rc;

	while ((rc = wg_link_ensure(&sv->wg)) == -EINPROGRESS)
		sleep_ms(10);
	if (rc < 0) {
		log_warnx("%s: WireGuard %s did not come up: %s", sv->cn,
		    sv->ifname, strerror(-rc));
		return -1;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.set_private_key = true;
	memcpy(cfg.private_key, sv->wg_priv, WG_KEYLEN);
	cfg.set_listen_port = true;
	cfg.listen_port = sv->wg_port;
	rc = wg_link_configure(&sv->wg, &cfg);
	wg_device_config_wipe(&cfg);
	if (rc < 0) {
		log_warnx("%s: cannot configure %s: %s", sv->cn, sv->ifname,
		    strerror(-rc));
		return -1;
	}
	return 0;
}

static int
ns_setup(struct sim *s)
{
	char	 buf[4096], ns[SIM_NSNAME_MAX + 8], pub[INET_ADDRSTRLEN];
	size_t	 off;
	int	 i;

	/* Every veth is made straight into its two namespaces. */
	off = (size_t)snprintf(buf, sizeof(buf),
	    "link add eth0 netns %s-host type veth peer name h0 "
	    "netns %s-inet\n"
	    "link add eth0 netns %s-api type veth peer name api0 "
	    "netns %s-inet\n"
	    "link add eth0 netns %s-web type veth peer name web0 "
	    "netns %s-inet\n",
	    s->prefix, s->prefix, s->prefix, s->prefix, s->prefix, s->prefix);
	for (i = 0; i < s->nservers; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
		    "link add eth0 netns %s type veth peer name s%d "
		    "netns %s-inet\n",
		    s->servers[i].ns, i, s->prefix);
	if (ip_batch(NULL, buf) == -1)
		return -1;

	off = (size_t)snprintf(buf, sizeof(buf),
	    "link set lo up\n"
	    "link add br-lan type bridge\n"
	    "link set br-lan up\n"
	    "addr add %s/24 dev br-lan\n"
	    "link add br-srv type bridge\n"
	    "link set br-srv up\n"
	    "addr add %s/25 dev br-srv\n"
	    "addr add %s/24 dev h0\n"
	    "link set h0 up\n"
	    "link set api0 master br-lan up\n"
	    "link set web0 master br-lan up\n",
	    SIM_LAN_ROUTER, SIM_SRV_ROUTER, SIM_UPLINK_ROUTER);
	for (i = 0; i < s->nservers; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
		    "link set s%d master br-srv up\n", i);
	snprintf(ns, sizeof(ns), "%s-inet", s->prefix);
	if (ip_batch(ns, buf) == -1)
		return -1;

	snprintf(ns, sizeof(ns), "%s-host", s->prefix);
	snprintf(buf, sizeof(buf), "link set lo up\nlink set eth0 up\n"
	    "addr add %s/24 dev eth0\nroute add default via %s\n",
	    SIM_UPLINK_HOST, SIM_UPLINK_ROUTER);
	if (ip_batch(ns, buf) == -1)
		return -1;
	snprintf(ns, sizeof(ns), "%s-api", s->prefix);
	snprintf(buf, sizeof(buf), "link set lo up\nlink set eth0 up\n"
	    "addr add %s/24 dev eth0\naddr add %s/24 dev eth0\n"
	    "route add default via %s\n",
	    SIM_WWW_IP, SIM_LIST_IP, SIM_LAN_ROUTER);
	if (ip_batch(ns, buf) == -1)
		return -1;
	snprintf(ns, sizeof(ns), "%s-web", s->prefix);
	snprintf(buf, sizeof(buf), "link set lo up\nlink set eth0 up\n"
	    "addr add %s/24 dev eth0\nroute add default via %s\n",
	    SIM_WEB_IP, SIM_LAN_ROUTER);
	if (ip_batch(ns, buf) == -1)
		return -1;
	for (i = 0; i < s->nservers; i++) {
		struct sim_server *sv = &s->servers[i];

		inet_ntop(AF_INET, &sv->pub, pub, sizeof(pub));
		snprintf(buf, sizeof(buf), "link set lo up\n"
		    "addr add %s/32 dev lo\naddr add %s/32 dev lo\n"
		    "link set eth0 up\naddr add %s/25 dev eth0\n"
		    "route add default via %s\n",
		    SIM_DNS1, SIM_DNS2, pub, SIM_SRV_ROUTER);
		if (ip_batch(sv->ns, buf) == -1)
			return -1;
	}
	return 0;
}

int
sim_world_up(struct sim *s)
{
	static const char *const plain[] = { "host", "inet", "api", "web" };
	char	 ns[SIM_NSNAME_MAX + 8], buf[512], vip[INET_ADDRSTRLEN];
	int	 i, fd, rc;

	for (i = 0; i < 4; i++) {
		snprintf(ns, sizeof(ns), "%s-%s", s->prefix, plain[i]);
		if ((rc = netns_create(ns)) < 0) {
			log_warnx("world: netns %s: %s", ns, strerror(-rc));
			return -1;
		}
		if ((fd = netns_open(ns)) < 0)
			return -1;
		if (sysctl_write(fd, "net.ipv6.conf.all.disable_ipv6",
		    "1") < 0 || sysctl_write(fd,
		    "net.ipv6.conf.default.disable_ipv6", "1") < 0)
			log_warnx("world: %s: cannot disable IPv6", ns);
		if (i == 1) {
			s->inet_nsfd = fd;
			if (sysctl_write(fd, "net.ipv4.ip_forward", "1") < 0)
				return -1;
		} else if (i == 2)
			s->api_nsfd = fd;
		else if (i == 3)
			s->web_nsfd = fd;
		else
			close(fd);
	}
	for (i = 0; i < s->nservers; i++) {
		struct sim_server *sv = &s->servers[i];

		if ((rc = netns_create(sv->ns)) < 0 ||
		    (sv->nsfd = netns_open(sv->ns)) < 0) {
			log_warnx("world: netns %s: %s", sv->ns,
			    strerror(rc < 0 ? -rc : -sv->nsfd));
			return -1;
		}
		(void)sysctl_write(sv->nsfd, "net.ipv6.conf.all.disable_ipv6",
		    "1");
		(void)sysctl_write(sv->nsfd,
		    "net.ipv6.conf.default.disable_ipv6", "1");
		if (sysctl_write(sv->nsfd, "net.ipv4.ip_forward", "1") < 0)
			return -1;
		if (wg_start(s, sv) == -1)
			return -1;
	}
	if (ns_setup(s) == -1)
		return -1;
	if ((s->inet_nft = nft_in(s->inet_nsfd)) == NULL ||
	    nft_inet(s) == -1)
		return -1;
	for (i = 0; i < s->nservers; i++) {
		struct sim_server *sv = &s->servers[i];

		if ((sv->nft = nft_in(sv->nsfd)) == NULL ||
		    sim_nft_server(s, sv) == -1)
			return -1;
		if (wg_wait(sv) == -1)
			return -1;
		inet_ntop(AF_INET, &sv->vip, vip, sizeof(vip));
		snprintf(buf, sizeof(buf), "addr add %s/28 dev %s\n"
		    "link set %s up\n", vip, sv->ifname, sv->ifname);
		if (ip_batch(sv->ns, buf) == -1)
			return -1;
	}
	return 0;
}

/* SIGKILL every process whose network namespace is /run/netns/name. */
static void
kill_netns_procs(const char *name)
{
	char		 path[PATH_MAX];
	struct stat	 nst, pst;
	DIR		*d;
	struct dirent	*de;
	int		 round;

	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	if (stat(path, &nst) == -1)
		return;
	for (round = 0; round < 50; round++) {
		int found = 0;

		if ((d = opendir("/proc")) == NULL)
			return;
		while ((de = readdir(d)) != NULL) {
			pid_t pid = (pid_t)atoi(de->d_name);

			if (pid <= 1 || pid == getpid())
				continue;
			snprintf(path, sizeof(path), "/proc/%d/ns/net",
			    (int)pid);
			if (stat(path, &pst) == -1 ||
			    pst.st_ino != nst.st_ino ||
			    pst.st_dev != nst.st_dev || !proc_alive(pid))
				continue;
			found++;
			kill(pid, SIGKILL);
		}
		closedir(d);
		if (!found)
			return;
		sleep_ms(20);
	}
}

int
sim_world_down(const char *prefix, const char *dir)
{
	static const char *const files[] = { SIM_FILE_CONFIG, SIM_FILE_CREDS,
	    SIM_FILE_PIA_CA, "pia-ca.key", SIM_FILE_API_CA, "api-ca.key",
	    SIM_FILE_LIST_PUB, SIM_FILE_LIST_KEY, SIM_FILE_WORLD,
	    SIM_FILE_SOCK, SIM_FILE_PID, SIM_FILE_LOG };
	char		 path[PATH_MAX], pfx[SIM_PREFIX_MAX + 2];
	DIR		*d;
	struct dirent	*de;
	size_t		 i;
	int		 rc = 0;

	snprintf(pfx, sizeof(pfx), "%s-", prefix);
	if (dir != NULL) {
		FILE	*f;
		int	 pid = 0;

		snprintf(path, sizeof(path), "%s/%s", dir, SIM_FILE_PID);
		if ((f = fopen(path, "r")) != NULL) {
			if (fscanf(f, "%d", &pid) != 1)
				pid = 0;
			fclose(f);
		}
		if (pid > 1 && kill(pid, SIGTERM) == 0) {
			for (i = 0; i < 100 && proc_alive(pid); i++)
				sleep_ms(10);
			kill(pid, SIGKILL);
		}
	}
	/* Every namespace of this world, and whatever runs inside them. */
	if ((d = opendir(NETNS_RUN_DIR)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, pfx, strlen(pfx)) != 0)
				continue;
			kill_netns_procs(de->d_name);
			if (netns_delete(de->d_name) < 0) {
				log_warnx("down: cannot delete netns %s",
				    de->d_name);
				rc = -1;
			}
		}
		closedir(d);
	}
	/* resolv.conf files piad wrote for managed containers P-... */
	if ((d = opendir("/etc/netns")) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, pfx, strlen(pfx)) != 0)
				continue;
			snprintf(path, sizeof(path),
			    "/etc/netns/%s/resolv.conf", de->d_name);
			(void)unlink(path);
			snprintf(path, sizeof(path), "/etc/netns/%s",
			    de->d_name);
			(void)rmdir(path);
		}
		closedir(d);
	}
	/* Stale UAPI sockets of userspace WireGuard devices named P... */
	if ((d = opendir(WG_UAPI_DIR)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", WG_UAPI_DIR,
			    de->d_name);
			(void)unlink(path);
		}
		closedir(d);
	}
	if (dir != NULL) {
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
			(void)unlink(path);
		}
	}
	snprintf(path, sizeof(path), "%s/%s", SIM_RUN_DIR, prefix);
	(void)unlink(path);
	return rc;
}
