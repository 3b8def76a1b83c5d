/* SPDX-License-Identifier: GPL-2.0 */
/* What the verbs of the map types of mtypes.c and mtfd.c share: keys
 * given as indexes, keys shown, every key listed, the error of a key not
 * there. */
#ifndef MAPSH_MTYPES_H
#define MAPSH_MTYPES_H

#include <stddef.h>
#include "map/mapref.h"
#include "output/output.h"

/* KEY: a number (an index, a stack id, a CPU) for 4- and 8-byte keys even
 * without BTF, checked against max_entries for arrays; else as any key
 * (mapref_parse_key). */
int mt_index_key(const struct mapref *m, const char *verb, int argc,
		 char **argv, void *key);
/* The key as a JSON member or a cell: a number for 4-byte keys, else as
 * mapref shows keys. */
void mt_key_field(struct out *o, const struct mapref *m, const void *k);
/* Every key (get_next_key), for the verbs that read each entry on its own:
 * *keys (n of them) to free. */
int mt_all_keys(const struct mapref *m, const char *verb, char **keys,
		size_t *n);
/* "MAP: no WHAT KEY" for ENOENT, else the error e of a lookup. */
int mt_no_entry(const struct mapref *m, const char *what, const void *key,
		int e);

#endif
