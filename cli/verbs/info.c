// SPDX-License-Identifier: GPL-2.0
/* `mapsh MAP info`, with a small BTF to C declaration printer for the key
 * and value types: the named structs, unions and enums they are made of,
 * in dependency order, anonymous ones inline, mapsh:FMT tags as comments. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "base/err.h"
#include "verbs/map_verbs.h"
#include "map/mapiter.h"

/* ---- BTF to C ---- */

struct decl {
	const struct btf *btf;
	struct strbuf *sb;
	__u32 *order;		/* named composites to define, in order */
	size_t norder, cap;
	__u32 *seen;		/* visited ids (cycles through pointers) */
	size_t nseen, seen_cap;
};

static bool ids_has(const __u32 *v, size_t n, __u32 id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

static void ids_add(__u32 **v, size_t *n, size_t *cap, __u32 id)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		__u32 *x = realloc(*v, c * sizeof(*x));

		if (!x)
			return;
		*v = x;
		*cap = c;
	}
	(*v)[(*n)++] = id;
}

static const char *tname(const struct btf *btf, const struct btf_type *t)
{
	const char *n = btf__name_by_offset(btf, t->name_off);

	return n ? n : "";
}

static bool is_composite(const struct btf_type *t)
{
	return btf_is_composite(t) || btf_is_any_enum(t);
}

/* Collect the named composites under id (not through pointers). */
static void decl_visit(struct decl *d, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(d->btf, id);

	if (!t || !id || ids_has(d->seen, d->nseen, id))
		return;
	ids_add(&d->seen, &d->nseen, &d->seen_cap, id);
	if (btf_is_mod(t) || btf_is_typedef(t) || btf_is_type_tag(t)) {
		decl_visit(d, t->type);
		return;
	}
	if (btf_is_array(t)) {
		decl_visit(d, btf_array(t)->type);
		return;
	}
	if (btf_is_composite(t)) {
		const struct btf_member *m = btf_members(t);

		for (int i = 0; i < btf_vlen(t); i++, m++)
			decl_visit(d, m->type);
	}
	if (is_composite(t) && *tname(d->btf, t))
		ids_add(&d->order, &d->norder, &d->cap, id);
}

static void indent(struct strbuf *sb, int n)
{
	for (int i = 0; i < n; i++)
		sb_addc(sb, '\t');
}

static void body(struct decl *d, __u32 id, int ind);

/* "TYPE name[dims]" for a member or variable of type id. */
static void declarator(struct decl *d, __u32 id, const char *name, int ind)
{
	const struct btf *btf = d->btf;
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	char dims[128] = "";
	int stars = 0;
	bool is_const = false, is_volatile = false, func = false;

	while (t) {
		if (btf_is_array(t)) {
			size_t l = strlen(dims);

			snprintf(dims + l, sizeof(dims) - l, "[%u]", btf_array(t)->nelems);
			id = btf_array(t)->type;
		} else if (btf_is_ptr(t)) {
			stars++;
			id = t->type;
		} else if (btf_is_const(t)) {
			is_const = true;
			id = t->type;
		} else if (btf_is_volatile(t)) {
			is_volatile = true;
			id = t->type;
		} else if (btf_is_restrict(t) || btf_is_type_tag(t)) {
			id = t->type;
		} else if (btf_is_func_proto(t)) {
			func = true;
			break;
		} else {
			break;
		}
		t = id ? btf__type_by_id(btf, id) : NULL;
	}
	if (is_const)
		sb_adds(d->sb, "const ");
	if (is_volatile)
		sb_adds(d->sb, "volatile ");
	if (func) {
		/* ret (*name[dims])(params): the prototype as it is. */
		struct strbuf inner = STRBUF_INIT, *outer = d->sb;
		const struct btf_param *pa = btf_params(t);
		__u32 ret = t->type;

		sb_addf(&inner, "(%.*s%s%s)(", stars, "**********", name, dims);
		d->sb = &inner;
		for (int i = 0; i < btf_vlen(t); i++) {
			if (i)
				sb_adds(&inner, ", ");
			if (!pa[i].type && i == btf_vlen(t) - 1)
				sb_adds(&inner, "...");
			else
				declarator(d, pa[i].type,
					   btf__name_by_offset(btf, pa[i].name_off), ind);
		}
		if (!btf_vlen(t))
			sb_adds(&inner, "void");
		sb_addc(&inner, ')');
		d->sb = outer;
		declarator(d, ret, sb_str(&inner), ind);
		sb_free(&inner);
		return;
	}
	if (!t) {
		sb_adds(d->sb, "void");
	} else if (is_composite(t) && !*tname(btf, t)) {
		body(d, id, ind);	/* anonymous: inline */
	} else {
		switch (btf_kind(t)) {
		case BTF_KIND_STRUCT: sb_adds(d->sb, "struct "); break;
		case BTF_KIND_UNION: sb_adds(d->sb, "union "); break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64: sb_adds(d->sb, "enum "); break;
		case BTF_KIND_FWD: sb_adds(d->sb, btf_kflag(t) ? "union " : "struct "); break;
		default: break;
		}
		sb_adds(d->sb, tname(btf, t));
	}
	if (*name || stars)
		sb_addc(d->sb, ' ');
	for (int i = 0; i < stars; i++)
		sb_addc(d->sb, '*');
	sb_adds(d->sb, name);
	sb_adds(d->sb, dims);
}

/* mapsh:FMT tag of member comp of struct id, or NULL. */
static const char *member_tag(const struct btf *btf, __u32 id, int comp)
{
	__u32 n = btf__type_cnt(btf);

	for (__u32 i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *s;

		if (!btf_is_decl_tag(t) || t->type != id ||
		    btf_decl_tag(t)->component_idx != comp)
			continue;
		s = tname(btf, t);
		if (!strncmp(s, "mapsh:", 6))
			return s + 6;
	}
	return NULL;
}

/* The unnamed bitfield before a bitfield of type id and bits bits at bit
 * off, the members before it ending at bit end: "int :5;" or "int :0;". */
static void pad_bits(struct decl *d, __u32 id, __u64 end, __u64 off,
		     __u32 bits, int ind)
{
	__s64 sz = btf__resolve_size(d->btf, id);
	__u64 unit = 8 * (__u64)(sz > 0 ? sz : 4), natural, next;

	next = (end + unit - 1) / unit * unit;
	natural = end % unit + bits <= unit ? end : next;
	if (off == natural || off < end)
		return;
	indent(d->sb, ind);
	declarator(d, id, "", ind);
	if (off == next && next != end)
		sb_adds(d->sb, " : 0;\n");
	else
		sb_addf(d->sb, " : %llu;\n", (unsigned long long)(off - end));
}

/* "struct x {\n ... }" without the final ";". */
static void body(struct decl *d, __u32 id, int ind)
{
	const struct btf *btf = d->btf;
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name = tname(btf, t);

	if (btf_is_any_enum(t)) {
		sb_addf(d->sb, "enum %s%s{\n", name, *name ? " " : "");
		for (int i = 0; i < btf_vlen(t); i++) {
			const char *en;
			long long sv;
			unsigned long long uv;

			if (btf_is_enum(t)) {
				const struct btf_enum *e = btf_enum(t) + i;

				en = btf__name_by_offset(btf, e->name_off);
				sv = e->val;
				uv = (__u32)e->val;
			} else {
				const struct btf_enum64 *e = btf_enum64(t) + i;

				en = btf__name_by_offset(btf, e->name_off);
				uv = btf_enum64_value(e);
				sv = (long long)uv;
			}
			indent(d->sb, ind + 1);
			if (btf_kflag(t))
				sb_addf(d->sb, "%s = %lld,\n", en, sv);
			else
				sb_addf(d->sb, "%s = %llu,\n", en, uv);
		}
		indent(d->sb, ind);
		sb_addc(d->sb, '}');
		return;
	}
	sb_addf(d->sb, "%s %s%s{\n", btf_is_union(t) ? "union" : "struct", name,
		*name ? " " : "");
	{
		const struct btf_member *m = btf_members(t);
		__u64 end = 0;	/* bits the members so far take */

		for (int i = 0; i < btf_vlen(t); i++, m++) {
			__u32 bits = btf_member_bitfield_size(t, i);
			__u64 off = btf_member_bit_offset(t, i);
			const char *tag = member_tag(btf, id, i);

			/* BTF has no unnamed bitfields: where C would put this
			 * bitfield elsewhere, say the gap they made. */
			if (bits && !btf_is_union(t) && off != end)
				pad_bits(d, m->type, end, off, bits, ind + 1);
			if (!btf_is_union(t)) {
				__s64 sz = btf__resolve_size(btf, m->type);

				end = bits ? off + bits : off + 8 * (__u64)(sz > 0 ? sz : 0);
			}
			indent(d->sb, ind + 1);
			declarator(d, m->type, btf__name_by_offset(btf, m->name_off),
				   ind + 1);
			if (bits)
				sb_addf(d->sb, " : %u", bits);
			sb_addc(d->sb, ';');
			if (tag)
				sb_addf(d->sb, "\t/* %s */", tag);
			sb_addc(d->sb, '\n');
		}
	}
	indent(d->sb, ind);
	sb_addc(d->sb, '}');
}

/* The C declarations behind type id; empty when it is a plain scalar. */
static void decl_print(const struct btf *btf, __u32 id, struct strbuf *sb)
{
	struct decl d = { .btf = btf, .sb = sb };
	const struct btf_type *t;

	if (!btf || !id)
		return;
	decl_visit(&d, id);
	for (size_t i = 0; i < d.norder; i++) {
		if (i)
			sb_addc(sb, '\n');
		body(&d, d.order[i], 0);
		sb_adds(sb, ";\n");
	}
	/* A typedef at the root that names a composite. */
	t = btf__type_by_id(btf, id);
	while (t && (btf_is_mod(t) || btf_is_type_tag(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (t && btf_is_typedef(t)) {
		const struct btf_type *u = btf__type_by_id(btf, t->type);

		while (u && (btf_is_mod(u) || btf_is_typedef(u)))
			u = btf__type_by_id(btf, u->type);
		if (u && is_composite(u)) {
			sb_adds(sb, "typedef ");
			declarator(&d, t->type, tname(btf, t), 0);
			sb_adds(sb, ";\n");
		}
	}
	free(d.order);
	free(d.seen);
}

/* ---- info ---- */

static const char *const flag_names[] = {
	"no_prealloc", "no_common_lru", "numa_node", "rdonly", "wronly",
	"stack_build_id", "zero_seed", "rdonly_prog", "wronly_prog", "clone",
	"mmapable", "preserve_elems", "inner_map", "link", "path_fd",
	"vtype_btf_obj_fd", "token_fd", "segv_on_fault", "no_user_conv",
};

static void flags_text(__u32 flags, struct strbuf *sb)
{
	sb_addf(sb, "0x%x", flags);
	for (unsigned b = 0; b < 32; b++) {
		if (!(flags & (1u << b)))
			continue;
		if (b < sizeof(flag_names) / sizeof(flag_names[0]))
			sb_addf(sb, " %s", flag_names[b]);
		else
			sb_addf(sb, " bit%u", b);
	}
}

static void human_bytes(uint64_t v, struct strbuf *sb)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double x = (double)v;
	int u = 0;

	while (x >= 1024 && u < 4) {
		x /= 1024;
		u++;
	}
	if (!u)
		sb_addf(sb, "%llu B", (unsigned long long)v);
	else
		sb_addf(sb, "%.1f %s", x, units[u]);
}

struct prog_ref {
	__u32 id;
	char name[BPF_OBJ_NAME_LEN];
	__u32 type;
};

/* The programs whose map_ids include map_id (at most max). */
static int progs_using(__u32 map_id, struct prog_ref *out, int max)
{
	__u32 id = 0;
	int n = 0;

	while (n < max && bpf_prog_get_next_id(id, &id) == 0) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info), ids[256] = { 0 };
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.nr_map_ids) {
			close(fd);
			continue;
		}
		{
			struct bpf_prog_info again = { 0 };
			__u32 nr = info.nr_map_ids < 256 ? info.nr_map_ids : 256;

			again.nr_map_ids = nr;
			again.map_ids = (__u64)(unsigned long)ids;
			len = sizeof(again);
			if (!bpf_obj_get_info_by_fd(fd, &again, &len)) {
				for (__u32 i = 0; i < nr && i < again.nr_map_ids; i++) {
					if (ids[i] != map_id)
						continue;
					out[n].id = id;
					out[n].type = info.type;
					snprintf(out[n].name, sizeof(out[n].name), "%s", info.name);
					n++;
					break;
				}
			}
		}
		close(fd);
	}
	return n;
}

/* The note of plan p about field name (a tag that could not apply), as a
 * pointer into the notes and its length, or NULL. */
static const char *field_note(const struct tv_plan *p, const char *name,
			      int *len)
{
	const char *n = tv_plan_notes(p);
	char pre[300];

	snprintf(pre, sizeof(pre), "field '%s': ", name);
	while (n && *n) {
		const char *e = strchr(n, '\n');

		*len = e ? (int)(e - n) : (int)strlen(n);
		if (!strncmp(n, pre, strlen(pre)) && (int)strlen(pre) <= *len) {
			*len -= (int)strlen(pre);
			return n + strlen(pre);
		}
		n = e ? e + 1 : n + *len;
	}
	return NULL;
}

/* For each field with a display format (or a tag that could not apply):
 * which format and why: "value.src6 ipv6 (known type)". */
static void formats_out(struct out *o, const struct mapref *m, bool json)
{
	const struct tv_plan *plans[2] = { m->key, m->value };
	static const char *const which[2] = { "key", "value" };
	struct jw *jw = json ? out_json_field(o, "formats") : NULL;
	struct strbuf sb = STRBUF_INIT;

	if (jw)
		jw_start_array(jw);
	for (int k = 0; k < 2; k++) {
		const struct tv_plan *p = plans[k];

		for (uint32_t i = 0; p && i < tv_plan_nleaves(p); i++) {
			const struct tv_leaf *l = tv_plan_leaf(p, i);
			const char *why = tv_fmt_src_name(l->fmt_src), *note;
			int nlen = 0;

			if (l->fmt_src == TV_SRC_TYPE)
				continue;
			note = l->fmt_src == TV_SRC_IGNORED
			       ? field_note(p, l->name, &nlen) : NULL;
			if (jw) {
				jw_start_object(jw);
				sb_reset(&sb);
				sb_addf(&sb, "%s%s%s", which[k], *l->name ? "." : "",
					l->name);
				jw_kv_string(jw, "field", sb_str(&sb));
				jw_kv_string(jw, "format", l->fmt_src == TV_SRC_IGNORED
					     ? "none" : tv_fmt_name(l->fmt));
				jw_kv_string(jw, "why", why);
				if (note) {
					sb_reset(&sb);
					sb_addf(&sb, "%.*s", nlen, note);
					jw_kv_string(jw, "reason", sb_str(&sb));
				}
				jw_end_object(jw);
				continue;
			}
			if (sb.len)
				sb_adds(&sb, ", ");
			sb_addf(&sb, "%s%s%s ", which[k], *l->name ? "." : "",
				l->name);
			if (l->fmt_src == TV_SRC_IGNORED)
				sb_addf(&sb, "ignored (%.*s)", note ? nlen : 3,
					note ? note : "tag");
			else
				sb_addf(&sb, "%s (%s)", tv_fmt_name(l->fmt), why);
		}
	}
	if (jw)
		jw_end_array(jw);
	else
		out_str(o, "formats", sb.len ? sb_str(&sb) : NULL);
	sb_free(&sb);
}

int verb_info(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	const struct bpf_map_info *i = &m->info;
	struct out *o = &ctx->out;
	struct strbuf sb = STRBUF_INIT, kdecl = STRBUF_INIT, vdecl = STRBUF_INIT;
	struct prog_ref progs[32];
	bool json = out_is_json(o);
	uint64_t mem = 0;
	long long entries;
	int np, rc;

	rc = verb_no_args(m, cmd->name, argc, argv);
	if (rc)
		return rc;
	decl_print(m->mb.btf, m->mb.key_type_id, &kdecl);
	decl_print(m->mb.btf, m->mb.value_type_id, &vdecl);
	entries = mapref_count(m);
	np = progs_using(i->id, progs, 32);

	out_object_begin(o);
	out_u64(o, "id", i->id);
	out_str(o, "name", i->name);
	out_str(o, "type", map_type_str(i->type));
	if (json) {
		out_u64(o, "flags", i->map_flags);
	} else {
		flags_text(i->map_flags, &sb);
		out_str(o, "flags", sb_str(&sb));
	}
	out_u64(o, "max_entries", i->max_entries);
	out_u64(o, "key_size", i->key_size);
	out_u64(o, "value_size", i->value_size);
	if (m->percpu)
		out_u64(o, "cpus", (uint64_t)m->ncpus);
	sb_reset(&sb);
	if (i->key_size)
		map_type_desc(m->mb.btf, m->mb.key_type_id, i->key_size, &sb);
	out_str(o, "key", i->key_size ? sb_str(&sb) : NULL);
	sb_reset(&sb);
	if (i->value_size)
		map_type_desc(m->mb.btf, m->mb.value_type_id, i->value_size, &sb);
	out_str(o, "value", i->value_size ? sb_str(&sb) : NULL);
	if (entries >= 0)
		out_u64(o, "entries", (uint64_t)entries);
	else
		out_str(o, "entries", NULL);
	sb_reset(&sb);
	if (map_memlock(m->fd, &mem)) {
		out_str(o, "memory", NULL);
	} else if (json || o->mode == OUT_PLAIN) {
		out_u64(o, "memory", mem);
	} else {
		human_bytes(mem, &sb);
		out_str(o, "memory", sb_str(&sb));
	}
	out_u64(o, "btf_id", i->btf_id);
	sb_reset(&sb);
	if (!m->mb.btf)
		sb_adds(&sb, "none");
	else if (m->mb.from_file)
		sb_adds(&sb, "--btf");
	else if (!i->btf_id && m->mb.from_prog)
		sb_adds(&sb, "a program using the map");
	else if (!i->btf_id)
		sb_adds(&sb, "the outer map");
	else
		sb_adds(&sb, "the map");
	out_str(o, "types_from", sb_str(&sb));
	formats_out(o, m, json);
	out_bool(o, "frozen", mapref_is_frozen(m));
	out_str(o, "pinned", m->pin_path);
	if (json) {
		struct jw *jw = out_json_field(o, "programs");

		jw_start_array(jw);
		for (int k = 0; k < np; k++) {
			const char *ts = libbpf_bpf_prog_type_str(progs[k].type);

			jw_start_object(jw);
			jw_kv_u64(jw, "id", progs[k].id);
			jw_kv_string(jw, "name", progs[k].name);
			jw_kv_string(jw, "type", ts ? ts : "unknown");
			jw_end_object(jw);
		}
		jw_end_array(jw);
		out_str(o, "key_decl", kdecl.len ? sb_str(&kdecl) : NULL);
		out_str(o, "value_decl", vdecl.len ? sb_str(&vdecl) : NULL);
		out_object_end(o);
	} else {
		sb_reset(&sb);
		for (int k = 0; k < np; k++) {
			const char *ts = libbpf_bpf_prog_type_str(progs[k].type);

			sb_addf(&sb, "%s%s (id %u, %s)", k ? ", " : "", progs[k].name,
				progs[k].id, ts ? ts : "unknown");
		}
		out_str(o, "programs", np ? sb_str(&sb) : NULL);
		out_object_end(o);
		/* The declarations, as C, after the fields. */
		sb_reset(&sb);
		if (kdecl.len)
			sb_addf(&sb, "\n%s", sb_str(&kdecl));
		if (vdecl.len)
			sb_addf(&sb, "\n%s", sb_str(&vdecl));
		if (sb.len) {
			sb_trunc(&sb, sb.len - 1);
			out_line(o, "%s", sb_str(&sb));
		}
		out_flush(o);
	}
	sb_free(&sb);
	sb_free(&kdecl);
	sb_free(&vdecl);
	return EXIT_OK;
}
