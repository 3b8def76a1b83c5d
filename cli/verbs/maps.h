/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MAPSH_MAPS_LIST_H
#define MAPSH_MAPS_LIST_H

#include <bpf/bpf.h>
#include "cmd/cmd.h"

enum { MAPS_OPT_ALL };
extern const struct opt_spec maps_opts[];
/* One row of the listing: the map fd (info read), shown as name, pinned
 * at pin (NULL: none). */
void maps_emit_one(struct ctx *ctx, int fd, const struct bpf_map_info *info,
		   const char *name, const char *pin);
int do_maps(struct ctx *ctx, const struct cmd *cmd,
	    const struct opt_vals *opts, int argc, char **argv);

#define MAPS_DESCRIPTION \
	"One row per map: id, name, type, key and value types (from BTF; byte\n" \
	"sizes when there is none), entries used (hash-like maps), max_entries,\n" \
	"memory and pin path. Without --all, the maps pinned in the pin\n" \
	"directory; with --all, every map of the system, like 'bpftool map show',\n" \
	"each with its pin on any mounted bpffs (the first by path when it has\n" \
	"several; '-' when none)."

#endif
