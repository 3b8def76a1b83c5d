// SPDX-License-Identifier: GPL-2.0
/* tval_btf: the BTF reading that plan compilation needs: mapsh decl tags,
 * typedef/modifier chains, name fallbacks for untagged maps, enum tables
 * and the variable-tag helper. Runs once per plan, never per record. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "tval/tval_int.h"

#define TAG_PREFIX "mapsh:"

struct tv_tag {
	__u32 target;
	int comp;
	int fmt;
	const char *name;	/* what follows "mapsh:" */
	int64_t lin_min;	/* mapsh:linhist=MIN,STEP */
	uint64_t lin_step;
};

/* "linhist=MIN,STEP" (STEP >= 1) into min, step. */
bool tv_lin_spec(const char *s, int64_t *min, uint64_t *step)
{
	char *e;

	if (strncmp(s, "linhist=", 8))
		return false;
	s += 8;
	errno = 0;
	*min = strtoll(s, &e, 0);
	if (errno || e == s || *e != ',')
		return false;
	s = e + 1;
	if (*s == '-')
		return false;
	*step = strtoull(s, &e, 0);
	return !errno && e != s && !*e && *step >= 1;
}

struct tv_tags {
	uint32_t n;
	struct tv_tag v[];
};

struct tv_tags *tv_tags_new(const struct btf *btf)
{
	__u32 cnt = btf__type_cnt(btf);
	uint32_t n = 0;
	struct tv_tags *tags = NULL;

	/* Two passes: count, then fill; tags are few, types may be many. */
	for (int pass = 0; pass < 2; pass++) {
		if (pass) {
			tags = malloc(sizeof(*tags) + n * sizeof(tags->v[0]));
			if (!tags)
				return NULL;
			tags->n = 0;
		}
		for (__u32 id = 1; id < cnt; id++) {
			const struct btf_type *t = btf__type_by_id(btf, id);
			const char *val;
			int fmt;

			if (!t || !btf_is_decl_tag(t))
				continue;
			val = btf__name_by_offset(btf, t->name_off);
			if (!val || strncmp(val, TAG_PREFIX, strlen(TAG_PREFIX)))
				continue;
			/* mapsh:KEY=VALUE tags (record=...) are not formats;
			 * any other name that is no format is kept, for the
			 * plan to report. */
			int64_t lmin = 0;
			uint64_t lstep = 1;
			bool lin = tv_lin_spec(val + strlen(TAG_PREFIX), &lmin, &lstep);

			if (strchr(val, '=') && !lin)
				continue;
			fmt = lin ? TV_TAG_LIN : tv_fmt_from_name(val + strlen(TAG_PREFIX));
			if (!pass) {
				n++;
				continue;
			}
			tags->v[tags->n].lin_min = lmin;
			tags->v[tags->n].lin_step = lstep;
			if (fmt == TV_TAG_LIN)
				fmt = TV_TAG_LIN + (int)tags->n;
			else if (fmt < 0)
				fmt = TV_TAG_UNKNOWN + (int)tags->n;
			tags->v[tags->n].target = t->type;
			tags->v[tags->n].comp = btf_decl_tag(t)->component_idx;
			tags->v[tags->n].fmt = fmt;
			tags->v[tags->n].name = val + strlen(TAG_PREFIX);
			tags->n++;
		}
	}
	return tags;
}

const char *tv_tags_name(const struct tv_tags *tags, int code)
{
	uint32_t i = (uint32_t)(code - TV_TAG_UNKNOWN);

	return tags && code >= TV_TAG_UNKNOWN && i < tags->n ? tags->v[i].name : "?";
}

void tv_tags_lin(const struct tv_tags *tags, int code, int64_t *min,
		 uint64_t *step)
{
	uint32_t i = (uint32_t)(code - TV_TAG_LIN);

	*min = 0;
	*step = 1;
	if (tags && code >= TV_TAG_LIN && i < tags->n) {
		*min = tags->v[i].lin_min;
		*step = tags->v[i].lin_step;
	}
}

void tv_tags_free(struct tv_tags *tags)
{
	free(tags);
}

int tv_tags_fmt(const struct tv_tags *tags, __u32 id, int comp)
{
	if (!tags)
		return -1;
	for (uint32_t i = 0; i < tags->n; i++)
		if (tags->v[i].target == id && tags->v[i].comp == comp)
			return tags->v[i].fmt;
	return -1;
}

const char *tv_clean_name(struct tv_arena **a, const char *s)
{
	const char *p;
	char *c;

	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			break;
	if (!*p)
		return s;
	c = tv_arena_strdup(a, s);
	for (char *q = c; *q; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
			*q = '?';
	return c;
}

int tv_resolve(const struct btf *btf, const struct tv_tags *tags, __u32 id,
	       struct tv_rtype *r)
{
	r->typedef_name = NULL;
	r->tag_fmt = -1;
	r->be_bytes = 0;
	/* Bounded: a corrupt BTF could loop through modifiers. */
	for (int i = 0; i < 64; i++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *n;

		if (!t)
			return -1;
		if (btf_is_typedef(t)) {
			n = btf__name_by_offset(btf, t->name_off);
			if (n && *n && !r->typedef_name)
				r->typedef_name = n;
			if (r->tag_fmt < 0)
				r->tag_fmt = tv_tags_fmt(tags, id, -1);
			if (n && !r->be_bytes) {
				if (!strcmp(n, "__be16"))
					r->be_bytes = 2;
				else if (!strcmp(n, "__be32"))
					r->be_bytes = 4;
				else if (!strcmp(n, "__be64"))
					r->be_bytes = 8;
			}
			id = t->type;
			continue;
		}
		if (btf_is_mod(t)) {
			id = t->type;
			continue;
		}
		r->id = id;
		r->t = t;
		return 0;
	}
	return -1;
}

const char *tv_type_name(struct tv_arena **a, const struct btf *btf,
			 const struct tv_rtype *r)
{
	const char *n = btf__name_by_offset(btf, r->t->name_off);
	const char *kw = NULL;
	char *s;

	if (n)
		n = tv_clean_name(a, n);

	switch (btf_kind(r->t)) {
	case BTF_KIND_STRUCT: kw = "struct"; break;
	case BTF_KIND_UNION: kw = "union"; break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: kw = "enum"; break;
	case BTF_KIND_FWD: kw = btf_kflag(r->t) ? "union" : "struct"; break;
	case BTF_KIND_DATASEC: kw = "section"; break;
	default: break;
	}
	if (kw && n && *n) {
		/* "struct flow_key" reads better than a typedef of it. */
		s = tv_arena_alloc(a, strlen(kw) + strlen(n) + 2);
		strcpy(s, kw);
		strcat(s, " ");
		strcat(s, n);
		return s;
	}
	if (r->typedef_name)
		return tv_clean_name(a, r->typedef_name);
	if (kw) {
		s = tv_arena_alloc(a, strlen(kw) + 13);
		strcpy(s, "anonymous ");
		strcat(s, kw);
		return s;
	}
	if (n && *n)
		return n;
	switch (btf_kind(r->t)) {
	case BTF_KIND_PTR: return "pointer";
	case BTF_KIND_ARRAY: return "array";
	case BTF_KIND_FWD: return "incomplete type";
	default: return "void";
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcasecmp(s + ls - lx, suffix);
}

/* The word before "_ip" counts something (num_ip, nr_ip): no address. */
static bool is_count_word(const char *n, size_t len)
{
	static const char *const words[] = {
		"num", "n", "nr", "cnt", "count", "max", "min", "total",
		"len", "idx", "index", "no",
	};
	const char *w = n + len;

	while (w > n && w[-1] != '_')
		w--;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == (size_t)(n + len - w) &&
		    !strncasecmp(w, words[i], (size_t)(n + len - w)))
			return true;
	return false;
}

static bool is_addr_name(const char *n)
{
	static const char *const suffixes[] = {
		"addr", "_ip", "addr4", "addr6", "_ip4", "_ip6", "_ipv4",
		"_ipv6",
	};

	if (!strcasecmp(n, "saddr") || !strcasecmp(n, "daddr") ||
	    !strcasecmp(n, "src_ip") || !strcasecmp(n, "dst_ip") ||
	    !strcasecmp(n, "ip"))
		return true;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t ls = strlen(n), lx = strlen(suffixes[i]);

		if (!ends_with(n, suffixes[i]))
			continue;
		if (suffixes[i][0] == '_' && is_count_word(n, ls - lx))
			continue;
		return true;
	}
	return false;
}

/* "mac" as a word of the name: mac, src_mac, mac_addr, macaddr, dmac;
 * never inside another word (stomach, machine). */
static bool is_mac_name(const char *n)
{
	size_t len = strlen(n);

	if (!strcasecmp(n, "h_source") || !strcasecmp(n, "h_dest") ||
	    !strcasecmp(n, "ether_shost") || !strcasecmp(n, "ether_dhost") ||
	    !strcasecmp(n, "hwaddr") || ends_with(n, "_hwaddr") ||
	    !strcasecmp(n, "smac") || !strcasecmp(n, "dmac"))
		return true;
	for (const char *p = n; (p = strcasestr(p, "mac")); p++) {
		bool start = p == n || p[-1] == '_';
		const char *e = p + 3;
		bool end = !*e || *e == '_' || (*e >= '0' && *e <= '9') ||
			   !strncasecmp(e, "addr", 4);

		if (start && end && (size_t)(e - n) <= len)
			return true;
	}
	return false;
}

/* A struct that is one Ethernet address by its name. */
static bool is_eth_struct(const char *n)
{
	static const char *const names[] = {
		"ethaddr", "eth_addr", "ether_addr", "ethhw_addr", "mac_addr",
		"macaddr", "mac", "hwaddr", "eth_mac",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(n, names[i]))
			return true;
	return false;
}

enum tv_fmt tv_fallback_fmt(const struct tv_shape *s, bool *known)
{
	*known = true;
	if (s->is_in6)
		return TV_FMT_IPV6;
	if (s->type_name && s->size == 6 && !s->is_int && !s->is_array &&
	    is_eth_struct(s->type_name))
		return TV_FMT_MAC;
	*known = false;
	if (!s->name)
		return TV_FMT_NONE;
	if (is_addr_name(s->name)) {
		if (s->size == 4 && (s->is_int || s->is_array))
			return TV_FMT_IPV4;
		if (s->size == 16 && s->is_array &&
		    (s->elem_size == 1 || s->elem_size == 4))
			return TV_FMT_IPV6;
	}
	if (s->size == 6 && s->is_array && s->elem_size == 1 &&
	    is_mac_name(s->name))
		return TV_FMT_MAC;
	if (s->be_bytes == 2 && s->is_int && ends_with(s->name, "port"))
		return TV_FMT_PORT;
	if (s->is_array && s->elem_is_int && !s->be_bytes &&
	    tv_hist_name(s->name))
		return TV_FMT_LOG2HIST;	/* checked against the leaf later */
	*known = s->be_bytes != 0;	/* __be16/32/64 say so */
	return s->be_bytes ? TV_FMT_BE : TV_FMT_NONE;
}

bool tv_is_pad_name(const char *n)
{
	const char *p;

	if (!strncmp(n, "_pad", 4) || !strncmp(n, "__pad", 5))
		return true;
	if (!strcmp(n, "padding"))
		return true;
	if (strncmp(n, "pad", 3))
		return false;
	/* pad, pad0, pad_1, but not "padded_len" or "paddr" */
	p = n + 3;
	if (*p == '_')
		p++;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0' && (p == n + 3 || p[-1] != '_');
}

static int enum_cmp_u(const void *a, const void *b)
{
	const struct tv_enum_val *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int enum_cmp_s(const void *a, const void *b)
{
	const struct tv_enum_val *x = a, *y = b;

	if (x->value != y->value)
		return (int64_t)x->value < (int64_t)y->value ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Signed when BTF says so, or (clang 14 emits no signed flag) when a
 * 32-bit enumerator is negative: bpftool shows such values as -5 too. */
bool tv_enum_signed(const struct btf_type *t)
{
	if (btf_kflag(t))
		return true;
	if (!btf_is_enum(t))
		return false;
	for (uint32_t i = 0; i < btf_vlen(t); i++)
		if (btf_enum(t)[i].val < 0)
			return true;
	return false;
}

struct tv_enum_tab *tv_enum_tab_new(struct tv_arena **a,
				    const struct btf *btf,
				    const struct btf_type *t,
				    const char *type_name)
{
	struct tv_enum_tab *tab = tv_arena_alloc(a, sizeof(*tab));
	uint32_t n = btf_vlen(t), plen = 0;

	tab->type_name = type_name;
	tab->n = n;
	tab->is_signed = tv_enum_signed(t);
	tab->decl = tv_arena_alloc(a, (n ? n : 1) * sizeof(*tab->decl));
	tab->sorted = tv_arena_alloc(a, (n ? n : 1) * sizeof(*tab->sorted));
	for (uint32_t i = 0; i < n; i++) {
		struct tv_enum_val *v = &tab->decl[i];
		const char *name;

		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t) + i;

			name = btf__name_by_offset(btf, e->name_off);
			v->value = tab->is_signed ? (uint64_t)(int64_t)e->val
						  : (uint64_t)(uint32_t)e->val;
		} else {
			const struct btf_enum64 *e = btf_enum64(t) + i;

			name = btf__name_by_offset(btf, e->name_off);
			v->value = btf_enum64_value(e);
		}
		v->name = name ? tv_clean_name(a, name) : "";
		v->idx = i;
	}
	memcpy(tab->sorted, tab->decl, n * sizeof(*tab->sorted));
	/* Ties (aliases) break on declaration order: the first name wins. */
	qsort(tab->sorted, n, sizeof(*tab->sorted),
	      tab->is_signed ? enum_cmp_s : enum_cmp_u);

	/* Common prefix up to and including its last '_': FW_ALLOW, FW_DROP
	 * give "FW_", so "drop" is accepted on input. */
	if (n) {
		const char *first = tab->decl[0].name;

		plen = (uint32_t)strlen(first);
		for (uint32_t i = 1; i < n; i++) {
			uint32_t k = 0;

			while (k < plen && first[k] == tab->decl[i].name[k])
				k++;
			plen = k;
		}
		while (plen && first[plen - 1] != '_')
			plen--;
		/* Stripping must leave every name non-empty. */
		for (uint32_t i = 0; i < n; i++)
			if (strlen(tab->decl[i].name) <= plen)
				plen = 0;
	}
	tab->prefix_len = plen;
	return tab;
}

int tv_find_var_tag(const struct btf *btf, const char *var_name,
		    const char *prefix, char *out, size_t outlen)
{
	__u32 cnt = btf__type_cnt(btf);
	size_t plen = strlen(prefix);

	for (__u32 id = 1; id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *vs;

		if (!t || !btf_is_datasec(t))
			continue;
		vs = btf_var_secinfos(t);
		for (__u16 i = 0; i < btf_vlen(t); i++) {
			const struct btf_type *v = btf__type_by_id(btf, vs[i].type);
			const char *n;

			if (!v || !btf_is_var(v))
				continue;
			n = btf__name_by_offset(btf, v->name_off);
			if (!n || strcmp(n, var_name))
				continue;
			for (__u32 tid = 1; tid < cnt; tid++) {
				const struct btf_type *tt = btf__type_by_id(btf, tid);
				const char *val;
				size_t len;

				if (!tt || !btf_is_decl_tag(tt) ||
				    tt->type != vs[i].type ||
				    btf_decl_tag(tt)->component_idx != -1)
					continue;
				val = btf__name_by_offset(btf, tt->name_off);
				if (!val || strncmp(val, prefix, plen))
					continue;
				len = strlen(val + plen);
				if (len >= outlen)
					return -ENOSPC;
				memcpy(out, val + plen, len + 1);
				return 0;
			}
		}
	}
	return -ENOENT;
}
