/* SPDX-License-Identifier: ISC */
/*
 * Configuration parser and validator. The JSON tree is walked once, key by
 * key in file order, filling struct piad_config with defaults for what is
 * absent; every problem becomes one "key.path: message" line and the walk
 * goes on, so a user sees all mistakes at once. Cross-field rules
 * (addresses inside the subnet, no address used twice, one receiver of the
 * forwarded port, names that clash) run afterwards, only on fields that
 * parsed, so one typo does not cascade into several messages.
 */
#include <arpa/inet.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/config_priv.h"
#include "core/duration.h"

#define CONFIG_FILE_MAX		(1024 * 1024)
#define CONFIG_MAX_LINES	100
#define PATHLEN			512

/* Duration bounds per timer (why: docs/config.md). */
#define PORT_REFRESH_MAX	(15 * 60)
#define RENEW_MAX		(60ULL * 86400)
#define PROBE_MAX		(5 * 60)

struct cfgctx {
	struct piad_config	*cfg;
	char			*buf;		/* the lines so far */
	size_t			 len;
	size_t			 cap;
	unsigned int		 nerr;
	int			 oom;

	/* Which parsed values the cross checks may trust. */
	bool			 subnet_ok;
	bool			 host_ok;
	bool			 vpn_ok;
	bool			 host_default;	/* from the subnet */
	bool			 vpn_default;
	bool			 bridge_name_ok;
	bool			 vpn_if_ok;
	bool			 vpn_netns_ok;
	bool			*ct_addr_ok;	/* per container */
};

static void	 cerr(struct cfgctx *, const char *path, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

static void
cerr(struct cfgctx *c, const char *path, const char *fmt, ...)
{
	char	 line[1024];
	int	 n, m;
	va_list	 ap;

	c->nerr++;
	if (c->nerr > CONFIG_MAX_LINES)
		return;
	n = snprintf(line, sizeof(line), "%s: ", path);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n = (int)strlen(line);
	if (c->len + (size_t)n + 2 > c->cap) {
		size_t	 ncap = c->cap ? c->cap * 2 : 1024;
		char	*nb;

		while (ncap < c->len + (size_t)n + 2)
			ncap *= 2;
		if ((nb = realloc(c->buf, ncap)) == NULL) {
			c->oom = 1;
			return;
		}
		c->buf = nb;
		c->cap = ncap;
	}
	if (c->len > 0)
		c->buf[c->len++] = '\n';
	memcpy(c->buf + c->len, line, (size_t)n);
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
}

/* Copy the collected problems into the caller's buffer. */
static void
cerr_finish(struct cfgctx *c, const char *origin, char *err, size_t errlen)
{
	char	 more[64];
	size_t	 n;

	if (err == NULL || errlen == 0)
		return;
	if (c->oom) {
		snprintf(err, errlen, "%s: out of memory", origin);
		return;
	}
	snprintf(err, errlen, "%s", c->buf != NULL ? c->buf : "");
	if (c->nerr > CONFIG_MAX_LINES) {
		snprintf(more, sizeof(more), "\n... and %u more problems",
		    c->nerr - CONFIG_MAX_LINES);
		n = strlen(err);
		if (n + strlen(more) < errlen)
			memcpy(err + n, more, strlen(more) + 1);
	}
}

/*
 * Render untrusted text for a message: printable ASCII as is, anything
 * else as \xHH, cut after 64 characters. QUOTE adds double quotes.
 */
void
config_esc(const char *s, bool quote, char *buf, size_t len)
{
	size_t	 o = 0, i;
	char	 t[8];

	if (len == 0)
		return;
#define PUT(str) do {							\
	size_t _l = strlen(str);					\
	if (o + _l >= len)						\
		goto full;						\
	memcpy(buf + o, (str), _l);					\
	o += _l;							\
} while (0)
	if (quote)
		PUT("\"");
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (i == 64) {
			PUT("...");
			break;
		}
		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
			t[0] = (char)ch;
			t[1] = '\0';
		} else if (ch == '"' || ch == '\\') {
			t[0] = '\\';
			t[1] = (char)ch;
			t[2] = '\0';
		} else
			snprintf(t, sizeof(t), "\\x%02x", ch);
		PUT(t);
	}
	if (quote)
		PUT("\"");
#undef PUT
full:
	buf[o] = '\0';
}

static void
join(char *out, const char *parent, const char *key)
{
	char	 k[300];

	config_esc(key, false, k, sizeof(k));
	if (parent == NULL || *parent == '\0')
		snprintf(out, PATHLEN, "%s", k);
	else
		snprintf(out, PATHLEN, "%s.%s", parent, k);
}

static const char *
jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a fractional number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

static void
type_error(struct cfgctx *c, const char *path, const char *want,
    const json_t *v)
{
	cerr(c, path, "expected %s, got %s", want, jtype(v));
}

static char *
cstrdup(struct cfgctx *c, const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		c->oom = 1;
	return d;
}

/* Report keys of OBJ not in KNOWN (NULL terminated), in file order. */
static void
check_keys(struct cfgctx *c, json_t *obj, const char *path,
    const char *const *known)
{
	const char	*key;
	json_t		*v;
	char		 p[PATHLEN];
	size_t		 i;

	json_object_foreach(obj, key, v) {
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(known[i], key) == 0)
				break;
		if (known[i] == NULL) {
			join(p, path, key);
			cerr(c, p, "unknown key");
		}
	}
}

/*
 * Get an object member. Returns 1 with *out set when present (and, for
 * NULLABLE keys, not null), 0 when absent or null, -1 on a type error
 * (reported). REQUIRED keys that are absent are reported as missing.
 */
static int
member(struct cfgctx *c, json_t *obj, const char *key, const char *path,
    json_type type, const char *want, bool nullable, bool required,
    json_t **out)
{
	json_t	*v;
	char	 p[PATHLEN];

	join(p, path, key);
	*out = NULL;
	if ((v = json_object_get(obj, key)) == NULL) {
		if (required)
			cerr(c, p, "required key missing");
		return required ? -1 : 0;
	}
	if (nullable && json_is_null(v))
		return 0;
	if (json_typeof(v) != type &&
	    !(type == JSON_TRUE && json_is_boolean(v))) {
		type_error(c, p, nullable ? (type == JSON_STRING ?
		    "a string or null" : type == JSON_OBJECT ?
		    "an object or null" : "an integer or null") : want, v);
		return -1;
	}
	*out = v;
	return 1;
}

static int
get_string(struct cfgctx *c, json_t *obj, const char *key, const char *path,
    const char *def, bool nullable, bool required, char **out)
{
	json_t	*v;
	int	 r;

	r = member(c, obj, key, path, JSON_STRING, "a string", nullable,
	    required, &v);
	if (r == 1)
		*out = cstrdup(c, json_string_value(v));
	else if (r == 0 && !(nullable && json_object_get(obj, key) != NULL))
		*out = cstrdup(c, def);
	return r;
}

static int
get_int(struct cfgctx *c, json_t *obj, const char *key, const char *path,
    long long def, long long min, long long max, long long *out)
{
	json_t		*v;
	json_int_t	 n;
	char		 p[PATHLEN];
	int		 r;

	*out = def;
	if ((r = member(c, obj, key, path, JSON_INTEGER, "an integer", false,
	    false, &v)) != 1)
		return r;
	n = json_integer_value(v);
	if (n < min || n > max) {
		join(p, path, key);
		cerr(c, p, "%lld is out of range (%lld to %lld)",
		    (long long)n, min, max);
		return -1;
	}
	*out = n;
	return 1;
}

static int
get_bool(struct cfgctx *c, json_t *obj, const char *key, const char *path,
    bool def, bool *out)
{
	json_t	*v;
	int	 r;

	*out = def;
	if ((r = member(c, obj, key, path, JSON_TRUE, "a boolean", false,
	    false, &v)) == 1)
		*out = json_is_true(v);
	return r;
}

int
config_parse_addr(const char *s, struct in_addr *a)
{
	/* inet_pton alone takes "1.2.3.04"; leading zeros smell of octal. */
	const char *p;

	for (p = s; *p != '\0'; p++)
		if (*p == '0' && (p == s || p[-1] == '.') &&
		    p[1] >= '0' && p[1] <= '9')
			return -1;
	return inet_pton(AF_INET, s, a) == 1 ? 0 : -1;
}

static void
addr_error(struct cfgctx *c, const char *p, const char *s)
{
	char q[300];

	config_esc(s, true, q, sizeof(q));
	cerr(c, p, "%s is not an IPv4 address", q);
}

/* Absent: DEF (already in *out when DEF is NULL). */
static int
get_addr(struct cfgctx *c, json_t *obj, const char *key, const char *path,
    struct in_addr *out)
{
	json_t	*v;
	char	 p[PATHLEN];
	int	 r;

	if ((r = member(c, obj, key, path, JSON_STRING, "a string", false,
	    false, &v)) != 1)
		return r;
	if (config_parse_addr(json_string_value(v), out) == -1) {
		join(p, path, key);
		addr_error(c, p, json_string_value(v));
		return -1;
	}
	return 1;
}

static int
get_enum(struct cfgctx *c, json_t *obj, const char *key, const char *path,
    const char *const *names, const char *list, int *out)
{
	json_t		*v;
	const char	*s;
	char		 p[PATHLEN], q[300];
	int		 r, i;

	if ((r = member(c, obj, key, path, JSON_STRING, "a string", false,
	    false, &v)) != 1)
		return r;
	s = json_string_value(v);
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return 1;
		}
	join(p, path, key);
	config_esc(s, true, q, sizeof(q));
	cerr(c, p, "%s is not one of %s", q, list);
	return -1;
}

static int
get_duration(struct cfgctx *c, json_t *obj, const char *key,
    const char *path, uint64_t max, uint64_t *out)
{
	json_t	*v;
	char	 p[PATHLEN], q[300], why[128], a[32], b[32];
	uint64_t secs;
	int	 r;

	if ((r = member(c, obj, key, path, JSON_STRING, "a string", false,
	    false, &v)) != 1)
		return r;
	join(p, path, key);
	if (duration_parse(json_string_value(v), &secs, why,
	    sizeof(why)) == -1) {
		config_esc(json_string_value(v), true, q, sizeof(q));
		cerr(c, p, "%s is not a duration: %s", q, why);
		return -1;
	}
	if (secs > max) {
		duration_format(secs, q, sizeof(q));
		duration_format(1, a, sizeof(a));
		duration_format(max, b, sizeof(b));
		cerr(c, p, "%s is out of range (%s to %s)", q, a, b);
		return -1;
	}
	*out = secs;
	return 1;
}

/* Name checks. Each returns NULL when fine, else the reason. */
const char *
config_ifname_problem(const char *s)
{
	size_t i;

	if (*s == '\0')
		return "empty";
	if (strlen(s) > CONFIG_IFNAME_MAX)
		return "longer than 15 bytes";
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return "\".\" and \"..\" are reserved";
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '/')
			return "contains '/'";
		if (ch == ':')
			return "contains ':'";
		if (isspace(ch))
			return "contains whitespace";
		if (ch < 0x20 || ch >= 0x7f)
			return "contains a control or non-ASCII byte";
	}
	return NULL;
}

const char *
config_name_problem(const char *s)
{
	size_t i;

	if (*s == '\0')
		return "empty";
	if (strlen(s) > CONFIG_NAME_MAX)
		return "longer than 64 bytes";
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!isalnum(ch) && ch != '.' && ch != '_' && ch != '-')
			return "only letters, digits, '.', '_' and '-' "
			    "are allowed";
	}
	if (s[0] == '.' || s[0] == '-')
		return "must not start with '.' or '-'";
	return NULL;
}

static bool
hostname_ok(const char *s)
{
	size_t	 i, label = 0;

	if (*s == '\0' || strlen(s) > 253)
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum(ch) && ch != '-' && ch != '_')
			return false;
		if (ch == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[i - 1] != '-';
}

/* A string value that must be a valid name of some kind. */
static bool
check_name(struct cfgctx *c, const char *path, const char *what,
    const char *s, const char *(*problem)(const char *))
{
	const char	*why;
	char		 q[300];

	if (s == NULL || (why = problem(s)) == NULL)
		return s != NULL;
	config_esc(s, true, q, sizeof(q));
	cerr(c, path, "%s is not a valid %s: %s", q, what, why);
	return false;
}

static void
check_abs_path(struct cfgctx *c, const char *path, const char *s)
{
	char q[300];

	if (s == NULL)
		return;
	if (*s == '\0')
		cerr(c, path, "must not be empty");
	else if (*s != '/') {
		config_esc(s, true, q, sizeof(q));
		cerr(c, path, "%s is not an absolute path", q);
	}
}

static void
check_url(struct cfgctx *c, const char *path, const char *s)
{
	char	 q[300];
	size_t	 n = strlen("https://");

	if (s == NULL)
		return;
	if (strncmp(s, "https://", n) == 0 && s[n] != '\0' && s[n] != '/' &&
	    strpbrk(s, " \t\r\n") == NULL)
		return;
	config_esc(s, true, q, sizeof(q));
	cerr(c, path, "%s is not an https:// URL", q);
}

static void
parse_bridge(struct cfgctx *c, json_t *root)
{
	static const char *const known[] = {
		"name", "subnet", "host_address", NULL
	};
	struct piad_config	*cfg = c->cfg;
	json_t			*o, *v;
	char			 p[PATHLEN], q[300], net[32], fix[64];
	const char		*s, *slash;
	struct in_addr		 a;
	char			*end, abuf[32];
	unsigned long		 plen;
	uint32_t		 mask;
	int			 r;

	/* Defaults, before the object: design section 7. */
	cfg->bridge.prefixlen = 24;
	inet_pton(AF_INET, "10.100.0.0", &cfg->bridge.subnet);

	r = member(c, root, "bridge", "", JSON_OBJECT, "an object", false,
	    false, &o);
	if (r == -1) {
		cfg->bridge.name = cstrdup(c, "br-vpn");
		c->subnet_ok = c->host_ok = c->bridge_name_ok = false;
		goto netmask;
	}
	if (o != NULL)
		check_keys(c, o, "bridge", known);
	else
		o = json_object();	/* absent: all defaults */

	if (get_string(c, o, "name", "bridge", "br-vpn", false, false,
	    &cfg->bridge.name) != -1)
		c->bridge_name_ok = check_name(c, "bridge.name",
		    "interface name", cfg->bridge.name, config_ifname_problem);

	c->subnet_ok = true;
	r = member(c, o, "subnet", "bridge", JSON_STRING, "a string", false,
	    false, &v);
	if (r == -1)
		c->subnet_ok = false;
	else if (r == 1) {
		s = json_string_value(v);
		snprintf(p, sizeof(p), "bridge.subnet");
		config_esc(s, true, q, sizeof(q));
		slash = strchr(s, '/');
		if (slash == NULL || (size_t)(slash - s) >= sizeof(abuf)) {
			cerr(c, p, "%s is not an IPv4 network (expected "
			    "A.B.C.D/N)", q);
			c->subnet_ok = false;
			goto after_subnet;
		}
		memcpy(abuf, s, (size_t)(slash - s));
		abuf[slash - s] = '\0';
		errno = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (config_parse_addr(abuf, &a) == -1 || slash[1] == '\0' ||
		    !isdigit((unsigned char)slash[1]) || *end != '\0' ||
		    errno != 0 || plen > 32) {
			cerr(c, p, "%s is not an IPv4 network (expected "
			    "A.B.C.D/N)", q);
			c->subnet_ok = false;
			goto after_subnet;
		}
		if (plen < CONFIG_PREFIX_MIN || plen > CONFIG_PREFIX_MAX) {
			cerr(c, p, "prefix length /%lu is out of range "
			    "(/%d to /%d)", plen, CONFIG_PREFIX_MIN,
			    CONFIG_PREFIX_MAX);
			c->subnet_ok = false;
			goto after_subnet;
		}
		mask = htonl(~0U << (32 - plen));
		if ((a.s_addr & ~mask) != 0) {
			struct in_addr n;

			n.s_addr = a.s_addr & mask;
			inet_ntop(AF_INET, &n, net, sizeof(net));
			snprintf(fix, sizeof(fix), "%s/%lu", net, plen);
			cerr(c, p, "%s has host bits set (did you mean %s?)",
			    q, fix);
			c->subnet_ok = false;
			goto after_subnet;
		}
		cfg->bridge.subnet = a;
		cfg->bridge.prefixlen = (uint8_t)plen;
	}
after_subnet:
	if (c->subnet_ok) {
		/* Default addresses follow the subnet: .1 host, .2 VPN. */
		cfg->bridge.host_address.s_addr =
		    htonl(ntohl(cfg->bridge.subnet.s_addr) + 1);
		cfg->vpn.address.s_addr =
		    htonl(ntohl(cfg->bridge.subnet.s_addr) + 2);
	}
	c->host_default = json_object_get(o, "host_address") == NULL;
	c->host_ok = get_addr(c, o, "host_address", "bridge",
	    &cfg->bridge.host_address) != -1 &&
	    (c->subnet_ok || json_object_get(o, "host_address") != NULL);
	if (json_object_get(root, "bridge") == NULL)
		json_decref(o);
netmask:
	cfg->bridge.netmask.s_addr = htonl(cfg->bridge.prefixlen == 0 ? 0 :
	    ~0U << (32 - cfg->bridge.prefixlen));
}

static void
parse_vpn(struct cfgctx *c, json_t *root)
{
	static const char *const known[] = {
		"netns", "address", "interface", "listen_port", "mtu", NULL
	};
	struct piad_config	*cfg = c->cfg;
	json_t			*o;
	long long		 n;
	bool			 own = false;
	int			 r;

	cfg->vpn.listen_port = 51820;
	cfg->vpn.mtu = 1420;
	r = member(c, root, "vpn", "", JSON_OBJECT, "an object", false,
	    false, &o);
	if (r == -1) {
		cfg->vpn.netns = cstrdup(c, "pia-vpn");
		cfg->vpn.interface = cstrdup(c, "piaw");
		c->vpn_ok = c->vpn_if_ok = c->vpn_netns_ok = false;
		return;
	}
	if (o == NULL) {
		o = json_object();
		own = true;
	} else
		check_keys(c, o, "vpn", known);

	if (get_string(c, o, "netns", "vpn", "pia-vpn", false, false,
	    &cfg->vpn.netns) != -1)
		c->vpn_netns_ok = check_name(c, "vpn.netns", "netns name",
		    cfg->vpn.netns, config_name_problem);
	/* Default: subnet + 2, set by parse_bridge when the subnet parsed. */
	c->vpn_default = json_object_get(o, "address") == NULL;
	c->vpn_ok = get_addr(c, o, "address", "vpn", &cfg->vpn.address) != -1 &&
	    (c->subnet_ok || json_object_get(o, "address") != NULL);
	if (get_string(c, o, "interface", "vpn", "piaw", false, false,
	    &cfg->vpn.interface) != -1)
		c->vpn_if_ok = check_name(c, "vpn.interface", "interface name",
		    cfg->vpn.interface, config_ifname_problem);
	if (get_int(c, o, "listen_port", "vpn", 51820, 1, 65535, &n) == 1)
		cfg->vpn.listen_port = (uint16_t)n;
	if (get_int(c, o, "mtu", "vpn", 1420, CONFIG_MTU_MIN, CONFIG_MTU_MAX,
	    &n) == 1)
		cfg->vpn.mtu = (uint32_t)n;
	if (own)
		json_decref(o);
}

static void
parse_proxy(struct cfgctx *c, json_t *root)
{
	static const char *const known[] = { "port", "allow", NULL };
	struct piad_config	*cfg = c->cfg;
	json_t			*o, *arr, *v;
	long long		 n;
	size_t			 i;
	char			 p[PATHLEN];

	cfg->proxy.port = 8888;
	if (member(c, root, "proxy", "", JSON_OBJECT, "an object", false,
	    false, &o) != 1)
		return;
	check_keys(c, o, "proxy", known);
	if (get_int(c, o, "port", "proxy", 8888, 1, 65535, &n) == 1)
		cfg->proxy.port = (uint16_t)n;
	if (member(c, o, "allow", "proxy", JSON_ARRAY, "an array", false,
	    false, &arr) != 1 || json_array_size(arr) == 0)
		return;
	cfg->proxy.allow = calloc(json_array_size(arr),
	    sizeof(*cfg->proxy.allow));
	if (cfg->proxy.allow == NULL) {
		c->oom = 1;
		return;
	}
	json_array_foreach(arr, i, v) {
		snprintf(p, sizeof(p), "proxy.allow[%zu]", i);
		if (!json_is_string(v))
			type_error(c, p, "a string", v);
		else if (config_parse_addr(json_string_value(v),
		    &cfg->proxy.allow[cfg->proxy.nallow]) == -1)
			addr_error(c, p, json_string_value(v));
		else
			cfg->proxy.nallow++;
	}
}

static void
parse_wireguard(struct cfgctx *c, json_t *root)
{
	static const char *const known[] = {
		"backend", "userspace_program", NULL
	};
	static const char *const backends[] = {
		"auto", "kernel", "userspace", NULL
	};
	struct piad_config	*cfg = c->cfg;
	json_t			*o;
	int			 b;

	cfg->wireguard.backend = CONFIG_WG_AUTO;
	if (member(c, root, "wireguard", "", JSON_OBJECT, "an object", false,
	    false, &o) != 1) {
		cfg->wireguard.userspace_program = cstrdup(c, "wireguard-go");
		return;
	}
	check_keys(c, o, "wireguard", known);
	if (get_enum(c, o, "backend", "wireguard", backends,
	    "auto, kernel, userspace", &b) == 1)
		cfg->wireguard.backend = (enum config_wg_backend)b;
	if (get_string(c, o, "userspace_program", "wireguard",
	    "wireguard-go", false, false,
	    &cfg->wireguard.userspace_program) == 1 &&
	    cfg->wireguard.userspace_program != NULL &&
	    cfg->wireguard.userspace_program[0] == '\0')
		cerr(c, "wireguard.userspace_program", "must not be empty");
}

static void
parse_dns(struct cfgctx *c, json_t *root)
{
	static const char *const known[] = { "upstream", NULL };
	struct piad_config	*cfg = c->cfg;
	json_t			*o, *v;
	const char		*s;
	char			 q[300];

	cfg->dns.pia = true;
	if (member(c, root, "dns", "", JSON_OBJECT, "an object", false,
	    false, &o) != 1)
		return;
	check_keys(c, o, "dns", known);
	if (member(c, o, "upstream", "dns", JSON_STRING, "a string", false,
	    false, &v) != 1)
		return;
	s = json_string_value(v);
	if (strcmp(s, "pia") == 0)
		return;
	if (config_parse_addr(s, &cfg->dns.upstream) == 0) {
		cfg->dns.pia = false;
		return;
	}
	config_esc(s, true, q, sizeof(q));
	cerr(c, "dns.upstream", "%s is neither \"pia\" nor an IPv4 address",
	    q);
}

static void
parse_timers(struct cfgctx *c, json_t *root)
{
	static const char *const known[] = {
		"port_refresh", "renew", "probe_interval", NULL
	};
	struct piad_config	*cfg = c->cfg;
	json_t			*o;

	cfg->timers.port_refresh = 15 * 60;
	cfg->timers.renew = 30 * 86400;
	cfg->timers.probe_interval = 10;
	if (member(c, root, "timers", "", JSON_OBJECT, "an object", false,
	    false, &o) != 1)
		return;
	check_keys(c, o, "timers", known);
	get_duration(c, o, "port_refresh", "timers", PORT_REFRESH_MAX,
	    &cfg->timers.port_refresh);
	get_duration(c, o, "renew", "timers", RENEW_MAX, &cfg->timers.renew);
	get_duration(c, o, "probe_interval", "timers", PROBE_MAX,
	    &cfg->timers.probe_interval);
}

static void
parse_resolve(struct cfgctx *c, json_t *o)
{
	struct piad_config	*cfg = c->cfg;
	struct config_resolve	*r;
	const char		*host;
	json_t			*v;
	char			 p[PATHLEN], q[300];

	if (json_object_size(o) == 0)
		return;
	if ((cfg->pia.resolve = calloc(json_object_size(o),
	    sizeof(*cfg->pia.resolve))) == NULL) {
		c->oom = 1;
		return;
	}
	json_object_foreach(o, host, v) {
		join(p, "pia.resolve", host);
		if (!hostname_ok(host)) {
			config_esc(host, true, q, sizeof(q));
			cerr(c, "pia.resolve", "%s is not a valid host name",
			    q);
			continue;
		}
		if (!json_is_string(v)) {
			type_error(c, p, "a string", v);
			continue;
		}
		r = &cfg->pia.resolve[cfg->pia.nresolve];
		if (config_parse_addr(json_string_value(v), &r->addr) == -1) {
			addr_error(c, p, json_string_value(v));
			continue;
		}
		if ((r->host = cstrdup(c, host)) == NULL)
			continue;
		cfg->pia.nresolve++;
	}
}

static void
parse_pia(struct cfgctx *c, json_t *root)
{
	static const char *const known[] = {
		"token_url", "serverlist_url", "ca_file",
		"serverlist_pubkey_file", "api_ca_file", "resolve", NULL
	};
	struct piad_config	*cfg = c->cfg;
	json_t			*o, *res;
	bool			 own = false;

	if (member(c, root, "pia", "", JSON_OBJECT, "an object", false,
	    false, &o) == -1)
		o = NULL;
	else if (o == NULL) {
		o = json_object();
		own = true;
	} else
		check_keys(c, o, "pia", known);
	if (o == NULL) {
		/* Type error reported; keep defaults so printing works. */
		o = json_object();
		own = true;
	}
	if (get_string(c, o, "token_url", "pia", CONFIG_DEFAULT_TOKEN_URL,
	    false, false, &cfg->pia.token_url) == 1)
		check_url(c, "pia.token_url", cfg->pia.token_url);
	if (get_string(c, o, "serverlist_url", "pia",
	    CONFIG_DEFAULT_SERVERLIST_URL, false, false,
	    &cfg->pia.serverlist_url) == 1)
		check_url(c, "pia.serverlist_url", cfg->pia.serverlist_url);
	if (get_string(c, o, "ca_file", "pia", CONFIG_DEFAULT_CA_FILE, false,
	    false, &cfg->pia.ca_file) == 1)
		check_abs_path(c, "pia.ca_file", cfg->pia.ca_file);
	if (get_string(c, o, "serverlist_pubkey_file", "pia",
	    CONFIG_DEFAULT_PUBKEY_FILE, false, false,
	    &cfg->pia.serverlist_pubkey_file) == 1)
		check_abs_path(c, "pia.serverlist_pubkey_file",
		    cfg->pia.serverlist_pubkey_file);
	if (get_string(c, o, "api_ca_file", "pia", NULL, true, false,
	    &cfg->pia.api_ca_file) == 1)
		check_abs_path(c, "pia.api_ca_file", cfg->pia.api_ca_file);
	if (member(c, o, "resolve", "pia", JSON_OBJECT, "an object", false,
	    false, &res) == 1)
		parse_resolve(c, res);
	if (own)
		json_decref(o);
}

static void
parse_log(struct cfgctx *c, json_t *root)
{
	static const char *const known[] = { "level", NULL };
	static const char *const names[] = {
		"error", "warning", "info", "debug", NULL
	};
	static const enum log_level levels[] = {
		LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG
	};
	json_t	*o;
	int	 i;

	c->cfg->log_level = LOG_LVL_INFO;
	if (member(c, root, "log", "", JSON_OBJECT, "an object", false,
	    false, &o) != 1)
		return;
	check_keys(c, o, "log", known);
	if (get_enum(c, o, "level", "log", names,
	    "error, warning, info, debug", &i) == 1)
		c->cfg->log_level = levels[i];
}

static void
parse_forward(struct cfgctx *c, json_t *o, const char *path,
    struct config_forward *f)
{
	static const char *const known[] = { "port", "protocol", NULL };
	static const char *const protos[] = { "tcp", "udp", "both", NULL };
	static const enum config_proto pv[] = {
		CONFIG_PROTO_TCP, CONFIG_PROTO_UDP, CONFIG_PROTO_BOTH
	};
	json_t		*v;
	long long	 n;
	int		 i;

	f->present = true;
	f->protocol = CONFIG_PROTO_BOTH;
	check_keys(c, o, path, known);
	/* null port: same as PIA's, like an absent one. */
	if ((v = json_object_get(o, "port")) != NULL && !json_is_null(v) &&
	    get_int(c, o, "port", path, 0, 1, 65535, &n) == 1)
		f->port = (uint16_t)n;
	if (get_enum(c, o, "protocol", path, protos, "tcp, udp, both",
	    &i) == 1)
		f->protocol = pv[i];
}

static void
parse_container(struct cfgctx *c, const char *name, json_t *o, size_t idx)
{
	static const char *const known[] = {
		"address", "managed", "receive_forwarded_port",
		"on_port_forwarded", NULL
	};
	struct config_container	*ct = &c->cfg->containers[idx];
	json_t			*f;
	char			 path[PATHLEN], p[PATHLEN];
	int			 r;

	join(path, "containers", name);
	ct->name = cstrdup(c, name);
	ct->managed = true;
	check_keys(c, o, path, known);
	r = member(c, o, "address", path, JSON_STRING, "a string", false,
	    true, &f);
	if (r == 1) {
		if (config_parse_addr(json_string_value(f), &ct->address) == 0)
			c->ct_addr_ok[idx] = true;
		else {
			join(p, path, "address");
			addr_error(c, p, json_string_value(f));
		}
	}
	get_bool(c, o, "managed", path, true, &ct->managed);
	join(p, path, "receive_forwarded_port");
	if (member(c, o, "receive_forwarded_port", path, JSON_OBJECT,
	    "an object", true, false, &f) == 1)
		parse_forward(c, f, p, &ct->receive_forwarded_port);
	if (get_string(c, o, "on_port_forwarded", path, NULL, true, false,
	    &ct->on_port_forwarded) == 1 && ct->on_port_forwarded != NULL) {
		join(p, path, "on_port_forwarded");
		if (ct->on_port_forwarded[0] == '\0')
			cerr(c, p, "must not be empty (use null for no hook)");
		else if (!ct->receive_forwarded_port.present)
			cerr(c, p, "set, but the container has no "
			    "receive_forwarded_port");
	}
}

static void
parse_containers(struct cfgctx *c, json_t *root)
{
	struct piad_config	*cfg = c->cfg;
	json_t			*o, *v;
	const char		*name, *why;
	char			 p[PATHLEN];
	size_t			 n;

	if (member(c, root, "containers", "", JSON_OBJECT, "an object", false,
	    true, &o) != 1)
		return;
	if ((n = json_object_size(o)) == 0)
		return;
	cfg->containers = calloc(n, sizeof(*cfg->containers));
	c->ct_addr_ok = calloc(n, sizeof(*c->ct_addr_ok));
	if (cfg->containers == NULL || c->ct_addr_ok == NULL) {
		c->oom = 1;
		return;
	}
	json_object_foreach(o, name, v) {
		join(p, "containers", name);
		if ((why = config_name_problem(name)) != NULL) {
			cerr(c, p, "not a valid container name: %s", why);
			continue;
		}
		if (!json_is_object(v)) {
			type_error(c, p, "an object", v);
			continue;
		}
		parse_container(c, name, v, cfg->ncontainers++);
	}
}

/* Addresses: inside the subnet, not its network/broadcast, each once. */
static void
check_addresses(struct cfgctx *c)
{
	struct piad_config	*cfg = c->cfg;
	struct {
		char		 path[PATHLEN];
		struct in_addr	 a;
		const char	*note;	/* where a default came from */
	}			*list;
	size_t			 n = 0, i, j;
	uint32_t		 net, mask, h;
	char			 a[32], s[32];

	if ((list = calloc(cfg->ncontainers + 2, sizeof(*list))) == NULL) {
		c->oom = 1;
		return;
	}
	if (c->host_ok) {
		snprintf(list[n].path, PATHLEN, "bridge.host_address");
		list[n].note = c->host_default ? " (bridge.host_address "
		    "defaults to the subnet's first address)" : "";
		list[n++].a = cfg->bridge.host_address;
	}
	if (c->vpn_ok) {
		snprintf(list[n].path, PATHLEN, "vpn.address");
		list[n].note = c->vpn_default ? " (vpn.address defaults to "
		    "the subnet's second address)" : "";
		list[n++].a = cfg->vpn.address;
	}
	for (i = 0; i < cfg->ncontainers; i++)
		if (c->ct_addr_ok[i]) {
			join(list[n].path, "containers",
			    cfg->containers[i].name);
			strncat(list[n].path, ".address",
			    PATHLEN - strlen(list[n].path) - 1);
			list[n].note = "";
			list[n++].a = cfg->containers[i].address;
		}
	inet_ntop(AF_INET, &cfg->bridge.subnet, s, sizeof(s));
	net = ntohl(cfg->bridge.subnet.s_addr);
	mask = cfg->bridge.prefixlen == 0 ? 0 :
	    ~0U << (32 - cfg->bridge.prefixlen);
	for (i = 0; i < n; i++) {
		inet_ntop(AF_INET, &list[i].a, a, sizeof(a));
		h = ntohl(list[i].a.s_addr);
		if (c->subnet_ok) {
			if ((h & mask) != net) {
				cerr(c, list[i].path, "%s is outside "
				    "bridge.subnet %s/%u", a, s,
				    cfg->bridge.prefixlen);
				continue;
			}
			if (h == net) {
				cerr(c, list[i].path, "%s is the network "
				    "address of bridge.subnet %s/%u", a, s,
				    cfg->bridge.prefixlen);
				continue;
			}
			if (h == (net | ~mask)) {
				cerr(c, list[i].path, "%s is the broadcast "
				    "address of bridge.subnet %s/%u", a, s,
				    cfg->bridge.prefixlen);
				continue;
			}
		}
		for (j = 0; j < i; j++)
			if (list[j].a.s_addr == list[i].a.s_addr) {
				cerr(c, list[i].path, "%s is already used by "
				    "%s%s", a, list[j].path, *list[i].note ?
				    list[i].note : list[j].note);
				break;
			}
	}
	free(list);
}

static void
check_cross(struct cfgctx *c)
{
	struct piad_config	*cfg = c->cfg;
	const char		*first = NULL;
	char			 p[PATHLEN], q[300];
	size_t			 i;

	check_addresses(c);
	if (c->bridge_name_ok && c->vpn_if_ok &&
	    strcmp(cfg->bridge.name, cfg->vpn.interface) == 0) {
		config_esc(cfg->vpn.interface, true, q, sizeof(q));
		cerr(c, "vpn.interface", "%s is already used by bridge.name",
		    q);
	}
	for (i = 0; i < cfg->ncontainers; i++) {
		struct config_container *ct = &cfg->containers[i];

		join(p, "containers", ct->name);
		if (c->vpn_netns_ok && strcmp(ct->name, cfg->vpn.netns) == 0)
			cerr(c, p, "name is already used by vpn.netns");
		if (!ct->receive_forwarded_port.present)
			continue;
		if (first == NULL) {
			first = ct->name;
			continue;
		}
		strncat(p, ".receive_forwarded_port", PATHLEN - strlen(p) - 1);
		config_esc(first, false, q, sizeof(q));
		cerr(c, p, "only one container may receive the forwarded "
		    "port (containers.%s has it already)", q);
	}
}

static void
parse_top(struct cfgctx *c, json_t *root)
{
	static const char *const known[] = {
		"credentials_file", "region", "state_dir", "control_socket",
		"control_group", "bridge", "vpn", "proxy", "wireguard", "dns",
		"containers", "timers", "pia", "log", NULL
	};
	struct piad_config	*cfg = c->cfg;
	char			 q[300];
	const char		*s;
	size_t			 i;

	check_keys(c, root, "", known);

	if (get_string(c, root, "credentials_file", "", NULL, false, true,
	    &cfg->credentials_file) == 1 && cfg->credentials_file[0] == '\0')
		cerr(c, "credentials_file", "must not be empty");

	if (get_string(c, root, "region", "", NULL, false, true,
	    &cfg->region) == 1)
		check_name(c, "region", "region id", cfg->region,
		    config_name_problem);

	if (get_string(c, root, "state_dir", "", CONFIG_DEFAULT_STATE_DIR,
	    false, false, &cfg->state_dir) == 1)
		check_abs_path(c, "state_dir", cfg->state_dir);

	if (get_string(c, root, "control_socket", "",
	    CONFIG_DEFAULT_CONTROL_SOCKET, false, false,
	    &cfg->control_socket) == 1 && cfg->control_socket != NULL) {
		check_abs_path(c, "control_socket", cfg->control_socket);
		if (strlen(cfg->control_socket) >=
		    sizeof(((struct sockaddr_un *)0)->sun_path))
			cerr(c, "control_socket", "path is %zu bytes, longer "
			    "than a unix socket allows (%zu)",
			    strlen(cfg->control_socket),
			    sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
	}

	if (get_string(c, root, "control_group", "", NULL, true, false,
	    &cfg->control_group) == 1 && (s = cfg->control_group) != NULL) {
		bool bad = *s == '\0' || strlen(s) > 32;

		for (i = 0; s[i] != '\0'; i++)
			if (s[i] == ':' || s[i] == '/' ||
			    isspace((unsigned char)s[i]) ||
			    (unsigned char)s[i] < 0x20)
				bad = true;
		if (bad) {
			config_esc(s, true, q, sizeof(q));
			cerr(c, "control_group", "%s is not a valid group "
			    "name", q);
		}
	}

	parse_bridge(c, root);
	parse_vpn(c, root);
	parse_proxy(c, root);
	parse_wireguard(c, root);
	parse_dns(c, root);
	parse_containers(c, root);
	parse_timers(c, root);
	parse_pia(c, root);
	parse_log(c, root);
	check_cross(c);
}

struct piad_config *
config_parse_text(const char *text, size_t len, const char *origin,
    char *err, size_t errlen)
{
	struct cfgctx		 c;
	struct piad_config	*cfg;
	json_t			*root;
	json_error_t		 je;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&c, 0, sizeof(c));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "%s: line %d column %d: %s",
			    origin, je.line, je.column, je.text);
		return NULL;
	}
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL) {
		json_decref(root);
		snprintf(err, errlen, "%s: out of memory", origin);
		return NULL;
	}
	c.cfg = cfg;
	cfg->origin = cstrdup(&c, origin);
	if (!json_is_object(root)) {
		snprintf(err, errlen, "%s: expected a JSON object at the top "
		    "level, got %s", origin, jtype(root));
		json_decref(root);
		config_free(cfg);
		return NULL;
	}
	parse_top(&c, root);
	json_decref(root);
	free(c.ct_addr_ok);
	if (c.nerr > 0 || c.oom) {
		cerr_finish(&c, origin, err, errlen);
		free(c.buf);
		config_free(cfg);
		return NULL;
	}
	free(c.buf);
	return cfg;
}

struct piad_config *
config_load(const char *path, char *err, size_t errlen)
{
	struct piad_config	*cfg;
	FILE			*f;
	char			*text;
	size_t			 n;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((text = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		fclose(f);
		return NULL;
	}
	n = fread(text, 1, CONFIG_FILE_MAX + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (n > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than 1 MiB", path);
		goto fail;
	}
	fclose(f);
	cfg = config_parse_text(text, n, path, err, errlen);
	free(text);
	return cfg;
fail:
	free(text);
	fclose(f);
	return NULL;
}

void
config_free(struct piad_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->origin);
	free(cfg->credentials_file);
	free(cfg->region);
	free(cfg->state_dir);
	free(cfg->control_socket);
	free(cfg->control_group);
	free(cfg->bridge.name);
	free(cfg->vpn.netns);
	free(cfg->vpn.interface);
	free(cfg->proxy.allow);
	free(cfg->wireguard.userspace_program);
	for (i = 0; i < cfg->ncontainers; i++) {
		free(cfg->containers[i].name);
		free(cfg->containers[i].on_port_forwarded);
	}
	free(cfg->containers);
	free(cfg->pia.token_url);
	free(cfg->pia.serverlist_url);
	free(cfg->pia.ca_file);
	free(cfg->pia.serverlist_pubkey_file);
	free(cfg->pia.api_ca_file);
	for (i = 0; i < cfg->pia.nresolve; i++)
		free(cfg->pia.resolve[i].host);
	free(cfg->pia.resolve);
	free(cfg);
}

const struct config_container *
config_container(const struct piad_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->ncontainers; i++)
		if (strcmp(cfg->containers[i].name, name) == 0)
			return &cfg->containers[i];
	return NULL;
}

const struct config_container *
config_forward_container(const struct piad_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->ncontainers; i++)
		if (cfg->containers[i].receive_forwarded_port.present)
			return &cfg->containers[i];
	return NULL;
}
