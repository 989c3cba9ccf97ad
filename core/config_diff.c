/* SPDX-License-Identifier: ISC */
/*
 * What a reload changes. Fields that shape the topology or the daemon's
 * own endpoints (bridge.*, vpn.*, proxy.port, wireguard.*, state_dir,
 * control_socket) cannot change under a running piad without tearing down
 * what the containers stand on, so changing them fails the reload and the
 * old config stays; everything else is reported for the engine to apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"


static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
append(char *err, size_t errlen, size_t *off, const char *key)
{
	int n;

	if (err == NULL || errlen == 0 || *off >= errlen)
		return;
	n = snprintf(err + *off, errlen - *off, "%s%s: cannot change on "
	    "reload (restart piad)", *off > 0 ? "\n" : "", key);
	if (n > 0)
		*off += (size_t)n;
}

static bool
forward_eq(const struct config_forward *a, const struct config_forward *b)
{
	if (a->present != b->present)
		return false;
	return !a->present ||
	    (a->port == b->port && a->protocol == b->protocol);
}

static bool
pia_eq(const struct piad_config *a, const struct piad_config *b)
{
	size_t i;

	if (!str_eq(a->pia.token_url, b->pia.token_url) ||
	    !str_eq(a->pia.serverlist_url, b->pia.serverlist_url) ||
	    !str_eq(a->pia.ca_file, b->pia.ca_file) ||
	    !str_eq(a->pia.serverlist_pubkey_file,
	    b->pia.serverlist_pubkey_file) ||
	    !str_eq(a->pia.api_ca_file, b->pia.api_ca_file) ||
	    a->pia.nresolve != b->pia.nresolve)
		return false;
	for (i = 0; i < a->pia.nresolve; i++)
		if (!str_eq(a->pia.resolve[i].host, b->pia.resolve[i].host) ||
		    a->pia.resolve[i].addr.s_addr !=
		    b->pia.resolve[i].addr.s_addr)
			return false;
	return true;
}

static int
diff_containers(const struct piad_config *old, const struct piad_config *new,
    struct config_diff *out)
{
	size_t	 i, j;
	size_t	 n = old->ncontainers + new->ncontainers;

	if (n == 0)
		return 0;
	out->added = calloc(new->ncontainers + 1, sizeof(*out->added));
	out->removed = calloc(old->ncontainers + 1, sizeof(*out->removed));
	out->changed = calloc(new->ncontainers + 1, sizeof(*out->changed));
	if (out->added == NULL || out->removed == NULL || out->changed == NULL)
		return -1;
	for (i = 0; i < old->ncontainers; i++) {
		for (j = 0; j < new->ncontainers; j++)
			if (strcmp(old->containers[i].name,
			    new->containers[j].name) == 0)
				break;
		if (j == new->ncontainers)
			out->removed[out->nremoved++].old_index = i;
	}
	for (j = 0; j < new->ncontainers; j++) {
		const struct config_container *b = &new->containers[j], *a;
		unsigned int ch = 0;

		for (i = 0; i < old->ncontainers; i++)
			if (strcmp(old->containers[i].name, b->name) == 0)
				break;
		if (i == old->ncontainers) {
			out->added[out->nadded++].new_index = j;
			continue;
		}
		a = &old->containers[i];
		if (a->address.s_addr != b->address.s_addr)
			ch |= CONFIG_CT_ADDRESS;
		if (a->managed != b->managed)
			ch |= CONFIG_CT_MANAGED;
		if (!forward_eq(&a->receive_forwarded_port,
		    &b->receive_forwarded_port))
			ch |= CONFIG_CT_FORWARD;
		if (!str_eq(a->on_port_forwarded, b->on_port_forwarded))
			ch |= CONFIG_CT_HOOK;
		if (ch != 0) {
			out->changed[out->nchanged].old_index = i;
			out->changed[out->nchanged].new_index = j;
			out->changed[out->nchanged++].changes = ch;
		}
	}
	if (out->nadded + out->nremoved + out->nchanged > 0)
		out->changes |= CONFIG_CHG_CONTAINERS;
	return 0;
}

int
config_diff(const struct piad_config *old, const struct piad_config *new,
    struct config_diff *out, char *err, size_t errlen)
{
	size_t	 off = 0;
	size_t	 i;

	memset(out, 0, sizeof(*out));
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	/* In the order of the file, so messages read top to bottom. */
	if (!str_eq(old->state_dir, new->state_dir))
		append(err, errlen, &off, "state_dir");
	if (!str_eq(old->control_socket, new->control_socket))
		append(err, errlen, &off, "control_socket");
	if (!str_eq(old->bridge.name, new->bridge.name))
		append(err, errlen, &off, "bridge.name");
	if (old->bridge.subnet.s_addr != new->bridge.subnet.s_addr ||
	    old->bridge.prefixlen != new->bridge.prefixlen)
		append(err, errlen, &off, "bridge.subnet");
	if (old->bridge.host_address.s_addr != new->bridge.host_address.s_addr)
		append(err, errlen, &off, "bridge.host_address");
	if (!str_eq(old->vpn.netns, new->vpn.netns))
		append(err, errlen, &off, "vpn.netns");
	if (old->vpn.address.s_addr != new->vpn.address.s_addr)
		append(err, errlen, &off, "vpn.address");
	if (!str_eq(old->vpn.interface, new->vpn.interface))
		append(err, errlen, &off, "vpn.interface");
	if (old->vpn.listen_port != new->vpn.listen_port)
		append(err, errlen, &off, "vpn.listen_port");
	if (old->vpn.mtu != new->vpn.mtu)
		append(err, errlen, &off, "vpn.mtu");
	if (old->proxy.port != new->proxy.port)
		append(err, errlen, &off, "proxy.port");
	if (old->wireguard.backend != new->wireguard.backend)
		append(err, errlen, &off, "wireguard.backend");
	if (!str_eq(old->wireguard.userspace_program,
	    new->wireguard.userspace_program))
		append(err, errlen, &off, "wireguard.userspace_program");
	if (off > 0)
		return -1;

	if (!str_eq(old->credentials_file, new->credentials_file))
		out->changes |= CONFIG_CHG_CREDENTIALS;
	if (!str_eq(old->region, new->region))
		out->changes |= CONFIG_CHG_REGION;
	if (!str_eq(old->control_group, new->control_group))
		out->changes |= CONFIG_CHG_CONTROL_GROUP;
	if (old->proxy.nallow != new->proxy.nallow)
		out->changes |= CONFIG_CHG_PROXY_ALLOW;
	else
		for (i = 0; i < old->proxy.nallow; i++)
			if (old->proxy.allow[i].s_addr !=
			    new->proxy.allow[i].s_addr)
				out->changes |= CONFIG_CHG_PROXY_ALLOW;
	if (old->dns.pia != new->dns.pia ||
	    old->dns.upstream.s_addr != new->dns.upstream.s_addr)
		out->changes |= CONFIG_CHG_DNS;
	if (old->timers.port_refresh != new->timers.port_refresh ||
	    old->timers.renew != new->timers.renew ||
	    old->timers.probe_interval != new->timers.probe_interval)
		out->changes |= CONFIG_CHG_TIMERS;
	if (!pia_eq(old, new))
		out->changes |= CONFIG_CHG_PIA;
	if (old->log_level != new->log_level)
		out->changes |= CONFIG_CHG_LOG;
	if (diff_containers(old, new, out) == -1) {
		config_diff_free(out);
		snprintf(err, errlen, "%s: out of memory", new->origin);
		return -1;
	}
	return 0;
}

void
config_diff_free(struct config_diff *d)
{
	free(d->added);
	free(d->removed);
	free(d->changed);
	memset(d, 0, sizeof(*d));
}
