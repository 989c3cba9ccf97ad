/* SPDX-License-Identifier: ISC */
/*
 * The metrics registry and renderer (see metrics.h). Families live in
 * an array on the context, the engine's own families are registered
 * first, on first use, so they lead the exposition.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "core/backend.h"
#include "core/context.h"
#include "core/metrics.h"

struct metrics_family {
	char		*name;
	char		*help;
	const char	*type;
	metrics_fn	 fn;
	void		*arg;
};

struct metrics {
	struct metrics_family	*fam;
	size_t			 nfam;
};

struct metrics_out {
	struct evbuffer		*buf;
	const char		*name;
};

static int	metrics_core(struct piad_ctx *);

static bool
metrics_valid_name(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_' && *s != ':')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != ':')
			return false;
	return true;
}

static struct metrics *
metrics_get(struct piad_ctx *ctx)
{
	if (ctx->metrics == NULL) {
		if ((ctx->metrics = calloc(1, sizeof(*ctx->metrics))) == NULL)
			return NULL;
		if (metrics_core(ctx) == -1) {
			metrics_free(ctx);
			return NULL;
		}
	}
	return ctx->metrics;
}

static int
metrics_add(struct piad_ctx *ctx, const char *name, const char *type,
    const char *help, metrics_fn fn, void *arg)
{
	struct metrics		*m = ctx->metrics;
	struct metrics_family	*f;
	size_t			 i;

	if (!metrics_valid_name(name) || (strcmp(type, "counter") != 0 &&
	    strcmp(type, "gauge") != 0 && strcmp(type, "untyped") != 0))
		return -1;
	for (i = 0; i < m->nfam; i++)
		if (strcmp(m->fam[i].name, name) == 0)
			return -1;
	f = realloc(m->fam, (m->nfam + 1) * sizeof(*f));
	if (f == NULL)
		return -1;
	m->fam = f;
	f = &m->fam[m->nfam];
	f->name = strdup(name);
	f->help = strdup(help);
	if (f->name == NULL || f->help == NULL) {
		free(f->name);
		free(f->help);
		return -1;
	}
	f->type = strcmp(type, "counter") == 0 ? "counter" :
	    strcmp(type, "gauge") == 0 ? "gauge" : "untyped";
	f->fn = fn;
	f->arg = arg;
	m->nfam++;
	return 0;
}

int
metrics_register(struct piad_ctx *ctx, const char *name, const char *type,
    const char *help, metrics_fn fn, void *arg)
{
	if (metrics_get(ctx) == NULL)
		return -1;
	return metrics_add(ctx, name, type, help, fn, arg);
}

void
metrics_unregister_arg(struct piad_ctx *ctx, void *arg)
{
	struct metrics	*m = ctx->metrics;
	size_t		 i = 0;

	if (m == NULL || arg == NULL)
		return;
	while (i < m->nfam) {
		if (m->fam[i].arg != arg) {
			i++;
			continue;
		}
		free(m->fam[i].name);
		free(m->fam[i].help);
		memmove(&m->fam[i], &m->fam[i + 1],
		    (m->nfam - i - 1) * sizeof(m->fam[0]));
		m->nfam--;
	}
}

void
metrics_free(struct piad_ctx *ctx)
{
	struct metrics	*m = ctx->metrics;
	size_t		 i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nfam; i++) {
		free(m->fam[i].name);
		free(m->fam[i].help);
	}
	free(m->fam);
	free(m);
	ctx->metrics = NULL;
}

static void
metrics_escape(struct evbuffer *b, const char *s, bool help)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			evbuffer_add(b, "\\\\", 2);
		else if (*s == '\n')
			evbuffer_add(b, "\\n", 2);
		else if (*s == '"' && !help)
			evbuffer_add(b, "\\\"", 2);
		else
			evbuffer_add(b, s, 1);
	}
}

void
metrics_sample(struct metrics_out *out, double value, ...)
{
	va_list		 ap;
	const char	*k, *v;
	bool		 first = true;

	evbuffer_add_printf(out->buf, "%s", out->name);
	va_start(ap, value);
	while ((k = va_arg(ap, const char *)) != NULL) {
		if ((v = va_arg(ap, const char *)) == NULL)
			break;
		evbuffer_add_printf(out->buf, "%s%s=\"", first ? "{" : ",", k);
		metrics_escape(out->buf, v, false);
		evbuffer_add(out->buf, "\"", 1);
		first = false;
	}
	va_end(ap);
	if (!first)
		evbuffer_add(out->buf, "}", 1);
	if (isnan(value))
		evbuffer_add_printf(out->buf, " NaN\n");
	else if (value == floor(value) && fabs(value) < 1e15)
		evbuffer_add_printf(out->buf, " %.0f\n", value);
	else
		evbuffer_add_printf(out->buf, " %.3f\n", value);
}

char *
metrics_render(struct piad_ctx *ctx)
{
	struct metrics		*m;
	struct metrics_out	 out;
	char			*text = NULL;
	size_t			 i, n;

	if ((m = metrics_get(ctx)) == NULL)
		return NULL;
	if ((out.buf = evbuffer_new()) == NULL)
		return NULL;
	if (ctx->be != NULL && ctx->be->refresh_status != NULL)
		ctx->be->refresh_status(ctx);
	for (i = 0; i < m->nfam; i++) {
		out.name = m->fam[i].name;
		evbuffer_add_printf(out.buf, "# HELP %s ", m->fam[i].name);
		metrics_escape(out.buf, m->fam[i].help, true);
		evbuffer_add_printf(out.buf, "\n# TYPE %s %s\n",
		    m->fam[i].name, m->fam[i].type);
		m->fam[i].fn(ctx, &out, m->fam[i].arg);
	}
	n = evbuffer_get_length(out.buf);
	if ((text = malloc(n + 1)) != NULL) {
		evbuffer_remove(out.buf, text, n);
		text[n] = '\0';
	}
	evbuffer_free(out.buf);
	return text;
}

/*
 * The engine's own families. What the backend knows (tunnel bytes,
 * handshake age, the port, proxy and firewall counters) the backend
 * registers itself (core/real_metrics.c).
 */

static void
m_state(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	int s;

	for (s = 0; s < FSM_NSTATES; s++)
		metrics_sample(out, (int)ctx->fsm.state == s ? 1 : 0,
		    "state", fsm_state_names[s], NULL);
}

static void
m_transitions(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	int f, t;

	for (f = 0; f < FSM_NSTATES; f++)
		for (t = 0; t < FSM_NSTATES; t++)
			if (ctx->fsm.transitions[f][t] > 0)
				metrics_sample(out,
				    (double)ctx->fsm.transitions[f][t],
				    "from", fsm_state_names[f],
				    "to", fsm_state_names[t], NULL);
}

static void
m_uptime(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	metrics_sample(out, ctx_uptime(ctx), NULL);
}

static void
m_failures(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	int c;

	for (c = 1; c < CAUSE_NCAUSES; c++)
		metrics_sample(out, (double)ctx->fsm.backoff.failures[c],
		    "cause", fail_cause_names[c], NULL);
}

static void
m_counter(struct piad_ctx *ctx, struct metrics_out *out, void *arg)
{
	const uint64_t *v = (const uint64_t *)((const char *)&ctx->status +
	    (size_t)(uintptr_t)arg);

	metrics_sample(out, (double)*v, NULL);
}

#define COUNTER_ARG(field) \
	((void *)(uintptr_t)offsetof(struct piad_status, counters.field))

static int
metrics_core(struct piad_ctx *ctx)
{
	static const struct {
		const char	*name, *type, *help;
		metrics_fn	 fn;
		void		*arg;
	} core[] = {
		{ "piad_state", "gauge", "1 for the current state.",
		    m_state, NULL },
		{ "piad_transitions_total", "counter",
		    "State transitions by from and to.", m_transitions, NULL },
		{ "piad_uptime_seconds", "gauge", "Seconds since piad started.",
		    m_uptime, NULL },
		{ "piad_failures_total", "counter",
		    "Failures by cause (each one backed off).", m_failures,
		    NULL },
		{ "piad_port_bind_failures_total", "counter",
		    "Failed port forwarding attempts.", m_counter,
		    COUNTER_ARG(pf_failures) },
		{ "piad_probe_failures_total", "counter",
		    "Failed tunnel probes.", m_counter,
		    COUNTER_ARG(probe_failures) },
		{ "piad_reloads_total", "counter", "Accepted reloads.",
		    m_counter, COUNTER_ARG(reloads) },
		{ "piad_reload_failures_total", "counter",
		    "Rejected reloads (invalid config).", m_counter,
		    COUNTER_ARG(reload_failures) },
		{ "piad_control_denied_total", "counter",
		    "Control connections refused by the peer check.",
		    m_counter, COUNTER_ARG(control_denied) },
	};
	size_t i;

	for (i = 0; i < sizeof(core) / sizeof(core[0]); i++)
		if (metrics_add(ctx, core[i].name, core[i].type, core[i].help,
		    core[i].fn, core[i].arg) == -1)
			return -1;
	return 0;
}
