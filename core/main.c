/* SPDX-License-Identifier: ISC */
/*
 * piad: puts chosen services behind a PIA WireGuard tunnel.
 *
 *	piad [-c FILE] [-d] [-n] [-v] [--teardown]
 *
 * Runs in the foreground (systemd or a terminal supervises it). -n checks
 * the config and exits 0 or 1; with -v it prints the normalized config.
 * -d logs at debug level, -v at least at info level, whatever log.level
 * says. --teardown removes everything piad created and exits.
 *
 * The backend is chosen by $PIAD_BACKEND: "real" (the default; core/real.h:
 * net/, pia/, proxy/) or "fake" (core/backend_fake.h, for tests; PIAD_FAKE
 * steers it).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core/backend.h"
#include "core/backend_fake.h"
#include "core/config.h"
#include "core/context.h"
#include "core/control.h"
#include "core/daemon.h"
#include "core/log.h"
#include "core/real.h"
#include "core/sdnotify.h"
#include "states/states.h"

#define PIAD_DEFAULT_CONFIG	PIAD_SYSCONFDIR "/piad/config.json"
#define PIAD_DEFAULT_BACKEND	"real"	/* PIAD_BACKEND=fake for tests */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: piad [-c FILE] [-d] [-n] [-v] [--teardown]\n");
	exit(1);
}

/* Config errors go to stderr one per line, whatever the log setup. */
static void
print_errors(const char *path, const char *err)
{
	const char *p, *nl;

	fprintf(stderr, "piad: %s: invalid configuration\n", path);
	for (p = err; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL) {
			fprintf(stderr, "  %s\n", p);
			break;
		}
		fprintf(stderr, "  %.*s\n", (int)(nl - p), p);
	}
}

static int
attach_fake(struct piad_ctx *ctx)
{
	const char	*spec = getenv("PIAD_FAKE");
	char		 err[256];

	if (backend_fake_attach(ctx) == -1)
		return -1;
	/* look asynchronous, like the real thing */
	backend_fake(ctx)->delay_ms = 20;
	if (spec != NULL && fake_configure(ctx, spec, err, sizeof(err)) == -1)
		fatalx("%s", err);
	log_info("backend: fake (no network changes are made)");
	return 0;
}

static const struct {
	const char	*name;
	int		(*attach)(struct piad_ctx *);
} backends[] = {
	{ "fake", attach_fake },
	{ "real", backend_real_attach },
};

/* ctx->conf must be set: a backend reads its settings at attach. */
static int
attach_backend(struct piad_ctx *ctx)
{
	const char	*name = getenv("PIAD_BACKEND");
	size_t		 i;

	if (name == NULL || name[0] == '\0')
		name = PIAD_DEFAULT_BACKEND;
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(backends[i].name, name) == 0)
			return backends[i].attach(ctx);
	fatalx("PIAD_BACKEND=%s: unknown backend (fake, real)", name);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "teardown", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct piad_ctx		 ctx;
	struct event_base	*base;
	struct piad_config	*conf;
	const char		*path = PIAD_DEFAULT_CONFIG;
	char			 err[CONFIG_ERRLEN];
	int			 ch, debug = 0, check = 0, verbose = 0;
	int			 teardown = 0;

	while ((ch = getopt_long(argc, argv, "c:dnv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'T':
			teardown = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	log_init(debug ? LOG_LVL_DEBUG : LOG_LVL_INFO, "piad");
	if ((conf = config_load(path, err, sizeof(err))) == NULL) {
		print_errors(path, err);
		return 1;
	}
	if (check) {
		if (verbose && config_print(conf, stdout) == -1) {
			config_free(conf);
			return 1;
		}
		if (!verbose)
			fprintf(stderr, "piad: %s: configuration OK\n", path);
		config_free(conf);
		return 0;
	}

	event_set_log_callback(log_libevent);
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if (ctx_init(&ctx, base) == -1)
		fatalx("context setup failed");
	ctx.log_forced = debug || verbose;
	if (verbose && !debug)
		log_set_level(LOG_LVL_INFO);
	ctx.conf = conf;
	if ((ctx.conf_path = strdup(path)) == NULL)
		fatal("strdup");
	if (attach_backend(&ctx) == -1)
		fatalx("backend setup failed");
	if (daemon_apply_config(&ctx, conf) == -1)
		fatal("config");

	if (teardown) {
		log_info("teardown: removing everything piad created");
		ctx.be->teardown(&ctx, true);
		goto out;
	}

	if (fsm_init(&ctx, states_all) == -1)
		fatalx("state machine setup failed");
	if (control_new(&ctx, conf->control_socket, conf->control_group, err,
	    sizeof(err)) == NULL)
		fatalx("%s", err);
	if (daemon_signals(&ctx) == -1)
		fatalx("signal setup failed");
	if (sdnotify_start(&ctx) == -1)
		log_warn("sd_notify");

	fsm_start(&ctx);
	event_base_dispatch(base);
	log_info("exiting");

	sdnotify_stop(&ctx);
	daemon_signals_free(&ctx);
	control_free(ctx.ctl);
out:
	ctx_free(&ctx);
	config_free(ctx.conf);
	free(ctx.conf_path);
	event_base_free(base);
	return 0;
}
