/* SPDX-License-Identifier: ISC */
/*
 * The real backend: the states' operations (core/backend.h) carried out
 * with net/, pia/ and proxy/. Split by state:
 *
 *   core/real.c          ops table, life cycle, status, teardown, reload
 *   core/real_topo.c     BOOTSTRAP: topology, WG link, proxy, host table,
 *                        DNS relay, link monitors
 *   core/real_auth.c     AUTH and RENEW: token, server list, selection,
 *                        addKey; the session
 *   core/real_tunnel.c   WG_UP, NAT and STEADY's probe
 *   core/real_pf.c       PF_BIND: signature, bindPort, DNAT, hook
 *   core/real_persist.c  the state directory files (design section 8)
 *
 * Each check (*_ok) answers from flags that the monitors and the work
 * keep true to the kernel; each piece of work is idempotent, so walking
 * forward again after any failure converges.
 */
#ifndef PIAD_CORE_REAL_H
#define PIAD_CORE_REAL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

#include "net/wg.h"
#include "net/wg_key.h"
#include "pia/responses.h"
#include "pia/serverlist.h"

struct piad_ctx;
struct piad_config;
struct topo;
struct link_monitor;
struct proxy;
struct evdns_base;
struct dns_relay;
struct pia_call;
struct pia_pf;
struct pia_probe;
struct pia_select;
struct hook;
struct event;
struct fw;

/* Token lifetime before we ask for a new one (design section 5). */
#define REAL_TOKEN_MAX_AGE_S	(24 * 3600)
/* A server list older than this is fetched again on AUTH. */
#define REAL_LIST_MAX_AGE_S	(6 * 3600)
/* A signature with less than this left is replaced. */
#define REAL_SIG_MIN_LEFT_S	(7 * 24 * 3600)
/* Consecutive failed binds before a new signature. */
#define REAL_BIND_RETRIES	3
/* Handshake polling while WG_UP waits for the first one. */
#define REAL_HS_FIRST_POLL_MS	5
#define REAL_HS_POLL_MS		100
/* A probe unanswered after this counts as failed. */
#define REAL_PROBE_TIMEOUT_MS	2000

/* What AUTH established; persisted as session.json. */
struct real_session {
	bool			 valid;
	char			 region[64];
	char			 cn[PIA_CN_MAX];
	char			 ip[PIA_IP_MAX];
	uint16_t		 port;		/* WireGuard UDP port */
	char			 vip[PIA_ADDR_MAX];
	char			 peer_ip[PIA_ADDR_MAX];
	uint8_t			 server_key[WG_KEYLEN];
	struct wg_keypair	 keys;		/* secret */
	struct in_addr		 dns[PIA_DNS_MAX];
	size_t			 ndns;
	time_t			 created_at;
};

/* The port forward; persisted as portforward.json. */
struct real_pf {
	bool			 valid;		/* a signature we may bind */
	char			 cn[PIA_CN_MAX];
	char			*payload;	/* secret-ish: holds the token */
	char			*signature;
	char			 token_id[17];	/* which token it belongs to */
	uint16_t		 port;
	time_t			 expires_at;
	time_t			 last_bind;	/* 0: never bound */
	unsigned		 bind_failures;
	uint16_t		 dnat_port;	/* port the DNAT rule has, 0: none */
	uint16_t		 hooked_port;	/* port the hook last ran for */
};

/* Why we left a server (metrics). */
enum real_reconnect_cause {
	REAL_RC_TUNNEL_DEAD,
	REAL_RC_NO_HANDSHAKE,
	REAL_RC_ADDKEY,
	REAL_RC_OTHER,
	REAL_NCAUSES
};
extern const char *const real_reconnect_causes[REAL_NCAUSES];

struct real {
	struct piad_ctx		*ctx;

	/* BOOTSTRAP */
	struct topo		*topo;
	int			 host_nsfd;
	int			 vpn_nsfd;
	struct wg_link		 wg;
	bool			 wg_link_ready;
	struct link_monitor	*mon_host;
	struct link_monitor	*mon_vpn;
	struct evdns_base	*evdns;
	struct proxy		*proxy;
	struct dns_relay	*relay;
	bool			 topo_valid;
	struct event		*retry_ev;	/* userspace WG still starting */
	unsigned		 boot_gen;
	unsigned		 wg_tries;	/* waiting for the program */

	/* AUTH / RENEW */
	EVP_PKEY		*list_key;
	struct pia_serverlist	*list;
	struct pia_select	*select;
	char			*token;		/* secret */
	time_t			 token_at;
	bool			 token_retried;	/* after "Login failed!" */
	struct real_session	 sess;
	struct real_session	 next;		/* RENEW's new session */
	struct pia_call		*call_token;
	struct pia_call		*call_list;
	struct pia_call		*call_addkey;
	struct pia_probe	*probe_regions;
	bool			 want_token, want_list;
	bool			 renewing;
	unsigned		 auth_gen;
	int			 auth_flags;
	const struct pia_server	*server;	/* chosen, in list */
	char			 server_region[64];
	struct pia_server	 renew_server;	/* RENEW: the current one */

	/* WG_UP / NAT / STEADY */
	bool			 wg_valid;
	bool			 nat_valid;
	struct event		*hs_ev;
	unsigned		 hs_gen;
	unsigned		 hs_delay_ms;	/* next poll */
	unsigned		 hs_waited_ms;
	int			 icmp_fd;
	struct event		*icmp_ev;
	struct event		*icmp_timeout_ev;
	unsigned		 probe_gen;
	uint16_t		 echo_seq;
	bool			 probe_pending;

	/* PF_BIND */
	struct real_pf		 pf;
	struct pia_pf		*pfc;
	unsigned		 pf_gen;
	bool			 pf_got_new_sig;
	struct hook		*hook;
	bool			 hook_after_restart;

	uint64_t		 reconnects[REAL_NCAUSES];
};

/* Attach the real backend to ctx; 0 / -1 (logged). */
int	backend_real_attach(struct piad_ctx *);
extern const struct backend_ops backend_real_ops;

/* real_topo.c */
bool	real_topology_ok(struct piad_ctx *);
void	real_topology_ensure(struct piad_ctx *, unsigned gen);
void	real_topo_free(struct real *);
int	real_apply_host_table(struct real *, char *err, size_t errlen);
/* Teardown of the kernel objects; everything: also netns, bridge, tables. */
void	real_topo_teardown(struct real *, bool everything);
/* real_fw.c: the two nftables tables. */
void	real_fw_remove(struct real *);
/* The drop counters of one table (a context opened for the read). */
struct fw_counters;
int	real_fw_counters(struct real *, bool vpn, struct fw_counters *);
/* The proxy's allowlist of server IPs follows the verified list. */
void	real_proxy_update_list(struct real *);

/* real_auth.c */
bool	real_session_ok(struct piad_ctx *);
void	real_auth_start(struct piad_ctx *, unsigned gen, int flags);
void	real_renew_start(struct piad_ctx *, unsigned gen);
void	real_server_avoid(struct piad_ctx *, const char *why);
void	real_auth_cancel(struct real *);
void	real_auth_free(struct real *);
/* Fill ctx->status.server from the session. */
void	real_status_server(struct real *);
/* Short non-secret id of a token (for "this signature's token"). */
void	real_token_id(const char *token, char out[17]);

/* real_tunnel.c */
bool	real_wg_ok(struct piad_ctx *);
void	real_wg_configure(struct piad_ctx *, unsigned gen);
int64_t	real_handshake_age(struct piad_ctx *);
bool	real_nat_ok(struct piad_ctx *);
void	real_nat_apply(struct piad_ctx *, unsigned gen);
int	real_apply_vpn_table(struct real *, char *err, size_t errlen);
void	real_probe(struct piad_ctx *, unsigned gen);
void	real_tunnel_cancel(struct real *);
void	real_tunnel_free(struct real *);
/* Configure the WG device for sess (key, peer, address, route). */
int	real_wg_apply_session(struct real *, const struct real_session *,
	    char *err, size_t errlen);

/* real_pf.c */
bool	real_pf_ok(struct piad_ctx *);
void	real_pf_bind_start(struct piad_ctx *, unsigned gen);
void	real_pf_cancel(struct real *);
void	real_pf_free(struct real *);
void	real_pf_forget(struct real *, const char *why);
/* The DNAT the VPN table should carry now (0: none). */
uint16_t real_pf_dnat_port(const struct real *);
void	real_status_pf(struct real *);

/* real_metrics.c */
void	real_metrics_register(struct real *);

/* real_persist.c */
void	real_load_state(struct real *);
void	real_save_token(struct real *);
void	real_save_list(struct real *);
void	real_save_session(struct real *);
void	real_save_pf(struct real *);
void	real_save_topology(struct real *);
void	real_session_wipe(struct real_session *);
void	real_pf_clear(struct real_pf *);

#endif
