/* SPDX-License-Identifier: GPL-2.0 */
/* Facts about one kernel map: info, BTF types of key and value, memory. */
#ifndef MAPSH_MAPINFO_H
#define MAPSH_MAPINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "base/strbuf.h"

struct map_btf {
	struct btf *btf;	/* owned; NULL when no BTF is known */
	__u32 key_type_id;	/* 0 when the key has no type (or no key) */
	__u32 value_type_id;
	bool from_prog;		/* found through a program that uses the map */
	bool from_file;		/* --btf FILE (or the types file) */
};

/* Where a map's BTF comes from: the map's own btf_id, or (queues, stacks,
 * map-in-map, ring buffers, which libbpf creates without key/value BTF) the
 * `.maps` section of the BTF of a program that uses the map. */
int map_btf_resolve(int map_fd, const struct bpf_map_info *info,
		    struct map_btf *out);
void map_btf_free(struct map_btf *mb);
/* The BTF map definition (`struct { __uint(type, ...); ... }`) of the
 * `.maps` variable named name; kernel names are cut to 15 characters, so a
 * 15-character name matches any longer variable name it begins. */
const struct btf_type *btf_find_map_def(const struct btf *btf,
					const char *name);
/* A BTF object of the kernel by id (NULL when it cannot be read). */
struct btf *btf_load_kernel(__u32 id);

/* "struct flow_key", "__u32", or "4 bytes" when there is no type. */
void map_type_desc(const struct btf *btf, __u32 type_id, __u32 size,
		   struct strbuf *sb);
/* Map types newer than some uapi headers. */
#define MAPSH_MAP_TYPE_CGRP_STORAGE 32
#define MAPSH_MAP_TYPE_ARENA 33
#define MAPSH_MAP_TYPE_LAST 33	/* the last map type mapsh knows */
/* bpftool's spelling of a map type: "hash", "lru_hash", "percpu_array". */
const char *map_type_str(__u32 type);
/* The first line of /proc/self/fdinfo/FD that starts with field
 * ("memlock:") into line (size bytes). 0, -ENOENT when there is none, or
 * -errno when it cannot be read. */
int fdinfo_line(int fd, const char *field, char *line, size_t size);
/* The locked memory the kernel accounts to the map (fdinfo memlock). */
int map_memlock(int map_fd, uint64_t *bytes);
/* Hash-like maps count their entries by walking the keys; others -1. */
long long map_count_entries(int map_fd, const struct bpf_map_info *info);
bool map_type_is_hash_like(__u32 type);
bool map_type_is_percpu(__u32 type);

#endif
