/* SPDX-License-Identifier: ISC */
/*
 * Reload diff: what a reload may change live (containers added, removed,
 * changed; region, timers, log level, pia, ...) and what makes it fail
 * with "cannot change on reload", leaving the old config in charge.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

#define BASE	"'credentials_file':'/etc/piad/credentials'," \
		"'region':'swiss'"
#define CTS	"'containers':{'transmission':{'address':'10.100.0.10'," \
		"'receive_forwarded_port':{'port':51413}," \
		"'on_port_forwarded':'echo $PORT'}," \
		"'servarr':{'address':'10.100.0.11'}}"

static struct piad_config *
parse(const char *squoted)
{
	char			 err[CONFIG_ERRLEN], *t, *p;
	struct piad_config	*cfg;

	ck_assert_ptr_nonnull(t = strdup(squoted));
	for (p = t; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	cfg = config_parse_text(t, strlen(t), "new.json", err, sizeof(err));
	if (cfg == NULL)
		ck_abort_msg("%s:\n%s", squoted, err);
	free(t);
	return cfg;
}

/* Diff the base config against NEW; returns config_diff's result. */
static int
diff(const char *newtext, struct config_diff *d, char *err, size_t errlen)
{
	struct piad_config	*old, *new;
	int			 r;

	old = parse("{" BASE "," CTS "}");
	new = parse(newtext);
	r = config_diff(old, new, d, err, errlen);
	config_free(old);
	config_free(new);
	return r;
}

START_TEST(same)
{
	struct config_diff	 d;
	char			 err[CONFIG_ERRLEN];

	/* Same content, other key order and spelled-out defaults. */
	ck_assert_int_eq(diff("{" CTS ",'log':{'level':'info'}," BASE "}", &d,
	    err, sizeof(err)), 0);
	ck_assert_uint_eq(d.changes, 0);
	ck_assert_uint_eq(d.nadded + d.nremoved + d.nchanged, 0);
	config_diff_free(&d);
}
END_TEST

START_TEST(containers)
{
	struct piad_config	*old, *new;
	struct config_diff	 d;
	char			 err[CONFIG_ERRLEN];

	old = parse("{" BASE "," CTS "}");
	new = parse("{" BASE ",'containers':{"
	    "'servarr':{'address':'10.100.0.12','managed':false},"
	    "'plex':{'address':'10.100.0.13'},"
	    "'jellyfin':{'address':'10.100.0.14',"
	    "'receive_forwarded_port':{}}}}");
	ck_assert_int_eq(config_diff(old, new, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(d.changes, CONFIG_CHG_CONTAINERS);
	ck_assert_uint_eq(d.nremoved, 1);
	ck_assert_str_eq(old->containers[d.removed[0].old_index].name,
	    "transmission");
	ck_assert_uint_eq(d.nadded, 2);
	ck_assert_str_eq(new->containers[d.added[0].new_index].name, "plex");
	ck_assert_str_eq(new->containers[d.added[1].new_index].name,
	    "jellyfin");
	ck_assert_uint_eq(d.nchanged, 1);
	ck_assert_str_eq(new->containers[d.changed[0].new_index].name,
	    "servarr");
	ck_assert_str_eq(old->containers[d.changed[0].old_index].name,
	    "servarr");
	ck_assert_uint_eq(d.changed[0].changes,
	    CONFIG_CT_ADDRESS | CONFIG_CT_MANAGED);
	config_diff_free(&d);
	ck_assert_ptr_null(d.added);
	config_free(new);

	/* Port, protocol and hook of the receiver. */
	new = parse("{" BASE ",'containers':{'transmission':{'address':"
	    "'10.100.0.10','receive_forwarded_port':{'port':51413,"
	    "'protocol':'tcp'},'on_port_forwarded':'echo changed'},"
	    "'servarr':{'address':'10.100.0.11'}}}");
	ck_assert_int_eq(config_diff(old, new, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(d.nchanged, 1);
	ck_assert_uint_eq(d.changed[0].changes,
	    CONFIG_CT_FORWARD | CONFIG_CT_HOOK);
	config_diff_free(&d);
	config_free(new);

	/* The forwarded port moves to another container. */
	new = parse("{" BASE ",'containers':{'transmission':{'address':"
	    "'10.100.0.10'},'servarr':{'address':'10.100.0.11',"
	    "'receive_forwarded_port':{'port':51413},"
	    "'on_port_forwarded':'echo $PORT'}}}");
	ck_assert_int_eq(config_diff(old, new, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(d.nchanged, 2);
	ck_assert_uint_eq(d.changed[0].changes,
	    CONFIG_CT_FORWARD | CONFIG_CT_HOOK);
	ck_assert_uint_eq(d.changed[1].changes,
	    CONFIG_CT_FORWARD | CONFIG_CT_HOOK);
	config_diff_free(&d);
	config_free(new);
	config_free(old);
}
END_TEST

START_TEST(live_changes)
{
	struct config_diff	 d;
	char			 err[CONFIG_ERRLEN];

	ck_assert_int_eq(diff("{'credentials_file':'creds','region':'auto',"
	    CTS ",'timers':{'renew':'7d'},'log':{'level':'debug'},"
	    "'pia':{'resolve':{'x.example':'192.0.2.1'}},"
	    "'proxy':{'allow':['10.100.0.50']},'dns':{'upstream':"
	    "'198.51.100.53'},'control_group':'wheel'}", &d, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(d.changes, CONFIG_CHG_CREDENTIALS |
	    CONFIG_CHG_REGION | CONFIG_CHG_TIMERS | CONFIG_CHG_LOG |
	    CONFIG_CHG_PIA | CONFIG_CHG_PROXY_ALLOW | CONFIG_CHG_DNS |
	    CONFIG_CHG_CONTROL_GROUP);
	ck_assert_uint_eq(d.nadded + d.nremoved + d.nchanged, 0);
	config_diff_free(&d);
}
END_TEST

START_TEST(restart_only)
{
	struct config_diff	 d;
	char			 err[CONFIG_ERRLEN];

	ck_assert_int_eq(diff("{" BASE "," CTS ",'bridge':{'name':'br0'}}",
	    &d, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "bridge.name: cannot change on reload "
	    "(restart piad)");
	ck_assert_uint_eq(d.changes, 0);
	ck_assert_ptr_null(d.added);
	config_diff_free(&d);

	/* All of them, in file order, even mixed with live changes. */
	ck_assert_int_eq(diff("{'credentials_file':'/c','region':'auto',"
	    CTS ",'state_dir':'/var/lib/piad2','control_socket':'/run/p.sock',"
	    "'bridge':{'subnet':'10.100.0.0/16','host_address':'10.100.0.1'},"
	    "'vpn':{'netns':'v','address':'10.100.0.2','interface':'wg1',"
	    "'listen_port':51821,'mtu':1400},'proxy':{'port':8889},"
	    "'wireguard':{'backend':'userspace','userspace_program':'wg-go'}}",
	    &d, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "state_dir: cannot change on reload (restart piad)\n"
	    "control_socket: cannot change on reload (restart piad)\n"
	    "bridge.subnet: cannot change on reload (restart piad)\n"
	    "vpn.netns: cannot change on reload (restart piad)\n"
	    "vpn.interface: cannot change on reload (restart piad)\n"
	    "vpn.listen_port: cannot change on reload (restart piad)\n"
	    "vpn.mtu: cannot change on reload (restart piad)\n"
	    "proxy.port: cannot change on reload (restart piad)\n"
	    "wireguard.backend: cannot change on reload (restart piad)\n"
	    "wireguard.userspace_program: cannot change on reload "
	    "(restart piad)");
	ck_assert_uint_eq(d.changes, 0);
	config_diff_free(&d);

	ck_assert_int_eq(diff("{" BASE "," CTS ",'bridge':{'host_address':"
	    "'10.100.0.3'},'vpn':{'address':'10.100.0.4'}}", &d, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "bridge.host_address: cannot change on reload (restart piad)\n"
	    "vpn.address: cannot change on reload (restart piad)");
	config_diff_free(&d);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("config_diff");
	TCase	*tc = tcase_create("diff");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, same);
	tcase_add_test(tc, containers);
	tcase_add_test(tc, live_changes);
	tcase_add_test(tc, restart_only);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
