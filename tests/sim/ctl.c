/* SPDX-License-Identifier: ISC */
/*
 * The daemon's control socket: one JSON object per line each way.
 *	{"cmd":"status"}
 *	{"cmd":"fault","name":"latency","args":["500","addKey"]}
 * Replies are {"ok":true,"result":{...}} or {"ok":false,"error":"..."}.
 * Knobs stay on until `fault clear`; each counts how often it was set
 * and how many requests it changed ("hits").
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/log.h"
#include "tests/sim/serve.h"

const char *const sim_ep_names[EP__MAX] = {
	[EP_TOKEN] = "token",
	[EP_SERVERLIST] = "serverlist",
	[EP_ADDKEY] = "addKey",
	[EP_GETSIG] = "getSignature",
	[EP_BINDPORT] = "bindPort",
	[EP_PING] = "ping",
	[EP_WEB] = "web",
	[EP_META] = "meta",
	[EP_DNS] = "dns",
};

const char *const sim_fault_names[F__MAX] = {
	[F_BAD_CREDENTIALS] = "bad-credentials",
	[F_RATE_LIMIT] = "rate-limit",
	[F_HTTP_5XX] = "http-5xx",
	[F_LATENCY] = "latency",
	[F_HANG] = "hang",
	[F_BAD_LIST_SIGNATURE] = "bad-list-signature",
	[F_LOGIN_FAILED] = "login-failed",
	[F_EVICT_KEY] = "evict-key",
	[F_DEAD_SERVER] = "dead-server",
	[F_UNAUTHORIZED] = "unauthorized",
	[F_BUSY] = "busy",
	[F_EXPIRE] = "expire",
	[F_LOW_PORT] = "low-port",
};

static unsigned long	fault_set[F__MAX];

static int	endpoints(const char *, unsigned *);

bool
sim_fault_on(const struct sim *s, const struct sim_server *sv,
    enum sim_fault k)
{
	if (!s->faults.on[k])
		return false;
	return s->faults.servers[k] == 0 ||
	    (sv != NULL && (s->faults.servers[k] & (1u << sv->idx)));
}

static struct sim_server *server_by_cn(struct sim *, const char *);
static const char *fault_apply(struct sim *, const char *, json_t *);
static void	fault_clear(struct sim *);
static json_t	*ep_array(unsigned);
static json_t	*ep_counts(const unsigned long *);

static int
endpoints(const char *name, unsigned *mask)
{
	int i;

	if (strcasecmp(name, "all") == 0) {
		*mask = (1u << EP__MAX) - 1;
		return 0;
	}
	for (i = 0; i < EP__MAX; i++)
		if (strcasecmp(name, sim_ep_names[i]) == 0) {
			*mask = 1u << i;
			return 0;
		}
	return -1;
}

static struct sim_server *
server_by_cn(struct sim *s, const char *cn)
{
	int i;

	for (i = 0; i < s->nservers; i++)
		if (strcmp(s->servers[i].cn, cn) == 0)
			return &s->servers[i];
	return NULL;
}

static void
fault_clear(struct sim *s)
{
	int i;

	memset(s->faults.on, 0, sizeof(s->faults.on));
	memset(s->faults.servers, 0, sizeof(s->faults.servers));
	s->faults.http5xx_eps = s->faults.latency_eps = 0;
	s->faults.hang_eps = 0;
	s->clock_offset = 0;
	for (i = 0; i < s->nservers; i++)
		if (s->servers[i].dead) {
			s->servers[i].dead = false;
			(void)sim_nft_server(s, &s->servers[i]);
		}
	for (i = 0; i < s->nregions; i++)
		s->regions[i].meta_delay = 0;
	(void)sim_nft_meta(s);
	sim_release_hung();
}

/* Returns NULL on success or the error text. */
static const char *
fault_apply(struct sim *s, const char *name, json_t *args)
{
	struct sim_faults	*f = &s->faults;
	const char		*a[3] = { NULL, NULL, NULL };
	size_t			 n = json_array_size(args), i;
	int			 k;

	if (n > 3)
		return "too many arguments";
	for (i = 0; i < n; i++)
		if ((a[i] = json_string_value(json_array_get(args, i))) ==
		    NULL)
			return "arguments must be strings";
	if (strcmp(name, "clear") == 0) {
		fault_clear(s);
		log_info("fault: clear");
		return NULL;
	}
	for (k = 0; k < F__MAX; k++)
		if (strcmp(name, sim_fault_names[k]) == 0)
			break;
	if (k == F__MAX)
		return "unknown fault";

	switch (k) {
	case F_HTTP_5XX:
		if (a[0] == NULL || endpoints(a[0], &f->http5xx_eps) == -1)
			return "usage: http-5xx ENDPOINT [CODE]";
		f->http5xx_code = a[1] ? atoi(a[1]) : 500;
		if (f->http5xx_code < 500 || f->http5xx_code > 599)
			return "CODE must be 500..599";
		break;
	case F_LATENCY:
		if (a[0] == NULL || a[1] == NULL || atoi(a[0]) <= 0)
			return "usage: latency MS ENDPOINT|all|meta:REGION";
		if (strncmp(a[1], "meta:", 5) == 0) {
			int r;

			for (r = 0; r < s->nregions; r++)
				if (strcmp(s->regions[r].id, a[1] + 5) == 0)
					break;
			if (r == s->nregions)
				return "unknown region";
			s->regions[r].meta_delay = 1;
			if (sim_nft_meta(s) == -1)
				return "cannot apply nftables rules";
			f->hits[F_LATENCY]++;
			break;
		}
		if (endpoints(a[1], &f->latency_eps) == -1)
			return "unknown endpoint";
		f->latency_ms = atoi(a[0]);
		break;
	case F_HANG:
		if (a[0] == NULL || endpoints(a[0], &f->hang_eps) == -1)
			return "usage: hang ENDPOINT|all";
		break;
	case F_EVICT_KEY:
	case F_DEAD_SERVER:
		if (k == F_DEAD_SERVER && a[0] == NULL)
			return "usage: dead-server CN";
		for (i = 0; i < (size_t)s->nservers; i++) {
			struct sim_server *sv = &s->servers[i];
			int p;

			if (a[0] != NULL && strcmp(a[0], sv->cn) != 0)
				continue;
			if (k == F_DEAD_SERVER) {
				sv->dead = true;
				if (sim_nft_server(s, sv) == -1)
					return "cannot apply nftables rules";
				continue;
			}
			for (p = 0; p < SIM_PEERS_PER_SERVER; p++) {
				if (!sv->peers[p].used)
					continue;
				(void)sim_wg_set_peer(sv, &sv->peers[p], true);
				sv->peers[p].used = false;
				f->hits[F_EVICT_KEY]++;
			}
		}
		if (a[0] != NULL && server_by_cn(s, a[0]) == NULL)
			return "unknown server";
		break;
	case F_LOGIN_FAILED:
	case F_UNAUTHORIZED:
	case F_BUSY:
	case F_LOW_PORT:
		/* Optional CN: only that server (several: repeat the knob). */
		if (a[0] != NULL) {
			struct sim_server *sv = server_by_cn(s, a[0]);

			if (sv == NULL)
				return "unknown server";
			if (!f->on[k])
				f->servers[k] = 0;
			f->servers[k] |= 1u << sv->idx;
		} else
			f->servers[k] = 0;
		break;
	case F_EXPIRE:
		/* Past every payload handed out so far. */
		s->clock_offset += s->pf_lifetime + 86400;
		f->hits[F_EXPIRE]++;
		api_expire_bindings(s);
		break;
	default:
		break;
	}
	fault_set[k]++;
	if (k != F_EVICT_KEY && k != F_EXPIRE)
		f->on[k] = true;
	log_info("fault: %s%s%s%s%s", name, a[0] ? " " : "", a[0] ? a[0] : "",
	    a[1] ? " " : "", a[1] ? a[1] : "");
	return NULL;
}

static json_t *
ep_array(unsigned mask)
{
	json_t	*a = json_array();
	int	 i;

	for (i = 0; i < EP__MAX; i++)
		if (mask & (1u << i))
			json_array_append_new(a, json_string(sim_ep_names[i]));
	return a;
}

static json_t *
ep_counts(const unsigned long *c)
{
	json_t	*o = json_object();
	int	 i;

	for (i = 0; i < EP__MAX; i++)
		json_object_set_new(o, sim_ep_names[i],
		    json_integer((json_int_t)c[i]));
	return o;
}

json_t *
ctl_status(struct sim *s)
{
	json_t		*root, *faults, *servers, *regions, *fj;
	char		 ip[INET_ADDRSTRLEN], vip[INET_ADDRSTRLEN];
	char		 dsts[2048];
	char		 key[48];
	uint64_t	 pk = 0, by = 0;
	int		 i, j;

	faults = json_object();
	for (i = 0; i < F__MAX; i++) {
		fj = json_pack("{s:b,s:I,s:I}", "active", s->faults.on[i],
		    "set", (json_int_t)fault_set[i],
		    "hits", (json_int_t)s->faults.hits[i]);
		if (i == F_HTTP_5XX) {
			json_object_set_new(fj, "endpoints",
			    ep_array(s->faults.http5xx_eps));
			json_object_set_new(fj, "code",
			    json_integer(s->faults.http5xx_code));
		} else if (i == F_LATENCY) {
			json_object_set_new(fj, "endpoints",
			    ep_array(s->faults.latency_eps));
			json_object_set_new(fj, "ms",
			    json_integer(s->faults.latency_ms));
		} else if (i == F_HANG)
			json_object_set_new(fj, "endpoints",
			    ep_array(s->faults.hang_eps));
		if (s->faults.servers[i] != 0) {
			json_t *cns = json_array();

			for (j = 0; j < s->nservers; j++)
				if (s->faults.servers[i] & (1u << j))
					json_array_append_new(cns,
					    json_string(s->servers[j].cn));
			json_object_set_new(fj, "servers", cns);
		}
		json_object_set_new(faults, sim_fault_names[i], fj);
	}
	regions = json_array();
	for (i = 0; i < s->nregions; i++) {
		const struct sim_region *rg = &s->regions[i];
		json_t *cns = json_array();

		for (j = 0; j < s->nservers; j++)
			if (s->servers[j].region == i)
				json_array_append_new(cns,
				    json_string(s->servers[j].cn));
		json_array_append_new(regions, json_pack(
		    "{s:s,s:b,s:b,s:b,s:o}", "id", rg->id,
		    "port_forward", rg->pf, "offline", rg->offline,
		    "slow_meta", rg->meta_delay != 0, "servers", cns));
	}
	servers = json_array();
	for (i = 0; i < s->nservers; i++) {
		struct sim_server *sv = &s->servers[i];
		json_t *peers = json_array(), *ports = json_array();

		for (j = 0; j < SIM_PEERS_PER_SERVER; j++)
			if (sv->peers[j].used)
				json_array_append_new(peers, json_pack(
				    "{s:s,s:s}", "public_key",
				    sv->peers[j].pubkey_b64, "peer_ip",
				    inet_ntoa(sv->peers[j].ip)));
		for (j = 0; j < SIM_BINDS_PER_SERVER; j++)
			if (sv->binds[j].used)
				json_array_append_new(ports, json_pack(
				    "{s:i,s:s,s:I}", "port",
				    (int)sv->binds[j].port, "peer_ip",
				    inet_ntoa(sv->binds[j].peer),
				    "expires_in_s", (json_int_t)
				    (sv->binds[j].deadline - sim_now(s))));
		inet_ntop(AF_INET, &sv->pub, ip, sizeof(ip));
		inet_ntop(AF_INET, &sv->vip, vip, sizeof(vip));
		sim_b64(sv->wg_pub, SIM_WG_KEYLEN, key, sizeof(key));
		json_array_append_new(servers, json_pack(
		    "{s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:b,s:o,s:o,s:o}",
		    "cn", sv->cn, "region", s->regions[sv->region].id,
		    "ip", ip, "vip", vip, "wg_port", (int)sv->wg_port,
		    "public_key", key, "netns", sv->ns,
		    "interface", sv->ifname, "dead", sv->dead,
		    "requests", ep_counts(sv->requests), "peers", peers,
		    "ports", ports));
	}
	if (sim_leaks(s, &pk, &by, dsts, sizeof(dsts)) == -1)
		log_warnx("status: cannot read the leak counter");
	{
		json_t	*d = json_array();
		char	*p, *save = NULL;

		for (p = strtok_r(dsts, " ", &save); p != NULL;
		    p = strtok_r(NULL, " ", &save))
			json_array_append_new(d, json_string(p));
		root = json_pack("{s:s,s:s,s:i,s:b,s:I,s:i,s:i,s:o,s:o,"
		    "s:{s:I,s:I,s:o},s:o,s:o}",
		    "prefix", s->prefix, "dir", s->dir, "pid", (int)getpid(),
		    "running", true, "clock_offset_s",
		    (json_int_t)s->clock_offset, "bind_ttl_s", s->bind_ttl,
		    "pf_lifetime_s", s->pf_lifetime,
		    "requests", ep_counts(s->requests), "faults", faults,
		    "leaks", "packets", (json_int_t)pk, "bytes",
		    (json_int_t)by, "destinations", d,
		    "regions", regions, "servers", servers);
	}
	return root;
}

char *
ctl_handle(struct sim *s, const char *line)
{
	json_t		*req, *reply;
	json_error_t	 jerr;
	const char	*cmd, *name, *err = NULL;
	char		*text;

	if ((req = json_loads(line, 0, &jerr)) == NULL ||
	    (cmd = json_string_value(json_object_get(req, "cmd"))) == NULL) {
		reply = json_pack("{s:b,s:s}", "ok", false, "error",
		    "bad request");
	} else if (strcmp(cmd, "status") == 0) {
		reply = json_pack("{s:b,s:o}", "ok", true, "result",
		    ctl_status(s));
	} else if (strcmp(cmd, "fault") == 0) {
		if ((name = json_string_value(json_object_get(req,
		    "name"))) == NULL)
			err = "fault needs a name";
		else
			err = fault_apply(s, name, json_object_get(req,
			    "args"));
		reply = err ? json_pack("{s:b,s:s}", "ok", false, "error",
		    err) : json_pack("{s:b}", "ok", true);
	} else
		reply = json_pack("{s:b,s:s}", "ok", false, "error",
		    "unknown command");
	json_decref(req);
	text = json_dumps(reply, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(reply);
	return text != NULL ? text : strdup("{\"ok\":false}");
}
