/* SPDX-License-Identifier: ISC */
/*
 * The two `inet piad` tables of design section 9, rendered as nft text
 * from plain parameters and committed with libnftables in one buffer (one
 * netlink batch: the kernel applies all of it or nothing). Interface names
 * and addresses are checked before they reach the text, so parameters can
 * never inject rules. Counters are read back as JSON.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <nftables/libnftables.h>

#include "core/log.h"
#include "net/netns.h"
#include "net/nft.h"

struct fw {
	struct nft_ctx	*ctx;
};

bool
fw_ifname_ok(const char *name)
{
	size_t i, len;

	if (name == NULL || (len = strnlen(name, IF_NAMESIZE)) == 0 ||
	    len >= IF_NAMESIZE)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-'))
			return false;
	}
	return true;
}

static int
fw_new_ctx(void *arg)
{
	struct fw *fw = arg;

	if ((fw->ctx = nft_ctx_new(NFT_CTX_DEFAULT)) == NULL)
		return -ENOMEM;
	/* Errors and listings go to buffers: we log them ourselves. */
	if (nft_ctx_buffer_output(fw->ctx) != 0 ||
	    nft_ctx_buffer_error(fw->ctx) != 0) {
		nft_ctx_free(fw->ctx);
		fw->ctx = NULL;
		return -ENOMEM;
	}
	return 0;
}

struct fw *
fw_open(int nsfd)
{
	struct fw	*fw;
	int		 rc;

	if ((fw = calloc(1, sizeof(*fw))) == NULL)
		return NULL;
	if ((rc = netns_run(nsfd, fw_new_ctx, fw)) < 0) {
		free(fw);
		errno = -rc;
		return NULL;
	}
	return fw;
}

void
fw_close(struct fw *fw)
{
	if (fw == NULL)
		return;
	nft_ctx_free(fw->ctx);
	free(fw);
}

/* Run cmd; on failure log what nft said (first line) and return -EIO. */
static int
fw_run(struct fw *fw, const char *what, const char *cmd)
{
	const char	*err;
	int		 len;

	if (nft_run_cmd_from_buffer(fw->ctx, cmd) == 0) {
		nft_ctx_get_error_buffer(fw->ctx);	/* reset */
		return 0;
	}
	err = nft_ctx_get_error_buffer(fw->ctx);
	if (err == NULL)
		err = "";
	len = (int)strcspn(err, "\n");
	log_warnx("nftables: %s failed: %.*s", what, len > 300 ? 300 : len,
	    err);
	return -EIO;
}

static void
fw_put_prefix(FILE *f, const struct fw_prefix *p)
{
	char		a[INET_ADDRSTRLEN];
	struct in_addr	m;

	/* nft refuses host bits under the mask; drop them. */
	m.s_addr = p->len == 0 ? 0 :
	    p->addr.s_addr & htonl(~0u << (32 - p->len));
	inet_ntop(AF_INET, &m, a, sizeof(a));
	fprintf(f, "%s/%u", a, p->len);
}

static void
fw_put_counter(FILE *f, const char *name, const struct fw_counters *keep)
{
	const struct fw_counter *c = NULL;

	if (keep != NULL)
		c = fw_counter_get(keep, name);
	fprintf(f, "\tcounter %s { packets %llu bytes %llu }\n", name,
	    c ? (unsigned long long)c->packets : 0ULL,
	    c ? (unsigned long long)c->bytes : 0ULL);
}

/* The prologue that makes the replace atomic and idempotent. */
static void
fw_put_head(FILE *f)
{
	fprintf(f, "table inet " FW_TABLE " {}\n"
	    "delete table inet " FW_TABLE "\n"
	    "table inet " FW_TABLE " {\n");
}

static int
fw_finish(FILE *f, char **buf, char **out)
{
	if (fclose(f) != 0) {
		free(*buf);
		*buf = NULL;
		return -ENOMEM;
	}
	*out = *buf;
	return 0;
}

int
fw_render_host(const struct fw_host_params *p,
    const struct fw_counters *keep, char **out)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len, i;

	*out = NULL;
	if (!fw_ifname_ok(p->bridge_ifname)) {
		log_warnx("nftables: host table: bad bridge interface name");
		return -EINVAL;
	}
	if (p->proxy_port == 0) {
		log_warnx("nftables: host table: proxy port 0");
		return -EINVAL;
	}
	for (i = 0; i < p->nallow; i++)
		if (p->allow[i].len > 32) {
			log_warnx("nftables: host table: allowed source %zu: "
			    "prefix length %u", i, p->allow[i].len);
			return -EINVAL;
		}
	if ((f = open_memstream(&buf, &len)) == NULL)
		return -ENOMEM;
	fw_put_head(f);
	fw_put_counter(f, FW_CTR_FWD_DROP, keep);
	fw_put_counter(f, FW_CTR_IN_DROP, keep);
	/* Nothing from the bridge is routed anywhere by the host. */
	fprintf(f, "\tchain forward {\n"
	    "\t\ttype filter hook forward priority filter; policy accept;\n"
	    "\t\tiifname \"%s\" oifname != \"%s\" counter name \"%s\" drop\n"
	    "\t}\n", p->bridge_ifname, p->bridge_ifname, FW_CTR_FWD_DROP);
	fprintf(f, "\tchain input {\n"
	    "\t\ttype filter hook input priority filter; policy accept;\n"
	    "\t\tiifname != \"%s\" accept\n"
	    "\t\tct state established,related accept\n", p->bridge_ifname);
	if (p->nallow > 0) {
		fprintf(f, "\t\tip saddr { ");
		for (i = 0; i < p->nallow; i++) {
			if (i > 0)
				fprintf(f, ", ");
			fw_put_prefix(f, &p->allow[i]);
		}
		fprintf(f, " } tcp dport %u accept\n", p->proxy_port);
	}
	fprintf(f, "\t\tmeta l4proto { icmp, ipv6-icmp } accept\n"
	    "\t\tcounter name \"%s\" drop\n"
	    "\t}\n"
	    "}\n", FW_CTR_IN_DROP);
	return fw_finish(f, &buf, out);
}

int
fw_render_vpn(const struct fw_vpn_params *p, const struct fw_counters *keep,
    char **out)
{
	const struct fw_dnat	*d = &p->dnat;
	FILE			*f;
	char			*buf = NULL, tgt[INET_ADDRSTRLEN];
	size_t			 len;
	unsigned int		 tport;

	*out = NULL;
	if (!fw_ifname_ok(p->lan_ifname)) {
		log_warnx("nftables: VPN table: bad bridge-side interface "
		    "name");
		return -EINVAL;
	}
	if (!fw_ifname_ok(p->wg_ifname)) {
		log_warnx("nftables: VPN table: bad WireGuard interface name");
		return -EINVAL;
	}
	if (p->bridge_subnet.len > 32) {
		log_warnx("nftables: VPN table: bridge subnet prefix length "
		    "%u", p->bridge_subnet.len);
		return -EINVAL;
	}
	if (d->enabled) {
		/* Design section 3: a low port is never a DNAT rule. */
		if (d->pia_port < 1024) {
			log_warnx("nftables: VPN table: forwarded port %u is "
			    "below 1024", d->pia_port);
			return -EINVAL;
		}
		if ((d->proto & FW_PROTO_BOTH) == 0 ||
		    (d->proto & ~FW_PROTO_BOTH) != 0) {
			log_warnx("nftables: VPN table: bad DNAT protocol %d",
			    (int)d->proto);
			return -EINVAL;
		}
		if (d->target.s_addr == INADDR_ANY) {
			log_warnx("nftables: VPN table: DNAT without target");
			return -EINVAL;
		}
	}
	if ((f = open_memstream(&buf, &len)) == NULL)
		return -ENOMEM;
	fw_put_head(f);
	fw_put_counter(f, FW_CTR_FWD_DROP, keep);
	fw_put_counter(f, FW_CTR_OUT_DROP, keep);
	fw_put_counter(f, FW_CTR_IP6_DROP, keep);
	fprintf(f, "\tchain prerouting {\n"
	    "\t\ttype nat hook prerouting priority dstnat; policy accept;\n");
	if (d->enabled) {
		inet_ntop(AF_INET, &d->target, tgt, sizeof(tgt));
		tport = d->target_port ? d->target_port : d->pia_port;
		if (d->proto & FW_PROTO_TCP)
			fprintf(f, "\t\tiifname \"%s\" tcp dport %u "
			    "dnat ip to %s:%u\n", p->wg_ifname, d->pia_port,
			    tgt, tport);
		if (d->proto & FW_PROTO_UDP)
			fprintf(f, "\t\tiifname \"%s\" udp dport %u "
			    "dnat ip to %s:%u\n", p->wg_ifname, d->pia_port,
			    tgt, tport);
	}
	fprintf(f, "\t}\n");
	fprintf(f, "\tchain input {\n"
	    "\t\ttype filter hook input priority filter; policy accept;\n"
	    "\t\tmeta nfproto ipv6 counter name \"%s\" drop\n"
	    "\t}\n", FW_CTR_IP6_DROP);
	fprintf(f, "\tchain forward {\n"
	    "\t\ttype filter hook forward priority filter; policy drop;\n"
	    "\t\tmeta nfproto ipv6 counter name \"%s\" drop\n",
	    FW_CTR_IP6_DROP);
	if (p->mss_clamp)
		fprintf(f, "\t\ttcp flags & (syn | rst) == syn "
		    "tcp option maxseg size set rt mtu\n");
	fprintf(f, "\t\tiifname \"%s\" oifname \"%s\" accept\n"
	    "\t\tiifname \"%s\" oifname \"%s\" ct state established,related "
	    "accept\n"
	    "\t\tiifname \"%s\" oifname \"%s\" ct status dnat accept\n"
	    "\t\tcounter name \"%s\" drop\n"
	    "\t}\n",
	    p->lan_ifname, p->wg_ifname,
	    p->wg_ifname, p->lan_ifname,
	    p->wg_ifname, p->lan_ifname,
	    FW_CTR_FWD_DROP);
	fprintf(f, "\tchain postrouting {\n"
	    "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	    "\t\toifname \"%s\" masquerade\n"
	    "\t}\n", p->wg_ifname);
	fprintf(f, "\tchain output {\n"
	    "\t\ttype filter hook output priority filter; policy drop;\n"
	    "\t\tmeta nfproto ipv6 counter name \"%s\" drop\n"
	    "\t\toifname \"lo\" accept\n"
	    "\t\toifname \"%s\" accept\n"
	    "\t\toifname \"%s\" ip daddr ",
	    FW_CTR_IP6_DROP, p->wg_ifname, p->lan_ifname);
	fw_put_prefix(f, &p->bridge_subnet);
	fprintf(f, " accept\n"
	    "\t\tcounter name \"%s\" drop\n"
	    "\t}\n"
	    "}\n", FW_CTR_OUT_DROP);
	return fw_finish(f, &buf, out);
}

/* Keep counters across the replace; a failed read only loses history. */
static void
fw_keep(struct fw *fw, struct fw_counters *keep)
{
	if (fw_read_counters(fw, keep) < 0)
		keep->n = 0;
}

int
fw_apply_host(struct fw *fw, const struct fw_host_params *p)
{
	struct fw_counters	 keep;
	char			*text;
	int			 rc;

	fw_keep(fw, &keep);
	if ((rc = fw_render_host(p, &keep, &text)) < 0)
		return rc;
	rc = fw_run(fw, "host table", text);
	free(text);
	return rc;
}

int
fw_apply_vpn(struct fw *fw, const struct fw_vpn_params *p)
{
	struct fw_counters	 keep;
	char			*text;
	int			 rc;

	fw_keep(fw, &keep);
	if ((rc = fw_render_vpn(p, &keep, &text)) < 0)
		return rc;
	rc = fw_run(fw, "VPN table", text);
	free(text);
	return rc;
}

int
fw_remove(struct fw *fw)
{
	/* "table {}" first so deleting an absent table is not an error. */
	return fw_run(fw, "remove table", "table inet " FW_TABLE " {}\n"
	    "delete table inet " FW_TABLE "\n");
}

/*
 * List the ruleset's tables and counters as JSON (one listing for both:
 * "list counters" alone fails in some versions when there are none).
 * Calls fn for each element of the "nftables" array.
 */
static int
fw_list_json(struct fw *fw, const char *cmd,
    int (*fn)(json_t *, void *), void *arg)
{
	json_error_t	 jerr;
	json_t		*root, *arr, *el;
	const char	*outbuf;
	unsigned int	 flags;
	size_t		 i;
	int		 rc = 0;

	flags = nft_ctx_output_get_flags(fw->ctx);
	nft_ctx_output_set_flags(fw->ctx, flags | NFT_CTX_OUTPUT_JSON);
	rc = fw_run(fw, cmd, cmd);
	nft_ctx_output_set_flags(fw->ctx, flags);
	outbuf = nft_ctx_get_output_buffer(fw->ctx);
	if (rc < 0)
		return rc;
	if (outbuf == NULL || *outbuf == '\0')
		return 0;
	if ((root = json_loads(outbuf, 0, &jerr)) == NULL) {
		log_warnx("nftables: unreadable JSON listing: %s", jerr.text);
		return -EBADMSG;
	}
	arr = json_object_get(root, "nftables");
	if (!json_is_array(arr)) {
		rc = -EBADMSG;
		goto free_root;
	}
	json_array_foreach(arr, i, el) {
		if ((rc = fn(el, arg)) != 0)
			break;
	}
 free_root:
	json_decref(root);
	return rc;
}

/* Is this {"KIND": {"family": "inet", "table"/"name": "piad", ...}}? */
static json_t *
fw_ours(json_t *el, const char *kind, const char *tablekey)
{
	json_t		*o = json_object_get(el, kind);
	const char	*fam, *tab;

	if (!json_is_object(o))
		return NULL;
	fam = json_string_value(json_object_get(o, "family"));
	tab = json_string_value(json_object_get(o, tablekey));
	if (fam == NULL || tab == NULL || strcmp(fam, "inet") != 0 ||
	    strcmp(tab, FW_TABLE) != 0)
		return NULL;
	return o;
}

static int
fw_counter_cb(json_t *el, void *arg)
{
	struct fw_counters	*cs = arg;
	struct fw_counter	*c;
	json_t			*o, *pk, *by;
	const char		*name;

	if ((o = fw_ours(el, "counter", "table")) == NULL)
		return 0;
	name = json_string_value(json_object_get(o, "name"));
	pk = json_object_get(o, "packets");
	by = json_object_get(o, "bytes");
	if (name == NULL || !json_is_integer(pk) || !json_is_integer(by) ||
	    json_integer_value(pk) < 0 || json_integer_value(by) < 0)
		return -EBADMSG;
	if (cs->n == FW_MAX_COUNTERS)
		return 0;
	c = &cs->c[cs->n++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->packets = (uint64_t)json_integer_value(pk);
	c->bytes = (uint64_t)json_integer_value(by);
	return 0;
}

int
fw_read_counters(struct fw *fw, struct fw_counters *cs)
{
	memset(cs, 0, sizeof(*cs));
	if (fw_present(fw) <= 0)
		return 0;
	return fw_list_json(fw, "list counters table inet " FW_TABLE,
	    fw_counter_cb, cs);
}

static int
fw_table_cb(json_t *el, void *arg)
{
	int *found = arg;

	if (fw_ours(el, "table", "name") != NULL)
		*found = 1;
	return 0;
}

int
fw_present(struct fw *fw)
{
	int found = 0, rc;

	if ((rc = fw_list_json(fw, "list tables", fw_table_cb, &found)) < 0)
		return rc;
	return found;
}

const struct fw_counter *
fw_counter_get(const struct fw_counters *cs, const char *name)
{
	size_t i;

	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->c[i].name, name) == 0)
			return &cs->c[i];
	return NULL;
}
