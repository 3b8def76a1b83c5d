/* SPDX-License-Identifier: GPL-2.0 */
/* Between mapref.c and refusal.c: opening pins and typing maps when the
 * kernel refuses part of it. */
#ifndef MAPSH_MAPREF_INT_H
#define MAPSH_MAPREF_INT_H

#include <stdbool.h>
#include <linux/bpf.h>
#include "map/mapinfo.h"

/* The pin at path: read-write, else read-only when the pin lets this user
 * only read. 0 with *fdp set, -ENOENT when there is no such file, or an
 * exit code printed (the kernel's refusal in words). */
int mapref_open_pin(const char *path, int *fdp);
/* What a bpffs pin that is not a map holds ("a pinned program, not a
 * map"). */
const char *mapref_pin_kind(int fd);
/* Types for a map of the bundled programs (same name, type and sizes)
 * from the BTF built into mapsh, for when the kernel does not give the
 * map's own (reading BTF by id needs CAP_SYS_ADMIN); mb unchanged when
 * there is none. */
void mapref_bundled_types(const struct bpf_map_info *i, struct map_btf *mb);

struct map_opts;
struct mapref;
/* Key and value plans with the user's types and formats (map/typing.c):
 * --btf/--key-type/--value-type, --as, the types files. */
int mapref_typed_plans(const struct map_opts *mo, struct mapref *m,
		       unsigned flags);

/* Open a map by its kernel name (kname.c; OBJECT.SECTION finds libbpf's
 * shortened OBJ.SECTION). 0 with *fdp set, -ENOENT, or an exit code
 * printed; quiet: -ENOENT, nothing said, when no map has the name. */
int mapref_open_kname(const char *want, int *fdp, bool quiet);
/* Is w shaped like a global data section's map name (OBJ.bss, ...)? */
bool mapref_is_section_name(const char *w);
/* Is a map of this kernel name loaded? Nothing said. */
bool mapref_kname_exists(const char *want);

#endif
