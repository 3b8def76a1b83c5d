// SPDX-License-Identifier: GPL-2.0
/* tval_plan: compile a BTF type into a plan (see tval.h): a pre-order node
 * tree for the formatter/parser and a flat leaf list for filters, sorting
 * and table columns. All BTF lookups, names and formats are settled here so
 * the per-record code only follows offsets. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "tval/tval_int.h"

#define MAX_DEPTH 32		/* nested structs/arrays */
#define MAX_NODES (1u << 18)	/* arrays of structs expand per element */
#define NONE_IDX UINT32_MAX

/* -------------------------------------------------------------- builder */

struct builder {
	const struct btf *btf;
	struct tv_tags *tags;
	unsigned flags;
	struct tv_plan *p;
	struct strbuf *err;
	struct strbuf path;
	uint32_t ncap, lcap;
	struct ecache {
		const struct btf_type *t;
		struct tv_enum_tab *tab;
	} *ec;
	uint32_t nec;
	int depth;
	uint32_t ptr_size;
	struct tv_as *as;	/* user formats (--as), nas of them */
	unsigned nas;
	bool failed;		/* the first failure's message is kept */
};

static int fail(struct builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct builder *b, const char *fmt, ...)
{
	va_list ap;

	if (b->err && !b->failed) {
		va_start(ap, fmt);
		sb_vaddf(b->err, fmt, ap);
		va_end(ap);
	}
	b->failed = true;
	return -1;
}

/* A tag that could not apply: kept in the plan's notes (never silent),
 * the leaf shown as its type says. */
static void note(struct builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct builder *b, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (b->p->notes)
		sb_adds(&sb, b->p->notes);
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	sb_addc(&sb, '\n');
	free(b->p->notes);
	b->p->notes = strdup(sb_str(&sb));
	if (!b->p->notes)
		abort();
	sb_free(&sb);
}

static const char *field_name(const struct builder *b)
{
	return b->path.len ? sb_str((struct strbuf *)&b->path) : b->p->type_name;
}

static void *grow(void *arr, uint32_t *cap, uint32_t need, size_t elsz)
{
	uint32_t c = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return arr;
	while (c < need)
		c *= 2;
	p = realloc(arr, (size_t)c * elsz);
	if (!p) {
		fprintf(stderr, "mapsh: out of memory\n");
		abort();
	}
	*cap = c;
	return p;
}

static const char *jquote(struct builder *b, const char *name, uint32_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	sb_add_json_str(&sb, name, strlen(name));
	s = tv_arena_strdup(&b->p->arena, sb_str(&sb));
	*len = (uint32_t)sb.len;
	sb_free(&sb);
	return s;
}

static uint32_t new_node(struct builder *b, uint32_t parent, int type,
			 const char *name, uint32_t off, uint32_t size,
			 bool padding, const char *type_name)
{
	struct tv_plan *p = b->p;
	struct tv_node *n;

	if (p->nnodes >= MAX_NODES) {
		fail(b, "%s is too large to display field by field",
		     p->type_name ? p->type_name : "type");
		return NONE_IDX;
	}
	p->nodes = grow(p->nodes, &b->ncap, p->nnodes + 1, sizeof(*n));
	n = &p->nodes[p->nnodes];
	memset(n, 0, sizeof(*n));
	n->type = (uint8_t)type;
	n->is_padding = padding;
	if (name) {
		n->name = tv_arena_strdup(&p->arena, tv_clean_name(&p->arena, name));
		n->name_len = (uint32_t)strlen(n->name);
		n->jname = jquote(b, n->name, &n->jname_len);
	}
	n->path = tv_arena_strdup(&p->arena, sb_str(&b->path));
	n->type_name = type_name;
	n->offset = off;
	n->size = size;
	n->leaf = NONE_IDX;
	if (parent != NONE_IDX)
		p->nodes[parent].nchild++;
	return p->nnodes++;
}

static void end_node(struct builder *b, uint32_t idx)
{
	b->p->nodes[idx].end = b->p->nnodes;
}

/* Leaf description collected by the callers of add_leaf(). */
struct leafspec {
	const char *name;		/* member name or NULL */
	const char *type_name;
	enum tv_kind kind;
	int fmt;
	uint64_t bit_off;		/* absolute, from the record start */
	uint32_t bit_size;		/* 0: not a bitfield */
	uint32_t elem_size;
	const uint32_t *dims;
	int ndims;
	uint32_t count;			/* product of dims (1 for scalars) */
	bool is_signed, padding, alt;
	int src;			/* enum tv_fmt_src */
	__u32 type_id;
	const struct tv_enum_tab *etab;
	int64_t hist_min;		/* linhist bounds */
	uint64_t hist_step;
};

static int add_leaf(struct builder *b, uint32_t parent,
		    const struct leafspec *s)
{
	struct tv_plan *p = b->p;
	struct tv_leaf *l;
	uint64_t off = s->bit_off / 8, size;
	uint32_t bit_offset = (uint32_t)(s->bit_off % 8), node;

	if (s->bit_size) {
		size = (bit_offset + s->bit_size + 7) / 8;
	} else {
		if (bit_offset)
			return fail(b, "%s: field '%s' is not byte aligned",
				    p->type_name, sb_str(&b->path));
		size = (uint64_t)s->elem_size * s->count;
	}
	if (off + size > p->size)
		return fail(b, "%s: field '%s' lies outside the %u-byte type",
			    p->type_name, sb_str(&b->path), p->size);

	node = new_node(b, parent, TV_N_LEAF, s->name, (uint32_t)off,
			(uint32_t)size, s->padding, s->type_name);
	if (node == NONE_IDX)
		return -1;
	end_node(b, node);
	p->leaves = grow(p->leaves, &b->lcap, p->nleaves + 1, sizeof(*l));
	l = &p->leaves[p->nleaves];
	memset(l, 0, sizeof(*l));
	l->name = p->nodes[node].path;
	l->type_name = s->type_name;
	l->offset = (uint32_t)off;
	l->size = (uint32_t)size;
	l->bit_offset = (uint8_t)(s->bit_size ? bit_offset : 0);
	l->bit_size = (uint8_t)s->bit_size;
	l->kind = s->kind;
	l->fmt = (enum tv_fmt)s->fmt;
	l->fmt_src = (uint8_t)(l->fmt == TV_FMT_NONE && s->src != TV_SRC_IGNORED
			       ? TV_SRC_TYPE : s->src);
	l->type_id = s->type_id;
	l->is_padding = s->padding;
	l->is_signed = s->is_signed;
	l->in_union_alt = s->alt;
	l->elem_size = s->elem_size;
	l->nelems = s->count;
	l->ndims = (uint8_t)s->ndims;
	for (int i = 0; i < s->ndims; i++)
		l->dims[i] = s->dims[i];
	l->etab = s->etab;
	if (l->fmt == TV_FMT_LINHIST) {
		l->hist_min = s->hist_min;
		l->hist_step = s->hist_step ? s->hist_step : 1;
	}
	/* An untagged array named slots is libbpf-tools' struct hist, filled
	 * with floor(log2 v); tagged or named otherwise, bcc's and bpftrace's
	 * bit length. */
	if (l->fmt == TV_FMT_LOG2HIST && l->fmt_src == TV_SRC_GUESS) {
		const char *dot = strrchr(s->name, '.');

		l->hist_floor = !strcmp(dot ? dot + 1 : s->name, "slots");
	}
	p->nodes[node].leaf = p->nleaves++;
	return 0;
}

static const struct tv_enum_tab *enum_tab(struct builder *b,
					  const struct tv_rtype *r,
					  const char *type_name)
{
	struct tv_enum_tab *tab;
	struct ecache *old;

	for (uint32_t i = 0; i < b->nec; i++)
		if (b->ec[i].t == r->t)
			return b->ec[i].tab;
	tab = tv_enum_tab_new(&b->p->arena, b->btf, r->t, type_name);
	/* Grown by copying inside the arena: enums per plan are few. */
	old = b->ec;
	b->ec = tv_arena_alloc(&b->p->arena, (b->nec + 1) * sizeof(*b->ec));
	if (b->nec)
		memcpy(b->ec, old, b->nec * sizeof(*b->ec));
	b->ec[b->nec].t = r->t;
	b->ec[b->nec].tab = tab;
	b->nec++;
	return tab;
}

static bool is_char_elem(struct builder *b, const struct tv_rtype *er)
{
	const char *n;

	/* bpftool's rule: a typedef (like __u8) is never a string. */
	if (er->typedef_name || !btf_is_int(er->t) || er->t->size != 1)
		return false;
	if (btf_int_encoding(er->t) & BTF_INT_CHAR)
		return true;
	n = btf__name_by_offset(b->btf, er->t->name_off);
	return n && (!strcmp(n, "char") || !strcmp(n, "signed char") ||
		     !strcmp(n, "unsigned char"));
}

/* Fill s->kind etc. for a scalar element type; false if it is not one. */
static bool scalar_kind(struct builder *b, const struct tv_rtype *er,
			bool in_array, struct leafspec *s)
{
	const struct btf_type *t = er->t;
	uint32_t sz = t->size;

	s->type_id = er->id;
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		unsigned enc = btf_int_encoding(t);

		s->elem_size = sz;
		if (sz != 1 && sz != 2 && sz != 4 && sz != 8 && sz != 16)
			s->kind = TV_KIND_BYTES;
		else if (enc & BTF_INT_BOOL)
			s->kind = TV_KIND_BOOL;
		else if (in_array && is_char_elem(b, er))
			s->kind = TV_KIND_CHAR;
		else
			s->kind = (enc & BTF_INT_SIGNED) ? TV_KIND_SINT
							 : TV_KIND_UINT;
		s->is_signed = (enc & BTF_INT_SIGNED) != 0;
		/* Old-style bitfields: the INT itself carries offset/bits. */
		if (!in_array && s->kind != TV_KIND_BYTES &&
		    (btf_int_offset(t) || btf_int_bits(t) != sz * 8)) {
			uint32_t bits = btf_int_bits(t);

			s->bit_off += btf_int_offset(t);
			if (!s->bit_size || s->bit_size > bits)
				s->bit_size = bits;
		}
		return true;
	}
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		s->elem_size = sz;
		if (sz != 1 && sz != 2 && sz != 4 && sz != 8) {
			s->kind = TV_KIND_BYTES;
			return true;
		}
		s->kind = TV_KIND_ENUM;
		s->is_signed = tv_enum_signed(t);
		s->etab = enum_tab(b, er, s->type_name);
		return true;
	case BTF_KIND_FLOAT:
		s->elem_size = sz;
		s->kind = (sz == 4 || sz == 8) ? TV_KIND_FLOAT : TV_KIND_BYTES;
		return true;
	case BTF_KIND_PTR:
		s->elem_size = b->ptr_size;
		s->kind = TV_KIND_PTR;
		return true;
	default:
		return false;
	}
}

/* A format on the leaf it landed on, or none (noted) where it does not
 * fit (the format table says which leaves each fits). */
static int check_fmt(struct builder *b, struct leafspec *s, bool tagged)
{
	if (tv_fmt_fits(s->fmt, s->kind, s->elem_size, s->bit_size,
			(uint32_t)s->ndims, s->count))
		return s->fmt;
	if (s->src == TV_SRC_OPTION)
		return fail(b, "%s needs %s, not a %u-byte %s%s",
			    tv_fmt_name(s->fmt), tv_fmt_fits_text(s->fmt),
			    s->elem_size,
			    s->type_name ? s->type_name : "field",
			    s->bit_size ? " bitfield" : "");
	if (tagged) {
		s->src = TV_SRC_IGNORED;
		note(b, "field '%s': mapsh:%s needs %s, not a %u-byte %s%s: shown as its type says",
		     field_name(b), tv_fmt_name(s->fmt), tv_fmt_fits_text(s->fmt),
		     s->elem_size, s->type_name ? s->type_name : "field",
		     s->bit_size ? " bitfield" : "");
	}
	return TV_FMT_NONE;
}

static int add_resolved(struct builder *b, uint32_t parent, const char *name,
			const struct tv_rtype *r, uint64_t bit_off,
			uint32_t bsz, int fmt, bool padding, bool alt);

static int add_value(struct builder *b, uint32_t parent, const char *name,
		     __u32 type_id, uint64_t bit_off, uint32_t bsz, int mtag,
		     bool padding, bool alt)
{
	struct tv_rtype r;
	int fmt = -1;

	if (tv_resolve(b->btf, b->tags, type_id, &r))
		return fail(b, "malformed BTF: bad type id %u", type_id);
	if (!(b->flags & TV_NO_TAGS))
		fmt = mtag >= 0 ? mtag : r.tag_fmt;
	return add_resolved(b, parent, name, &r, bit_off, bsz, fmt, padding,
			    alt);
}

static int add_members(struct builder *b, uint32_t parent,
		       const struct tv_rtype *r, uint64_t base, bool padding,
		       bool alt)
{
	const struct btf_type *t = r->t;
	const struct btf_member *m = btf_members(t);
	bool is_union = btf_is_union(t);

	for (__u16 i = 0; i < btf_vlen(t); i++) {
		const char *mname = btf__name_by_offset(b->btf, m[i].name_off);
		uint64_t boff = base + btf_member_bit_offset(t, i);
		uint32_t bsz = btf_member_bitfield_size(t, i);
		bool malt = alt || (is_union && i > 0);
		int tag = tv_tags_fmt(b->tags, r->id, i);
		size_t plen = b->path.len;
		int err;

		if (!mname || !*mname) {
			struct tv_rtype mr;

			if (tv_resolve(b->btf, b->tags, m[i].type, &mr))
				return fail(b, "malformed BTF: bad member type");
			/* Anonymous struct/union: its members belong to us,
			 * as in C. Unnamed bitfields are padding: no leaf. */
			if (btf_is_composite(mr.t) && !bsz) {
				if (++b->depth > MAX_DEPTH)
					return fail(b, "%s nests too deeply",
						    b->p->type_name);
				err = add_members(b, parent, &mr, boff, padding,
						  malt);
				b->depth--;
				if (err)
					return err;
			}
			continue;
		}
		if (plen)
			sb_addc(&b->path, '.');
		sb_adds(&b->path, tv_clean_name(&b->p->arena, mname));
		err = add_value(b, parent, mname, m[i].type, boff, bsz,
				(b->flags & TV_NO_TAGS) ? -1 : tag,
				padding || tv_is_pad_name(mname), malt);
		sb_trunc(&b->path, plen);
		if (err)
			return err;
	}
	return 0;
}

/* A global data section (.data, .bss, .rodata, .kconfig: the value of the
 * map libbpf makes for it) is a struct whose members are its variables,
 * each at the offset the section gives. Bytes between variables belong to
 * none: they are the holes of this struct. */
static int add_section(struct builder *b, const struct tv_rtype *r)
{
	const struct btf_var_secinfo *v = btf_var_secinfos(r->t);
	uint32_t node = new_node(b, NONE_IDX, TV_N_STRUCT, NULL, 0, r->t->size,
				 false, b->p->type_name);

	if (node == NONE_IDX)
		return -1;
	for (__u16 i = 0; i < btf_vlen(r->t); i++) {
		const struct btf_type *vt = btf__type_by_id(b->btf, v[i].type);
		const char *vname;
		int err, tag;

		if (!vt || !btf_is_var(vt))
			return fail(b, "malformed BTF: %s holds a type that is no variable",
				    b->p->type_name);
		vname = btf__name_by_offset(b->btf, vt->name_off);
		if (!vname || !*vname)
			continue;
		tag = (b->flags & TV_NO_TAGS) ? -1
					      : tv_tags_fmt(b->tags, v[i].type, -1);
		sb_adds(&b->path, tv_clean_name(&b->p->arena, vname));
		err = add_value(b, node, vname, vt->type,
				(uint64_t)v[i].offset * 8, 0, tag, false, false);
		sb_trunc(&b->path, 0);
		if (err)
			return err;
	}
	end_node(b, node);
	return 0;
}

/* Arrays whose elements are structs (or other non-scalars): one node per
 * element, recursively per dimension. */
static int add_array_nodes(struct builder *b, uint32_t parent,
			   const char *name, const uint32_t *dims, int nd,
			   const struct tv_rtype *er, uint32_t elem_size,
			   uint64_t bit_off, bool padding, bool alt,
			   const char *type_name)
{
	uint64_t stride = elem_size;
	uint32_t node;

	for (int i = 1; i < nd; i++)
		stride *= dims[i];
	node = new_node(b, parent, TV_N_ARRAY, name, (uint32_t)(bit_off / 8),
			(uint32_t)(stride * dims[0]), padding, type_name);
	if (node == NONE_IDX)
		return -1;
	for (uint32_t i = 0; i < dims[0]; i++) {
		size_t plen = b->path.len;
		uint64_t eoff = bit_off + (uint64_t)i * stride * 8;
		int err;

		sb_addf(&b->path, "[%u]", i);
		if (nd > 1)
			err = add_array_nodes(b, node, NULL, dims + 1, nd - 1,
					      er, elem_size, eoff, padding,
					      alt, type_name);
		else
			err = add_resolved(b, node, NULL, er, eoff, 0, -1,
					   padding, alt);
		sb_trunc(&b->path, plen);
		if (err)
			return err;
	}
	end_node(b, node);
	return 0;
}

static int add_resolved(struct builder *b, uint32_t parent, const char *name,
			const struct tv_rtype *r, uint64_t bit_off,
			uint32_t bsz, int fmt, bool padding, bool alt)
{
	struct leafspec s = {
		.name = name, .bit_off = bit_off, .bit_size = bsz,
		.count = 1, .padding = padding, .alt = alt,
	};
	struct tv_rtype er = *r;
	uint32_t dims[TV_MAX_DIMS];
	int nd = 0, be_bytes = r->be_bytes;
	uint64_t count = 1, size;
	uint32_t w;
	bool tagged;

	if (fmt >= TV_TAG_LIN) {
		tv_tags_lin(b->tags, fmt, &s.hist_min, &s.hist_step);
		fmt = TV_FMT_LINHIST;
	}
	if (fmt >= TV_TAG_UNKNOWN) {
		struct strbuf known = STRBUF_INIT;

		tv_fmt_list(&known);
		note(b, "field '%s': mapsh:%s is no display format (the formats: %s)",
		     field_name(b), tv_tags_name(b->tags, fmt), sb_str(&known));
		sb_free(&known);
		fmt = -1;
		s.src = TV_SRC_IGNORED;
	}
	if (fmt >= 0)
		s.src = TV_SRC_TAG;
	for (unsigned k = 0; k < b->nas; k++) {
		if (strcmp(b->as[k].path, sb_str(&b->path)))
			continue;
		b->as[k].hit = true;
		fmt = b->as[k].fmt;
		if (fmt == TV_FMT_LINHIST) {
			s.hist_min = b->as[k].lin_min;
			s.hist_step = b->as[k].lin_step;
		}
		s.src = TV_SRC_OPTION;
	}
	tagged = fmt >= 0;	/* (a format guessed from a name fits, or none) */
	int err = 0;

	if (++b->depth > MAX_DEPTH) {
		b->depth--;
		return fail(b, "%s nests too deeply", b->p->type_name);
	}
	/* Peel array dimensions: int m[2][3] is one leaf with dims {2,3}. */
	while (btf_is_array(er.t)) {
		const struct btf_array *arr = btf_array(er.t);
		struct tv_rtype nx;

		if (nd == TV_MAX_DIMS || tv_resolve(b->btf, b->tags, arr->type,
						    &nx)) {
			err = fail(b, nd == TV_MAX_DIMS
				   ? "%s: array '%s' has more than 8 dimensions"
				   : "%s: unsupported array in '%s'",
				   b->p->type_name, sb_str(&b->path));
			goto out;
		}
		dims[nd++] = arr->nelems;
		count *= arr->nelems;
		if (count > UINT32_MAX)
			count = UINT32_MAX;
		if (fmt < 0 && nx.tag_fmt >= 0 && !(b->flags & TV_NO_TAGS)) {
			fmt = nx.tag_fmt;
			if (fmt >= TV_TAG_LIN) {
				tv_tags_lin(b->tags, fmt, &s.hist_min, &s.hist_step);
				fmt = TV_FMT_LINHIST;
			}
			if (fmt >= TV_TAG_UNKNOWN) {
				note(b, "field '%s': mapsh:%s is no display format",
				     field_name(b), tv_tags_name(b->tags, fmt));
				fmt = -1;
				s.src = TV_SRC_IGNORED;
			}
			tagged = fmt >= 0;
			if (tagged)
				s.src = TV_SRC_TAG;
		}
		if (nx.be_bytes)
			be_bytes = nx.be_bytes;
		er = nx;
	}
	if (!count)
		goto out;	/* flexible/zero-length array: no bytes */
	s.type_name = tv_type_name(&b->p->arena, b->btf, &er);
	if (btf_is_ptr(er.t)) {
		size = b->ptr_size;
	} else {
		__s64 sz = btf__resolve_size(b->btf, er.id);

		if (sz < 0 || btf_is_fwd(er.t) || btf_is_func(er.t) ||
		    btf_is_void(er.t)) {
			err = fail(b, "%s has no size (%s '%s')",
				   b->p->type_name ? b->p->type_name : s.type_name,
				   s.type_name, sb_str(&b->path));
			goto out;
		}
		size = (uint64_t)sz;
	}
	s.elem_size = (uint32_t)size;
	if (size * count > b->p->size) {
		err = fail(b, "%s: field '%s' lies outside the %u-byte type",
			   b->p->type_name, sb_str(&b->path), b->p->size);
		goto out;
	}

	if (fmt < 0 && !(b->flags & (TV_RAW | TV_NO_TAGS)) && !bsz) {
		const char *sn = btf__name_by_offset(b->btf, er.t->name_off);
		struct tv_shape sh = {
			.name = name, .size = (uint32_t)(size * count),
			.is_int = btf_is_int(er.t) && !nd, .is_array = nd > 0,
			.elem_size = (uint32_t)size, .be_bytes = be_bytes,
			.elem_is_int = btf_is_int(er.t),
			.is_in6 = btf_is_struct(er.t) && size == 16 && sn &&
				  !strcmp(sn, "in6_addr"),
			.type_name = btf_is_composite(er.t) ? sn : NULL,
		};
		bool known;

		fmt = tv_fallback_fmt(&sh, &known);
		if (fmt != TV_FMT_NONE)
			s.src = known ? TV_SRC_KNOWN : TV_SRC_GUESS;
	}
	if (fmt < 0)
		fmt = TV_FMT_NONE;
	s.fmt = fmt;

	/* Addresses are single values whatever C type holds them. */
	w = tv_fmt_info(fmt)->addr_width;
	if (w && !bsz && (size * count == w || size == w)) {
		s.kind = TV_KIND_BYTES;
		if (size * count == w) {
			s.elem_size = w;
		} else {
			s.dims = dims;
			s.ndims = nd;
			s.count = (uint32_t)count;
		}
		s.type_id = er.id;
		err = add_leaf(b, parent, &s);
		goto out;
	}
	if (w) {
		if (s.src == TV_SRC_OPTION) {
			err = fail(b, "%s needs %s, not the %llu bytes of %s",
				   tv_fmt_name(fmt), tv_fmt_fits_text(fmt),
				   (unsigned long long)(size * count),
				   s.type_name);
			goto out;
		}
		if (tagged)
			s.src = TV_SRC_IGNORED;
		if (tagged)
			note(b, "field '%s': mapsh:%s needs %s, not %llu: shown as its type says",
			     field_name(b), tv_fmt_name(fmt), tv_fmt_fits_text(fmt),
			     (unsigned long long)(size * count));
		s.fmt = fmt = TV_FMT_NONE;
	}
	/* hex on a struct, a byte array or a float: one blob. */
	if (fmt == TV_FMT_HEX && !bsz &&
	    (btf_is_composite(er.t) || btf_is_float(er.t) ||
	     (nd && size == 1))) {
		s.kind = TV_KIND_BYTES;
		s.elem_size = (uint32_t)(size * count);
		s.type_id = er.id;
		err = add_leaf(b, parent, &s);
		goto out;
	}
	if (scalar_kind(b, &er, nd > 0, &s)) {
		if (nd && s.bit_size) {
			err = fail(b, "%s: bitfield array '%s'",
				   b->p->type_name, sb_str(&b->path));
			goto out;
		}
		if (s.bit_size && s.kind == TV_KIND_BYTES) {
			err = fail(b, "%s: unsupported bitfield '%s'",
				   b->p->type_name, sb_str(&b->path));
			goto out;
		}
		/* A full-width, aligned "bitfield" is a plain field. */
		if (s.bit_size == s.elem_size * 8 && !(s.bit_off % 8))
			s.bit_size = 0;
		if (s.bit_size > 128) {
			err = fail(b, "%s: bitfield '%s' too wide",
				   b->p->type_name, sb_str(&b->path));
			goto out;
		}
		s.dims = dims;
		s.ndims = nd;
		s.count = (uint32_t)count;
		s.fmt = check_fmt(b, &s, tagged);
		if (s.fmt < 0) {
			err = -1;
			goto out;
		}
		err = add_leaf(b, parent, &s);
		goto out;
	}
	if (s.src == TV_SRC_OPTION && fmt != TV_FMT_NONE) {
		err = fail(b, "%s needs %s, not %s", tv_fmt_name(fmt),
			   tv_fmt_fits_text(fmt), s.type_name);
		goto out;
	}
	if (bsz) {
		err = fail(b, "%s: unsupported bitfield '%s'",
			   b->p->type_name, sb_str(&b->path));
		goto out;
	}
	if (nd) {
		err = add_array_nodes(b, parent, name, dims, nd, &er,
				      (uint32_t)size, bit_off, padding, alt,
				      s.type_name);
		goto out;
	}
	if (bit_off % 8) {
		err = fail(b, "%s: field '%s' is not byte aligned",
			   b->p->type_name, sb_str(&b->path));
		goto out;
	}
	if (btf_is_datasec(er.t) && parent == NONE_IDX) {
		err = add_section(b, &er);
		goto out;
	}
	if (btf_is_composite(er.t)) {
		uint32_t node = new_node(b, parent,
					 btf_is_union(er.t) ? TV_N_UNION
							    : TV_N_STRUCT,
					 name, (uint32_t)(bit_off / 8),
					 (uint32_t)size, padding, s.type_name);

		if (node == NONE_IDX) {
			err = -1;
			goto out;
		}
		err = add_members(b, node, &er, bit_off, padding, alt);
		end_node(b, node);
		goto out;
	}
	err = fail(b, "%s: cannot display '%s' (%s)", b->p->type_name,
		   sb_str(&b->path), s.type_name);
out:
	b->depth--;
	return err;
}

/* ----------------------------------------------------------------- plan */

static void finalize(struct tv_plan *p)
{
	uint32_t base = 0;

	p->npositional = 0;
	for (uint32_t i = 0; i < p->nleaves; i++) {
		struct tv_leaf *l = &p->leaves[i];

		l->plan = p;
		l->elem_base = base;
		base += l->nelems;
		if (!l->is_padding && !l->in_union_alt)
			p->npositional++;
	}
	p->nelems = base;
}

struct tv_plan *tv_plan_new(const struct btf *btf, __u32 type_id,
			    unsigned flags, struct strbuf *err)
{
	return tv_plan_new_as(btf, type_id, flags, NULL, 0, err);
}

struct tv_plan *tv_plan_new_as(const struct btf *btf, __u32 type_id,
			       unsigned flags, struct tv_as *as, unsigned nas,
			       struct strbuf *err)
{
	struct builder b = { .btf = btf, .flags = flags, .err = err,
			     .as = as, .nas = nas };
	struct tv_rtype r;
	struct tv_plan *p;
	__s64 size;
	int ret;

	if (!btf || tv_resolve(btf, NULL, type_id, &r)) {
		if (err)
			sb_addf(err, "no BTF type %u", type_id);
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	p->flags = flags;
	b.p = p;
	b.ptr_size = (uint32_t)btf__pointer_size(btf);
	if (b.ptr_size != 4 && b.ptr_size != 8)
		b.ptr_size = 8;
	p->type_name = tv_type_name(&p->arena, btf, &r);
	size = btf_is_ptr(r.t) ? b.ptr_size : btf__resolve_size(btf, type_id);
	if (size < 0 || btf_is_void(r.t) || btf_is_fwd(r.t) ||
	    btf_is_func(r.t) || btf_is_func_proto(r.t) || btf_is_var(r.t) ||
	    btf_is_decl_tag(r.t)) {
		fail(&b, "%s has no size", p->type_name);
		tv_plan_free(p);
		return NULL;
	}
	if (size > UINT32_MAX / 2) {
		fail(&b, "%s is too large", p->type_name);
		tv_plan_free(p);
		return NULL;
	}
	p->size = (uint32_t)size;
	if (!(flags & TV_NO_TAGS))
		b.tags = tv_tags_new(btf);
	ret = add_value(&b, NONE_IDX, NULL, type_id, 0, 0, -1, false, false);
	tv_tags_free(b.tags);
	sb_free(&b.path);
	if (ret) {
		tv_plan_free(p);
		return NULL;
	}
	finalize(p);
	return p;
}

struct tv_plan *tv_plan_raw(uint32_t size)
{
	struct tv_plan *p = calloc(1, sizeof(*p));
	struct builder b = { .p = p };
	struct leafspec s = {
		.type_name = "raw", .kind = TV_KIND_BYTES, .elem_size = size,
		.count = 1,
	};

	if (!p)
		abort();
	p->raw = true;
	p->size = size;
	p->type_name = "raw";
	add_leaf(&b, NONE_IDX, &s);
	sb_free(&b.path);
	finalize(p);
	return p;
}

/* Raw bytes the user says are an address (--as key=ipv4 on a map
 * without BTF): one leaf of that format, or NULL when none fits. */
struct tv_plan *tv_plan_raw_as(uint32_t size, struct tv_as *as, unsigned nas)
{
	struct tv_plan *p;

	for (unsigned k = 0; k < nas; k++) {
		if (*as[k].path || tv_fmt_info(as[k].fmt)->addr_width != size)
			continue;
		p = tv_plan_raw(size);
		p->raw = false;
		p->leaves[0].fmt = (enum tv_fmt)as[k].fmt;
		p->leaves[0].fmt_src = TV_SRC_OPTION;
		as[k].hit = true;
		return p;
	}
	return NULL;
}

/* ---- for a map: its BTF type if it fits, else raw bytes ---- */

struct tv_plan *tv_plan_for_map(const struct btf *btf, __u32 type_id,
				uint32_t size, unsigned flags)
{
	struct tv_plan *p = NULL, *raw;
	struct strbuf err = STRBUF_INIT;

	if (btf && type_id)
		p = tv_plan_new(btf, type_id, flags, &err);
	if (p && p->size == size) {
		sb_free(&err);
		return p;
	}
	tv_plan_free(p);
	raw = tv_plan_raw(size);
	/* a type that cannot be shown field by field: say so (the notes
	 * are warned about once per command) */
	if (!p && err.len) {
		sb_adds(&err, ": shown as bytes");
		raw->notes = strdup(sb_str(&err));
	}
	sb_free(&err);
	return raw;
}

void tv_plan_free(struct tv_plan *p)
{
	if (!p)
		return;
	free(p->nodes);
	free(p->leaves);
	free(p->notes);
	tv_arena_free(p->arena);
	free(p);
}

/* ---- an array's index: a __u32 key that has no BTF ---- */

struct tv_plan *tv_plan_index(unsigned flags)
{
	/* One BTF for the process: plans point at its names. */
	static struct btf *btf;
	static __s32 id;

	if (!btf) {
		btf = btf__new_empty();
		if (!btf)
			abort();
		id = btf__add_int(btf, "__u32", 4, 0);
		if (id < 0)
			abort();
	}
	return tv_plan_for_map(btf, (__u32)id, 4, flags);
}
