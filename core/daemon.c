/* SPDX-License-Identifier: ISC */
/*
 * Daemon glue, see daemon.h. Reload follows the house rule: parse into a
 * fresh config, validate, diff against the running one, and only then
 * swap; every failure before the swap leaves the daemon exactly as it was
 * and is reported (log, status last_error, the reload reply).
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <signal.h>
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
#include "core/sdnotify.h"

int
daemon_apply_config(struct piad_ctx *ctx, const struct piad_config *conf)
{
	struct status_container		*sc;
	const struct config_container	*cc;
	const struct status_container	*old;
	struct fake_backend		*f;
	size_t				 i, j;
	int				 rc;

	if (!ctx->log_forced)
		log_set_level(conf->log_level);
	snprintf(ctx->status.tunnel.interface,
	    sizeof(ctx->status.tunnel.interface), "%s", conf->vpn.interface);
	snprintf(ctx->status.server.region, sizeof(ctx->status.server.region),
	    "%s", conf->region);
	if (conf->timers.probe_interval > 0 &&
	    ctx->probe_interval_ms != conf->timers.probe_interval * 1000) {
		ctx->probe_interval_ms =
		    (unsigned)(conf->timers.probe_interval * 1000);
		/* a running probe timer takes the new period now */
		if (ctx->probe_ev != NULL &&
		    event_pending(ctx->probe_ev, EVFLAG_TIMEOUT, NULL)) {
			struct timeval tv;

			tv.tv_sec = ctx->probe_interval_ms / 1000;
			tv.tv_usec = (ctx->probe_interval_ms % 1000) * 1000;
			event_add(ctx->probe_ev, &tv);
		}
	}
	if (conf->timers.port_refresh > 0)
		ctx->pf_refresh_ms = conf->timers.port_refresh * 1000;
	if (conf->timers.renew > 0)
		ctx->renew_ms = conf->timers.renew * 1000;

	sc = calloc(conf->ncontainers > 0 ? conf->ncontainers : 1,
	    sizeof(*sc));
	if (sc == NULL)
		return -1;
	for (i = 0; i < conf->ncontainers; i++) {
		cc = &conf->containers[i];
		snprintf(sc[i].name, sizeof(sc[i].name), "%s", cc->name);
		inet_ntop(AF_INET, &cc->address, sc[i].address,
		    sizeof(sc[i].address));
		if (cc->managed)
			snprintf(sc[i].netns, sizeof(sc[i].netns), "%s",
			    cc->name);
		sc[i].managed = cc->managed;
		/* a container that was fine stays fine until a check says no */
		for (j = 0; j < ctx->status.ncontainers; j++) {
			old = &ctx->status.containers[j];
			if (strcmp(old->name, sc[i].name) == 0)
				sc[i].ok = old->ok;
		}
	}
	cc = config_forward_container(conf);
	if (cc == NULL) {
		ctx->status.pf.target[0] = '\0';
	} else {
		char addr[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &cc->address, addr, sizeof(addr));
		if (cc->receive_forwarded_port.port != 0)
			snprintf(ctx->status.pf.target,
			    sizeof(ctx->status.pf.target), "%s %s:%u",
			    cc->name, addr, cc->receive_forwarded_port.port);
		else
			snprintf(ctx->status.pf.target,
			    sizeof(ctx->status.pf.target), "%s %s", cc->name,
			    addr);
	}
	if ((f = backend_fake(ctx)) != NULL)
		f->pf_wanted = cc != NULL;
	rc = status_set_containers(&ctx->status, sc, conf->ncontainers);
	free(sc);
	return rc;
}

int
daemon_reload(struct piad_ctx *ctx, char *err, size_t errlen)
{
	struct piad_config	*new, *old = ctx->conf;
	struct config_diff	 diff;
	char			*p, *nl;

	err[0] = '\0';
	log_info("reload: reading %s", ctx->conf_path);
	if ((new = config_load(ctx->conf_path, err, errlen)) == NULL)
		goto bad;
	if (old != NULL && config_diff(old, new, &diff, err, errlen) == -1) {
		config_free(new);
		goto bad;
	}
	if (ctx->ctl != NULL && (old == NULL ||
	    (diff.changes & CONFIG_CHG_CONTROL_GROUP)) &&
	    control_set_group(ctx->ctl, new->control_group, err,
	    errlen) == -1) {
		if (old != NULL)
			config_diff_free(&diff);
		config_free(new);
		goto bad;
	}

	/* the swap: from here on the new config is the running one */
	ctx->conf = new;
	daemon_apply_config(ctx, new);
	if (ctx->be != NULL && ctx->be->config_changed != NULL)
		ctx->be->config_changed(ctx, old);
	ctx->status.counters.reloads++;
	if (old == NULL) {
		fsm_dispatch(ctx, EV_RELOAD, CAUSE_NONE,
		    "configuration loaded");
	} else {
		log_info("reload: %s applied%s", ctx->conf_path,
		    diff.changes == 0 ? " (no changes)" : "");
		/* containers first: BOOTSTRAP then walks on through AUTH */
		if (diff.changes & CONFIG_CHG_CONTAINERS)
			fsm_dispatch(ctx, EV_RELOAD, CAUSE_NONE,
			    "reload: %zu added, %zu removed, %zu changed",
			    diff.nadded, diff.nremoved, diff.nchanged);
		if (diff.changes & (CONFIG_CHG_REGION | CONFIG_CHG_CREDENTIALS |
		    CONFIG_CHG_PIA))
			fsm_dispatch(ctx, EV_RECONNECT, CAUSE_NONE,
			    "reload: region or PIA settings changed");
		config_diff_free(&diff);
		config_free(old);
	}
	return 0;

bad:
	ctx->status.counters.reload_failures++;
	/* the log gets every line, status the first few */
	for (p = err; p != NULL && *p != '\0'; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		log_warnx("reload: %s", p);
		if (nl != NULL)
			*nl++ = '\n';
	}
	ctx_set_error(ctx, "reload: %s", err);
	if ((p = strchr(ctx->status.last_error, '\n')) != NULL)
		*p = '\0';
	return -1;
}

void
daemon_shutdown(struct piad_ctx *ctx, const char *why)
{
	sdnotify_send("STOPPING=1");
	fsm_dispatch(ctx, EV_SHUTDOWN, CAUSE_NONE, "%s", why);
	if (ctx->be != NULL && ctx->be->teardown != NULL)
		ctx->be->teardown(ctx, false);
	event_base_loopexit(ctx->base, NULL);
}

void
daemon_down(struct piad_ctx *ctx, const char *why)
{
	struct timeval tv = { 0, 200000 };

	sdnotify_send("STOPPING=1");
	fsm_dispatch(ctx, EV_SHUTDOWN, CAUSE_NONE, "%s", why);
	log_info("down: removing everything piad created (%s)", why);
	if (ctx->be != NULL && ctx->be->teardown != NULL)
		ctx->be->teardown(ctx, true);
	event_base_loopexit(ctx->base, &tv);
}

static void
daemon_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct piad_ctx	*ctx = arg;
	char		 err[CONFIG_ERRLEN];

	switch (sig) {
	case SIGHUP:
		daemon_reload(ctx, err, sizeof(err));
		break;
	case SIGTERM:
		daemon_shutdown(ctx, "SIGTERM");
		break;
	case SIGINT:
		daemon_shutdown(ctx, "SIGINT");
		break;
	}
}

int
daemon_signals(struct piad_ctx *ctx)
{
	static const int sigs[3] = { SIGHUP, SIGTERM, SIGINT };
	int i;

	/* a control client that hangs up mid-reply must not kill us */
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < 3; i++) {
		ctx->sig_ev[i] = evsignal_new(ctx->base, sigs[i],
		    daemon_signal_cb, ctx);
		if (ctx->sig_ev[i] == NULL || evsignal_add(ctx->sig_ev[i],
		    NULL) == -1)
			return -1;
	}
	ctx->reload = daemon_reload;
	ctx->down = daemon_down;
	return 0;
}

void
daemon_signals_free(struct piad_ctx *ctx)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (ctx->sig_ev[i] != NULL)
			event_free(ctx->sig_ev[i]);
		ctx->sig_ev[i] = NULL;
	}
}
