/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MAPSH_MAPS_LIST_H
#define MAPSH_MAPS_LIST_H

#include <bpf/bpf.h>
#include "cmd/cmd.h"

enum { MAPS_OPT_ALL, MAPS_OPT_PROG, MAPS_OPT_COUNT };
/* Maps the kernel keeps no count of (lpm_trie, arrays of maps, ...) are
 * read to count their entries up to this max_entries; larger ones show
 * "?" unless --count. */
#define MAPS_COUNT_MAX 65536
#define MAPS_COUNT_MAX_TEXT "65536"
extern const struct opt_spec maps_opts[];
/* One row of the listing: the map fd (info read), shown as name, pinned
 * at pin (NULL: none). */
void maps_emit_one(struct ctx *ctx, int fd, const struct bpf_map_info *info,
		   const char *name, const char *pin);
int do_maps(struct ctx *ctx, const struct cmd *cmd,
	    const struct opt_vals *opts, int argc, char **argv);

#define MAPS_DESCRIPTION \
	"One row per map: id, name, type, key and value types (from BTF; byte\n" \
	"sizes when there is none), entries, max_entries, how full it is, what\n" \
	"waits to be read, memory (the kernel's memlock figure) and pin path.\n" \
	"entries is the kernel's own count for the hash maps (hash, lru_hash,\n" \
	"their per-CPU kinds, hash_of_maps: Linux 6.6 keeps one, read for all\n" \
	"maps at once by a map iterator, no entry read); other maps with keys\n" \
	"(lpm_trie, array_of_maps, ...) are read in batches when they have at\n" \
	"most " MAPS_COUNT_MAX_TEXT " max_entries, else '?' ('--count' reads them all);\n" \
	"arrays show '-' (every slot exists). full is entries / max_entries in\n" \
	"percent. waiting: a ring buffer's unread bytes (its producer and\n" \
	"consumer positions, mapped read-only); a queue or stack shows 0 or\n" \
	"'1+' (null in JSON): the kernel keeps no count of them and the only\n" \
	"element one can look at without taking it is the next one. Without\n" \
	"--all, the maps pinned in the pin directory; with --all, every map of\n" \
	"the system, like 'bpftool map show', each with its pin on any mounted\n" \
	"bpffs (the first by path when it has several; '-' when none); with\n" \
	"--prog, the maps one program uses."

#endif
