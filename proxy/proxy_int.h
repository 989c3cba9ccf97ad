/* SPDX-License-Identifier: ISC */
/*
 * Inside the proxy: the listener object (proxy.c) and the per-connection
 * tunnel (tunnel.c) share these definitions; nothing outside proxy/
 * includes this file.
 */
#ifndef PIAD_PROXY_INT_H
#define PIAD_PROXY_INT_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proxy/allow.h"
#include "proxy/head.h"
#include "proxy/proxy.h"

struct bufferevent;
struct event;
struct evconnlistener;
struct evdns_getaddrinfo_request;
struct http_msg;
struct dns_ctx;

struct resolve_entry {
	char			*name;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
};

/* One direction of an open tunnel on the zero-copy path (pump.c). */
struct pump {
	struct tunnel		*t;
	int			 src, dst;	/* sockets, owned by the bevs */
	int			 pr, pw;	/* the pipe between them */
	size_t			 inpipe;	/* bytes in the pipe */
	size_t			 cap;		/* pipe capacity: high water */
	size_t			 copied;	/* bytes moved before pipes */
	struct event		*rd, *wr;
	bool			 rd_on, wr_on;
	bool			 eof;		/* src sent FIN */
	bool			 shut;		/* FIN passed on to dst */
	bool			 up;		/* client -> upstream */
};

enum tunnel_phase {
	TP_HEAD,		/* reading the request head */
	TP_RESOLVE,		/* waiting for evdns */
	TP_CONNECT,		/* upstream TCP connect in progress */
	TP_SPLICE,		/* 200 sent, bytes flowing */
	/* refusal sent, lingering until the client closes */
	TP_REPLY,
	TP_DEAD,		/* waiting for the reaper */
};

struct tunnel {
	TAILQ_ENTRY(tunnel)	 entry;
	struct proxy		*px;
	enum tunnel_phase	 phase;
	struct bufferevent	*cli;
	struct bufferevent	*up;
	struct event		*timer;	/* head, connect, idle, linger */
	struct http_msg		*msg;	/* TP_HEAD, only if the head is split */
	struct evdns_getaddrinfo_request *dnsreq;
	/* pending lookup, see tunnel.c */
	struct dns_ctx		*dnsctx;
	bool			 has_slot;	/* counted in px->slots */

	struct sockaddr_in	 src;
	struct proxy_request	 req;
	struct sockaddr_storage	 dst;
	socklen_t		 dstlen;
	/* what we answered, 0 if none */
	int			 status;

	struct timespec		 started;
	struct timespec		 last_io;
	uint64_t		 bytes_up;
	uint64_t		 bytes_down;
	bool			 cli_eof;	/* client sent FIN */
	bool			 up_eof;	/* upstream sent FIN */
	bool			 cli_shut;	/* we sent FIN to the client */
	bool			 up_shut;	/* we sent FIN upstream */
	/* not reading: up's output full */
	bool			 cli_paused;
	/* not reading: cli's output full */
	bool			 up_paused;
	bool			 logged;	/* its one log line is out */
	bool			 pumping;	/* pump[] set up (pump.c) */
	/* [0] client->up, [1] up->client */
	struct pump		 pump[2];
};

TAILQ_HEAD(tunnel_list, tunnel);

struct proxy {
	struct event_base	*base;
	struct evdns_base	*dns;
	bool			 own_dns;
	struct evconnlistener	*lis;
	struct event		*lis_retry;	/* accept failed: EMFILE */
	struct proxy_limits	 lim;
	struct proxy_allow	 allow;
	struct resolve_entry	*map;
	size_t			 nmap;
	struct proxy_stats	 stats;
	unsigned		 conns;		/* live tunnel objects */
	/* resolving, connecting, open */
	unsigned		 slots;
	struct tunnel_list	 live;
	struct tunnel_list	 dead;
	struct event		*reaper;
	struct http_msg		*scratch;	/* heads read in one piece */
};

/* tunnel.c */
void	tunnel_accept(struct proxy *, int fd, const struct sockaddr_in *src);
void	tunnel_free(struct tunnel *);
void	tunnel_reap(struct proxy *);
/* Log the tunnel's line (once) and kill it; err 0 or an errno. */
void	tunnel_finish(struct tunnel *, const char *outcome, int err);

/*
 * The pump found no pipes: go on through the bufferevents. `rest` (len
 * bytes already read from the client if `up`, else from upstream) goes
 * out first; the pump is stopped and its half-close state carried over.
 */
void	tunnel_buffered(struct tunnel *, bool up, const void *rest,
	    size_t len);

/* pump.c: 0, or -1 if the pump cannot start (use the buffered path). */
int	pump_start(struct tunnel *, int cli, int up);
void	pump_stop(struct tunnel *);
void	pump_free(struct tunnel *);

/* proxy.c */
struct evdns_base *proxy_dns(struct proxy *);
const struct resolve_entry *proxy_resolve_find(const struct proxy *,
	    const char *name);
void	proxy_schedule_reaper(struct proxy *);
/* "1.2.3.4:80" / "[::1]:80" into buf. */
const char *proxy_addr_str(const struct sockaddr *, char *buf, size_t len);

#endif
