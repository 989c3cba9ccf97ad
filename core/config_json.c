/* SPDX-License-Identifier: ISC */
/*
 * The normalized config for `piad -n -v`: every default filled in, in the
 * key order of design section 7, durations in their shortest exact form.
 * It parses back to the same config, which the tests check. There is no
 * secret in a config (the credentials file's path is fine to show).
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/duration.h"

static json_t *
jaddr(struct in_addr a)
{
	char s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, s, sizeof(s));
	return json_string(s);
}

static json_t *
jdur(uint64_t secs)
{
	char s[32];

	duration_format(secs, s, sizeof(s));
	return json_string(s);
}

/* NULL becomes JSON null. */
static json_t *
jstr(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static const char *
proto_name(enum config_proto p)
{
	switch (p) {
	case CONFIG_PROTO_TCP:
		return "tcp";
	case CONFIG_PROTO_UDP:
		return "udp";
	case CONFIG_PROTO_BOTH:
		break;
	}
	return "both";
}

static const char *
backend_name(enum config_wg_backend b)
{
	switch (b) {
	case CONFIG_WG_KERNEL:
		return "kernel";
	case CONFIG_WG_USERSPACE:
		return "userspace";
	case CONFIG_WG_AUTO:
		break;
	}
	return "auto";
}

/* json_object_set_new that remembers a failure. */
static void
put(json_t *o, const char *k, json_t *v, int *bad)
{
	if (o == NULL || v == NULL) {
		json_decref(v);
		*bad = 1;
		return;
	}
	if (json_object_set_new(o, k, v) == -1)
		*bad = 1;
}

static json_t *
containers_json(const struct piad_config *cfg, int *bad)
{
	json_t	*all, *o, *f;
	size_t	 i;

	all = json_object();
	for (i = 0; i < cfg->ncontainers; i++) {
		const struct config_container *ct = &cfg->containers[i];

		o = json_object();
		put(o, "address", jaddr(ct->address), bad);
		put(o, "managed", json_boolean(ct->managed), bad);
		if (ct->receive_forwarded_port.present) {
			f = json_object();
			put(f, "port", ct->receive_forwarded_port.port != 0 ?
			    json_integer(ct->receive_forwarded_port.port) :
			    json_null(), bad);
			put(f, "protocol",
			    json_string(proto_name(
			    ct->receive_forwarded_port.protocol)), bad);
		} else
			f = json_null();
		put(o, "receive_forwarded_port", f, bad);
		put(o, "on_port_forwarded", jstr(ct->on_port_forwarded), bad);
		put(all, ct->name, o, bad);
	}
	return all;
}

json_t *
config_to_json(const struct piad_config *cfg)
{
	json_t	*root, *o, *a;
	char	 net[INET_ADDRSTRLEN + 4];
	size_t	 i;
	int	 bad = 0;

	if ((root = json_object()) == NULL)
		return NULL;
	put(root, "credentials_file", json_string(cfg->credentials_file),
	    &bad);
	put(root, "region", json_string(cfg->region), &bad);
	put(root, "state_dir", json_string(cfg->state_dir), &bad);
	put(root, "control_socket", json_string(cfg->control_socket), &bad);
	put(root, "control_group", jstr(cfg->control_group), &bad);

	o = json_object();
	put(o, "name", json_string(cfg->bridge.name), &bad);
	inet_ntop(AF_INET, &cfg->bridge.subnet, net, INET_ADDRSTRLEN);
	snprintf(net + strlen(net), 5, "/%u", cfg->bridge.prefixlen);
	put(o, "subnet", json_string(net), &bad);
	put(o, "host_address", jaddr(cfg->bridge.host_address), &bad);
	put(root, "bridge", o, &bad);

	o = json_object();
	put(o, "netns", json_string(cfg->vpn.netns), &bad);
	put(o, "address", jaddr(cfg->vpn.address), &bad);
	put(o, "interface", json_string(cfg->vpn.interface), &bad);
	put(o, "listen_port", json_integer(cfg->vpn.listen_port), &bad);
	put(o, "mtu", json_integer(cfg->vpn.mtu), &bad);
	put(root, "vpn", o, &bad);

	o = json_object();
	put(o, "port", json_integer(cfg->proxy.port), &bad);
	a = json_array();
	for (i = 0; i < cfg->proxy.nallow; i++)
		if (a == NULL || json_array_append_new(a,
		    jaddr(cfg->proxy.allow[i])) == -1)
			bad = 1;	/* append_new freed the item */
	put(o, "allow", a, &bad);
	put(root, "proxy", o, &bad);

	o = json_object();
	put(o, "backend", json_string(backend_name(cfg->wireguard.backend)),
	    &bad);
	put(o, "userspace_program",
	    json_string(cfg->wireguard.userspace_program), &bad);
	put(root, "wireguard", o, &bad);

	o = json_object();
	put(o, "upstream", cfg->dns.pia ? json_string("pia") :
	    jaddr(cfg->dns.upstream), &bad);
	put(root, "dns", o, &bad);

	put(root, "containers", containers_json(cfg, &bad), &bad);

	o = json_object();
	put(o, "port_refresh", jdur(cfg->timers.port_refresh), &bad);
	put(o, "renew", jdur(cfg->timers.renew), &bad);
	put(o, "probe_interval", jdur(cfg->timers.probe_interval), &bad);
	put(root, "timers", o, &bad);

	o = json_object();
	put(o, "token_url", json_string(cfg->pia.token_url), &bad);
	put(o, "serverlist_url", json_string(cfg->pia.serverlist_url), &bad);
	put(o, "ca_file", json_string(cfg->pia.ca_file), &bad);
	put(o, "serverlist_pubkey_file",
	    json_string(cfg->pia.serverlist_pubkey_file), &bad);
	put(o, "api_ca_file", jstr(cfg->pia.api_ca_file), &bad);
	a = json_object();
	for (i = 0; i < cfg->pia.nresolve; i++)
		put(a, cfg->pia.resolve[i].host,
		    jaddr(cfg->pia.resolve[i].addr), &bad);
	put(o, "resolve", a, &bad);
	put(root, "pia", o, &bad);

	o = json_object();
	put(o, "level", json_string(log_level_name(cfg->log_level)), &bad);
	put(root, "log", o, &bad);

	if (bad) {
		json_decref(root);
		return NULL;
	}
	return root;
}

int
config_print(const struct piad_config *cfg, FILE *f)
{
	json_t	*j;
	int	 r;

	if ((j = config_to_json(cfg)) == NULL)
		return -1;
	r = json_dumpf(j, f, JSON_INDENT(2));
	json_decref(j);
	if (r == -1 || fputc('\n', f) == EOF)
		return -1;
	return 0;
}
