// SPDX-License-Identifier: GPL-2.0
/* The bundled eBPF objects, embedded through their skeletons: see bundle.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "map/bundle.h"
#include "base/bpflog.h"

#include "flowtrack.skel.h"
#include "policy.skel.h"

/* NAME_open, NAME_close and NAME_elf for the table below: one object's
 * skeleton functions (build/bpf/NAME.skel.h) under the signatures of
 * struct bundle_obj. They differ in the names alone. */
#define BUNDLE_SKEL_OPS(name)							\
static struct bpf_object *name##_open(const struct bpf_object_open_opts *opts,	\
				      void **skel)				\
{										\
	struct name *s = name##__open_opts(opts);				\
										\
	if (!s)									\
		return NULL;							\
	*skel = s;								\
	return s->obj;								\
}										\
										\
static void name##_close(void *skel)						\
{										\
	name##__destroy(skel);							\
}										\
										\
static const void *name##_elf(size_t *size)					\
{										\
	return name##__elf_bytes(size);						\
}

BUNDLE_SKEL_OPS(flowtrack)
BUNDLE_SKEL_OPS(policy)

const struct bundle_obj bundle_objs[] = {
	[BUNDLE_FLOWTRACK] = {
		.name = "flowtrack",
		.prog_name = "flowtrack",
		.prog_type = BPF_PROG_TYPE_XDP,
		.attach = BUNDLE_ATTACH_XDP,
		.open = flowtrack_open,
		.close = flowtrack_close,
		.elf_bytes = flowtrack_elf,
	},
	[BUNDLE_POLICY] = {
		.name = "policy",
		.prog_name = "policy",
		.prog_type = BPF_PROG_TYPE_SCHED_CLS,
		.attach = BUNDLE_ATTACH_TC_INGRESS,
		.open = policy_open,
		.close = policy_close,
		.elf_bytes = policy_elf,
	},
	{ NULL },
};

#define NOBJS (sizeof(bundle_objs) / sizeof(bundle_objs[0]) - 1)

const struct bundle_obj *bundle_find(const char *name)
{
	for (size_t i = 0; i < NOBJS; i++)
		if (!strcmp(bundle_objs[i].name, name))
			return &bundle_objs[i];
	return NULL;
}

/* One opened (never loaded) copy of each object, kept for the process: its
 * BTF and map definitions are what the typed engine reads. */
static struct {
	bool tried;
	struct bpf_object *obj;
	void *skel;
} cache[NOBJS];

static struct bundle_map *maps;
static int nmaps = -1;
static const char **names;

/* Opening an object makes libbpf talk about the sections it skips
 * (.xdp_run_config): quiet unless -d asked for libbpf's messages. */
static struct bpf_object *cached_obj(size_t i)
{
	if (!cache[i].tried) {
		if (!bpflog_is_set())
			bpflog_set(false);
		cache[i].tried = true;
		cache[i].obj = bundle_objs[i].open(NULL, &cache[i].skel);
		if (!cache[i].obj)
			cache[i].skel = NULL;
	}
	return cache[i].obj;
}

const struct btf *bundle_btf(const struct bundle_obj *obj)
{
	size_t i = (size_t)(obj - bundle_objs);
	struct bpf_object *o;

	if (i >= NOBJS)
		return NULL;
	o = cached_obj(i);
	return o ? bpf_object__btf(o) : NULL;
}

static void build_maps(void)
{
	int cap = 0;

	if (nmaps >= 0)
		return;
	nmaps = 0;
	for (size_t i = 0; i < NOBJS; i++) {
		struct bpf_object *o = cached_obj(i);
		struct bpf_map *m;

		if (!o)
			continue;
		bpf_object__for_each_map(m, o) {
			struct bundle_map *bm;
			struct bpf_map *inner;

			if (bpf_map__is_internal(m))
				continue;
			if (nmaps == cap) {
				void *p;

				cap = cap ? cap * 2 : 16;
				p = realloc(maps, cap * sizeof(*maps));
				if (!p)
					abort();
				maps = p;
			}
			bm = &maps[nmaps++];
			memset(bm, 0, sizeof(*bm));
			bm->name = bpf_map__name(m);
			bm->obj = &bundle_objs[i];
			bm->btf = bpf_object__btf(o);
			bm->type = bpf_map__type(m);
			bm->key_size = bpf_map__key_size(m);
			bm->value_size = bpf_map__value_size(m);
			bm->max_entries = bpf_map__max_entries(m);
			bm->map_flags = bpf_map__map_flags(m);
			bm->btf_key_type_id = bpf_map__btf_key_type_id(m);
			bm->btf_value_type_id = bpf_map__btf_value_type_id(m);
			inner = bpf_map__inner_map(m);
			if (inner) {
				bm->has_inner = true;
				bm->inner_type = bpf_map__type(inner);
				bm->inner_key_size = bpf_map__key_size(inner);
				bm->inner_value_size = bpf_map__value_size(inner);
				bm->inner_max_entries = bpf_map__max_entries(inner);
				bm->inner_map_flags = bpf_map__map_flags(inner);
				bm->inner_btf_key_type_id = bpf_map__btf_key_type_id(inner);
				bm->inner_btf_value_type_id = bpf_map__btf_value_type_id(inner);
			}
		}
	}
	names = calloc(nmaps + 1, sizeof(*names));
	if (!names)
		abort();
	for (int i = 0; i < nmaps; i++)
		names[i] = maps[i].name;
}

int bundle_map_count(void)
{
	build_maps();
	return nmaps;
}

const struct bundle_map *bundle_map_at(int i)
{
	build_maps();
	return i >= 0 && i < nmaps ? &maps[i] : NULL;
}

const struct bundle_map *bundle_map_find(const char *name)
{
	build_maps();
	for (int i = 0; i < nmaps; i++)
		if (!strcmp(maps[i].name, name))
			return &maps[i];
	return NULL;
}

const char *const *bundle_map_names(void)
{
	build_maps();
	return names;
}
