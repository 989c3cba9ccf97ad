/* SPDX-License-Identifier: ISC */
/*
 * piasim, the command: up / down / status / fault, plus two helpers the
 * tests use to check a forwarded port from both ends (echo, probe).
 *
 *	piasim up --prefix P --dir DIR [--servers N] [--regions LIST]
 *	    [--bind-ttl S] [--pf-lifetime S]
 *	piasim down --prefix P [--dir DIR]
 *	piasim status --prefix P [--dir DIR]
 *	piasim fault --prefix P NAME [ARGS...]     (NAME "clear" resets all)
 *	piasim echo --port N [--udp]               (echo server, foreground)
 *	piasim probe --prefix P [--ns NS] [--udp] IP PORT [TEXT]
 *
 * `up` remembers DIR in /run/piasim/P so the other commands need only
 * the prefix.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <nftables/libnftables.h>
#include <openssl/crypto.h>

#include "core/log.h"
#include "net/netns.h"
#include "tests/sim/piasim.h"

struct opts {
	const char	*prefix;
	const char	*dir;
	const char	*regions;
	const char	*ns;
	int		 servers;
	int		 bind_ttl;
	int		 pf_lifetime;
	int		 port;
	bool		 udp;
};

static const struct {
	const char	*id, *name, *country, *city;
	bool		 pf, offline;
} default_regions[] = {
	{ "swiss", "Switzerland", "CH", "zurich", true, false },
	{ "nl_amsterdam", "Netherlands", "NL", "amsterdam", true, false },
	{ "us_east", "US East", "US", "newjersey", false, false },
	{ "uk_london", "UK London", "GB", "london", true, true },
};

static void	usage(void) __attribute__((noreturn));
static int	parse_opts(int, char **, struct opts *);
static int	valid_prefix(const char *);
static int	find_dir(const struct opts *, char *, size_t);
static int	setup_regions(struct sim *, const char *);
static void	setup_servers(struct sim *);
static int	write_files(struct sim *);
static void	sim_free(struct sim *);
static int	cmd_up(struct opts *);
static int	cmd_down(struct opts *);
static int	ctl_request(const char *, const char *, char **);
static int	cmd_status(struct opts *);
static int	cmd_fault(struct opts *, int, char **);
static int	cmd_echo(struct opts *);
static int	cmd_probe(struct opts *, int, char **);
int		main(int, char **);

static void
usage(void)
{
	fprintf(stderr,
	    "usage: piasim up --prefix P --dir DIR [--servers N] "
	    "[--regions LIST]\n"
	    "                 [--bind-ttl S] [--pf-lifetime S]\n"
	    "       piasim down --prefix P [--dir DIR]\n"
	    "       piasim status --prefix P [--dir DIR]\n"
	    "       piasim fault --prefix P NAME [ARGS...]\n"
	    "       piasim echo --port N [--udp]\n"
	    "       piasim probe --prefix P [--ns NS] [--udp] IP PORT "
	    "[TEXT]\n");
	exit(2);
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "prefix", required_argument, NULL, 'p' },
		{ "dir", required_argument, NULL, 'd' },
		{ "servers", required_argument, NULL, 'n' },
		{ "regions", required_argument, NULL, 'r' },
		{ "bind-ttl", required_argument, NULL, 't' },
		{ "pf-lifetime", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'P' },
		{ "ns", required_argument, NULL, 'N' },
		{ "udp", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->servers = 4;
	o->bind_ttl = 20 * 60;
	o->pf_lifetime = 60 * 86400;
	/* "+": stop at the first operand (fault NAME ARGS...). */
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': o->prefix = optarg; break;
		case 'd': o->dir = optarg; break;
		case 'n': o->servers = atoi(optarg); break;
		case 'r': o->regions = optarg; break;
		case 't': o->bind_ttl = atoi(optarg); break;
		case 'l': o->pf_lifetime = atoi(optarg); break;
		case 'P': o->port = atoi(optarg); break;
		case 'N': o->ns = optarg; break;
		case 'u': o->udp = true; break;
		default: usage();
		}
	}
	return optind;
}

static int
valid_prefix(const char *p)
{
	size_t i, n;

	if (p == NULL || (n = strlen(p)) == 0 || n > SIM_PREFIX_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)p[i]) &&
		    !isdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

static int
find_dir(const struct opts *o, char *dir, size_t len)
{
	char	 path[PATH_MAX];
	FILE	*f;

	if (o->dir != NULL) {
		snprintf(dir, len, "%s", o->dir);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", SIM_RUN_DIR, o->prefix);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(dir, (int)len, f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	dir[strcspn(dir, "\n")] = '\0';
	return 0;
}

/* LIST: id[:pf|:nopf|:offline],... ; default: four regions as in docs. */
static int
setup_regions(struct sim *s, const char *list)
{
	char	*copy, *item, *save = NULL, *flag;
	size_t	 i;

	if (list == NULL) {
		for (i = 0; i < sizeof(default_regions) /
		    sizeof(default_regions[0]); i++) {
			struct sim_region *r = &s->regions[i];

			snprintf(r->id, sizeof(r->id), "%s",
			    default_regions[i].id);
			snprintf(r->name, sizeof(r->name), "%s",
			    default_regions[i].name);
			snprintf(r->country, sizeof(r->country), "%s",
			    default_regions[i].country);
			snprintf(r->city, sizeof(r->city), "%s",
			    default_regions[i].city);
			r->pf = default_regions[i].pf;
			r->offline = default_regions[i].offline;
		}
		s->nregions = (int)i;
		return 0;
	}
	if ((copy = strdup(list)) == NULL)
		return -1;
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		struct sim_region *r;

		if (s->nregions == SIM_MAX_REGIONS) {
			free(copy);
			return -1;
		}
		r = &s->regions[s->nregions++];
		r->pf = true;
		if ((flag = strchr(item, ':')) != NULL) {
			*flag++ = '\0';
			if (strcmp(flag, "nopf") == 0)
				r->pf = false;
			else if (strcmp(flag, "offline") == 0)
				r->offline = true;
			else if (strcmp(flag, "pf") != 0) {
				free(copy);
				return -1;
			}
		}
		if (*item == '\0' || strlen(item) >= sizeof(r->city)) {
			free(copy);
			return -1;
		}
		snprintf(r->id, sizeof(r->id), "%s", item);
		snprintf(r->name, sizeof(r->name), "Region %s", item);
		snprintf(r->country, sizeof(r->country), "ZZ");
		for (i = 0; item[i] != '\0'; i++)
			r->city[i] = isalnum((unsigned char)item[i]) ?
			    (char)tolower((unsigned char)item[i]) : 'x';
	}
	free(copy);
	/* Servers need somewhere to live. */
	for (i = 0; i < (size_t)s->nregions; i++)
		if (!s->regions[i].offline)
			return 0;
	return -1;
}

/*
 * Servers go round-robin over the regions that are not offline. Public
 * IPs 203.0.113.10+i; tunnel subnet i is 203.0.113.128+16*i/28 with the
 * vip at its first address; WireGuard UDP port 1337+i.
 */
static void
setup_servers(struct sim *s)
{
	int	live[SIM_MAX_REGIONS], nlive = 0, i, r;

	for (r = 0; r < s->nregions; r++) {
		s->regions[r].meta = -1;
		if (!s->regions[r].offline)
			live[nlive++] = r;
	}
	for (i = 0; i < s->nservers; i++) {
		struct sim_server *sv = &s->servers[i];
		struct sim_region *rg;

		sv->idx = i;
		sv->region = live[i % nlive];
		rg = &s->regions[sv->region];
		snprintf(sv->cn, sizeof(sv->cn), "%.20s%d", rg->city, 401 + i);
		snprintf(sv->ns, sizeof(sv->ns), "%.10s-s%c", s->prefix,
		    (char)('0' + i));
		snprintf(sv->ifname, sizeof(sv->ifname), "%.10ss%c", s->prefix,
		    (char)('0' + i));
		sv->nsfd = -1;
		sv->pub.s_addr = htonl(0xcb007100 | (uint32_t)(10 + i));
		sv->net.s_addr = htonl(0xcb007100 | (uint32_t)(128 + 16 * i));
		sv->vip.s_addr = htonl(ntohl(sv->net.s_addr) + 1);
		sv->wg_port = (uint16_t)(SIM_ADDKEY_PORT + i);
		rg->nservers++;
		if (rg->meta < 0)
			rg->meta = i;
	}
}

static int
write_files(struct sim *s)
{
	char	 path[PATH_MAX], tmp[PATH_MAX];
	json_t	*cfg, *world, *servers, *regions;
	FILE	*f;
	int	 fd, i;

	snprintf(path, sizeof(path), "%s/%s", s->dir, SIM_FILE_CREDS);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		log_warn("up: %s", path);
		return -1;
	}
	fprintf(f, "%s\n%s\n", s->username, s->password);
	if (fclose(f) != 0)
		return -1;

	cfg = json_object();
#define DIRFILE(name) (snprintf(path, sizeof(path), "%s/%s", s->dir, name), \
	    json_string(path))
#define PFX(name) (snprintf(tmp, sizeof(tmp), "%s%s", s->prefix, name), \
	    json_string(tmp))
	json_object_set_new(cfg, "credentials_file", DIRFILE(SIM_FILE_CREDS));
	json_object_set_new(cfg, "region", json_string("swiss"));
	json_object_set_new(cfg, "state_dir", DIRFILE("state"));
	json_object_set_new(cfg, "control_socket", DIRFILE("piad.sock"));
	json_object_set_new(cfg, "bridge", json_pack("{s:s,s:s,s:s}",
	    "name", "br-vpn", "subnet", "10.100.0.0/24",
	    "host_address", "10.100.0.1"));
	json_object_set_new(cfg, "vpn", json_pack("{s:o,s:s,s:o,s:i,s:i}",
	    "netns", PFX("-vpn"), "address", "10.100.0.2",
	    "interface", PFX("pia"), "listen_port", 51820, "mtu", 1420));
	json_object_set_new(cfg, "proxy", json_pack("{s:i,s:[]}", "port",
	    8888, "allow"));
	json_object_set_new(cfg, "wireguard", json_pack("{s:s,s:s}",
	    "backend", "auto", "userspace_program", "wireguard-go"));
	json_object_set_new(cfg, "dns", json_pack("{s:s}", "upstream",
	    "pia"));
	{
		json_t *ct = json_object();

		snprintf(tmp, sizeof(tmp), "%s-app", s->prefix);
		json_object_set_new(ct, tmp, json_pack(
		    "{s:s,s:b,s:{s:i,s:s}}", "address", "10.100.0.10",
		    "managed", true, "receive_forwarded_port", "port", 51413,
		    "protocol", "both"));
		snprintf(tmp, sizeof(tmp), "%s-box", s->prefix);
		json_object_set_new(ct, tmp, json_pack("{s:s}", "address",
		    "10.100.0.11"));
		json_object_set_new(cfg, "containers", ct);
	}
	json_object_set_new(cfg, "pia", json_pack(
	    "{s:s,s:s,s:o,s:o,s:o,s:{s:s,s:s}}",
	    "token_url", "https://" SIM_WWW_NAME "/api/client/v2/token",
	    "serverlist_url", "https://" SIM_LIST_NAME "/vpninfo/servers/v6",
	    "ca_file", DIRFILE(SIM_FILE_PIA_CA),
	    "serverlist_pubkey_file", DIRFILE(SIM_FILE_LIST_PUB),
	    "api_ca_file", DIRFILE(SIM_FILE_API_CA),
	    "resolve", SIM_WWW_NAME, SIM_WWW_IP, SIM_LIST_NAME, SIM_LIST_IP));
	json_object_set_new(cfg, "log", json_pack("{s:s}", "level", "debug"));
#undef DIRFILE
#undef PFX
	snprintf(path, sizeof(path), "%s/%s", s->dir, SIM_FILE_CONFIG);
	i = json_dump_file(cfg, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(cfg);
	if (i != 0) {
		log_warnx("up: cannot write %s", path);
		return -1;
	}

	regions = json_array();
	for (i = 0; i < s->nregions; i++)
		json_array_append_new(regions, json_pack("{s:s,s:b,s:b}",
		    "id", s->regions[i].id, "port_forward", s->regions[i].pf,
		    "offline", s->regions[i].offline));
	servers = json_array();
	for (i = 0; i < s->nservers; i++) {
		struct sim_server *sv = &s->servers[i];
		char ip[INET_ADDRSTRLEN], vip[INET_ADDRSTRLEN], key[48];

		inet_ntop(AF_INET, &sv->pub, ip, sizeof(ip));
		inet_ntop(AF_INET, &sv->vip, vip, sizeof(vip));
		sim_b64(sv->wg_pub, SIM_WG_KEYLEN, key, sizeof(key));
		json_array_append_new(servers, json_pack(
		    "{s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s}", "cn", sv->cn,
		    "region", s->regions[sv->region].id, "ip", ip, "vip", vip,
		    "wg_port", (int)sv->wg_port, "public_key", key,
		    "netns", sv->ns, "interface", sv->ifname));
	}
	snprintf(tmp, sizeof(tmp), "%s-host", s->prefix);
	world = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[s,s],s:s,s:s,"
	    "s:{s:s,s:s},s:o,s:o}",
	    "prefix", s->prefix, "host_netns", tmp, "uplink", SIM_UPLINK_HOST,
	    "gateway", SIM_UPLINK_ROUTER, "web", SIM_WEB_IP,
	    "dns_zone", "piasim.test", "dns_servers", SIM_DNS1, SIM_DNS2,
	    "www_ip", SIM_WWW_IP, "serverlist_ip", SIM_LIST_IP,
	    "names", SIM_WWW_NAME, SIM_WWW_IP, SIM_LIST_NAME, SIM_LIST_IP,
	    "regions", regions, "servers", servers);
	snprintf(path, sizeof(path), "%s/%s", s->dir, SIM_FILE_WORLD);
	i = json_dump_file(world, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(world);
	return i == 0 ? 0 : -1;
}

/* Only for `up` giving up: the daemon keeps its world until it exits. */
static void
sim_free(struct sim *s)
{
	int i;

	for (i = 0; i < SIM_MAX_SERVERS; i++) {
		struct sim_server *sv = &s->servers[i];

		EVP_PKEY_free(sv->tls_key);
		X509_free(sv->tls_cert);
		SSL_CTX_free(sv->tls);
		if (sv->nft != NULL)
			nft_ctx_free(sv->nft);
		if (sv->nsfd >= 0)
			close(sv->nsfd);
		OPENSSL_cleanse(sv->wg_priv, sizeof(sv->wg_priv));
	}
	EVP_PKEY_free(s->pia_ca_key);
	X509_free(s->pia_ca);
	EVP_PKEY_free(s->api_ca_key);
	X509_free(s->api_ca);
	EVP_PKEY_free(s->www_key);
	X509_free(s->www_cert);
	EVP_PKEY_free(s->list_leaf_key);
	X509_free(s->list_cert);
	EVP_PKEY_free(s->list_sign_key);
	if (s->inet_nft != NULL)
		nft_ctx_free(s->inet_nft);
	if (s->inet_nsfd >= 0)
		close(s->inet_nsfd);
	if (s->api_nsfd >= 0)
		close(s->api_nsfd);
	if (s->web_nsfd >= 0)
		close(s->web_nsfd);
	free(s->list_json);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

static int
cmd_up(struct opts *o)
{
	struct sim	*s;
	struct timespec	 t0, t1;
	char		 path[PATH_MAX], ns[SIM_NSNAME_MAX + 8];
	FILE		*f;
	int		 rc = 1, i;

	if (!valid_prefix(o->prefix) || o->dir == NULL) {
		fprintf(stderr, "piasim: up needs --prefix (1-%d of a-z0-9) "
		    "and --dir\n", SIM_PREFIX_MAX);
		return 2;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return 1;
	s->inet_nsfd = s->api_nsfd = s->web_nsfd = -1;
	for (i = 0; i < SIM_MAX_SERVERS; i++)
		s->servers[i].nsfd = -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(s->prefix, sizeof(s->prefix), "%s", o->prefix);
	if (setup_regions(s, o->regions) == -1) {
		fprintf(stderr, "piasim: bad --regions (id[:pf|:nopf|:offline]"
		    ",...; at most %d, one not offline)\n", SIM_MAX_REGIONS);
		rc = 2;
		goto out;
	}
	s->nservers = o->servers;
	if (s->nservers < 1 || s->nservers > SIM_MAX_SERVERS) {
		fprintf(stderr, "piasim: --servers must be 1..%d\n",
		    SIM_MAX_SERVERS);
		rc = 2;
		goto out;
	}
	s->bind_ttl = o->bind_ttl > 0 ? o->bind_ttl : 1200;
	s->pf_lifetime = o->pf_lifetime > 0 ? o->pf_lifetime : 60 * 86400;
	snprintf(ns, sizeof(ns), "%s-host", s->prefix);
	if (netns_exists(ns)) {
		fprintf(stderr, "piasim: a world with prefix %s is already "
		    "up\n", s->prefix);
		goto out;
	}
	if (mkdir(o->dir, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "piasim: %s: %s\n", o->dir, strerror(errno));
		goto out;
	}
	if (realpath(o->dir, path) == NULL) {
		fprintf(stderr, "piasim: %s: %s\n", o->dir, strerror(errno));
		goto out;
	}
	if (strlen(path) >= sizeof(s->dir) - strlen(SIM_FILE_SOCK) - 2) {
		fprintf(stderr, "piasim: %s: path too long (a unix socket "
		    "goes there)\n", path);
		goto out;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", path);
	(void)mkdir(SIM_RUN_DIR, 0700);
	snprintf(path, sizeof(path), "%s/%s", SIM_RUN_DIR, s->prefix);
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "piasim: %s: %s\n", path, strerror(errno));
		goto out;
	}
	fprintf(f, "%s\n", s->dir);
	fclose(f);

	setup_servers(s);
	snprintf(s->username, sizeof(s->username), "p%07d",
	    (int)(random() % 10000000));
	sim_random_hex(s->password, 24);

	if (sim_pki_create(s) == -1 || sim_world_up(s) == -1 ||
	    sim_list_build(s) == -1 || sim_pki_write(s) == -1 ||
	    write_files(s) == -1 || sim_serve_start(s) == -1) {
		fprintf(stderr, "piasim: up %s failed; removing it\n",
		    s->prefix);
		(void)sim_world_down(s->prefix, s->dir);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("piasim %s up in %.2f s: config %s/%s\n", s->prefix,
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, s->dir, SIM_FILE_CONFIG);
	/* The daemon has its own copy. */
	rc = 0;
out:
	sim_free(s);
	return rc;
}

static int
cmd_down(struct opts *o)
{
	char dir[PATH_MAX];

	if (!valid_prefix(o->prefix)) {
		fprintf(stderr, "piasim: down needs --prefix\n");
		return 2;
	}
	if (find_dir(o, dir, sizeof(dir)) == -1)
		return sim_world_down(o->prefix, NULL) == 0 ? 0 : 1;
	return sim_world_down(o->prefix, dir) == 0 ? 0 : 1;
}

/* Send one line to the daemon of DIR, return its reply line (malloc'd). */
static int
ctl_request(const char *dir, const char *line, char **reply)
{
	struct sockaddr_un	 sun;
	char			*buf = NULL;
	size_t			 len = 0, cap = 0;
	ssize_t			 n;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s", dir,
	    SIM_FILE_SOCK);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    write(fd, line, strlen(line)) != (ssize_t)strlen(line) ||
	    write(fd, "\n", 1) != 1) {
		close(fd);
		return -1;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (nb == NULL) {
				free(buf);
				close(fd);
				return -1;
			}
			buf = nb;
		}
		if ((n = read(fd, buf + len, 4096)) <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf == NULL || len == 0) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	*reply = buf;
	return 0;
}

static int
cmd_status(struct opts *o)
{
	char		 dir[PATH_MAX], *reply;
	json_t		*r;
	json_error_t	 jerr;

	if (!valid_prefix(o->prefix))
		usage();
	if (find_dir(o, dir, sizeof(dir)) == -1 ||
	    ctl_request(dir, "{\"cmd\":\"status\"}", &reply) == -1) {
		printf("{\"prefix\":\"%s\",\"running\":false}\n", o->prefix);
		return 1;
	}
	if ((r = json_loads(reply, 0, &jerr)) == NULL) {
		free(reply);
		return 1;
	}
	json_dumpf(json_object_get(r, "result"), stdout,
	    JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(r);
	free(reply);
	return 0;
}

static int
cmd_fault(struct opts *o, int argc, char **argv)
{
	char		 dir[PATH_MAX], *line, *reply;
	json_t		*req, *args, *r;
	json_error_t	 jerr;
	int		 i, rc = 1;

	if (!valid_prefix(o->prefix) || argc < 1)
		usage();
	if (find_dir(o, dir, sizeof(dir)) == -1) {
		fprintf(stderr, "piasim: no world with prefix %s\n",
		    o->prefix);
		return 1;
	}
	args = json_array();
	for (i = 1; i < argc; i++)
		json_array_append_new(args, json_string(argv[i]));
	req = json_pack("{s:s,s:s,s:o}", "cmd", "fault", "name", argv[0],
	    "args", args);
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (line == NULL || ctl_request(dir, line, &reply) == -1) {
		fprintf(stderr, "piasim: the %s daemon does not answer\n",
		    o->prefix);
		free(line);
		return 1;
	}
	free(line);
	if ((r = json_loads(reply, 0, &jerr)) != NULL) {
		if (json_is_true(json_object_get(r, "ok")))
			rc = 0;
		else
			fprintf(stderr, "piasim: fault %s: %s\n", argv[0],
			    json_string_value(json_object_get(r, "error")));
		json_decref(r);
	}
	free(reply);
	return rc;
}

/* Echo every line (TCP, one client at a time) or datagram (UDP). */
static int
cmd_echo(struct opts *o)
{
	struct sockaddr_in	sin;
	char			buf[2048];
	int			fd, c, one = 1;
	ssize_t			n;

	if (o->port <= 0 || o->port > 65535)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if ((fd = socket(AF_INET, o->udp ? SOCK_DGRAM : SOCK_STREAM, 0)) ==
	    -1)
		return 1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)o->port);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (!o->udp && listen(fd, 8) == -1)) {
		fprintf(stderr, "piasim echo: port %d: %s\n", o->port,
		    strerror(errno));
		return 1;
	}
	for (;;) {
		if (o->udp) {
			struct sockaddr_in from;
			socklen_t flen = sizeof(from);

			n = recvfrom(fd, buf, sizeof(buf), 0,
			    (struct sockaddr *)&from, &flen);
			if (n > 0)
				(void)sendto(fd, buf, (size_t)n, 0,
				    (struct sockaddr *)&from, flen);
			continue;
		}
		if ((c = accept(fd, NULL, NULL)) == -1)
			continue;
		while ((n = read(c, buf, sizeof(buf))) > 0)
			if (write(c, buf, (size_t)n) != n)
				break;
		close(c);
	}
}

/*
 * Connect from a namespace of the world (default P-web, "the internet")
 * to IP:PORT, send TEXT and a newline, print what comes back.
 */
static int
cmd_probe(struct opts *o, int argc, char **argv)
{
	struct sockaddr_in	 sin;
	struct pollfd		 pfd;
	char			 ns[SIM_NSNAME_MAX + 16], buf[2048];
	const char		*text;
	int			 nsfd, fd;
	ssize_t			 n;

	if (!valid_prefix(o->prefix) || argc < 2)
		usage();
	text = argc > 2 ? argv[2] : "piasim probe";
	if (o->ns != NULL)
		snprintf(ns, sizeof(ns), "%s", o->ns);
	else
		snprintf(ns, sizeof(ns), "%s-web", o->prefix);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(argv[1]));
	if (inet_pton(AF_INET, argv[0], &sin.sin_addr) != 1)
		usage();
	if ((nsfd = netns_open(ns)) < 0) {
		fprintf(stderr, "piasim probe: netns %s: %s\n", ns,
		    strerror(-nsfd));
		return 1;
	}
	fd = netns_socket(nsfd, AF_INET, o->udp ? SOCK_DGRAM : SOCK_STREAM,
	    0);
	close(nsfd);
	if (fd < 0)
		return 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO,
	    &(struct timeval){ 3, 0 }, sizeof(struct timeval));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		fprintf(stderr, "piasim probe: %s:%s: %s\n", argv[0], argv[1],
		    strerror(errno));
		return 1;
	}
	snprintf(buf, sizeof(buf), "%s\n", text);
	if (write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf))
		return 1;
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 3000) != 1 || (n = read(fd, buf,
	    sizeof(buf) - 1)) <= 0) {
		fprintf(stderr, "piasim probe: %s:%s: no answer\n", argv[0],
		    argv[1]);
		return 1;
	}
	buf[n] = '\0';
	fputs(buf, stdout);
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts	 o;
	const char	*cmd;
	int		 i;

	if (argc < 2)
		usage();
	cmd = argv[1];
	log_init(LOG_LVL_INFO, "piasim");
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	i = parse_opts(argc - 1, argv + 1, &o) + 1;
	if (strcmp(cmd, "up") == 0) {
		/* Quiet unless something fails; the daemon logs at info. */
		log_set_level(LOG_LVL_WARN);
		return cmd_up(&o);
	}
	if (strcmp(cmd, "down") == 0)
		return cmd_down(&o);
	if (strcmp(cmd, "status") == 0)
		return cmd_status(&o);
	if (strcmp(cmd, "fault") == 0)
		return cmd_fault(&o, argc - i, argv + i);
	if (strcmp(cmd, "echo") == 0)
		return cmd_echo(&o);
	if (strcmp(cmd, "probe") == 0)
		return cmd_probe(&o, argc - i, argv + i);
	usage();
}
