// SPDX-License-Identifier: GPL-2.0
/* Completion and context help from the command tables (see complete.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "shell/batch.h"
#include "cmd/registry.h"
#include "map/bundle.h"
#include "shell/complete.h"
#include "base/err.h"
#include "verbs/map_verbs.h"
#include "map/mapinfo.h"
#include "map/mapref.h"
#include "tval/netfmt.h"
#include "query/query.h"
#include "tval/tval.h"

/* ------------------------------------------------------------ candidates */

void cands_free(struct cands *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->v[i].word);
		free(c->v[i].desc);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static void cands_push(struct cands *c, const char *word, const char *desc)
{
	if (c->n == c->cap) {
		void *p;

		c->cap = c->cap ? c->cap * 2 : 32;
		p = realloc(c->v, (size_t)c->cap * sizeof(*c->v));
		if (!p)
			abort();
		c->v = p;
	}
	c->v[c->n].word = strdup(word);
	c->v[c->n].desc = desc && *desc ? strdup(desc) : NULL;
	if (!c->v[c->n].word)
		abort();
	c->n++;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return strverscmp(x->word, y->word);
}

static void cands_sort_unique(struct cands *c)
{
	int o = 0;

	if (c->n > 1)
		qsort(c->v, (size_t)c->n, sizeof(*c->v), cand_cmp);
	for (int i = 0; i < c->n; i++) {
		if (o && !strcmp(c->v[o - 1].word, c->v[i].word)) {
			free(c->v[i].word);
			free(c->v[i].desc);
			continue;
		}
		c->v[o++] = c->v[i];
	}
	c->n = o;
}

char *cands_common_prefix(const struct cands *c)
{
	size_t len;
	char *p;

	if (!c->n)
		return strdup("");
	len = strlen(c->v[0].word);
	for (int i = 1; i < c->n; i++) {
		size_t k = 0;

		while (k < len && c->v[i].word[k] == c->v[0].word[k])
			k++;
		len = k;
	}
	p = strndup(c->v[0].word, len);
	if (!p)
		abort();
	return p;
}

bool cand_unfinished(const char *word)
{
	size_t n = strlen(word);

	return n && strchr("=/,", word[n - 1]);
}

/* ---------------------------------------------------------- the analysis */

/* A map as completion sees it: opened live when possible (root, pinned),
 * else what the bundled definition says. */
struct cmap {
	bool known;
	__u32 type;
	const struct btf *btf;
	const struct tv_plan *kplan, *vplan;
	struct tv_plan *own_k, *own_v;
	struct mapref *ref;
	char label[128];	/* "flows", "id 12" */
};

enum an_kind {
	K_NONE,
	K_TOP,		/* the first word: a command or a map */
	K_OPTS,		/* an option name */
	K_OPTARG,	/* the argument of opt */
	K_CMDARG,	/* a positional word of a command or dot command */
	K_SELARG,	/* the argument of id / name / pinned */
	K_VERB,		/* a verb of map */
	K_VERBARG,	/* an argument of a verb */
};

struct an {
	struct ctx *ctx;
	unsigned flags;
	char **w;		/* the complete words */
	int n;
	const char *cur;	/* the partial word */
	struct cands *out;	/* completion (NULL for help) */
	const char *prefix;	/* text every candidate starts with, e.g.
				 * "--format=", "src_ip=" */
	/* result of analyze() */
	enum an_kind kind;
	const struct cmd *cmd;		/* command, dot command or verb */
	const struct opt_spec *opt;	/* K_OPTARG */
	const char *sel;		/* K_SELARG */
	char **pos;			/* positional words typed after cmd */
	int npos;
	struct cmap map;
};

static bool prefix_match(const char *word, const char *cur)
{
	return !strncasecmp(word, cur, strlen(cur));
}

/* Offer a candidate: a->prefix + word, when it matches the partial word
 * (or alt, an alternative spelling such as an enum name without its
 * common prefix, does). */
static void offer_alt(struct an *a, const char *word, const char *alt,
		      const char *desc)
{
	struct strbuf sb = STRBUF_INIT;

	if (!a->out)
		return;
	sb_adds(&sb, a->prefix ? a->prefix : "");
	sb_adds(&sb, word);
	if (prefix_match(sb_str(&sb), a->cur)) {
		cands_push(a->out, sb_str(&sb), desc);
	} else if (alt) {
		sb_reset(&sb);
		sb_adds(&sb, a->prefix ? a->prefix : "");
		sb_adds(&sb, alt);
		if (prefix_match(sb_str(&sb), a->cur)) {
			sb_reset(&sb);
			sb_adds(&sb, a->prefix ? a->prefix : "");
			sb_adds(&sb, word);
			cands_push(a->out, sb_str(&sb), desc);
		}
	}
	sb_free(&sb);
}

static void offer(struct an *a, const char *word, const char *desc)
{
	offer_alt(a, word, NULL, desc);
}

/* ---- option scanning ---- */

static const struct opt_spec *find_long_opt(const struct opt_spec *opts,
					    const char *name, size_t len)
{
	for (const struct opt_spec *o = opts; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

static const struct opt_spec *find_short_opt(const struct opt_spec *opts,
					     char c)
{
	for (const struct opt_spec *o = opts; o && o->name; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

/* The option an option word ends with when that option wants the next
 * word as its argument; NULL otherwise. */
static const struct opt_spec *wants_arg(const struct opt_spec *opts,
					const char *w)
{
	const struct opt_spec *o;

	if (w[1] == '-') {
		const char *name = w + 2;

		if (strchr(name, '='))
			return NULL;
		o = find_long_opt(opts, name, strlen(name));
		if (!o)
			o = find_long_opt(cmd_tables.globals, name, strlen(name));
		return o && o->arg ? o : NULL;
	}
	for (const char *p = w + 1; *p; p++) {
		o = find_short_opt(opts, *p);
		if (!o)
			o = find_short_opt(cmd_tables.globals, *p);
		if (o && o->arg)
			return p[1] ? NULL : o;
	}
	return NULL;
}

static bool is_opt_word(const char *w)
{
	return w[0] == '-' && w[1] && !(w[1] >= '0' && w[1] <= '9');
}

/* Split the words after a command into positionals; when the last word is
 * an option that wants an argument, return it (the partial word is that
 * argument). */
static const struct opt_spec *scan_args(struct an *a,
					const struct opt_spec *opts,
					char **w, int n)
{
	bool only_pos = false;

	a->pos = calloc((size_t)n + 1, sizeof(*a->pos));
	if (!a->pos)
		abort();
	a->npos = 0;
	for (int i = 0; i < n; i++) {
		const struct opt_spec *o;

		if (only_pos || !is_opt_word(w[i])) {
			a->pos[a->npos++] = w[i];
			continue;
		}
		if (!strcmp(w[i], "--")) {
			only_pos = true;
			continue;
		}
		o = wants_arg(opts, w[i]);
		if (o) {
			if (i + 1 == n)
				return o;
			i++;
		}
	}
	return NULL;
}

/* ---- the maps ---- */

static bool is_selector(const char *w)
{
	return !strcmp(w, "id") || !strcmp(w, "name") || !strcmp(w, "pinned");
}

static const struct cmd *verb_table(void)
{
	return cmd_tables.verbs;
}

static bool verb_fits(const struct cmd *v, const struct cmap *m)
{
	if (v->flags & CMD_HIDDEN)
		return false;
	if (!m || !m->known)
		return true;
	return map_verb_applies(v, m->type);
}

static void cmap_free(struct cmap *m)
{
	tv_plan_free(m->own_k);
	tv_plan_free(m->own_v);
	mapref_free(m->ref);
	memset(m, 0, sizeof(*m));
}

/* Resolve the map named by w[0..n) (n is 1 or 2). Silent. */
static void cmap_resolve(struct ctx *ctx, char **w, int n, struct cmap *m)
{
	struct strbuf sink = STRBUF_INIT;
	const struct bundle_map *bm;
	const char *name = w[0];
	unsigned flags = ctx->set.map.raw_values ? TV_RAW : 0;
	char outer[128];
	const char *br;
	int consumed;

	memset(m, 0, sizeof(*m));
	snprintf(m->label, sizeof(m->label), "%s%s%s", w[0], n > 1 ? " " : "",
		 n > 1 ? w[1] : "");
	err_capture(&sink, false);
	if (!mapref_parse(&ctx->set.map, n, w, &consumed, &m->ref) && m->ref) {
		m->known = true;
		m->type = m->ref->info.type;
		m->btf = m->ref->mb.btf;
		m->kplan = m->ref->key;
		m->vplan = m->ref->value;
	}
	err_capture(NULL, true);
	sb_free(&sink);
	session_restore_errors();
	if (m->known)
		return;
	/* Not readable here (no root, not loaded): the bundled definition. */
	if (n == 2 && !strcmp(w[0], "name"))
		name = w[1];
	else if (n == 2)
		return;
	br = strchr(name, '[');
	if (br) {
		snprintf(outer, sizeof(outer), "%.*s", (int)(br - name), name);
		name = outer;
	}
	bm = bundle_map_find(name);
	if (!bm)
		return;
	m->known = true;
	m->btf = bm->btf;
	if (br && bm->has_inner) {
		m->type = bm->inner_type;
		if (bm->inner_key_size)
			m->kplan = m->own_k = tv_plan_for_map(bm->btf, bm->inner_btf_key_type_id,
							      bm->inner_key_size, flags);
		if (bm->inner_value_size)
			m->vplan = m->own_v = tv_plan_for_map(bm->btf, bm->inner_btf_value_type_id,
							      bm->inner_value_size, flags);
		return;
	}
	m->type = bm->type;
	if (bm->key_size)
		m->kplan = m->own_k = tv_plan_for_map(bm->btf, bm->btf_key_type_id,
						      bm->key_size, flags);
	if (bm->value_size && bm->type != BPF_MAP_TYPE_RINGBUF)
		m->vplan = m->own_v = tv_plan_for_map(bm->btf, bm->btf_value_type_id,
						      bm->value_size, flags);
}

static void offer_pins(struct an *a, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) || S_ISDIR(st.st_mode))
			continue;
		offer(a, e->d_name, bundle_map_find(e->d_name) ?
			  map_type_str(bundle_map_find(e->d_name)->type) : "pinned map");
	}
	closedir(d);
}

static void offer_map_names(struct an *a)
{
	const char *const *names = bundle_map_names();
	char dir[4096];

	for (int i = 0; names && names[i]; i++)
		offer(a, names[i], map_type_str(bundle_map_find(names[i])->type));
	if (a->ctx->set.map.pin_dir) {
		offer_pins(a, a->ctx->set.map.pin_dir);
		snprintf(dir, sizeof(dir), "%s/inner", a->ctx->set.map.pin_dir);
		offer_pins(a, dir);
	}
}

static void offer_selectors(struct an *a)
{
	offer(a, "id", "a map of the system by id");
	offer(a, "name", "a map of the system by name");
	offer(a, "pinned", "a map pinned at a path");
}

/* Every map of the system: ids or names. Needs root; silent without. */
static void offer_system_maps(struct an *a, bool ids)
{
	__u32 id = 0;

	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		char num[16], desc[64];
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			snprintf(num, sizeof(num), "%u", id);
			if (ids) {
				snprintf(desc, sizeof(desc), "%s %s",
					 info.name[0] ? info.name : "-",
					 map_type_str(info.type));
				offer(a, num, desc);
			} else if (info.name[0]) {
				snprintf(desc, sizeof(desc), "id %u %s", id,
					 map_type_str(info.type));
				offer(a, info.name, desc);
			}
		}
		close(fd);
	}
}

/* ---- files, interfaces, words ---- */

static void offer_files(struct an *a, bool dirs_only)
{
	const char *slash = strrchr(a->cur, '/');
	char dir[4096], word[4096];
	const char *base;
	size_t dlen;
	DIR *d;
	struct dirent *e;

	if (slash) {
		dlen = (size_t)(slash - a->cur) + 1;
		snprintf(dir, sizeof(dir), "%.*s", (int)dlen, a->cur);
		base = slash + 1;
	} else {
		dlen = 0;
		snprintf(dir, sizeof(dir), ".");
		base = a->cur;
	}
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;
		char path[8192];
		bool isdir;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_name[0] == '.' && base[0] != '.')
			continue;
		if (strncmp(e->d_name, base, strlen(base)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		isdir = !stat(path, &st) && S_ISDIR(st.st_mode);
		if (dirs_only && !isdir)
			continue;
		snprintf(word, sizeof(word), "%.*s%s%s", (int)dlen, a->cur,
			 e->d_name, isdir ? "/" : "");
		if (a->out)
			cands_push(a->out, word, NULL);
	}
	closedir(d);
}

static void offer_ifaces(struct an *a)
{
	struct if_nameindex *ifs = if_nameindex();

	if (!ifs)
		return;
	for (struct if_nameindex *i = ifs; i->if_index; i++) {
		char desc[32];

		snprintf(desc, sizeof(desc), "ifindex %u", i->if_index);
		offer(a, i->if_name, desc);
	}
	if_freenameindex(ifs);
}

static void offer_commands(struct an *a, const struct cmd *table)
{
	for (const struct cmd *c = table; c->name; c++)
		if (!(c->flags & CMD_HIDDEN))
			offer(a, c->name, c->summary);
}

static void offer_verbs(struct an *a, const struct cmap *m)
{
	for (const struct cmd *v = verb_table(); v->name; v++)
		if (verb_fits(v, m))
			offer(a, v->name, v->summary);
}

static void offer_opts(struct an *a, const struct opt_spec *opts)
{
	for (const struct opt_spec *o = opts; o && o->name; o++) {
		char w[128];

		snprintf(w, sizeof(w), "--%s", o->name);
		offer(a, w, o->help);
	}
}

static void offer_kind(struct an *a, enum complete_kind kind,
		       const char *const *choices)
{
	switch (kind) {
	case COMPLETE_IFACE:
		offer_ifaces(a);
		break;
	case COMPLETE_FILE:
		offer_files(a, false);
		break;
	case COMPLETE_DIR:
		offer_files(a, true);
		break;
	case COMPLETE_MAP:
		offer_map_names(a);
		break;
	case COMPLETE_WORDS:
		for (const char *const *c = choices; c && *c; c++)
			offer(a, *c, NULL);
		break;
	case COMPLETE_NONE:
		break;
	}
}

/* ---- values of a typed field ---- */

static void offer_enum(struct an *a, const struct btf *btf, __u32 type_id)
{
	const struct btf_type *t = btf ? btf__type_by_id(btf, type_id) : NULL;
	size_t plen = 0;
	int n;

	if (!t || !(btf_is_enum(t) || btf_is_enum64(t)))
		return;
	n = btf_vlen(t);
	/* The common prefix up to an underscore ("FW_"), which the parser
	 * lets the user leave out. */
	for (int i = 0; i < n; i++) {
		__u32 off = btf_is_enum(t) ? btf_enum(t)[i].name_off
					   : btf_enum64(t)[i].name_off;
		const char *s = btf__name_by_offset(btf, off);
		const char *f;
		size_t k = 0;

		if (!s)
			return;
		if (i == 0) {
			const char *u = strrchr(s, '_');

			plen = u ? (size_t)(u - s) + 1 : 0;
			continue;
		}
		f = btf__name_by_offset(btf, btf_is_enum(t) ? btf_enum(t)[0].name_off
							    : btf_enum64(t)[0].name_off);
		while (k < plen && s[k] == f[k])
			k++;
		while (k > 0 && s[k - 1] != '_')
			k--;
		plen = k;
	}
	for (int i = 0; i < n; i++) {
		char desc[32];
		long long v;
		const char *s;

		if (btf_is_enum(t)) {
			s = btf__name_by_offset(btf, btf_enum(t)[i].name_off);
			v = btf_enum(t)[i].val;
		} else {
			s = btf__name_by_offset(btf, btf_enum64(t)[i].name_off);
			v = (long long)btf_enum64_value(&btf_enum64(t)[i]);
		}
		snprintf(desc, sizeof(desc), "%lld", v);
		offer_alt(a, s, strlen(s) > plen ? s + plen : NULL, desc);
	}
}

static bool leaf_has_values(const struct tv_leaf *l)
{
	return l->kind == TV_KIND_ENUM || l->kind == TV_KIND_BOOL ||
	       l->fmt == TV_FMT_IPPROTO || l->fmt == TV_FMT_IFINDEX ||
	       l->fmt == TV_FMT_TCPFLAGS || l->fmt == TV_FMT_KTIME;
}

static void offer_leaf_values(struct an *a, const struct btf *btf,
			      const struct tv_leaf *l)
{
	if (l->kind == TV_KIND_ENUM)
		offer_enum(a, btf, l->type_id);
	if (l->kind == TV_KIND_BOOL) {
		offer(a, "true", NULL);
		offer(a, "false", NULL);
	}
	switch (l->fmt) {
	case TV_FMT_IPPROTO:
		for (unsigned p = 0; p < 256; p++) {
			const char *name = nf_ipproto_name(p);
			char desc[16];

			if (name) {
				snprintf(desc, sizeof(desc), "protocol %u", p);
				offer(a, name, desc);
			}
		}
		break;
	case TV_FMT_IFINDEX:
		offer_ifaces(a);
		break;
	case TV_FMT_TCPFLAGS:
		for (int b = 0; b < 9; b++) {
			struct strbuf sb = STRBUF_INIT;

			nf_add_tcpflags(&sb, 1ull << b);
			if (sb.len && !strchr(sb_str(&sb), 'x'))
				offer(a, sb_str(&sb), NULL);
			sb_free(&sb);
		}
		break;
	case TV_FMT_KTIME:
		offer(a, "now", NULL);
		break;
	default:
		break;
	}
}

static void leaf_desc(const struct tv_leaf *l, char *buf, size_t len)
{
	const char *f = tv_fmt_name(l->fmt);

	snprintf(buf, len, "%s%s%s%s", l->type_name ? l->type_name : "",
		 f && *f ? " (" : "", f && *f ? f : "", f && *f ? ")" : "");
}

static bool leaf_listed(const struct tv_leaf *l)
{
	return !l->is_padding && l->name && *l->name;
}

/* key=/value= style field names of a plan, skipping those in used[]. */
static void offer_fields_eq(struct an *a, const struct tv_plan *p,
			    char **used, int nused)
{
	for (uint32_t i = 0; p && i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);
		char w[256], desc[128];
		bool seen = false;

		if (!leaf_listed(l))
			continue;
		for (int k = 0; k < nused && !seen; k++) {
			const char *eq = strchr(used[k], '=');

			seen = eq && strlen(l->name) == (size_t)(eq - used[k]) &&
			       !strncmp(used[k], l->name, (size_t)(eq - used[k]));
		}
		if (seen)
			continue;
		snprintf(w, sizeof(w), "%s=", l->name);
		leaf_desc(l, desc, sizeof(desc));
		offer(a, w, desc);
	}
}

static const struct tv_leaf *plan_leaf(const struct tv_plan *p,
				       const char *name, size_t len)
{
	for (uint32_t i = 0; p && i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);

		if (l->name && strlen(l->name) == len &&
		    !strncmp(l->name, name, len))
			return l;
	}
	return NULL;
}

/* A query field name (query.h): a leaf name, key.F / value.F, or key /
 * value for a scalar side. */
static const struct tv_leaf *query_leaf(const struct cmap *m, const char *name,
					size_t len)
{
	const struct tv_leaf *l;

	if (len > 4 && !strncmp(name, "key.", 4))
		return plan_leaf(m->kplan, name + 4, len - 4);
	if (len > 6 && !strncmp(name, "value.", 6))
		return plan_leaf(m->vplan, name + 6, len - 6);
	if (len == 3 && !strncmp(name, "key", 3) && m->kplan &&
	    tv_plan_is_scalar(m->kplan))
		return tv_plan_leaf(m->kplan, 0);
	if (len == 5 && !strncmp(name, "value", 5) && m->vplan &&
	    tv_plan_is_scalar(m->vplan))
		return tv_plan_leaf(m->vplan, 0);
	l = plan_leaf(m->kplan, name, len);
	return l ? l : plan_leaf(m->vplan, name, len);
}

static void offer_query_fields(struct an *a, const struct cmap *m)
{
	for (int side = 0; side < 2; side++) {
		const struct tv_plan *p = side ? m->vplan : m->kplan;
		const struct tv_plan *o = side ? m->kplan : m->vplan;

		if (!p)
			continue;
		if (tv_plan_is_scalar(p)) {
			char desc[128];

			leaf_desc(tv_plan_leaf(p, 0), desc, sizeof(desc));
			offer(a, side ? "value" : "key", desc);
			continue;
		}
		for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
			const struct tv_leaf *l = tv_plan_leaf(p, i);
			char w[256], desc[128];

			if (!leaf_listed(l))
				continue;
			if (plan_leaf(o, l->name, strlen(l->name)))
				snprintf(w, sizeof(w), "%s.%s",
					 side ? "value" : "key", l->name);
			else
				snprintf(w, sizeof(w), "%s", l->name);
			leaf_desc(l, desc, sizeof(desc));
			offer(a, w, desc);
		}
	}
}

/* ---- query words (dump ... where/sort/limit/fields) ---- */

static const char *const query_keywords[] = { "where", "sort", "limit", "fields", NULL };
static const char *const query_ops[] = { "==", "!=", "<", "<=", ">", ">=", "~", "!~", NULL };

static bool is_query_kw(const char *w)
{
	for (int i = 0; query_keywords[i]; i++)
		if (!strcasecmp(w, query_keywords[i]))
			return true;
	return false;
}

static bool is_query_op(const char *w)
{
	if (!strcmp(w, "="))
		return true;
	for (int i = 0; query_ops[i]; i++)
		if (!strcmp(w, query_ops[i]))
			return true;
	return false;
}

static bool is_bool_word(const char *w)
{
	return !strcasecmp(w, "and") || !strcasecmp(w, "or") ||
	       !strcasecmp(w, "not") || !strcmp(w, "&&") || !strcmp(w, "||") ||
	       !strcmp(w, "!") || !strcmp(w, "(");
}

static bool syn_has_word(const char *syn, const char *word);

/* The clauses the verb's synopsis has (count: only where). */
static void offer_query_keywords(struct an *a)
{
	const char *save = a->prefix;
	const char *syn = a->cmd && a->cmd->args ? a->cmd->args : "";

	a->prefix = NULL;
	for (int i = 0; query_keywords[i]; i++)
		if (syn_has_word(syn, query_keywords[i]))
			offer(a, query_keywords[i], NULL);
	a->prefix = save;
}

/* Complete the last comma-separated part of the partial word. */
static void offer_fields_list(struct an *a, const struct cmap *m)
{
	const char *comma = strrchr(a->cur, ',');
	char pre[512];

	if (comma) {
		snprintf(pre, sizeof(pre), "%.*s", (int)(comma - a->cur + 1),
			 a->cur);
		a->prefix = pre;
	}
	offer_query_fields(a, m);
	a->prefix = NULL;
}

/* After sort: the fields, and for watch the rates of the counters. */
static void offer_sort_fields(struct an *a, const struct cmap *m)
{
	const char *comma = strrchr(a->cur, ',');
	char pre[512], w[256];

	offer_fields_list(a, m);
	if (!a->cmd || strcmp(a->cmd->name, "watch") || !m->vplan)
		return;
	if (comma) {
		snprintf(pre, sizeof(pre), "%.*s", (int)(comma - a->cur + 1), a->cur);
		a->prefix = pre;
	}
	for (uint32_t i = 0; i < tv_plan_nleaves(m->vplan); i++) {
		const struct tv_leaf *l = tv_plan_leaf(m->vplan, i);

		/* watch's counter rule: those get a rate column. */
		if (!leaf_listed(l) || !tv_leaf_is_counter(m->vplan, l, !a->ctx->set.map.raw_values))
			continue;
		snprintf(w, sizeof(w), "%s%s/s",
			 plan_leaf(m->kplan, l->name, strlen(l->name)) ? "value." : "", l->name);
		offer(a, w, "rate per second");
	}
	a->prefix = NULL;
}

static void complete_query(struct an *a, const struct cmap *m, char **q, int nq)
{
	const char *kw = q[0];
	const char *prev = nq > 1 ? q[nq - 1] : NULL;

	if (!strcasecmp(kw, "limit")) {
		if (prev)
			offer_query_keywords(a);
		return;
	}
	if (!strcasecmp(kw, "fields")) {
		offer_fields_list(a, m);
		if (prev && !strchr(a->cur, ','))
			offer_query_keywords(a);
		return;
	}
	if (!strcasecmp(kw, "sort")) {
		if (!prev || prev[strlen(prev) - 1] == ',') {
			offer_sort_fields(a, m);
			return;
		}
		if (strcasecmp(prev, "asc") && strcasecmp(prev, "desc")) {
			offer(a, "asc", "ascending (the default)");
			offer(a, "desc", "descending");
		} else {
			offer_sort_fields(a, m);
		}
		offer_query_keywords(a);
		return;
	}
	/* where */
	{
		const char *op = NULL;
		size_t flen = 0;
		char pre[512];

		/* An operator glued to the partial word: protocol==t */
		for (const char *p = a->cur; *p && !op; p++)
			if (strchr("=!<>~", *p) && p != a->cur) {
				op = p;
				flen = (size_t)(p - a->cur);
			}
		if (op) {
			const struct tv_leaf *l = query_leaf(m, a->cur, flen);
			const char *v = op;

			while (*v && strchr("=!<>~", *v))
				v++;
			if (l) {
				snprintf(pre, sizeof(pre), "%.*s",
					 (int)(v - a->cur), a->cur);
				a->prefix = pre;
				offer_leaf_values(a, m->btf, l);
				a->prefix = NULL;
			}
			return;
		}
		if (!prev || is_bool_word(prev) || !strcasecmp(prev, "where")) {
			offer_query_fields(a, m);
			offer(a, "not", NULL);
			return;
		}
		if (is_query_op(prev)) {
			const struct tv_leaf *l = nq > 2 ?
				query_leaf(m, q[nq - 2], strlen(q[nq - 2])) : NULL;

			if (l)
				offer_leaf_values(a, m->btf, l);
			return;
		}
		if (query_leaf(m, prev, strlen(prev))) {
			for (int i = 0; query_ops[i]; i++)
				offer(a, query_ops[i], NULL);
			return;
		}
		offer(a, "and", NULL);
		offer(a, "or", NULL);
		offer_query_keywords(a);
	}
}

/* ---- verb arguments ---- */

static bool syn_has_word(const char *syn, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = syn; p && (p = strstr(p, word)); p += n) {
		bool left = p == syn || !isalnum((unsigned char)p[-1]);
		bool right = !isalnum((unsigned char)p[n]) && p[n] != '_';

		if (left && right)
			return true;
	}
	return false;
}

static int plan_nfields(const struct tv_plan *p)
{
	int n = 0;

	for (uint32_t i = 0; p && i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);

		if (!l->is_padding && !l->in_union_alt)
			n++;
	}
	return n;
}

/* Has the key been given in full by the positional words? */
static bool key_given(const struct cmap *m, char **pos, int npos)
{
	int named = 0, bare = 0, need;

	if (!m->kplan)
		return true;
	need = tv_plan_is_scalar(m->kplan) ? 1 : plan_nfields(m->kplan);
	for (int i = 0; i < npos; i++) {
		const char *eq = strchr(pos[i], '=');

		if (pos[i][0] == '{' || pos[i][0] == '[' || !strcmp(pos[i], "hex"))
			return true;
		if (eq && plan_leaf(m->kplan, pos[i], (size_t)(eq - pos[i])))
			named++;
		else if (!eq)
			bare++;
	}
	/* An LPM key is one prefix word (10.0.0.0/8). */
	if (bare && tv_plan_is_lpm_key(m->kplan))
		return true;
	return named >= need || bare >= need;
}

static void complete_verb_args(struct an *a)
{
	const struct cmap *m = &a->map;
	const char *syn = a->cmd->args ? a->cmd->args : "";
	bool has_key = syn_has_word(syn, "KEY");
	bool has_value = syn_has_word(syn, "VALUE") || strstr(syn, "=value");
	bool has_query = syn_has_word(syn, "where") || syn_has_word(syn, "sort");
	bool has_file = syn_has_word(syn, "FILE") || syn_has_word(syn, "PATH");
	const char *eq = strchr(a->cur, '=');
	bool in_value = false;
	char pre[512];

	if (has_query) {
		for (int q = a->npos - 1; q >= 0; q--)
			if (is_query_kw(a->pos[q])) {
				complete_query(a, m, a->pos + q, a->npos - q);
				return;
			}
	}
	if (eq && eq != a->cur) {
		size_t len = (size_t)(eq - a->cur);
		const struct tv_leaf *l = NULL;

		if (has_key)
			l = plan_leaf(m->kplan, a->cur, len);
		if (!l && (has_value || !has_key))
			l = plan_leaf(m->vplan, a->cur, len);
		if (l) {
			snprintf(pre, sizeof(pre), "%.*s", (int)len + 1, a->cur);
			a->prefix = pre;
			offer_leaf_values(a, m->btf, l);
			a->prefix = NULL;
		}
		return;
	}
	/* Where KEY ends and VALUE starts (map_verbs.h): the word `value`,
	 * or the first field=value naming a value field the key lacks. */
	for (int i = 0; i < a->npos && has_key && has_value; i++) {
		const char *e = strchr(a->pos[i], '=');

		if (!strcmp(a->pos[i], "value") ||
		    (e && plan_leaf(m->vplan, a->pos[i], (size_t)(e - a->pos[i])) &&
		     !plan_leaf(m->kplan, a->pos[i], (size_t)(e - a->pos[i])))) {
			in_value = true;
		}
		if (in_value)
			break;
	}
	if (has_key && m->kplan && !in_value) {
		if (tv_plan_is_scalar(m->kplan)) {
			if (!a->npos && leaf_has_values(tv_plan_leaf(m->kplan, 0)))
				offer_leaf_values(a, m->btf, tv_plan_leaf(m->kplan, 0));
		} else if (!key_given(m, a->pos, a->npos)) {
			offer_fields_eq(a, m->kplan, a->pos, a->npos);
		}
	}
	if (has_value && m->vplan &&
	    (in_value || !has_key || !m->kplan || tv_plan_is_scalar(m->kplan) ||
	     key_given(m, a->pos, a->npos))) {
		if (tv_plan_is_scalar(m->vplan)) {
			if (leaf_has_values(tv_plan_leaf(m->vplan, 0)))
				offer_leaf_values(a, m->btf, tv_plan_leaf(m->vplan, 0));
		} else {
			offer_fields_eq(a, m->vplan, a->pos, a->npos);
		}
	}
	if (has_query)
		offer_query_keywords(a);
	if (has_file && !has_key && !has_value && a->npos == 0)
		offer_files(a, false);
}

/* ---- positionals of commands, from their synopsis ---- */

/* The n-th word of a synopsis, brackets and "..." removed ("[COMMAND]" ->
 * "COMMAND"); a last word with "..." repeats. */
static bool syn_word(const char *syn, int n, char *buf, size_t len)
{
	char tmp[256];
	int i = 0;
	bool repeat = false;

	buf[0] = '\0';
	while (syn && *syn) {
		size_t k = 0, o = 0;

		while (*syn == ' ')
			syn++;
		if (!*syn)
			break;
		while (syn[k] && syn[k] != ' ')
			k++;
		for (size_t j = 0; j < k && o + 1 < sizeof(tmp); j++)
			if (syn[j] != '[' && syn[j] != ']')
				tmp[o++] = syn[j];
		tmp[o] = '\0';
		repeat = o > 3 && !strcmp(tmp + o - 3, "...");
		if (repeat)
			tmp[o - 3] = '\0';
		snprintf(buf, len, "%s", tmp);
		if (i == n)
			return true;
		i++;
		syn += k;
	}
	return repeat && buf[0];
}

static void complete_placeholder(struct an *a, const char *ph)
{
	if (strchr(ph, '|')) {
		char tmp[256], *save = NULL;

		snprintf(tmp, sizeof(tmp), "%s", ph);
		for (char *t = strtok_r(tmp, "|", &save); t;
		     t = strtok_r(NULL, "|", &save))
			offer(a, t, NULL);
	} else if (!strcmp(ph, "FILE") || !strcmp(ph, "PATH")) {
		offer_files(a, false);
	} else if (!strcmp(ph, "DIR")) {
		offer_files(a, true);
	} else if (!strcmp(ph, "COMMAND")) {
		/* `help dump` shows a verb's help too */
		offer_commands(a, cmd_tables.top);
		offer_verbs(a, NULL);
	} else if (!strcmp(ph, "MAP")) {
		offer_map_names(a);
		offer_selectors(a);
	} else if (!strcmp(ph, "IFACE")) {
		offer_ifaces(a);
	} else if (islower((unsigned char)ph[0])) {
		offer(a, ph, NULL);
	}
}

static void complete_sel_arg(struct an *a)
{
	if (!strcmp(a->sel, "id"))
		offer_system_maps(a, true);
	else if (!strcmp(a->sel, "name"))
		offer_system_maps(a, false);
	else
		offer_files(a, false);
}

static void complete_cmd_arg(struct an *a)
{
	char ph[256];

	/* `use id <TAB>`: the second word of a two-word map selector. */
	if (a->npos == 1 && syn_word(a->cmd->args, 0, ph, sizeof(ph)) &&
	    !strcmp(ph, "MAP") && is_selector(a->pos[0])) {
		a->sel = a->pos[0];
		complete_sel_arg(a);
		return;
	}
	if (syn_word(a->cmd->args, a->npos, ph, sizeof(ph)))
		complete_placeholder(a, ph);
}

static bool cmd_in(const struct cmd *c, const struct cmd *table)
{
	for (const struct cmd *t = table; t->name; t++)
		if (t == c)
			return true;
	return false;
}

static void complete_opt_inline(struct an *a, const struct opt_spec *opts)
{
	const char *eq = strchr(a->cur, '=');
	const struct opt_spec *o;
	char pre[256];

	if (!eq || a->cur[1] != '-')
		return;
	o = find_long_opt(opts, a->cur + 2, (size_t)(eq - a->cur - 2));
	if (!o)
		o = find_long_opt(cmd_tables.globals, a->cur + 2,
				  (size_t)(eq - a->cur - 2));
	if (!o || !o->arg)
		return;
	snprintf(pre, sizeof(pre), "%.*s", (int)(eq - a->cur + 1), a->cur);
	a->prefix = pre;
	if (o->complete == COMPLETE_FILE || o->complete == COMPLETE_DIR) {
		/* files complete on the partial word itself */
		const char *save = a->cur;
		struct cands tmp = { 0 };
		struct cands *out = a->out;

		a->cur = eq + 1;
		a->out = &tmp;
		a->prefix = NULL;
		offer_kind(a, o->complete, o->choices);
		a->out = out;
		a->cur = save;
		for (int i = 0; i < tmp.n; i++) {
			char w[4096];

			snprintf(w, sizeof(w), "%s%s", pre, tmp.v[i].word);
			if (out)
				cands_push(out, w, NULL);
		}
		cands_free(&tmp);
	} else {
		offer_kind(a, o->complete, o->choices);
	}
	a->prefix = NULL;
}

/* OUTER[KEY of a map of maps: the keys that can be listed (interface
 * names for iface_blocklist[), as OUTER[KEY]. */
static void complete_outer_key(struct an *a)
{
	const char *br = strchr(a->cur, '[');
	const struct tv_leaf *only = NULL;
	char outer[256], pre[300];
	char *w[2] = { outer, NULL };
	struct cmap m;
	struct cands tmp = { 0 };
	struct cands *out = a->out;
	int n = 0;

	snprintf(outer, sizeof(outer), "%.*s", (int)(br - a->cur), a->cur);
	cmap_resolve(a->ctx, w, 1, &m);
	if (!m.known || !m.kplan || (m.type != BPF_MAP_TYPE_HASH_OF_MAPS &&
				     m.type != BPF_MAP_TYPE_ARRAY_OF_MAPS)) {
		cmap_free(&m);
		return;
	}
	for (uint32_t i = 0; i < tv_plan_nleaves(m.kplan); i++) {
		const struct tv_leaf *l = tv_plan_leaf(m.kplan, i);

		if (l->is_padding)
			continue;
		only = l;
		n++;
	}
	if (n == 1 && leaf_has_values(only)) {
		/* the values, then wrapped as OUTER[VALUE] */
		const char *save = a->cur;

		a->cur = br + 1;
		a->out = &tmp;
		offer_leaf_values(a, m.btf, only);
		a->out = out;
		a->cur = save;
		for (int i = 0; i < tmp.n; i++) {
			snprintf(pre, sizeof(pre), "%s[%s]", outer, tmp.v[i].word);
			if (out)
				cands_push(out, pre, tmp.v[i].desc);
		}
		cands_free(&tmp);
	}
	cmap_free(&m);
}

/* Work out what the partial word is. */
static void analyze(struct an *a)
{
	const struct cmd *c = NULL;
	char *const *smap = NULL;
	int nsmap = session_map(&smap);
	int i = 0, j;
	const struct opt_spec *o;

	/* Leading global options; --pin-dir and --raw-values change what
	 * the maps complete to, so they apply. */
	while (i < a->n && is_opt_word(a->w[i])) {
		const char *w = a->w[i], *arg = NULL;

		if (!strcmp(w, "--")) {
			i++;
			break;
		}
		o = wants_arg(NULL, w);
		if (o) {
			if (i + 1 == a->n) {
				a->kind = K_OPTARG;
				a->opt = o;
				return;
			}
			arg = a->w[++i];
		} else if (!strncmp(w, "--", 2) && strchr(w, '=')) {
			o = find_long_opt(cmd_tables.globals, w + 2,
					  (size_t)(strchr(w, '=') - w - 2));
			arg = strchr(w, '=') + 1;
		} else if (!strncmp(w, "--", 2)) {
			o = find_long_opt(cmd_tables.globals, w + 2, strlen(w + 2));
		}
		if (o && (!strcmp(o->name, "pin-dir") || !strcmp(o->name, "raw-values")))
			cmd_tables.apply_global(a->ctx, (int)(o - cmd_tables.globals), arg);
		i++;
	}
	if (i == a->n) {
		a->kind = a->cur[0] == '-' ? K_OPTS : K_TOP;
		return;
	}
	if ((a->flags & COMPLETE_IN_REPL) && a->w[i][0] == '.')
		c = cmd_find(session_cmds, a->w[i]);
	if (!c)
		c = cmd_find(cmd_tables.top, a->w[i]);
	if (!c && (a->flags & COMPLETE_IN_REPL) && nsmap &&
	    cmd_find(verb_table(), a->w[i])) {
		/* A bare verb after `use MAP`. */
		cmap_resolve(a->ctx, (char **)smap, nsmap, &a->map);
		a->cmd = cmd_find(verb_table(), a->w[i]);
		j = i;
		goto verb;
	}
	if (c) {
		a->cmd = c;
		a->opt = scan_args(a, c->opts, a->w + i + 1, a->n - i - 1);
		if (a->opt)
			a->kind = K_OPTARG;
		else if (a->cur[0] == '-' && a->cur[1] != '\0' &&
			 !(a->cur[1] >= '0' && a->cur[1] <= '9'))
			a->kind = K_OPTS;
		else
			a->kind = K_CMDARG;
		return;
	}
	/* A map. */
	if (is_selector(a->w[i])) {
		if (i + 1 == a->n) {
			a->kind = K_SELARG;
			a->sel = a->w[i];
			return;
		}
		cmap_resolve(a->ctx, a->w + i, 2, &a->map);
		j = i + 2;
	} else {
		cmap_resolve(a->ctx, a->w + i, 1, &a->map);
		j = i + 1;
	}
	/* Options may come before the verb: `flows -j dump`. */
	while (j < a->n && is_opt_word(a->w[j])) {
		if (wants_arg(NULL, a->w[j])) {
			if (j + 1 == a->n) {
				a->kind = K_OPTARG;
				a->opt = wants_arg(NULL, a->w[j]);
				return;
			}
			j++;
		}
		j++;
	}
	if (j == a->n) {
		a->kind = a->cur[0] == '-' ? K_OPTS : K_VERB;
		return;
	}
	a->cmd = cmd_find(verb_table(), a->w[j]);
	if (!a->cmd) {
		a->kind = K_NONE;
		return;
	}
verb:
	a->opt = scan_args(a, a->cmd->opts, a->w + j + 1, a->n - j - 1);
	if (a->opt)
		a->kind = K_OPTARG;
	else if (a->cur[0] == '-' && a->cur[1] &&
		 !(a->cur[1] >= '0' && a->cur[1] <= '9'))
		a->kind = K_OPTS;
	else
		a->kind = K_VERBARG;
}

static void an_free(struct an *a)
{
	free(a->pos);
	cmap_free(&a->map);
}

void complete_words(struct ctx *ctx, int nwords, char **words,
		    unsigned flags, struct cands *out)
{
	struct an a = {
		.ctx = ctx, .flags = flags, .out = out,
		.w = words, .n = nwords > 0 ? nwords - 1 : 0,
		.cur = nwords > 0 ? words[nwords - 1] : "",
	};
	char *const *smap = NULL;
	int nsmap = session_map(&smap);

	memset(out, 0, sizeof(*out));
	analyze(&a);
	switch (a.kind) {
	case K_NONE:
		break;
	case K_TOP:
		if ((flags & COMPLETE_IN_REPL) && a.cur[0] == '.') {
			offer_commands(&a, session_cmds);
			break;
		}
		if (strchr(a.cur, '[') && !strchr(a.cur, ']')) {
			complete_outer_key(&a);
			break;
		}
		offer_commands(&a, cmd_tables.top);
		offer_map_names(&a);
		offer_selectors(&a);
		if (flags & COMPLETE_IN_REPL) {
			offer(&a, "quit", "leave the shell");
			offer(&a, "exit", "leave the shell");
			if (nsmap) {
				struct cmap m;

				cmap_resolve(ctx, (char **)smap, nsmap, &m);
				offer_verbs(&a, &m);
				cmap_free(&m);
			}
		}
		break;
	case K_OPTS:
		if (strchr(a.cur, '=')) {
			complete_opt_inline(&a, a.cmd ? a.cmd->opts : NULL);
			break;
		}
		if (a.cmd)
			offer_opts(&a, a.cmd->opts);
		offer_opts(&a, cmd_tables.globals);
		if (a.cmd)
			offer(&a, "--help", "show the command's help");
		break;
	case K_OPTARG:
		offer_kind(&a, a.opt->complete, a.opt->choices);
		break;
	case K_CMDARG:
		complete_cmd_arg(&a);
		break;
	case K_SELARG:
		complete_sel_arg(&a);
		break;
	case K_VERB:
		offer_verbs(&a, &a.map);
		break;
	case K_VERBARG:
		complete_verb_args(&a);
		break;
	}
	an_free(&a);
	cands_sort_unique(out);
}

void complete_line(struct ctx *ctx, const char *line, size_t cursor,
		   unsigned flags, struct cands *out, size_t *word_start)
{
	struct tok_line t;
	char **words;
	int n;

	tok_split(line, cursor, &t);
	words = calloc((size_t)t.n + 2, sizeof(*words));
	if (!words)
		abort();
	for (n = 0; n < t.n; n++)
		words[n] = t.w[n].text;
	if (t.in_word && t.n) {
		*word_start = t.w[t.n - 1].start;
	} else {
		words[n++] = "";
		*word_start = cursor;
	}
	if (t.in_comment)
		memset(out, 0, sizeof(*out));
	else
		complete_words(ctx, n, words, flags, out);
	free(words);
	tok_free(&t);
}

/* ------------------------------------------------------------------ help */

static void help_cmd_list(struct strbuf *sb, const struct cmd *table,
			  const char *lead, const struct cmap *m)
{
	for (const struct cmd *c = table; c->name; c++) {
		struct strbuf syn = STRBUF_INIT;
		size_t start = sb->len;

		if (c->flags & CMD_HIDDEN)
			continue;
		if (m && !verb_fits(c, m))
			continue;
		cmd_synopsis(c, &syn);
		sb_addf(sb, "  %s%s", lead, sb_str(&syn));
		if (sb->len - start > 40) {
			sb_addf(sb, "\n%44s", "");
		} else {
			for (size_t w = sb->len - start; w < 44; w++)
				sb_addc(sb, ' ');
		}
		sb_addf(sb, "%s\n", c->summary ? c->summary : "");
		sb_free(&syn);
	}
}

static void help_fields(struct strbuf *sb, const char *what,
			const struct tv_plan *p)
{
	if (!p)
		return;
	sb_addf(sb, "%s (%s):", what, tv_plan_type_name(p));
	if (tv_plan_is_scalar(p)) {
		char desc[128];

		leaf_desc(tv_plan_leaf(p, 0), desc, sizeof(desc));
		sb_addf(sb, " one value, %s\n", desc);
		return;
	}
	sb_addc(sb, '\n');
	for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);
		char desc[128];

		if (!leaf_listed(l))
			continue;
		leaf_desc(l, desc, sizeof(desc));
		sb_addf(sb, "  %-24s %s\n", l->name, desc);
	}
}

static void help_opt(struct strbuf *sb, const struct opt_spec *o)
{
	sb_addf(sb, "--%s%s%s: %s\n", o->name, o->arg ? " " : "",
		o->arg ? o->arg : "", o->help);
	if (o->choices) {
		sb_adds(sb, "one of:");
		for (const char *const *c = o->choices; *c; c++)
			sb_addf(sb, " %s", *c);
		sb_addc(sb, '\n');
	}
}

static void help_opts(struct strbuf *sb, const struct opt_spec *opts)
{
	for (const struct opt_spec *o = opts; o && o->name; o++) {
		char head[64];

		snprintf(head, sizeof(head), "%s%c%s--%s%s%s",
			 o->short_name ? "-" : "", o->short_name ? o->short_name : ' ',
			 o->short_name ? ", " : "  ", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		sb_addf(sb, "  %-30s %s\n", o->short_name ? head : head + 1, o->help);
	}
}

void complete_help(struct ctx *ctx, int nwords, char **words, unsigned flags,
		   struct strbuf *sb)
{
	struct an a = {
		.ctx = ctx, .flags = flags, .out = NULL,
		.w = words, .n = nwords > 0 ? nwords - 1 : 0,
		.cur = nwords > 0 ? words[nwords - 1] : "",
	};
	char *const *smap = NULL;
	int nsmap = session_map(&smap);
	struct strbuf syn = STRBUF_INIT;
	char ph[256];

	analyze(&a);
	switch (a.kind) {
	case K_NONE:
		sb_adds(sb, "Nothing known follows; 'help' lists the commands.\n");
		break;
	case K_TOP: {
		const char *const *names = bundle_map_names();

		sb_adds(sb, "Commands:\n");
		help_cmd_list(sb, cmd_tables.top, "", NULL);
		sb_adds(sb, "\nOr a map, then a verb: MAP VERB [ARGS] (Tab after a map lists its verbs).\n"
			    "MAP is a name in the pin directory, id N, pinned PATH or name NAME.\nBundled maps:");
		for (int i = 0; names && names[i]; i++)
			sb_addf(sb, "%s%s", i % 8 ? " " : "\n  ", names[i]);
		sb_addc(sb, '\n');
		if (nsmap && (flags & COMPLETE_IN_REPL)) {
			struct cmap m;

			cmap_resolve(ctx, (char **)smap, nsmap, &m);
			sb_addf(sb, "\nVerbs of %s (the current map):\n", m.label);
			help_cmd_list(sb, verb_table(), "", &m);
			cmap_free(&m);
		}
		if (flags & COMPLETE_IN_REPL)
			sb_adds(sb, "\nSession: .format .pretty .show .help; use MAP; source FILE; quit.\n");
		break;
	}
	case K_OPTS:
		if (a.cmd) {
			sb_addf(sb, "Options of %s:\n", a.cmd->name);
			help_opts(sb, a.cmd->opts);
		}
		sb_adds(sb, "Global options:\n");
		help_opts(sb, cmd_tables.globals);
		break;
	case K_OPTARG:
		help_opt(sb, a.opt);
		break;
	case K_CMDARG:
		cmd_synopsis(a.cmd, &syn);
		sb_addf(sb, "Usage: %s%s\n%s\n", cmd_in(a.cmd, cmd_tables.top) ? "mapsh " : "",
			sb_str(&syn), a.cmd->summary ? a.cmd->summary : "");
		if (syn_word(a.cmd->args, a.npos, ph, sizeof(ph)))
			sb_addf(sb, "Next: %s\n", ph);
		break;
	case K_SELARG:
		if (!strcmp(a.sel, "id"))
			sb_adds(sb, "id N: a map of the system by id ('mapsh maps --all' lists them)\n");
		else if (!strcmp(a.sel, "name"))
			sb_adds(sb, "name NAME: a map of the system by its kernel name\n");
		else
			sb_adds(sb, "pinned PATH: a map pinned on a bpffs\n");
		break;
	case K_VERB:
		sb_addf(sb, "Verbs of %s%s%s%s:\n", a.map.label,
			a.map.known ? " (" : "",
			a.map.known ? map_type_str(a.map.type) : "",
			a.map.known ? ")" : "");
		help_cmd_list(sb, verb_table(), "", &a.map);
		break;
	case K_VERBARG:
		cmd_synopsis(a.cmd, &syn);
		sb_addf(sb, "Usage: mapsh %s %s\n%s\n", a.map.label, sb_str(&syn),
			a.cmd->summary ? a.cmd->summary : "");
		if (a.map.known) {
			const char *s = a.cmd->args ? a.cmd->args : "";

			if (syn_has_word(s, "KEY") || syn_has_word(s, "where") ||
			    syn_has_word(s, "sort"))
				help_fields(sb, "Key", a.map.kplan);
			if (syn_has_word(s, "VALUE") || strstr(s, "=value") ||
			    syn_has_word(s, "where") || syn_has_word(s, "sort"))
				help_fields(sb, "Value", a.map.vplan);
			if (syn_has_word(s, "where") || syn_has_word(s, "sort"))
				sb_adds(sb, "Filters: where FIELD OP VALUE [and|or ...], sort FIELD [asc|desc],\n"
					    "  limit N, fields F,... (OP: == != < <= > >= ~ !~)\n");
		}
		break;
	}
	sb_free(&syn);
	an_free(&a);
}

/* ------------------------------------------------------------- handlers */

const struct opt_spec complete_opts[] = {
	[COMPLETE_OPT_DESCRIBE] = { "describe", 0, NULL,
				    "a tab and a description after each candidate" },
	[COMPLETE_OPT_LINE] = { "line", 0, "LINE",
				"the whole command line (as COMP_LINE), program first" },
	[COMPLETE_OPT_POINT] = { "point", 0, "N",
				 "the cursor's byte offset in LINE (as COMP_POINT)" },
	{ NULL },
};

int do_complete(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv)
{
	const char *line = opt_get(opts, COMPLETE_OPT_LINE);
	bool describe = opts->count[COMPLETE_OPT_DESCRIBE];
	struct cands c;
	char *empty[] = { "", NULL };

	if (line) {
		const char *pt = opt_get(opts, COMPLETE_OPT_POINT);
		size_t len = strlen(line), point = len;
		struct tok_line t;
		char **words;
		int n = 0;

		if (pt) {
			char *end;
			unsigned long v = strtoul(pt, &end, 10);

			if (*end || end == pt)
				return err_usage("__complete: --point needs a number");
			point = v < len ? v : len;
		}
		tok_split(line, point, &t);
		words = calloc((size_t)t.n + 2, sizeof(*words));
		if (!words)
			abort();
		/* Drop the program's name. */
		for (int i = 1; i < t.n; i++)
			words[n++] = t.w[i].text;
		if (!t.in_word || !t.n)
			words[n++] = "";
		if (t.n == 0 || (t.n == 1 && t.in_word) || t.in_comment)
			memset(&c, 0, sizeof(c));
		else
			complete_words(ctx, n, words, 0, &c);
		free(words);
		tok_free(&t);
	} else if (argc == 0) {
		complete_words(ctx, 1, empty, 0, &c);
	} else {
		complete_words(ctx, argc, argv, 0, &c);
	}
	for (int i = 0; i < c.n; i++) {
		sb_adds(&ctx->out.buf, c.v[i].word);
		if (describe && c.v[i].desc) {
			sb_addc(&ctx->out.buf, '\t');
			for (const char *p = c.v[i].desc; *p; p++)
				sb_addc(&ctx->out.buf, *p == '\n' || *p == '\t' ? ' ' : *p);
		}
		sb_addc(&ctx->out.buf, '\n');
	}
	out_flush(&ctx->out);
	cands_free(&c);
	return EXIT_OK;
}

/* ---- synopsis and the man page's generated reference ---- */

const struct opt_spec synopsis_opts[] = {
	[SYNOPSIS_OPT_MDOC] = { "mdoc", 0, NULL,
				"the man page's generated command reference (mdoc)" },
	{ NULL },
};

static bool is_abbrev_end(const char *s, size_t i)
{
	static const char *const abbr[] = { "e.g", "i.e", "etc", "vs", "cf", NULL };

	for (int k = 0; abbr[k]; k++) {
		size_t n = strlen(abbr[k]);

		if (i >= n && !strncmp(s + i - n, abbr[k], n) &&
		    (i == n || s[i - n - 1] == ' ' || s[i - n - 1] == '('))
			return true;
	}
	return false;
}

/* Prose for mdoc text lines: escapes, no leading '.' or '\'', each
 * sentence on a line of its own and lines kept under 80 bytes. */
static void mdoc_text(struct strbuf *sb, const char *s, size_t n)
{
	size_t col = 0, i = 0;

	while (i < n) {
		size_t w = i, e;
		bool sentence;

		while (w < n && s[w] != ' ')
			w++;
		/* the word s[i..w) */
		if (col && col + (w - i) > 76) {
			sb_addc(sb, '\n');
			col = 0;
		}
		if (col)
			sb_addc(sb, ' '), col++;
		if (!col && (s[i] == '.' || s[i] == '\''))
			sb_adds(sb, "\\&");
		for (size_t k = i; k < w; k++) {
			if (s[k] == '\\')
				sb_adds(sb, "\\e");
			else
				sb_addc(sb, s[k]);
			col++;
		}
		e = w;
		while (e > i && strchr(")\"']", s[e - 1]))
			e--;
		sentence = e > i && strchr(".?!", s[e - 1]) && w < n;
		if (sentence && s[e - 1] == '.' && is_abbrev_end(s, e - 1)) {
			sb_adds(sb, "\\&");
			sentence = false;
		}
		if (sentence) {
			sb_addc(sb, '\n');
			col = 0;
		}
		i = w;
		while (i < n && s[i] == ' ')
			i++;
	}
	if (col)
		sb_addc(sb, '\n');
}

/* A one-line help or summary as a sentence: capitalized, with a period. */
static void mdoc_sentence(struct strbuf *sb, const char *s)
{
	struct strbuf t = STRBUF_INIT;

	sb_adds(&t, s);
	if (t.len && islower((unsigned char)t.buf[0]))
		t.buf[0] = (char)toupper((unsigned char)t.buf[0]);
	if (t.len && t.buf[t.len - 1] != '.')
		sb_addc(&t, '.');
	mdoc_text(sb, t.buf, t.len);
	sb_free(&t);
}

/* One word as a macro argument: quoted when it could be read as a macro
 * or a delimiter. */
static void mdoc_arg(struct strbuf *sb, const char *s, size_t n)
{
	sb_adds(sb, " \\&");
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			sb_adds(sb, "\\e");
		else if (s[i] == '-')
			sb_adds(sb, "\\-");
		else if (s[i] == '"')
			sb_adds(sb, "\\(dq");
		else
			sb_addc(sb, s[i]);
	}
	sb_adds(sb, "\\&");
}

static void mdoc_opt_synopsis(struct strbuf *sb, const struct opt_spec *o)
{
	sb_adds(sb, " Oo Fl \\-");
	sb_adds(sb, o->name);
	if (o->arg) {
		if (o->choices) {
			sb_adds(sb, " Cm");
			for (const char *const *c = o->choices; *c; c++) {
				if (c != o->choices)
					sb_adds(sb, " |");
				mdoc_arg(sb, *c, strlen(*c));
			}
		} else {
			sb_adds(sb, " Ar");
			mdoc_arg(sb, o->arg, strlen(o->arg));
		}
	}
	sb_adds(sb, " Oc");
	if (o->repeat)
		sb_adds(sb, " Ns No ...");
}

/* A synopsis args string ("[sort FIELD [asc|desc]]...") as mdoc. */
static void mdoc_args(struct strbuf *sb, const char *s)
{
	while (s && *s) {
		size_t n = 0;
		bool upper = false, lower = false;

		if (*s == ' ') {
			s++;
			continue;
		}
		if (*s == '[') {
			sb_adds(sb, " Oo");
			s++;
			continue;
		}
		if (*s == ']') {
			sb_adds(sb, " Oc");
			s++;
			continue;
		}
		if (*s == '|') {
			sb_adds(sb, " |");
			s++;
			continue;
		}
		if (!strncmp(s, "...", 3)) {
			sb_adds(sb, " Ns No ...");
			s += 3;
			continue;
		}
		/* A word: up to a blank, a closing bracket, a '|' or "...";
		 * a '[' inside a word (OUTER[KEY]) is part of it. */
		while (s[n] && s[n] != ' ' && s[n] != ']' && s[n] != '|' &&
		       strncmp(s + n, "...", 3)) {
			if (s[n] == '[') {
				const char *close = strchr(s + n, ']');

				if (!close)
					break;
				n = (size_t)(close - s) + 1;
				continue;
			}
			upper |= isupper((unsigned char)s[n]);
			lower |= islower((unsigned char)s[n]);
			n++;
		}
		if (!n) {
			s++;
			continue;
		}
		sb_adds(sb, lower && !upper && s[0] != '-' ? " Cm" : " Ar");
		mdoc_arg(sb, s, n);
		s += n;
	}
}

static void mdoc_description(struct strbuf *sb, const char *d)
{
	bool literal = false;

	while (d && *d) {
		const char *nl = strchr(d, '\n');
		size_t n = nl ? (size_t)(nl - d) : strlen(d);
		bool indented = n && (d[0] == ' ' || d[0] == '\t');

		if (indented && !literal) {
			if (sb->len >= 4 && !strcmp(sb->buf + sb->len - 4, ".Pp\n"))
				sb_trunc(sb, sb->len - 4);
			sb_adds(sb, ".Bd -literal -offset indent\n");
			literal = true;
		} else if (!indented && literal && n) {
			sb_adds(sb, ".Ed\n");
			literal = false;
		}
		if (!n) {
			if (!literal)
				sb_adds(sb, ".Pp\n");
		} else {
			const char *t = d;
			size_t tn = n;

			if (literal) {
				/* drop the common indentation */
				while (tn && (*t == ' ' || *t == '\t') && t - d < 4) {
					t++;
					tn--;
				}
			}
			while (tn && (t[tn - 1] == ' ' || t[tn - 1] == '\t'))
				tn--;
			if (literal) {
				if (tn && (*t == '.' || *t == '\''))
					sb_adds(sb, "\\&");
				for (size_t k = 0; k < tn; k++) {
					if (t[k] == '\\')
						sb_adds(sb, "\\e");
					else
						sb_addc(sb, t[k]);
				}
				sb_addc(sb, '\n');
			} else {
				mdoc_text(sb, t, tn);
			}
		}
		d += n;
		if (*d == '\n')
			d++;
	}
	if (literal)
		sb_adds(sb, ".Ed\n");
}

static void mdoc_opt_list(struct strbuf *sb, const struct opt_spec *opts)
{
	sb_adds(sb, ".Bl -tag -width Ds\n");
	for (const struct opt_spec *o = opts; o && o->name; o++) {
		sb_adds(sb, ".It");
		if (o->short_name)
			sb_addf(sb, " Fl %c ,", o->short_name);
		sb_addf(sb, " Fl \\-%s", o->name);
		if (o->arg) {
			sb_adds(sb, " Ar");
			mdoc_arg(sb, o->arg, strlen(o->arg));
		}
		sb_adds(sb, "\n");
		mdoc_sentence(sb, o->help);
		if (o->choices) {
			sb_adds(sb, "One of");
			for (const char *const *c = o->choices; *c; c++)
				sb_addf(sb, "%s\n.Cm %s", c == o->choices ? "" : " ,", *c);
			sb_adds(sb, " .\n");
		}
	}
	sb_adds(sb, ".El\n");
}

static void mdoc_cmd(struct strbuf *sb, const struct cmd *c, bool verb)
{
	sb_adds(sb, verb ? ".It Nm Ar MAP Cm" : ".It Nm Cm");
	mdoc_arg(sb, c->name, strlen(c->name));
	for (const struct opt_spec *o = c->opts; o && o->name; o++)
		mdoc_opt_synopsis(sb, o);
	mdoc_args(sb, c->args);
	sb_addc(sb, '\n');
	if (c->summary)
		mdoc_sentence(sb, c->summary);
	if (c->alias) {
		sb_adds(sb, "Alias:\n.Cm");
		mdoc_arg(sb, c->alias, strlen(c->alias));
		sb_adds(sb, " .\n");
	}
	if (c->description && *c->description) {
		sb_adds(sb, ".Pp\n");
		mdoc_description(sb, c->description);
	}
	if (c->opts && c->opts->name)
		mdoc_opt_list(sb, c->opts);
}

static void mdoc_session_cmd(struct strbuf *sb, const struct cmd *c)
{
	sb_adds(sb, ".It Ic");
	mdoc_arg(sb, c->name, strlen(c->name));
	mdoc_args(sb, c->args);
	sb_addc(sb, '\n');
	mdoc_sentence(sb, c->summary);
	if (c->alias) {
		sb_adds(sb, "Alias:\n.Ic");
		mdoc_arg(sb, c->alias, strlen(c->alias));
		sb_adds(sb, " .\n");
	}
}

static void synopsis_mdoc(struct strbuf *sb)
{
	sb_adds(sb, ".\\\" BEGIN GENERATED: 'make man' writes this part from the command tables\n"
		    ".\\\" (mapsh __synopsis --mdoc); edit the tables, not this text.\n"
		    ".Sh OPTIONS\n"
		    "Global options go before or after the command.\n");
	mdoc_opt_list(sb, cmd_tables.globals);
	sb_adds(sb, ".Sh COMMANDS\n.Bl -tag -width Ds\n");
	for (const struct cmd *c = cmd_tables.top; c->name; c++)
		if (!(c->flags & CMD_HIDDEN))
			mdoc_cmd(sb, c, false);
	sb_adds(sb, ".El\n.Ss Map verbs\n"
		    "The verbs run on the map selected by\n.Ar MAP\n"
		    "(see\n.Sx MAP SELECTION ) .\n"
		    "A verb that the map's type does not support is refused with the list of\n"
		    "the verbs it does.\n");
	{
		const struct cmd *vt = verb_table();

		if (vt->name) {
			sb_adds(sb, ".Bl -tag -width Ds\n");
			for (const struct cmd *v = vt; v->name; v++) {
				if (v->flags & CMD_HIDDEN)
					continue;
				mdoc_cmd(sb, v, true);
				if (v->map_types) {
					bool first = true;

					sb_adds(sb, "Map types:");
					for (unsigned t = 0; t < 64; t++) {
						const char *name;

						if (!((v->map_types >> t) & 1))
							continue;
						name = map_type_str(t);
						sb_addf(sb, "%s\n.Cm %s", first ? "" : " ,",
							name);
						first = false;
					}
					sb_adds(sb, " .\n");
				}
			}
			sb_adds(sb, ".El\n");
		}
	}
	sb_adds(sb, ".Ss Session commands\n"
		    "In the shell and in scripts, lines starting with a dot change the\n"
		    "session's defaults:\n.Bl -tag -width Ds\n");
	for (const struct cmd *c = session_cmds; c->name; c++)
		mdoc_session_cmd(sb, c);
	sb_adds(sb, ".El\n.\\\" END GENERATED\n");
}

int do_synopsis(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv)
{
	struct strbuf *sb = &ctx->out.buf;

	if (argc)
		return err_usage("__synopsis takes no arguments");
	if (opts->count[SYNOPSIS_OPT_MDOC]) {
		synopsis_mdoc(sb);
		out_flush(&ctx->out);
		return EXIT_OK;
	}
	for (const struct cmd *c = cmd_tables.top; c->name; c++) {
		if (c->flags & CMD_HIDDEN)
			continue;
		sb_adds(sb, "mapsh ");
		cmd_synopsis(c, sb);
		sb_addc(sb, '\n');
	}
	for (const struct cmd *v = verb_table(); v->name; v++) {
		if (v->flags & CMD_HIDDEN)
			continue;
		sb_adds(sb, "mapsh MAP ");
		cmd_synopsis(v, sb);
		sb_addc(sb, '\n');
	}
	for (const struct cmd *c = session_cmds; c->name; c++) {
		cmd_synopsis(c, sb);
		sb_addc(sb, '\n');
	}
	out_flush(&ctx->out);
	return EXIT_OK;
}
