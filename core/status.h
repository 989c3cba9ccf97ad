/* SPDX-License-Identifier: ISC */
/*
 * What `piadctl status` shows. The engine owns the structure (in the
 * context); whichever backend runs fills the server, tunnel, port-forward
 * and container parts as it learns them. Plain values, no pointers into
 * backend objects, so a status reply never races a backend's free.
 * Times are CLOCK_REALTIME seconds (0: never).
 */
#ifndef PIAD_CORE_STATUS_H
#define PIAD_CORE_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct status_server {
	bool		 valid;
	char		 region[64];
	char		 cn[128];
	char		 ip[64];
	uint16_t	 port;
	char		 vip[64];
};

struct status_tunnel {
	char		 interface[32];
	char		 backend[16];	/* "kernel", "userspace", "fake" */
	char		 peer_ip[64];
	int64_t		 last_handshake;
	uint64_t	 rx_bytes;
	uint64_t	 tx_bytes;
};

/* status words: "disabled", "pending", "binding", "ok", "retrying" */
struct status_pf {
	char		 status[16];
	uint16_t	 port;
	char		 target[96];	/* "container ip:port" */
	int64_t		 expires_at;
	int64_t		 last_bind;
	char		 hook_error[160];
};

struct status_container {
	char		 name[64];
	char		 address[64];
	char		 netns[64];	/* empty when attached and unknown */
	bool		 managed;
	bool		 ok;
};

struct status_counters {
	uint64_t	 transitions;
	uint64_t	 failures;
	uint64_t	 reconnects;
	uint64_t	 pf_binds;
	uint64_t	 pf_failures;
	uint64_t	 renewals;
	uint64_t	 probe_failures;
	uint64_t	 reloads;
	uint64_t	 reload_failures;
	uint64_t	 control_denied;
};

struct piad_status {
	struct status_server	 server;
	struct status_tunnel	 tunnel;
	struct status_pf	 pf;
	struct status_container	*containers;	/* owned, status_set_containers */
	size_t			 ncontainers;
	char			 last_error[512];
	int64_t			 last_error_at;
	bool			 credentials_rejected;
	int64_t			 retry_at;	/* pending delayed enter, or 0 */
	struct status_counters	 counters;
};

/* Replace the container list with a copy of n entries; 0 / -1. */
int	status_set_containers(struct piad_status *,
	    const struct status_container *, size_t n);
void	status_clear(struct piad_status *);
int64_t	status_now(void);

#endif
