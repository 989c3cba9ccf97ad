/* SPDX-License-Identifier: ISC */
/*
 * piasim: a simulated PIA world in network namespaces, for the tests and
 * the demo. `piasim up` builds the world (namespaces, links, firewall, test
 * PKI, one userspace WireGuard per fake server) and forks a daemon that
 * serves every endpoint from one libevent loop; `fault` and `status` talk
 * to that daemon over a unix socket in DIR; `down` removes everything.
 * docs/piasim.md has the address map and the formats.
 *
 * The world is one struct sim built by `up` before the fork, so the daemon
 * inherits it (keys, certificates, netns fds) without re-reading files.
 */
#ifndef PIASIM_H
#define PIASIM_H

#include <sys/types.h>
#include <netinet/in.h>

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "net/wg.h"

#define SIM_MAX_SERVERS		7
#define SIM_MAX_REGIONS		8
#define SIM_PREFIX_MAX		10
/* DIR/piasim.sock must fit in a sun_path. */
#define SIM_DIR_MAX		96
#define SIM_NSNAME_MAX		(SIM_PREFIX_MAX + 8)
#define SIM_PEERS_PER_SERVER	13	/* a /28 minus vip, net, bcast */
#define SIM_BINDS_PER_SERVER	16
#define SIM_MAX_TOKENS		64
#define SIM_TOKEN_LEN		64	/* hex characters */
#define SIM_RUN_DIR		"/run/piasim"
#define SIM_WG_KEYLEN		32

/* Fixed addresses (docs/piasim.md). */
#define SIM_UPLINK_HOST		"198.51.100.2"
#define SIM_UPLINK_ROUTER	"198.51.100.1"
#define SIM_LAN_ROUTER		"192.0.2.1"
#define SIM_WWW_IP		"192.0.2.10"
#define SIM_LIST_IP		"192.0.2.11"
#define SIM_WEB_IP		"192.0.2.80"
#define SIM_SRV_ROUTER		"203.0.113.1"
#define SIM_DNS1		"203.0.113.253"
#define SIM_DNS2		"203.0.113.254"
#define SIM_WWW_NAME		"www.privateinternetaccess.com"
#define SIM_LIST_NAME		"serverlist.piaservers.net"
#define SIM_SIGPORT		19999
#define SIM_ADDKEY_PORT		1337

enum sim_ep {
	EP_TOKEN,
	EP_SERVERLIST,
	EP_ADDKEY,
	EP_GETSIG,
	EP_BINDPORT,
	EP_PING,
	EP_WEB,
	EP_META,
	EP_DNS,
	EP__MAX
};

enum sim_fault {
	F_BAD_CREDENTIALS,
	F_RATE_LIMIT,
	F_HTTP_5XX,
	F_LATENCY,
	F_HANG,
	F_BAD_LIST_SIGNATURE,
	F_LOGIN_FAILED,
	F_EVICT_KEY,
	F_DEAD_SERVER,
	F_UNAUTHORIZED,
	F_BUSY,
	F_EXPIRE,
	F_LOW_PORT,
	F__MAX
};

struct sim_region {
	char	id[32];
	char	name[48];
	char	country[4];
	char	city[24];
	bool	pf;
	bool	offline;
	int	nservers;
	int	meta;		/* server index of meta[0], or -1 */
	int	meta_delay;	/* first SYN to meta:443 dropped (~1 s) */
};

struct sim_peer {
	bool		used;
	uint8_t		pubkey[SIM_WG_KEYLEN];
	char		pubkey_b64[48];
	char		token[SIM_TOKEN_LEN + 1];
	struct in_addr	ip;
};

struct sim_binding {
	bool		used;
	uint16_t	port;
	char		token[SIM_TOKEN_LEN + 1];
	struct in_addr	peer;
	time_t		deadline;	/* sim clock: refresh before */
};

struct sim_server {
	int		 idx;
	char		 cn[32];
	char		 ns[SIM_NSNAME_MAX];
	char		 ifname[16];
	int		 nsfd;
	int		 region;
	struct in_addr	 pub;
	struct in_addr	 net;		/* tunnel subnet (/28) */
	struct in_addr	 vip;
	uint16_t	 wg_port;
	uint8_t		 wg_priv[SIM_WG_KEYLEN];
	uint8_t		 wg_pub[SIM_WG_KEYLEN];
	struct wg_link	 wg;		/* userspace backend, in ns */
	EVP_PKEY	*tls_key;
	X509		*tls_cert;
	SSL_CTX		*tls;
	struct nft_ctx	*nft;
	bool		 dead;
	unsigned	 next_peer;
	struct sim_peer	 peers[SIM_PEERS_PER_SERVER];
	struct sim_binding binds[SIM_BINDS_PER_SERVER];
	unsigned long	 requests[EP__MAX];
};

struct sim_faults {
	bool		 on[F__MAX];
	unsigned long	 hits[F__MAX];
	unsigned	 http5xx_eps;	/* bit per enum sim_ep */
	int		 http5xx_code;
	unsigned	 latency_eps;
	int		 latency_ms;
	unsigned	 hang_eps;
	unsigned	 servers[F__MAX];	/* bit per server; 0: all */
};

struct sim {
	char		 prefix[SIM_PREFIX_MAX + 1];
	char		 dir[SIM_DIR_MAX];
	int		 nservers;
	int		 nregions;
	struct sim_region regions[SIM_MAX_REGIONS];
	struct sim_server servers[SIM_MAX_SERVERS];
	int		 inet_nsfd;
	int		 api_nsfd;
	int		 web_nsfd;
	struct nft_ctx	*inet_nft;

	/* Test PKI. */
	EVP_PKEY	*pia_ca_key;
	X509		*pia_ca;
	EVP_PKEY	*api_ca_key;
	X509		*api_ca;
	EVP_PKEY	*www_key;
	X509		*www_cert;
	EVP_PKEY	*list_leaf_key;
	X509		*list_cert;
	EVP_PKEY	*list_sign_key;	/* RSA-2048: signs the list */
	uint8_t		 pf_secret[32];	/* "signs" PF payloads */

	/* Token service. */
	char		 username[32];
	char		 password[48];
	char		 tokens[SIM_MAX_TOKENS][SIM_TOKEN_LEN + 1];
	unsigned	 ntokens;	/* ring index */

	char		*list_json;	/* the list, one JSON line */

	/* Behaviour. */
	int		 bind_ttl;	/* s a binding lives alone */
	int		 pf_lifetime;	/* s to a payload's expiry */
	long		 clock_offset;	/* s added to the sim clock */
	struct sim_faults faults;
	unsigned long	 requests[EP__MAX];
	unsigned long	 dns_requests;
};

extern const char *const sim_ep_names[EP__MAX];
extern const char *const sim_fault_names[F__MAX];

/* world.c: namespaces, links, firewall, WireGuard devices. */
int	sim_world_up(struct sim *);
/* Remove everything of prefix; best effort, returns -1 if anything stayed. */
int	sim_world_down(const char *prefix, const char *dir);
int	sim_nft_server(struct sim *, struct sim_server *);
int	sim_nft_meta(struct sim *);
/* Leak counter of the internet router; -1 if it cannot be read. */
int	sim_leaks(struct sim *, uint64_t *packets, uint64_t *bytes,
	    char *dsts, size_t dstsize);
int	sim_wg_set_peer(struct sim_server *, const struct sim_peer *,
	    bool remove);
int	sim_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* pki.c: the test CAs, leaves and keys; writes the public parts to dir. */
int	sim_pki_create(struct sim *);
int	sim_pki_write(struct sim *);
SSL_CTX	*sim_tls_ctx(X509 *cert, EVP_PKEY *key, X509 *ca);
int	sim_x25519(uint8_t priv[SIM_WG_KEYLEN], uint8_t pub[SIM_WG_KEYLEN]);
void	sim_b64(const uint8_t *, size_t, char *, size_t);
/* Strict base64 decode; returns the length or -1. */
int	sim_unb64(const char *, uint8_t *, size_t);
void	sim_random_hex(char *out, size_t nhex);

/* list.c: the v6 server list and its signature. */
int	sim_list_build(struct sim *);
/* The full body (JSON, blank line, signature); caller frees. */
char	*sim_list_body(struct sim *, size_t *len);

/* serve.c: the daemon. Forks; returns in the parent once it listens. */
int	sim_serve_start(struct sim *);

/* Is knob k on for server sv (NULL: a host that is no server)? */
bool	sim_fault_on(const struct sim *, const struct sim_server *,
	    enum sim_fault);

/* The sim clock (wall clock plus the "expire" offset). */
time_t	sim_now(const struct sim *);

/* files in DIR */
#define SIM_FILE_CONFIG		"piad.json"
#define SIM_FILE_CREDS		"credentials"
#define SIM_FILE_PIA_CA		"pia-ca.crt"
#define SIM_FILE_API_CA		"api-ca.crt"
#define SIM_FILE_LIST_PUB	"serverlist-pubkey.pem"
#define SIM_FILE_LIST_KEY	"serverlist-key.pem"
#define SIM_FILE_WORLD		"world.json"
#define SIM_FILE_SOCK		"piasim.sock"
#define SIM_FILE_PID		"piasim.pid"
#define SIM_FILE_LOG		"piasim.log"

#endif
