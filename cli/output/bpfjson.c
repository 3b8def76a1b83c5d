// SPDX-License-Identifier: GPL-2.0
/* --format bpftool: map entries exactly as `bpftool -j map dump` prints
 * them (see bpfjson.h). */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "output/bpfjson.h"
#include "tval/netfmt.h"

/* The map's own BTF as bpftool reads it: the types its info names (not
 * the types mapsh found through a program or --btf, which bpftool does
 * not know of). One map's is kept: a command reads one map. */
static struct {
	__u32 map_id, btf_id;
	bool vmlinux;
	struct btf *btf;
} cache;

static const struct btf *map_own_btf(const struct mapref *m)
{
	const struct bpf_map_info *i = &m->info;
	bool vml = i->btf_vmlinux_value_type_id != 0;

	if (!vml && !i->btf_value_type_id)
		return NULL;
	if (!vml && m->mb.btf && !m->mb.from_prog && !m->mb.from_file)
		return m->mb.btf;
	if (cache.btf && cache.map_id == i->id && cache.btf_id == i->btf_id &&
	    cache.vmlinux == vml)
		return cache.btf;
	btf__free(cache.btf);
	cache.btf = vml ? btf__load_vmlinux_btf() : btf_load_kernel(i->btf_id);
	if (cache.btf && libbpf_get_error(cache.btf))
		cache.btf = NULL;
	cache.map_id = i->id;
	cache.btf_id = i->btf_id;
	cache.vmlinux = vml;
	return cache.btf;
}

void bj_release(void)
{
	btf__free(cache.btf);
	cache.btf = NULL;
	cache.map_id = 0;
}

void bj_members(struct jw *jw, const struct mapref *m, const void *key,
		const void *raw)
{
	const struct bpf_map_info *i = &m->info;
	const struct btf *btf = map_own_btf(m);
	__u32 vid = i->btf_vmlinux_value_type_id ? i->btf_vmlinux_value_type_id
						 : i->btf_value_type_id;
	const char *p = raw;

	jw_name(jw, "key");
	tv_bpftool_hex(key, key ? i->key_size : 0, jw);
	if (!m->percpu) {
		jw_name(jw, "value");
		tv_bpftool_hex(raw, i->value_size, jw);
	} else {
		jw_name(jw, "values");
		jw_start_array(jw);
		for (int c = 0; c < m->ncpus; c++) {
			jw_start_object(jw);
			jw_kv_i64(jw, "cpu", c);
			jw_name(jw, "value");
			tv_bpftool_hex(p + (size_t)c * m->stride, i->value_size, jw);
			jw_end_object(jw);
		}
		jw_end_array(jw);
	}
	if (!btf)
		return;
	jw_name(jw, "formatted");
	jw_start_object(jw);
	if (i->btf_key_type_id && key) {
		jw_name(jw, "key");
		tv_bpftool_json(btf, i->btf_key_type_id, key, jw);
	}
	if (!m->percpu) {
		jw_name(jw, "value");
		tv_bpftool_json(btf, vid, raw, jw);
	} else {
		jw_name(jw, "values");
		jw_start_array(jw);
		for (int c = 0; c < m->ncpus; c++) {
			jw_start_object(jw);
			jw_kv_i64(jw, "cpu", c);
			jw_name(jw, "value");
			tv_bpftool_json(btf, vid, p + (size_t)c * m->stride, jw);
			jw_end_object(jw);
		}
		jw_end_array(jw);
	}
	jw_end_object(jw);
}

bool out_plan_has_ktime(const struct tv_plan *plan)
{
	for (uint32_t i = 0; plan && i < tv_plan_nleaves(plan); i++) {
		const struct tv_leaf *l = tv_plan_leaf(plan, i);

		if (l->fmt == TV_FMT_KTIME && !l->ndims && !l->is_padding)
			return true;
	}
	return false;
}

void out_json_wall(struct jw *jw, const struct tv_plan *plan, const void *rec,
		   uint64_t now_mono, uint64_t now_real)
{
	/* Per entry of a dump: the clocks read once a second (the boot time
	 * is rounded to the millisecond below anyway). */
	static __thread uint64_t mono0, real0;
	static __thread struct strbuf sb;	/* kept: one malloc per thread */

	if (!out_plan_has_ktime(plan))
		return;
	if (!now_mono) {
		uint64_t m = nf_now_mono_ns();

		/* read again each second: a long follow sees clock steps */
		if (!mono0 || m - mono0 > 1000000000ULL) {
			mono0 = m;
			real0 = nf_now_real_ns();
		}
		now_mono = mono0;
		now_real = real0;
	}
	/* The boot time (real - mono) to the millisecond: the two clocks are
	 * read a few ns apart, and unrounded every dump would show other
	 * last digits (diffs of two dumps would be noise). */
	if (now_real > now_mono) {
		uint64_t boot = now_real - now_mono;

		boot = (boot + 500000) / 1000000 * 1000000;
		now_real = now_mono + boot;
	}
	jw_name(jw, "wall");
	jw_start_object(jw);
	for (uint32_t i = 0; i < tv_plan_nleaves(plan); i++) {
		const struct tv_leaf *l = tv_plan_leaf(plan, i);
		uint64_t v;

		if (l->fmt != TV_FMT_KTIME || l->ndims || l->is_padding)
			continue;
		v = tv_leaf_get_u64(l, rec);
		jw_name(jw, l->name[0] ? l->name : "value");
		if (!v) {	/* never set */
			jw_null(jw);
			continue;
		}
		sb_reset(&sb);
		nf_add_walltime(&sb, v, now_mono, now_real);
		jw_string_n(jw, sb.buf, sb.len);
	}
	jw_end_object(jw);
}
