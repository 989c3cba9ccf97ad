/* SPDX-License-Identifier: ISC */
/*
 * Inside the piasim daemon: listeners, one-request HTTP connections and
 * the handlers they dispatch to. serve.c owns the connections; api.c
 * fills in replies; ctl.c answers the control socket (status, faults).
 */
#ifndef PIASIM_SERVE_H
#define PIASIM_SERVE_H

#include <sys/queue.h>
#include <netinet/in.h>

#include <event2/event.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <jansson.h>

#include "tests/sim/piasim.h"

enum lkind {
	L_WWW,		/* token host, TLS */
	L_LIST,		/* server-list host, TLS */
	L_WEB,		/* web host, plain HTTP */
	L_ADDKEY,	/* server public IP :1337, TLS */
	L_SIG,		/* server :19999 (vip and public IP), TLS */
	L_META,		/* server public IP :443, TCP accept only */
	L_DNS_UDP,
	L_DNS_TCP,
	L_CTL,		/* control socket */
};

struct listener {
	struct sim		*s;
	struct sim_server	*sv;	/* NULL: not a VPN server */
	enum lkind		 kind;
	SSL_CTX			*tls;	/* NULL: plain */
	int			 fd;
	struct evconnlistener	*lev;
	struct event		*ev;	/* UDP */
};

struct conn {
	TAILQ_ENTRY(conn)	 entry;
	struct listener		*l;
	struct sim		*s;
	struct sim_server	*sv;
	struct bufferevent	*bev;
	struct http_msg		*msg;
	struct evbuffer		*body;
	struct sockaddr_in	 peer;
	int			 state;
	enum sim_ep		 ep;
	char			 path[256];
	char			 query[4096];

	/* The reply, sent at once or after a delay. */
	int			 code;
	const char		*ctype;
	struct evbuffer		*out;
	struct event		*timer;
};

/* serve.c */
struct event_base *sim_base(void);
/* Answer every hung request's connection by closing it. */
void	sim_release_hung(void);

/* api.c: fill c->code, c->ctype, c->out for the request in c. */
void	api_dispatch(struct conn *c);
void	api_reply_json(struct conn *c, int code, json_t *body, bool pretty);
void	api_reply_text(struct conn *c, int code, const char *text);
/* Expire bindings whose deadline passed; called once a second. */
void	api_expire_bindings(struct sim *s);
enum sim_ep api_endpoint(struct conn *c);

/* ctl.c: one control request line -> one reply line (caller frees). */
char	*ctl_handle(struct sim *s, const char *line);
json_t	*ctl_status(struct sim *s);

#endif
