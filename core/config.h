/* SPDX-License-Identifier: ISC */
/*
 * piad's configuration: one JSON file (design section 7) parsed with
 * jansson into struct piad_config, validated as a whole, printed back in
 * normalized form for `piad -n -v`, and compared with a running config on
 * reload. Every problem is reported as one line "key.path: message", all
 * problems at once, so a user fixes a file in one round. See
 * docs/config.md for the rules and the decisions behind them.
 *
 * Ownership: a struct piad_config owns every string and array it points
 * to; config_free releases all of it. A config is never modified after it
 * is returned, so a running daemon may keep pointers into it until it
 * swaps in the next one.
 */
#ifndef PIAD_CORE_CONFIG_H
#define PIAD_CORE_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core/log.h"

/* A comfortable size for the err buffers below (many problems fit). */
#define CONFIG_ERRLEN		8192

/* Limits checked by the validator (documented in docs/config.md). */
#define CONFIG_MTU_MIN		1280
#define CONFIG_MTU_MAX		9000
#define CONFIG_PREFIX_MIN	8
#define CONFIG_PREFIX_MAX	30
#define CONFIG_NAME_MAX		64	/* netns, container, region */
#define CONFIG_IFNAME_MAX	15	/* IFNAMSIZ - 1 */

enum config_wg_backend {
	CONFIG_WG_AUTO = 0,
	CONFIG_WG_KERNEL,
	CONFIG_WG_USERSPACE,
};

/* Bit set: BOTH == TCP | UDP. */
enum config_proto {
	CONFIG_PROTO_TCP = 1,
	CONFIG_PROTO_UDP = 2,
	CONFIG_PROTO_BOTH = 3,
};

/* receive_forwarded_port; present false: the container gets no port. */
struct config_forward {
	bool		 present;
	uint16_t	 port;		/* inside port; 0: PIA's port */
	enum config_proto protocol;	/* default both */
};

struct config_container {
	char		*name;		/* netns name if managed */
	struct in_addr	 address;
	bool		 managed;	/* default true */
	struct config_forward receive_forwarded_port;
	char		*on_port_forwarded;	/* NULL: no hook */
};

/* One pia.resolve entry: connect to addr when asked for host. */
struct config_resolve {
	char		*host;
	struct in_addr	 addr;
};

struct piad_config {
	char		*origin;	/* where it was read from */

	char		*credentials_file;	/* as written */
	char		*region;	/* a region id or "auto" */
	char		*state_dir;
	char		*control_socket;
	char		*control_group;	/* NULL: root only */

	struct {
		char		*name;
		struct in_addr	 subnet;	/* host bits zero */
		uint8_t		 prefixlen;
		struct in_addr	 netmask;	/* from prefixlen */
		struct in_addr	 host_address;	/* default .1 */
	} bridge;

	struct {
		char		*netns;
		struct in_addr	 address;	/* default .2 */
		char		*interface;
		uint16_t	 listen_port;
		uint32_t	 mtu;
	} vpn;

	struct {
		uint16_t	 port;
		struct in_addr	*allow;		/* + vpn.address */
		size_t		 nallow;
	} proxy;

	struct {
		enum config_wg_backend backend;
		char		*userspace_program;
	} wireguard;

	struct {
		bool		 pia;		/* addKey's servers */
		struct in_addr	 upstream;	/* when pia is false */
	} dns;

	struct config_container *containers;	/* in file order */
	size_t		 ncontainers;

	struct {
		uint64_t	 port_refresh;	/* all in seconds */
		uint64_t	 renew;
		uint64_t	 probe_interval;
	} timers;

	struct {
		char		*token_url;
		char		*serverlist_url;
		char		*ca_file;
		char		*serverlist_pubkey_file;
		/* CA for the token and list hosts; NULL: system store. */
		char		*api_ca_file;
		struct config_resolve *resolve;	/* in file order */
		size_t		 nresolve;
	} pia;

	enum log_level	 log_level;
};

/*
 * Parse and validate PATH. On success returns a new config the caller owns
 * (config_free). On failure returns NULL and writes one or more lines,
 * each "key.path: message", separated by '\n' (no trailing newline), to
 * err (never secrets). A JSON syntax error reads
 * "PATH: line L column C: what".
 */
struct piad_config *config_load(const char *path, char *err, size_t errlen);

/* As config_load, for text in memory; ORIGIN names it in messages. */
struct piad_config *config_parse_text(const char *text, size_t len,
	    const char *origin, char *err, size_t errlen);

void	config_free(struct piad_config *);

/* The container called NAME, or NULL. */
const struct config_container *config_container(const struct piad_config *,
	    const char *name);

/* The container with receive_forwarded_port, or NULL. */
const struct config_container *config_forward_container(
	    const struct piad_config *);

/*
 * The normalized config as JSON (every default filled in, durations
 * formatted, key order as in design section 7) for `piad -n -v`. Holds no
 * secret: the credentials file's path, never its content. Caller owns the
 * result (json_decref). NULL only when out of memory.
 */
json_t	*config_to_json(const struct piad_config *);

/* config_to_json, indented by 2, and a newline to F; 0 or -1. */
int	 config_print(const struct piad_config *, FILE *f);

/* What a reload changes, in the new config's terms. */
#define CONFIG_CT_ADDRESS	0x01
#define CONFIG_CT_MANAGED	0x02
#define CONFIG_CT_FORWARD	0x04	/* receive_forwarded_port */
#define CONFIG_CT_HOOK		0x08	/* on_port_forwarded */

struct config_diff_container {
	size_t		 old_index;	/* in old (not for added) */
	size_t		 new_index;	/* in new (not removed) */
	unsigned int	 changes;	/* CONFIG_CT_* (changed only) */
};

#define CONFIG_CHG_REGION	0x0001
#define CONFIG_CHG_TIMERS	0x0002
#define CONFIG_CHG_LOG		0x0004
#define CONFIG_CHG_PIA		0x0008	/* any pia.* */
#define CONFIG_CHG_CREDENTIALS	0x0010	/* credentials_file path */
#define CONFIG_CHG_PROXY_ALLOW	0x0020
#define CONFIG_CHG_DNS		0x0040
#define CONFIG_CHG_CONTROL_GROUP 0x0080
#define CONFIG_CHG_CONTAINERS	0x0100	/* added, removed, changed */

struct config_diff {
	unsigned int			 changes;	/* CONFIG_CHG_* */
	struct config_diff_container	*added;
	size_t				 nadded;
	struct config_diff_container	*removed;
	size_t				 nremoved;
	struct config_diff_container	*changed;
	size_t				 nchanged;
};

/*
 * Compare a running config with a freshly loaded one. Returns 0 and fills
 * OUT (release with config_diff_free; changes == 0 means nothing to do),
 * or -1 with one line per field that cannot change on a live reload, e.g.
 * "bridge.name: cannot change on reload (restart piad)"; then OUT is
 * empty and the caller keeps OLD. Indexes in OUT refer to OLD and NEW,
 * which must outlive it.
 */
int	config_diff(const struct piad_config *old,
	    const struct piad_config *new, struct config_diff *out, char *err,
	    size_t errlen);
void	config_diff_free(struct config_diff *);

#endif
