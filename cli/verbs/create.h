/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MAPSH_CREATE_H
#define MAPSH_CREATE_H

#include <linux/types.h>
#include "cmd/cmd.h"

struct create_flag {
	const char *name;
	__u32 bit;
};
extern const struct create_flag create_flags[];
extern const char *const create_words[];
/* The BPF_MAP_TYPE_* of libbpf's name ("hash", "lru_percpu_hash"), or -1. */
int create_map_type(const char *name);
int do_create(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv);
/* Completion: pos are the npos words after `create` before the cursor;
 * btf_file the line's --btf (or NULL). Calls offer(arg, word) for each
 * candidate: map types, the keywords and flags, the BTF's type names. */
void create_complete(char *const *pos, int npos, const char *btf_file,
		     void (*offer)(void *arg, const char *word), void *arg);

#define CREATE_ARGS "NAME TYPE key KTYPE value VTYPE max N [FLAG]... [pin PATH] [inner MAP] [extra N]"
#define CREATE_DESCRIPTION \
	"Creates a map like 'bpftool map create', typed: KTYPE and VTYPE are\n" \
	"sizes in bytes or types of the --btf FILE (an object with BTF, a raw\n" \
	"BTF file, /sys/kernel/btf/vmlinux or a module's): 'struct flow_key',\n" \
	"'__u64' (__u8..__u64 and __s8..__s64 need no --btf). The types, with\n" \
	"what they use and their mapsh: tags, go into a BTF of the map's own,\n" \
	"so every verb (and bpftool) shows the map typed; pointers in them are\n" \
	"kept as void pointers. Queues, stacks and ring buffers take no key\n" \
	"(and the kernel keeps no BTF for them: mapsh says so); a ring buffer's\n" \
	"max is its size in bytes; cgroup and local storages (task_storage with\n" \
	"no_prealloc, ...) take no max (the kernel's 0). FLAGs: no_prealloc,\n" \
	"no_common_lru, rdonly, wronly, rdonly_prog, wronly_prog, zero_seed,\n" \
	"mmapable, preserve_elems, inner_map, clone, stack_build_id; 'extra N'\n" \
	"is map_extra (a bloom filter's hashes). A map of maps needs 'inner\n" \
	"MAP' (a map its inner maps are like: NAME, id N or pinned PATH). The\n" \
	"map is pinned as PIN_DIR/NAME (the pin directory is made when missing)\n" \
	"or at 'pin PATH'; an existing pin is refused. The audit log gets the\n" \
	"intent and the result (\"op\":\"create\"). Prints the new map's row as\n" \
	"'maps' does."

#endif
