/* SPDX-License-Identifier: ISC */
/*
 * Shared between the config parser, the normalized printer and the diff;
 * not for the rest of piad.
 */
#ifndef PIAD_CORE_CONFIG_PRIV_H
#define PIAD_CORE_CONFIG_PRIV_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#define CONFIG_DEFAULT_STATE_DIR	"/var/lib/piad"
#define CONFIG_DEFAULT_CONTROL_SOCKET	"/run/piad/control.sock"
#define CONFIG_DEFAULT_TOKEN_URL \
	"https://www.privateinternetaccess.com/api/client/v2/token"
#define CONFIG_DEFAULT_SERVERLIST_URL \
	"https://serverlist.piaservers.net/vpninfo/servers/v6"
#define CONFIG_DEFAULT_CA_FILE		PIAD_DATADIR "/ca.rsa.4096.crt"
#define CONFIG_DEFAULT_PUBKEY_FILE	PIAD_DATADIR "/serverlist-pubkey.pem"

/* Untrusted text made printable (\xHH), cut at 64 characters. */
void	 config_esc(const char *s, bool quote, char *buf, size_t len);
/* Strict dotted quad; 0 or -1. */
int	 config_parse_addr(const char *s, struct in_addr *a);
/* NULL when S is a valid interface / netns-like name, else why not. */
const char *config_ifname_problem(const char *s);
const char *config_name_problem(const char *s);

#endif
