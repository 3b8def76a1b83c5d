// SPDX-License-Identifier: GPL-2.0
/* Maps of maps (HASH_OF_MAPS, ARRAY_OF_MAPS): dump [--recursive], lookup
 * and update/add/replace KEY inner=id:N|pinned:PATH. The table sends these
 * verbs here for every map; other map types go straight on to verb_dump,
 * verb_lookup and verb_update. `OUTER[KEY] VERB` (any verb on one inner
 * map) is mapref's.
 *
 * A row: the key (typed, one column per field as in dump) and the inner
 * map stored there: inner_id, inner_type, inner_name, inner_entries.
 * JSON: {"key": K, "inner": {"id": 12, "type": "hash", "name": "ifbl_h1",
 * "max_entries": 4096, "entries": 3}} ("entries" null when the inner map's
 * entries cannot be counted); dump --recursive adds "dump": [its entries as
 * dump -j shows them]. In text, each inner map follows the outer table
 * under a heading line "OUTER[KEY]: TYPE map id N, M entries". */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "map/write.h"
#include "map/bundle.h"
#include "output/entry_out.h"
#include "output/bpfjson.h"
#include "base/err.h"
#include "verbs/map_verbs.h"
#include "map/mapiter.h"

/* What dump can walk: the maps whose entries mapiter reads. */
static bool dumpable(__u32 type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
		return true;
	default:
		return false;
	}
}

/* What one lookup returns (per-CPU maps: every possible CPU). */
static __u32 lookup_size(const struct bpf_map_info *info)
{
	int ncpus;

	if (!map_type_is_percpu(info->type))
		return info->value_size;
	ncpus = libbpf_num_possible_cpus();
	return (info->value_size + 7) / 8 * 8 * (__u32)(ncpus > 0 ? ncpus : 1);
}

/* Start a key-by-key walk from a key the map does not have: the kernel
 * then begins at the first key, as from a NULL key, which valgrind takes
 * for a bad pointer. Arrays: an index past the end. */
static void start_absent(struct mapiter *it, const struct bpf_map_info *info)
{
	unsigned char *probe = it->prev;
	void *val;

	if (info->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || info->type == BPF_MAP_TYPE_ARRAY ||
	    info->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		memset(probe, 0xff, info->key_size);
		it->have_prev = true;
		return;
	}
	val = calloc(1, (size_t)lookup_size(info) + 8);
	for (int fill = 0; val && fill < 0x100; fill += 0x55) {
		memset(probe, fill, info->key_size);
		if (bpf_map_lookup_elem(it->fd, probe, val) && errno == ENOENT) {
			it->have_prev = true;
			break;
		}
	}
	free(val);
}

struct inner {
	__u32 id;
	struct bpf_map_info info;
	long long entries;	/* -1: cannot be counted */
	bool ok;		/* info was read */
};

static void inner_read(__u32 id, struct inner *in)
{
	__u32 len = sizeof(in->info);
	int fd;

	memset(in, 0, sizeof(*in));
	in->id = id;
	in->entries = -1;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &in->info, &len)) {
		struct mapiter it;
		const void *k, *v;
		long long n = 0;

		in->ok = true;
		if (in->info.type == BPF_MAP_TYPE_ARRAY ||
		    in->info.type == BPF_MAP_TYPE_PERCPU_ARRAY) {
			in->entries = in->info.max_entries;
		} else if (dumpable(in->info.type) &&
			   !mapiter_init(&it, fd, in->info.key_size,
					 lookup_size(&in->info), in->info.max_entries)) {
			start_absent(&it, &in->info);
			while (mapiter_next(&it, &k, &v) > 0)
				n++;
			if (!it.err)
				in->entries = n;
			mapiter_fini(&it);
		}
	}
	close(fd);
}

/* "OUTER[field=value ...]": how the inner map at key is selected. */
static void inner_name(const struct mapref *m, const void *key, char *buf,
		       size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	const char *t;
	size_t n;

	mapref_key_text(m, key, &sb);
	t = sb_str(&sb);
	n = strlen(t);
	if (n >= 2 && t[0] == '{' && t[n - 1] == '}')
		snprintf(buf, size, "%s[%.*s]", m->name, (int)(n - 2), t + 1);
	else
		snprintf(buf, size, "%s[%s]", m->name, t);
	sb_free(&sb);
}

static void key_cells(struct ctx *ctx, const struct mapref *m, const void *key,
		      struct strbuf *cell)
{
	struct out *o = &ctx->out;
	uint32_t n = tv_plan_nleaves(m->key), shown = 0;

	for (uint32_t i = 0; i < n; i++)
		shown += !tv_plan_leaf(m->key, i)->is_padding;
	if (shown == 0 || shown > OUT_MAX_COLS - 8 || tv_plan_is_raw(m->key)) {
		sb_reset(cell);
		tv_format_text(m->key, key, cell);
		out_text_field(o, "key", sb_str(cell));
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct tv_leaf *l = tv_plan_leaf(m->key, i);

		if (l->is_padding)
			continue;
		sb_reset(cell);
		tv_leaf_format_text(l, key, cell);
		out_text_field(o, l->name[0] ? l->name : "key", sb_str(cell));
	}
}

/* The inner map's object, left open (dump --recursive adds "dump"). */
static void inner_json_begin(struct jw *jw, const struct inner *in)
{
	jw_start_object(jw);
	jw_kv_u64(jw, "id", in->id);
	if (in->ok) {
		jw_kv_string(jw, "type", map_type_str(in->info.type));
		jw_kv_string(jw, "name", in->info.name);
		jw_kv_u64(jw, "max_entries", in->info.max_entries);
	}
	jw_name(jw, "entries");
	if (in->entries >= 0)
		jw_u64(jw, (uint64_t)in->entries);
	else
		jw_null(jw);
}

static void inner_text(struct ctx *ctx, const struct inner *in,
		       struct strbuf *cell)
{
	struct out *o = &ctx->out;

	out_u64(o, "inner_id", in->id);
	out_str(o, "inner_type", in->ok ? map_type_str(in->info.type) : "-");
	out_str(o, "inner_name", in->ok && in->info.name[0] ? in->info.name : "-");
	sb_reset(cell);
	if (in->entries >= 0)
		sb_add_u64(cell, (unsigned long long)in->entries);
	else
		sb_adds(cell, "-");
	out_text_field(o, "inner_entries", sb_str(cell));
}

/* The entries of one inner map: into the open JSON object as "dump", or
 * in text as a table under a heading. */
static int dump_inner(struct ctx *ctx, const struct mapref *m, const void *key,
		      const struct inner *in, bool per_cpu)
{
	struct out *o = &ctx->out;
	struct mapref *im = NULL;
	struct entry_out eo;
	struct mapiter it;
	const void *k, *raw;
	char name[400];
	int rc, r;
	bool json = out_is_json(o);

	inner_name(m, key, name, sizeof(name));
	if (!json) {
		out_list_begin(o);
		if (in->entries >= 0)
			out_line(o, "%s: %s map id %u, %lld %s", name,
				 in->ok ? map_type_str(in->info.type) : "?", in->id,
				 in->entries, in->entries == 1 ? "entry" : "entries");
		else
			out_line(o, "%s: %s map id %u", name,
				 in->ok ? map_type_str(in->info.type) : "?", in->id);
	}
	if (!in->ok || !dumpable(in->info.type)) {
		if (!json)
			out_list_end(o);
		return EXIT_OK;
	}
	rc = mapref_open_inner(&ctx->set.map, m, in->id, name, &im);
	if (rc) {
		if (!json)
			out_list_end(o);
		return rc;
	}
	if (mapiter_init(&it, im->fd, im->info.key_size, im->lookup_size,
			 im->info.max_entries)) {
		mapref_free(im);
		if (!json)
			out_list_end(o);
		return err_fail("out of memory");
	}
	start_absent(&it, &im->info);
	mapref_fix_clock(im);
	eo_init(&eo, &ctx->out, im, NULL, per_cpu);
	if (json) {
		jw_name(&o->jw, "dump");
		jw_start_array(&o->jw);
	}
	while ((r = mapiter_next(&it, &k, &raw)) > 0) {
		const void *v = eo_total(&eo, raw);

		if (json) {
			jw_start_object(&o->jw);
			eo_json_members(&eo, k, v, raw);
			jw_end_object(&o->jw);
		} else {
			eo_entry(&eo, k, v, raw);
		}
		if (o->broken)
			break;
	}
	if (json)
		jw_end_array(&o->jw);
	else
		out_list_end(o);
	if (it.err)
		rc = err_fail("%s dump: reading the map failed: %s", name,
			      strerror(-it.err));
	eo_fini(&eo);
	mapiter_fini(&it);
	mapref_free(im);
	return rc;
}

/* One row: key and inner map (and with recursive, in JSON, its dump). */
static int row(struct ctx *ctx, const struct mapref *m, const void *key,
	       const struct inner *in, bool recursive, bool per_cpu,
	       struct strbuf *cell)
{
	struct out *o = &ctx->out;
	int rc = EXIT_OK;

	if (!out_is_json(o)) {
		key_cells(ctx, m, key, cell);
		inner_text(ctx, in, cell);
		return EXIT_OK;
	}
	if (o->bpftool) {	/* bpftool's shape: the inner map's id as bytes */
		__u32 id = in->id;

		bj_members(&o->jw, m, key, &id);
		return EXIT_OK;
	}
	tv_format_json(m->key, key, out_json_field(o, "key"));
	inner_json_begin(out_json_field(o, "inner"), in);
	if (recursive)
		rc = dump_inner(ctx, m, key, in, per_cpu);
	jw_end_object(&o->jw);
	return rc;
}

/* ---- dump ---- */

int verb_mim_dump(struct ctx *ctx, const struct cmd *cmd,
		  const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	bool recursive = opts->count[VOPT_RECURSIVE] > 0;
	bool per_cpu = opts->count[VOPT_PER_CPU] > 0;
	struct strbuf cell = STRBUF_INIT;
	struct mapiter it;
	const void *k, *v;
	char *keys = NULL;
	__u32 *ids = NULL;
	size_t n = 0, cap = 0;
	int rc = EXIT_OK, r;

	if (argc)
		return err_usage("%s dump: unexpected '%s' (a map of maps is dumped whole; 'mapsh %s[KEY] dump ...' selects in an inner map)",
				 m->name, argv[0], m->name);
	/* The keys and ids first (a few hundred at most), then the rows:
	 * text needs the outer table whole before the inner ones. */
	if (mapiter_init(&it, m->fd, m->info.key_size, sizeof(__u32),
			 m->info.max_entries))
		return err_fail("out of memory");
	it.batch = false;	/* a batch stops at the first empty slot */
	start_absent(&it, &m->info);
	while ((r = mapiter_next(&it, &k, &v)) > 0) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			char *nk = realloc(keys, nc * m->info.key_size);
			__u32 *ni;

			if (!nk) {
				rc = err_fail("out of memory");
				break;
			}
			keys = nk;
			ni = realloc(ids, nc * sizeof(*ids));
			if (!ni) {
				rc = err_fail("out of memory");
				break;
			}
			ids = ni;
			cap = nc;
		}
		memcpy(keys + n * m->info.key_size, k, m->info.key_size);
		memcpy(&ids[n], v, sizeof(__u32));
		n++;
	}
	if (!rc && it.err)
		rc = err_fail("%s dump: reading the map failed: %s", m->name,
			      strerror(-it.err));
	mapiter_fini(&it);
	if (rc)
		goto out;
	out_list_begin(o);
	for (size_t i = 0; i < n && !o->broken; i++) {
		struct inner in;
		int r2;

		inner_read(ids[i], &in);
		out_record_begin(o);
		r2 = row(ctx, m, keys + i * m->info.key_size, &in, recursive,
			 per_cpu, &cell);
		out_record_end(o);
		if (r2 && !rc)
			rc = r2;
	}
	out_list_end(o);
	if (recursive && !out_is_json(o)) {
		for (size_t i = 0; i < n && !o->broken; i++) {
			struct inner in;
			int r2;

			inner_read(ids[i], &in);
			r2 = dump_inner(ctx, m, keys + i * m->info.key_size, &in, per_cpu);
			if (r2 && !rc)
				rc = r2;
		}
	}
out:
	sb_free(&cell);
	free(keys);
	free(ids);
	return rc;
}

/* ---- lookup ---- */

int verb_mim_lookup(struct ctx *ctx, const struct cmd *cmd,
		    const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	struct strbuf cell = STRBUF_INIT;
	struct inner in;
	void *key;
	__u32 id = 0;
	int rc;

	key = calloc(1, m->info.key_size + 1);
	if (!key)
		return err_fail("out of memory");
	rc = mapref_parse_key(m, cmd->name, argc, argv, key);
	if (rc)
		goto out;
	if (bpf_map_lookup_elem(m->fd, key, &id)) {
		int e = errno;

		mapref_key_text(m, key, &cell);
		if (e == ENOENT)
			rc = err_fail("%s has no inner map at key %s", m->name, sb_str(&cell));
		else
			rc = err_fail("%s lookup: %s", m->name, strerror(e));
		goto out;
	}
	inner_read(id, &in);
	if (out_is_json(o)) {
		out_object_begin(o);
		row(ctx, m, key, &in, false, false, &cell);
		out_object_end(o);
	} else {
		out_list_begin(o);
		out_record_begin(o);
		row(ctx, m, key, &in, false, false, &cell);
		out_record_end(o);
		out_list_end(o);
	}
out:
	sb_free(&cell);
	free(key);
	return rc;
}

/* ---- update, add, replace ---- */

/* The shape the kernel compares an inner map with (bpf_map_meta_equal):
 * type, key and value sizes, flags; max_entries for arrays unless they
 * were made with BPF_F_INNER_MAP. */
struct shape {
	__u32 type, key_size, value_size, max_entries, flags;
};

static void shape_text(const struct shape *s, struct strbuf *sb)
{
	sb_addf(sb, "%s, key %u, value %u", map_type_str(s->type), s->key_size,
		s->value_size);
	if ((s->type == BPF_MAP_TYPE_ARRAY || s->type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
	    !(s->flags & BPF_F_INNER_MAP))
		sb_addf(sb, ", max_entries %u", s->max_entries);
	sb_addf(sb, ", flags 0x%x", s->flags);
}

static bool shape_fits(const struct shape *want, const struct shape *got)
{
	if (want->type != got->type || want->key_size != got->key_size ||
	    want->value_size != got->value_size || want->flags != got->flags)
		return false;
	if ((want->type == BPF_MAP_TYPE_ARRAY || want->type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
	    !(want->flags & BPF_F_INNER_MAP))
		return want->max_entries == got->max_entries;
	return true;
}

/* What the inner maps of m look like: the bundled template for mapsh's own
 * map, else an inner map it holds now. false when nothing tells. */
static bool inner_template(const struct mapref *m, struct shape *s,
			   __u32 *from_id)
{
	const struct bundle_map *bm = bundle_map_find(m->info.name);
	struct mapiter it;
	const void *k, *v;
	bool found = false;

	*from_id = 0;
	if (bm && bm->has_inner && bm->type == m->info.type &&
	    bm->key_size == m->info.key_size) {
		s->type = bm->inner_type;
		s->key_size = bm->inner_key_size;
		s->value_size = bm->inner_value_size;
		s->max_entries = bm->inner_max_entries;
		s->flags = bm->inner_map_flags;
		return true;
	}
	if (mapiter_init(&it, m->fd, m->info.key_size, sizeof(__u32),
			 m->info.max_entries))
		return false;
	it.batch = false;
	start_absent(&it, &m->info);
	while (!found && mapiter_next(&it, &k, &v) > 0) {
		struct inner in;
		__u32 id;

		memcpy(&id, v, sizeof(id));
		inner_read(id, &in);
		if (!in.ok)
			continue;
		s->type = in.info.type;
		s->key_size = in.info.key_size;
		s->value_size = in.info.value_size;
		s->max_entries = in.info.max_entries;
		s->flags = in.info.map_flags;
		*from_id = id;
		found = true;
	}
	mapiter_fini(&it);
	return found;
}

/* inner=id:N or inner=pinned:PATH: open it. */
static int open_new_inner(struct ctx *ctx, const struct mapref *m,
			  const char *verb, const char *spec,
			  struct mapref **inner)
{
	struct mapsel sel;

	*inner = NULL;
	if (!strncmp(spec, "id:", 3) && spec[3]) {
		sel.kind = MAPSEL_ID;
		sel.arg = spec + 3;
	} else if (!strncmp(spec, "pinned:", 7) && spec[7]) {
		sel.kind = MAPSEL_PINNED;
		sel.arg = spec + 7;
	} else {
		return err_usage("%s %s: 'inner=%s': expected inner=id:N or inner=pinned:PATH",
				 m->name, verb, spec);
	}
	return mapref_open(&ctx->set.map, &sel, inner);
}

int verb_mim_update(struct ctx *ctx, const struct cmd *cmd,
		    const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map, *in = NULL;
	struct strbuf sb = STRBUF_INIT, sb2 = STRBUF_INIT;
	const char *verb = cmd->name, *spec = NULL;
	__u64 flags;
	char **kw = argv;
	int nk = 0, rc;
	void *key = NULL;
	struct shape want, got;
	__u32 from_id;

	rc = verb_update_flags(m, verb, opts, &flags);
	if (rc)
		return rc;
	if (opts->count[VOPT_CPU])
		return err_usage("%s %s: --cpu applies to per-CPU maps only (%s is %s)",
				 m->name, verb, m->name, map_type_str(m->info.type));
	/* [key] KEY... [value] inner=SPEC */
	if (argc && !strcmp(argv[0], "key")) {
		kw++;
		argc--;
	}
	for (int i = 0; i < argc; i++) {
		if (!strncmp(kw[i], "inner=", 6)) {
			if (i + 1 < argc)
				return err_usage("%s %s: unexpected '%s' after the inner map",
						 m->name, verb, kw[i + 1]);
			spec = kw[i] + 6;
			break;
		}
		if (!strcmp(kw[i], "value"))
			continue;
		kw[nk++] = kw[i];
	}
	if (!spec)
		return err_usage("%s %s: no inner map given (expected KEY inner=id:N or KEY inner=pinned:PATH)",
				 m->name, verb);
	key = calloc(1, m->info.key_size + 1);
	if (!key)
		return err_fail("out of memory");
	rc = mapref_parse_key(m, verb, nk, kw, key);
	if (!rc)
		rc = open_new_inner(ctx, m, verb, spec, &in);
	if (rc)
		goto out;
	got = (struct shape){ in->info.type, in->info.key_size, in->info.value_size,
			      in->info.max_entries, in->info.map_flags };
	if (inner_template(m, &want, &from_id) && !shape_fits(&want, &got)) {
		shape_text(&got, &sb);
		shape_text(&want, &sb2);
		rc = err_fail("%s %s: inner map id %u (%s) does not fit %s, whose inner maps are %s%s",
			      m->name, verb, in->info.id, sb_str(&sb), m->name, sb_str(&sb2),
			      from_id ? " (as its inner map now there)" : "");
		goto out;
	}
	rc = mapw_inner(m, key, in->fd, in->info.id, flags);
	if (rc) {
		int e = -rc;

		mapref_key_text(m, key, &sb2);
		if (rc == MAPW_PRINTED) {
			rc = EXIT_FAIL;
		} else if (e == EEXIST) {
			__u32 cur = 0;

			bpf_map_lookup_elem(m->fd, key, &cur);
			rc = err_fail("%s: key %s holds an inner map already (id %u; use update or replace)",
				      m->name, sb_str(&sb2), cur);
		} else if (e == ENOENT) {
			rc = err_fail("%s: no inner map at key %s to replace", m->name,
				      sb_str(&sb2));
		} else if (e == EINVAL) {
			sb_reset(&sb);
			shape_text(&got, &sb);
			rc = err_fail("%s %s: the kernel refused inner map id %u (%s): it does not match %s's inner map template",
				      m->name, verb, in->info.id, sb_str(&sb), m->name);
		} else {
			rc = mapref_write_error(m, verb, e, key);
		}
		goto out;
	}
out:
	sb_free(&sb);
	sb_free(&sb2);
	free(key);
	mapref_free(in);
	return rc;
}
