/* SPDX-License-Identifier: GPL-2.0 */
/* The types of records: what a ring buffer, perf event array, queue or
 * stack holds, as a plan from the map's BTF (or the kernel's). */
#ifndef MAPSH_RECTYPE_H
#define MAPSH_RECTYPE_H

#include "map/mapref.h"
#include "tval/tval.h"

struct btf;

/* --type TYPE: a plan of the type named TYPE ("flow_event", "struct
 * flow_event", "__u64", "union u", "enum e") in m's BTF, else the running
 * kernel's. *btf_keep receives a BTF to free (btf__free) after the plan,
 * or NULL. EXIT_OK, or the error printed ("events: no type 'x' in the BTF
 * of events or of the kernel"). */
int rectype_named(const struct map_opts *mo, const struct mapref *m,
		  const char *verb, const char *type,
		  struct tv_plan **plan, struct btf **btf_keep);

/* The record type of a ring buffer or perf event array: the struct named
 * type (--type), else the one the mapsh:record= tag of the map variable
 * names; *plan NULL means bytes. *btf_keep holds a BTF the plan points
 * into (free it after the plan). */
int rectype_of(const struct map_opts *mo, const struct mapref *m,
	       const char *verb, const char *type,
	       struct tv_plan **plan, struct btf **btf_keep);

#endif
