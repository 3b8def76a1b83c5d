/* SPDX-License-Identifier: GPL-2.0 */
/* The FILE of --btf FILE (typing a map without BTF, create): an ELF object
 * with BTF, a raw BTF file, vmlinux's, or a module's (split BTF, read on
 * the running kernel's). */
#ifndef MAPSH_BTFFILE_H
#define MAPSH_BTFFILE_H

#include <bpf/btf.h>

/* The BTF of path, or NULL with *why saying in words why there is none
 * (libbpf's errno alone misleads here: a file that is there but has no
 * .BTF section comes back as ENOENT, "No such file or directory"). */
struct btf *map_btf_file(const char *path, const char **why);

/* " or the kernel's BTF under it" for a split BTF (its names include the
 * base's), else "": for "no such type in FILE..." messages. */
const char *map_btf_file_under(const struct btf *btf);

#endif
