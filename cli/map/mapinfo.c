// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "map/mapinfo.h"
#include "map/mapiter.h"

const char *map_type_str(__u32 type)
{
	const char *s = libbpf_bpf_map_type_str((enum bpf_map_type)type);

	/* Types newer than this libbpf. */
	if (!s && type == MAPSH_MAP_TYPE_CGRP_STORAGE)
		s = "cgrp_storage";
	if (!s && type == MAPSH_MAP_TYPE_ARENA)
		s = "arena";
	return s ? s : "unknown";
}

bool map_type_is_hash_like(__u32 type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
	case BPF_MAP_TYPE_DEVMAP_HASH:
	case BPF_MAP_TYPE_SOCKHASH:
		return true;
	default:
		return false;
	}
}

bool map_type_is_percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

int fdinfo_line(int fd, const char *field, char *line, size_t size)
{
	char path[64];
	size_t n = strlen(field);
	FILE *f;
	int rc = -ENOENT;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, (int)size, f))
		if (!strncmp(line, field, n)) {
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

int map_memlock(int map_fd, uint64_t *bytes)
{
	char line[256];
	unsigned long long v;
	int rc = fdinfo_line(map_fd, "memlock:", line, sizeof(line));

	if (rc)
		return rc;
	if (sscanf(line, "memlock: %llu", &v) != 1)
		return -ENOENT;
	*bytes = v;
	return 0;
}

long long map_count_entries(int map_fd, const struct bpf_map_info *info)
{
	char key[512], next[512];
	long long n = 0;
	void *prev = NULL;

	if (!map_type_is_hash_like(info->type) || info->key_size > sizeof(key))
		return -1;
	/* get_next_key from NULL gives the first key; one syscall a key is
	 * fine for a listing (dumps use batch lookups). */
	while (mapiter_get_next_key(map_fd, prev, next) == 0) {
		n++;
		memcpy(key, next, info->key_size);
		prev = key;
	}
	return n;
}

static const char *btf_kind_prefix(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT: return "struct ";
	case BTF_KIND_UNION: return "union ";
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64: return "enum ";
	default: return "";
	}
}

void map_type_desc(const struct btf *btf, __u32 type_id, __u32 size,
		   struct strbuf *sb)
{
	const struct btf_type *t;
	const char *name;

	if (!btf || !type_id) {
		sb_addf(sb, "%u bytes", size);
		return;
	}
	t = btf__type_by_id(btf, type_id);
	/* Skip qualifiers but not typedefs: "__u32" says more than "int". */
	while (t && (btf_is_const(t) || btf_is_volatile(t) ||
		     btf_is_restrict(t) || btf_is_type_tag(t))) {
		type_id = t->type;
		t = btf__type_by_id(btf, type_id);
	}
	if (!t) {
		sb_addf(sb, "%u bytes", size);
		return;
	}
	name = btf__name_by_offset(btf, t->name_off);
	if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);

		map_type_desc(btf, a->type, 0, sb);
		sb_addf(sb, "[%u]", a->nelems);
		return;
	}
	if (btf_is_ptr(t)) {
		map_type_desc(btf, t->type, 0, sb);
		sb_adds(sb, " *");
		return;
	}
	if (!name || !*name) {
		sb_addf(sb, "%sanon (%u bytes)", btf_kind_prefix(t), size);
		return;
	}
	sb_adds(sb, btf_kind_prefix(t));
	sb_adds(sb, name);
}

/* Resolve "typeof(X) *member" in a BTF map definition to X's id. */
static __u32 def_member_type(const struct btf *btf, const struct btf_type *def,
			     const char *member)
{
	const struct btf_member *m = btf_members(def);

	for (int i = 0; i < btf_vlen(def); i++, m++) {
		const struct btf_type *t;

		if (strcmp(btf__name_by_offset(btf, m->name_off), member))
			continue;
		t = btf__type_by_id(btf, m->type);
		if (t && btf_is_ptr(t))
			return t->type;
	}
	return 0;
}

const struct btf_type *btf_find_map_def(const struct btf *btf,
					const char *name)
{
	size_t nlen = strlen(name);
	__u32 n = btf__type_cnt(btf);

	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *vs;

		if (!btf_is_datasec(t) ||
		    strcmp(btf__name_by_offset(btf, t->name_off), ".maps"))
			continue;
		vs = btf_var_secinfos(t);
		for (int i = 0; i < btf_vlen(t); i++, vs++) {
			const struct btf_type *var = btf__type_by_id(btf, vs->type);
			const char *vname = btf__name_by_offset(btf, var->name_off);
			const struct btf_type *def;

			if (strcmp(vname, name) &&
			    !(nlen == BPF_OBJ_NAME_LEN - 1 && !strncmp(vname, name, nlen)))
				continue;
			def = btf__type_by_id(btf, var->type);
			while (def && btf_is_mod(def))
				def = btf__type_by_id(btf, def->type);
			return def && btf_is_struct(def) ? def : NULL;
		}
	}
	return NULL;
}

/* The key and value types a map definition declares. */
static bool find_map_def(const struct btf *btf, const char *name, __u32 *key,
			 __u32 *value)
{
	const struct btf_type *def = btf_find_map_def(btf, name);

	if (!def)
		return false;
	*key = def_member_type(btf, def, "key");
	*value = def_member_type(btf, def, "value");
	return true;
}

static bool prog_uses_map(int prog_fd, __u32 map_id, __u32 *btf_id)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info), ids[64] = { 0 };

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return false;
	if (!info.btf_id || !info.nr_map_ids)
		return false;
	if (info.nr_map_ids > 64)
		info.nr_map_ids = 64;
	{
		struct bpf_prog_info again = { 0 };

		again.nr_map_ids = info.nr_map_ids;
		again.map_ids = (__u64)(unsigned long)ids;
		len = sizeof(again);
		if (bpf_obj_get_info_by_fd(prog_fd, &again, &len))
			return false;
		for (__u32 i = 0; i < again.nr_map_ids && i < 64; i++) {
			if (ids[i] == map_id) {
				*btf_id = again.btf_id;
				return true;
			}
		}
	}
	return false;
}

/* Like btf__load_from_kernel_by_id, but into a zeroed buffer of the exact
 * size the kernel reports, so memory checkers see every byte written. */
struct btf *btf_load_kernel(__u32 id)
{
	struct bpf_btf_info info = { 0 };
	__u32 len = sizeof(info), size;
	struct btf *btf = NULL;
	void *buf = NULL;
	int fd = bpf_btf_get_fd_by_id(id);

	if (fd < 0)
		return NULL;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.btf_size)
		goto out;
	size = info.btf_size;
	buf = calloc(1, size);
	if (!buf)
		goto out;
	memset(&info, 0, sizeof(info));
	info.btf = (__u64)(unsigned long)buf;
	info.btf_size = size;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.btf_size > size)
		goto out;
	btf = btf__new(buf, info.btf_size);
	if (libbpf_get_error(btf))
		btf = NULL;
out:
	free(buf);
	close(fd);
	return btf;
}

int map_btf_resolve(int map_fd, const struct bpf_map_info *info,
		    struct map_btf *out)
{
	__u32 id = 0;

	memset(out, 0, sizeof(*out));
	if (info->btf_id) {
		out->btf = btf_load_kernel(info->btf_id);
		if (out->btf && (info->btf_key_type_id || info->btf_value_type_id)) {
			out->key_type_id = info->btf_key_type_id;
			out->value_type_id = info->btf_value_type_id;
			return 0;
		}
		/* Ring buffers keep the object's BTF but no types. */
		if (out->btf && find_map_def(out->btf, info->name,
					     &out->key_type_id,
					     &out->value_type_id))
			return 0;
		btf__free(out->btf);
		out->btf = NULL;
	}
	/* The map was created without BTF: look for a program using it. */
	while (bpf_prog_get_next_id(id, &id) == 0) {
		int fd = bpf_prog_get_fd_by_id(id);
		__u32 btf_id = 0;

		if (fd < 0)
			continue;
		if (prog_uses_map(fd, info->id, &btf_id)) {
			struct btf *btf = btf_load_kernel(btf_id);

			if (btf && find_map_def(btf, info->name, &out->key_type_id,
						&out->value_type_id)) {
				close(fd);
				out->btf = btf;
				out->from_prog = true;
				return 0;
			}
			btf__free(btf);
		}
		close(fd);
	}
	return -ENOENT;
}

void map_btf_free(struct map_btf *mb)
{
	btf__free(mb->btf);
	memset(mb, 0, sizeof(*mb));
}
