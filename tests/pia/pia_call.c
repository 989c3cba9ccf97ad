/* SPDX-License-Identifier: ISC */
/*
 * Test driver: make one PIA call with pia/api.h, directly from the
 * current netns, and print the outcome on stdout as one line per reply:
 *   ok KEY=VALUE ...        or        ERRKIND: message
 * Exit 0 when every reply was ok. Used by tests/netns/pia_sim.sh against
 * piasim. Secrets come from files, never argv.
 *
 *   pia_call token  URL CA IP CREDFILE
 *   pia_call list   URL CA IP PUBKEY.pem
 *   pia_call addkey CN IP CA TOKENFILE WGPUBKEY
 *   pia_call pf     CN VIP CA TOKENFILE      (getSignature, 2 x bindPort)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/log.h"
#include "pia/api.h"
#include "pia/urlenc.h"

int	main(int, char **);

static struct event_base	*base;
static struct pia_pf		*pf;
static int			 failures, binds;
static char			*payload, *signature;

static char *
read_line(const char *path, int n)
{
	static char	 lines[2][512];
	FILE		*f;
	int		 i;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		exit(2);
	}
	for (i = 0; i < 2; i++) {
		lines[i][0] = '\0';
		if (fgets(lines[i], sizeof(lines[i]), f) != NULL)
			lines[i][strcspn(lines[i], "\r\n")] = '\0';
	}
	fclose(f);
	return lines[n];
}

static void
print_reply(const char *call, struct pia_reply *r)
{
	if (r->res.err != PIA_OK) {
		printf("%s %s: %s\n", call, pia_err_name(r->res.err),
		    r->res.message);
		failures++;
		return;
	}
	switch (r->kind) {
	case PIA_CALL_TOKEN:
		printf("%s ok token_len=%zu\n", call, strlen(r->token));
		break;
	case PIA_CALL_SERVERLIST:
		printf("%s ok regions=%zu wg_port=%u skipped=%zu\n", call,
		    r->list->nregions, r->list->wg_port, r->list->nskipped);
		break;
	case PIA_CALL_ADDKEY:
		printf("%s ok peer_ip=%s server_vip=%s server_ip=%s "
		    "server_port=%u dns=%s server_key=%s\n", call,
		    r->addkey.peer_ip, r->addkey.server_vip,
		    r->addkey.server_ip, r->addkey.server_port,
		    r->addkey.ndns > 0 ? r->addkey.dns[0] : "-",
		    r->addkey.server_key_b64);
		break;
	case PIA_CALL_GETSIGNATURE:
		printf("%s ok port=%u\n", call, r->sig.decoded.port);
		break;
	case PIA_CALL_BINDPORT:
		printf("%s ok message=%s\n", call, r->bind.message);
		break;
	}
}

static void
done_cb(struct pia_reply *r, void *arg)
{
	print_reply(arg, r);
	event_base_loopbreak(base);
}

static void
bind_cb(struct pia_reply *r, void *arg)
{
	print_reply(arg, r);
	if (r->res.err == PIA_OK && ++binds < 2 &&
	    pia_pf_bindport(pf, payload, signature, bind_cb, arg) == 0)
		return;
	event_base_loopbreak(base);
}

static void
sig_cb(struct pia_reply *r, void *arg)
{
	print_reply("getSignature", r);
	if (r->res.err != PIA_OK) {
		event_base_loopbreak(base);
		return;
	}
	payload = r->sig.payload;
	signature = r->sig.signature;
	r->sig.payload = r->sig.signature = NULL;
	if (pia_pf_bindport(pf, payload, signature, bind_cb, arg) == -1)
		event_base_loopbreak(base);
}

static void
usage(void)
{
	fprintf(stderr, "usage: pia_call token|list|addkey|pf ARGS "
	    "(see the source)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct dial_spec	 d;
	struct timeval		 tv = { 30, 0 };
	char			 host[256], path[512], err[256];
	uint16_t		 port;
	EVP_PKEY		*key;
	struct pia_server	 sv;
	void			*h = NULL;

	log_init(getenv("PIA_CALL_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_WARN,
	    "pia_call");
	if (argc < 6)
		usage();
	base = event_base_new();
	if (strcmp(argv[1], "token") == 0 || strcmp(argv[1], "list") == 0) {
		if (pia_url_split(argv[2], host, sizeof(host), &port, path,
		    sizeof(path)) == -1 ||
		    dial_spec_direct(&d, -1, argv[4], port) == -1)
			usage();
		if (argv[1][0] == 't')
			h = pia_token(base, &d, argv[2], argv[3],
			    read_line(argv[5], 0), read_line(argv[5], 1),
			    done_cb, "token");
		else {
			if ((key = pia_serverlist_load_pubkey(argv[5], err,
			    sizeof(err))) == NULL) {
				fprintf(stderr, "%s\n", err);
				return 2;
			}
			h = pia_serverlist_fetch(base, &d, argv[2], argv[3],
			    key, done_cb, "list");
			EVP_PKEY_free(key);
		}
	} else if (strcmp(argv[1], "addkey") == 0 && argc == 7) {
		snprintf(sv.cn, sizeof(sv.cn), "%s", argv[2]);
		snprintf(sv.ip, sizeof(sv.ip), "%s", argv[3]);
		if (dial_spec_direct(&d, -1, argv[3], PIA_PORT_ADDKEY) == -1)
			usage();
		h = pia_addkey(base, &d, argv[4], &sv, read_line(argv[5], 0),
		    argv[6], done_cb, "addKey");
	} else if (strcmp(argv[1], "pf") == 0) {
		if (dial_spec_direct(&d, -1, argv[3], PIA_PORT_PF) == -1 ||
		    (pf = pia_pf_new(base, &d, argv[4], argv[2])) == NULL)
			usage();
		if (pia_pf_getsignature(pf, read_line(argv[5], 0), sig_cb,
		    "bindPort") == 0)
			h = pf;
	} else
		usage();
	if (h == NULL) {
		perror("pia_call: cannot start");
		return 2;
	}
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	pia_pf_free(pf);
	if (payload != NULL)
		urlenc_free_secret(payload);
	if (signature != NULL)
		urlenc_free_secret(signature);
	event_base_free(base);
	return failures == 0 ? 0 : 1;
}
