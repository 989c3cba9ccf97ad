/* SPDX-License-Identifier: ISC */
/*
 * The real backend's two firewall tables (design section 9), built from
 * the configuration and the session and applied through net/nft.h: the
 * host table in BOOTSTRAP, the VPN table in NAT (and again whenever the
 * forwarded port changes or RENEW swaps the session). Each apply is one
 * atomic transaction that replaces only table inet piad.
 *
 * A libnftables context is opened for each use and closed after it, and
 * freed memory is handed back to the system: a kept context holds about
 * 1.3 MB and every commit allocates a 2 MB batch, which would otherwise
 * stay in piad's footprint for the whole of STEADY (docs/bench.md).
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/context.h"
#include "core/log.h"
#include "core/real.h"
#include "net/nft.h"
#include "net/topology.h"

static struct fw *
fw_for(struct real *r, bool vpn)
{
	return fw_open(vpn ? r->vpn_nsfd : r->host_nsfd);
}

static void
fw_done(struct fw *fw)
{
	fw_close(fw);
	(void)malloc_trim(0);
}

int
real_apply_host_table(struct real *r, char *err, size_t errlen)
{
	const struct piad_config	*c = r->ctx->conf;
	struct fw_host_params		 p;
	struct fw_prefix		*allow;
	struct fw			*fw;
	size_t				 i;
	int				 rc;

	if ((fw = fw_for(r, false)) == NULL) {
		snprintf(err, errlen, "host firewall: %s", strerror(errno));
		return -1;
	}
	if ((allow = calloc(c->proxy.nallow + 1, sizeof(*allow))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(&p, 0, sizeof(p));
	snprintf(p.bridge_ifname, sizeof(p.bridge_ifname), "%s",
	    c->bridge.name);
	p.proxy_port = c->proxy.port;
	allow[0].addr = c->vpn.address;
	allow[0].len = 32;
	for (i = 0; i < c->proxy.nallow; i++) {
		allow[i + 1].addr = c->proxy.allow[i];
		allow[i + 1].len = 32;
	}
	p.allow = allow;
	p.nallow = c->proxy.nallow + 1;
	rc = fw_apply_host(fw, &p);
	fw_done(fw);
	free(allow);
	if (rc < 0) {
		snprintf(err, errlen, "host table inet piad: %s",
		    strerror(-rc));
		return -1;
	}
	return 0;
}

int
real_apply_vpn_table(struct real *r, char *err, size_t errlen)
{
	const struct piad_config	*c = r->ctx->conf;
	const struct config_container	*rc_ = config_forward_container(c);
	struct fw_vpn_params		 p;
	struct fw			*fw;
	uint16_t			 port = real_pf_dnat_port(r);
	int				 rc;

	if ((fw = fw_for(r, true)) == NULL) {
		snprintf(err, errlen, "vpn firewall: %s", strerror(errno));
		return -1;
	}
	memset(&p, 0, sizeof(p));
	snprintf(p.lan_ifname, sizeof(p.lan_ifname), "eth0");
	snprintf(p.wg_ifname, sizeof(p.wg_ifname), "%s", c->vpn.interface);
	p.bridge_subnet.addr = c->bridge.subnet;
	p.bridge_subnet.len = c->bridge.prefixlen;
	p.mss_clamp = true;
	if (port != 0 && rc_ != NULL) {
		p.dnat.enabled = true;
		p.dnat.pia_port = port;
		p.dnat.target = rc_->address;
		p.dnat.target_port = rc_->receive_forwarded_port.port;
		p.dnat.proto = rc_->receive_forwarded_port.protocol ==
		    CONFIG_PROTO_TCP ? FW_PROTO_TCP :
		    rc_->receive_forwarded_port.protocol == CONFIG_PROTO_UDP ?
		    FW_PROTO_UDP : FW_PROTO_BOTH;
	}
	rc = fw_apply_vpn(fw, &p);
	fw_done(fw);
	if (rc < 0) {
		snprintf(err, errlen, "vpn table inet piad: %s",
		    strerror(-rc));
		return -1;
	}
	r->pf.dnat_port = port;
	r->nat_valid = true;
	return 0;
}

void
real_fw_remove(struct real *r)
{
	struct fw *fw;

	if ((fw = fw_for(r, false)) != NULL) {
		if (fw_remove(fw) == 0)
			log_info("teardown: host table inet piad removed");
		fw_done(fw);
	}
	if (r->vpn_nsfd >= 0 && (fw = fw_for(r, true)) != NULL) {
		if (fw_remove(fw) == 0)
			log_info("teardown: vpn table inet piad removed");
		fw_done(fw);
	}
}

int
real_fw_counters(struct real *r, bool vpn, struct fw_counters *out)
{
	struct fw	*fw;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if ((vpn && r->vpn_nsfd < 0) || (fw = fw_for(r, vpn)) == NULL)
		return -1;
	rc = fw_read_counters(fw, out);
	fw_done(fw);
	return rc;
}
