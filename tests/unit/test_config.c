/* SPDX-License-Identifier: ISC */
/*
 * Configuration rules: each rule once valid and once invalid, asserting
 * the exact message a user reads. Test texts use ' for " so they stay
 * readable; the helper swaps them back before parsing.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "core/config.h"

/* Mandatory keys, spliced in front of each test's own keys. */
#define BASE	"'credentials_file':'/etc/piad/credentials'," \
		"'region':'swiss',"
#define CT	"'containers':{'a':{'address':'10.100.0.10'}}"

static struct piad_config *
parse(const char *squoted, char *err, size_t errlen)
{
	char	*t, *p;
	struct piad_config *cfg;

	ck_assert_ptr_nonnull(t = strdup(squoted));
	for (p = t; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	cfg = config_parse_text(t, strlen(t), "test.json", err, errlen);
	free(t);
	return cfg;
}

static struct piad_config *
parse_ok(const char *squoted)
{
	char			 err[CONFIG_ERRLEN];
	struct piad_config	*cfg;

	cfg = parse(squoted, err, sizeof(err));
	if (cfg == NULL)
		ck_abort_msg("unexpected error for %s:\n%s", squoted, err);
	return cfg;
}

struct rule {
	const char	*text;	/* ' stands for " */
	const char	*err;	/* NULL: valid */
};

static const struct rule rules[] = {
	/* Required keys, all reported at once. */
	{ "{}", "credentials_file: required key missing\n"
	    "region: required key missing\n"
	    "containers: required key missing" },
	{ "{" BASE "'containers':{}}", NULL },
	{ "{" BASE CT "}", NULL },

	/* Unknown keys, at every level. */
	{ "{" BASE CT ",'regoin':'x'}", "regoin: unknown key" },
	{ "{" BASE CT ",'bridge':{'nmae':'br0'}}", "bridge.nmae: unknown key" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.10',"
	    "'adress':'x'}}}", "containers.a.adress: unknown key" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.10',"
	    "'receive_forwarded_port':{'prot':1}}}}",
	    "containers.a.receive_forwarded_port.prot: unknown key" },
	{ "{" BASE CT ",'timers':{'renewal':'1d'}}",
	    "timers.renewal: unknown key" },

	/* Wrong types. */
	{ "{'credentials_file':'/c','region':5," CT "}",
	    "region: expected a string, got an integer" },
	{ "{" BASE CT ",'vpn':{'mtu':'1420'}}",
	    "vpn.mtu: expected an integer, got a string" },
	{ "{" BASE CT ",'vpn':{'mtu':1420.0}}",
	    "vpn.mtu: expected an integer, got a fractional number" },
	{ "{" BASE CT ",'bridge':[]}",
	    "bridge: expected an object, got an array" },
	{ "{" BASE "'containers':[]}",
	    "containers: expected an object, got an array" },
	{ "{" BASE "'containers':{'a':'10.100.0.10'}}",
	    "containers.a: expected an object, got a string" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.10',"
	    "'managed':'yes'}}}",
	    "containers.a.managed: expected a boolean, got a string" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.10',"
	    "'managed':false}}}", NULL },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.10',"
	    "'receive_forwarded_port':true}}}",
	    "containers.a.receive_forwarded_port: expected an object or "
	    "null, got a boolean" },
	{ "{" BASE CT ",'control_group':7}",
	    "control_group: expected a string or null, got an integer" },
	{ "{" BASE CT ",'proxy':{'allow':'10.100.0.5'}}",
	    "proxy.allow: expected an array, got a string" },
	{ "{" BASE CT ",'proxy':{'allow':['10.100.0.5',5]}}",
	    "proxy.allow[1]: expected a string, got an integer" },
	{ "{" BASE CT ",'log':null}", "log: expected an object, got null" },

	/* Container addresses. */
	{ "{" BASE "'containers':{'a':{}}}",
	    "containers.a.address: required key missing" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0'}}}",
	    "containers.a.address: \"10.100.0\" is not an IPv4 address" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.010'}}}",
	    "containers.a.address: \"10.100.0.010\" is not an IPv4 address" },
	{ "{" BASE "'containers':{'servarr':{'address':'10.200.0.5'}}}",
	    "containers.servarr.address: 10.200.0.5 is outside bridge.subnet "
	    "10.100.0.0/24" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.0'}}}",
	    "containers.a.address: 10.100.0.0 is the network address of "
	    "bridge.subnet 10.100.0.0/24" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.255'}}}",
	    "containers.a.address: 10.100.0.255 is the broadcast address of "
	    "bridge.subnet 10.100.0.0/24" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.254'}}}", NULL },

	/* Duplicate addresses, host and VPN included, naming both keys. */
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.2'}}}",
	    "containers.a.address: 10.100.0.2 is already used by "
	    "vpn.address (vpn.address defaults to the subnet's second "
	    "address)" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.1'}}}",
	    "containers.a.address: 10.100.0.1 is already used by "
	    "bridge.host_address (bridge.host_address defaults to the "
	    "subnet's first address)" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.10'},"
	    "'b':{'address':'10.100.0.10'}}}",
	    "containers.b.address: 10.100.0.10 is already used by "
	    "containers.a.address" },
	{ "{" BASE CT ",'vpn':{'address':'10.100.0.1'}}",
	    "vpn.address: 10.100.0.1 is already used by bridge.host_address "
	    "(bridge.host_address defaults to the subnet's first address)" },
	{ "{" BASE CT ",'bridge':{'host_address':'10.100.0.5'},"
	    "'vpn':{'address':'10.100.0.5'}}",
	    "vpn.address: 10.100.0.5 is already used by bridge.host_address" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.7'}},"
	    "'vpn':{'address':'10.100.0.7'}}",
	    "containers.a.address: 10.100.0.7 is already used by "
	    "vpn.address" },
	{ "{" BASE CT ",'bridge':{'host_address':'10.100.0.9'},"
	    "'vpn':{'address':'10.100.0.8'}}", NULL },

	/* The subnet, and defaults that follow it. */
	{ "{" BASE "'bridge':{'subnet':'10.200.0.0/24'},"
	    "'containers':{'a':{'address':'10.200.0.10'}}}", NULL },
	{ "{" BASE CT ",'bridge':{'subnet':'10.100.0.1/24'}}",
	    "bridge.subnet: \"10.100.0.1/24\" has host bits set (did you mean "
	    "10.100.0.0/24?)" },
	{ "{" BASE CT ",'bridge':{'subnet':'10.100.0.0'}}",
	    "bridge.subnet: \"10.100.0.0\" is not an IPv4 network (expected "
	    "A.B.C.D/N)" },
	{ "{" BASE CT ",'bridge':{'subnet':'10.100.0.0/'}}",
	    "bridge.subnet: \"10.100.0.0/\" is not an IPv4 network (expected "
	    "A.B.C.D/N)" },
	{ "{" BASE CT ",'bridge':{'subnet':'10.100.0.0/33'}}",
	    "bridge.subnet: \"10.100.0.0/33\" is not an IPv4 network (expected "
	    "A.B.C.D/N)" },
	{ "{" BASE CT ",'bridge':{'subnet':'10.100.0.0/31'}}",
	    "bridge.subnet: prefix length /31 is out of range (/8 to /30)" },
	{ "{" BASE CT ",'bridge':{'subnet':'10.0.0.0/7'}}",
	    "bridge.subnet: prefix length /7 is out of range (/8 to /30)" },
	{ "{" BASE CT ",'bridge':{'subnet':'10.100.0.0/16'}}", NULL },
	/* A bad subnet does not cascade into address messages. */
	{ "{" BASE "'bridge':{'subnet':'x'},'containers':{'a':{'address':"
	    "'192.0.2.1'}}}",
	    "bridge.subnet: \"x\" is not an IPv4 network (expected "
	    "A.B.C.D/N)" },

	/* One receiver of the forwarded port. */
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.10',"
	    "'receive_forwarded_port':{}},'b':{'address':'10.100.0.11',"
	    "'receive_forwarded_port':{'port':80}}}}",
	    "containers.b.receive_forwarded_port: only one container may "
	    "receive the forwarded port (containers.a has it already)" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.10',"
	    "'receive_forwarded_port':null},'b':{'address':'10.100.0.11',"
	    "'receive_forwarded_port':{'port':null,'protocol':'udp'}}}}",
	    NULL },

	/* Ports. */
	{ "{" BASE CT ",'proxy':{'port':0}}",
	    "proxy.port: 0 is out of range (1 to 65535)" },
	{ "{" BASE CT ",'proxy':{'port':65536}}",
	    "proxy.port: 65536 is out of range (1 to 65535)" },
	{ "{" BASE CT ",'proxy':{'port':65535},'vpn':{'listen_port':1}}",
	    NULL },
	{ "{" BASE CT ",'vpn':{'listen_port':-1}}",
	    "vpn.listen_port: -1 is out of range (1 to 65535)" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.10',"
	    "'receive_forwarded_port':{'port':0}}}}",
	    "containers.a.receive_forwarded_port.port: 0 is out of range "
	    "(1 to 65535)" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.10',"
	    "'receive_forwarded_port':{'protocol':'sctp'}}}}",
	    "containers.a.receive_forwarded_port.protocol: \"sctp\" is not one "
	    "of tcp, udp, both" },

	/* MTU. */
	{ "{" BASE CT ",'vpn':{'mtu':1279}}",
	    "vpn.mtu: 1279 is out of range (1280 to 9000)" },
	{ "{" BASE CT ",'vpn':{'mtu':9001}}",
	    "vpn.mtu: 9001 is out of range (1280 to 9000)" },
	{ "{" BASE CT ",'vpn':{'mtu':1280}}", NULL },
	{ "{" BASE CT ",'vpn':{'mtu':9000}}", NULL },

	/* Interface names. */
	{ "{" BASE CT ",'bridge':{'name':'br-vpn-012345678'}}",
	    "bridge.name: \"br-vpn-012345678\" is not a valid interface name: "
	    "longer than 15 bytes" },
	{ "{" BASE CT ",'bridge':{'name':'br-vpn-01234567'}}", NULL },
	{ "{" BASE CT ",'bridge':{'name':''}}",
	    "bridge.name: \"\" is not a valid interface name: empty" },
	{ "{" BASE CT ",'bridge':{'name':'br/0'}}",
	    "bridge.name: \"br/0\" is not a valid interface name: "
	    "contains '/'" },
	{ "{" BASE CT ",'vpn':{'interface':'pia w'}}",
	    "vpn.interface: \"pia w\" is not a valid interface name: contains "
	    "whitespace" },
	{ "{" BASE CT ",'vpn':{'interface':'wg:0'}}",
	    "vpn.interface: \"wg:0\" is not a valid interface name: contains "
	    "':'" },
	{ "{" BASE CT ",'vpn':{'interface':'..'}}",
	    "vpn.interface: \"..\" is not a valid interface name: \".\" and "
	    "\"..\" are reserved" },
	{ "{" BASE CT ",'vpn':{'interface':'br-vpn'}}",
	    "vpn.interface: \"br-vpn\" is already used by bridge.name" },

	/* Netns and container names. */
	{ "{" BASE CT ",'vpn':{'netns':'pia/vpn'}}",
	    "vpn.netns: \"pia/vpn\" is not a valid netns name: only letters, "
	    "digits, '.', '_' and '-' are allowed" },
	{ "{" BASE CT ",'vpn':{'netns':'.hidden'}}",
	    "vpn.netns: \".hidden\" is not a valid netns name: must not start "
	    "with '.' or '-'" },
	{ "{" BASE "'containers':{'my box':{'address':'10.100.0.10'}}}",
	    "containers.my box: not a valid container name: only letters, "
	    "digits, '.', '_' and '-' are allowed" },
	{ "{" BASE "'containers':{'..':{'address':'10.100.0.10'}}}",
	    "containers...: not a valid container name: must not start with "
	    "'.' or '-'" },
	{ "{" BASE "'containers':{'':{'address':'10.100.0.10'}}}",
	    "containers.: not a valid container name: empty" },
	{ "{" BASE "'containers':{'pia-vpn':{'address':'10.100.0.10'}}}",
	    "containers.pia-vpn: name is already used by vpn.netns" },
	{ "{" BASE "'containers':{'web_1.x-y':{'address':'10.100.0.10'}}}",
	    NULL },

	/* Durations. */
	{ "{" BASE CT ",'timers':{'renew':'30'}}",
	    "timers.renew: \"30\" is not a duration: missing unit (s, m, h "
	    "or d)" },
	{ "{" BASE CT ",'timers':{'renew':'30x'}}",
	    "timers.renew: \"30x\" is not a duration: unknown unit 'x' (use "
	    "s, m, h or d)" },
	{ "{" BASE CT ",'timers':{'renew':'0s'}}",
	    "timers.renew: \"0s\" is not a duration: must be longer than 0s" },
	{ "{" BASE CT ",'timers':{'renew':'400d'}}",
	    "timers.renew: \"400d\" is not a duration: too long (at most "
	    "365d)" },
	{ "{" BASE CT ",'timers':{'renew':'61d'}}",
	    "timers.renew: 61d is out of range (1s to 60d)" },
	{ "{" BASE CT ",'timers':{'port_refresh':'16m'}}",
	    "timers.port_refresh: 16m is out of range (1s to 15m)" },
	{ "{" BASE CT ",'timers':{'probe_interval':'301s'}}",
	    "timers.probe_interval: 301s is out of range (1s to 5m)" },
	{ "{" BASE CT ",'timers':{'probe_interval':10}}",
	    "timers.probe_interval: expected a string, got an integer" },
	{ "{" BASE CT ",'timers':{'port_refresh':'1m30s','renew':'1h',"
	    "'probe_interval':'1s'}}", NULL },

	/* Region. */
	{ "{'credentials_file':'/c','region':''," CT "}",
	    "region: \"\" is not a valid region id: empty" },
	{ "{'credentials_file':'/c','region':'us east'," CT "}",
	    "region: \"us east\" is not a valid region id: only letters, "
	    "digits, '.', '_' and '-' are allowed" },
	{ "{'credentials_file':'/c','region':'auto'," CT "}", NULL },
	{ "{'credentials_file':'/c','region':'us_california'," CT "}", NULL },

	/* Enumerations. */
	{ "{" BASE CT ",'log':{'level':'verbose'}}",
	    "log.level: \"verbose\" is not one of error, warning, info, "
	    "debug" },
	{ "{" BASE CT ",'log':{'level':'debug'}}", NULL },
	{ "{" BASE CT ",'wireguard':{'backend':'wg'}}",
	    "wireguard.backend: \"wg\" is not one of auto, kernel, "
	    "userspace" },
	{ "{" BASE CT ",'wireguard':{'backend':'userspace',"
	    "'userspace_program':''}}",
	    "wireguard.userspace_program: must not be empty" },

	/* DNS. */
	{ "{" BASE CT ",'dns':{'upstream':'1.1.1'}}",
	    "dns.upstream: \"1.1.1\" is neither \"pia\" nor an IPv4 address" },
	{ "{" BASE CT ",'dns':{'upstream':'10.0.0.242'}}", NULL },

	/* Hooks. */
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.10',"
	    "'on_port_forwarded':'echo $PORT'}}}",
	    "containers.a.on_port_forwarded: set, but the container has no "
	    "receive_forwarded_port" },
	{ "{" BASE "'containers':{'a':{'address':'10.100.0.10',"
	    "'receive_forwarded_port':{},'on_port_forwarded':''}}}",
	    "containers.a.on_port_forwarded: must not be empty (use null for "
	    "no hook)" },

	/* Paths, URLs, names of things outside the file. */
	{ "{" BASE CT ",'state_dir':'var/lib/piad'}",
	    "state_dir: \"var/lib/piad\" is not an absolute path" },
	{ "{" BASE CT ",'pia':{'ca_file':''}}", "pia.ca_file: must not be "
	    "empty" },
	{ "{" BASE CT ",'pia':{'api_ca_file':'ca.pem'}}",
	    "pia.api_ca_file: \"ca.pem\" is not an absolute path" },
	{ "{" BASE CT ",'control_socket':'/run/piad/"
	    "01234567890123456789012345678901234567890123456789"
	    "01234567890123456789012345678901234567890123456789"
	    "0123456789012.sock'}",
	    "control_socket: path is 128 bytes, longer than a unix socket "
	    "allows (107)" },
	{ "{'credentials_file':'','region':'x'," CT "}",
	    "credentials_file: must not be empty" },
	{ "{'credentials_file':'piad-credentials','region':'x'," CT "}",
	    NULL },
	{ "{" BASE CT ",'pia':{'token_url':'http://www.example.com/token'}}",
	    "pia.token_url: \"http://www.example.com/token\" is not an "
	    "https:// URL" },
	{ "{" BASE CT ",'pia':{'serverlist_url':'https://'}}",
	    "pia.serverlist_url: \"https://\" is not an https:// URL" },
	{ "{" BASE CT ",'control_group':'piad users'}",
	    "control_group: \"piad users\" is not a valid group name" },
	{ "{" BASE CT ",'control_group':'piad'}", NULL },
	{ "{" BASE CT ",'pia':{'resolve':{'www.example.com':'192.0.2.1',"
	    "'bad host':'192.0.2.2','list.example.com':'x'}}}",
	    "pia.resolve: \"bad host\" is not a valid host name\n"
	    "pia.resolve.list.example.com: \"x\" is not an IPv4 address" },
	{ "{" BASE CT ",'proxy':{'allow':['10.100.0.5','10.100.0.300']}}",
	    "proxy.allow[1]: \"10.100.0.300\" is not an IPv4 address" },

	/* Untrusted bytes are shown escaped. */
	{ "{" BASE CT ",'log':{'level':'\\u0001\\\"'}}",
	    "log.level: \"\\x01\\\"\" is not one of error, warning, info, "
	    "debug" },

	/* Several problems: all reported, in file order. */
	{ "{" BASE "'vpn':{'mtu':1,'netns':'a b'},'containers':{'a':{"
	    "'address':'10.9.0.1'}},'log':{'level':'x'}}",
	    "vpn.netns: \"a b\" is not a valid netns name: only letters, "
	    "digits, '.', '_' and '-' are allowed\n"
	    "vpn.mtu: 1 is out of range (1280 to 9000)\n"
	    "log.level: \"x\" is not one of error, warning, info, debug\n"
	    "containers.a.address: 10.9.0.1 is outside bridge.subnet "
	    "10.100.0.0/24" },

	/* JSON itself. */
	{ "{'region':'a',", "test.json: line 1 column 14: string or '}' "
	    "expected near end of file" },
	{ "{" BASE CT ",'region':'x'}", "test.json: line 1 column 114: "
	    "duplicate object key near '\"region\"'" },
	{ "[]", "test.json: expected a JSON object at the top level, got an "
	    "array" },
};

START_TEST(rule)
{
	const struct rule	*r = &rules[_i];
	char			 err[CONFIG_ERRLEN];
	struct piad_config	*cfg;

	memset(err, 'Z', sizeof(err));
	cfg = parse(r->text, err, sizeof(err));
	if (r->err == NULL) {
		if (cfg == NULL)
			ck_abort_msg("rule %d: unexpected error:\n%s", _i, err);
		config_free(cfg);
		return;
	}
	if (cfg != NULL)
		ck_abort_msg("rule %d: accepted, expected:\n%s", _i, r->err);
	ck_assert_msg(strcmp(err, r->err) == 0,
	    "rule %d:\nexpected: %s\n     got: %s", _i, r->err, err);
}
END_TEST

START_TEST(defaults)
{
	struct piad_config	*cfg;
	char			 a[INET_ADDRSTRLEN];

	cfg = parse_ok("{" BASE CT "}");
	ck_assert_str_eq(cfg->credentials_file, "/etc/piad/credentials");
	ck_assert_str_eq(cfg->region, "swiss");
	ck_assert_str_eq(cfg->state_dir, "/var/lib/piad");
	ck_assert_str_eq(cfg->control_socket, "/run/piad/control.sock");
	ck_assert_ptr_null(cfg->control_group);
	ck_assert_str_eq(cfg->bridge.name, "br-vpn");
	ck_assert_str_eq(inet_ntop(AF_INET, &cfg->bridge.subnet, a, sizeof(a)),
	    "10.100.0.0");
	ck_assert_uint_eq(cfg->bridge.prefixlen, 24);
	ck_assert_str_eq(inet_ntop(AF_INET, &cfg->bridge.netmask, a,
	    sizeof(a)), "255.255.255.0");
	ck_assert_str_eq(inet_ntop(AF_INET, &cfg->bridge.host_address, a,
	    sizeof(a)), "10.100.0.1");
	ck_assert_str_eq(cfg->vpn.netns, "pia-vpn");
	ck_assert_str_eq(inet_ntop(AF_INET, &cfg->vpn.address, a, sizeof(a)),
	    "10.100.0.2");
	ck_assert_str_eq(cfg->vpn.interface, "piaw");
	ck_assert_uint_eq(cfg->vpn.listen_port, 51820);
	ck_assert_uint_eq(cfg->vpn.mtu, 1420);
	ck_assert_uint_eq(cfg->proxy.port, 8888);
	ck_assert_uint_eq(cfg->proxy.nallow, 0);
	ck_assert_int_eq(cfg->wireguard.backend, CONFIG_WG_AUTO);
	ck_assert_str_eq(cfg->wireguard.userspace_program, "wireguard-go");
	ck_assert(cfg->dns.pia);
	ck_assert_uint_eq(cfg->ncontainers, 1);
	ck_assert_str_eq(cfg->containers[0].name, "a");
	ck_assert(cfg->containers[0].managed);
	ck_assert(!cfg->containers[0].receive_forwarded_port.present);
	ck_assert_ptr_null(cfg->containers[0].on_port_forwarded);
	ck_assert_uint_eq(cfg->timers.port_refresh, 900);
	ck_assert_uint_eq(cfg->timers.renew, 30 * 86400);
	ck_assert_uint_eq(cfg->timers.probe_interval, 10);
	ck_assert_str_eq(cfg->pia.token_url,
	    "https://www.privateinternetaccess.com/api/client/v2/token");
	ck_assert_str_eq(cfg->pia.serverlist_url,
	    "https://serverlist.piaservers.net/vpninfo/servers/v6");
	ck_assert_str_eq(cfg->pia.ca_file, PIAD_DATADIR "/ca.rsa.4096.crt");
	ck_assert_str_eq(cfg->pia.serverlist_pubkey_file,
	    PIAD_DATADIR "/serverlist-pubkey.pem");
	ck_assert_ptr_null(cfg->pia.api_ca_file);
	ck_assert_uint_eq(cfg->pia.nresolve, 0);
	ck_assert_int_eq(cfg->log_level, LOG_LVL_INFO);
	ck_assert_str_eq(cfg->origin, "test.json");
	config_free(cfg);
}
END_TEST

START_TEST(typed_values)
{
	struct piad_config		*cfg;
	const struct config_container	*ct;
	char				 a[INET_ADDRSTRLEN];

	cfg = parse_ok("{" BASE "'bridge':{'subnet':'192.0.2.0/28'},"
	    "'containers':{'z':{'address':'192.0.2.5','managed':false},"
	    "'t':{'address':'192.0.2.4','receive_forwarded_port':{'port':"
	    "51413,'protocol':'tcp'},'on_port_forwarded':'echo $PORT'}},"
	    "'proxy':{'allow':['192.0.2.9','198.51.100.1']},"
	    "'dns':{'upstream':'198.51.100.53'},"
	    "'wireguard':{'backend':'kernel'},"
	    "'timers':{'renew':'1h30m'},"
	    "'pia':{'resolve':{'a.example':'203.0.113.1',"
	    "'b.example':'203.0.113.2'}},"
	    "'log':{'level':'warning'}}");
	/* Defaults derived from the subnet. */
	ck_assert_str_eq(inet_ntop(AF_INET, &cfg->bridge.host_address, a,
	    sizeof(a)), "192.0.2.1");
	ck_assert_str_eq(inet_ntop(AF_INET, &cfg->vpn.address, a, sizeof(a)),
	    "192.0.2.2");
	ck_assert_str_eq(inet_ntop(AF_INET, &cfg->bridge.netmask, a,
	    sizeof(a)), "255.255.255.240");
	/* File order kept. */
	ck_assert_uint_eq(cfg->ncontainers, 2);
	ck_assert_str_eq(cfg->containers[0].name, "z");
	ck_assert(!cfg->containers[0].managed);
	ck_assert_ptr_null(config_container(cfg, "nope"));
	ct = config_container(cfg, "t");
	ck_assert_ptr_eq(ct, config_forward_container(cfg));
	ck_assert(ct->receive_forwarded_port.present);
	ck_assert_uint_eq(ct->receive_forwarded_port.port, 51413);
	ck_assert_int_eq(ct->receive_forwarded_port.protocol,
	    CONFIG_PROTO_TCP);
	ck_assert_str_eq(ct->on_port_forwarded, "echo $PORT");
	ck_assert_uint_eq(cfg->proxy.nallow, 2);
	ck_assert_str_eq(inet_ntop(AF_INET, &cfg->proxy.allow[1], a,
	    sizeof(a)), "198.51.100.1");
	ck_assert(!cfg->dns.pia);
	ck_assert_str_eq(inet_ntop(AF_INET, &cfg->dns.upstream, a, sizeof(a)),
	    "198.51.100.53");
	ck_assert_int_eq(cfg->wireguard.backend, CONFIG_WG_KERNEL);
	ck_assert_uint_eq(cfg->timers.renew, 5400);
	ck_assert_uint_eq(cfg->pia.nresolve, 2);
	ck_assert_str_eq(cfg->pia.resolve[1].host, "b.example");
	ck_assert_str_eq(inet_ntop(AF_INET, &cfg->pia.resolve[1].addr, a,
	    sizeof(a)), "203.0.113.2");
	ck_assert_int_eq(cfg->log_level, LOG_LVL_WARN);
	config_free(cfg);

	/* receive_forwarded_port {} : same port as PIA's, both protocols. */
	cfg = parse_ok("{" BASE "'containers':{'a':{'address':'10.100.0.10',"
	    "'receive_forwarded_port':{}}}}");
	ck_assert(cfg->containers[0].receive_forwarded_port.present);
	ck_assert_uint_eq(cfg->containers[0].receive_forwarded_port.port, 0);
	ck_assert_int_eq(cfg->containers[0].receive_forwarded_port.protocol,
	    CONFIG_PROTO_BOTH);
	config_free(cfg);
}
END_TEST

START_TEST(load_file)
{
	char			 err[CONFIG_ERRLEN];
	struct piad_config	*cfg;

	cfg = config_load("/nonexistent/piad.json", err, sizeof(err));
	ck_assert_ptr_null(cfg);
	ck_assert_str_eq(err, "/nonexistent/piad.json: No such file or "
	    "directory");

	cfg = config_load(PIAD_SRCDIR "/data/piad.example.json", err,
	    sizeof(err));
	if (cfg == NULL)
		ck_abort_msg("example config: %s", err);
	ck_assert_str_eq(cfg->origin, PIAD_SRCDIR "/data/piad.example.json");
	config_free(cfg);
}
END_TEST

/* Many problems: capped, counted, and the buffer stays terminated. */
START_TEST(many_problems)
{
	char			 text[20000], err[CONFIG_ERRLEN], small[40];
	size_t			 o;
	int			 i;

	o = (size_t)snprintf(text, sizeof(text), "{" BASE "'containers':{");
	for (i = 0; i < 150; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
		    "%s'c%d':{'address':'1.2.3.%d'}", i ? "," : "", i, i % 250);
	snprintf(text + o, sizeof(text) - o, "}}");
	ck_assert_ptr_null(parse(text, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "\n... and 50 more problems"));
	ck_assert_ptr_nonnull(strstr(err, "containers.c0.address: 1.2.3.0 is "
	    "outside bridge.subnet 10.100.0.0/24\n"));

	ck_assert_ptr_null(parse(text, small, sizeof(small)));
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	ck_assert_ptr_null(parse(text, NULL, 0));
}
END_TEST

static Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc = tcase_create("rules");

	tcase_add_loop_test(tc, rule, 0, sizeof(rules) / sizeof(rules[0]));
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, typed_values);
	tcase_add_test(tc, load_file);
	tcase_add_test(tc, many_problems);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(config_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
